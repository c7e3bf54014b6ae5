//! Reconciliation: the objects families propose, against the earlier output in the input.
//!
//! Family-agnostic rules live here, once: a hand-written object wins over a generated one of the
//! same kind, namespace and name; earlier output of ours is kept byte for byte when it is still
//! right, replaced when it changed (keeping its kpt file), and pruned when nothing asks for it
//! any more, but only when the run is sure (no errors, and no missing blueprint that might still
//! want it); two proposals for one object are an error, never a silent overwrite. Each decided
//! object goes to the output at once through the framing's writer, so a run never holds the
//! trees of all generated objects.
//!
//! Around the decisions: [`files`] says where a new object lands in a kpt package, [`stamp`]
//! adds our marker and the comment above it, [`record`] remembers what a summary and a preview
//! need, and [`Proposals`] is what a family sees of all this.

mod files;
mod proposals;
mod prune;
mod record;
mod selected;
mod stamp;
mod summary;

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::rc::Rc;

use super::config::Config;
use super::finding::{FamilyId, Finding, Found, Info};
use super::ownership;
use super::protection::Backup;
use crate::krm::changes::{Appended, Changes};
use crate::krm::object::{GroupKind, ItemIndex, Object, ObjectKey};
use crate::krm::results::{KrmResult, ResourceRef, Severity};
use crate::yaml::emit::Value;
use crate::yaml::tree::Tree;

pub use files::NewFile;
pub use proposals::Proposals;
pub use prune::{Doubt, EarlierTarget, PruneFinding};
pub use record::{Counted, Decision, Detail, Outcome, Why};
pub use summary::Summary;

use files::Files;
use record::Recorder;
use stamp::Stamp;

/// What reconciliation needs to know of a family: the kinds it generates (its earlier output is
/// recognised and pruned only among them), and what to suggest when two of its targets would
/// generate one object.
#[derive(Debug, Clone, Copy)]
pub struct Generates {
    /// The family's name, as messages about its earlier output name it.
    pub name: &'static str,
    pub kinds: &'static [GroupKind],
    /// The kinds whose earlier output is retained rather than pruned.
    pub retained: &'static [GroupKind],
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
    /// The input object the user annotated: findings about this proposal point at it.
    pub subject: ItemIndex,
    /// The target the object is for, as the family names it (`AppBinding shop/orders`), to tell
    /// a renamed object from one nothing asks for.
    pub target: Rc<str>,
    /// Where it lands when new (kpt): a file, and the index it wants in it.
    pub file: Option<(NewFile, i64)>,
}

/// A target and the blueprint that made an object for it: `Postgres shop/orders with blueprint
/// `pg-daily``.
#[derive(Debug, Clone)]
pub struct Pair {
    pub target: ResourceRef,
    pub provenance: Rc<str>,
}

impl fmt::Display for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} with blueprint `{}`", self.target, self.provenance)
    }
}

/// What reconciling found.
#[derive(Debug)]
pub enum Reconciled {
    /// Two proposals for one object: the second is not written.
    Collision {
        key: ObjectKey,
        first: Pair,
        second: Pair,
        hint: &'static str,
    },
    /// A hand-written object holds the place of a generated one, which is not written.
    HandWritten { kind: &'static str, pair: Pair },
    /// Earlier output replaced by what its blueprint gives now.
    Updated {
        provenance: Rc<str>,
        /// The blueprint that made the earlier copy, when another.
        before: Option<String>,
    },
    /// Earlier output removed.
    Pruned { provenance: Rc<str>, why: Why },
    /// Earlier output its blueprint would change, kept as it is while the run reports a problem
    /// with its target (docs/spec.md §7a).
    Held { provenance: Rc<str>, target: String },
}

impl fmt::Display for Reconciled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reconciled::Collision {
                key,
                first,
                second,
                hint,
            } => write!(
                f,
                "{} {}/{} would be generated twice, for {first} and for {second}: {hint}",
                key.kind, key.namespace, key.name
            ),
            Reconciled::HandWritten { kind, pair } => write!(
                f,
                "this {kind} was not generated by stash-autobackup (it has no {} \
                 annotation), so it is left alone and nothing is generated in its place \
                 for {pair}; delete it to let the function generate it",
                ownership::MARKER
            ),
            Reconciled::Updated { provenance, before } => {
                write!(f, "updated: regenerated from blueprint `{provenance}`")?;
                match before {
                    Some(before) => write!(f, " (generated earlier from `{before}`)"),
                    None => Ok(()),
                }
            }
            Reconciled::Pruned { provenance, why } => write!(
                f,
                "pruned: generated earlier from blueprint `{provenance}`, but {why}"
            ),
            Reconciled::Held { provenance, target } => write!(
                f,
                "not updated: blueprint `{provenance}` would change this object for {target}, \
                 but this run reports a problem with {target}, and a backup is rewritten only \
                 when the input says so clearly. It stays as it was; fix the problem, and the \
                 next run updates it"
            ),
        }
    }
}

impl Finding for Reconciled {
    fn severity(&self) -> Severity {
        match self {
            Reconciled::Collision { .. } => Severity::Error,
            Reconciled::HandWritten { .. } | Reconciled::Held { .. } => Severity::Warning,
            Reconciled::Updated { .. } | Reconciled::Pruned { .. } => Severity::Info,
        }
    }

    fn class(&self) -> Option<Info> {
        match self {
            Reconciled::Updated { .. } => Some(Info::Updated),
            Reconciled::Pruned { .. } => Some(Info::Pruned),
            _ => None,
        }
    }

    fn tag(&self) -> &'static str {
        match self {
            Reconciled::Collision { .. } => "collision",
            Reconciled::HandWritten { .. } => "hand-written",
            Reconciled::Updated { .. } => "updated",
            Reconciled::Pruned { .. } => "pruned",
            Reconciled::Held { .. } => "held",
        }
    }
}

/// What made a proposed object.
#[derive(Debug)]
struct Made {
    family: FamilyId,
    subject: ItemIndex,
    provenance: Rc<str>,
    target: Rc<str>,
}

/// Earlier output replaced by a proposal: where its new copy, its finding and its decision are.
#[derive(Debug)]
struct Update {
    family: FamilyId,
    subject: ItemIndex,
    /// The target it was made for, as counted.
    counted: Option<usize>,
    /// The earlier copy.
    index: ItemIndex,
    /// Its place in `changes.append`, in the findings, and in the recorded decisions.
    append: usize,
    finding: usize,
    decision: usize,
    provenance: Rc<str>,
}

/// An input object of a kind the families generate.
#[derive(Debug)]
struct Existing {
    index: ItemIndex,
    owner: Owner,
}

/// Who an input object of a generated kind belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// Earlier output of ours (it carries the marker): kept, replaced or pruned by this run.
    Ours,
    /// Earlier output of ours marked retained: kept as it is, whatever asks for its place.
    Retained,
    /// Written by hand: left alone.
    HandWritten,
}

/// What a run of reconciliation leaves: the changes to the input, the findings, the targets
/// the families counted, and the decisions.
#[derive(Debug)]
pub struct Finished {
    pub changes: Changes,
    pub findings: Vec<Found>,
    /// The KRM result of each finding, in the same order.
    pub results: Vec<KrmResult>,
    pub targets: Vec<Counted>,
    pub decisions: Vec<Decision>,
    /// How many `info` findings the option `silence` left out.
    pub silenced: usize,
}

/// The state of one run's reconciliation, across families.
pub struct Reconciler<'r, 'a> {
    tree: &'r Tree<'a>,
    objects: &'r [Object<'a>],
    families: &'r [Generates],
    write: &'r mut Writer<'r>,
    files: Files,
    stamp: Stamp,
    recorder: Recorder,
    existing: HashMap<ObjectKey, Existing>,
    /// Every object proposed so far, and what made it.
    generated: HashMap<ObjectKey, Made>,
    /// Earlier output replaced so far, to keep where the target turns out to be in doubt.
    updates: Vec<Update>,
    findings: Vec<Found>,
    /// The classes of `info` findings to leave out.
    silence: Vec<Info>,
    /// Where objects without a namespace are applied (`defaultNamespace`, ArgoCD's).
    default_namespace: Option<String>,
    /// Every warning is an error (`strict: true`).
    strict: bool,
    /// kpt's selectors chose the input (`selected::kpt_selected`): a target missing from it may
    /// be there, unselected.
    filtered: bool,
    changes: Changes,
    /// Whether the families describe what protects each subject (a run with backup policies).
    describe: bool,
    backups: Vec<Backup>,
}

impl<'r> Reconciler<'r, 'r> {
    /// `findings` come before anything else (problems with the options); `kpt_files` gives new
    /// objects a file beside their target.
    pub fn new(
        tree: &'r Tree<'r>,
        objects: &'r [Object<'r>],
        families: &'r [Generates],
        config: &Config,
        kpt_files: bool,
        write: &'r mut Writer<'r>,
        findings: Vec<Found>,
    ) -> Self {
        let mut reconciler = Reconciler {
            tree,
            objects,
            families,
            write,
            files: Files::new(objects, kpt_files),
            stamp: Stamp {
                mark: config.mark_generated,
            },
            recorder: Recorder::default(),
            existing: HashMap::new(),
            generated: HashMap::new(),
            updates: Vec::new(),
            findings,
            silence: config.silence.clone(),
            default_namespace: config.default_namespace.clone(),
            strict: config.strict,
            filtered: selected::kpt_selected(objects),
            changes: Changes::default(),
            describe: false,
            backups: Vec::new(),
        };
        reconciler.existing = reconciler.find_existing();
        reconciler
    }

    /// The family that generates objects like `object`, and their kind, if any.
    fn family_of(&self, object: &Object<'_>) -> Option<(FamilyId, GroupKind)> {
        let fields = object.fields()?;
        let (group, kind) = (fields.group()?, fields.kind.text()?);
        self.families.iter().enumerate().find_map(|(i, f)| {
            f.kinds
                .iter()
                .find(|gk| gk.group == group && gk.kind == kind)
                .map(|gk| (FamilyId(i), *gk))
        })
    }

    /// Objects of the kinds families generate, hand-written or ours.
    fn find_existing(&self) -> HashMap<ObjectKey, Existing> {
        let mut map = HashMap::new();
        for (index, object) in self.objects.iter().enumerate() {
            let (Some((_, kind)), Some(fields)) = (self.family_of(object), object.fields()) else {
                continue;
            };
            let key = ObjectKey::of(kind, fields, self.default_namespace.as_deref());
            let owner = match (ownership::marker(object), ownership::retained(object)) {
                (Some(_), None) => Owner::Ours,
                (Some(_), Some(_)) => Owner::Retained,
                (None, _) => Owner::HandWritten,
            };
            let this = Existing { index, owner };
            // A hand-written object wins over our earlier one of the same name, wherever each
            // stands in the input. Of several earlier ones, the last wins: the one a run appends
            // again goes to the end, so the next run picks it again (the first would flip each
            // run).
            match map.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(this);
                }
                Entry::Occupied(mut slot) if slot.get().owner == Owner::Ours => {
                    slot.insert(this);
                }
                Entry::Occupied(_) => {}
            }
        }
        map
    }

    /// Lets `family` propose objects and report findings.
    pub fn proposals(&mut self, family: FamilyId) -> Proposals<'_, 'r> {
        Proposals::new(self, family)
    }

    /// Has the families describe what protects each subject ([`Reconciler::backups`]), for
    /// checks of backup policies.
    pub fn describe_protection(&mut self) {
        self.describe = true;
    }

    /// Adds a finding of a step after the families' (a policy check), before the options
    /// `strict` and `silence` apply to all of them.
    pub fn report(&mut self, found: Found) {
        self.findings.push(found);
    }

    /// What the families described so far.
    pub fn backups(&self) -> &[Backup] {
        &self.backups
    }

    /// Records details and decisions from now on, for a preview of the run (`explain`).
    pub fn record_decisions(&mut self) {
        self.recorder.record();
    }

    /// Whether an error has been found so far (under `strict: true`, a warning too: a target
    /// that gets nothing then fails the run, and nothing is pruned).
    pub fn has_errors(&self) -> bool {
        let failing = |severity| {
            severity == Severity::Error || (self.strict && severity == Severity::Warning)
        };
        self.findings.iter().any(|f| failing(f.severity()))
    }

    /// Reports `what`, found by `family` about the input object at `object`.
    fn found(&mut self, family: FamilyId, object: ItemIndex, what: impl Finding + 'static) {
        let mut found = Found::new(what).on(object);
        found.family = Some(family);
        self.findings.push(found);
    }

    /// The pair that made an object.
    fn pair(&self, subject: ItemIndex, provenance: &Rc<str>) -> Pair {
        Pair {
            target: ResourceRef::of(&self.objects[subject]),
            provenance: provenance.clone(),
        }
    }

    /// Decides one proposal; whether the object reaches the output as proposed.
    fn propose(&mut self, family: FamilyId, proposal: Proposal<'_>) -> bool {
        let Proposal {
            mut value,
            key,
            provenance,
            subject,
            target,
            file,
        } = proposal;
        if let Some(other) = self.generated.get(&key) {
            let collision = Reconciled::Collision {
                first: self.pair(other.subject, &other.provenance),
                second: self.pair(subject, &provenance),
                hint: self.families[family.0].collision_hint,
                key: key.clone(),
            };
            self.found(family, subject, collision);
            self.decide(
                family,
                subject,
                &provenance,
                &key,
                Outcome::Collision,
                &value,
            );
            return false;
        }
        let existing = self.existing.get(&key).map(|e| (e.index, e.owner));
        let earlier = existing
            .filter(|(_, owner)| *owner == Owner::Ours)
            .map(|(i, _)| &self.objects[i]);
        let files = self.files.annotations(earlier, file);
        self.stamp
            .apply(self.tree, &mut value, &provenance, earlier, files);
        let outcome = match existing {
            Some((index, Owner::HandWritten)) => {
                let pair = self.pair(subject, &provenance);
                let kind = key.kind;
                self.found(family, index, Reconciled::HandWritten { kind, pair });
                Outcome::Blocked(index)
            }
            Some((index, Owner::Retained)) => {
                let pair = self.pair(subject, &provenance);
                let kind = key.kind;
                self.found(family, index, PruneFinding::HoldsThePlace { kind, pair });
                Outcome::Blocked(index)
            }
            Some((index, Owner::Ours)) => self.replace(family, index, subject, &provenance, &value),
            None => {
                let text = self.write_generated(&value, subject, &provenance);
                self.changes.append.push(Appended::Written(text));
                Outcome::New
            }
        };
        let written = outcome.is_written();
        self.decide(family, subject, &provenance, &key, outcome, &value);
        let made = Made {
            family,
            subject,
            provenance,
            target,
        };
        self.generated.insert(key, made);
        written
    }

    /// Puts `value` in the place of our earlier copy at `index`: the copy itself when it means
    /// the same, else `value`, with an info saying so.
    fn replace(
        &mut self,
        family: FamilyId,
        index: ItemIndex,
        subject: ItemIndex,
        provenance: &Rc<str>,
        value: &Value<'_>,
    ) -> Outcome {
        self.changes.remove.insert(index);
        if ownership::unchanged(self.tree, &self.objects[index], value) {
            self.changes.append.push(Appended::Kept(index));
            return Outcome::Unchanged;
        }
        let before = ownership::marker(&self.objects[index])
            .filter(|before| *before != &**provenance)
            .map(str::to_owned);
        let updated = Reconciled::Updated {
            provenance: provenance.clone(),
            before,
        };
        // Whether the run reports a problem with the target is known only once every target
        // has been worked on (`hold_updates`).
        let counted = (self.recorder.targets.len().checked_sub(1)).filter(|&t| {
            let last = &self.recorder.targets[t];
            last.family == family && last.subject == subject
        });
        self.updates.push(Update {
            family,
            subject,
            counted,
            index,
            append: self.changes.append.len(),
            finding: self.findings.len(),
            decision: self.recorder.decisions.len(),
            provenance: provenance.clone(),
        });
        self.found(family, index, updated);
        let text = self.write_generated(value, subject, provenance);
        self.changes.append.push(Appended::Written(text));
        Outcome::Updated
    }

    /// Keeps earlier output as it was, instead of updated, where the run reports a warning or an
    /// error about its target: about the object the user annotated, or another that makes up
    /// the target or may (a database's AppBinding), whenever it was found (docs/spec.md §7a).
    pub(super) fn hold_updates(&mut self) {
        if self.updates.is_empty() {
            return;
        }
        let troubled = self.troubled(false);
        for update in std::mem::take(&mut self.updates) {
            let objects = update
                .counted
                .map_or(&[][..], |t| &self.recorder.targets[t].objects);
            let doubt =
                troubled.contains(&update.subject) || objects.iter().any(|i| troubled.contains(i));
            if !doubt {
                continue;
            }
            self.changes.append[update.append] = Appended::Kept(update.index);
            let held = Reconciled::Held {
                provenance: update.provenance,
                target: ResourceRef::of(&self.objects[update.subject]).to_string(),
            };
            let mut found = Found::new(held).on(update.index);
            found.family = Some(update.family);
            found.target = Some(update.subject);
            self.findings[update.finding] = found;
            if let Some(decision) = self.recorder.decisions.get_mut(update.decision) {
                // Its schedules are the earlier copy's, which the new value does not show.
                decision.outcome = Outcome::Held;
                decision.schedules.clear();
            }
        }
    }

    /// The input objects this run reports a warning or an error about (`Found::object`), and,
    /// with `worked_on`, the targets a family was working on when it found one (`Found::target`):
    /// what casts doubt on removing or rewriting a backup (docs/spec.md §7a).
    fn troubled(&self, worked_on: bool) -> HashSet<ItemIndex> {
        let mut troubled = HashSet::new();
        for found in (self.findings.iter()).filter(|f| f.severity() != Severity::Info) {
            troubled.extend(found.object);
            if worked_on {
                troubled.extend(found.target);
            }
        }
        troubled
    }

    /// A generated object's text, under the comment saying what made it.
    fn write_generated(
        &mut self,
        value: &Value<'_>,
        subject: ItemIndex,
        provenance: &str,
    ) -> String {
        let target = ResourceRef::of(&self.objects[subject]);
        match self.stamp.comment(provenance, target) {
            Some([made, edit]) => (self.write)(value, &[&made, &edit]),
            None => (self.write)(value, &[]),
        }
    }

    fn decide(
        &mut self,
        family: FamilyId,
        subject: ItemIndex,
        provenance: &Rc<str>,
        key: &ObjectKey,
        outcome: Outcome,
        value: &Value<'_>,
    ) {
        let decision = || Decision {
            family,
            subject: Some(subject),
            provenance: provenance.clone(),
            key: key.clone(),
            outcome,
            schedules: Vec::new(),
        };
        self.recorder.decide(decision, Some(value));
    }

    /// The changes and findings, with the closing summary still to make ([`Summary`]); a run
    /// kpt's selectors filtered that adds objects and sees none of ours gets a warning first
    /// (`selected.rs`).
    pub fn finish(mut self) -> Finished {
        self.findings.extend(selected::unseen_output(
            self.filtered,
            self.objects,
            &self.changes,
        ));
        if self.strict {
            self.findings.iter_mut().for_each(Found::make_strict);
        }
        let mut results = dedup(&mut self.findings, self.objects, self.families);
        let before = self.findings.len();
        let silence = &self.silence;
        let heard: Vec<bool> = self
            .findings
            .iter()
            .map(|f| f.class().is_none_or(|class| !silence.contains(&class)))
            .collect();
        let (mut keep, mut keep_result) = (heard.iter(), heard.iter());
        self.findings.retain(|_| *keep.next().unwrap_or(&true));
        results.retain(|_| *keep_result.next().unwrap_or(&true));
        let silenced = before - self.findings.len();
        Finished {
            changes: self.changes,
            findings: self.findings,
            results,
            targets: self.recorder.targets,
            decisions: self.recorder.decisions,
            silenced,
        }
    }
}

/// Families acting on one object can find one problem of it (a duplicate key, a second
/// database of its name): it is reported once, and is then no one family's finding. Findings
/// are the same when they would read the same, about an object of the same name in the same
/// file. The results of the findings kept come back, in their order, each tagged with the
/// family that found it (of `families`).
fn dedup(
    findings: &mut Vec<Found>,
    objects: &[Object<'_>],
    families: &[Generates],
) -> Vec<KrmResult> {
    // Compared without the family, which is what tells the two findings apart.
    let results: Vec<_> = findings
        .iter()
        .map(|f| f.to_result(objects, None))
        .collect();
    let mut keep = vec![true; findings.len()];
    let mut shared = Vec::new();
    let mut first: HashMap<_, usize> = HashMap::with_capacity(findings.len());
    for (i, f) in findings.iter().enumerate() {
        let key = (&results[i], f.class().map(Info::name));
        match first.entry(key) {
            Entry::Occupied(earlier) => {
                keep[i] = false;
                if findings[*earlier.get()].family != f.family {
                    shared.push(*earlier.get());
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(i);
            }
        }
    }
    for i in shared {
        findings[i].family = None;
    }
    let mut keep_finding = keep.iter();
    findings.retain(|_| *keep_finding.next().unwrap_or(&true));
    let name = |f: &Found| f.family.map(|FamilyId(i)| families[i].name);
    // The results made above, with the family's tag added where `to_result` puts it (after the
    // class): making each result again would format every message twice.
    let kept = results
        .into_iter()
        .zip(keep)
        .filter_map(|(r, k)| k.then_some(r));
    findings
        .iter()
        .zip(kept)
        .map(|(f, mut result)| {
            if let Some(family) = name(f) {
                result.tags.insert(1, ("family", family.to_owned()));
            }
            debug_assert_eq!(result, f.to_result(objects, name(f)));
            result
        })
        .collect()
}

#[cfg(test)]
mod tests;
