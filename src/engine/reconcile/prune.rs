//! What becomes of earlier output that nothing asked for in this run (docs/spec.md §7a).
//!
//! A backup tool's worst failure is a backup that silently stops existing, so removing one needs
//! certainty. Earlier output is pruned only when the run has no error and its target is gone
//! from the input, or is there and carries none of its family's annotations with nothing about
//! it in doubt. Anything else is doubt: the objects stay as they are, and a warning on the target
//! says so, why, and how to remove them on purpose. A kind that holds the backups themselves (a
//! Stash Repository, whose deletion may delete them) is never pruned: it is marked retained, and
//! never changed again.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::rc::Rc;

use super::{Decision, Made, Outcome, Owner, Pair, Reconciler, Why};
use crate::engine::finding::{FamilyId, Finding, Info};
use crate::engine::ownership::{self, RETAINED};
use crate::krm::changes::Appended;
use crate::krm::kpt;
use crate::krm::object::{ItemIndex, ObjectKey};
use crate::krm::results::Severity;

/// Finds the target an earlier object at an index of a family's was made for.
pub type EarlierTargets<'e> = dyn Fn(FamilyId, ItemIndex) -> Option<EarlierTarget> + 'e;

/// The target an earlier generated object was made for, and what stands for it in the input now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierTarget {
    /// As the family names it in proposals (`AppBinding shop/orders`): a target of this run
    /// that is named so is the same target.
    pub key: String,
    /// As messages name it: the input object standing for it now (`MySQL shop/orders`), else
    /// `key`.
    pub shown: String,
    /// The input objects that stand for it now: none when it is gone.
    pub objects: Vec<ItemIndex>,
    /// What says that those objects may still ask for backups (none: they do not).
    pub doubts: Vec<Doubt>,
    /// Whether the input shows every object of the target's kind (databases), not only those
    /// carrying the family's keys (workloads and claims): only then is a target not found
    /// surely gone, rather than maybe stripped of its annotations.
    pub in_full_view: bool,
}

/// Why earlier output may still be wanted although nothing asked for it in this run: it is
/// kept, and a warning says which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Doubt {
    /// Its target still carries these annotations of the family's (read or stray ones).
    Keys(Vec<String>),
    /// An object of its target's kind and name has no namespace, and no default gives one.
    Namespace,
    /// This run reports a warning or an error about its target.
    Findings,
    /// It does not say which target it was made for.
    Unknown,
    /// The run has errors: nothing is removed until they are fixed.
    Errors,
    /// Its target is not in the input, but kpt's selectors chose the input: the target may be
    /// there, unselected.
    Unselected,
}

/// Earlier output kept in doubt, by its target (as proposals name it) and blueprint.
type KeptGroup = (Option<String>, Rc<str>, Vec<(Unasked, Vec<Doubt>)>);

/// Earlier output nothing asked for in this run.
struct Unasked {
    index: ItemIndex,
    family: FamilyId,
    provenance: Rc<str>,
    key: ObjectKey,
    why: Why,
    target: Option<EarlierTarget>,
}

/// What deciding about earlier output nothing asked for finds.
#[derive(Debug)]
pub enum PruneFinding {
    /// Earlier output kept because its target may still want it.
    Kept {
        /// `BackupConfiguration shop/app-orders`, …
        objects: Vec<String>,
        provenance: Rc<str>,
        /// The target, as the input shows it now; none when the objects do not say.
        target: Option<String>,
        family: &'static str,
        why: Why,
        doubts: Vec<Doubt>,
        /// The files the objects are in (kpt), to delete them on purpose.
        files: Vec<String>,
    },
    /// Earlier output marked retained in this run.
    Retained {
        kind: &'static str,
        provenance: Rc<str>,
        target: String,
        why: Why,
    },
    /// Earlier output marked retained in an earlier run.
    StillRetained { kind: &'static str, target: String },
    /// Earlier output that would be retained but holds what the function never writes, so it
    /// cannot be marked: kept as it is.
    Unmarkable { kind: &'static str, target: String },
    /// A retained object in the place of one a proposal wants.
    HoldsThePlace { kind: &'static str, pair: Pair },
}

/// `it` or `them`, for `n` objects.
fn them(n: usize) -> &'static str {
    if n == 1 { "it" } else { "them" }
}

impl fmt::Display for Doubt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Doubt::Keys(keys) => write!(f, "the target still carries {}", keys.join(", ")),
            Doubt::Namespace => f.write_str(
                "an object of the target's kind and name has no namespace, and none is given \
                 (defaultNamespace), so it may be the target",
            ),
            Doubt::Findings => f.write_str("this run reports a problem with the target"),
            Doubt::Unknown => f.write_str("the object does not say which target it was made for"),
            Doubt::Errors => {
                f.write_str("this run has errors, and nothing is removed until they are fixed")
            }
            Doubt::Unselected => f.write_str(
                "the target is not among the items kpt's selectors passed, so it may be in the \
                 package, unselected: select its kind",
            ),
        }
    }
}

impl fmt::Display for PruneFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PruneFinding::Kept { .. } => self.fmt_kept(f),
            PruneFinding::Retained {
                kind,
                provenance,
                target,
                why,
            } => write!(
                f,
                "retained: this {kind}, generated earlier from blueprint `{provenance}`, holds the \
                 backups of {target}, and {why}. It stays, marked {RETAINED}, and the function \
                 never changes it again: delete it by hand once its backups are no longer needed \
                 (with wipeOut: true, deleting it deletes them from the backend too)"
            ),
            PruneFinding::StillRetained { kind, target } => write!(
                f,
                "this {kind} is retained ({RETAINED}): it holds the backups of {target}, and the \
                 function keeps it as it is. Delete it by hand once they are no longer needed \
                 (with wipeOut: true, deleting it deletes them from the backend too)"
            ),
            PruneFinding::Unmarkable { kind, target } => write!(
                f,
                "this {kind} holds the backups of {target}, which nothing backs up any more, so it \
                 stays; it has fields the function does not write, so it cannot be marked \
                 {RETAINED}: add that annotation by hand, or delete it once its backups are no \
                 longer needed"
            ),
            PruneFinding::HoldsThePlace { kind, pair } => write!(
                f,
                "this {kind} is retained ({RETAINED}), so the function does not change it, and \
                 nothing is generated in its place for {pair}; remove the annotation to let the \
                 function take it over again"
            ),
        }
    }
}

impl PruneFinding {
    fn fmt_kept(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let PruneFinding::Kept {
            objects,
            provenance,
            target,
            family,
            why,
            doubts,
            files,
        } = self
        else {
            return Ok(());
        };
        let it = them(objects.len());
        let doubts: Vec<String> = doubts.iter().map(ToString::to_string).collect();
        let target = target
            .as_ref()
            .map(|t| format!(" for {t}"))
            .unwrap_or_default();
        write!(
            f,
            "kept {}, generated earlier from blueprint `{provenance}`{target}: {why}, but {}. \
             A backup is removed only when its target is gone, or carries no {family} annotation \
             and nothing about it is in doubt; to remove {it} on purpose, delete {it} from the \
             package",
            objects.join(" and "),
            doubts.join(", and ")
        )?;
        if !files.is_empty() {
            write!(f, " ({})", files.join(", "))?;
        }
        Ok(())
    }
}

impl Finding for PruneFinding {
    fn severity(&self) -> Severity {
        match self {
            PruneFinding::Kept { .. }
            | PruneFinding::Unmarkable { .. }
            | PruneFinding::HoldsThePlace { .. } => Severity::Warning,
            PruneFinding::Retained { .. } | PruneFinding::StillRetained { .. } => Severity::Info,
        }
    }

    fn class(&self) -> Option<Info> {
        matches!(
            self,
            PruneFinding::Retained { .. } | PruneFinding::StillRetained { .. }
        )
        .then_some(Info::Retained)
    }

    fn tag(&self) -> &'static str {
        match self {
            PruneFinding::Kept { .. } => "kept",
            // Marked now or in an earlier run: one class of info, one fix (delete it by hand).
            PruneFinding::Retained { .. } | PruneFinding::StillRetained { .. } => "retained",
            PruneFinding::Unmarkable { .. } => "unmarkable",
            PruneFinding::HoldsThePlace { .. } => "retained-in-the-way",
        }
    }
}

impl<'r> Reconciler<'r, 'r> {
    /// Decides about earlier output nothing asked for in this run: pruned when sure, retained
    /// when it holds backups, else kept with a warning saying why (everything, when the run has
    /// an error). Nothing is decided when the options could not be read (`config_ok`): the
    /// summary says so. `earlier_target` names the target an earlier object was made for, with
    /// what stands for it in the input now.
    pub fn prune(&mut self, config_ok: bool, earlier_target: &EarlierTargets<'_>) {
        self.hold_updates();
        self.note_retained();
        if !config_ok {
            return;
        }
        let errors = self.has_errors();
        let troubled = self.troubled(true);
        let mut kept = Vec::new();
        for unasked in self.unasked(earlier_target) {
            if errors {
                kept.push((unasked, vec![Doubt::Errors]));
                continue;
            }
            if matches!(unasked.why, Why::Duplicate { .. } | Why::HandWritten { .. }) {
                // Still asked for: another object of its key holds its place.
                self.prune_one(unasked);
                continue;
            }
            let doubts = self.doubts(&unasked, &troubled);
            let family = &self.families[unasked.family.0];
            let retained = family
                .retained
                .iter()
                .any(|gk| gk.group == unasked.key.group && gk.kind == unasked.key.kind);
            match (doubts.is_empty(), retained) {
                (false, _) => kept.push((unasked, doubts)),
                (true, true) => self.retain(unasked),
                (true, false) => self.prune_one(unasked),
            }
        }
        self.report_kept(kept);
    }

    /// Earlier output of ours (not retained) that this run did not write again.
    fn unasked(&self, earlier_target: &EarlierTargets<'_>) -> Vec<Unasked> {
        let mut by_target: Option<TargetIndex<'_>> = None;
        let mut unasked = Vec::new();
        for (index, object) in self.objects.iter().enumerate() {
            let Some(provenance) = ownership::marker(object) else {
                continue;
            };
            let (Some((family, kind)), Some(fields)) = (self.family_of(object), object.fields())
            else {
                continue;
            };
            // Objects already in `remove` are appended again by this run.
            if self.changes.remove.contains(&index) || ownership::retained(object).is_some() {
                continue;
            }
            let key = ObjectKey::of(kind, fields, self.default_namespace.as_deref());
            let mut target = None;
            let why = match self.existing.get(&key) {
                _ if !self.generated.contains_key(&key) => {
                    target = earlier_target(family, index);
                    match &target {
                        Some(t) => {
                            let made =
                                by_target.get_or_insert_with(|| target_index(&self.generated));
                            why_not_asked(made, family, t, provenance)
                        }
                        None => Why::NoTarget,
                    }
                }
                Some(e) if e.owner == Owner::Ours => Why::Duplicate { kind: key.kind },
                _ => Why::HandWritten { kind: key.kind },
            };
            unasked.push(Unasked {
                index,
                family,
                provenance: Rc::from(provenance),
                key,
                why,
                target,
            });
        }
        unasked
    }

    /// What says that `unasked` may still be wanted: its target's own doubts (the family's
    /// keys it carries, an unresolved namespace), a warning or an error about its target in this
    /// run (`troubled`), a target it does not name, or one missing from an input kpt's selectors
    /// chose.
    fn doubts(&self, unasked: &Unasked, troubled: &HashSet<ItemIndex>) -> Vec<Doubt> {
        let Some(target) = &unasked.target else {
            return vec![Doubt::Unknown];
        };
        let mut doubts = target.doubts.clone();
        if target.objects.iter().any(|i| troubled.contains(i)) {
            doubts.push(Doubt::Findings);
        }
        if self.filtered && target.objects.is_empty() {
            doubts.push(Doubt::Unselected);
        }
        doubts
    }

    fn prune_one(&mut self, unasked: Unasked) {
        let Unasked {
            index,
            family,
            provenance,
            key,
            why,
            ..
        } = unasked;
        self.changes.remove.insert(index);
        let finding = super::Reconciled::Pruned {
            provenance: provenance.clone(),
            why: why.clone(),
        };
        self.found(family, index, finding);
        self.decide_earlier(family, provenance, key, Outcome::Pruned(why));
    }

    /// Marks earlier output that holds backups retained: written again as it was, with the
    /// annotation that says so, under a comment; or kept as it is, with a warning, when it holds
    /// what the function does not write.
    fn retain(&mut self, unasked: Unasked) {
        let Unasked {
            index,
            family,
            provenance,
            key,
            why,
            target,
        } = unasked;
        let kind = key.kind;
        let target = target.map_or_else(|| why.to_string(), |t| t.shown);
        let object = &self.objects[index];
        let Some(copy) = ownership::retained_copy(self.tree, object, &target) else {
            self.found(family, index, PruneFinding::Unmarkable { kind, target });
            let outcome = Outcome::Kept("it cannot be marked retained".to_owned());
            self.decide_earlier(family, provenance, key, outcome);
            return;
        };
        self.changes.remove.insert(index);
        let [held, delete] = self.stamp.retained_comment(&target);
        let text = (self.write)(&copy, &[&held, &delete]);
        self.changes.append.push(Appended::Written(text));
        let retained = PruneFinding::Retained {
            kind,
            provenance: provenance.clone(),
            target: target.clone(),
            why,
        };
        self.found(family, index, retained);
        let outcome = Outcome::Retained(format!("holds the backups of {target}"));
        self.decide_earlier(family, provenance, key, outcome);
    }

    /// Says of every retained object of the input that it stays.
    fn note_retained(&mut self) {
        let retained: Vec<(ItemIndex, FamilyId, ObjectKey, Rc<str>, String)> = self
            .existing
            .iter()
            .filter(|(_, e)| e.owner == Owner::Retained)
            .filter_map(|(key, e)| {
                let object = &self.objects[e.index];
                let (family, _) = self.family_of(object)?;
                let provenance = Rc::from(ownership::marker(object)?);
                let target = ownership::retained(object)?.to_owned();
                Some((e.index, family, key.clone(), provenance, target))
            })
            .collect();
        let mut retained = retained;
        retained.sort_by_key(|(index, ..)| *index);
        for (index, family, key, provenance, target) in retained {
            let kind = key.kind;
            let outcome = Outcome::Retained(format!("holds the backups of {target}"));
            self.found(family, index, PruneFinding::StillRetained { kind, target });
            self.decide_earlier(family, provenance, key, outcome);
        }
    }

    /// One warning per target and blueprint whose earlier output is kept in doubt, on the
    /// target (or the object itself, when its target is unknown or gone).
    fn report_kept(&mut self, kept: Vec<(Unasked, Vec<Doubt>)>) {
        let mut groups: Vec<KeptGroup> = Vec::new();
        for (unasked, doubts) in kept {
            let target = unasked.target.as_ref().map(|t| t.key.clone());
            let group = groups
                .iter_mut()
                .find(|(t, p, _)| *t == target && *p == unasked.provenance && target.is_some());
            match group {
                Some((_, _, members)) => members.push((unasked, doubts)),
                None => groups.push((target, unasked.provenance.clone(), vec![(unasked, doubts)])),
            }
        }
        for (_, _, members) in groups {
            self.report_kept_group(members);
        }
    }

    fn report_kept_group(&mut self, members: Vec<(Unasked, Vec<Doubt>)>) {
        let (first, doubts) = &members[0];
        let (family, provenance, why) = (first.family, first.provenance.clone(), first.why.clone());
        let (target, on) = match &first.target {
            Some(t) => (
                Some(t.shown.clone()),
                t.objects.first().copied().unwrap_or(first.index),
            ),
            None => (None, first.index),
        };
        let objects: Vec<String> = members
            .iter()
            .map(|(u, _)| format!("{} {}/{}", u.key.kind, u.key.namespace, u.key.name))
            .collect();
        let mut files: Vec<String> = members
            .iter()
            .filter_map(|(u, _)| kpt::file_of(&self.objects[u.index]).map(|f| f.path))
            .collect();
        files.dedup();
        let kept = PruneFinding::Kept {
            objects,
            provenance: provenance.clone(),
            target,
            family: self.families[family.0].name,
            why,
            doubts: doubts.clone(),
            files,
        };
        self.found(family, on, kept);
        for (unasked, doubts) in members {
            let doubts: Vec<String> = doubts.iter().map(ToString::to_string).collect();
            let outcome = Outcome::Kept(doubts.join(", and "));
            self.decide_earlier(family, unasked.provenance, unasked.key, outcome);
        }
    }

    /// Records what became of earlier output (for a preview).
    fn decide_earlier(
        &mut self,
        family: FamilyId,
        provenance: Rc<str>,
        key: ObjectKey,
        outcome: Outcome,
    ) {
        let decision = || Decision {
            family,
            subject: None,
            provenance,
            key,
            outcome,
            schedules: Vec::new(),
        };
        self.recorder.decide(decision, None);
    }
}

/// What each (family, target) got in a run: the blueprint and the object's name.
type TargetIndex<'g> = HashMap<(FamilyId, &'g str), Vec<(&'g str, &'g str)>>;

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
fn why_not_asked(
    made: &TargetIndex<'_>,
    family: FamilyId,
    target: &EarlierTarget,
    provenance: &str,
) -> Why {
    let name = made
        .get(&(family, target.key.as_str()))
        .map(|made| made.iter().find(|(p, _)| *p == provenance));
    let shown: Rc<str> = target.shown.as_str().into();
    match name {
        Some(Some((_, name))) => Why::Renamed {
            name: (*name).to_owned(),
            target: shown,
        },
        Some(None) => Why::Unlisted { target: shown },
        None if target.objects.is_empty() => Why::Gone {
            target: shown,
            surely: target.in_full_view,
        },
        None if target.doubts.is_empty() => Why::NotATarget { target: shown },
        None => Why::GetsNothing { target: shown },
    }
}
