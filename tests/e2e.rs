//! End to end with the real tools and the binary from this build: kpt's exec form, and the
//! generate command of the ArgoCD plugin, each on the example in `examples/`. kpt and kubectl are
//! preinstalled on the project's machines; a missing one fails these tests with a message saying
//! so. The container forms (kpt `--image`, kustomize's container transformer, the ArgoCD
//! sidecar) run the real image in a real engine: see `tests/container.rs`.

mod common;

use std::path::Path;
use std::process::Command;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `kpt fn eval --exec`: the generated objects land in files beside their database's file.
#[test]
fn kpt_fn_eval_exec_writes_generated_files_beside_the_databases() {
    let pkg = common::scratch("kpt-eval");
    common::copy_tree("examples/kpt", &pkg);
    let bin = common::bin_dir("kpt-eval-bin");
    let function = bin.join("stash-autobackup");
    let out = common::kpt(
        &["fn", "eval", "--exec", function.to_str().unwrap(), "."],
        &pkg,
        &bin,
    );
    assert_eq!(out.code, 0, "{}{}", text(&out.stdout), out.stderr);
    for (file, name) in [
        ("stash-app-orders.yaml", "app-orders"),
        ("stash-app-catalog.yaml", "app-catalog"),
    ] {
        let generated = std::fs::read_to_string(pkg.join("databases").join(file))
            .unwrap_or_else(|e| panic!("databases/{file}: {e}"));
        assert!(
            generated.contains("kind: Repository")
                && generated.contains("kind: BackupConfiguration")
        );
        assert!(generated.contains(&format!("name: {name}")), "{generated}");
        assert!(
            !generated.contains("config.kubernetes.io/path"),
            "kpt strips its own annotations"
        );
    }
    let catalog = std::fs::read_to_string(pkg.join("databases/stash-app-catalog.yaml")).unwrap();
    assert!(catalog.contains("schedule: \"0 1 * * *\""), "{catalog}");
    assert!(
        catalog.contains("value: --single-transaction --routines"),
        "{catalog}"
    );
}

/// `kpt fn render` through the Kptfile pipeline, twice: the second render changes no file.
#[test]
fn kpt_fn_render_twice_changes_nothing_the_second_time() {
    let pkg = common::scratch("kpt-render");
    common::copy_tree("examples/kpt", &pkg);
    let bin = common::bin_dir("kpt-render-bin");
    let first = common::kpt(&["fn", "render", "--allow-exec"], &pkg, &bin);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let after_first = common::snapshot(&pkg);
    assert!(
        after_first
            .iter()
            .any(|(p, _)| p == Path::new("databases/stash-app-orders.yaml")),
        "render generated databases/stash-app-orders.yaml: {:?}",
        after_first.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    let second = common::kpt(&["fn", "render", "--allow-exec"], &pkg, &bin);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        common::snapshot(&pkg) == after_first,
        "the second render changed files"
    );
    assert!(
        !second.stderr.contains("updated:") && !second.stderr.contains("pruned:"),
        "{}",
        second.stderr
    );
}

/// An error (a missing blueprint) leaves the package untouched and names the cause.
#[test]
fn kpt_fn_render_error_leaves_the_package_untouched() {
    let pkg = common::scratch("kpt-error");
    common::copy_tree("examples/kpt", &pkg);
    std::fs::remove_file(pkg.join("blueprints/mysql-hourly.yaml")).unwrap();
    let bin = common::bin_dir("kpt-error-bin");
    let before = common::snapshot(&pkg);
    let out = common::kpt(&["fn", "render", "--allow-exec"], &pkg, &bin);
    assert_ne!(out.code, 0, "render must fail");
    assert!(
        out.stderr
            .contains("BackupBlueprint `mysql-hourly` not found"),
        "{}",
        out.stderr
    );
    assert!(
        common::snapshot(&pkg) == before,
        "a failed render changed files"
    );
}

/// Runs the plugin's generate command as ArgoCD's sidecar would: in the application folder, as a
/// user other than root, with the folder read-only. ArgoCD runs the command directly, without a
/// shell (the sidecar image has none). The binary and the folder are in world-readable temporary
/// folders, so the run works wherever the checkout is (even in a private folder).
fn argocd_generate(app: &Path, bin: &Path) -> common::Output {
    let plugin = common::kubectl_objects(&common::read("examples/argocd/plugin.yaml"));
    let generate = &plugin[0]["spec"]["generate"];
    let command: Vec<String> = generate["command"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(generate["args"].as_array().into_iter().flatten())
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        command[0], "stash-autobackup",
        "the sidecar has no shell: generate runs the binary itself ({command:?})"
    );
    common::require_root("run the plugin as uid 65534");
    // The sandbox: nobody (uid 65534), read-only sources.
    let status = Command::new("chmod")
        .args(["-R", "a-w,a+rX", app.to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut run = Command::new("setpriv");
    run.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .args(&command)
        .current_dir(app)
        .env_clear()
        .env("PATH", common::path_with(bin))
        .env("ARGOCD_APP_NAME", "shop");
    common::run_command(&mut run, b"")
}

#[test]
fn argocd_plugin_generate_prints_only_kubernetes_objects() {
    let app = common::public_scratch("argocd-app");
    common::copy_tree("examples/argocd/app", app.path());
    let bin = common::public_bin_dir("argocd-bin");
    let out = argocd_generate(app.path(), bin.path());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let objects = common::kubectl_objects(&out.stdout);
    let kinds: Vec<&str> = objects.iter().filter_map(|o| o["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        ["Postgres", "Repository", "BackupConfiguration"],
        "no local-config objects, no results"
    );
}

/// The plugin on a KubeStash application (issue 11): the example package's folder as an ArgoCD
/// application gives its storage objects and targets, one BackupConfiguration per target, and
/// no local-config blueprint.
#[test]
fn argocd_plugin_generate_handles_kubestash() {
    let app = common::public_scratch("argocd-kubestash");
    common::copy_tree("examples/kubestash", app.path());
    std::fs::remove_file(app.path().join("Kptfile")).unwrap();
    let bin = common::public_bin_dir("argocd-kubestash-bin");
    let out = argocd_generate(app.path(), bin.path());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let objects = common::kubectl_objects(&out.stdout);
    let ids: Vec<String> = objects
        .iter()
        .map(|o| {
            format!(
                "{} {}/{}",
                o["kind"].as_str().unwrap_or("?"),
                o["metadata"]["namespace"].as_str().unwrap_or(""),
                o["metadata"]["name"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            "Namespace /shop",
            "Postgres shop/orders",
            "MySQL shop/catalog",
            "PersistentVolumeClaim shop/uploads",
            "BackupStorage backup/s3-storage",
            "RetentionPolicy backup/keep-a-month",
            "BackupConfiguration backup/shop-appbinding-orders",
            "BackupConfiguration backup/shop-appbinding-catalog",
            "BackupConfiguration backup/shop-persistentvolumeclaim-uploads",
        ],
        "objects in file order, the generated ones after them; no blueprint"
    );
}

#[test]
fn argocd_plugin_generate_fails_loudly_with_nothing_on_stdout() {
    let app = common::public_scratch("argocd-broken");
    common::copy_tree("examples/argocd/app", app.path());
    std::fs::remove_file(app.path().join("blueprints.yaml")).unwrap();
    let bin = common::public_bin_dir("argocd-broken-bin");
    let out = argocd_generate(app.path(), bin.path());
    assert_ne!(out.code, 0);
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    assert!(
        out.stderr
            .contains("BackupBlueprint `postgres-daily` not found"),
        "{}",
        out.stderr
    );
}
