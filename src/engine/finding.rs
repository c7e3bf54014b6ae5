//! Findings: what a run finds about its input, typed.
//!
//! Every layer that finds something names it with an enum of its own (the options, reconciling
//! earlier output, the steps both families share, each family), whose variants carry the data
//! and whose `Display` is the message a user reads. They all answer the questions of
//! [`Finding`], so that what acts on findings (the options `strict` and `silence`, the summary,
//! `explain`, and which earlier output may be pruned) asks a finding what it is instead of reading
//! its words. A [`Found`] is one finding in its place: the input object and field it is about,
//! the family that found it, and the target it concerns.

use std::fmt;

use super::fields::FieldProblem;
use crate::krm::kpt;
use crate::krm::object::{ItemIndex, Object};
use crate::krm::results::{KrmResult, ResourceRef, Severity};

/// The classes of `info` results, which a team may silence (`silence: missing-secret`).
/// Warnings and errors have none: each asks for a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Info {
    /// Earlier output regenerated.
    Updated,
    /// Earlier output removed.
    Pruned,
    /// An annotated object of a kind the family does not back up.
    NotATarget,
    /// A storage Secret the generated objects need is not in the input.
    MissingSecret,
    /// A variable's value taken from the database's own version.
    VersionFromDatabase,
    /// A blueprint relies on the cluster's default storage or retention policy.
    ClusterDefault,
    /// Earlier output that holds backups, kept and never changed again.
    Retained,
}

impl Info {
    /// Every class, in the order the docs list them.
    pub const ALL: [Info; 7] = [
        Info::Updated,
        Info::Pruned,
        Info::NotATarget,
        Info::MissingSecret,
        Info::VersionFromDatabase,
        Info::ClusterDefault,
        Info::Retained,
    ];

    /// Its name, as the option `silence` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Info::Updated => "updated",
            Info::Pruned => "pruned",
            Info::NotATarget => "not-a-target",
            Info::MissingSecret => "missing-secret",
            Info::VersionFromDatabase => "version-from-database",
            Info::ClusterDefault => "cluster-default",
            Info::Retained => "retained",
        }
    }

    /// The class of this name (`missing-secret`).
    pub fn named(name: &str) -> Option<Info> {
        Info::ALL.into_iter().find(|info| info.name() == name)
    }
}

/// A family's place among the run's families (the pipeline's list, in generation order): which
/// family found what, and whose earlier output an object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FamilyId(pub usize);

/// The questions every finding answers.
pub trait Finding: fmt::Display + fmt::Debug {
    /// How much it matters.
    fn severity(&self) -> Severity;

    /// The class of an `info` a team may silence (the option `silence`); warnings and errors
    /// have none: each asks for a fix.
    fn class(&self) -> Option<Info> {
        None
    }
}

/// One finding in its place.
#[derive(Debug)]
pub struct Found {
    what: Box<dyn Finding>,
    /// The input object it is about.
    pub object: Option<ItemIndex>,
    /// What it is about when that is no input object (the functionConfig).
    pub reference: Option<ResourceRef>,
    /// The field of that object, as a path (`spec.schedule`).
    pub field: Option<String>,
    /// The family that found it; none when it is no family's (an object's own problem that
    /// both found, the options, the framing).
    pub family: Option<FamilyId>,
    /// The target it concerns (its subject, the object the user annotated), when a family found
    /// it while working on one.
    pub target: Option<ItemIndex>,
    /// Made an error by the option `strict`.
    strict: bool,
}

impl Found {
    /// `what`, about nothing in particular yet.
    pub fn new(what: impl Finding + 'static) -> Self {
        Found {
            what: Box::new(what),
            object: None,
            reference: None,
            field: None,
            family: None,
            target: None,
            strict: false,
        }
    }

    /// The same finding, about the input object at `object`.
    pub fn on(mut self, object: ItemIndex) -> Self {
        self.object = Some(object);
        self
    }

    /// The same finding, about the field at `path`.
    pub fn at(mut self, path: impl Into<String>) -> Self {
        self.field = Some(path.into());
        self
    }

    /// How much it matters, after the option `strict`.
    pub fn severity(&self) -> Severity {
        match self.what.severity() {
            Severity::Warning if self.strict => Severity::Error,
            severity => severity,
        }
    }

    /// See [`Finding::class`].
    pub fn class(&self) -> Option<Info> {
        self.what.class()
    }

    /// Makes a warning an error (`strict: true`): a target that gets nothing then fails the run.
    pub fn make_strict(&mut self) {
        self.strict = self.what.severity() == Severity::Warning;
    }

    /// The message a user reads.
    pub fn message(&self) -> String {
        let mut message = self.what.to_string();
        if self.strict {
            message.push_str(" (an error under strict: true)");
        }
        message
    }

    /// The KRM result it becomes, naming its object among `objects`.
    pub fn to_result(&self, objects: &[Object<'_>]) -> KrmResult {
        let object = self.object.map(|i| &objects[i]);
        KrmResult {
            resource_ref: object
                .map(ResourceRef::of)
                .or_else(|| self.reference.clone()),
            field: self.field.clone(),
            file: object.and_then(kpt::file_of),
            ..KrmResult::new(self.severity(), self.message())
        }
    }
}

/// A field of a blueprint or of the options that cannot be read as the API defines it.
impl Finding for FieldProblem {
    fn severity(&self) -> Severity {
        FieldProblem::severity(self)
    }
}

impl From<FieldProblem> for Found {
    /// The problem, about its field (none when it is the whole object's).
    fn from(problem: FieldProblem) -> Self {
        let field = Some(problem.field.clone()).filter(|f| !f.is_empty());
        let mut found = Found::new(problem);
        found.field = field;
        found
    }
}
