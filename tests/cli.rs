//! The command line around the function: help, version, flags, and failures of the process
//! itself rather than of the input.

mod common;

use std::fs::File;
use std::process::{Command, Stdio};

#[test]
fn help_explains_usage_without_the_readme() {
    let out = common::function(&["--help"], b"");
    assert_eq!(out.code, 0);
    let help = String::from_utf8(out.stdout).expect("utf-8");
    for needle in [
        "ResourceList",
        "stream mode",
        "--config",
        "stash.appscode.com/backup-blueprint",
        "stash.appscode.com/schedule",
        "params.stash.appscode.com/",
        "EXIT STATUS",
    ] {
        assert!(help.contains(needle), "--help mentions {needle}");
    }
}

/// `--help` lists the options of the library's one table (whose own tests hold every option and
/// its default to it), under their heading.
#[test]
fn help_lists_the_options_of_functionconfig() {
    let out = common::function(&["--help"], b"");
    let help = String::from_utf8(out.stdout).expect("utf-8");
    let options = stash_autobackup::option_help();
    assert!(options.lines().count() >= 6, "{options}");
    let section = format!(
        "OPTIONS IN functionConfig (ConfigMap data, or kind StashAutoBackup):\n{options}\n"
    );
    assert!(help.contains(&section), "{help}");
}

#[test]
fn version() {
    let out = common::function(&["--version"], b"");
    assert_eq!(out.code, 0);
    assert_eq!(
        String::from_utf8(out.stdout).expect("utf-8"),
        format!("stash-autobackup {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unknown_flags_are_errors() {
    let out = common::function(&["--dry-run"], b"");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("--dry-run") && out.stderr.contains("--help"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}

/// docs/spec.md §7: a write error on stdout is fatal, never a silent exit 0 with partial output.
#[test]
fn a_failed_write_to_stdout_fails_the_run() {
    let input = common::read("examples/resource-list.yaml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_stash-autobackup"))
        .stdin(Stdio::piped())
        .stdout(
            File::options()
                .write(true)
                .open("/dev/full")
                .expect("/dev/full"),
        )
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("writing stdout"));
}

#[test]
fn missing_paths_are_named() {
    let out = common::function(&["/nonexistent/stash-autobackup-test"], b"");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("/nonexistent/stash-autobackup-test"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn a_resource_list_in_a_file_is_refused() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/resource-list.yaml");
    let out = common::function(&[path], b"");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("pipe it on stdin"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
}

/// `-` alone is stdin, which may carry a ResourceList (`kpt fn source DIR | stash-autobackup
/// explain -`), as stdin without paths does; beside other paths it is part of a stream, where a
/// ResourceList is refused (issue 19, item 9).
#[test]
fn a_resource_list_on_stdin_named_dash_is_read() {
    let list = common::read("examples/resource-list.yaml");
    let plain = common::function(&[], &list);
    let dash = common::function(&["-"], &list);
    assert_eq!(dash.code, 0, "{}", dash.stderr);
    assert_eq!(dash.stdout, plain.stdout);
    let explain = common::function(&["explain", "-"], &list);
    assert_eq!(explain.code, 0, "{}", explain.stderr);
    assert!(
        String::from_utf8_lossy(&explain.stdout).contains("Postgres"),
        "{}",
        String::from_utf8_lossy(&explain.stdout)
    );
    let other = concat!(env!("CARGO_MANIFEST_DIR"), "/fn-config/configmap.yaml");
    let beside = common::function(&["-", other], &list);
    assert_eq!(beside.code, 1, "{}", beside.stderr);
    assert!(beside.stdout.is_empty());
}

#[test]
fn config_with_a_resource_list_is_refused() {
    let list = common::read("examples/resource-list.yaml");
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/fn-config/configmap.yaml");
    let out = common::function(&["--config", config], &list);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("functionConfig"), "{}", out.stderr);
}

/// The catalog metadata, the examples and the Dockerfile name the image of this version.
#[test]
fn image_references_follow_the_crate_version() {
    let image = format!("stash-autobackup:{}", env!("CARGO_PKG_VERSION"));
    for file in [
        "metadata.yaml",
        "Dockerfile",
        "examples/kpt/Kptfile",
        "examples/kustomize/stash-autobackup.yaml",
        "README.md",
    ] {
        let text = String::from_utf8(common::read(file)).expect("utf-8");
        assert!(text.contains(&image), "{file} names {image}");
    }
}

/// A folder holding a link to its parent (or to itself) is read once, as `kubectl apply -R`
/// reads it: every blueprint once, no duplicate-blueprint errors from going round the loop
/// (issue 14, item 9).
#[test]
fn a_symlink_loop_reads_each_file_once() {
    let app = common::scratch("symlink-loop");
    std::fs::create_dir_all(app.join("db")).expect("mkdir");
    std::fs::write(
        app.join("blueprint.yaml"),
        "apiVersion: stash.appscode.com/v1beta1\nkind: BackupBlueprint\nmetadata:\n  name: daily\n  annotations: {config.kubernetes.io/local-config: \"true\"}\nspec:\n  backend: {gcs: {bucket: b, prefix: x}, storageSecretName: s}\n  schedule: '@daily'\n  retentionPolicy: {name: keep, keepLast: 5, prune: true}\n",
    )
    .expect("write");
    std::fs::write(
        app.join("db/pg.yaml"),
        "apiVersion: kubedb.com/v1\nkind: Postgres\nmetadata:\n  name: orders\n  namespace: shop\n  annotations: {stash.appscode.com/backup-blueprint: daily}\n",
    )
    .expect("write");
    std::os::unix::fs::symlink("..", app.join("db/up")).expect("symlink to the parent");
    std::os::unix::fs::symlink(".", app.join("self")).expect("symlink to itself");
    std::os::unix::fs::symlink("blueprint.yaml", app.join("same-blueprint.yaml"))
        .expect("symlink to a file");
    let out = common::function(&[app.to_str().unwrap()], b"");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(stdout.matches("kind: Postgres").count(), 1, "{stdout}");
    assert_eq!(
        stdout.matches("kind: BackupConfiguration").count(),
        1,
        "{stdout}"
    );
    assert!(
        !out.stderr.contains("two BackupBlueprints"),
        "{}",
        out.stderr
    );
}
