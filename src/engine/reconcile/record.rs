//! What a run keeps for its summary and its preview (`explain`): the targets the families
//! counted, how their objects were made, and what reconciliation decided about each object.
//! Reconciliation decides; this only remembers, and only what is asked for: a plain run counts
//! targets and records nothing else.

use std::fmt;
use std::rc::Rc;

use crate::engine::finding::FamilyId;
use crate::krm::object::{ItemIndex, ObjectKey};
use crate::yaml::emit::Value;

/// What reconciliation did with one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Not in the input yet: appended.
    New,
    /// Our earlier copy means the same: kept byte for byte.
    Unchanged,
    /// Our earlier copy differs: replaced.
    Updated,
    /// Our earlier copy differs, but the run reports a problem with its target: kept as it is.
    Held,
    /// A hand-written object of its name (the input item) holds its place.
    Blocked(ItemIndex),
    /// Another target's proposal made an object of its name first.
    Collision,
    /// Earlier output nothing asks for any more: removed, and why.
    Pruned(Why),
    /// Earlier output that holds backups: kept, marked retained, never changed again.
    Retained(String),
    /// Earlier output nothing asked for, kept because its target may still want it, and why.
    Kept(String),
}

impl Outcome {
    /// The word a preview shows.
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::New => "new",
            Outcome::Unchanged => "unchanged",
            Outcome::Updated => "updated",
            Outcome::Held => "held",
            Outcome::Blocked(_) => "blocked",
            Outcome::Collision => "collision",
            Outcome::Pruned(_) => "pruned",
            Outcome::Retained(_) => "retained",
            Outcome::Kept(_) => "kept",
        }
    }

    /// Whether the object reaches the output as generated (a blocked or colliding one does not).
    pub fn is_written(&self) -> bool {
        matches!(
            self,
            Outcome::New | Outcome::Unchanged | Outcome::Updated | Outcome::Held
        )
    }
}

/// Why nothing asks for an earlier object any more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// Its target now gets the object `name` from the same blueprint.
    Renamed { target: Rc<str>, name: String },
    /// Its target no longer lists the blueprint.
    Unlisted { target: Rc<str> },
    /// Its target is no target now.
    NotATarget { target: Rc<str> },
    /// Its target asks for backups but gets none in this run (a problem stops it).
    GetsNothing { target: Rc<str> },
    /// Its target is gone from the input (`surely`), or may be there without the family's
    /// annotations (a workload or a claim, which the family sees only by them).
    Gone { target: Rc<str>, surely: bool },
    /// The object does not say which target it was made for, and nothing asks for it.
    NoTarget,
    /// The input holds it more than once; a later copy is kept.
    Duplicate { kind: &'static str },
    /// A hand-written object of its kind and name holds its place.
    HandWritten { kind: &'static str },
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Renamed { target, name } => write!(
                f,
                "{target} now gets `{name}` from this blueprint (its blueprint list changed order \
                 or lost its first entry, which renames objects)"
            ),
            Why::Unlisted { target } => write!(f, "{target} no longer lists this blueprint"),
            Why::NotATarget { target } => write!(
                f,
                "no target asks for it any more ({target} is not a target now)"
            ),
            Why::GetsNothing { target } => write!(f, "{target} gets nothing in this run"),
            Why::Gone {
                target,
                surely: true,
            } => write!(f, "{target} is not in the input any more"),
            Why::Gone { target, .. } => write!(
                f,
                "{target} is not in the input any more, or carries no backup annotation any \
                 more"
            ),
            Why::NoTarget => f.write_str("no target asks for it any more"),
            Why::Duplicate { kind } => write!(
                f,
                "the input holds this {kind} more than once and only the last copy is kept"
            ),
            Why::HandWritten { kind } => {
                write!(f, "a hand-written {kind} of the same name takes its place")
            }
        }
    }
}

/// What reconciliation did with one object, recorded as decided, never derived again.
#[derive(Debug, Clone)]
pub struct Decision {
    pub family: FamilyId,
    /// The input object the user annotated (none for pruned earlier output).
    pub subject: Option<ItemIndex>,
    pub provenance: Rc<str>,
    pub key: ObjectKey,
    pub outcome: Outcome,
    /// The schedules the object holds (`spec.schedule`, a session's `scheduler.schedule`).
    pub schedules: Vec<String>,
}

/// A target a family counted.
#[derive(Debug, Clone)]
pub struct Counted {
    pub family: FamilyId,
    /// The object the user annotated.
    pub subject: ItemIndex,
    /// The input objects that make it up or stand in its way (a database of its name), which
    /// findings about it may name.
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

/// The targets counted, and (for a preview) the details and decisions.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Details and decisions are kept only for a preview: a plain run does not pay for them.
    record: bool,
    pub targets: Vec<Counted>,
    pub decisions: Vec<Decision>,
    /// The object a family is working on (its subject), which its findings concern.
    current: Option<(FamilyId, ItemIndex)>,
}

impl Recorder {
    /// Keeps details and decisions from now on.
    pub fn record(&mut self) {
        self.record = true;
    }

    /// Counts a target of `family`, which its findings concern from now on.
    pub fn count(&mut self, family: FamilyId, subject: ItemIndex, objects: Vec<ItemIndex>) {
        self.current = Some((family, subject));
        self.targets.push(Counted {
            family,
            subject,
            objects,
            uses: Vec::new(),
            details: Vec::new(),
        });
    }

    /// The target `family` counted last, if it is still working on one.
    fn last(&mut self, family: FamilyId) -> Option<&mut Counted> {
        self.targets.last_mut().filter(|t| t.family == family)
    }

    /// Says which object `family` works on (what may become a target), or none.
    pub fn consider(&mut self, family: FamilyId, subject: Option<ItemIndex>) {
        self.current = subject.map(|s| (family, s));
    }

    /// The subject `family` works on, which its findings concern.
    pub fn current(&self, family: FamilyId) -> Option<ItemIndex> {
        self.current.filter(|(f, _)| *f == family).map(|(_, s)| s)
    }

    /// Notes a fact about the target `family` counted last (for a preview; nothing otherwise).
    pub fn detail(
        &mut self,
        family: FamilyId,
        blueprint: Option<&Rc<str>>,
        label: &'static str,
        value: impl FnOnce() -> String,
    ) {
        if !self.record {
            return;
        }
        if let Some(last) = self.last(family) {
            last.details.push(Detail {
                blueprint: blueprint.cloned(),
                label,
                value: value(),
            });
        }
    }

    /// Notes that the target `family` counted last names the blueprint at `blueprint`.
    pub fn uses(&mut self, family: FamilyId, blueprint: ItemIndex) {
        if let Some(last) = self.last(family) {
            last.uses.push(blueprint);
        }
    }

    /// Records a decision about an object whose generated form is `value` (for its schedules).
    pub fn decide(&mut self, decision: impl FnOnce() -> Decision, value: Option<&Value<'_>>) {
        if !self.record {
            return;
        }
        let mut decision = decision();
        if let Some(value) = value {
            schedules(value, &mut decision.schedules);
        }
        self.decisions.push(decision);
    }
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
