//! Targets: what Stash backs up. A KubeDB database and its AppBinding (KubeDB creates, for each
//! database, an AppBinding with the same name and namespace, a `spec.type` of
//! `kubedb.com/<lower-case kind>`, and the database's annotations copied over its own; the Stash
//! operator acts on that AppBinding, so a database and its AppBinding in the input are one
//! target), a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
//! OpenShift DeploymentConfig), or a PersistentVolumeClaim.

use super::{APPBINDING_API_VERSION, BLUEPRINT_ANNOTATION};
use crate::engine::family::{Input, Select};
use crate::families::subjects::{self, Makeup};
pub use crate::families::subjects::{Annotation, is_app_binding, is_database};
use crate::krm::object::{Field, ItemIndex, ObjectFields};
use crate::yaml::tree::{NodeId, Tree};

/// What identifies the objects a database target can be made of.
pub const SELECT: [Select; 2] = crate::families::subjects::DATABASES;

/// A workload or volume kind the operator's auto-backup watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub api_version: &'static str,
    pub kind: &'static str,
    /// kubectl's short name, as the operator puts it in generated names.
    pub short: &'static str,
    /// The plural resource (`deployments`).
    pub resource: &'static str,
    /// A workload (with paths and volume mounts to back up), or a volume (a PVC).
    pub workload: bool,
}

/// The workloads and volumes of SPEC §2.3, with the operator's short forms.
pub const KINDS: [Kind; 7] = [
    workload("apps/v1", "Deployment", "deploy", "deployments"),
    workload("apps/v1", "StatefulSet", "sts", "statefulsets"),
    workload("apps/v1", "DaemonSet", "ds", "daemonsets"),
    workload("apps/v1", "ReplicaSet", "replicaset", "replicasets"),
    workload(
        "v1",
        "ReplicationController",
        "rc",
        "replicationcontrollers",
    ),
    workload(
        "apps.openshift.io/v1",
        "DeploymentConfig",
        "deploymentconfig",
        "deploymentconfigs",
    ),
    Kind {
        api_version: "v1",
        kind: "PersistentVolumeClaim",
        short: "pvc",
        resource: "persistentvolumeclaims",
        workload: false,
    },
];

const fn workload(
    api_version: &'static str,
    kind: &'static str,
    short: &'static str,
    resource: &'static str,
) -> Kind {
    Kind {
        api_version,
        kind,
        short,
        resource,
        workload: true,
    }
}

/// The workload or volume kind of an object, if it is one.
pub fn kind_of(fields: &ObjectFields<'_>) -> Option<Kind> {
    let (api_version, kind) = (fields.api_version.text()?, fields.kind.text()?);
    KINDS
        .iter()
        .find(|k| k.api_version == api_version && k.kind == kind)
        .copied()
}

#[derive(Debug, Clone)]
pub enum Subject {
    /// A KubeDB database and/or its AppBinding.
    Database {
        app_binding: Option<ItemIndex>,
        database: Option<ItemIndex>,
        app_type: String,
        app_version: Option<String>,
        /// `app_version` comes from the database, not an AppBinding (KubeDB may normalise it).
        version_from_database: bool,
        /// A second database of the target's name and namespace: KubeDB would give both the
        /// one AppBinding name, so neither is a target until one is renamed.
        second_database: Option<ItemIndex>,
    },
    /// A workload or a PersistentVolumeClaim, annotated itself.
    Object {
        object: ItemIndex,
        kind: Kind,
        /// The volumes its pod template declares (and a StatefulSet's claim templates), when
        /// the input shows them.
        volumes: Option<Vec<String>>,
    },
}

#[derive(Debug, Clone)]
pub struct Target {
    /// The first of the target's objects in the input: generated objects follow this order.
    pub position: ItemIndex,
    pub name: String,
    pub namespace: Option<String>,
    /// The annotations that apply (for a database, the AppBinding's overlaid by the database's).
    pub annotations: Vec<(String, Annotation)>,
    /// The uid of the object a BackupConfiguration's ownerReference points at (the AppBinding,
    /// the workload, the claim).
    pub uid: Option<String>,
    pub subject: Subject,
}

impl Target {
    pub fn annotation(&self, key: &str) -> Option<&Annotation> {
        self.annotations
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, a)| a)
    }

    /// The object results about this target point at: the one the user annotated.
    pub fn annotated_object(&self) -> ItemIndex {
        self.annotation(BLUEPRINT_ANNOTATION)
            .map_or(self.position, |a| a.object)
    }

    /// The input objects the target is made of.
    pub fn objects(&self) -> Vec<ItemIndex> {
        match &self.subject {
            Subject::Database {
                app_binding,
                database,
                ..
            } => [*app_binding, *database].into_iter().flatten().collect(),
            Subject::Object { object, .. } => vec![*object],
        }
    }

    /// What `spec.target.ref` and the ownerReference name: apiVersion and kind.
    pub fn reference(&self) -> (&'static str, &'static str) {
        match &self.subject {
            Subject::Database { .. } => (APPBINDING_API_VERSION, "AppBinding"),
            Subject::Object { kind, .. } => (kind.api_version, kind.kind),
        }
    }

    /// The prefix of generated names: kubectl's short form of the referenced kind.
    pub fn short_kind(&self) -> &'static str {
        match &self.subject {
            Subject::Database { .. } => "app",
            Subject::Object { kind, .. } => kind.short,
        }
    }
}

fn text_of(field: &Field<'_>) -> Option<String> {
    field.text().filter(|t| !t.is_empty()).map(str::to_owned)
}

/// Finds the targets of `input`, in input order: databases (with their AppBindings), and the
/// workloads and claims carrying the blueprint annotation.
pub fn find(input: &Input<'_, '_>) -> Vec<Target> {
    let tree = input.tree;
    let fields_of = |i: ItemIndex| input.object(i).fields();
    let spec_text = |fields: &ObjectFields<'_>, key: &str| {
        fields
            .spec
            .and_then(|s| tree.lookup(s, key))
            .and_then(|v| tree.scalar(v))
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    subjects::find(input, &[BLUEPRINT_ANNOTATION], kind_of)
        .into_iter()
        .map(|candidate| {
            let (subject, uid) = match candidate.makeup {
                Makeup::Object { object, kind } => {
                    let fields = fields_of(object);
                    let volumes = fields.and_then(|f| f.spec).and_then(|s| volumes(tree, s));
                    let uid = fields.and_then(|f| text_of(&f.uid));
                    let subject = Subject::Object {
                        object,
                        kind,
                        volumes,
                    };
                    (subject, uid)
                }
                Makeup::Database {
                    app_binding,
                    database,
                    second_database,
                } => {
                    let binding = app_binding.and_then(fields_of);
                    let mut app_type = binding
                        .and_then(|b| spec_text(b, "type"))
                        .unwrap_or_default();
                    let mut app_version = binding.and_then(|b| spec_text(b, "version"));
                    let mut version_from_database = false;
                    if let Some(db) = database.and_then(fields_of) {
                        if app_type.is_empty() {
                            let kind = db.kind.text().unwrap_or_default();
                            app_type = format!("kubedb.com/{}", kind.to_lowercase());
                        }
                        if app_version.is_none() {
                            app_version = spec_text(db, "version");
                            version_from_database = app_version.is_some();
                        }
                    }
                    let subject = Subject::Database {
                        app_binding,
                        database,
                        app_type,
                        app_version,
                        version_from_database,
                        second_database,
                    };
                    (subject, binding.and_then(|b| text_of(&b.uid)))
                }
            };
            Target {
                position: candidate.position,
                name: candidate.name,
                namespace: candidate.namespace,
                annotations: candidate.annotations,
                uid,
                subject,
            }
        })
        .collect()
}

/// The volume names a workload's spec declares: its pod template's `volumes` and a StatefulSet's
/// `volumeClaimTemplates`. `None` when the spec has no pod template to tell.
fn volumes(tree: &Tree<'_>, spec: NodeId) -> Option<Vec<String>> {
    let template = tree.lookup(spec, "template")?;
    let mut names = Vec::new();
    let declared = tree
        .lookup(template, "spec")
        .and_then(|s| tree.lookup(s, "volumes"))
        .and_then(|v| tree.items(v))
        .unwrap_or_default();
    for volume in declared {
        if let Some(name) = tree.lookup(*volume, "name").and_then(|n| tree.scalar(n)) {
            names.push(name.to_owned());
        }
    }
    let claims = tree
        .lookup(spec, "volumeClaimTemplates")
        .and_then(|v| tree.items(v))
        .unwrap_or_default();
    for claim in claims {
        let name = tree
            .lookup(*claim, "metadata")
            .and_then(|m| tree.lookup(m, "name"))
            .and_then(|n| tree.scalar(n));
        if let Some(name) = name {
            names.push(name.to_owned());
        }
    }
    Some(names)
}
