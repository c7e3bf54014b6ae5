//! KubeStash (`core.kubestash.com`), Stash's successor: namespaced BackupBlueprints, and the
//! targets annotated with `blueprint.kubestash.com/name` and `/namespace` that get one
//! BackupConfiguration each (docs/spec-kubestash.md).
//!
//! A sibling of the Stash family: it owns KubeStash's vocabulary and rules, uses the engine, the
//! KRM and YAML layers and `families::common`, and never the Stash family or a framing. The two
//! act on their own annotations in one run, and each prunes only the kinds it generates.

mod annotations;
mod blueprint;
mod checks;
mod describe;
mod generate;
mod naming;
mod referenced;
mod render;
mod targets;
mod usage;
mod vars;

use std::sync::OnceLock;

use crate::engine::config::Config;
use crate::engine::family::{EarlierTarget, Family, Input};
use crate::engine::reconcile::Proposals;
use crate::engine::schema::Schemas;
use crate::families::common::subjects::{APPBINDING_GROUP, KUBEDB_GROUP};
use crate::krm::object::{GroupKind, ItemIndex};
use crate::krm::read::{Interest, Spec};
use crate::suggest::Keys;

/// KubeStash's API group: blueprints, and the BackupConfigurations made from them.
pub const GROUP: &str = "core.kubestash.com";
pub const API_VERSION: &str = "core.kubestash.com/v1alpha1";
pub const BLUEPRINT_KIND: &str = "BackupBlueprint";
/// Where a blueprint keeps the BackupConfiguration it makes.
pub const TEMPLATE: &str = "spec.backupConfigurationTemplate";
/// BackupStorages and RetentionPolicies, which a backend names (a `default: true` one fills in
/// what a backend leaves out, and a usage policy says which namespaces may name one).
pub const STORAGE_GROUP: &str = "storage.kubestash.com";

/// The schemas of KubeStash's CRDs (`crds/kubestash/`), compiled by `tests/crd.rs`: what the
/// API server checks a BackupConfiguration and a blueprint against.
pub fn schemas() -> &'static Schemas {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        // The table is part of the build, and a unit test reads it.
        Schemas::parse(include_str!("../../../crds/kubestash/schemas.json"))
            .unwrap_or_else(|e| unreachable!("{e}"))
    })
}

/// The annotations on a target.
pub const NAME_ANNOTATION: &str = "blueprint.kubestash.com/name";
pub const NAMESPACE_ANNOTATION: &str = "blueprint.kubestash.com/namespace";
pub const SESSION_NAMES_ANNOTATION: &str = "blueprint.kubestash.com/session-names";
/// The name of `session-names` before KubeStash v2024.4.27.
pub const LEGACY_SESSIONS_ANNOTATION: &str = "blueprint.kubestash.com/sessions";
pub const VARIABLE_PREFIX: &str = "variables.kubestash.com/";
/// Every annotation key above, and KubeStash's blueprint domain: a key there that KubeStash does
/// not read is a mistake.
pub const KEYS: Keys = Keys {
    whole: &[
        NAME_ANNOTATION,
        NAMESPACE_ANNOTATION,
        SESSION_NAMES_ANNOTATION,
        LEGACY_SESSIONS_ANNOTATION,
    ],
    prefixes: &[VARIABLE_PREFIX],
    domains: &["blueprint.kubestash.com/"],
    bit: 2,
    others: &[],
};

/// What each annotation's value is written as, for a message about one that is no string.
pub const FORMS: [(&str, &str); 5] = [
    (NAME_ANNOTATION, "the BackupBlueprint's name: \"daily\""),
    (
        NAMESPACE_ANNOTATION,
        "the BackupBlueprint's namespace: \"backup\"",
    ),
    (
        SESSION_NAMES_ANNOTATION,
        "the sessions' names, separated by commas: \"nightly,hourly\"",
    ),
    (
        LEGACY_SESSIONS_ANNOTATION,
        "the sessions' names, separated by commas: \"nightly,hourly\"",
    ),
    (VARIABLE_PREFIX, "the variable's value as one string"),
];

/// New files in a kpt package: `kubestash-<name>.yaml` beside the target.
pub const FILE_PREFIX: &str = "kubestash-";

/// What KubeStash's auto-backup generates.
pub const GENERATED: [GroupKind; 1] = [GroupKind {
    group: GROUP,
    kind: "BackupConfiguration",
}];

/// The KubeStash family.
pub struct KubeStash;

impl Family for KubeStash {
    fn name(&self) -> &'static str {
        "KubeStash"
    }

    fn interest(&self) -> Interest {
        Interest::default()
            .group(GROUP, Spec::Whole)
            // What a BackupStorage and a RetentionPolicy keep where, for backup policies.
            .group(
                STORAGE_GROUP,
                Spec::Fields(vec![
                    "default",
                    "usagePolicy",
                    "storage",
                    "successfulSnapshots",
                    "maxRetentionPeriod",
                ]),
            )
            // An AppBinding may name the real target.
            .group(KUBEDB_GROUP, Spec::Nothing)
            .group(APPBINDING_GROUP, Spec::Fields(vec!["appRef"]))
            // A Selector usage policy matches namespaces by their labels.
            .kind("v1", "Namespace")
            // A workload or claim is a target by this annotation; with only the namespace one,
            // an object is read to say that the name is missing.
            .annotation(NAME_ANNOTATION)
            .annotation(NAMESPACE_ANNOTATION)
            .family_annotations(KEYS)
            .file_prefix(FILE_PREFIX)
    }

    fn generated(&self) -> &'static [GroupKind] {
        &GENERATED
    }

    fn collision_hint(&self) -> &'static str {
        "rename one target, or give the blueprints' templates different namespaces"
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
}
