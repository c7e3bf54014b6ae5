//! Targets: the AppBindings that Stash backs up, found directly or through a KubeDB database.
//!
//! KubeDB creates, for each database, an AppBinding with the same name and namespace, a
//! `spec.type` of `kubedb.com/<lower-case kind>`, and the database's annotations copied over
//! its own. The Stash operator acts on that AppBinding, so a database and its AppBinding in the
//! input are one target.

use std::collections::HashMap;

use super::{APPBINDING_GROUP, BLUEPRINT_ANNOTATION, KUBEDB_GROUP};
use crate::engine::family::{Input, Select};
use crate::krm::object::{Field, ItemIndex, ObjectFields};

/// What identifies the objects a target can be made of.
pub const SELECT: [Select; 2] = [Select::Group(KUBEDB_GROUP), Select::Group(APPBINDING_GROUP)];

/// One annotation of the effective set, and the input object that carries it.
#[derive(Debug, Clone)]
pub struct Annotation {
    pub value: String,
    pub object: ItemIndex,
}

#[derive(Debug, Clone)]
pub struct Target {
    /// The first of the target's objects in the input: generated objects follow this order.
    pub position: ItemIndex,
    pub app_binding: Option<ItemIndex>,
    pub database: Option<ItemIndex>,
    pub name: String,
    pub namespace: Option<String>,
    /// The AppBinding's annotations overlaid by the database's.
    pub annotations: Vec<(String, Annotation)>,
    pub app_type: String,
    pub app_version: Option<String>,
    /// `app_version` comes from the database, not an AppBinding (KubeDB may normalise it).
    pub version_from_database: bool,
    /// The AppBinding's uid, for the BackupConfiguration's ownerReference.
    pub uid: Option<String>,
    /// A second database of the target's name and namespace: KubeDB would give both the one
    /// AppBinding name, so neither is a target until one is renamed.
    pub second_database: Option<ItemIndex>,
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

    /// The objects the target is made of.
    pub fn objects(&self) -> impl Iterator<Item = ItemIndex> {
        [self.app_binding, self.database].into_iter().flatten()
    }
}

pub fn is_app_binding(fields: &ObjectFields<'_>) -> bool {
    fields.kind.text() == Some("AppBinding") && fields.group() == Some(APPBINDING_GROUP)
}

/// A KubeDB database kind (any kind of the `kubedb.com` group, versions v1alpha2 and v1).
pub fn is_database(fields: &ObjectFields<'_>) -> bool {
    fields.group() == Some(KUBEDB_GROUP)
        && matches!(fields.version(), Some("v1alpha2" | "v1"))
        && fields.kind.text().is_some_and(|k| !k.is_empty())
}

/// Finds the targets of `input`, in input order.
pub fn find(input: &Input<'_, '_>) -> Vec<Target> {
    let mut by_key: HashMap<(Option<&str>, &str), usize> = HashMap::new();
    let mut targets: Vec<Target> = Vec::new();
    for (i, fields) in input.select(&SELECT) {
        let binding = is_app_binding(fields);
        if !binding && !is_database(fields) {
            continue;
        }
        let Some(name) = fields.name.text() else {
            continue;
        };
        let namespace = fields.namespace.text().filter(|n| !n.is_empty());
        let slot = *by_key.entry((namespace, name)).or_insert_with(|| {
            targets.push(Target {
                position: i,
                app_binding: None,
                database: None,
                name: name.to_owned(),
                namespace: namespace.map(str::to_owned),
                annotations: Vec::new(),
                app_type: String::new(),
                app_version: None,
                version_from_database: false,
                uid: None,
                second_database: None,
            });
            targets.len() - 1
        });
        let target = &mut targets[slot];
        if binding {
            if target.app_binding.is_none() {
                target.app_binding = Some(i);
            }
        } else if target.database.is_none() {
            target.database = Some(i);
        } else if target.second_database.is_none() {
            target.second_database = Some(i);
        }
    }

    let tree = input.tree;
    let fields_of = |i: ItemIndex| input.object(i).fields();
    for target in &mut targets {
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
        for index in target.objects() {
            let Some(fields) = fields_of(index) else {
                continue;
            };
            for (key, value) in &fields.annotations.entries {
                if let Field::Text(value) = value {
                    let annotation = Annotation {
                        value: value.to_string(),
                        object: index,
                    };
                    match annotations.iter_mut().find(|(k, _)| k == key) {
                        Some((_, slot)) => *slot = annotation,
                        None => annotations.push((key.to_string(), annotation)),
                    }
                }
            }
        }
        target.annotations = annotations;
        if let Some(binding) = target.app_binding.and_then(fields_of) {
            target.app_type = spec_text(binding, "type").unwrap_or_default();
            target.app_version = spec_text(binding, "version");
            target.uid = binding
                .uid
                .text()
                .filter(|u| !u.is_empty())
                .map(str::to_owned);
        }
        if let Some(database) = target.database.and_then(fields_of) {
            if target.app_type.is_empty() {
                let kind = database.kind.text().unwrap_or_default();
                target.app_type = format!("kubedb.com/{}", kind.to_lowercase());
            }
            if target.app_version.is_none() {
                target.app_version = spec_text(database, "version");
                target.version_from_database = target.app_version.is_some();
            }
        }
    }
    targets.retain(|t| t.annotation(BLUEPRINT_ANNOTATION).is_some());
    targets
}
