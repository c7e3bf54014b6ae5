//! Stash v1beta1 (`stash.appscode.com`): cluster-scoped BackupBlueprints, and the targets
//! annotated with `stash.appscode.com/backup-blueprint` that get a Repository and a
//! BackupConfiguration from each blueprint they name.
//!
//! This folder owns Stash's vocabulary and rules, and may use the engine, the KRM layer and the
//! YAML layer; it never uses another family or the framings.

mod annotations;
mod blueprint;
mod generate;
mod naming;
mod render;
mod targets;
mod vars;

use crate::engine::config::Config;
use crate::engine::family::{Family, Input};
use crate::engine::reconcile::Proposals;
use crate::krm::object::GroupKind;
use crate::krm::read::{Interest, Spec};

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

/// KubeDB's databases, and the AppBindings KubeDB makes for them.
pub const KUBEDB_GROUP: &str = "kubedb.com";
pub const APPBINDING_GROUP: &str = "appcatalog.appscode.com";
pub const APPBINDING_API_VERSION: &str = "appcatalog.appscode.com/v1alpha1";

/// What Stash's auto-backup generates.
const GENERATED: [GroupKind; 2] = [
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
    fn interest(&self) -> Interest {
        Interest::default()
            .group(GROUP, Spec::Whole)
            // Of a database or an AppBinding only these fields are read.
            .group(KUBEDB_GROUP, Spec::Fields(vec!["type", "version"]))
            .group(APPBINDING_GROUP, Spec::Fields(vec!["type", "version"]))
            // A Repository's storage Secret, to say when it is missing.
            .kind("v1", "Secret")
            // On an object that is no target, to say so.
            .annotation(BLUEPRINT_ANNOTATION)
    }

    fn generated(&self) -> &'static [GroupKind] {
        &GENERATED
    }

    fn collision_hint(&self) -> &'static str {
        "rename one target, or give the blueprints different backupNamespaces"
    }

    fn propose(&self, input: &Input<'_, '_>, config: &Config, out: &mut Proposals<'_, '_>) {
        generate::propose(input, config, out);
    }
}
