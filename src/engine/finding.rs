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

use super::config::Info;
use crate::krm::kpt;
use crate::krm::object::{ItemIndex, Object};
use crate::krm::results::{KrmResult, ResourceRef, Severity};

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

/// A finding worded where it is found. Transitional: the layers' typed findings replace it.
#[derive(Debug)]
pub struct Message {
    pub severity: Severity,
    pub text: String,
    pub class: Option<Info>,
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Finding for Message {
    fn severity(&self) -> Severity {
        self.severity
    }

    fn class(&self) -> Option<Info> {
        self.class
    }
}

impl Found {
    /// A KRM result made elsewhere, as a finding (transitional).
    pub fn from_result(result: KrmResult, object: Option<ItemIndex>) -> Self {
        let KrmResult {
            message,
            severity,
            resource_ref,
            field,
            ..
        } = result;
        let mut found = Found::new(Message {
            severity,
            text: message,
            class: None,
        });
        found.object = object;
        found.reference = if object.is_none() { resource_ref } else { None };
        found.field = field;
        found
    }
}
