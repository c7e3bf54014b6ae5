//! Targets: what Stash backs up. A KubeDB database and its AppBinding (KubeDB creates, for each
//! database, an AppBinding with the same name and namespace, a `spec.type` of
//! `kubedb.com/<lower-case kind>`, and the database's annotations copied over its own; the Stash
//! operator acts on that AppBinding, so a database and its AppBinding in the input are one
//! target), a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
//! OpenShift DeploymentConfig), or a PersistentVolumeClaim.

use std::collections::HashMap;

use super::{APPBINDING_API_VERSION, BLUEPRINT_ANNOTATION};
use crate::engine::family::{Input, Select};
pub use crate::families::subjects::{is_app_binding, is_database};
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

/// One annotation of the effective set, and the input object that carries it.
#[derive(Debug, Clone)]
pub struct Annotation {
    pub value: String,
    pub object: ItemIndex,
}

/// What a target is, and what only that sort of target has.
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

/// The annotations of one object, as the target's.
fn annotations_of(fields: &ObjectFields<'_>, index: ItemIndex) -> Vec<(String, Annotation)> {
    fields
        .annotations
        .entries
        .iter()
        .filter_map(|(key, value)| {
            let value = value.text()?.to_owned();
            Some((
                key.to_string(),
                Annotation {
                    value,
                    object: index,
                },
            ))
        })
        .collect()
}

/// Finds the targets of `input`, in input order: databases (with their AppBindings), and the
/// workloads and claims carrying the blueprint annotation.
pub fn find(input: &Input<'_, '_>) -> Vec<Target> {
    let select = [
        SELECT[0],
        SELECT[1],
        Select::Annotated(BLUEPRINT_ANNOTATION),
    ];
    let mut by_key: HashMap<(Option<&str>, &str), usize> = HashMap::new();
    let mut targets: Vec<Target> = Vec::new();
    for (i, fields) in input.select(&select) {
        let binding = is_app_binding(fields);
        let database = !binding && is_database(fields);
        let Some(name) = fields.name.text() else {
            continue;
        };
        let namespace = fields.namespace.text().filter(|n| !n.is_empty());
        if !binding && !database {
            if let Some(kind) = kind_of(fields) {
                targets.push(Target {
                    position: i,
                    name: name.to_owned(),
                    namespace: namespace.map(str::to_owned),
                    annotations: annotations_of(fields, i),
                    uid: text_of(&fields.uid),
                    subject: Subject::Object {
                        object: i,
                        kind,
                        volumes: fields.spec.and_then(|spec| volumes(input.tree, spec)),
                    },
                });
            }
            continue;
        }
        let slot = *by_key.entry((namespace, name)).or_insert_with(|| {
            targets.push(Target {
                position: i,
                name: name.to_owned(),
                namespace: namespace.map(str::to_owned),
                annotations: Vec::new(),
                uid: None,
                subject: Subject::Database {
                    app_binding: None,
                    database: None,
                    app_type: String::new(),
                    app_version: None,
                    version_from_database: false,
                    second_database: None,
                },
            });
            targets.len() - 1
        });
        let Subject::Database {
            app_binding,
            database: db,
            second_database,
            ..
        } = &mut targets[slot].subject
        else {
            continue;
        };
        if binding {
            app_binding.get_or_insert(i);
        } else if db.is_none() {
            *db = Some(i);
        } else if second_database.is_none() {
            *second_database = Some(i);
        }
    }

    let tree = input.tree;
    let fields_of = |i: ItemIndex| input.object(i).fields();
    for target in &mut targets {
        let Subject::Database {
            app_binding,
            database,
            app_type,
            app_version,
            version_from_database,
            ..
        } = &mut target.subject
        else {
            continue;
        };
        let spec_text = |fields: &ObjectFields<'_>, key: &str| {
            fields
                .spec
                .and_then(|s| tree.lookup(s, key))
                .and_then(|v| tree.scalar(v))
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        let mut annotations: Vec<(String, Annotation)> = Vec::new();
        // KubeDB copies the database's annotations over the AppBinding's.
        for index in [*app_binding, *database].into_iter().flatten() {
            let Some(fields) = fields_of(index) else {
                continue;
            };
            for (key, annotation) in annotations_of(fields, index) {
                match annotations.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, slot)) => *slot = annotation,
                    None => annotations.push((key, annotation)),
                }
            }
        }
        target.annotations = annotations;
        if let Some(binding) = app_binding.and_then(fields_of) {
            *app_type = spec_text(binding, "type").unwrap_or_default();
            *app_version = spec_text(binding, "version");
            target.uid = text_of(&binding.uid);
        }
        if let Some(db) = database.and_then(fields_of) {
            if app_type.is_empty() {
                let kind = db.kind.text().unwrap_or_default();
                *app_type = format!("kubedb.com/{}", kind.to_lowercase());
            }
            if app_version.is_none() {
                *app_version = spec_text(db, "version");
                *version_from_database = app_version.is_some();
            }
        }
    }
    targets.retain(|t| t.annotation(BLUEPRINT_ANNOTATION).is_some());
    targets
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
