//! kustomize bases and overlays (issue 19, item 7), with the real `kubectl kustomize` running the
//! function's real image as a container transformer through podman: where the transformer
//! belongs (above the renaming of each overlay, `examples/kustomize-overlays/`), what goes wrong
//! below it, and the shipped name references (`kustomize/stash-autobackup-names.yaml`) that let
//! kustomize follow our objects' references when it renames after the function. Every test here
//! waits for its tools to exit; nothing depends on timing.

mod common;

use std::path::{Path, PathBuf};

use common::image::{image, recording_engine};

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// A folder holding the `docker` kustomize calls to start a container transformer: it records
/// each call and hands it to the real podman, which runs the function's real image (built once
/// for this test process). It stands in for the engine's command line, never for the image.
fn transformer_engine(name: &str) -> PathBuf {
    let dir = common::scratch(name);
    recording_engine(&dir, "docker");
    dir
}

/// `kubectl kustomize --enable-alpha-plugins <dir>`, the function run as a container transformer
/// by the real image through [`transformer_engine`]'s `docker`; the whole output.
fn kustomize_with_the_function(dir: &Path, engine: &Path) -> common::Output {
    let mut command = image().tool("kubectl");
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
