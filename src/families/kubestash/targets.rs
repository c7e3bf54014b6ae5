//! Targets: what KubeStash backs up (docs/spec-kubestash.md K1). A KubeDB database and its
//! AppBinding (one target, found as for Stash), an AppBinding alone (whose `spec.appRef` may name
//! the real target), or an annotated Deployment, StatefulSet, DaemonSet or PersistentVolumeClaim.

use super::{NAME_ANNOTATION, NAMESPACE_ANNOTATION};
use crate::engine::family::Input;
use crate::families::common::subjects::{self, APPBINDING_GROUP, Candidate, KUBEDB_GROUP, Makeup};
use crate::krm::object::ItemIndex;

/// The workloads and volumes KubeStash's auto-backup watches (of the toolkit's table).
pub const WATCHED: [&str; 4] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "PersistentVolumeClaim",
];

/// The annotations that make an object a candidate.
pub const KEYS: [&str; 2] = [NAME_ANNOTATION, NAMESPACE_ANNOTATION];

/// `spec.target` of a BackupConfiguration: what is backed up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub api_group: Option<String>,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

/// A KubeStash target.
pub type Target = Candidate;

/// The candidate targets: objects carrying either blueprint annotation.
pub fn find(input: &Input<'_, '_>, default: Option<&str>) -> Vec<Target> {
    subjects::find(input, super::KEYS, &WATCHED, default)
}

/// The object findings about a target point at: the one carrying the blueprint annotation.
pub fn annotated(target: &Target) -> ItemIndex {
    target.annotated(&KEYS)
}

/// The kind the operator watches, lower-cased, which prefixes the generated name: `appbinding`
/// for a database (the operator acts on its AppBinding).
pub fn watched_kind(target: &Target) -> String {
    match &target.makeup {
        Makeup::Database { .. } => "appbinding".to_owned(),
        Makeup::Object { kind, .. } => kind.kind.to_lowercase(),
    }
}

/// What the BackupConfiguration backs up, in the target's namespace `namespace`: the database;
/// else the AppBinding's `spec.appRef` (its namespace defaulting to the AppBinding's), else the
/// AppBinding; or the workload or claim.
pub fn reference(input: &Input<'_, '_>, target: &Target, namespace: &str) -> Reference {
    let own = |api_group: Option<&str>, kind: &str| Reference {
        api_group: api_group.map(str::to_owned),
        kind: kind.to_owned(),
        name: target.name.clone(),
        namespace: namespace.to_owned(),
    };
    match &target.makeup {
        Makeup::Object { kind, .. } => own(kind.group(), kind.kind),
        Makeup::Database {
            database: Some(database),
            ..
        } => {
            let kind = input
                .object(*database)
                .fields()
                .and_then(|f| f.kind.text())
                .unwrap_or_default();
            own(Some(KUBEDB_GROUP), kind)
        }
        Makeup::Database {
            app_binding: Some(binding),
            ..
        } => app_ref(input, *binding, namespace)
            .unwrap_or_else(|| own(Some(APPBINDING_GROUP), "AppBinding")),
        Makeup::Database { .. } => own(Some(APPBINDING_GROUP), "AppBinding"),
    }
}

/// An AppBinding's `spec.appRef`, when it names a kind and a name.
fn app_ref(input: &Input<'_, '_>, binding: ItemIndex, namespace: &str) -> Option<Reference> {
    let tree = input.tree;
    let reference = tree.lookup(input.object(binding).fields()?.spec?, "appRef")?;
    let text = |key: &str| {
        tree.lookup(reference, key)
            .and_then(|v| tree.scalar(v))
            .filter(|t| !t.is_empty())
    };
    Some(Reference {
        api_group: text("apiGroup").map(str::to_owned),
        kind: text("kind")?.to_owned(),
        name: text("name")?.to_owned(),
        namespace: text("namespace").unwrap_or(namespace).to_owned(),
    })
}
