//! Finding a family's BackupBlueprints and the one a target names: reading each (its problems
//! reported), a name two blueprints share, a blueprint that would reach the cluster, and a name
//! with no blueprint (its severity from the options, a did-you-mean, and the earlier output it
//! made kept, as the blueprint may come back).

use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;

use crate::engine::config::{Config, MissingBlueprint};
use crate::engine::family::{Input, Select};
use crate::engine::fields::Problems;
use crate::engine::finding::{Finding, Fix, Found};
use crate::engine::reconcile::Proposals;
use crate::krm::kpt::{self, LOCAL_CONFIG};
use crate::krm::object::{ItemIndex, ObjectFields};
use crate::krm::results::{ResourceRef, Severity, annotation_field};
use crate::suggest;
use crate::yaml::tree::Tree;

/// What targets name a blueprint by.
pub trait BlueprintKey: Clone + Eq + Hash {
    /// Whether blueprints are cluster-scoped (names alone must be unique).
    const CLUSTER_SCOPED: bool;

    /// The key of a blueprint object; none without one.
    fn of(fields: &ObjectFields<'_>) -> Option<Self>;

    /// As targets write it, and as our marker records it: `pg-daily`, `backup/daily`.
    fn written(&self) -> String;

    /// As messages show a key `written` so: `` `pg-daily` ``, `backup/daily`.
    fn show(written: &str) -> String;

    /// The namespace of `other` when it has this key's name in another namespace: where a
    /// target that wrote the wrong namespace finds its blueprint.
    fn elsewhere<'k>(&self, other: &'k Self) -> Option<&'k str>;

    /// Its parts, one per annotation that names it, in the order of the reader's
    /// [`BlueprintReader::annotations`]: the name (then the namespace).
    fn parts(&self) -> Vec<&str>;
}

/// A cluster-scoped blueprint's name.
impl BlueprintKey for String {
    const CLUSTER_SCOPED: bool = true;

    fn of(fields: &ObjectFields<'_>) -> Option<Self> {
        fields
            .name
            .text()
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
    }

    fn written(&self) -> String {
        self.clone()
    }

    fn show(written: &str) -> String {
        format!("`{written}`")
    }

    fn elsewhere<'k>(&self, _: &'k Self) -> Option<&'k str> {
        None
    }

    fn parts(&self) -> Vec<&str> {
        vec![self]
    }
}

/// A namespaced blueprint's namespace and name.
impl BlueprintKey for (String, String) {
    const CLUSTER_SCOPED: bool = false;

    fn of(fields: &ObjectFields<'_>) -> Option<Self> {
        let (namespace, name) = (fields.namespace.text()?, fields.name.text()?);
        Some((namespace.to_owned(), name.to_owned()))
    }

    fn written(&self) -> String {
        format!("{}/{}", self.0, self.1)
    }

    fn show(written: &str) -> String {
        written.to_owned()
    }

    fn elsewhere<'k>(&self, other: &'k Self) -> Option<&'k str> {
        (self.1 == other.1 && self.0 != other.0).then_some(other.0.as_str())
    }

    fn parts(&self) -> Vec<&str> {
        vec![&self.1, &self.0]
    }
}

/// Reads one blueprint (the object at an index), its problems into `Problems` (an unusable one
/// gives `None`).
pub type ReadBlueprint<B> = fn(&Tree<'_>, &ObjectFields<'_>, ItemIndex, &Problems) -> Option<B>;

/// A family's blueprints, by key; `None` for a key two blueprints share.
pub struct Blueprints<K, B> {
    pub found: HashMap<K, Option<B>>,
    /// Every blueprint object of each key, usable or not: a target naming the key uses them.
    objects: HashMap<K, Vec<ItemIndex>>,
}

/// How a family finds its BackupBlueprints: the parts that differ between families.
pub struct BlueprintReader<B> {
    pub family: &'static str,
    pub group: &'static str,
    pub is_blueprint: fn(&ObjectFields<'_>) -> bool,
    pub read: ReadBlueprint<B>,
    /// The annotations on a target that name a blueprint, one per part of its key
    /// ([`BlueprintKey::parts`]): the name's first.
    pub annotations: &'static [&'static str],
    /// What separates the names when the name's annotation lists several (Stash's `,`).
    pub separator: Option<char>,
}

impl<B> BlueprintReader<B> {
    /// Every blueprint of the input: each one's problems reported, a warning for one that would
    /// be applied to the cluster, and an error on the second of two with one key.
    pub fn read_all<K: BlueprintKey>(
        &self,
        input: &Input<'_, '_>,
        out: &mut Proposals<'_, '_>,
    ) -> Blueprints<K, B> {
        let mut blueprints = Blueprints {
            found: HashMap::new(),
            objects: HashMap::new(),
        };
        for (i, fields) in input.select(&[Select::Group(self.group)]) {
            if !(self.is_blueprint)(fields) {
                continue;
            }
            let problems = Problems::default();
            let read = (self.read)(input.tree, fields, i, &problems);
            for problem in problems.into_vec() {
                out.report(Found::from(problem).on(i));
            }
            note_applied_blueprint(input, out, i, self.family);
            let Some(key) = K::of(fields) else {
                continue;
            };
            blueprints.objects.entry(key.clone()).or_default().push(i);
            if let Some(slot) = blueprints.found.get_mut(&key) {
                *slot = None;
                let twice = BlueprintFinding::Twice {
                    shown: K::show(&key.written()),
                    cluster_scoped: K::CLUSTER_SCOPED,
                };
                out.found(i, twice).field = Some("metadata.name".into());
            } else {
                blueprints.found.insert(key, read);
            }
        }
        blueprints
    }

    /// The blueprint of `key` that the target counted last names (`annotated` carries the
    /// name): `None` when the input has none (reported, with the options' severity and the
    /// closest key it has) or two (reported already).
    pub fn lookup<'b, K: BlueprintKey>(
        &self,
        input: &Input<'_, '_>,
        blueprints: &'b Blueprints<K, B>,
        key: &K,
        annotated: ItemIndex,
        config: &Config,
        out: &mut Proposals<'_, '_>,
    ) -> Option<&'b B> {
        for &object in blueprints.objects.get(key).into_iter().flatten() {
            out.uses(object);
        }
        match blueprints.found.get(key) {
            Some(found) => found.as_ref(),
            None => {
                self.missing(input, blueprints, key, annotated, config, out);
                None
            }
        }
    }

    /// Reports that the input holds no blueprint of `key`, which the target counted last names
    /// (`annotated` carries the name): with the options' severity, the closest key the input
    /// has, and the namespaces that hold a blueprint of the name.
    fn missing<K: BlueprintKey>(
        &self,
        input: &Input<'_, '_>,
        blueprints: &Blueprints<K, B>,
        key: &K,
        annotated: ItemIndex,
        config: &Config,
        out: &mut Proposals<'_, '_>,
    ) {
        let written = key.written();
        let known: Vec<String> = blueprints.found.keys().map(K::written).collect();
        let meant = suggest::closest(&written, known.iter().map(String::as_str));
        // A blueprint of this name in another namespace is what the target may have meant,
        // unless the did-you-mean names it already.
        let mut elsewhere: Vec<&str> = (blueprints.found.keys())
            .filter(|other| meant != Some(other.written().as_str()))
            .filter_map(|other| key.elsewhere(other))
            .collect();
        elsewhere.sort_unstable();
        let meant_key = meant.and_then(|m| blueprints.found.keys().find(|k| k.written() == m));
        let fix = meant_key.and_then(|meant| self.fix(input, annotated, key, meant));
        // The result points at the annotation its fix is for: the namespace's, when that is the
        // one misspelt; else at the name's, as the message names it first.
        let field = fix
            .as_ref()
            .map_or(self.annotations[0], |(annotation, _)| *annotation);
        let missing = BlueprintFinding::Missing {
            shown: K::show(&written),
            meant: meant.map(K::show),
            elsewhere: elsewhere.into_iter().map(str::to_owned).collect(),
            annotations: self.annotations,
            target: ResourceRef::of(input.object(annotated)),
            severity: match config.missing_blueprint {
                MissingBlueprint::Error => Severity::Error,
                MissingBlueprint::Warning => Severity::Warning,
            },
            fix: fix.map(|(_, fix)| Box::new(fix)),
        };
        out.found(annotated, missing).field = Some(annotation_field(field));
    }

    /// The annotation to change, and how, for a target annotated at `annotated` to name `meant`
    /// rather than `key`: when they differ in one part (the name, or the namespace), the
    /// annotation of that part with the misspelt name replaced, the rest of its value (the
    /// other names a list holds, spaces) as written. None when both parts differ (no one field
    /// is the fix), or the object that carries the name does not carry that annotation (a
    /// database's AppBinding may).
    fn fix<K: BlueprintKey>(
        &self,
        input: &Input<'_, '_>,
        annotated: ItemIndex,
        key: &K,
        meant: &K,
    ) -> Option<(&'static str, Fix)> {
        let (wrong, right) = (key.parts(), meant.parts());
        let mut differ = (0..wrong.len()).filter(|&i| wrong[i] != right[i]);
        let (Some(part), None) = (differ.next(), differ.next()) else {
            return None;
        };
        let annotation = self.annotations[part];
        let current = input.object(annotated).annotation(annotation)?;
        // Only the name's annotation lists names; a namespace is one.
        let separator = self.separator.filter(|_| part == 0);
        let proposed = suggest::replace_listed(current, separator, wrong[part], right[part])?;
        let current = current.to_owned();
        Some((annotation, Fix::Value { current, proposed }))
    }
}

/// Warns of a blueprint that is not local configuration: it would be applied to the cluster
/// with the rest, where the `family`'s operator acts on the targets' annotations too and writes
/// the objects this function generates, so two writers would own them.
fn note_applied_blueprint(
    input: &Input<'_, '_>,
    out: &mut Proposals<'_, '_>,
    blueprint: ItemIndex,
    family: &'static str,
) {
    if kpt::is_local_config(input.object(blueprint)) {
        return;
    }
    out.found(blueprint, BlueprintFinding::Applied { family })
        .field = Some(annotation_field(LOCAL_CONFIG));
}

/// What reading the blueprints, and looking up the one a target names, finds.
#[derive(Debug)]
pub enum BlueprintFinding {
    /// Two blueprints that targets cannot tell apart.
    Twice {
        /// How messages show its name (`` `pg-daily` ``, `backup/daily`).
        shown: String,
        cluster_scoped: bool,
    },
    /// A blueprint that would be applied to the cluster, where the family's operator writes
    /// the same objects.
    Applied { family: &'static str },
    /// A target naming a blueprint the input does not hold.
    Missing {
        /// How messages show the name it wrote.
        shown: String,
        /// The closest blueprint the input holds, shown the same way.
        meant: Option<String>,
        /// The namespaces that hold a blueprint of this name (namespaced blueprints).
        elsewhere: Vec<String>,
        /// The annotations that name the blueprint.
        annotations: &'static [&'static str],
        target: ResourceRef,
        /// An error, unless `missingBlueprint: warning`.
        severity: Severity,
        /// The value of the annotation the result points at that names the blueprint meant,
        /// when the did-you-mean is one annotation's fix.
        fix: Option<Box<Fix>>,
    },
}

impl fmt::Display for BlueprintFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlueprintFinding::Twice {
                shown,
                cluster_scoped: true,
            } => write!(
                f,
                "two BackupBlueprints are named {shown}: blueprints are cluster-scoped, so names \
                 must be unique; targets using {shown} are skipped until one is renamed"
            ),
            BlueprintFinding::Twice { shown, .. } => write!(
                f,
                "two BackupBlueprints are named {shown}; targets using it are skipped until one \
                 is renamed"
            ),
            BlueprintFinding::Applied { family } => write!(
                f,
                "this BackupBlueprint is not marked {LOCAL_CONFIG}: \"true\", so it is applied to \
                 the cluster with the rest, where {family}'s operator acts on the targets' \
                 annotations too and writes the objects this function generates: two writers for \
                 each. Add the annotation; kpt live apply, kustomize and this function's stream \
                 mode then leave the blueprint out"
            ),
            BlueprintFinding::Missing {
                shown,
                meant,
                elsewhere,
                annotations,
                target,
                ..
            } => {
                write!(f, "BackupBlueprint {shown} not found")?;
                if let Some(meant) = meant {
                    write!(f, " (did you mean {meant}?)")?;
                }
                if !elsewhere.is_empty() {
                    let plural = if elsewhere.len() == 1 { "" } else { "s" };
                    write!(
                        f,
                        " (the input has one of this name in namespace{plural} {}: is the \
                         namespace annotation wrong?)",
                        elsewhere.join(", ")
                    )?;
                }
                let (annotations, plural) = match annotations {
                    [one] => ((*one).to_owned(), ""),
                    many => (many.join(" and "), "s"),
                };
                write!(
                    f,
                    ": add it to the input or fix the {annotations} annotation{plural} on {target}"
                )
            }
        }
    }
}

impl Finding for BlueprintFinding {
    fn severity(&self) -> Severity {
        match self {
            BlueprintFinding::Twice { .. } => Severity::Error,
            BlueprintFinding::Applied { .. } => Severity::Warning,
            BlueprintFinding::Missing { severity, .. } => *severity,
        }
    }

    fn tag(&self) -> &'static str {
        match self {
            BlueprintFinding::Twice { .. } => "blueprint-named-twice",
            BlueprintFinding::Applied { .. } => "blueprint-not-local-config",
            BlueprintFinding::Missing { .. } => "blueprint-not-found",
        }
    }

    fn fix(&self) -> Option<Fix> {
        match self {
            BlueprintFinding::Missing { fix, .. } => fix.as_deref().cloned(),
            _ => None,
        }
    }
}

/// Reads the one blueprint of a ResourceList whose item is `item` (a flow mapping), as a family
/// that declared `interest` reads it: the blueprint and its problems.
#[cfg(test)]
pub fn read_one<B>(
    read: ReadBlueprint<B>,
    interest: &crate::krm::read::Interest,
    item: &str,
) -> (Option<B>, Vec<crate::engine::fields::FieldProblem>) {
    let src =
        format!("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {item}\n");
    let parsed = crate::krm::read::yaml::read(&src, interest).expect("YAML");
    let problems = Problems::default();
    let fields = parsed.items()[0].fields().expect("kept");
    let blueprint = read(&parsed.tree, fields, 0, &problems);
    (blueprint, problems.into_vec())
}
