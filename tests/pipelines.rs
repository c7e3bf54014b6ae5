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

/// The image the kustomize examples name in their `container:` transformer.
fn function_image() -> String {
    format!("localhost/stash-autobackup:{}", env!("CARGO_PKG_VERSION"))
}

/// A folder holding a `docker` for `kubectl kustomize --enable-alpha-plugins` (issue 19, item 7).
/// kustomize starts a container transformer with `docker run … <image>`; this answers that call
/// for the function's image with this build's binary, which is what the image holds
/// (tests/container.rs runs the real image through podman and checks that it prints what the
/// binary prints). What the tests below check is kustomize's part: when it runs the transformer,
/// and which names it fixes after it. Any other call of `docker` fails the build, so a stale
/// image tag in an example fails too.
fn transformer_engine(name: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = common::scratch(name);
    let docker = dir.join("docker");
    write(
        &docker,
        &format!(
            "#!/bin/sh\n\
             for last; do :; done\n\
             if [ \"$1\" != run ] || [ \"$last\" != '{image}' ]; then\n\
             \x20 echo \"docker stand-in: not a run of {image}: $*\" >&2\n\
             \x20 exit 2\n\
             fi\n\
             exec '{binary}'\n",
            image = function_image(),
            binary = env!("CARGO_BIN_EXE_stash-autobackup"),
        ),
    );
    std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

/// `kubectl kustomize --enable-alpha-plugins <dir>`, the function run as a container transformer
/// by [`transformer_engine`]'s `docker`; the whole output.
fn kustomize_with_the_function(dir: &Path, engine: &Path) -> common::Output {
    let mut command = common::tool("kubectl");
    command
        .args(["kustomize", "--enable-alpha-plugins"])
        .arg(dir)
        .env("PATH", common::path_with(engine));
    common::run_command(&mut command, b"")
}

/// [`kustomize_with_the_function`], exit 0 required: the objects it prints, as kubectl reads them.
fn built_with_the_function(dir: &Path, engine: &Path) -> Vec<serde_json::Value> {
    let out = kustomize_with_the_function(dir, engine);
    assert_eq!(
        out.code,
        0,
        "kubectl kustomize --enable-alpha-plugins {}: {}",
        dir.display(),
        out.stderr
    );
    common::kubectl_objects(&out.stdout)
}

/// A string field of a JSON object, or "".
fn string_at<'a>(value: &'a serde_json::Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_default()
}

/// The object of `kind` named `name` in `namespace`, if the build holds one. For `AppBinding` a
/// KubeDB database of that name stands in: KubeDB makes the AppBinding from the database, under
/// its name, and a Stash target's ref names that AppBinding.
fn holds(objects: &[serde_json::Value], kind: &str, namespace: &str, name: &str) -> bool {
    objects.iter().any(|o| {
        let meta = &o["metadata"];
        let database = string_at(o, "apiVersion").starts_with("kubedb.com/");
        (string_at(o, "kind") == kind || (kind == "AppBinding" && database))
            && string_at(meta, "namespace") == namespace
            && string_at(meta, "name") == name
    })
}

/// Every reference of a built set's Stash and KubeStash objects that names no object of the set,
/// one line each (none when every reference finds its object): a Stash BackupConfiguration's
/// `spec.repository` and `spec.target.ref`, a KubeStash BackupConfiguration's `spec.target` and
/// its backends' `storageRef` and `retentionPolicy`; with `secrets`, also a Repository's
/// `spec.backend.storageSecretName` and a KubeStash repository's `encryptionSecret`. A
/// reference without a namespace means the referrer's.
fn dangling(objects: &[serde_json::Value], secrets: bool) -> Vec<String> {
    let mut out = Vec::new();
    for o in objects {
        let (kind, api) = (string_at(o, "kind"), string_at(o, "apiVersion"));
        let namespace = string_at(&o["metadata"], "namespace");
        let me = format!("{kind} {namespace}/{}", string_at(&o["metadata"], "name"));
        let mut check = |field: &str, reference: &serde_json::Value, kind: &str| {
            let ns = Some(string_at(reference, "namespace"))
                .filter(|ns| !ns.is_empty())
                .unwrap_or(namespace);
            let name = reference
                .as_str()
                .unwrap_or_else(|| string_at(reference, "name"));
            if !holds(objects, kind, ns, name) {
                out.push(format!(
                    "{me}: {field} names {kind} {ns}/{name}, not in the build"
                ));
            }
        };
        let spec = &o["spec"];
        match (kind, api) {
            ("BackupConfiguration", "stash.appscode.com/v1beta1") => {
                check("spec.repository", &spec["repository"], "Repository");
                let target = &spec["target"]["ref"];
                check("spec.target.ref", target, string_at(target, "kind"));
            }
            ("Repository", "stash.appscode.com/v1alpha1") if secrets => {
                let secret = &spec["backend"]["storageSecretName"];
                check("spec.backend.storageSecretName", secret, "Secret");
            }
            ("BackupConfiguration", "core.kubestash.com/v1alpha1") => {
                check(
                    "spec.target",
                    &spec["target"],
                    string_at(&spec["target"], "kind"),
                );
                for backend in spec["backends"].as_array().into_iter().flatten() {
                    for (field, kind) in [
                        ("storageRef", "BackupStorage"),
                        ("retentionPolicy", "RetentionPolicy"),
                    ] {
                        let field_path = format!("spec.backends[].{field}");
                        check(&field_path, &backend[field], kind);
                    }
                }
                let sessions = spec["sessions"].as_array().into_iter().flatten();
                for session in sessions.filter(|_| secrets) {
                    for repository in session["repositories"].as_array().into_iter().flatten() {
                        let secret = &repository["encryptionSecret"];
                        check("encryptionSecret", secret, "Secret");
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Where the Stash Repositories of a built set write: `<provider>://<bucket>/<prefix>` each.
fn backup_locations(objects: &[serde_json::Value]) -> std::collections::BTreeSet<String> {
    objects
        .iter()
        .filter(|o| {
            string_at(o, "kind") == "Repository" && string_at(o, "apiVersion").starts_with("stash.")
        })
        .map(|o| {
            let backend = o["spec"]["backend"].as_object().expect("a backend");
            let (provider, place) = backend
                .iter()
                .find(|(key, _)| *key != "storageSecretName")
                .expect("a provider");
            format!(
                "{provider}://{}/{}",
                string_at(place, "bucket"),
                string_at(place, "prefix")
            )
        })
        .collect()
}

/// The object of `kind` named `name` in a built set.
fn named<'a>(objects: &'a [serde_json::Value], kind: &str, name: &str) -> &'a serde_json::Value {
    objects
        .iter()
        .find(|o| string_at(o, "kind") == kind && string_at(&o["metadata"], "name") == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {:?}", common::ids(objects)))
}

const OVERLAYS: [&str; 2] = ["prod", "staging"];

/// The shipped examples/kustomize-overlays, built as its README section says (issue 19, item 7):
/// each overlay renames the app (namespace shop-<env>, prefix <env>-) one level below the
/// backup component, so the function runs on the final names. In both overlays the
/// BackupConfigurations name their Repository and their target as the build has them, and the
/// two overlays back up to different places.
#[test]
fn kustomize_overlays_example_backs_each_overlay_up_under_its_final_names() {
    let engine = transformer_engine("kustomize-overlays-engine");
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kustomize-overlays");
    let mut places = Vec::new();
    for env in OVERLAYS {
        let built = built_with_the_function(&example.join("overlays").join(env), &engine);
        let mut ids = common::ids(&built);
        ids.sort();
        let ns = format!("shop-{env}");
        assert_eq!(
            ids,
            [
                format!("BackupConfiguration {ns}/app-{env}-orders"),
                format!("BackupConfiguration {ns}/pvc-{env}-uploads"),
                format!("PersistentVolumeClaim {ns}/{env}-uploads"),
                format!("Postgres {ns}/{env}-orders"),
                format!("Repository {ns}/app-{env}-orders"),
                format!("Repository {ns}/pvc-{env}-uploads"),
            ],
            "{env}: the app under its final names, and a pair for each target"
        );
        for (name, target) in [
            (format!("app-{env}-orders"), format!("{env}-orders")),
            (format!("pvc-{env}-uploads"), format!("{env}-uploads")),
        ] {
            let spec = &named(&built, "BackupConfiguration", &name)["spec"];
            assert_eq!(spec["repository"]["name"], name.as_str(), "{env}: {spec:#}");
            assert_eq!(
                spec["target"]["ref"]["name"],
                target.as_str(),
                "{env}: {spec:#}"
            );
        }
        assert_eq!(dangling(&built, false), Vec::<String>::new(), "{env}");
        let found = backup_locations(&built);
        assert_eq!(
            found,
            [
                format!("gcs://acme-file-backups/{ns}/persistentvolumeclaim/{env}-uploads"),
                format!("s3://acme-db-backups/{ns}/postgres/{env}-orders"),
            ]
            .into(),
            "{env}: the blueprints' prefixes from the final names"
        );
        places.push(found);
    }
    assert!(
        places[0].is_disjoint(&places[1]),
        "prod and staging back up to different places: {places:?}"
    );
}

/// A scratch copy of examples/kustomize-overlays, at `examples/kustomize-overlays` in the
/// returned folder beside a copy of `kustomize/` (which its backup component includes).
fn overlays_copy(name: &str) -> PathBuf {
    let root = common::scratch(name);
    common::copy_tree("kustomize", &root.join("kustomize"));
    let example = root.join("examples/kustomize-overlays");
    common::copy_tree("examples/kustomize-overlays", &example);
    example
}

/// Removes the shipped name references from the copy's backup component.
fn without_names_configuration(example: &Path) {
    let component = example.join("backup/kustomization.yaml");
    let text = std::fs::read_to_string(&component).expect("the backup component");
    let without = text.replace("components:\n- ../../../kustomize\n", "");
    assert_ne!(
        without, text,
        "the backup component includes ../../../kustomize"
    );
    write(&component, &without);
}

/// The copy laid out as issue 19 found it: each overlay sets `namespace:` and `namePrefix:` over
/// the base, and the backup component is included by the base (`in_base`) or by the overlay
/// itself, beside its namespace and prefix.
fn transformer_below_the_renaming(example: &Path, in_base: bool) {
    if in_base {
        let base = example.join("base/kustomization.yaml");
        let mut text = std::fs::read_to_string(&base).expect("the base");
        text.push_str("components:\n- ../backup\n");
        write(&base, &text);
    }
    for env in OVERLAYS {
        let component = if in_base {
            ""
        } else {
            "components:\n- ../../backup\n"
        };
        write(
            &example
                .join("overlays")
                .join(env)
                .join("kustomization.yaml"),
            &format!(
                "resources:\n- ../../base\nnamespace: shop-{env}\nnamePrefix: {env}-\n{component}"
            ),
        );
    }
}

/// What each overlay of `example` builds to: its dangling references and its backup places.
fn overlay_outcomes(
    example: &Path,
    engine: &Path,
) -> Vec<(Vec<String>, std::collections::BTreeSet<String>)> {
    OVERLAYS
        .iter()
        .map(|env| {
            let built = built_with_the_function(&example.join("overlays").join(env), engine);
            (dangling(&built, false), backup_locations(&built))
        })
        .collect()
}

/// The failing variant of the test above (issue 19, item 7): the same app and blueprints with
/// the function below the overlays' renaming, as the issue had it. In the base, without the
/// name references, kustomize renames the Repository after the function but not
/// `spec.repository.name` or `spec.target.ref.name`, and both overlays back up into the base's
/// prefix `shop/…`: one restic repository for prod and staging. The shipped name references
/// fix the references but not the prefix, which the function wrote from the base's names; and a
/// component beside the overlay's `namespace:`/`namePrefix:` runs before them, so it is no
/// better than the base. With the function in the overlay's own `transformers:`, after the
/// renaming, the blueprints come through the renaming too and are not found.
#[test]
fn kustomize_transformer_below_the_overlays_renaming_breaks_references_and_shares_a_prefix() {
    let engine = transformer_engine("kustomize-below-engine");
    let shared: std::collections::BTreeSet<String> = [
        "gcs://acme-file-backups/shop/persistentvolumeclaim/uploads".to_owned(),
        "s3://acme-db-backups/shop/postgres/orders".to_owned(),
    ]
    .into();

    let example = overlays_copy("kustomize-in-base");
    without_names_configuration(&example);
    transformer_below_the_renaming(&example, true);
    for (env, (dangling, places)) in OVERLAYS.iter().zip(overlay_outcomes(&example, &engine)) {
        let ns = format!("shop-{env}");
        assert!(
            dangling.contains(&format!(
                "BackupConfiguration {ns}/{env}-app-orders: spec.repository names Repository \
                 {ns}/app-orders, not in the build"
            )) && dangling.contains(&format!(
                "BackupConfiguration {ns}/{env}-app-orders: spec.target.ref names AppBinding \
                 {ns}/orders, not in the build"
            )),
            "{env}: the base's names stay in the references: {dangling:#?}"
        );
        assert_eq!(places, shared, "{env}: the base's prefixes");
    }

    let example = overlays_copy("kustomize-in-base-with-names");
    transformer_below_the_renaming(&example, true);
    for (env, (dangling, places)) in OVERLAYS.iter().zip(overlay_outcomes(&example, &engine)) {
        assert_eq!(dangling, Vec::<String>::new(), "{env}: references followed");
        assert_eq!(places, shared, "{env}: but still the base's prefixes");
    }

    let example = overlays_copy("kustomize-component-beside-renaming");
    transformer_below_the_renaming(&example, false);
    for (env, (dangling, places)) in OVERLAYS.iter().zip(overlay_outcomes(&example, &engine)) {
        assert_eq!(dangling, Vec::<String>::new(), "{env}");
        assert_eq!(
            places, shared,
            "{env}: the component ran before the renaming"
        );
    }

    // kustomize reads no file outside a kustomization's folder: the blueprints move to the
    // base, the function's config to the overlay.
    let example = overlays_copy("kustomize-in-overlay-transformers");
    let backup = example.join("backup");
    std::fs::rename(
        backup.join("blueprints.yaml"),
        example.join("base/blueprints.yaml"),
    )
    .expect("move the blueprints");
    let base = example.join("base/kustomization.yaml");
    let mut text = std::fs::read_to_string(&base).expect("the base");
    text.push_str("- blueprints.yaml\n");
    write(&base, &text);
    let prod = example.join("overlays/prod");
    std::fs::rename(
        backup.join("stash-autobackup.yaml"),
        prod.join("stash-autobackup.yaml"),
    )
    .expect("move the function's config");
    write(
        &prod.join("kustomization.yaml"),
        "resources:\n- ../../base\nnamespace: shop-prod\nnamePrefix: prod-\n\
         transformers:\n- stash-autobackup.yaml\n",
    );
    let out = kustomize_with_the_function(&prod, &engine);
    assert_ne!(out.code, 0, "{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.stderr
            .contains("BackupBlueprint `postgres-daily` not found"),
        "the blueprint is prod-postgres-daily by then: {}",
        out.stderr
    );
}

/// When kustomize renames after the function, in the recipe's layout too (issue 19, item 7):
/// prod's storage Secrets come from a secretGenerator in its app/ (kustomize adds their hash
/// after every transformer), and a further overlay, eu/, prefixes the whole of prod with `eu-`.
/// With the shipped name references each Repository names its Secret as the build has it and
/// every reference of eu's BackupConfigurations follows the prefix; without them the Secrets and
/// eu's references dangle.
#[test]
fn kustomize_names_configuration_follows_a_secret_generators_hash_and_a_later_prefix() {
    let engine = transformer_engine("kustomize-names-engine");
    for with_names in [true, false] {
        let example = overlays_copy(&format!("kustomize-names-{with_names}"));
        if !with_names {
            without_names_configuration(&example);
        }
        let app = example.join("overlays/prod/app/kustomization.yaml");
        let mut kustomization = std::fs::read_to_string(&app).expect("prod's app");
        kustomization.push_str(
            "secretGenerator:\n\
             - {name: s3-backup-credentials, literals: [AWS_ACCESS_KEY_ID=x]}\n\
             - {name: gcs-backup-credentials, literals: [GOOGLE_PROJECT_ID=x]}\n",
        );
        write(&app, &kustomization);
        write(
            &example.join("eu/kustomization.yaml"),
            "resources:\n- ../overlays/prod\nnamePrefix: eu-\n",
        );

        let prod = built_with_the_function(&example.join("overlays/prod"), &engine);
        let eu = built_with_the_function(&example.join("eu"), &engine);
        for (built, eu_prefix) in [(&prod, ""), (&eu, "eu-")] {
            let repository = named(built, "Repository", &format!("{eu_prefix}app-prod-orders"));
            let secret = string_at(&repository["spec"]["backend"], "storageSecretName");
            let dangling = dangling(built, true);
            if with_names {
                assert!(
                    secret.starts_with(&format!("{eu_prefix}prod-s3-backup-credentials-")),
                    "{eu_prefix}prod: the generated Secret's name, hash included: {secret}"
                );
                assert_eq!(dangling, Vec::<String>::new(), "{eu_prefix}prod");
            } else {
                assert_eq!(secret, "s3-backup-credentials", "{eu_prefix}prod");
                assert!(
                    dangling.iter().any(|d| d.contains(
                        "spec.backend.storageSecretName names Secret shop-prod/s3-backup-credentials,"
                    )),
                    "{eu_prefix}prod: {dangling:#?}"
                );
            }
        }
        if !with_names {
            let dangling = dangling(&eu, false);
            assert!(
                dangling.contains(
                    &"BackupConfiguration shop-prod/eu-app-prod-orders: spec.repository names \
                      Repository shop-prod/app-prod-orders, not in the build"
                        .to_owned()
                ),
                "{dangling:#?}"
            );
        }
    }
}

/// The KubeStash example as a kustomize base (issue 19, item 7): its databases, claim, storage
/// and blueprints, the function as a transformer, the restic password from a secretGenerator and
/// the shipped name references. The BackupConfigurations (in `backup`) name their targets (in
/// `shop`), the BackupStorage, the RetentionPolicy and the hashed Secret as the build has them.
/// A further overlay that moves everything into `eu` and prefixes it `eu-` is followed in every
/// reference, namespaces included; one that only prefixes is followed within `backup`, but not
/// into `shop`: kustomize fixes a reference only between objects of one namespace. Without the
/// name references, the overlay leaves every reference dangling.
#[test]
fn kustomize_names_configuration_follows_kubestash_references() {
    let engine = transformer_engine("kustomize-kubestash-engine");
    for with_names in [true, false] {
        let root = common::scratch(&format!("kustomize-kubestash-names-{with_names}"));
        common::copy_tree("kustomize", &root.join("kustomize"));
        let base = root.join("base");
        common::copy_tree("examples/kubestash", &base);
        std::fs::remove_file(base.join("Kptfile")).expect("no Kptfile");
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples/kustomize-overlays/backup/stash-autobackup.yaml"),
            base.join("stash-autobackup.yaml"),
        )
        .expect("the function's config");
        let names = if with_names {
            "components:\n- ../kustomize\n"
        } else {
            ""
        };
        write(
            &base.join("kustomization.yaml"),
            &format!(
                "resources:\n- apps/shop.yaml\n- backup/storage.yaml\n- backup/blueprints.yaml\n\
                 secretGenerator:\n\
                 - {{name: restic-password, namespace: backup, literals: [RESTIC_PASSWORD=x]}}\n\
                 transformers:\n- stash-autobackup.yaml\n{names}"
            ),
        );
        write(
            &root.join("eu/kustomization.yaml"),
            "resources:\n- ../base\nnamespace: eu\nnamePrefix: eu-\n",
        );
        write(
            &root.join("prefixed/kustomization.yaml"),
            "resources:\n- ../base\nnamePrefix: eu-\n",
        );

        let configurations = |built: &[serde_json::Value]| {
            built
                .iter()
                .filter(|o| string_at(o, "apiVersion").starts_with("core.kubestash.com/"))
                .count()
        };
        let built = built_with_the_function(&base, &engine);
        assert_eq!(configurations(&built), 3, "{:?}", common::ids(&built));
        let dangling_in_base = dangling(&built, true);
        let eu = built_with_the_function(&root.join("eu"), &engine);
        let dangling_in_eu = dangling(&eu, true);
        let prefixed = built_with_the_function(&root.join("prefixed"), &engine);
        let dangling_prefixed = dangling(&prefixed, true);
        if with_names {
            assert_eq!(dangling_in_base, Vec::<String>::new(), "the Secret's hash");
            assert_eq!(dangling_in_eu, Vec::<String>::new(), "eu");
            let target =
                &named(&eu, "BackupConfiguration", "eu-shop-appbinding-orders")["spec"]["target"];
            assert_eq!(
                (string_at(target, "namespace"), string_at(target, "name")),
                ("eu", "eu-orders")
            );
            assert_eq!(dangling_prefixed.len(), 3, "{dangling_prefixed:#?}");
            assert!(
                dangling_prefixed
                    .iter()
                    .all(|d| d.contains(": spec.target names ") && d.contains(" shop/")),
                "only the references into another namespace dangle: {dangling_prefixed:#?}"
            );
        } else {
            assert!(
                dangling_in_base
                    .iter()
                    .all(|d| d.contains("encryptionSecret"))
                    && dangling_in_base.len() == 3,
                "the Secret's hash is not followed: {dangling_in_base:#?}"
            );
            for field in [
                "spec.target",
                "storageRef",
                "retentionPolicy",
                "encryptionSecret",
            ] {
                assert!(
                    dangling_in_eu.iter().any(|d| d.contains(field)),
                    "{field}: {dangling_in_eu:#?}"
                );
            }
        }
    }
}

/// Stash's cross-namespace pairs (issue 19, item 7): with `backupNamespace: stash-backups` the
/// BackupConfiguration names its Repository and its target with their namespaces. The function
/// runs in a base with the shipped name references; an overlay that moves everything into `eu`
/// and prefixes it `eu-` is followed in names and namespaces. One that only prefixes is followed
/// within `stash-backups` (the Repository), not into `shop` (the targets).
#[test]
fn kustomize_names_configuration_follows_stash_references_across_namespaces() {
    let engine = transformer_engine("kustomize-stash-namespaces-engine");
    let example = overlays_copy("kustomize-stash-namespaces");
    let blueprints = example.join("backup/blueprints.yaml");
    let text = std::fs::read_to_string(&blueprints).expect("the blueprints");
    let moved = text.replace("spec:\n", "spec:\n  backupNamespace: stash-backups\n");
    assert_eq!(moved.matches("backupNamespace").count(), 2, "{moved}");
    write(&blueprints, &moved);
    let base = example.join("base/kustomization.yaml");
    let mut kustomization = std::fs::read_to_string(&base).expect("the base");
    kustomization.push_str("components:\n- ../backup\n");
    write(&base, &kustomization);
    write(
        &example.join("eu/kustomization.yaml"),
        "resources:\n- ../base\nnamespace: eu\nnamePrefix: eu-\n",
    );
    write(
        &example.join("prefixed/kustomization.yaml"),
        "resources:\n- ../base\nnamePrefix: eu-\n",
    );

    let built = built_with_the_function(&example.join("base"), &engine);
    let spec = &named(&built, "BackupConfiguration", "shop-app-orders")["spec"];
    assert_eq!(spec["repository"]["namespace"], "stash-backups", "{spec:#}");
    assert_eq!(spec["target"]["ref"]["namespace"], "shop", "{spec:#}");
    assert_eq!(dangling(&built, false), Vec::<String>::new());

    let eu = built_with_the_function(&example.join("eu"), &engine);
    assert_eq!(dangling(&eu, false), Vec::<String>::new());
    let spec = &named(&eu, "BackupConfiguration", "eu-shop-app-orders")["spec"];
    let reference =
        |r: &serde_json::Value| format!("{}/{}", string_at(r, "namespace"), string_at(r, "name"));
    assert_eq!(reference(&spec["repository"]), "eu/eu-shop-app-orders");
    assert_eq!(reference(&spec["target"]["ref"]), "eu/eu-orders");

    let prefixed = built_with_the_function(&example.join("prefixed"), &engine);
    let dangling = dangling(&prefixed, false);
    assert_eq!(
        dangling,
        [
            "BackupConfiguration stash-backups/eu-shop-app-orders: spec.target.ref names \
             AppBinding shop/orders, not in the build",
            "BackupConfiguration stash-backups/eu-shop-pvc-uploads: spec.target.ref names \
             PersistentVolumeClaim shop/uploads, not in the build",
        ],
        "the Repository is followed, the targets in shop are not"
    );
}
