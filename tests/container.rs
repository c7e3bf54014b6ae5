//! The container images, built from the repository's Dockerfiles and run by a real container
//! engine (podman) the way kpt, kustomize and ArgoCD start them. The function's image is built
//! once per test run with `scripts/build-image` (the engine's layer cache makes a rebuild of
//! unchanged sources quick) and shared by every test here.
//!
//! podman is required: where it is missing, every test here fails and says how to install it
//! (CI installs it). kustomize only ever calls `docker`, so its test puts a `docker` first on PATH
//! that records the arguments and hands them to podman (kpt's test records its `podman` calls the
//! same way): a stand-in for the engine's command line, never for the image. Settings this
//! machine's sandbox needs to start containers come from `scripts/engine-env` (nothing on an
//! ordinary machine) and are passed to every engine command.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::image::{Image, image, recording_engine, runs_of};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How kpt starts a function's container (`kpt fn eval --image`, `kpt fn render`), before the
/// image; kpt_fn_eval_image_writes_what_the_exec_form_writes checks kpt still does.
const KPT_FLAGS: &[&str] = &[
    "run",
    "--rm",
    "-i",
    "--network",
    "none",
    "--user",
    "nobody",
    "--security-opt=no-new-privileges",
    "--pull",
    "missing",
];

/// How kustomize starts a container transformer, before the image;
/// kubectl_kustomize_runs_the_image_as_a_container_transformer checks it still does.
const KUSTOMIZE_FLAGS: &[&str] = &[
    "run",
    "--rm",
    "-i",
    "-a",
    "STDIN",
    "-a",
    "STDOUT",
    "-a",
    "STDERR",
    "--network",
    "none",
    "--user",
    "nobody",
    "--security-opt=no-new-privileges",
    "-e",
    "LOG_TO_STDERR=true",
    "-e",
    "STRUCTURED_RESULTS=true",
];

/// The files of an image, from the archive the engine would push (`podman image save`): every
/// path in its layers, and the layers unpacked into `<dir>/rootfs`.
fn image_files(image: &Image, tag: &str, dir: &Path) -> (BTreeSet<String>, PathBuf) {
    let archive = dir.join("image.tar");
    let out = image.run(
        &[
            "image",
            "save",
            "--quiet",
            "--format",
            "docker-archive",
            "-o",
            archive.to_str().unwrap(),
            tag,
        ],
        b"",
    );
    assert_eq!(out.code, 0, "podman image save {tag}: {}", out.stderr);
    let unpacked = dir.join("archive");
    let rootfs = dir.join("rootfs");
    for d in [&unpacked, &rootfs] {
        std::fs::create_dir_all(d).unwrap();
    }
    tar(&[
        "-xf",
        archive.to_str().unwrap(),
        "-C",
        unpacked.to_str().unwrap(),
    ]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(unpacked.join("manifest.json")).unwrap()).unwrap();
    let mut paths = BTreeSet::new();
    for layer in manifest[0]["Layers"].as_array().expect("layers") {
        let layer = unpacked.join(layer.as_str().unwrap());
        let listing = tar(&["-tf", layer.to_str().unwrap()]);
        paths.extend(
            String::from_utf8(listing)
                .unwrap()
                .lines()
                .map(|p| p.trim_start_matches("./").trim_end_matches('/').to_owned())
                .filter(|p| !p.is_empty()),
        );
        tar(&[
            "-xf",
            layer.to_str().unwrap(),
            "-C",
            rootfs.to_str().unwrap(),
        ]);
    }
    (paths, rootfs)
}

fn tar(args: &[&str]) -> Vec<u8> {
    let out = common::run("tar", args, b"");
    assert_eq!(out.code, 0, "tar {args:?}: {}", out.stderr);
    out.stdout
}

/// The image's configuration (`podman image inspect`): user, entrypoint, environment.
fn image_config(image: &Image, tag: &str) -> serde_json::Value {
    let out = image.run(
        &["image", "inspect", "--format", "{{json .Config}}", tag],
        b"",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_slice(&out.stdout).expect("image config")
}

/// True when the ELF64 file names a program interpreter (a dynamic loader).
fn has_interpreter(elf: &[u8]) -> bool {
    const PT_INTERP: u32 = 3;
    assert_eq!(&elf[..4], b"\x7fELF", "an ELF file");
    let u16_at = |at: usize| u16::from_le_bytes([elf[at], elf[at + 1]]) as usize;
    let offset = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let (size, count) = (u16_at(0x36), u16_at(0x38));
    (0..count).any(|i| {
        let at = offset + i * size;
        u32::from_le_bytes(elf[at..at + 4].try_into().unwrap()) == PT_INTERP
    })
}

fn kinds(objects: &[serde_json::Value]) -> Vec<&str> {
    objects.iter().filter_map(|o| o["kind"].as_str()).collect()
}

/// Regression (the image did not start under kpt or kustomize: "unable to find user nobody",
/// exit 126): the image runs with exactly their flags, with and without kustomize's variables,
/// and prints what the binary of this build prints.
#[test]
fn the_image_runs_as_kpt_and_kustomize_start_it() {
    let image = image();
    let input = common::read("examples/resource-list.yaml");
    let expected = common::function(&[], &input);
    assert_eq!(expected.code, 0, "{}", expected.stderr);
    for flags in [KPT_FLAGS, KUSTOMIZE_FLAGS] {
        let mut args = flags.to_vec();
        args.push(&image.tag);
        let out = image.run(&args, &input);
        assert_eq!(out.code, 0, "podman {}: {}", args.join(" "), out.stderr);
        assert!(
            out.stdout == expected.stdout,
            "in the container (podman {}) the output differs from this build's binary's",
            args.join(" ")
        );
    }
    let version = image.run(&["run", "--rm", &image.tag, "--version"], b"");
    assert_eq!(version.code, 0, "{}", version.stderr);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("stash-autobackup {VERSION}"),
        "the image's binary is this version"
    );
}

#[test]
fn the_image_config_names_a_non_root_user_and_the_function() {
    let image = image();
    let config = image_config(image, &image.tag);
    assert_eq!(config["User"], "65534:65534", "{config:#}");
    assert_eq!(
        config["Entrypoint"],
        serde_json::json!(["/stash-autobackup"]),
        "{config:#}"
    );
    // Without --user the image's own user applies: the function still runs.
    let input = common::read("examples/resource-list.yaml");
    let out = image.run(
        &["run", "--rm", "-i", "--network", "none", &image.tag],
        &input,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn the_image_holds_only_the_static_binary_and_the_user_entries() {
    let image = image();
    let dir = common::scratch("image-files");
    let (paths, rootfs) = image_files(image, &image.tag, &dir);
    let expected: BTreeSet<String> = ["etc", "etc/group", "etc/passwd", "stash-autobackup"]
        .map(String::from)
        .into();
    assert_eq!(paths, expected, "the image's files");
    let passwd = std::fs::read_to_string(rootfs.join("etc/passwd")).unwrap();
    let group = std::fs::read_to_string(rootfs.join("etc/group")).unwrap();
    assert!(passwd.starts_with("nobody:x:65534:65534:"), "{passwd}");
    assert_eq!(passwd.lines().count(), 1, "{passwd}");
    assert_eq!(group, "nobody:x:65534:\n");
    let binary = std::fs::read(rootfs.join("stash-autobackup")).unwrap();
    assert!(
        binary.len() <= 5 * 1024 * 1024,
        "the binary must stay within 5 MB (it is {} bytes)",
        binary.len()
    );
    assert!(
        !has_interpreter(&binary),
        "the binary asks for a dynamic loader (ELF PT_INTERP): it is not static"
    );
}

/// Runs kpt with `KPT_FN_RUNTIME=podman` and `bin` first on PATH.
fn kpt(image: &Image, args: &[&str], dir: &Path, bin: &Path) -> common::Output {
    let mut command = image.tool("kpt");
    command
        .args(args)
        .current_dir(dir)
        .env("KPT_FN_RUNTIME", "podman")
        .env("PATH", common::path_with(bin));
    let out = common::run_command(&mut command, b"");
    assert_eq!(out.code, 0, "kpt {}: {}", args.join(" "), out.stderr);
    out
}

/// Every file of a package except its Kptfile.
fn package_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = common::snapshot(dir);
    files.retain(|(path, _)| path != Path::new("Kptfile"));
    files
}

/// `kpt fn eval --image` writes exactly what `kpt fn eval --exec` writes.
#[test]
fn kpt_fn_eval_image_writes_what_the_exec_form_writes() {
    let image = image();
    let bin = common::bin_dir("container-kpt-eval-bin");
    let function = bin.join("stash-autobackup");
    let exec = common::scratch("container-kpt-eval-exec");
    let container = common::scratch("container-kpt-eval-image");
    common::copy_tree("examples/kpt", &exec);
    common::copy_tree("examples/kpt", &container);
    let log = recording_engine(&bin, "podman");
    let eval = ["fn", "eval", "--exec", function.to_str().unwrap(), "."];
    kpt(image, &eval, &exec, &bin);
    kpt(
        image,
        &["fn", "eval", "--image", &image.tag, "."],
        &container,
        &bin,
    );
    let files = common::snapshot(&container);
    assert!(
        files
            .iter()
            .any(|(p, _)| p == Path::new("databases/stash-app-orders.yaml")),
        "the image generated databases/stash-app-orders.yaml"
    );
    assert!(
        files == common::snapshot(&exec),
        "kpt fn eval --image wrote other files than --exec"
    );
    assert_eq!(
        runs_of(&log, &image.tag),
        [format!("{} {}", KPT_FLAGS.join(" "), image.tag)],
        "kpt started the image as the_image_runs_as_kpt_and_kustomize_start_it does"
    );
}

/// `kpt fn render` with the Kptfile's `image:` mutator (the one commented out in
/// examples/kpt/Kptfile) writes exactly what the `exec:` mutator writes.
#[test]
fn kpt_fn_render_image_mutator_writes_what_the_exec_form_writes() {
    let image = image();
    let bin = common::bin_dir("container-kpt-render-bin");
    let exec = common::scratch("container-kpt-render-exec");
    let container = common::scratch("container-kpt-render-image");
    common::copy_tree("examples/kpt", &exec);
    common::copy_tree("examples/kpt", &container);
    let kptfile = String::from_utf8(common::read("examples/kpt/Kptfile")).unwrap();
    let (exec_line, image_line) = ("  - exec: stash-autobackup\n", "  # - image: ");
    assert!(kptfile.contains(exec_line), "{kptfile}");
    let commented = format!("{image_line}{}\n", image.tag);
    assert!(
        kptfile.contains(&commented),
        "examples/kpt/Kptfile offers the image this version builds, `{}`:\n{kptfile}",
        image.tag
    );
    let with_image = kptfile
        .replace(exec_line, "")
        .replace(&commented, &format!("  - image: {}\n", image.tag));
    std::fs::write(container.join("Kptfile"), &with_image).unwrap();

    kpt(image, &["fn", "render", "--allow-exec"], &exec, &bin);
    let out = kpt(image, &["fn", "render"], &container, &bin);
    assert!(out.stderr.contains(&image.tag), "{}", out.stderr);
    let files = package_files(&container);
    assert!(
        files
            .iter()
            .any(|(p, _)| p == Path::new("databases/stash-app-catalog.yaml")),
        "the image generated databases/stash-app-catalog.yaml"
    );
    assert!(
        files == package_files(&exec),
        "kpt fn render with `image:` wrote other files than with `exec:`"
    );
}

/// `kubectl kustomize --enable-alpha-plugins examples/kustomize` runs the image named in the
/// example's container transformer, with kustomize's own `docker run` flags.
#[test]
fn kubectl_kustomize_runs_the_image_as_a_container_transformer() {
    let image = image();
    let bin = common::scratch("container-kustomize-docker");
    let log = recording_engine(&bin, "docker");

    let mut command = image.tool("kubectl");
    command
        .args(["kustomize", "--enable-alpha-plugins", "examples/kustomize"])
        .current_dir(ROOT)
        .env("PATH", common::path_with(&bin));
    let out = common::run_command(&mut command, b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        runs_of(&log, &image.tag),
        [format!("{} {}", KUSTOMIZE_FLAGS.join(" "), image.tag)],
        "kustomize started the image as the_image_runs_as_kpt_and_kustomize_start_it does"
    );

    let objects = common::kubectl_objects(&out.stdout);
    assert_eq!(
        kinds(&objects),
        ["Postgres", "Repository", "BackupConfiguration"],
        "the database and what the image generated; not the local-config blueprint"
    );
    // The same objects as this build's binary generates from the example's files.
    let dir = format!("{ROOT}/examples/kustomize");
    let local = common::function(
        &[
            &format!("{dir}/blueprints.yaml"),
            &format!("{dir}/databases.yaml"),
        ],
        b"",
    );
    assert_eq!(local.code, 0, "{}", local.stderr);
    assert_eq!(objects, common::kubectl_objects(&local.stdout));
}

/// The ArgoCD sidecar (examples/argocd/sidecar/Dockerfile, built on the function's image) runs
/// the plugin's generate command as ArgoCD's user 999 with a read-only root, as
/// examples/argocd/sidecar/values.yaml configures it, and holds nothing it does not need.
#[test]
fn the_argocd_sidecar_runs_the_plugin_generate_as_999_with_a_read_only_root() {
    let image = image();
    let sidecar = format!("localhost/stash-autobackup-argocd:{VERSION}");
    let function_image = format!("FUNCTION_IMAGE={}", image.tag);
    let build = image.run(
        &[
            "build",
            "--quiet",
            "--network",
            "none",
            "--build-arg",
            &function_image,
            "--tag",
            &sidecar,
            "--file",
            "examples/argocd/sidecar/Dockerfile",
            ROOT,
        ],
        b"",
    );
    assert_eq!(build.code, 0, "{}", build.stderr);

    let config = image_config(image, &sidecar);
    assert_eq!(config["User"], "999:999", "{config:#}");
    let dir = common::scratch("sidecar-files");
    let (paths, rootfs) = image_files(image, &sidecar, &dir);
    let files: BTreeSet<&str> = paths
        .iter()
        .map(String::as_str)
        .filter(|p| !rootfs.join(p).is_dir())
        .collect();
    let expected = [
        "etc/group",
        "etc/passwd",
        "home/argocd/cmp-server/config/plugin.yaml",
        "usr/local/bin/stash-autobackup",
    ];
    assert_eq!(files, expected.into(), "the sidecar's files");
    let plugin_yaml = common::read("examples/argocd/plugin.yaml");
    assert!(
        std::fs::read(rootfs.join("home/argocd/cmp-server/config/plugin.yaml")).unwrap()
            == plugin_yaml,
        "the sidecar holds examples/argocd/plugin.yaml"
    );

    let plugin = common::kubectl_objects(&plugin_yaml);
    let generate = &plugin[0]["spec"]["generate"];
    let command: Vec<&str> = generate["command"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(generate["args"].as_array().into_iter().flatten())
        .map(|v| v.as_str().unwrap())
        .collect();

    // ArgoCD's CMP server unpacks the app under its /tmp and runs the command there.
    let generate_in = |app: &Path| {
        let status = Command::new("chmod")
            .args(["-R", "a-w,a+rX"])
            .arg(app)
            .status()
            .unwrap();
        assert!(status.success());
        let volume = format!("{}:/tmp/_cmp_server/app:ro", app.display());
        let mut args = vec![
            "run",
            "--rm",
            "--network",
            "none",
            "--user",
            "999",
            "--read-only",
            "--cap-drop",
            "ALL",
            "--security-opt=no-new-privileges",
            "--volume",
            &volume,
            "--workdir",
            "/tmp/_cmp_server/app",
            "--env",
            "ARGOCD_APP_NAME=shop",
            &sidecar,
        ];
        args.extend(&command);
        image.run(&args, b"")
    };

    let app = common::public_scratch("sidecar-app");
    common::copy_tree("examples/argocd/app", app.path());
    let out = generate_in(app.path());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let local = common::run_in(
        Some(app.path()),
        env!("CARGO_BIN_EXE_stash-autobackup"),
        &["."],
        b"",
    );
    assert!(
        out.stdout == local.stdout,
        "the sidecar printed other objects than this build's binary"
    );
    assert_eq!(
        kinds(&common::kubectl_objects(&out.stdout)),
        ["Postgres", "Repository", "BackupConfiguration"]
    );

    let broken = common::public_scratch("sidecar-broken-app");
    common::copy_tree("examples/argocd/app", broken.path());
    std::fs::remove_file(broken.path().join("blueprints.yaml")).unwrap();
    let out = generate_in(broken.path());
    assert_ne!(out.code, 0, "a missing blueprint fails the generate");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        out.stderr
            .contains("BackupBlueprint `postgres-daily` not found"),
        "{}",
        out.stderr
    );
}

/// The README's image recipes for a podman host (its ```` ```sh podman ```` blocks), each line run
/// as written by bash, from a copy of the examples, on this machine's podman with Debian's
/// `podman-docker` as the `docker` kustomize calls: what a user on a podman host types works.
#[test]
fn the_readme_podman_recipes_run_as_written() {
    let image = image();
    let lines = common::readme_commands(|info| info == "sh podman");
    assert!(
        lines.len() >= 2,
        "the README has podman recipes for kpt and kustomize: {lines:?}"
    );
    // podman-docker's `docker` hands over to podman; it must come first on PATH, as the README
    // says (this machine has a Docker CLI without a daemon further on).
    let wrapper = Path::new("/usr/bin/docker");
    let text = std::fs::read_to_string(wrapper).unwrap_or_default();
    assert!(
        text.contains("podman"),
        "/usr/bin/docker is podman-docker's wrapper: apt-get install -y podman-docker (.ci/run \
         does this on a fresh machine)"
    );
    let bin = common::scratch("container-readme-recipes");
    std::os::unix::fs::symlink(wrapper, bin.join("docker")).unwrap();
    for line in &lines {
        let work = common::scratch("container-readme-recipe");
        // What the recipes name: the examples, and the name references the overlays include.
        for folder in ["examples", "kustomize"] {
            common::copy_tree(&format!("{ROOT}/{folder}"), &work.join(folder));
        }
        let before = common::snapshot(&work);
        let mut command = image.tool("bash");
        command
            .args(["-c", line])
            .current_dir(&work)
            .env("PATH", common::path_with(&bin));
        let out = common::run_command(&mut command, b"");
        assert_eq!(out.code, 0, "{line}: {}", out.stderr);
        // A recipe either prints the generated objects or writes them into the package.
        let printed = String::from_utf8_lossy(&out.stdout).contains("kind: BackupConfiguration");
        let written = common::snapshot(&work)
            .into_iter()
            .filter(|file| !before.contains(file))
            .any(|(_, bytes)| {
                String::from_utf8_lossy(&bytes).contains("kind: BackupConfiguration")
            });
        assert!(
            printed || written,
            "{line}: no BackupConfiguration generated"
        );
    }
}

/// The ELF file's machine (`e_machine`): 62 for x86_64, 183 for aarch64.
fn elf_machine(elf: &[u8]) -> u16 {
    assert_eq!(&elf[..4], b"\x7fELF", "an ELF file");
    u16::from_le_bytes([elf[0x12], elf[0x13]])
}

const EM_AARCH64: u16 = 183;

/// `scripts/build-image --arch all` (issue 23, item 5): the arm64 image, its binary
/// cross-compiled and static, and an image index of both architectures that podman resolves to
/// this machine's image. The arm64 binary runs under qemu's user-mode emulator (no binfmt needed)
/// and prints what this build's binary prints.
#[test]
fn the_multiarch_index_holds_amd64_and_an_arm64_image_that_runs_under_qemu() {
    let image = image();
    let mut command = Command::new(format!("{ROOT}/scripts/build-image"));
    command
        .args(["--arch", "all"])
        .env("ENGINE", "podman")
        .envs(image.env.iter().map(|(k, v)| (k, v)));
    let build = common::run_command(&mut command, b"");
    assert_eq!(
        build.code, 0,
        "scripts/build-image --arch all: {}",
        build.stderr
    );
    let arm64 = if std::env::consts::ARCH == "aarch64" {
        image.tag.clone()
    } else {
        format!("localhost/stash-autobackup-arm64:{VERSION}")
    };
    let index = format!("localhost/stash-autobackup-multiarch:{VERSION}");
    let printed: BTreeSet<String> = String::from_utf8_lossy(&build.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    let expected: BTreeSet<String> = [image.tag.clone(), arm64.clone(), index.clone()].into();
    assert_eq!(printed, expected, "the tags build-image printed");

    // The index: one entry per architecture, each the digest of that architecture's image.
    let out = image.run(&["manifest", "inspect", &index], b"");
    assert_eq!(
        out.code, 0,
        "podman manifest inspect {index}: {}",
        out.stderr
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("an index");
    let entries = list["manifests"].as_array().expect("manifests");
    let platforms: BTreeSet<String> = entries
        .iter()
        .map(|m| format!("{}/{}", m["platform"]["os"], m["platform"]["architecture"]))
        .map(|p| p.replace('"', ""))
        .collect();
    assert_eq!(entries.len(), 2, "{list:#}");
    assert_eq!(
        platforms,
        ["linux/amd64", "linux/arm64"].map(String::from).into(),
        "{list:#}"
    );
    for (tag, arch) in [(&image.tag, std::env::consts::ARCH), (&arm64, "aarch64")] {
        let arch = if arch == "aarch64" { "arm64" } else { "amd64" };
        let digest = image.run(&["image", "inspect", "--format", "{{.Digest}}", tag], b"");
        assert_eq!(digest.code, 0, "{}", digest.stderr);
        let digest = String::from_utf8_lossy(&digest.stdout).trim().to_owned();
        assert!(
            entries
                .iter()
                .any(|m| m["digest"] == digest.as_str() && m["platform"]["architecture"] == arch),
            "the index's linux/{arch} entry is {tag} ({digest}): {list:#}"
        );
    }
    // On this machine the index resolves to this machine's image, as kpt and kustomize run it.
    let version = image.run(&["run", "--rm", &index, "--version"], b"");
    assert_eq!(version.code, 0, "podman run {index}: {}", version.stderr);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("stash-autobackup {VERSION}")
    );

    // The arm64 image: the same files and configuration as this machine's, with a static
    // aarch64 binary.
    let config = image_config(image, &arm64);
    assert_eq!(config["User"], "65534:65534", "{config:#}");
    assert_eq!(
        config["Entrypoint"],
        serde_json::json!(["/stash-autobackup"]),
        "{config:#}"
    );
    let arch = image.run(
        &[
            "image",
            "inspect",
            "--format",
            "{{.Os}}/{{.Architecture}}",
            &arm64,
        ],
        b"",
    );
    assert_eq!(String::from_utf8_lossy(&arch.stdout).trim(), "linux/arm64");
    let dir = common::scratch("image-files-arm64");
    let (paths, rootfs) = image_files(image, &arm64, &dir);
    let expected: BTreeSet<String> = ["etc", "etc/group", "etc/passwd", "stash-autobackup"]
        .map(String::from)
        .into();
    assert_eq!(paths, expected, "the arm64 image's files");
    let binary_path = rootfs.join("stash-autobackup");
    let binary = std::fs::read(&binary_path).unwrap();
    assert_eq!(elf_machine(&binary), EM_AARCH64, "an aarch64 binary");
    assert!(
        !has_interpreter(&binary),
        "the arm64 binary asks for a dynamic loader (ELF PT_INTERP): it is not static"
    );
    assert!(
        binary.len() <= 5 * 1024 * 1024,
        "the arm64 binary must stay within 5 MB (it is {} bytes)",
        binary.len()
    );

    // It runs: natively on an arm64 machine, elsewhere under qemu-aarch64-static.
    let binary_path = binary_path.to_str().unwrap();
    let run_arm64 = |args: &[&str], stdin: &[u8]| {
        if std::env::consts::ARCH == "aarch64" {
            common::run(binary_path, args, stdin)
        } else {
            let mut all = vec![binary_path];
            all.extend(args);
            let which = common::run("sh", &["-c", "command -v qemu-aarch64-static"], b"");
            assert_eq!(
                which.code, 0,
                "qemu-aarch64-static runs the arm64 binary here: apt-get install -y \
                 qemu-user-static (.ci/run does this on a fresh machine)"
            );
            common::run("qemu-aarch64-static", &all, stdin)
        }
    };
    let version = run_arm64(&["--version"], b"");
    assert_eq!(version.code, 0, "{}", version.stderr);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("stash-autobackup {VERSION}"),
        "the arm64 binary is this version"
    );
    let input = common::read("examples/resource-list.yaml");
    let expected = common::function(&[], &input);
    assert_eq!(expected.code, 0, "{}", expected.stderr);
    let out = run_arm64(&[], &input);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout == expected.stdout,
        "the arm64 binary's output differs from this build's binary's"
    );
}
