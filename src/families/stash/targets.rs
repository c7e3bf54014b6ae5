//! Targets: what Stash backs up. A KubeDB database and its AppBinding (one target: the operator
//! acts on the AppBinding KubeDB makes, with the database's annotations copied over its own), a
//! workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, OpenShift
//! DeploymentConfig), or a PersistentVolumeClaim; and what Stash reads of each.

use super::{BLUEPRINT_ANNOTATION, KEYS};
use crate::engine::family::Input;
use crate::families::common::subjects::{self, APPBINDING_API_VERSION, Candidate, Makeup};
use crate::krm::object::{Field, ItemIndex, ObjectFields};
use crate::yaml::tree::{NodeId, Tree};

pub use crate::families::common::subjects::Annotation;

/// A Stash target.
pub type Target = Candidate;

/// The workloads and volumes the operator's auto-backup watches (every kind of the toolkit's
/// table).
pub const WATCHED: [&str; 7] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "DeploymentConfig",
    "PersistentVolumeClaim",
];

/// Finds the targets of `input`, in input order: databases (with their AppBindings), and the
/// workloads and claims carrying the blueprint annotation.
pub fn find(input: &Input<'_, '_>, default: Option<&str>) -> Vec<Target> {
    subjects::find(input, KEYS, &WATCHED, default)
}

/// The object findings about a target point at: the one the user annotated.
pub fn annotated(target: &Target) -> ItemIndex {
    target.annotated(&[BLUEPRINT_ANNOTATION])
}

/// What a database target's AppBinding says of the database (or its database stands in for).
#[derive(Debug, Clone, Default)]
pub struct App {
    /// `spec.type` (`kubedb.com/postgres`), else made from the database's kind.
    pub app_type: String,
    pub version: Option<String>,
    /// `version` comes from the database, not an AppBinding (KubeDB may normalise it).
    pub from_database: bool,
}

/// The AppBinding facts of a database target; `None` for a workload or a claim.
pub fn app(input: &Input<'_, '_>, target: &Target) -> Option<App> {
    let Makeup::Database {
        app_binding,
        database,
        ..
    } = target.makeup
    else {
        return None;
    };
    let fields_of = |i: ItemIndex| input.object(i).fields();
    let spec_text = |fields: &ObjectFields<'_>, key: &str| spec_text(input.tree, fields, key);
    let binding = app_binding.and_then(fields_of);
    let mut app = App {
        app_type: binding
            .and_then(|b| spec_text(b, "type"))
            .unwrap_or_default(),
        version: binding.and_then(|b| spec_text(b, "version")),
        from_database: false,
    };
    if let Some(db) = database.and_then(fields_of) {
        if app.app_type.is_empty() {
            let kind = db.kind.text().unwrap_or_default();
            app.app_type = format!("kubedb.com/{}", kind.to_lowercase());
        }
        if app.version.is_none() {
            app.version = spec_text(db, "version");
            app.from_database = app.version.is_some();
        }
    }
    Some(app)
}

fn spec_text(tree: &Tree<'_>, fields: &ObjectFields<'_>, key: &str) -> Option<String> {
    fields
        .spec
        .and_then(|s| tree.lookup(s, key))
        .and_then(|v| tree.scalar(v))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// The uid of the object a BackupConfiguration's ownerReference points at (the AppBinding, the
/// workload, the claim), when the input has it.
pub fn owner_uid(input: &Input<'_, '_>, target: &Target) -> Option<String> {
    let owner = match target.makeup {
        Makeup::Database { app_binding, .. } => app_binding?,
        Makeup::Object { object, .. } => object,
    };
    let fields = input.object(owner).fields()?;
    text_of(&fields.uid)
}

fn text_of(field: &Field<'_>) -> Option<String> {
    field.text().filter(|t| !t.is_empty()).map(str::to_owned)
}

/// What `spec.target.ref` and the ownerReference name: apiVersion and kind.
pub fn reference(target: &Target) -> (&'static str, &'static str) {
    match &target.makeup {
        Makeup::Database { .. } => (APPBINDING_API_VERSION, "AppBinding"),
        Makeup::Object { kind, .. } => (kind.api_version, kind.kind),
    }
}

/// The prefix of generated names: kubectl's short form of the referenced kind.
pub fn short_kind(target: &Target) -> &'static str {
    match &target.makeup {
        Makeup::Database { .. } => "app",
        Makeup::Object { kind, .. } => kind.short,
    }
}

/// The volume names a workload's spec declares: its pod template's `volumes` and a StatefulSet's
/// `volumeClaimTemplates`. `None` when the spec has no pod template to tell.
pub fn volumes(input: &Input<'_, '_>, object: ItemIndex) -> Option<Vec<String>> {
    let tree = input.tree;
    let spec = input.object(object).fields()?.spec?;
    let template = tree.lookup(spec, "template")?;
    let declared = tree
        .lookup(template, "spec")
        .and_then(|s| tree.lookup(s, "volumes"))
        .and_then(|v| tree.items(v))
        .unwrap_or_default();
    let claims = tree
        .lookup(spec, "volumeClaimTemplates")
        .and_then(|v| tree.items(v))
        .unwrap_or_default();
    let name = |node: NodeId| tree.lookup(node, "name").and_then(|n| tree.scalar(n));
    let claim_name = |node: NodeId| tree.lookup(node, "metadata").and_then(name);
    let names = declared
        .iter()
        .filter_map(|v| name(*v))
        .chain(claims.iter().filter_map(|c| claim_name(*c)));
    Some(names.map(str::to_owned).collect())
}
