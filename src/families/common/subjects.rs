//! What both families back up, as KubeDB and Kubernetes define it: KubeDB's databases and the
//! AppBindings KubeDB makes for them (one target when both are in the input), and the workloads
//! and claims of [`super::kinds`], each annotated itself.

use std::collections::HashMap;

use super::kinds::{self, Kind};
use crate::engine::family::{Doubt, EarlierTarget, Input, Select};
use crate::krm::object::{Field, ItemIndex, ObjectFields};
use crate::krm::results::ResourceRef;
use crate::suggest::Keys;

/// KubeDB's databases: every kind of the group (Postgres, MySQL, …), versions v1alpha2 and v1.
pub const KUBEDB_GROUP: &str = "kubedb.com";
/// KubeDB's AppBindings, one per database, of its name and namespace.
pub const APPBINDING_GROUP: &str = "appcatalog.appscode.com";
pub const APPBINDING_API_VERSION: &str = "appcatalog.appscode.com/v1alpha1";

/// The objects a database target can be made of.
pub const DATABASES: [Select; 2] = [Select::Group(KUBEDB_GROUP), Select::Group(APPBINDING_GROUP)];

pub fn is_app_binding(fields: &ObjectFields<'_>) -> bool {
    fields.kind.text() == Some("AppBinding") && fields.group() == Some(APPBINDING_GROUP)
}

/// A KubeDB database kind (any kind of the `kubedb.com` group, versions v1alpha2 and v1).
pub fn is_database(fields: &ObjectFields<'_>) -> bool {
    fields.group() == Some(KUBEDB_GROUP)
        && matches!(fields.version(), Some("v1alpha2" | "v1"))
        && fields.kind.text().is_some_and(|k| !k.is_empty())
}

/// One annotation of a target's effective set, and the input object that carries it.
#[derive(Debug, Clone)]
pub struct Annotation {
    pub value: String,
    pub object: ItemIndex,
}

/// What a candidate target is made of.
#[derive(Debug, Clone)]
pub enum Makeup {
    /// A KubeDB database and/or its AppBinding (KubeDB creates, for each database, an AppBinding
    /// of its name and namespace with the database's annotations copied over its own; the
    /// operators act on that AppBinding, so the two in one input are one target).
    Database {
        app_binding: Option<ItemIndex>,
        database: Option<ItemIndex>,
        /// A second database of the target's name and namespace: KubeDB would give both the
        /// one AppBinding name, so neither is a target until one is renamed.
        second_database: Option<ItemIndex>,
    },
    /// A workload or a claim, annotated itself.
    Object {
        object: ItemIndex,
        kind: &'static Kind,
    },
}

/// An object, or a database with its AppBinding, carrying one of a family's annotations.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// The first of its objects in the input: generated objects follow this order.
    pub position: ItemIndex,
    pub name: String,
    pub namespace: Option<String>,
    /// The annotations that apply (for a database, the AppBinding's overlaid by the database's).
    pub annotations: Vec<(String, Annotation)>,
    /// Keys of the family's whose value is no string (a list, a mapping): Kubernetes refuses
    /// them, and what they meant cannot be read.
    pub unreadable: Vec<String>,
    pub makeup: Makeup,
    /// Databases and AppBindings of its name without a namespace, which nothing gives one (no
    /// defaultNamespace): they may be its own, so what is found about them concerns it too.
    pub maybe: Vec<ItemIndex>,
}

impl Candidate {
    pub fn annotation(&self, key: &str) -> Option<&Annotation> {
        self.annotations
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, a)| a)
    }

    /// The object findings about the target point at: the one carrying the first of `keys` it
    /// has (the object the user annotated).
    pub fn annotated(&self, keys: &[&str]) -> ItemIndex {
        keys.iter()
            .find_map(|key| self.annotation(key))
            .map_or(self.position, |a| a.object)
    }

    /// The input objects it is made of.
    pub fn objects(&self) -> Vec<ItemIndex> {
        match &self.makeup {
            Makeup::Database {
                app_binding,
                database,
                ..
            } => [*app_binding, *database].into_iter().flatten().collect(),
            Makeup::Object { object, .. } => vec![*object],
        }
    }

    /// The database and the second database of its name, when the input has two.
    pub fn two_databases(&self) -> Option<(ItemIndex, ItemIndex)> {
        match self.makeup {
            Makeup::Database {
                database,
                second_database,
                ..
            } => database.zip(second_database),
            Makeup::Object { .. } => None,
        }
    }
}

/// The annotations of one object, as a target's, and those whose value is no string. A null
/// value is the empty string, as Kubernetes reads it.
fn annotations_of(
    fields: &ObjectFields<'_>,
    index: ItemIndex,
) -> (Vec<(String, Annotation)>, Vec<String>) {
    let mut annotations = Vec::new();
    let mut unreadable = Vec::new();
    for (key, value) in &fields.annotations.entries {
        let value = match value {
            Field::Text(text) => text.to_string(),
            Field::Absent => String::new(),
            Field::NotText => {
                unreadable.push(key.to_string());
                continue;
            }
        };
        let annotation = Annotation {
            value,
            object: index,
        };
        annotations.push((key.to_string(), annotation));
    }
    (annotations, unreadable)
}

/// The candidate targets of `input` that carry a key the family reads (after a database's
/// annotations are laid over its AppBinding's), in input order: databases with their
/// AppBindings (one without a namespace is in `default`, where it will be applied), and the
/// objects of the `watched` kinds. The family's `keys` must be declared in its interest.
pub fn find(
    input: &Input<'_, '_>,
    keys: Keys,
    watched: &[&str],
    default: Option<&str>,
) -> Vec<Candidate> {
    let select = [DATABASES[0], DATABASES[1], Select::Concerning(keys)];
    let mut by_key: HashMap<(Option<&str>, &str), usize> = HashMap::new();
    let mut found: Vec<Candidate> = Vec::new();
    for (i, fields) in input.select(&select) {
        let binding = is_app_binding(fields);
        let database = !binding && is_database(fields);
        let Some(name) = fields.name.text() else {
            continue;
        };
        let namespace = fields.namespace.text().filter(|n| !n.is_empty());
        if binding || database {
            let slot = *by_key
                .entry((namespace.or(default), name))
                .or_insert_with(|| new_database(&mut found, i, name, namespace));
            add_to_database(&mut found[slot].makeup, i, binding);
        } else if let Some(kind) = kinds::kind_of(fields, watched) {
            let (annotations, unreadable) = annotations_of(fields, i);
            found.push(Candidate {
                position: i,
                name: name.to_owned(),
                namespace: namespace.map(str::to_owned),
                annotations,
                unreadable,
                makeup: Makeup::Object { object: i, kind },
                maybe: Vec::new(),
            });
        }
    }
    note_maybe(&mut found, &by_key);
    for candidate in &mut found {
        overlay_annotations(input, candidate);
        candidate.unreadable.retain(|k| keys.reads(k));
    }
    found.retain(|c| !c.unreadable.is_empty() || c.annotations.iter().any(|(k, _)| keys.reads(k)));
    found
}

/// Gives each database candidate in a namespace the objects of its name in none (`by_key` holds
/// the namespaces after the default, so these have none at all): they may be its own. One name
/// has at most one such slot, so each candidate gains the objects of one, in input order.
fn note_maybe(found: &mut [Candidate], by_key: &HashMap<(Option<&str>, &str), usize>) {
    let unplaced: HashMap<&str, Vec<ItemIndex>> = by_key
        .iter()
        .filter(|((namespace, _), _)| namespace.is_none())
        .map(|(&(_, name), &slot)| {
            let mut objects = found[slot].objects();
            objects.sort_unstable();
            (name, objects)
        })
        .collect();
    if unplaced.is_empty() {
        return;
    }
    for (&(namespace, name), &slot) in by_key {
        if let (Some(_), Some(objects)) = (namespace, unplaced.get(name)) {
            found[slot].maybe.extend(objects);
        }
    }
}

/// A database target, still without its objects: its position in `found`.
fn new_database(
    found: &mut Vec<Candidate>,
    position: ItemIndex,
    name: &str,
    namespace: Option<&str>,
) -> usize {
    found.push(Candidate {
        position,
        name: name.to_owned(),
        namespace: namespace.map(str::to_owned),
        annotations: Vec::new(),
        unreadable: Vec::new(),
        maybe: Vec::new(),
        makeup: Makeup::Database {
            app_binding: None,
            database: None,
            second_database: None,
        },
    });
    found.len() - 1
}

/// Adds the AppBinding or database at `index` to a database target.
fn add_to_database(makeup: &mut Makeup, index: ItemIndex, binding: bool) {
    let Makeup::Database {
        app_binding,
        database,
        second_database,
    } = makeup
    else {
        return;
    };
    if binding {
        app_binding.get_or_insert(index);
    } else if database.is_none() {
        *database = Some(index);
    } else if second_database.is_none() {
        *second_database = Some(index);
    }
}

/// A database target's annotations: its AppBinding's, overlaid by the database's (as KubeDB
/// copies them).
fn overlay_annotations(input: &Input<'_, '_>, candidate: &mut Candidate) {
    let Makeup::Database {
        app_binding,
        database,
        ..
    } = candidate.makeup
    else {
        return;
    };
    let mut annotations: Vec<(String, Annotation)> = Vec::new();
    for index in [app_binding, database].into_iter().flatten() {
        let Some(fields) = input.object(index).fields() else {
            continue;
        };
        let (own, unreadable) = annotations_of(fields, index);
        for (key, annotation) in own {
            match annotations.iter_mut().find(|(k, _)| *k == key) {
                Some((_, slot)) => *slot = annotation,
                None => annotations.push((key, annotation)),
            }
        }
        candidate.unreadable.extend(unreadable);
    }
    candidate.annotations = annotations;
}

/// What an earlier generated object says it backs up: a kind of an API group, a name, a
/// namespace.
#[derive(Debug, Clone, Copy)]
pub struct Reference<'r> {
    /// The API group (`""` for the core group).
    pub group: &'r str,
    pub kind: &'r str,
    pub name: &'r str,
    pub namespace: &'r str,
}

/// The target an earlier generated object names (`reference`; `key` as the family names it in
/// proposals), and what stands for it in the input now, as [`Family::earlier_target`] tells it.
///
/// [`Family::earlier_target`]: crate::engine::family::Family::earlier_target
pub fn earlier_target(
    input: &Input<'_, '_>,
    reference: &Reference<'_>,
    key: String,
    default: Option<&str>,
    keys: Keys,
    watched: &[&str],
) -> EarlierTarget {
    let (objects, doubts) = standing_for(input, reference, default, keys, watched);
    let shown = shown(input, &objects).unwrap_or_else(|| key.clone());
    EarlierTarget {
        key,
        shown,
        objects,
        doubts,
        in_full_view: in_full_view(reference),
    }
}

/// Whether [`standing_for`] sees every object the target of `reference` may be (a database or
/// an AppBinding), or only those carrying the family's keys (a workload or a claim).
fn in_full_view(reference: &Reference<'_>) -> bool {
    reference.group == KUBEDB_GROUP || reference.group == APPBINDING_GROUP
}

/// What stands in the input now for the target `reference` names: for a database or an
/// AppBinding, the databases and AppBindings of its name; else the object of its kind (one of
/// the `watched` ones) and name that carries a key `keys` concern; each in its namespace, or
/// without one where `default` applies it, or without one that nothing gives (it may be the
/// target). Then whether they may still ask for backups: the keys `keys` concern that they
/// carry, or a namespace nothing gives.
fn standing_for(
    input: &Input<'_, '_>,
    reference: &Reference<'_>,
    default: Option<&str>,
    keys: Keys,
    watched: &[&str],
) -> (Vec<ItemIndex>, Vec<Doubt>) {
    let database = in_full_view(reference);
    // The families declare workloads and claims by their keys only (most of an input is
    // workloads, and the readers drop what no family declares): one carrying none of the keys
    // asks for nothing. Asked for by kind, it stopped a debug build, and a release one found it
    // only when the readers kept it for another reason.
    let select = if database {
        DATABASES.to_vec()
    } else {
        vec![Select::Concerning(keys)]
    };
    let mut objects = Vec::new();
    let mut doubts = Vec::new();
    for (i, fields) in input.select(&select) {
        if fields.name.text() != Some(reference.name) {
            continue;
        }
        let watched_kind = kinds::kind_of(fields, watched).map(|k| k.kind);
        if !database && watched_kind != Some(reference.kind) {
            continue;
        }
        let own = fields.namespace.text().filter(|n| !n.is_empty());
        match own.or(default) {
            Some(namespace) if namespace == reference.namespace => objects.push(i),
            Some(_) => {}
            None => {
                objects.push(i);
                doubts.push(Doubt::Namespace);
            }
        }
    }
    let carried: Vec<String> = objects
        .iter()
        .filter_map(|i| input.object(*i).fields())
        .flat_map(|f| f.annotations.entries.iter().map(|(k, _)| k))
        .filter(|k| keys.concerns(k))
        .map(|k| k.to_string())
        .collect();
    if !carried.is_empty() {
        doubts.push(Doubt::Keys(carried));
    }
    doubts.dedup();
    (objects, doubts)
}

/// How messages name a target whose objects are `objects`: its database if the input has one
/// (an AppBinding stands in for it), else its first object; `None` when it is gone.
fn shown(input: &Input<'_, '_>, objects: &[ItemIndex]) -> Option<String> {
    let database = objects
        .iter()
        .find(|i| input.object(**i).fields().is_some_and(is_database));
    let first = database.or(objects.first())?;
    Some(ResourceRef::of(input.object(*first)).to_string())
}
