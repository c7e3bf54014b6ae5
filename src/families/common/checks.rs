//! The checks both families make of a target and of the objects that look like one, and the
//! notes they leave for a preview.

use std::collections::HashSet;
use std::fmt;
use std::rc::Rc;

use super::kinds;
use super::subjects::{self, Annotation, Candidate, DATABASES, Makeup};
use crate::engine::config::Config;
use crate::engine::family::{Input, Select};
use crate::engine::finding::{Finding, Fix, Info};
use crate::engine::k8s_names::{self, NAME_RULE, NAMESPACE_RULE};
use crate::engine::reconcile::Proposals;
use crate::krm::object::{Field, ItemIndex, ObjectFields};
use crate::krm::results::{ResourceRef, Severity, annotation_field};
use crate::suggest::{Keys, Stray};

/// What every family does first with a target: counts it (with the objects findings about it
/// may name, a second database of its name included), then checks that it has a namespace (its
/// own, else the defaultNamespace option), that KubeDB could give it an AppBinding, that its
/// objects have no duplicate key, and that Kubernetes accepts its name and namespace. Problems
/// are reported through `out`; the namespace comes back when there are none.
pub fn checked_namespace(
    input: &Input<'_, '_>,
    config: &Config,
    target: &Candidate,
    annotated: ItemIndex,
    out: &mut Proposals<'_, '_>,
) -> Option<String> {
    let objects = target.objects();
    let mut related = objects.clone();
    related.extend(target.two_databases().map(|(_, second)| second));
    related.extend(&target.maybe);
    out.target(annotated, related);
    let namespace = target
        .namespace
        .clone()
        .or_else(|| config.default_namespace.clone());
    let Some(namespace) = namespace else {
        out.found(annotated, TargetFinding::NoNamespace).field = Some("metadata.namespace".into());
        return None;
    };
    if let Some((first, second)) = target.two_databases() {
        let [first, second_ref] = [first, second].map(|i| ResourceRef::of(input.object(i)));
        let two = TargetFinding::TwoDatabases {
            first,
            second: second_ref,
            name: target.name.clone(),
            namespace,
        };
        out.found(second, two).field = Some("metadata.name".into());
        return None;
    }
    (no_duplicate_keys(input, &objects, out) && valid_names(target, &namespace, out))
        .then_some(namespace)
}

/// Whether no object of a target has a key twice (reported when one does).
fn no_duplicate_keys(
    input: &Input<'_, '_>,
    objects: &[ItemIndex],
    out: &mut Proposals<'_, '_>,
) -> bool {
    for &index in objects {
        let fields = input.object(index).fields();
        if let Some(key) = fields.and_then(|f| f.duplicate_key.as_ref()) {
            let key = key.to_string();
            let field = Some(key.clone());
            out.found(index, TargetFinding::DuplicateKey { key }).field = field;
            return false;
        }
    }
    true
}

/// Whether Kubernetes accepts the target's name and `namespace` (reported when not), before
/// they become part of other names.
fn valid_names(target: &Candidate, namespace: &str, out: &mut Proposals<'_, '_>) -> bool {
    // A database target is named by its database, else its AppBinding.
    let named = match target.makeup {
        Makeup::Database {
            app_binding,
            database,
            ..
        } => database.or(app_binding).unwrap_or(target.position),
        Makeup::Object { object, .. } => object,
    };
    if !k8s_names::is_dns_subdomain(&target.name) {
        let name = target.name.clone();
        out.found(named, TargetFinding::InvalidName { name }).field = Some("metadata.name".into());
        return false;
    }
    if !k8s_names::is_dns_label(namespace) {
        let namespace = namespace.to_owned();
        out.found(named, TargetFinding::InvalidNamespace { namespace })
            .field = Some("metadata.namespace".into());
        return false;
    }
    true
}

/// What keeps an object that looks like a target from being one: metadata that cannot be read,
/// no name, or a key the family reads (`keys`) on an object of a kind the family does not back up
/// (`watched` are the kinds it does). Each such object is reported here, once.
pub fn note_not_targets(
    input: &Input<'_, '_>,
    out: &mut Proposals<'_, '_>,
    family: &'static str,
    targets: &[Candidate],
    keys: Keys,
    watched: &[&str],
) {
    let in_target: HashSet<ItemIndex> = targets.iter().flat_map(Candidate::objects).collect();
    let select = [DATABASES[0], DATABASES[1], Select::Concerning(keys)];
    for (i, fields) in input.select(&select) {
        let database = subjects::is_database(fields) || subjects::is_app_binding(fields);
        let entries = &fields.annotations.entries;
        let Some((key, _)) = entries.iter().find(|(k, _)| keys.reads(k)) else {
            if database {
                unreadable(fields, i, out);
            }
            continue;
        };
        if (database && unreadable(fields, i, out)) || in_target.contains(&i) {
            continue;
        }
        if database || kinds::kind_of(fields, watched).is_some() {
            // With a name, it shares its target's name with an object of that target (a second
            // AppBinding, a third database), which the target's checks report.
            if fields.name.text().is_none() {
                out.found(i, TargetFinding::NoName).field = Some("metadata.name".into());
            }
        } else {
            let kinds = kinds::listed(watched);
            out.found(i, TargetFinding::NotATarget { family, kinds })
                .field = Some(annotation_field(key));
        }
    }
}

/// Reports the annotations of the family's (`keys`) whose value is no string: Kubernetes refuses
/// an object with one, and what it meant cannot be read. `forms` gives, by key or prefix, what
/// to write instead.
pub fn note_unreadable_annotations(
    input: &Input<'_, '_>,
    out: &mut Proposals<'_, '_>,
    keys: Keys,
    forms: &[(&str, &'static str)],
) {
    for (index, fields) in input.select(&[Select::Concerning(keys)]) {
        for (key, value) in &fields.annotations.entries {
            if *value != Field::NotText || !keys.reads(key) {
                continue;
            }
            let form = forms
                .iter()
                .find(|(k, _)| key.starts_with(k))
                .map_or("a string", |(_, form)| form);
            let key = key.to_string();
            let field = Some(annotation_field(&key));
            out.found(index, KeyFinding::NotAString { key, form }).field = field;
        }
    }
}

/// A candidate that carries keys the family reads but not `primary`, without which they do
/// nothing: reported (once, on the object carrying the first of them); whether it was.
pub fn orphaned(
    target: &Candidate,
    primary: &'static str,
    keys: Keys,
    out: &mut Proposals<'_, '_>,
) -> bool {
    if target.annotation(primary).is_some() {
        return false;
    }
    let found: Vec<&(String, Annotation)> = target
        .annotations
        .iter()
        .filter(|(k, _)| keys.reads(k))
        .collect();
    let Some((first, annotation)) = found.first() else {
        return false;
    };
    let field = Some(annotation_field(first));
    let orphan = KeyFinding::Orphaned {
        keys: found.iter().map(|(k, _)| k.clone()).collect(),
        primary,
    };
    out.found(annotation.object, orphan).field = field;
    true
}

/// Whether a database's metadata or annotations cannot be read (reported when so).
fn unreadable(fields: &ObjectFields<'_>, index: ItemIndex, out: &mut Proposals<'_, '_>) -> bool {
    let (finding, field) = if fields.metadata_not_map {
        (TargetFinding::MetadataNotMapping, "metadata")
    } else if fields.annotations.not_map {
        (TargetFinding::AnnotationsNotMapping, "metadata.annotations")
    } else {
        return false;
    };
    out.found(index, finding).field = Some(field.into());
    true
}

/// Warns of every stray annotation key of the `family`'s (a misspelling of a key it reads, or
/// another key in its domain): such a key does nothing, so the object is backed up otherwise
/// than its author meant, or not at all.
pub fn note_stray_annotations(
    input: &Input<'_, '_>,
    out: &mut Proposals<'_, '_>,
    family: &'static str,
    keys: Keys,
) {
    for (index, fields) in input.select(&[Select::Concerning(keys)]) {
        if fields.stray & keys.bit == 0 {
            continue;
        }
        for (key, value) in &fields.annotations.entries {
            if let Some(stray) = keys.stray(key) {
                let stray = KeyFinding::Stray {
                    key: key.to_string(),
                    value: value.text().map(str::to_owned),
                    family,
                    stray,
                    keys,
                };
                out.found(index, stray).field = Some(annotation_field(key));
            }
        }
    }
}

/// Blueprints and no object carrying any of `annotations` at all: typical of a kustomize base
/// that holds the blueprints while the databases live in an overlay, or of a target annotated
/// with another key. A warning on the first blueprint says where to look, naming the first of
/// `annotations`.
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
    out.found(first_blueprint, TargetFinding::NoTargets { annotation });
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

/// What the checks of a target, and of the objects that look like one, find.
#[derive(Debug)]
pub enum TargetFinding {
    /// A target without a namespace, and no default: nothing is generated for it.
    NoNamespace,
    /// Two databases of one name and namespace: KubeDB would give both one AppBinding.
    TwoDatabases {
        first: ResourceRef,
        second: ResourceRef,
        name: String,
        namespace: String,
    },
    /// A key written twice in one mapping of the object.
    DuplicateKey { key: String },
    /// A target's name Kubernetes would refuse.
    InvalidName { name: String },
    /// A target's namespace Kubernetes would refuse.
    InvalidNamespace { namespace: String },
    /// A database or AppBinding whose metadata is not a mapping.
    MetadataNotMapping,
    /// A database or AppBinding whose annotations are not a mapping of strings.
    AnnotationsNotMapping,
    /// An annotated target without a name.
    NoName,
    /// An annotated object of a kind the family does not back up.
    NotATarget {
        family: &'static str,
        /// The kinds it handles besides databases and AppBindings (`Deployments, …`).
        kinds: String,
    },
    /// Blueprints, and no object carrying the family's annotation.
    NoTargets { annotation: &'static str },
}

impl fmt::Display for TargetFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use TargetFinding::*;
        match self {
            NoNamespace => f.write_str(
                "no metadata.namespace: nothing is generated for this target; set the namespace \
                 before this function runs (kustomize `namespace:` or kpt set-namespace), or give \
                 the defaultNamespace option (an ArgoCD plugin gets its app's namespace)",
            ),
            TwoDatabases { first, second, .. } if first.kind == second.kind => write!(
                f,
                "{first} is in the input twice (as {} and as {}): it is one database, and \
                 KubeDB gives it one AppBinding; keep one of the two objects",
                first.api_version, second.api_version
            ),
            TwoDatabases {
                first,
                second,
                name,
                namespace,
            } => write!(
                f,
                "{first} and {second} are both KubeDB databases named `{name}` in namespace \
                 {namespace}: KubeDB gives each an AppBinding of that name, so only one of them \
                 can exist; rename one"
            ),
            DuplicateKey { key } => write!(f, "key `{key}` appears twice: remove one"),
            InvalidName { name } => write!(
                f,
                "metadata.name {name:?} is not a valid Kubernetes name ({NAME_RULE}); nothing is \
                 generated for it"
            ),
            InvalidNamespace { namespace } => write!(
                f,
                "metadata.namespace {namespace:?} is not a valid Kubernetes namespace \
                 ({NAMESPACE_RULE}); nothing is generated for it"
            ),
            MetadataNotMapping => f.write_str("metadata must be a mapping"),
            AnnotationsNotMapping => f.write_str(
                "metadata.annotations must be a mapping of strings, so the backup annotations \
                 cannot be read",
            ),
            NoName => f.write_str("a target needs metadata.name"),
            NotATarget { family, kinds } => write!(
                f,
                "not a {family} target of stash-autobackup, which handles KubeDB databases \
                 (kubedb.com/v1alpha2 and v1), AppBindings, {kinds}; this object's auto-backup is \
                 left to the {family} operator"
            ),
            NoTargets { annotation } => write!(
                f,
                "the input holds BackupBlueprints but no object annotated with {annotation}, so \
                 nothing is generated: run this function where the annotated databases, workloads \
                 or claims are (in kustomize, the kustomization that lists them, such as an \
                 overlay, not a base with only the blueprints), and check the annotation's \
                 spelling"
            ),
        }
    }
}

impl Finding for TargetFinding {
    fn severity(&self) -> Severity {
        use TargetFinding::*;
        match self {
            NoNamespace | NoTargets { .. } => Severity::Warning,
            NotATarget { .. } => Severity::Info,
            TwoDatabases { .. }
            | DuplicateKey { .. }
            | InvalidName { .. }
            | InvalidNamespace { .. }
            | MetadataNotMapping
            | AnnotationsNotMapping
            | NoName => Severity::Error,
        }
    }

    fn class(&self) -> Option<Info> {
        matches!(self, TargetFinding::NotATarget { .. }).then_some(Info::NotATarget)
    }

    fn tag(&self) -> &'static str {
        use TargetFinding::*;
        match self {
            NoNamespace => "no-namespace",
            TwoDatabases { .. } => "two-databases",
            DuplicateKey { .. } => "duplicate-key",
            InvalidName { .. } => "invalid-name",
            InvalidNamespace { .. } => "invalid-namespace",
            // Either way the backup annotations cannot be read.
            MetadataNotMapping | AnnotationsNotMapping => "unreadable-metadata",
            NoName => "no-name",
            NotATarget { .. } => "not-a-target",
            NoTargets { .. } => "no-targets",
        }
    }
}

/// What the checks of a family's annotation keys find.
#[derive(Debug)]
pub enum KeyFinding {
    /// A key that looks like one of the family's and is none it reads.
    Stray {
        key: String,
        /// Its value, when a string: what the key meant would hold.
        value: Option<String>,
        family: &'static str,
        stray: Stray,
        /// The keys the family reads, to list them.
        keys: Keys,
    },
    /// An annotation of the family's whose value is a list or a mapping.
    NotAString { key: String, form: &'static str },
    /// Keys of the family's without the one that asks for a backup.
    Orphaned {
        keys: Vec<String>,
        primary: &'static str,
    },
}

impl fmt::Display for KeyFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use KeyFinding::*;
        match self {
            Stray {
                key,
                family,
                stray: crate::suggest::Stray::Misspelt(meant),
                ..
            } => write!(
                f,
                "{key} is no annotation {family} reads, so it does nothing: did you mean {meant}?"
            ),
            Stray {
                key, family, keys, ..
            } => {
                let prefixes = keys.prefixes.iter().map(|p| format!("{p}<name>"));
                let read: Vec<String> = keys
                    .whole
                    .iter()
                    .map(|k| (*k).to_owned())
                    .chain(prefixes)
                    .collect();
                write!(
                    f,
                    "{key} is no annotation {family} reads, so it does nothing; {family} reads {}",
                    read.join(", ")
                )
            }
            NotAString { key, form } => write!(
                f,
                "{key} is a list or a mapping, but an annotation is a string (Kubernetes refuses \
                 the object): write {form}"
            ),
            Orphaned { keys, primary } => write!(
                f,
                "{} {} nothing without {primary}: add it (naming the blueprint to use), or remove \
                 {}",
                keys.join(", "),
                if keys.len() == 1 { "does" } else { "do" },
                if keys.len() == 1 { "it" } else { "them" }
            ),
        }
    }
}

impl Finding for KeyFinding {
    fn severity(&self) -> Severity {
        match self {
            KeyFinding::NotAString { .. } => Severity::Error,
            KeyFinding::Stray { .. } | KeyFinding::Orphaned { .. } => Severity::Warning,
        }
    }

    fn tag(&self) -> &'static str {
        match self {
            KeyFinding::Stray {
                stray: Stray::Misspelt(_),
                ..
            } => "misspelt-key",
            KeyFinding::Stray { .. } => "unknown-key",
            KeyFinding::NotAString { .. } => "annotation-not-a-string",
            KeyFinding::Orphaned { .. } => "orphaned-keys",
        }
    }

    /// A misspelt key: the key meant, the value kept (see [`Fix::Key`]).
    fn fix(&self) -> Option<Fix> {
        match self {
            KeyFinding::Stray {
                stray: Stray::Misspelt(meant),
                value,
                ..
            } => Some(Fix::Key {
                current: value.clone(),
                key: meant.clone(),
            }),
            _ => None,
        }
    }
}
