//! Reconciliation: the objects families propose, against the earlier output in the input.
//!
//! Family-agnostic rules live here, once: a hand-written object wins over a generated one of the
//! same kind, namespace and name; earlier output of ours is kept byte for byte when it is still
//! right, replaced when it changed (keeping its kpt file), and pruned when nothing asks for it
//! any more, but only when the run is sure (no errors, and no missing blueprint that might still
//! want it); two proposals for one object are an error, never a silent overwrite. Each decided
//! object goes to the output at once through the framing's writer, so a run never holds the
//! trees of all generated objects.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::config::{Config, Info};
use super::ownership::{self, MARKER};
use crate::krm::changes::{Appended, Changes};
use crate::krm::kpt::{self, Holder, NewFiles, Owner, Place};
use crate::krm::object::{GroupKind, ItemIndex, Object, ObjectKey};
use crate::krm::results::{self, KrmResult, ResourceRef, Severity};
use crate::yaml::emit::Value;
use crate::yaml::tree::Tree;

/// What reconciliation needs to know of a family: the kinds it generates (its earlier output is
/// recognised and pruned only among them), and what to suggest when two of its targets would
/// generate one object.
#[derive(Debug, Clone, Copy)]
pub struct Generates {
    /// The family's name, which its results carry.
    pub family: &'static str,
    pub kinds: &'static [GroupKind],
    pub collision_hint: &'static str,
}

/// Writes a decided object as text for its place in the output, after the lines of a comment.
pub type Writer<'w> = dyn FnMut(&Value<'_>, &[&str]) -> String + 'w;

/// One object a family wants in the output.
#[derive(Debug)]
pub struct Proposal<'t> {
    /// The object, without our marker or kpt's file annotations (reconciliation adds those).
    pub value: Value<'t>,
    pub key: ObjectKey,
    /// What made it, recorded in the marker: the blueprint's name (shared by all it makes).
    pub provenance: Rc<str>,
    /// The input object the user annotated: results about this proposal point at it.
    pub subject: ItemIndex,
    /// The target the object is for, as the family names it (`AppBinding shop/orders`), to tell
    /// a renamed object from one nothing asks for.
    pub target: Rc<str>,
    /// Where it lands when new (kpt): a file, and the index it wants in it.
    pub file: Option<(NewFile, i64)>,
}

/// A file chosen for new objects: its package (kpt render of subpackages) and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    pub package: Option<String>,
    pub path: String,
}

/// What made a proposed object.
#[derive(Debug)]
struct Made {
    family: usize,
    subject: ItemIndex,
    provenance: Rc<str>,
    target: Rc<str>,
}

/// What reconciliation did with one object, for a preview of the run (`explain`): recorded as
/// decided, never derived again.
#[derive(Debug, Clone)]
pub struct Decision {
    pub family: usize,
    /// The input object the user annotated (none for pruned earlier output).
    pub subject: Option<ItemIndex>,
    pub provenance: Rc<str>,
    pub key: ObjectKey,
    pub outcome: Outcome,
    /// The schedules the object holds (`spec.schedule`, a session's `scheduler.schedule`).
    pub schedules: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Not in the input yet: appended.
    New,
    /// Our earlier copy means the same: kept byte for byte.
    Unchanged,
    /// Our earlier copy differs: replaced.
    Updated,
    /// A hand-written object of its name (the input item) holds its place.
    Blocked(ItemIndex),
    /// Another target's proposal made an object of its name first.
    Collision,
    /// Earlier output nothing asks for any more: removed, and why.
    Pruned(String),
}

/// What a run of reconciliation leaves: the changes to the input, the targets the families
/// counted, and the decisions.
#[derive(Debug)]
pub struct Finished {
    pub changes: Changes,
    pub targets: Vec<Counted>,
    pub decisions: Vec<Decision>,
    /// How many `info` results the option `silence` left out.
    pub silenced: usize,
}

/// A target a family counted.
#[derive(Debug, Clone)]
pub struct Counted {
    pub family: usize,
    /// The object the user annotated.
    pub subject: ItemIndex,
    /// The input objects that make it up or stand in its way (a database of its name), which
    /// results about it may name.
    pub objects: Vec<ItemIndex>,
    /// The blueprints it names that the input holds: when it gets nothing, their problems may
    /// be why.
    pub uses: Vec<ItemIndex>,
    /// How its objects were made, as its family tells it (recorded for a preview only).
    pub details: Vec<Detail>,
}

/// A fact about how a target's objects were made, for a preview: where its annotations were
/// read, a schedule and where it came from, the variables used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    /// The blueprint it is about, as the objects' marker names it; none for the target alone.
    pub blueprint: Option<Rc<str>>,
    pub label: &'static str,
    pub value: String,
}

/// The schedules of a generated object: every string under a `schedule` key.
fn schedules(value: &Value<'_>, out: &mut Vec<String>) {
    match value {
        Value::Map(entries) => {
            for (k, v) in entries {
                match (k.scalar().as_deref(), v.scalar()) {
                    (Some("schedule"), Some(text)) => out.push(text.into_owned()),
                    _ => schedules(v, out),
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|v| schedules(v, out)),
        _ => {}
    }
}

#[derive(Debug)]
struct Existing {
    index: ItemIndex,
    ours: bool,
}

/// The state of one run's reconciliation, across families.
pub struct Reconciler<'r, 'a> {
    tree: &'r Tree<'a>,
    objects: &'r [Object<'a>],
    families: &'r [Generates],
    mark: bool,
    /// New objects get kpt file annotations (a ResourceList from kpt), or none (a stream).
    files: Option<NewFiles>,
    write: &'r mut Writer<'r>,
    existing: HashMap<ObjectKey, Existing>,
    /// Every object proposed so far, and what made it.
    generated: HashMap<ObjectKey, Made>,
    /// (family, provenance) whose earlier output must stay: a blueprint that targets name but
    /// the input lacks.
    protected: HashSet<(usize, String)>,
    targets: Vec<Counted>,
    /// Decisions are recorded only for a preview: a plain run does not pay for them.
    record: bool,
    decisions: Vec<Decision>,
    /// The classes of `info` results to leave out.
    silence: Vec<Info>,
    changes: Changes,
}

/// What a family sees of reconciliation: where it proposes objects and reports findings.
pub struct Proposals<'p, 'r> {
    reconciler: &'p mut Reconciler<'r, 'r>,
    family: usize,
}

impl<'r> Reconciler<'r, 'r> {
    /// `results` are reported before anything else (problems with the options); `kpt_files`
    /// gives new objects a file beside their target.
    pub fn new(
        tree: &'r Tree<'r>,
        objects: &'r [Object<'r>],
        families: &'r [Generates],
        config: &Config,
        kpt_files: bool,
        write: &'r mut Writer<'r>,
        results: Vec<KrmResult>,
    ) -> Self {
        let mut reconciler = Reconciler {
            tree,
            objects,
            families,
            mark: config.mark_generated,
            files: kpt_files.then(|| NewFiles::new(holders(objects))),
            write,
            existing: HashMap::new(),
            generated: HashMap::new(),
            protected: HashSet::new(),
            targets: Vec::new(),
            record: false,
            decisions: Vec::new(),
            silence: config.silence.clone(),
            changes: Changes {
                results,
                ..Changes::default()
            },
        };
        reconciler.existing = reconciler.find_existing();
        reconciler
    }

    /// The family (by position) that generates objects like `object`, and their kind, if any.
    fn family_of(&self, object: &Object<'_>) -> Option<(usize, GroupKind)> {
        let fields = object.fields()?;
        let (group, kind) = (fields.group()?, fields.kind.text()?);
        self.families.iter().enumerate().find_map(|(i, f)| {
            f.kinds
                .iter()
                .find(|gk| gk.group == group && gk.kind == kind)
                .map(|gk| (i, *gk))
        })
    }

    /// Objects of the kinds families generate, hand-written or ours.
    fn find_existing(&self) -> HashMap<ObjectKey, Existing> {
        let mut map = HashMap::new();
        for (index, object) in self.objects.iter().enumerate() {
            let (Some((_, kind)), Some(fields)) = (self.family_of(object), object.fields()) else {
                continue;
            };
            let key = ObjectKey::of(kind, fields);
            let this = Existing {
                index,
                ours: ownership::marker(object).is_some(),
            };
            // A hand-written object wins over our earlier one of the same name, wherever each
            // stands in the input. Of several earlier ones, the last wins: the one a run appends
            // again goes to the end, so the next run picks it again (the first would flip each
            // run).
            match map.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(this);
                }
                Entry::Occupied(mut slot) if slot.get().ours => {
                    slot.insert(this);
                }
                Entry::Occupied(_) => {}
            }
        }
        map
    }

    /// Lets the family at `family` propose objects and report findings.
    pub fn proposals(&mut self, family: usize) -> Proposals<'_, 'r> {
        Proposals {
            reconciler: self,
            family,
        }
    }

    /// Records every decision from now on, for a preview of the run (`explain`).
    pub fn record_decisions(&mut self) {
        self.record = true;
    }

    pub fn has_errors(&self) -> bool {
        self.changes.has_errors()
    }

    pub fn results(&mut self) -> &mut Vec<KrmResult> {
        &mut self.changes.results
    }

    /// Reports a finding of reconciling `family`'s proposals.
    fn result(
        &mut self,
        family: usize,
        severity: Severity,
        object: ItemIndex,
        message: String,
    ) -> &mut KrmResult {
        let result = KrmResult {
            family: Some(self.families[family].family),
            ..KrmResult::about(severity, &self.objects[object], message)
        };
        let results = &mut self.changes.results;
        results.push(result);
        let last = results.len() - 1;
        &mut results[last]
    }

    /// ``<Kind> <ns>/<name> with blueprint `<provenance>` ``: the pair that made an object.
    fn pair(&self, subject: ItemIndex, provenance: &str) -> String {
        format!(
            "{} with blueprint `{provenance}`",
            ResourceRef::of(&self.objects[subject])
        )
    }

    fn propose(&mut self, family: usize, proposal: Proposal<'_>) {
        let Proposal {
            mut value,
            key,
            provenance,
            subject,
            target,
            file,
        } = proposal;
        if let Some(other) = self.generated.get(&key) {
            let message = format!(
                "{} {}/{} would be generated twice, for {} and for {}: {}",
                key.kind,
                key.namespace,
                key.name,
                self.pair(other.subject, &other.provenance),
                self.pair(subject, &provenance),
                self.families[family].collision_hint,
            );
            self.result(family, Severity::Error, subject, message);
            self.decide(
                family,
                Some(subject),
                &provenance,
                &key,
                Outcome::Collision,
                &value,
            );
            return;
        }
        // An object that replaces earlier output of ours keeps kpt's tracking annotations, so
        // it stays in its file; a new one gets the file it was given.
        let tracking = match (self.existing.get(&key), &self.files, file) {
            (Some(e), _, _) if e.ours => kpt::tracking_annotations(&self.objects[e.index]),
            (_, Some(files), Some((file, wanted))) => {
                let package = file.package.as_deref();
                let index = files.index(package, &file.path, wanted);
                kpt::new_file_annotations(package, &file.path, index)
            }
            _ => Vec::new(),
        };
        // Others' labels and annotations on our earlier copy stay on the new one: only what
        // we generate is ours to compare and replace.
        let foreign = match self.existing.get(&key) {
            Some(e) if e.ours => ownership::foreign_metadata(self.tree, &self.objects[e.index]),
            _ => ownership::Foreign::default(),
        };
        let mut annotations = Vec::new();
        if self.mark {
            annotations.push((MARKER.to_owned(), provenance.to_string()));
        }
        annotations.extend(foreign.annotations);
        annotations.extend(tracking);
        ownership::set_metadata(&mut value, foreign.labels, annotations);
        let outcome = match self.existing.get(&key) {
            Some(e) if !e.ours => {
                let index = e.index;
                let pair = self.pair(subject, &provenance);
                self.result(
                    family,
                    Severity::Warning,
                    index,
                    format!(
                        "this {} was not generated by stash-autobackup (it has no {MARKER} \
                         annotation), so it is left alone and nothing is generated in its place \
                         for {pair}; delete it to let the function generate it",
                        key.kind
                    ),
                );
                Outcome::Blocked(index)
            }
            Some(e) => {
                let index = e.index;
                self.changes.remove.insert(index);
                if ownership::unchanged(self.tree, &self.objects[index], &value) {
                    self.changes.append.push(Appended::Kept(index));
                    Outcome::Unchanged
                } else {
                    let mut message = format!("updated: regenerated from blueprint `{provenance}`");
                    if let Some(before) = ownership::marker(&self.objects[index])
                        .filter(|before| *before != &*provenance)
                    {
                        message.push_str(&format!(" (generated earlier from `{before}`)"));
                    }
                    self.result(family, Severity::Info, index, message).class =
                        Some(Info::Updated.name());
                    let text = self.write_generated(&value, subject, &provenance);
                    self.changes.append.push(Appended::Written(text));
                    Outcome::Updated
                }
            }
            None => {
                let text = self.write_generated(&value, subject, &provenance);
                self.changes.append.push(Appended::Written(text));
                Outcome::New
            }
        };
        self.decide(family, Some(subject), &provenance, &key, outcome, &value);
        let made = Made {
            family,
            subject,
            provenance,
            target,
        };
        self.generated.insert(key, made);
    }

    /// A generated object's text, under a comment saying what made it and what to edit instead
    /// (for whoever opens its file): only on marked objects, which later runs rewrite.
    fn write_generated(
        &mut self,
        value: &Value<'_>,
        subject: ItemIndex,
        provenance: &str,
    ) -> String {
        if !self.mark {
            return (self.write)(value, &[]);
        }
        let made = format!(
            "Generated by stash-autobackup from BackupBlueprint `{provenance}` for {}.",
            ResourceRef::of(&self.objects[subject])
        );
        let edit = "Edit the blueprint or the target's annotations instead: each run rewrites this object.";
        (self.write)(value, &[&made, edit])
    }

    fn decide(
        &mut self,
        family: usize,
        subject: Option<ItemIndex>,
        provenance: &Rc<str>,
        key: &ObjectKey,
        outcome: Outcome,
        value: &Value<'_>,
    ) {
        if !self.record {
            return;
        }
        let mut found = Vec::new();
        schedules(value, &mut found);
        self.decisions.push(Decision {
            family,
            subject,
            provenance: provenance.clone(),
            key: key.clone(),
            outcome,
            schedules: found,
        });
    }

    /// Removes earlier output that nothing asks for any more: only when the options were
    /// readable (`config_ok`), the run found no error, and no missing blueprint protects it.
    /// `earlier_target` names the target an earlier object was made for (as families name it in
    /// proposals), so the result can say what happened to it.
    pub fn prune(
        &mut self,
        config_ok: bool,
        earlier_target: &dyn Fn(usize, ItemIndex) -> Option<String>,
    ) {
        let errors = self.changes.has_errors();
        // What each target got in this run, built when a pruned object first asks.
        let mut by_target: Option<TargetIndex<'_>> = None;
        let mut pruned = Vec::new();
        for (index, object) in self.objects.iter().enumerate() {
            let Some(provenance) = ownership::marker(object) else {
                continue;
            };
            let (Some((family, kind)), Some(fields)) = (self.family_of(object), object.fields())
            else {
                continue;
            };
            // Objects already in `remove` are appended again by this run.
            if self.changes.remove.contains(&index) {
                continue;
            }
            // Pruning deletes a backup configuration: only when sure it is no longer wanted.
            if !config_ok || errors || self.protected.contains(&(family, provenance.to_owned())) {
                continue;
            }
            let key = ObjectKey::of(kind, fields);
            let kind = key.kind;
            // Still asked for, but another object of the same name holds its place.
            let why = match self.existing.get(&key) {
                _ if !self.generated.contains_key(&key) => match earlier_target(family, index) {
                    Some(target) => {
                        let made = by_target.get_or_insert_with(|| target_index(&self.generated));
                        why_not_asked(made, family, &target, provenance)
                    }
                    None => "no target asks for it any more".to_owned(),
                },
                Some(e) if e.ours => format!(
                    "the input holds this {kind} more than once and only the last copy is kept"
                ),
                _ => format!("a hand-written {kind} of the same name takes its place"),
            };
            let message =
                format!("pruned: generated earlier from blueprint `{provenance}`, but {why}");
            pruned.push((
                index,
                family,
                Rc::<str>::from(provenance),
                key,
                why,
                KrmResult {
                    class: Some(Info::Pruned.name()),
                    family: Some(self.families[family].family),
                    ..KrmResult::about(Severity::Info, object, message)
                },
            ));
        }
        for (index, family, provenance, key, why, result) in pruned {
            self.changes.remove.insert(index);
            self.changes.results.push(result);
            if self.record {
                self.decisions.push(Decision {
                    family,
                    subject: None,
                    provenance,
                    key,
                    outcome: Outcome::Pruned(why),
                    schedules: Vec::new(),
                });
            }
        }
    }

    /// Makes every warning so far an error (`strict: true`): a target that gets nothing then
    /// fails the run, and nothing is pruned.
    pub fn strict(&mut self) {
        for result in &mut self.changes.results {
            if result.severity == Severity::Warning {
                result.severity = Severity::Error;
                result.message.push_str(" (an error under strict: true)");
            }
        }
    }

    /// The changes, with the closing summary result still to add ([`summarise`]).
    pub fn finish(mut self) -> Finished {
        // Families acting on one object can find one problem of it (a duplicate key, a second
        // database of its name): it is reported once.
        // Then it is no one family's finding. Results are compared in place, without the family.
        let results = &mut self.changes.results;
        let mut keep = vec![true; results.len()];
        let mut shared = Vec::new();
        let mut first: HashMap<_, usize> = HashMap::new();
        for (i, r) in results.iter().enumerate() {
            let key = (
                &r.message,
                r.severity,
                &r.resource_ref,
                &r.field,
                &r.file,
                r.class,
            );
            match first.entry(key) {
                Entry::Occupied(earlier) => {
                    keep[i] = false;
                    if results[*earlier.get()].family != r.family {
                        shared.push(*earlier.get());
                    }
                }
                Entry::Vacant(slot) => {
                    slot.insert(i);
                }
            }
        }
        for i in shared {
            results[i].family = None;
        }
        let mut keep = keep.into_iter();
        results.retain(|_| keep.next().unwrap_or(true));
        let before = results.len();
        results.retain(|r| {
            r.class
                .is_none_or(|class| !self.silence.iter().any(|s| s.name() == class))
        });
        let silenced = before - results.len();
        Finished {
            changes: self.changes,
            targets: self.targets,
            decisions: self.decisions,
            silenced,
        }
    }
}

impl<'t> Proposals<'_, '_> {
    /// Reports a finding.
    pub fn report(&mut self, mut result: KrmResult) -> &mut KrmResult {
        result.family = Some(self.reconciler.families[self.family].family);
        let results = &mut self.reconciler.changes.results;
        results.push(result);
        let last = results.len() - 1;
        &mut results[last]
    }

    /// Reports an `info` of a class a team may silence, about the input object at `object`.
    pub fn info(
        &mut self,
        class: Info,
        object: ItemIndex,
        message: impl Into<String>,
    ) -> &mut KrmResult {
        let result = self.about(Severity::Info, object, message);
        result.class = Some(class.name());
        result
    }

    /// Reports a finding about the input object at `object`.
    pub fn about(
        &mut self,
        severity: Severity,
        object: ItemIndex,
        message: impl Into<String>,
    ) -> &mut KrmResult {
        let result = KrmResult::about(severity, &self.reconciler.objects[object], message);
        self.report(result)
    }

    /// Counts one target: `subject`, the object the user annotated, and `objects`, those
    /// results about it may name (for the summary and the preview).
    pub fn target(&mut self, subject: ItemIndex, objects: Vec<ItemIndex>) {
        let family = self.family;
        self.reconciler.targets.push(Counted {
            family,
            subject,
            objects,
            uses: Vec::new(),
            details: Vec::new(),
        });
    }

    /// Notes a fact about the target counted last (for a preview; nothing otherwise).
    pub fn detail(
        &mut self,
        blueprint: Option<&Rc<str>>,
        label: &'static str,
        value: impl FnOnce() -> String,
    ) {
        let family = self.family;
        if !self.reconciler.record {
            return;
        }
        if let Some(last) = self
            .reconciler
            .targets
            .last_mut()
            .filter(|t| t.family == family)
        {
            last.details.push(Detail {
                blueprint: blueprint.cloned(),
                label,
                value: value(),
            });
        }
    }

    /// Notes that the target counted last names the blueprint at `blueprint`.
    pub fn uses(&mut self, blueprint: ItemIndex) {
        let family = self.family;
        if let Some(last) = self
            .reconciler
            .targets
            .last_mut()
            .filter(|t| t.family == family)
        {
            last.uses.push(blueprint);
        }
    }

    /// Keeps earlier output made by `provenance` (a blueprint a target names that the input
    /// lacks: it may come back).
    pub fn protect(&mut self, provenance: &str) {
        let family = self.family;
        self.reconciler
            .protected
            .insert((family, provenance.to_owned()));
    }

    /// The file for new objects named `namespace/name` generated for the item at `beside`, when
    /// new objects get one (kpt): `<prefix><name>.yaml` in its package and folder, unless an
    /// input item holds that file (see [`NewFiles::path`]).
    pub fn new_file(
        &mut self,
        beside: ItemIndex,
        prefix: &str,
        namespace: &str,
        name: &str,
    ) -> Option<NewFile> {
        let beside = Place::of(&self.reconciler.objects[beside])?;
        let files = self.reconciler.files.as_mut()?;
        let owner = Owner {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        };
        let path = files.path(&beside, prefix, &owner)?;
        Some(NewFile {
            package: beside.package,
            path,
        })
    }

    /// Puts one generated object in the output: new, or replacing (or keeping) our earlier
    /// one, unless another proposal already made it or a hand-written object is in its place.
    pub fn propose(&mut self, proposal: Proposal<'t>) {
        let family = self.family;
        self.reconciler.propose(family, proposal);
    }
}

/// What each (family, target) got in a run: the blueprint and the object's name.
type TargetIndex<'g> = HashMap<(usize, &'g str), Vec<(&'g str, &'g str)>>;

fn target_index(generated: &HashMap<ObjectKey, Made>) -> TargetIndex<'_> {
    let mut index: TargetIndex<'_> = HashMap::new();
    for (key, made) in generated {
        index
            .entry((made.family, &*made.target))
            .or_default()
            .push((&made.provenance, &key.name));
    }
    index
}

/// Why nothing asks for an earlier object of `provenance` made for `target` any more: the target
/// now names the blueprint's objects differently, or no longer lists the blueprint, or is gone.
fn why_not_asked(made: &TargetIndex<'_>, family: usize, target: &str, provenance: &str) -> String {
    match made.get(&(family, target)) {
        Some(made) => match made.iter().find(|(p, _)| *p == provenance) {
            Some((_, name)) => format!(
                "{target} now gets `{name}` from this blueprint (its blueprint list changed order \
                 or lost its first entry, which renames objects)"
            ),
            None => format!("{target} no longer lists this blueprint"),
        },
        None => format!("no target asks for it any more ({target} is not a target now)"),
    }
}

/// The input's items that hold a file (kept by the readers for their place), each with its owner
/// when it is earlier output of ours.
fn holders(objects: &[Object<'_>]) -> Vec<Holder> {
    objects
        .iter()
        .filter_map(|object| {
            let place = Place::of(object)?;
            let owner = ownership::marker(object).and_then(|_| {
                let fields = object.fields()?;
                Some(Owner {
                    namespace: fields.namespace.text().unwrap_or_default().to_owned(),
                    name: fields.name.text()?.to_owned(),
                })
            });
            Some(Holder { place, owner })
        })
        .collect()
}

/// Adds the closing summary: how many targets, how many generated objects the output holds,
/// errors and warnings (or that nothing was done while the options are wrong), and how many
/// infos were silenced, if any.
pub fn summarise(
    changes: &mut Changes,
    objects: &[Object<'_>],
    targets: usize,
    config_ok: bool,
    silenced: usize,
) {
    let errors = results::count(&changes.results, Severity::Error);
    let warnings = results::count(&changes.results, Severity::Warning);
    let kept_in_place = objects
        .iter()
        .enumerate()
        .filter(|(i, o)| ownership::marker(o).is_some() && !changes.remove.contains(i))
        .count();
    let generated = changes.append.len() + kept_in_place;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut message = if config_ok {
        format!(
            "stash-autobackup: {}, {} in the output, {}, {}",
            plural(targets, "target"),
            plural(generated, "generated object"),
            plural(errors, "error"),
            plural(warnings, "warning"),
        )
    } else {
        format!(
            "stash-autobackup: nothing generated or pruned until the functionConfig is fixed, {}, {}",
            plural(errors, "error"),
            plural(warnings, "warning"),
        )
    };
    if silenced > 0 {
        message.push_str(&format!(", {} silenced", plural(silenced, "info")));
    }
    changes
        .results
        .push(KrmResult::new(Severity::Info, message));
}

#[cfg(test)]
mod tests {
    //! Reconciliation alone, with a made-up family that generates `example.com` Things.

    use super::*;
    use crate::krm::read::{DocumentRoot, Interest, ItemsValue, Spec, yaml};

    const THINGS: [GroupKind; 1] = [GroupKind {
        group: "example.com",
        kind: "Thing",
    }];
    const FAMILY: [Generates; 1] = [Generates {
        family: "Things",
        kinds: &THINGS,
        collision_hint: "rename one",
    }];

    /// A Thing as the family renders it (no marker) and as an earlier run wrote it.
    fn thing(name: &str, size: &str) -> Value<'static> {
        Value::map([
            ("apiVersion", Value::str("example.com/v1")),
            ("kind", Value::str("Thing")),
            (
                "metadata",
                Value::map([
                    ("name", Value::str(name.to_owned())),
                    ("namespace", Value::str("ns")),
                ]),
            ),
            ("spec", Value::map([("size", Value::str(size.to_owned()))])),
        ])
    }

    fn earlier(name: &str, size: &str, marker: bool) -> String {
        let marker = if marker {
            format!(", annotations: {{{MARKER}: bp}}")
        } else {
            String::new()
        };
        format!(
            "- {{apiVersion: example.com/v1, kind: Thing, metadata: {{name: {name}, namespace: ns{marker}}}, spec: {{size: {size}}}}}\n"
        )
    }

    const TARGET: &str =
        "- {apiVersion: v1, kind: ConfigMap, metadata: {name: target, namespace: ns}}\n";

    struct Case {
        name: &'static str,
        /// Items after the target (item 0).
        earlier: Vec<String>,
        /// Things proposed, by (name, size).
        propose: Vec<(&'static str, &'static str)>,
        /// The family found an error of its own.
        error: bool,
        /// The family protects the earlier output of blueprint `bp`.
        protect: bool,
        /// Expected: what is appended (`new:<name>`, `kept:<item>`), removed items, and
        /// the start of each result message.
        append: Vec<String>,
        remove: Vec<ItemIndex>,
        results: Vec<&'static str>,
    }

    fn run(case: &Case) {
        let src = format!(
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{TARGET}{}",
            case.earlier.concat()
        );
        let interest = Interest::default().group("example.com", Spec::Whole);
        let read = yaml::read(&src, &interest).unwrap();
        let DocumentRoot::Mapping(root) = &read.documents[0].root else {
            panic!("a mapping");
        };
        let Some(ItemsValue::Seq(items)) = &root.items else {
            panic!("items");
        };
        let mut write = |value: &Value<'_>, _: &[&str]| {
            let name = value.get("metadata").and_then(|m| m.get("name"));
            format!("new:{}", name.and_then(Value::scalar).unwrap_or_default())
        };
        let config = Config::default();
        let mut reconciler = Reconciler::new(
            &read.tree,
            &items.objects,
            &FAMILY,
            &config,
            false,
            &mut write,
            Vec::new(),
        );
        {
            let mut out = reconciler.proposals(0);
            if case.error {
                out.about(Severity::Error, 0, "the family's own error");
            }
            if case.protect {
                out.protect("bp");
            }
            for (name, size) in &case.propose {
                out.propose(Proposal {
                    value: thing(name, size),
                    key: ObjectKey {
                        group: "example.com",
                        kind: "Thing",
                        namespace: "ns".into(),
                        name: (*name).into(),
                    },
                    provenance: "bp".into(),
                    subject: 0,
                    target: "ConfigMap ns/target".into(),
                    file: None,
                });
            }
        }
        reconciler.prune(true, &|_, _| None);
        let changes = reconciler.finish().changes;
        let append: Vec<String> = changes
            .append
            .iter()
            .map(|a| match a {
                Appended::Written(text) => text.clone(),
                Appended::Kept(i) => format!("kept:{i}"),
            })
            .collect();
        assert_eq!(append, case.append, "{}: appended", case.name);
        let remove: Vec<ItemIndex> = changes.remove.iter().copied().collect();
        assert_eq!(remove, case.remove, "{}: removed", case.name);
        let results: Vec<&str> = changes.results.iter().map(|r| r.message.as_str()).collect();
        assert_eq!(
            results.len(),
            case.results.len(),
            "{}: {results:#?}",
            case.name
        );
        for (got, want) in results.iter().zip(&case.results) {
            assert!(
                got.starts_with(want),
                "{}: {got:?} should start {want:?}",
                case.name
            );
        }
    }

    #[test]
    fn reconciliation() {
        let cases = [
            Case {
                name: "a new object is written",
                earlier: vec![],
                propose: vec![("a", "small")],
                error: false,
                protect: false,
                append: vec!["new:a".into()],
                remove: vec![],
                results: vec![],
            },
            Case {
                name: "earlier output that is still right is kept as it is",
                earlier: vec![earlier("a", "small", true)],
                propose: vec![("a", "small")],
                error: false,
                protect: false,
                append: vec!["kept:1".into()],
                remove: vec![1],
                results: vec![],
            },
            Case {
                name: "earlier output that changed is written again",
                earlier: vec![earlier("a", "small", true)],
                propose: vec![("a", "large")],
                error: false,
                protect: false,
                append: vec!["new:a".into()],
                remove: vec![1],
                results: vec!["updated: regenerated from blueprint `bp`"],
            },
            Case {
                name: "a hand-written object wins",
                earlier: vec![earlier("a", "small", false)],
                propose: vec![("a", "large")],
                error: false,
                protect: false,
                append: vec![],
                remove: vec![],
                results: vec!["this Thing was not generated by stash-autobackup"],
            },
            Case {
                name: "one object proposed twice is an error",
                earlier: vec![],
                propose: vec![("a", "small"), ("a", "large")],
                error: false,
                protect: false,
                append: vec!["new:a".into()],
                remove: vec![],
                results: vec!["Thing ns/a would be generated twice"],
            },
            Case {
                name: "earlier output nothing asks for is pruned",
                earlier: vec![earlier("gone", "small", true)],
                propose: vec![],
                error: false,
                protect: false,
                append: vec![],
                remove: vec![1],
                results: vec!["pruned: generated earlier from blueprint `bp`, but no target"],
            },
            Case {
                name: "nothing is pruned when the run has errors",
                earlier: vec![earlier("gone", "small", true)],
                propose: vec![],
                error: true,
                protect: false,
                append: vec![],
                remove: vec![],
                results: vec!["the family's own error"],
            },
            Case {
                name: "nothing is pruned that a missing blueprint may still want",
                earlier: vec![earlier("gone", "small", true)],
                propose: vec![],
                error: false,
                protect: true,
                append: vec![],
                remove: vec![],
                results: vec![],
            },
            Case {
                name: "of two earlier copies the last is kept, the first pruned",
                earlier: vec![earlier("a", "small", true), earlier("a", "small", true)],
                propose: vec![("a", "small")],
                error: false,
                protect: false,
                append: vec!["kept:2".into()],
                remove: vec![1, 2],
                results: vec!["pruned: generated earlier from blueprint `bp`, but the input holds"],
            },
        ];
        for case in &cases {
            run(case);
        }
    }
}
