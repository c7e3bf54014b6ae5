//! Stash v1beta1 (`stash.appscode.com`): cluster-scoped BackupBlueprints, and the targets
//! annotated with `stash.appscode.com/backup-blueprint` that get a Repository and a
//! BackupConfiguration from each blueprint they name.
//!
//! This folder owns Stash's vocabulary and rules, and may use the engine, the KRM layer and the
//! YAML layer; it never uses another family or the framings.

mod annotations;
mod blueprint;
mod checks;
mod describe;
mod generate;
mod naming;
mod render;
mod targets;
mod vars;

use std::sync::OnceLock;

use crate::engine::config::Config;
use crate::engine::family::{EarlierTarget, Family, Input};
use crate::engine::reconcile::Proposals;
use crate::engine::schema::Schemas;
use crate::krm::object::{GroupKind, ItemIndex};
use crate::krm::read::{Interest, Spec};
use crate::krm::{kpt, kustomize};
use crate::suggest::Keys;

/// Stash's API group: blueprints, and the objects generated from them.
pub const GROUP: &str = "stash.appscode.com";
pub const BLUEPRINT_API_VERSION: &str = "stash.appscode.com/v1beta1";
pub const BLUEPRINT_KIND: &str = "BackupBlueprint";
pub const REPOSITORY_API_VERSION: &str = "stash.appscode.com/v1alpha1";
pub const CONFIG_API_VERSION: &str = "stash.appscode.com/v1beta1";

/// The annotations on a target.
pub const BLUEPRINT_ANNOTATION: &str = "stash.appscode.com/backup-blueprint";
pub const SCHEDULE_ANNOTATION: &str = "stash.appscode.com/schedule";
pub const PARAM_PREFIX: &str = "params.stash.appscode.com/";
/// A workload's: what to back up, and the volumes that hold it.
pub const TARGET_PATHS_ANNOTATION: &str = "stash.appscode.com/target-paths";
pub const VOLUME_MOUNTS_ANNOTATION: &str = "stash.appscode.com/volume-mounts";
/// Every annotation key above, and Stash's domain: a key there that Stash does not read is a
/// mistake, but for the status the operator writes itself (`last-applied-backup-invoker`, …).
pub const KEYS: Keys = Keys {
    whole: &[
        BLUEPRINT_ANNOTATION,
        SCHEDULE_ANNOTATION,
        TARGET_PATHS_ANNOTATION,
        VOLUME_MOUNTS_ANNOTATION,
    ],
    prefixes: &[PARAM_PREFIX],
    domains: &["stash.appscode.com/"],
    bit: 1,
    others: &["stash.appscode.com/last-applied-"],
};

/// What each annotation's value is written as, for a message about one that is no string.
pub const FORMS: [(&str, &str); 5] = [
    (
        BLUEPRINT_ANNOTATION,
        "the blueprints' names, separated by commas: \"pg-daily,pg-weekly\"",
    ),
    (
        SCHEDULE_ANNOTATION,
        "a cron schedule in quotes: \"0 2 * * *\"",
    ),
    (
        TARGET_PATHS_ANNOTATION,
        "the paths, separated by commas: \"/data,/config\"",
    ),
    (
        VOLUME_MOUNTS_ANNOTATION,
        "volName:mountPath items, separated by commas: \"data:/data\"",
    ),
    (PARAM_PREFIX, "the parameter's value as one string"),
];

/// The schemas of Stash's CRDs (`crds/stash/`), compiled by `tests/crd.rs`: what the API
/// server checks a Repository, a BackupConfiguration and a blueprint against.
pub fn schemas() -> &'static Schemas {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        // The table is part of the build, and a unit test reads it.
        Schemas::parse(include_str!("../../../crds/stash/schemas.json"))
            .unwrap_or_else(|e| unreachable!("{e}"))
    })
}

/// Bitnami's SealedSecrets (a Secret of the SealedSecret's name) and the External Secrets
/// Operator's ExternalSecrets (a Secret named by `spec.target.name`, else the ExternalSecret's).
pub const SEALED_SECRETS_GROUP: &str = "bitnami.com";
pub const EXTERNAL_SECRETS_GROUP: &str = "external-secrets.io";

/// New files in a kpt package: `stash-<name>.yaml` beside the target.
pub const FILE_PREFIX: &str = "stash-";

use super::common::subjects::{APPBINDING_API_VERSION, APPBINDING_GROUP, KUBEDB_GROUP};

/// What Stash's auto-backup generates.
pub const GENERATED: [GroupKind; 2] = [
    GroupKind {
        group: GROUP,
        kind: "Repository",
    },
    GroupKind {
        group: GROUP,
        kind: "BackupConfiguration",
    },
];

/// The Stash family.
pub struct Stash;

impl Family for Stash {
    fn name(&self) -> &'static str {
        "Stash"
    }

    fn interest(&self) -> Interest {
        // A Kustomization's secretGenerator may make a Repository's storage Secret.
        kustomize::interest(Interest::default())
            .group(GROUP, Spec::Whole)
            // Of a database or an AppBinding only these fields are read.
            .group(KUBEDB_GROUP, Spec::Fields(vec!["type", "version"]))
            .group(APPBINDING_GROUP, Spec::Fields(vec!["type", "version"]))
            // A Repository's storage Secret, to say when it is missing; a SealedSecret or an
            // ExternalSecret makes one in the cluster.
            .kind("v1", "Secret")
            // A Secret kustomize renames after the function: the Repository would miss it.
            .keep_annotation(kpt::NEEDS_HASH_SUFFIX)
            .group(SEALED_SECRETS_GROUP, Spec::Nothing)
            .group(EXTERNAL_SECRETS_GROUP, Spec::Fields(vec!["target"]))
            // A workload or claim is a target by this annotation (on another object, to say it
            // is none); of a workload, the pod template's volumes, to check the volume mounts.
            .annotation(BLUEPRINT_ANNOTATION)
            .annotated_spec(
                BLUEPRINT_ANNOTATION,
                Spec::Fields(vec!["template", "volumeClaimTemplates"]),
            )
            // Any key of Stash's, to say what a stray one does, and whether earlier output is
            // still wanted.
            .family_annotations(KEYS)
            // Where new files go: an item already there keeps its place.
            .file_prefix(FILE_PREFIX)
    }

    fn generated(&self) -> &'static [GroupKind] {
        &GENERATED
    }

    fn collision_hint(&self) -> &'static str {
        "rename one target, or give the blueprints different backupNamespaces"
    }

    fn schemas(&self) -> &'static Schemas {
        schemas()
    }

    fn propose(&self, input: &Input<'_, '_>, config: &Config, out: &mut Proposals<'_, '_>) {
        generate::propose(input, config, out);
    }

    fn earlier_target(
        &self,
        input: &Input<'_, '_>,
        index: ItemIndex,
        default: Option<&str>,
    ) -> Option<EarlierTarget> {
        render::earlier_target(input, index, default)
    }

    fn retained(&self) -> &'static [GroupKind] {
        // The Repository holds the backups; the operator kept it too ("required for restore").
        &GENERATED[..1]
    }
}

#[cfg(test)]
mod tests {
    //! The Stash family at its boundary: items in, proposed objects and findings out.

    use super::*;
    use crate::engine::finding::FamilyId;
    use crate::engine::reconcile::{Generates, Reconciler};
    use crate::krm::changes::Appended;
    use crate::krm::read::yaml;
    use crate::yaml::emit::Value;

    const BLUEPRINT: &str = "\
- apiVersion: stash.appscode.com/v1beta1
  kind: BackupBlueprint
  metadata: {name: daily, annotations: {config.kubernetes.io/local-config: 'true'}}
  spec:
    backend: {gcs: {bucket: b, prefix: '${TARGET_NAMESPACE}/${TARGET_NAME}'}, storageSecretName: s}
    schedule: '0 2 * * *'
    retentionPolicy: {name: keep, keepLast: 5, prune: true}
";

    /// Runs the family on `items` (YAML block sequence entries): the objects written
    /// (`Kind namespace/name`) and the result messages.
    fn propose(items: &str) -> (Vec<String>, Vec<String>) {
        let src =
            format!("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{items}");
        let family = Stash;
        let interest = family.interest();
        let read = yaml::read(&src, &interest).unwrap();
        let objects = read.items();
        let generates = [Generates {
            name: family.name(),
            kinds: family.generated(),
            retained: family.retained(),
            collision_hint: family.collision_hint(),
        }];
        let mut write = |value: &Value<'_>, _: &[&str]| {
            let text =
                |v: Option<&Value<'_>>| v.and_then(Value::scalar).unwrap_or_default().into_owned();
            let metadata = value.get("metadata");
            format!(
                "{} {}/{}",
                text(value.get("kind")),
                text(metadata.and_then(|m| m.get("namespace"))),
                text(metadata.and_then(|m| m.get("name"))),
            )
        };
        let config = Config::default();
        let mut reconciler = Reconciler::new(
            &read.tree,
            objects,
            &generates,
            &config,
            false,
            &mut write,
            Vec::new(),
        );
        let input = Input::new(&read.tree, objects, interest);
        family.propose(&input, &config, &mut reconciler.proposals(FamilyId(0)));
        let finished = reconciler.finish();
        let changes = finished.changes;
        let written = changes
            .append
            .into_iter()
            .filter_map(|a| match a {
                Appended::Written(text) => Some(text),
                Appended::Kept(_) => None,
            })
            .collect();
        let messages = finished.findings.iter().map(|f| f.message()).collect();
        (written, messages)
    }

    #[test]
    fn targets_blueprints_and_findings() {
        let cases: [(&str, String, &[&str], &[&str]); 8] = [
            (
                "a database gets a Repository and a BackupConfiguration",
                format!("{BLUEPRINT}- {{apiVersion: kubedb.com/v1, kind: Postgres, metadata: {{name: orders, namespace: shop, annotations: {{stash.appscode.com/backup-blueprint: daily}}}}}}\n- {{apiVersion: v1, kind: Secret, metadata: {{name: s, namespace: shop}}}}\n"),
                &["Repository shop/app-orders", "BackupConfiguration shop/app-orders"],
                &[],
            ),
            (
                "a database and its AppBinding are one target",
                format!("{BLUEPRINT}- {{apiVersion: appcatalog.appscode.com/v1alpha1, kind: AppBinding, metadata: {{name: orders, namespace: shop}}, spec: {{type: kubedb.com/postgres}}}}\n- {{apiVersion: kubedb.com/v1, kind: Postgres, metadata: {{name: orders, namespace: shop, annotations: {{stash.appscode.com/backup-blueprint: daily}}}}}}\n"),
                &["Repository shop/app-orders", "BackupConfiguration shop/app-orders"],
                &["Secret `s` (spec.backend.storageSecretName of blueprint `daily`) is not in"],
            ),
            (
                "a missing blueprint is an error on the target",
                "- {apiVersion: kubedb.com/v1, kind: MySQL, metadata: {name: m, namespace: n, annotations: {stash.appscode.com/backup-blueprint: nope}}}\n".to_owned(),
                &[],
                &["BackupBlueprint `nope` not found"],
            ),
            (
                "a Deployment with only the blueprint annotation gets nothing, and a warning",
                format!("{BLUEPRINT}- {{apiVersion: apps/v1, kind: Deployment, metadata: {{name: web, namespace: n, annotations: {{stash.appscode.com/backup-blueprint: daily}}}}}}\n"),
                &[],
                &["a Deployment is backed up only with all three of"],
            ),
            (
                "a target without a namespace gets nothing, and a warning",
                format!("{BLUEPRINT}- {{apiVersion: kubedb.com/v1, kind: Redis, metadata: {{name: cache, annotations: {{stash.appscode.com/backup-blueprint: daily}}}}}}\n"),
                &[],
                &["no metadata.namespace"],
            ),
            (
                "the first blueprint keeps the one-blueprint name, the others add theirs",
                format!("{BLUEPRINT}{}- {{apiVersion: kubedb.com/v1, kind: MongoDB, metadata: {{name: docs, namespace: n, annotations: {{stash.appscode.com/backup-blueprint: 'daily, weekly'}}}}}}\n", BLUEPRINT.replace("daily", "weekly")),
                &["Repository n/app-docs", "BackupConfiguration n/app-docs", "Repository n/app-docs-weekly", "BackupConfiguration n/app-docs-weekly"],
                &["Secret `s`"],
            ),
            (
                "an unknown variable is an error on the blueprint",
                format!("{}- {{apiVersion: kubedb.com/v1, kind: MariaDB, metadata: {{name: m, namespace: n, annotations: {{stash.appscode.com/backup-blueprint: daily}}}}}}\n", BLUEPRINT.replace("TARGET_NAME}", "TARGET_PATH}")),
                &[],
                &["unknown variable ${TARGET_PATH}; the known ones are TARGET_API_VERSION"],
            ),
            (
                "a schedule Kubernetes would refuse is an error on the annotation",
                format!("{BLUEPRINT}- {{apiVersion: kubedb.com/v1, kind: MySQL, metadata: {{name: m, namespace: n, annotations: {{stash.appscode.com/backup-blueprint: daily, stash.appscode.com/schedule: '61 * * * *'}}}}}}\n"),
                &[],
                &["schedule `61 * * * *` is not valid for a Kubernetes CronJob"],
            ),
        ];
        for (name, items, objects, messages) in cases {
            let (written, results) = propose(&items);
            assert_eq!(written, objects, "{name}");
            assert_eq!(results.len(), messages.len(), "{name}: {results:#?}");
            for (got, want) in results.iter().zip(messages) {
                assert!(
                    got.starts_with(want),
                    "{name}: {got:?} should start {want:?}"
                );
            }
        }
    }
}
