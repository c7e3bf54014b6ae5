//! The review of a change (issue 21): the README's recipe, run as written on a git repository of
//! two commits, writes the report the README shows.

mod common;

use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The README's "Reviewing a change" section.
fn section() -> String {
    let readme = std::fs::read_to_string(format!("{ROOT}/README.md")).unwrap();
    let start = readme
        .find("\n### Reviewing a change\n")
        .expect("the section");
    let rest = &readme[start..];
    let end = rest[1..].find("\n## ").map_or(rest.len(), |at| at + 1);
    rest[..end].to_owned()
}

/// The recipe's lines (the section's `sh` block).
fn recipe(section: &str) -> String {
    let start = section.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let end = section[start..].find("```").unwrap() + start;
    section[start..end].to_owned()
}

/// The report the README shows (quoted, so that its heading is no heading of the README).
fn shown(section: &str) -> String {
    let open = "<!-- review.md: tests/review.rs holds this to what the recipe writes -->\n";
    let start = section.find(open).expect("the shown report") + open.len();
    let end = section[start..].find("<!-- end of review.md -->").unwrap() + start;
    section[start..end]
        .lines()
        .map(|line| {
            line.strip_prefix("> ")
                .unwrap_or(line.trim_start_matches('>'))
        })
        .map(|line| format!("{line}\n"))
        .collect()
}

fn bash(dir: &Path, script: &str, envs: &[(&str, &str)]) -> common::Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_stash-autobackup"))
        .parent()
        .unwrap();
    let mut command = std::process::Command::new("bash");
    command
        .args(["-c", script])
        .current_dir(dir)
        .env("PATH", common::path_with(bin))
        .envs(envs.iter().copied());
    common::run_command(&mut command, b"")
}

const BLUEPRINT: &str = "\
apiVersion: stash.appscode.com/v1beta1
kind: BackupBlueprint
metadata:
  name: daily
  annotations:
    config.kubernetes.io/local-config: \"true\"
spec:
  backend:
    s3: {endpoint: s3.amazonaws.com, bucket: backups, prefix: \"${TARGET_NAMESPACE}/${TARGET_NAME}\"}
    storageSecretName: s3-secret
  schedule: \"0 2 * * *\"
  retentionPolicy: {name: keep, keepDaily: 30, prune: true}
";

fn database(kind: &str, name: &str, annotated: bool) -> String {
    let annotation = match annotated {
        true => "\n  annotations:\n    stash.appscode.com/backup-blueprint: daily",
        false => "",
    };
    format!(
        "apiVersion: kubedb.com/v1\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: shop{annotation}\nspec:\n  version: \"16.1\"\n"
    )
}

/// A repository whose first commit backs up two databases daily, keeping 30, and whose second
/// makes the blueprint weekly keeping 4, drops `catalog`'s annotation and adds `ledger`.
fn repository(work: &Path) {
    let package = work.join("repo/my-package");
    std::fs::create_dir_all(&package).unwrap();
    let git = |args: &str| {
        let out = bash(&work.join("repo"), &format!("git {args}"), &[]);
        assert_eq!(out.code, 0, "git {args}: {}", out.stderr);
    };
    let write = |file: &str, text: &str| std::fs::write(package.join(file), text).unwrap();
    write("blueprint.yaml", BLUEPRINT);
    write("orders.yaml", &database("Postgres", "orders", true));
    write("catalog.yaml", &database("Postgres", "catalog", true));
    git("init -q");
    git("add -A");
    git("-c user.email=ci@example.com -c user.name=ci commit -qm before");
    let weekly = BLUEPRINT
        .replace("0 2 * * *", "0 2 * * 0")
        .replace("keepDaily: 30", "keepWeekly: 4");
    write("blueprint.yaml", &weekly);
    write("catalog.yaml", &database("Postgres", "catalog", false));
    write("ledger.yaml", &database("MySQL", "ledger", true));
    git("add -A");
    git("-c user.email=ci@example.com -c user.name=ci commit -qm after");
}

/// The recipe on the repository: it exits 1 (the change weakens protection), and writes the
/// report the README shows.
#[test]
fn the_readme_review_recipe_runs_on_a_git_repository() {
    let section = section();
    let work = common::scratch("review-recipe");
    repository(&work);
    let script = format!("set -e\n{}", recipe(&section));
    let out = bash(&work.join("repo"), &script, &[("BASE", "HEAD~1")]);
    assert_eq!(
        out.code, 1,
        "--fail-on weakens fails the job: {}",
        out.stderr
    );
    let report = std::fs::read_to_string(work.join("repo/review.md")).expect("review.md");
    assert!(report.contains("weakens"), "{report}");
    assert_eq!(
        shown(&section),
        report,
        "the README shows what the recipe writes"
    );
}

/// `explain --base … --format sarif` writes SARIF 2.1.0 the official schema accepts, each
/// difference at its subject's line in the new version.
#[test]
fn the_review_as_sarif_is_valid_sarif_2_1_0() {
    let case = Path::new(ROOT).join("testdata/review/annotation-removed-sarif");
    let bin = env!("CARGO_BIN_EXE_stash-autobackup");
    let args = ["explain", "--base", "base", "--format", "sarif", "new"];
    let out = common::run_in(Some(&case), bin, &args, b"");
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(common::sarif_schema_errors(&log), Vec::<String>::new());
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        assert_eq!(result["ruleId"], "review-weakens", "{result}");
        assert_eq!(result["level"], "warning");
        let place = &result["locations"][0]["physicalLocation"];
        assert_eq!(place["artifactLocation"]["uri"], "new/all.yaml");
        assert_eq!(place["region"]["startLine"], 28);
    }
}
