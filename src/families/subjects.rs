//! What both API families back up, as KubeDB and Kubernetes define it: KubeDB's databases and the
//! AppBindings KubeDB makes for them; and the checks and steps both families take the same way
//! (reading their blueprints, a target's namespace, misspelt keys, notes for a preview). Not a
//! family: families share it, and it uses no family.

use std::collections::HashMap;
use std::hash::Hash;
use std::rc::Rc;

use crate::engine::config::Config;
use crate::engine::family::{Input, Select};
use crate::engine::finding::Found;
use crate::engine::k8s_names::{self, NAME_RULE, NAMESPACE_RULE};
use crate::engine::reconcile::Proposals;
use crate::krm::kpt::{self, LOCAL_CONFIG};
use crate::krm::object::{ItemIndex, Object, ObjectFields};
use crate::krm::results::{KrmResult, ResourceRef, Severity, annotation_field};
use crate::suggest::Keys;
use crate::yaml::tree::Tree;

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
pub enum Makeup<K> {
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
    /// An object of a kind the family watches (a workload, a claim), annotated itself.
    Object { object: ItemIndex, kind: K },
}

/// An object, or a database with its AppBinding, carrying one of a family's annotations.
#[derive(Debug, Clone)]
pub struct Candidate<K> {
    /// The first of its objects in the input: generated objects follow this order.
    pub position: ItemIndex,
    pub name: String,
    pub namespace: Option<String>,
    /// The annotations that apply (for a database, the AppBinding's overlaid by the database's).
    pub annotations: Vec<(String, Annotation)>,
    pub makeup: Makeup<K>,
}

impl<K> Candidate<K> {
    pub fn annotation(&self, key: &str) -> Option<&Annotation> {
        self.annotations
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, a)| a)
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
}

/// The annotations of one object, as a target's.
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

/// The candidate targets of `input` that carry one of `keys` (after a database's annotations are
/// laid over its AppBinding's), in input order: databases with their AppBindings, and the objects
/// `kind_of` recognises. `keys` must be declared in the family's interest.
pub fn find<K>(
    input: &Input<'_, '_>,
    keys: &[&'static str],
    kind_of: impl Fn(&ObjectFields<'_>) -> Option<K>,
) -> Vec<Candidate<K>> {
    let mut select = DATABASES.to_vec();
    select.extend(keys.iter().map(|key| Select::Annotated(key)));
    let mut by_key: HashMap<(Option<&str>, &str), usize> = HashMap::new();
    let mut found: Vec<Candidate<K>> = Vec::new();
    for (i, fields) in input.select(&select) {
        let binding = is_app_binding(fields);
        let database = !binding && is_database(fields);
        let Some(name) = fields.name.text() else {
            continue;
        };
        let namespace = fields.namespace.text().filter(|n| !n.is_empty());
        if !binding && !database {
            if let Some(kind) = kind_of(fields) {
                found.push(Candidate {
                    position: i,
                    name: name.to_owned(),
                    namespace: namespace.map(str::to_owned),
                    annotations: annotations_of(fields, i),
                    makeup: Makeup::Object { object: i, kind },
                });
            }
            continue;
        }
        let slot = *by_key.entry((namespace, name)).or_insert_with(|| {
            found.push(Candidate {
                position: i,
                name: name.to_owned(),
                namespace: namespace.map(str::to_owned),
                annotations: Vec::new(),
                makeup: Makeup::Database {
                    app_binding: None,
                    database: None,
                    second_database: None,
                },
            });
            found.len() - 1
        });
        let Makeup::Database {
            app_binding,
            database: db,
            second_database,
        } = &mut found[slot].makeup
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
    for candidate in &mut found {
        let Makeup::Database {
            app_binding,
            database,
            ..
        } = candidate.makeup
        else {
            continue;
        };
        let mut annotations: Vec<(String, Annotation)> = Vec::new();
        for index in [app_binding, database].into_iter().flatten() {
            let Some(fields) = input.object(index).fields() else {
                continue;
            };
            for (key, annotation) in annotations_of(fields, index) {
                match annotations.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, slot)) => *slot = annotation,
                    None => annotations.push((key, annotation)),
                }
            }
        }
        candidate.annotations = annotations;
    }
    found.retain(|c| keys.iter().any(|key| c.annotation(key).is_some()));
    found
}

/// A target as [`checked_namespace`] sees it.
pub struct Checked<'c> {
    pub name: &'c str,
    /// Its own namespace, if any.
    pub namespace: Option<&'c str>,
    /// The object the user annotated, and the one its name and namespace are read from.
    pub annotated: ItemIndex,
    pub named: ItemIndex,
    /// The input objects it is made of.
    pub objects: &'c [ItemIndex],
    /// Two databases of its name and namespace, when the input has them.
    pub databases: Option<(ItemIndex, ItemIndex)>,
}

/// What every family does first with a target: counts it (with the objects results about it
/// may name, a second database of its name included), then checks that it has a namespace (its
/// own, else the defaultNamespace option), that KubeDB could give it an AppBinding, that its
/// objects have no duplicate key, and that Kubernetes accepts its name and namespace. Problems
/// are reported through `out`; the namespace comes back when there are none.
pub fn checked_namespace(
    input: &Input<'_, '_>,
    config: &Config,
    target: &Checked<'_>,
    out: &mut Proposals<'_, '_>,
) -> Option<String> {
    let mut related = target.objects.to_vec();
    related.extend(target.databases.map(|(_, second)| second));
    out.target(target.annotated, related);
    let namespace = target
        .namespace
        .map(str::to_owned)
        .or_else(|| config.default_namespace.clone());
    let Some(namespace) = namespace else {
        out.about(
            Severity::Warning,
            target.annotated,
            "no metadata.namespace: nothing is generated for this target; set the namespace \
             before this function runs (kustomize `namespace:` or kpt set-namespace), or give \
             the defaultNamespace option (an ArgoCD plugin gets its app's namespace)",
        )
        .field = Some("metadata.namespace".into());
        return None;
    };
    if let Some((first, second)) = target.databases {
        let [first_ref, second_ref] = [first, second].map(|i| ResourceRef::of(input.object(i)));
        out.about(
            Severity::Error,
            second,
            format!(
                "{first_ref} and {second_ref} are both KubeDB databases named `{}` in namespace \
                 {namespace}: KubeDB gives each an AppBinding of that name, so only one of them \
                 can exist; rename one",
                target.name
            ),
        )
        .field = Some("metadata.name".into());
        return None;
    }
    for &index in target.objects {
        let Some(key) = input
            .object(index)
            .fields()
            .and_then(|f| f.duplicate_key.as_ref())
        else {
            continue;
        };
        let key = key.to_string();
        let message = format!("key `{key}` appears twice: remove one");
        out.about(Severity::Error, index, message).field = Some(key);
        return None;
    }
    // A name Kubernetes would refuse is refused here, before it becomes part of other names.
    if !k8s_names::is_dns_subdomain(target.name) {
        out.about(
            Severity::Error,
            target.named,
            format!(
                "metadata.name {:?} is not a valid Kubernetes name ({NAME_RULE}); nothing is \
                 generated for it",
                target.name
            ),
        )
        .field = Some("metadata.name".into());
        return None;
    }
    if !k8s_names::is_dns_label(&namespace) {
        out.about(
            Severity::Error,
            target.named,
            format!(
                "metadata.namespace {namespace:?} is not a valid Kubernetes namespace \
                 ({NAMESPACE_RULE}); nothing is generated for it"
            ),
        )
        .field = Some("metadata.namespace".into());
        return None;
    }
    Some(namespace)
}

/// Blueprints and no object carrying any of `annotations` at all: typical of a kustomize base
/// that holds the blueprints while the databases live in an overlay, or of a target annotated
/// with another key. A warning on the first blueprint says where to look, naming the first of
/// `annotations`.
/// How a family finds its BackupBlueprints: the parts that differ between families, for
/// [`BlueprintReader::read_all`].
pub struct BlueprintReader<K, B> {
    pub family: &'static str,
    pub group: &'static str,
    pub is_blueprint: fn(&ObjectFields<'_>) -> bool,
    /// Reads one blueprint, its problems into the results (an unusable one gives `None`).
    pub read: fn(&Tree<'_>, &Object<'_>, ItemIndex, &mut Vec<KrmResult>) -> Option<B>,
    /// What targets name a blueprint by (its name; its namespace and name); none without it.
    pub key: fn(&ObjectFields<'_>) -> Option<K>,
    /// The error on a second blueprint of one key.
    pub twice: fn(&K) -> String,
}

impl<K: Clone + Eq + Hash, B> BlueprintReader<K, B> {
    /// Every blueprint of the input, by key: each one's problems reported, a warning for one
    /// that would be applied to the cluster, and `None` for a key two share (an error on the
    /// second). `objects` gets every blueprint object of each key, usable or not, which a
    /// target naming the key uses.
    pub fn read_all(
        &self,
        input: &Input<'_, '_>,
        out: &mut Proposals<'_, '_>,
        objects: &mut HashMap<K, Vec<ItemIndex>>,
    ) -> HashMap<K, Option<B>> {
        let mut found: HashMap<K, Option<B>> = HashMap::new();
        for (i, fields) in input.select(&[Select::Group(self.group)]) {
            if !(self.is_blueprint)(fields) {
                continue;
            }
            let mut problems = Vec::new();
            let read = (self.read)(input.tree, input.object(i), i, &mut problems);
            for problem in problems {
                out.report(Found::from_result(problem, Some(i)));
            }
            note_applied_blueprint(input, out, i, self.family);
            let Some(key) = (self.key)(fields) else {
                continue;
            };
            objects.entry(key.clone()).or_default().push(i);
            match found.get_mut(&key) {
                Some(slot) => {
                    *slot = None;
                    out.about(Severity::Error, i, (self.twice)(&key)).field =
                        Some("metadata.name".into());
                }
                None => {
                    found.insert(key, read);
                }
            }
        }
        found
    }
}

/// Notes, for a preview, which objects the target counted last took its annotations from (a
/// database's, its AppBinding's, or both).
pub fn note_annotation_sources(
    input: &Input<'_, '_>,
    out: &mut Proposals<'_, '_>,
    annotations: &[(String, Annotation)],
) {
    out.detail(None, "annotations", || {
        let mut from: Vec<ItemIndex> = annotations.iter().map(|(_, a)| a.object).collect();
        from.sort_unstable();
        from.dedup();
        let from: Vec<String> = from
            .into_iter()
            .map(|i| ResourceRef::of(input.object(i)).to_string())
            .collect();
        format!("read from {}", from.join(" and "))
    });
}

/// Notes, for a preview, the variables substituted for the target counted last from
/// `blueprint` (`name=value` each), if any were.
pub fn note_variables<'n, 'v>(
    out: &mut Proposals<'_, '_>,
    blueprint: &Rc<str>,
    mut used: impl Iterator<Item = (&'n str, &'v str)>,
) {
    let Some(first) = used.next() else {
        return;
    };
    out.detail(Some(blueprint), "variables", || {
        let used: Vec<String> = std::iter::once(first)
            .chain(used)
            .map(|(name, value)| format!("`{name}={value}`"))
            .collect();
        used.join(", ")
    });
}

/// Warns of every annotation whose key is a misspelling of one of the `family`'s `keys`: such
/// a key does nothing, so the object is backed up otherwise than its author meant, or not at all.
pub fn note_misspelt_annotations(
    input: &Input<'_, '_>,
    out: &mut Proposals<'_, '_>,
    family: &str,
    keys: Keys,
) {
    for (index, fields) in input.select(&[Select::Misspelt(keys)]) {
        for (key, _) in &fields.annotations.entries {
            if let Some(meant) = keys.misspelt(key) {
                out.about(
                    Severity::Warning,
                    index,
                    format!(
                        "{key} is no annotation {family} reads, so it does nothing: did you mean \
                         {meant}?"
                    ),
                )
                .field = Some(annotation_field(key));
            }
        }
    }
}

/// Warns of a blueprint that is not local configuration: it would be applied to the cluster
/// with the rest, where the `family`'s operator acts on the targets' annotations too and writes
/// the objects this function generates, so two writers would own them.
fn note_applied_blueprint(
    input: &Input<'_, '_>,
    out: &mut Proposals<'_, '_>,
    blueprint: ItemIndex,
    family: &str,
) {
    if kpt::is_local_config(input.object(blueprint)) {
        return;
    }
    out.about(
        Severity::Warning,
        blueprint,
        format!(
            "this BackupBlueprint is not marked {LOCAL_CONFIG}: \"true\", so it is applied to the \
             cluster with the rest, where {family}'s operator acts on the targets' annotations too \
             and writes the objects this function generates: two writers for each. Add the \
             annotation; kpt live apply, kustomize and this function's stream mode then leave the \
             blueprint out"
        ),
    )
    .field = Some(annotation_field(LOCAL_CONFIG));
}

pub fn note_no_targets(
    input: &Input<'_, '_>,
    out: &mut Proposals<'_, '_>,
    first_blueprint: Option<ItemIndex>,
    annotations: &[&'static str],
) {
    let Some(first_blueprint) = first_blueprint else {
        return;
    };
    let annotated: Vec<Select> = annotations.iter().map(|a| Select::Annotated(a)).collect();
    if input.select(&annotated).next().is_some() {
        return;
    }
    let annotation = annotations[0];
    out.about(
        Severity::Warning,
        first_blueprint,
        format!(
            "the input holds BackupBlueprints but no object annotated with {annotation}, so \
             nothing is generated: run this function where the annotated databases, workloads \
             or claims are (in kustomize, the kustomization that lists them, such as an overlay, \
             not a base with only the blueprints), and check the annotation's spelling"
        ),
    );
}
