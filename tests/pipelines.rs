//! The pipelines teams really run, with the real tools and the binary from this build (issue 14):
//! a kpt package that grows, a kpt package with a subpackage, a kpt package that is a kustomize
//! base with a secretGenerator, a kpt pipeline with another
//! function before this one, the kustomize pipe with local-config blueprints, and the shipped kpt
//! example rendered as a user renders it. The kpt tests compare whole package trees byte for
//! byte, so a render that rewrites a file it should leave alone fails here. Nothing here depends
//! on timing: every step waits for its tool to exit.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type Tree = Vec<(PathBuf, Vec<u8>)>;

/// `kpt fn render --allow-exec` in `pkg`, with `bin` first on PATH; fails the test unless kpt
/// exits 0. The results are printed in full, so a failure shows all of them.
fn render(pkg: &Path, bin: &Path, which: &str) -> common::Output {
    let out = common::kpt(
        &["fn", "render", "--allow-exec", "--truncate-output=false"],
        pkg,
        bin,
    );
    assert_eq!(
        out.code, 0,
        "the {which} `kpt fn render --allow-exec` failed:\n{}",
        out.stderr
    );
    out
}

/// What differs between two snapshots of a tree, one line per file, for assertion messages
/// (and empty when nothing does).
fn changes(before: &Tree, after: &Tree) -> Vec<String> {
    let before: BTreeMap<&PathBuf, &Vec<u8>> = before.iter().map(|(p, b)| (p, b)).collect();
    let after: BTreeMap<&PathBuf, &Vec<u8>> = after.iter().map(|(p, b)| (p, b)).collect();
    let mut out = Vec::new();
    for (path, bytes) in &before {
        match after.get(path) {
            None => out.push(format!("removed: {}", path.display())),
            Some(now) if now != bytes => out.push(format!(
                "changed: {}\n--- before\n{}--- after\n{}",
                path.display(),
                String::from_utf8_lossy(bytes),
                String::from_utf8_lossy(now)
            )),
            Some(_) => {}
        }
    }
    for path in after.keys().filter(|p| !before.contains_key(*p)) {
        out.push(format!("new: {}", path.display()));
    }
    out
}

/// The files of `after` that `before` does not have.
fn new_files(before: &Tree, after: &Tree) -> Vec<PathBuf> {
    after
        .iter()
        .map(|(p, _)| p.clone())
        .filter(|p| !before.iter().any(|(q, _)| q == p))
        .collect()
}

/// The objects of one file, read as kubectl reads them.
fn objects(path: &Path) -> Vec<serde_json::Value> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    common::kubectl_objects(&bytes)
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// A Postgres `orders` like the one in examples/kpt, in the namespace `billing`.
const ORDERS_IN_BILLING: &str = "\
apiVersion: kubedb.com/v1alpha2
kind: Postgres
metadata:
  name: orders
  namespace: billing
  annotations:
    stash.appscode.com/backup-blueprint: postgres-daily
spec:
  version: \"14.10\"
  storageType: Durable
  storage:
    accessModes: [ReadWriteOnce]
    resources:
      requests:
        storage: 10Gi
  terminationPolicy: Halt
";

/// A package that grows a second database named like one it has (Postgres `orders` in
/// `billing` beside `orders` in `shop`), in a file that sorts before the first one's, is
/// rendered again (issue 14, item 1). Before the fix the new pair was given
/// `databases/stash-app-orders.yaml`, which the first pair holds, and kpt refused the package
/// (`resource at path "databases/stash-app-orders.yaml" and index "0" already exists`) on this
/// and every later render. Now the new pair gets a file of its own, the first pair's file stays
/// as it was, and a third render changes nothing (the choice does not move back and forth).
#[test]
fn kpt_package_growing_a_same_named_database_gives_it_a_file_of_its_own() {
    let pkg = common::scratch("grow-same-name");
    common::copy_tree("examples/kpt", &pkg);
    let bin = common::bin_dir("grow-same-name-bin");
    render(&pkg, &bin, "first");
    assert!(
        pkg.join("databases/stash-app-orders.yaml").is_file(),
        "the first render generated databases/stash-app-orders.yaml"
    );

    // `0-` sorts before orders.yaml: kpt hands this database to the function first.
    write(
        &pkg.join("databases/0-orders-billing.yaml"),
        ORDERS_IN_BILLING,
    );
    let grown = common::snapshot(&pkg);
    let second = render(&pkg, &bin, "second");
    assert!(
        !second.stderr.contains("already exists"),
        "{}",
        second.stderr
    );
    let after_second = common::snapshot(&pkg);
    assert_eq!(
        new_files(&grown, &after_second),
        [PathBuf::from("databases/stash-billing-app-orders.yaml")],
        "the new pair lands in a file of its own, stash-<namespace>-<name>.yaml:\n{}",
        changes(&grown, &after_second).join("\n")
    );
    assert_eq!(
        common::ids(&objects(
            &pkg.join("databases/stash-billing-app-orders.yaml")
        )),
        [
            "Repository billing/app-orders",
            "BackupConfiguration billing/app-orders"
        ]
    );
    assert_eq!(
        common::ids(&objects(&pkg.join("databases/stash-app-orders.yaml"))),
        [
            "Repository shop/app-orders",
            "BackupConfiguration shop/app-orders"
        ]
    );
    let changed: Vec<String> = changes(&grown, &after_second)
        .into_iter()
        .filter(|c| !c.starts_with("new: "))
        .collect();
    assert!(
        changed.is_empty(),
        "the second render rewrote files that were there (the first pair's among them):\n{}",
        changed.join("\n")
    );

    render(&pkg, &bin, "third");
    let after_third = common::snapshot(&pkg);
    assert!(
        after_third == after_second,
        "the third render changed files:\n{}",
        changes(&after_second, &after_third).join("\n")
    );
}

const ROOT_KPTFILE: &str = "\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: platform
  annotations:
    config.kubernetes.io/local-config: \"true\"
pipeline:
  mutators:
  - exec: stash-autobackup
";

const SUBPACKAGE_KPTFILE: &str = "\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: shop
  annotations:
    config.kubernetes.io/local-config: \"true\"
";

/// A root package holds the blueprints and the pipeline; its subpackage `shop/` (a Kptfile of
/// its own) holds a database in `shop/databases/` (issue 14, item 2). In `kpt fn render` the
/// database's path is relative to `shop/`; before the fix the generated file was written at that
/// path in the root package (`databases/stash-app-orders.yaml`, a folder the root did not even
/// have). Now it lands beside the database, and a second render changes nothing.
#[test]
fn kpt_subpackage_database_gets_its_generated_file_beside_it_in_the_subpackage() {
    let pkg = common::scratch("subpackage");
    write(&pkg.join("Kptfile"), ROOT_KPTFILE);
    common::copy_tree("examples/kpt/blueprints", &pkg.join("blueprints"));
    write(&pkg.join("shop/Kptfile"), SUBPACKAGE_KPTFILE);
    let orders = String::from_utf8(common::read("examples/kpt/databases/orders.yaml")).unwrap();
    write(&pkg.join("shop/databases/orders.yaml"), &orders);
    let bin = common::bin_dir("subpackage-bin");

    let before = common::snapshot(&pkg);
    render(&pkg, &bin, "first");
    let after_first = common::snapshot(&pkg);
    assert_eq!(
        changes(&before, &after_first),
        ["new: shop/databases/stash-app-orders.yaml"],
        "the generated file lands in the subpackage, beside the database, and nothing else changes"
    );
    assert_eq!(
        common::ids(&objects(&pkg.join("shop/databases/stash-app-orders.yaml"))),
        [
            "Repository shop/app-orders",
            "BackupConfiguration shop/app-orders"
        ]
    );

    render(&pkg, &bin, "second");
    let after_second = common::snapshot(&pkg);
    assert!(
        after_second == after_first,
        "the second render changed files:\n{}",
        changes(&after_first, &after_second).join("\n")
    );
}

/// A stand-in for kpt's set-labels and set-annotations functions, which are container images
/// (gcr.io/kpt-fn/...): these machines reach no image registry, and these tests run no container
/// engine. It makes the same edit on the ResourceList kpt pipes through it: every item gets the
/// label `team: db` and the annotation `example.com/owner: db-team`. The machines' yq is the jq
/// wrapper (Python, `-y` for YAML out); mikefarah's yq takes the same expression.
const LABEL_FUNCTION: &str = r#"#!/bin/sh
set -eu
filter='.items[].metadata.labels.team = "db" | .items[].metadata.annotations["example.com/owner"] = "db-team"'
case "$(yq --version 2>&1)" in
*mikefarah*) exec yq "$filter" - ;;
*) exec yq -y "$filter" ;;
esac
"#;

const LABELLED_KPTFILE: &str = "\
apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: labelled
  annotations:
    config.kubernetes.io/local-config: \"true\"
pipeline:
  mutators:
  - exec: label-team
  - exec: stash-autobackup
";

/// A kpt pipeline runs a labelling function before this one, as teams run set-labels and
/// set-annotations (issue 14, item 7), and is rendered three times. The labeller sees our
/// earlier output from the second render on; before the fix this function took the added label
/// and annotation for a change of its objects, "updated" them and stripped them on every render,
/// so backups never carried the team's labels. Now, after the renders, the generated objects
/// carry both, the third render changes no file, and the function reports no update (the
/// stand-in writes the YAML anew, turning the quoted schedule `"0 1 * * *"` of our earlier
/// output plain: the same string to kubectl, so no change either).
#[test]
fn kpt_labelling_function_before_this_one_keeps_its_labels_on_the_generated_objects() {
    use std::os::unix::fs::PermissionsExt;
    common::tool("yq");
    let pkg = common::scratch("labelled");
    common::copy_tree("examples/kpt", &pkg);
    write(&pkg.join("Kptfile"), LABELLED_KPTFILE);
    let bin = common::bin_dir("labelled-bin");
    let labeller = bin.join("label-team");
    write(&labeller, LABEL_FUNCTION);
    std::fs::set_permissions(&labeller, std::fs::Permissions::from_mode(0o755)).expect("chmod");

    render(&pkg, &bin, "first");
    render(&pkg, &bin, "second");
    let after_second = common::snapshot(&pkg);
    let results = common::scratch("labelled-results");
    let out = common::kpt(
        &[
            "fn",
            "render",
            "--allow-exec",
            "--truncate-output=false",
            "--results-dir",
            results.to_str().expect("utf-8 path"),
        ],
        &pkg,
        &bin,
    );
    assert_eq!(out.code, 0, "the third render failed:\n{}", out.stderr);
    let after_third = common::snapshot(&pkg);
    let reported = std::fs::read_to_string(results.join("results.yaml")).expect("results.yaml");
    assert!(
        reported.contains("stash-autobackup: 2 targets") && !reported.contains("updated:"),
        "the third render reports changes to objects it kept:\n{reported}"
    );

    for file in [
        "databases/stash-app-orders.yaml",
        "databases/stash-app-catalog.yaml",
    ] {
        let generated = objects(&pkg.join(file));
        assert_eq!(
            generated.len(),
            2,
            "{file}: {}",
            common::ids(&generated).join(", ")
        );
        for object in &generated {
            let meta = &object["metadata"];
            assert_eq!(meta["labels"]["team"], "db", "{file}: {object:#}");
            assert_eq!(
                meta["annotations"]["example.com/owner"], "db-team",
                "{file}: {object:#}"
            );
            assert!(
                meta["annotations"]["autobackup.stash.appscode.com/blueprint"].is_string(),
                "{file}: our own annotation stays too: {object:#}"
            );
        }
    }
    assert!(
        after_third == after_second,
        "the third render changed files:\n{}",
        changes(&after_second, &after_third).join("\n")
    );
}

/// The database and blueprint of examples/kustomize, laid out as an app whose kustomization
/// lists `kustomization_resources`; the blueprint is in `blueprints/postgres-daily.yaml` and
/// marked local-config.
fn kustomize_app(name: &str, kustomization_resources: &[&str]) -> PathBuf {
    let app = common::scratch(name);
    let databases = String::from_utf8(common::read("examples/kustomize/databases.yaml")).unwrap();
    let blueprint = String::from_utf8(common::read("examples/kustomize/blueprints.yaml")).unwrap();
    assert!(
        blueprint.contains("config.kubernetes.io/local-config: \"true\""),
        "{blueprint}"
    );
    write(&app.join("databases.yaml"), &databases);
    write(&app.join("blueprints/postgres-daily.yaml"), &blueprint);
    let mut kustomization = String::from(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
    );
    for resource in kustomization_resources {
        kustomization.push_str(&format!("- {resource}\n"));
    }
    write(&app.join("kustomization.yaml"), &kustomization);
    app
}

/// `kubectl kustomize <app>` (the real kustomize), exit 0 required; its stdout.
fn kubectl_kustomize(app: &Path) -> Vec<u8> {
    let mut command = common::tool("kubectl");
    command.arg("kustomize").arg(app);
    let out = common::run_command(&mut command, b"");
    assert_eq!(out.code, 0, "kubectl kustomize: {}", out.stderr);
    out.stdout
}

/// The README's kustomize recipe, `kubectl kustomize <app> | stash-autobackup - <app>/blueprints/`
/// (issue 14, item 3): the kustomization lists the database only, and the local-config
/// blueprints are given beside stdin (`-`). The output holds the database and the generated
/// pair, and no blueprint. Before the fix `-` was read as a file name and the run failed.
#[test]
fn kustomize_pipe_reads_local_config_blueprints_beside_stdin() {
    let app = kustomize_app("kustomize-pipe", &["databases.yaml"]);
    let built = kubectl_kustomize(&app);
    let blueprints = format!("{}/blueprints/", app.display());
    let out = common::function(&["-", &blueprints], &built);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        common::ids(&common::kubectl_objects(&out.stdout)),
        [
            "Postgres shop/orders",
            "Repository shop/app-orders",
            "BackupConfiguration shop/app-orders"
        ],
        "the database and its pair, and no BackupBlueprint (local-config stays out):\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// The storage Secret a Stash blueprint's text names.
fn storage_secret(blueprint: &str) -> String {
    blueprint
        .lines()
        .find_map(|l| l.trim().strip_prefix("storageSecretName: "))
        .expect("the blueprint names a storage Secret")
        .to_owned()
}

/// The kustomize pipe with the storage Secret from the app's secretGenerator (issue 12): kustomize
/// names it with a hash that the generated Repository does not follow. The run says so, on the
/// Secret, instead of calling the Secret missing; with `disableNameSuffixHash` it is quiet.
#[test]
fn kustomize_pipe_warns_of_a_storage_secret_kustomize_named_with_a_hash() {
    let secret = storage_secret(
        &String::from_utf8(common::read("examples/kustomize/blueprints.yaml")).unwrap(),
    );
    for (options, warned) in [
        ("", true),
        (", options: {disableNameSuffixHash: true}", false),
    ] {
        let app = kustomize_app("kustomize-pipe-secret", &["databases.yaml"]);
        let kustomization = app.join("kustomization.yaml");
        let mut text = std::fs::read_to_string(&kustomization).unwrap();
        text.push_str(&format!(
            "secretGenerator:\n- {{name: {secret}, namespace: shop, literals: [k=v]{options}}}\n"
        ));
        write(&kustomization, &text);
        let built = kubectl_kustomize(&app);
        let blueprints = format!("{}/blueprints/", app.display());
        let out = common::function(&["-", &blueprints], &built);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let warning = "with the hash kustomize's secretGenerator adds";
        assert_eq!(
            out.stderr.contains(warning),
            warned,
            "{options}: {}",
            out.stderr
        );
        assert!(
            !out.stderr.contains("is not in the input"),
            "{}",
            out.stderr
        );
    }
}

/// The old recipe, `kubectl kustomize <app> | stash-autobackup` with the local-config blueprint
/// listed under `resources:`: kustomize drops local-config objects from its output, so the
/// function never sees the blueprint. It fails loudly, naming the missing blueprint, with
/// nothing on stdout for `kubectl apply` to take. This is why the recipe gives the blueprints
/// beside stdin.
#[test]
fn kustomize_pipe_without_the_blueprints_fails_naming_the_missing_blueprint() {
    let app = kustomize_app(
        "kustomize-old-pipe",
        &["blueprints/postgres-daily.yaml", "databases.yaml"],
    );
    let built = kubectl_kustomize(&app);
    assert!(
        !String::from_utf8_lossy(&built).contains("kind: BackupBlueprint"),
        "kustomize drops local-config objects from its output"
    );
    let out = common::function(&[], &built);
    assert_ne!(out.code, 0, "{}", String::from_utf8_lossy(&out.stdout));
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

/// The shipped kpt example, rendered as its README says (`kpt fn render --allow-exec`), writes
/// the generated `databases/stash-*.yaml` files and changes no other file by a byte: not the
/// databases, not the blueprints, not the Kptfile, which kpt writes back on every render (issue
/// 14, item 10; kpt used to duplicate a comment block that followed the last mutator). A second
/// render changes nothing. The other examples are not rendered into files: `kubectl kustomize`
/// and the ArgoCD plugin print to stdout (tests/e2e.rs and tests/container.rs run them).
#[test]
fn shipped_kpt_example_renders_with_no_change_but_the_generated_files() {
    shipped_example_renders(
        "examples/kpt",
        &[
            "databases/stash-app-catalog.yaml",
            "databases/stash-app-orders.yaml",
        ],
    );
}

/// The same for the workloads example (issue 10): a StatefulSet and a claim.
#[test]
fn shipped_workloads_example_renders_with_no_change_but_the_generated_files() {
    shipped_example_renders(
        "examples/workloads",
        &[
            "apps/stash-pvc-shared-reports.yaml",
            "apps/stash-sts-uploads.yaml",
        ],
    );
}

/// The same for the KubeStash example (issue 11): two databases and a claim, one
/// BackupConfiguration each, in the blueprints' template namespace.
#[test]
fn shipped_kubestash_example_renders_with_no_change_but_the_generated_files() {
    shipped_example_renders(
        "examples/kubestash",
        &[
            "apps/kubestash-shop-appbinding-catalog.yaml",
            "apps/kubestash-shop-appbinding-orders.yaml",
            "apps/kubestash-shop-persistentvolumeclaim-uploads.yaml",
        ],
    );
}

/// Both families in one kpt package (issue 11): the KubeStash example, with the Stash example's
/// blueprints beside it and its Postgres `orders` annotated for Stash too. One render writes both
/// families' files, a second changes nothing; once `orders` loses its KubeStash annotations, the
/// next render prunes its KubeStash file and no Stash file.
#[test]
fn stash_and_kubestash_in_one_package_render_and_prune_apart() {
    let pkg = common::scratch("both-families");
    common::copy_tree("examples/kubestash", &pkg);
    common::copy_tree("examples/kpt/blueprints", &pkg.join("stash-blueprints"));
    let shop = pkg.join("apps/shop.yaml");
    let shipped_shop =
        String::from_utf8(common::read("examples/kubestash/apps/shop.yaml")).unwrap();
    let kubestash_orders = "    blueprint.kubestash.com/name: databases-nightly\n\
                            \x20   blueprint.kubestash.com/namespace: backup\n\
                            \x20   variables.kubestash.com/namespace: shop\n\
                            \x20   variables.kubestash.com/name: orders\n\
                            \x20   variables.kubestash.com/addon: postgres-addon\n";
    let stash = "    stash.appscode.com/backup-blueprint: postgres-daily\n";
    let both = shipped_shop.replacen(kubestash_orders, &format!("{kubestash_orders}{stash}"), 1);
    assert_ne!(
        both, shipped_shop,
        "examples/kubestash's orders has these annotations"
    );
    write(&shop, &both);
    let bin = common::bin_dir("both-families-bin");
    let before = common::snapshot(&pkg);

    render(&pkg, &bin, "first");
    let after_first = common::snapshot(&pkg);
    let added: Vec<String> = new_files(&before, &after_first)
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(
        added,
        [
            "apps/kubestash-shop-appbinding-catalog.yaml",
            "apps/kubestash-shop-appbinding-orders.yaml",
            "apps/kubestash-shop-persistentvolumeclaim-uploads.yaml",
            "apps/stash-app-orders.yaml",
        ],
        "both families' files"
    );
    render(&pkg, &bin, "second");
    let after_second = common::snapshot(&pkg);
    assert!(
        after_second == after_first,
        "the second render changed files:\n{}",
        changes(&after_first, &after_second).join("\n")
    );

    let stash_only = both.replacen(kubestash_orders, "", 1);
    write(&shop, &stash_only);
    render(&pkg, &bin, "third");
    let after_third = common::snapshot(&pkg);
    let mut expected = after_first.clone();
    expected.retain(|(p, _)| p != Path::new("apps/kubestash-shop-appbinding-orders.yaml"));
    for (path, bytes) in &mut expected {
        if path == Path::new("apps/shop.yaml") {
            *bytes = stash_only.clone().into_bytes();
        }
    }
    assert!(
        after_third == expected,
        "without its KubeStash annotations, only orders' KubeStash file goes:\n{}",
        changes(&expected, &after_third).join("\n")
    );
}

/// The kustomize pipe with KubeStash (issue 11): the local-config blueprints given beside stdin,
/// the storage objects and targets from kustomize; the output holds them and one
/// BackupConfiguration per target, and no blueprint.
#[test]
fn kustomize_pipe_generates_kubestash_backup_configurations() {
    let app = common::scratch("kustomize-kubestash");
    common::copy_tree("examples/kubestash", &app);
    std::fs::remove_file(app.join("Kptfile")).expect("no Kptfile");
    write(
        &app.join("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n\
         - backup/storage.yaml\n- apps/shop.yaml\n",
    );
    let built = kubectl_kustomize(&app);
    let blueprints = format!("{}/backup/blueprints.yaml", app.display());
    let out = common::function(&["-", &blueprints], &built);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let found = common::ids(&common::kubectl_objects(&out.stdout));
    // kustomize sorts objects by kind; the generated ones follow their targets.
    let mut generated: Vec<&String> = found
        .iter()
        .filter(|id| id.starts_with("BackupConfiguration "))
        .collect();
    generated.sort();
    assert_eq!(
        generated,
        [
            "BackupConfiguration backup/shop-appbinding-catalog",
            "BackupConfiguration backup/shop-appbinding-orders",
            "BackupConfiguration backup/shop-persistentvolumeclaim-uploads",
        ],
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        !found.iter().any(|id| id.starts_with("BackupBlueprint ")),
        "local-config blueprints stay out: {found:?}"
    );
}

/// Renders a copy of the kpt package `example` twice: the first render adds exactly `generated`
/// and changes no shipped file, the second changes nothing.
fn shipped_example_renders(example: &str, generated: &[&str]) {
    let name = example.replace('/', "-");
    let pkg = common::scratch(&name);
    common::copy_tree(example, &pkg);
    let shipped = common::snapshot(&pkg);
    let bin = common::bin_dir(&format!("{name}-bin"));

    render(&pkg, &bin, "first");
    let after_first = common::snapshot(&pkg);
    let changed: Vec<String> = changes(&shipped, &after_first)
        .into_iter()
        .filter(|c| !c.starts_with("new: "))
        .collect();
    assert!(
        changed.is_empty(),
        "the first render of {example} rewrote shipped files:\n{}",
        changed.join("\n")
    );
    let expected: Vec<PathBuf> = generated.iter().map(PathBuf::from).collect();
    assert_eq!(
        new_files(&shipped, &after_first),
        expected,
        "the render of {example} adds only the generated files"
    );

    render(&pkg, &bin, "second");
    let after_second = common::snapshot(&pkg);
    assert!(
        after_second == after_first,
        "the second render of {example} changed files:\n{}",
        changes(&after_first, &after_second).join("\n")
    );
}

/// A kpt package that is also a kustomize base, its storage Secret made by the kustomization's
/// secretGenerator (issue 12). kpt hands `kustomization.yaml` to the function as an item; the
/// render warns on the entry whose Secret kustomize will name with a hash, and `kubectl
/// kustomize` of the rendered package shows why: the Secret in `shop` gets a hash that the
/// generated Repository does not follow, while the entry with `disableNameSuffixHash` (in
/// `billing`) gives the very name the Repository there names, and no warning.
#[test]
fn kpt_package_that_is_a_kustomize_base_is_warned_of_a_secret_kustomize_renames() {
    let pkg = common::scratch("kpt-kustomize-secret-generator");
    let blueprint = String::from_utf8(common::read("examples/kustomize/blueprints.yaml")).unwrap();
    let orders = String::from_utf8(common::read("examples/kustomize/databases.yaml")).unwrap();
    write(
        &pkg.join("Kptfile"),
        "apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: app\npipeline:\n  mutators:\n  - exec: stash-autobackup\n",
    );
    write(&pkg.join("blueprints.yaml"), &blueprint);
    write(&pkg.join("shop.yaml"), &orders);
    write(&pkg.join("billing.yaml"), ORDERS_IN_BILLING);
    write(&pkg.join("credentials.env"), "AWS_ACCESS_KEY_ID=x\n");
    let secret = storage_secret(&blueprint);
    let kustomization = |resources: &[String]| {
        let mut text = String::from(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
        );
        for resource in resources {
            text.push_str(&format!("- {resource}\n"));
        }
        text.push_str(&format!(
            "secretGenerator:\n\
             - {{name: {secret}, namespace: shop, envs: [credentials.env]}}\n\
             - {{name: {secret}, namespace: billing, envs: [credentials.env], \
             options: {{disableNameSuffixHash: true}}}}\n"
        ));
        text
    };
    let mut resources = vec!["shop.yaml".to_owned(), "billing.yaml".to_owned()];
    write(&pkg.join("kustomization.yaml"), &kustomization(&resources));
    let bin = common::bin_dir("kpt-kustomize-secret-generator-bin");
    let out = render(&pkg, &bin, "first");
    let warnings: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("secretGenerator entry under another name"))
        .collect();
    assert_eq!(
        warnings.len(),
        1,
        "one warning, for shop's entry:\n{}",
        out.stderr
    );
    assert!(
        warnings[0].contains("namespace shop"),
        "the warning names the namespace: {}",
        warnings[0]
    );

    // What the warning is about, as kustomize builds the rendered package (its kustomization
    // now listing the generated files too).
    for entry in std::fs::read_dir(&pkg).expect("the package") {
        let name = entry
            .expect("an entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.starts_with("stash-") {
            resources.push(name);
        }
    }
    assert_eq!(
        resources.len(),
        4,
        "a generated file per database: {resources:?}"
    );
    write(&pkg.join("kustomization.yaml"), &kustomization(&resources));
    let built = common::kubectl_objects(&kubectl_kustomize(&pkg));
    let named = |kind: &str, namespace: &str| -> Vec<String> {
        built
            .iter()
            .filter(|o| o["kind"] == kind && o["metadata"]["namespace"] == namespace)
            .map(|o| {
                o["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    };
    let referenced = |namespace: &str| -> Vec<String> {
        built
            .iter()
            .filter(|o| o["kind"] == "Repository" && o["metadata"]["namespace"] == namespace)
            .map(|o| {
                o["spec"]["backend"]["storageSecretName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(referenced("shop"), std::slice::from_ref(&secret));
    let shop = named("Secret", "shop");
    assert!(
        shop.len() == 1 && shop[0].starts_with(&format!("{secret}-")),
        "kustomize hashes shop's Secret's name: {shop:?}"
    );
    assert_eq!(referenced("billing"), std::slice::from_ref(&secret));
    assert_eq!(named("Secret", "billing"), [secret]);
}
