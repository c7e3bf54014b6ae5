//! Every command in the README's shell blocks is run: here, as written, from a copy of the
//! examples with the built binary on PATH; or by the test or the CI step named for it; or it
//! cannot run on these machines, and the table says why. A README command in none of these
//! fails the test, so a new one is run or its reason written down.

mod common;

use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// How a README command is run.
enum Run {
    /// By this test, as written.
    Here,
    /// By a test of the named file (which must define the named function).
    Test(&'static str, &'static str),
    /// By `.ci/run` itself (which must contain the command).
    Ci,
    /// Not on these machines, and why.
    Not(&'static str),
}

/// Every README command (comments cut, continued lines joined), and how it is run.
const COMMANDS: &[(&str, Run)] = &[
    (
        "cargo run --release -- < examples/resource-list.yaml",
        Run::Test("cli.rs", "a_resource_list_on_stdin_named_dash_is_read"),
    ),
    ("cargo test --locked", Run::Ci),
    (
        "git worktree add --detach ../base \"$BASE\"",
        Run::Test(
            "review.rs",
            "the_readme_review_recipe_runs_on_a_git_repository",
        ),
    ),
    (
        "stash-autobackup explain --base ../base/my-package --fail-on weakens --format markdown my-package > review.md",
        Run::Test(
            "review.rs",
            "the_readme_review_recipe_runs_on_a_git_repository",
        ),
    ),
    (
        "stash-autobackup --config fn-config/policies.yaml examples/kpt/blueprints examples/kpt/databases",
        Run::Test(
            "policy.rs",
            "the_readme_policy_example_prints_what_the_readme_shows",
        ),
    ),
    (
        "cargo install --locked --path .",
        Run::Not(
            "a release build with LTO into ~/.cargo/bin; the binary is the one every test runs",
        ),
    ),
    (
        "cargo install --locked --git <repository-url>",
        Run::Not("a placeholder URL: there is no public repository yet"),
    ),
    ("stash-autobackup --version", Run::Here),
    ("stash-autobackup --help", Run::Here),
    (
        "scripts/build-image",
        Run::Test(
            "container.rs",
            "the_image_runs_as_kpt_and_kustomize_start_it",
        ),
    ),
    (
        "scripts/build-image --arch all",
        Run::Test(
            "container.rs",
            "the_multiarch_index_holds_amd64_and_an_arm64_image_that_runs_under_qemu",
        ),
    ),
    (
        "scripts/build-image --arch arm64",
        Run::Test(
            "container.rs",
            "the_multiarch_index_holds_amd64_and_an_arm64_image_that_runs_under_qemu",
        ),
    ),
    (
        "kpt fn eval --exec stash-autobackup examples/kpt -o unwrap",
        Run::Here,
    ),
    (
        "kpt fn eval --exec stash-autobackup examples/kpt -- missingBlueprint=warning",
        Run::Here,
    ),
    (
        "kpt fn eval --exec stash-autobackup --fn-config fn-config/stash-autobackup.yaml examples/kpt",
        Run::Here,
    ),
    ("kpt fn render --allow-exec examples/kpt", Run::Here),
    (
        "kpt fn eval --image localhost/stash-autobackup:0.1.0 examples/kpt",
        Run::Not(
            "a Docker host's recipe; this machine has no Docker daemon, and its podman twin runs in container.rs",
        ),
    ),
    (
        "KPT_FN_RUNTIME=podman kpt fn eval --image localhost/stash-autobackup:0.1.0 examples/kpt",
        Run::Test("container.rs", "the_readme_podman_recipes_run_as_written"),
    ),
    (
        "kubectl kustomize --enable-alpha-plugins examples/kustomize",
        Run::Test("container.rs", "the_readme_podman_recipes_run_as_written"),
    ),
    (
        "kubectl kustomize --enable-alpha-plugins examples/kustomize-overlays/overlays/prod",
        Run::Test("container.rs", "the_readme_podman_recipes_run_as_written"),
    ),
    (
        "kustomize build --enable-alpha-plugins --enable-exec examples/kustomize",
        Run::Not(
            "standalone kustomize is not installed here, and kubectl kustomize cannot run exec: functions",
        ),
    ),
    (
        "docker build -t localhost/stash-autobackup-argocd:0.1.0 -f examples/argocd/sidecar/Dockerfile .",
        Run::Test(
            "container.rs",
            "the_argocd_sidecar_runs_the_plugin_generate_as_999_with_a_read_only_root",
        ),
    ),
    (
        "docker build --build-arg FUNCTION_IMAGE=<your-registry>/stash-autobackup:0.1.0 -t <your-registry>/stash-autobackup-argocd:0.1.0 -f examples/argocd/sidecar/Dockerfile .",
        Run::Not(
            "a placeholder registry; the same build without the argument runs in container.rs",
        ),
    ),
    (
        "docker push <your-registry>/stash-autobackup-argocd:0.1.0",
        Run::Not("no registry is reachable here"),
    ),
    (
        "helm upgrade --install argocd argo/argo-cd -n argocd -f examples/argocd/sidecar/values.yaml",
        Run::Not("needs a cluster and the argo Helm repository"),
    ),
    (
        "stash-autobackup examples/argocd/app > manifests.yaml",
        Run::Here,
    ),
    (
        "stash-autobackup --config opts.yaml db.yaml bp.yaml",
        Run::Test("cli.rs", "config_with_a_resource_list_is_refused"),
    ),
    (
        "kubectl kustomize overlay/ | stash-autobackup - blueprints/ | kubectl apply -f -",
        Run::Not("kubectl apply needs a cluster; the kustomize pipe runs in pipelines.rs"),
    ),
    (
        "docker build -t localhost/stash-autobackup:0.1.0 .",
        Run::Test(
            "container.rs",
            "the_image_runs_as_kpt_and_kustomize_start_it",
        ),
    ),
    (
        "docker tag localhost/stash-autobackup:0.1.0 <your-registry>/stash-autobackup:0.1.0",
        Run::Not("a placeholder registry"),
    ),
    (
        "docker push <your-registry>/stash-autobackup:0.1.0",
        Run::Not("no registry is reachable here"),
    ),
    (
        "podman manifest push --all localhost/stash-autobackup-multiarch:0.1.0 docker://<your-registry>/stash-autobackup:0.1.0",
        Run::Not("no registry is reachable here"),
    ),
    (
        "docker buildx build --platform linux/amd64,linux/arm64 -t <your-registry>/stash-autobackup:0.1.0 --push .",
        Run::Not("Docker's buildx and a registry; podman's index is built in container.rs"),
    ),
    (
        "stash-autobackup explain examples/kubestash/apps examples/kubestash/backup",
        Run::Here,
    ),
    (
        "kpt fn source my-package | stash-autobackup explain --format markdown",
        Run::Test(
            "e2e.rs",
            "explain_and_stream_mode_read_the_options_kpt_fn_render_gives_from_the_kptfile",
        ),
    ),
    (
        "stash-autobackup explain --format json overlay/ blueprints/ > explain.json",
        Run::Test(
            "explain.rs",
            "explain_agrees_with_the_run_on_every_golden_input",
        ),
    ),
    (
        "STASH_AUTOBACKUP_NOW=2026-12-01T00:00:00Z stash-autobackup explain ...",
        Run::Test("explain.rs", "next_runs_count_from_the_clock"),
    ),
    ("set -e", Run::Here),
    ("kpt fn render --allow-exec my-package", Run::Here),
    ("git add --intent-to-add -- my-package", Run::Here),
    ("git diff --exit-code -- my-package", Run::Here),
    (
        "stash-autobackup explain --format sarif --config policies.yaml overlay/ blueprints/ > results.sarif",
        Run::Test("policy.rs", "the_sarif_log_is_valid_sarif_2_1_0"),
    ),
    (
        "stash-autobackup explain --format markdown overlay/ blueprints/ > explain.md",
        Run::Test(
            "explain.rs",
            "explain_agrees_with_the_run_on_every_golden_input",
        ),
    ),
    (
        "gh pr comment \"$PR\" --body-file explain.md",
        Run::Not("GitHub's CLI and a pull request"),
    ),
    (
        "cargo install cargo-afl && cargo afl config --build",
        Run::Not("the fuzzer's toolchain, an hour-long job kept out of CI (README, Fuzzing)"),
    ),
    (
        "fuzz/run 3600",
        Run::Not(
            "an hour of fuzzing, kept out of CI (README, Fuzzing); .ci/run checks the target builds",
        ),
    ),
    (
        "apt-get install golang-go golang-gopkg-yaml.v3-dev",
        Run::Not("the Go reference's toolchain, for benchmarks only"),
    ),
    (
        "GO111MODULE=off GOPATH=/usr/share/gocode go build -o /tmp/go-round-trip benches/go-reference/main.go",
        Run::Not("the Go reference benchmark, not part of CI"),
    ),
    (
        "benches/run",
        Run::Not("minutes of timing runs; their numbers are in the README's Performance section"),
    ),
    (
        "cargo bench --bench inner",
        Run::Not("criterion timing, not part of CI"),
    ),
];

#[test]
fn every_readme_command_is_run_or_says_why_not() {
    // Every shell block: `sh`, and `sh podman` or `sh docker` for one host's recipes.
    let commands = common::readme_commands(|info| info == "sh" || info.starts_with("sh "));
    let mut unknown = Vec::new();
    for command in &commands {
        match COMMANDS.iter().find(|(known, _)| known == command) {
            None => unknown.push(command.clone()),
            Some((_, Run::Test(file, name))) => {
                let text = std::fs::read_to_string(format!("{ROOT}/tests/{file}")).unwrap();
                assert!(
                    text.contains(&format!("fn {name}(")),
                    "{command}: tests/{file} has no test {name}"
                );
            }
            Some((_, Run::Ci)) => {
                let ci = std::fs::read_to_string(format!("{ROOT}/.ci/run")).unwrap();
                assert!(
                    ci.lines().any(|l| l == command),
                    "{command}: not in .ci/run"
                );
            }
            Some((_, Run::Not(why))) => {
                assert!(why.len() > 10, "{command}: say why it cannot run here");
            }
            Some((_, Run::Here)) => {}
        }
    }
    assert!(
        unknown.is_empty(),
        "README commands this table does not know (run them here, name the test that runs \
         them, or say why they cannot run):\n{}",
        unknown.join("\n")
    );
    let stale: Vec<&str> = COMMANDS
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| !commands.iter().any(|r| r == c))
        .collect();
    assert!(stale.is_empty(), "no longer in the README: {stale:?}");
}

/// A folder with copies of what the README's commands use, and the built binary on PATH.
fn workspace(name: &str) -> (std::path::PathBuf, String) {
    let work = common::scratch(name);
    for folder in ["examples", "fn-config"] {
        common::copy_tree(&format!("{ROOT}/{folder}"), &work.join(folder));
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_stash-autobackup"))
        .parent()
        .unwrap()
        .to_path_buf();
    (work, common::path_with(&bin))
}

fn bash(dir: &Path, path: &str, script: &str) -> common::Output {
    let mut command = std::process::Command::new("bash");
    command
        .args(["-c", script])
        .current_dir(dir)
        .env("PATH", path);
    common::run_command(&mut command, b"")
}

#[test]
fn the_readme_commands_run_here_as_written() {
    let here: Vec<&str> = COMMANDS
        .iter()
        .filter(|(_, run)| matches!(run, Run::Here))
        .map(|(c, _)| *c)
        .filter(|c| !c.contains("my-package") && *c != "set -e")
        .collect();
    assert!(here.len() >= 8, "{here:?}");
    for command in here {
        let (work, path) = workspace("readme-command");
        let out = bash(&work, &path, command);
        assert_eq!(out.code, 0, "{command}: {}", out.stderr);
        let printed = String::from_utf8_lossy(&out.stdout).into_owned();
        let written = common::snapshot(&work).into_iter().any(|(_, bytes)| {
            String::from_utf8_lossy(&bytes).contains("kind: BackupConfiguration")
        });
        let says = match command {
            c if c.ends_with("--version") => printed.starts_with("stash-autobackup "),
            c if c.ends_with("--help") => printed.contains("missingBlueprint"),
            c if c.contains(" explain ") => printed.contains("BackupConfiguration"),
            _ => written || printed.contains("BackupConfiguration"),
        };
        assert!(
            says,
            "{command}: not what the README says it does:\n{printed}"
        );
    }
}

/// The README's CI recipe ("In CI"), with `my-package` a package in git: it passes when the
/// committed package is what a render gives, and fails when the render changes it.
#[test]
fn the_readme_ci_recipe_fails_exactly_when_the_render_changes_the_package() {
    let script: Vec<&str> = COMMANDS
        .iter()
        .filter(|(c, run)| matches!(run, Run::Here) && (c.contains("my-package") || *c == "set -e"))
        .map(|(c, _)| *c)
        .collect();
    assert_eq!(script.len(), 4, "{script:?}");
    let script = script.join("\n");
    let (work, path) = workspace("readme-ci-recipe");
    let git = |args: &str| {
        let out = bash(&work, &path, &format!("git {args}"));
        assert_eq!(out.code, 0, "git {args}: {}", out.stderr);
    };
    std::fs::rename(work.join("examples/kpt"), work.join("my-package")).unwrap();
    git("init -q");
    git("-c user.email=ci@example.com -c user.name=ci add -A");
    git("-c user.email=ci@example.com -c user.name=ci commit -qm before");
    // Not yet rendered: the recipe sees new files and fails.
    let first = bash(&work, &path, &script);
    assert_ne!(first.code, 0, "the recipe fails when the render adds files");
    git("-c user.email=ci@example.com -c user.name=ci add -A");
    git("-c user.email=ci@example.com -c user.name=ci commit -qm rendered");
    let second = bash(&work, &path, &script);
    assert_eq!(
        second.code, 0,
        "a rendered package passes: {}",
        second.stderr
    );
}

/// The README's sample of a generated file's head ("What is generated") is what a render of
/// examples/kpt writes at the top of `databases/stash-app-orders.yaml`.
#[test]
fn the_readme_sample_of_a_generated_file_is_what_a_render_writes() {
    let readme = std::fs::read_to_string(format!("{ROOT}/README.md")).unwrap();
    let start = readme
        .find("```yaml\n# Generated by stash-autobackup")
        .expect("the README shows a generated file's head");
    let sample = &readme[start + "```yaml\n".len()..];
    let sample = &sample[..sample.find("```").unwrap()];
    let (work, path) = workspace("readme-generated-head");
    let out = bash(&work, &path, "kpt fn render --allow-exec examples/kpt");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let written =
        std::fs::read_to_string(work.join("examples/kpt/databases/stash-app-orders.yaml")).unwrap();
    assert!(
        written.starts_with(sample),
        "the README's sample:\n{sample}\nthe file:\n{written}"
    );
}
