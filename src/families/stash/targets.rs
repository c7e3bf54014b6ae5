//! Targets: the AppBindings that Stash backs up, found directly or through a KubeDB database.
//!
//! KubeDB creates, for each database, an AppBinding with the same name and namespace, a
//! `spec.type` of `kubedb.com/<lower-case kind>`, and the database's annotations copied over
//! its own. The Stash operator acts on that AppBinding, so a database and its AppBinding in the
//! input are one target.

use std::collections::HashMap;

use crate::krm::read::yaml::{Field, Object};
use crate::yaml::tree::Tree;

pub const APPBINDING_API_VERSION: &str = "appcatalog.appscode.com/v1alpha1";
pub const BLUEPRINT_ANNOTATION: &str = "stash.appscode.com/backup-blueprint";
pub const SCHEDULE_ANNOTATION: &str = "stash.appscode.com/schedule";
pub const PARAM_PREFIX: &str = "params.stash.appscode.com/";

/// One annotation of the effective set, and the input object that carries it.
#[derive(Debug, Clone)]
pub struct Annotation {
    pub value: String,
    pub object: usize,
}

#[derive(Debug, Clone)]
pub struct Target {
    /// The first of the target's objects in the input: generated objects follow this order.
    pub position: usize,
    pub app_binding: Option<usize>,
    pub database: Option<usize>,
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
}

impl Target {
    pub fn annotation(&self, key: &str) -> Option<&Annotation> {
        self.annotations
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, a)| a)
    }

    /// The object results about this target point at: the one the user annotated.
    pub fn reported_object(&self) -> usize {
        self.annotation(BLUEPRINT_ANNOTATION)
            .map_or(self.position, |a| a.object)
    }
}

fn group_version<'o>(object: &'o Object<'_>) -> Option<(&'o str, &'o str)> {
    object.api_version.text()?.rsplit_once('/')
}

pub fn is_app_binding(object: &Object<'_>) -> bool {
    object.kind.text() == Some("AppBinding")
        && group_version(object).is_some_and(|(g, _)| g == "appcatalog.appscode.com")
}

/// A KubeDB database kind (any kind of the `kubedb.com` group, versions v1alpha2 and v1).
pub fn is_database(object: &Object<'_>) -> bool {
    group_version(object).is_some_and(|(g, v)| g == "kubedb.com" && matches!(v, "v1alpha2" | "v1"))
        && object.kind.text().is_some_and(|k| !k.is_empty())
}

pub fn has_blueprint_annotation(object: &Object<'_>) -> bool {
    object.annotations.get(BLUEPRINT_ANNOTATION).is_some()
}

/// Finds the targets among `objects`, in input order.
pub fn find(tree: &Tree<'_>, objects: &[Object<'_>]) -> Vec<Target> {
    // (namespace, name) → target index
    let mut by_key: HashMap<(Option<&str>, &str), usize> = HashMap::new();
    let mut targets: Vec<Target> = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        let binding = is_app_binding(object);
        if !binding && !is_database(object) {
            continue;
        }
        let Some(name) = object.name.text() else {
            continue;
        };
        let namespace = object.namespace.text().filter(|n| !n.is_empty());
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
        }
    }

    for target in &mut targets {
        let spec_text = |object: &Object<'_>, key: &str| {
            object
                .spec
                .and_then(|s| tree.lookup(s, key))
                .and_then(|v| tree.scalar(v))
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        let mut annotations: Vec<(String, Annotation)> = Vec::new();
        // KubeDB copies the database's annotations over the AppBinding's.
        for index in [target.app_binding, target.database].into_iter().flatten() {
            for (key, value) in &objects[index].annotations.entries {
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
        if let Some(b) = target.app_binding {
            let binding = &objects[b];
            target.app_type = spec_text(binding, "type").unwrap_or_default();
            target.app_version = spec_text(binding, "version");
            target.uid = binding
                .uid
                .text()
                .filter(|u| !u.is_empty())
                .map(str::to_owned);
        }
        if let Some(d) = target.database {
            let database = &objects[d];
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
