//! KRM results: what the function tells its caller about each object.
//!
//! A problem with one object is never a Rust error: it becomes a result naming the object
//! (`resourceRef`), the field and the file, so kpt and kustomize can point the user at it.
//!
//! The shape is kpt's and kustomize's (`framework.Result` in kyaml, `ResultItem` in kpt's
//! `fnresult/v1`): `message`, `severity`, `resourceRef`, `field` (`path`, `currentValue`,
//! `proposedValue`), `file` and `tags` (a map of strings for tools). The ResourceLists this
//! function reads and writes are `config.kubernetes.io/v1`, whose field carries one
//! `proposedValue` (the list `proposedValues` is v2alpha1's). kpt's own copy of the field holds
//! both values as strings, as ours are.

use std::fmt;

use super::object::{Field, FileRef, Object};
use crate::yaml::emit::Value;

/// How much a result matters: an error fails the run (exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Something is wrong and the run fails; what it concerns gets nothing.
    Error,
    /// Something is likely wrong; the run goes on.
    Warning,
    /// What the run did, or a fact worth knowing.
    Info,
}

impl Severity {
    /// The word KRM results use.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Which object a result is about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ResourceRef {
    /// The object's apiVersion, as written.
    pub api_version: String,
    /// Its kind.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Its namespace; empty when it has none.
    pub namespace: String,
}

impl ResourceRef {
    /// The reference of an input object (empty fields where it has none).
    pub fn of(object: &Object<'_>) -> Self {
        let Some(fields) = object.fields() else {
            return ResourceRef::default();
        };
        let text = |f: &Field<'_>| f.text().unwrap_or_default().to_owned();
        ResourceRef {
            api_version: text(&fields.api_version),
            kind: text(&fields.kind),
            name: text(&fields.name),
            namespace: text(&fields.namespace),
        }
    }

    /// A reference from its parts.
    pub fn new(api_version: &str, kind: &str, namespace: &str, name: &str) -> Self {
        ResourceRef {
            api_version: api_version.to_owned(),
            kind: kind.to_owned(),
            name: name.to_owned(),
            namespace: namespace.to_owned(),
        }
    }
}

impl fmt::Display for ResourceRef {
    /// `Postgres demo/pg` (or `BackupBlueprint daily` for cluster-scoped objects).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.kind.is_empty() {
            "object"
        } else {
            &self.kind
        };
        match (self.namespace.is_empty(), self.name.is_empty()) {
            (_, true) => write!(f, "{kind} without a name"),
            (true, false) => write!(f, "{kind} {}", self.name),
            (false, false) => write!(f, "{kind} {}/{}", self.namespace, self.name),
        }
    }
}

/// `metadata.annotations[<key>]`, the field path of an annotation.
pub fn annotation_field(key: &str) -> String {
    format!("metadata.annotations[{key}]")
}

/// One entry of a ResourceList's `results`: what the function tells its caller.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KrmResult {
    /// What was found, and what to do about it.
    pub message: String,
    /// How much it matters.
    pub severity: Severity,
    /// The object it is about, if any.
    pub resource_ref: Option<ResourceRef>,
    /// The field of that object, as a path (`spec.schedule`).
    pub field: Option<String>,
    /// The field's value, when a fix is proposed for the field (`field.currentValue`).
    pub current_value: Option<String>,
    /// The value that fixes the finding, when one is known (`field.proposedValue`).
    pub proposed_value: Option<String>,
    /// The file the object came from.
    pub file: Option<FileRef>,
    /// `tags`, in the order written: `class` (the finding's kind), `family` (the family that
    /// found it), `proposedKey` (the key meant, for a misspelt one).
    pub tags: Vec<(&'static str, String)>,
}

impl KrmResult {
    /// A result about no object.
    pub fn new(severity: Severity, message: impl Into<String>) -> Self {
        KrmResult {
            message: message.into(),
            severity,
            resource_ref: None,
            field: None,
            current_value: None,
            proposed_value: None,
            file: None,
            tags: Vec::new(),
        }
    }

    /// The same result with the tag `key: value` last.
    pub fn tagged(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.tags.push((key, value.into()));
        self
    }

    /// The value of the tag `key`.
    pub fn tag(&self, key: &str) -> Option<&str> {
        let mut tags = self.tags.iter();
        tags.find(|(k, _)| *k == key).map(|(_, v)| v.as_str())
    }

    /// The entry of the ResourceList's `results`.
    pub fn to_value(&self) -> Value<'_> {
        let mut out = Value::map([
            ("message", Value::str(self.message.as_str())),
            ("severity", Value::str(self.severity.as_str())),
        ]);
        if let Some(r) = &self.resource_ref {
            let mut reference = Value::map([
                ("apiVersion", Value::str(r.api_version.as_str())),
                ("kind", Value::str(r.kind.as_str())),
                ("name", Value::str(r.name.as_str())),
            ]);
            if !r.namespace.is_empty() {
                reference.push("namespace", Value::str(r.namespace.as_str()));
            }
            out.push("resourceRef", reference);
        }
        if let Some(path) = &self.field {
            let mut field = Value::map([("path", Value::str(path.as_str()))]);
            if let Some(current) = &self.current_value {
                field.push("currentValue", Value::str(current.as_str()));
            }
            if let Some(proposed) = &self.proposed_value {
                field.push("proposedValue", Value::str(proposed.as_str()));
            }
            out.push("field", field);
        }
        if let Some(file) = &self.file {
            let mut f = Value::map([("path", Value::str(file.path.as_str()))]);
            if let Some(index) = file.index {
                f.push("index", Value::Int(index));
            }
            out.push("file", f);
        }
        if !self.tags.is_empty() {
            let mut tags = Value::map([]);
            for (key, value) in &self.tags {
                tags.push(key, Value::str(value.as_str()));
            }
            out.push("tags", tags);
        }
        out
    }
}

impl fmt::Display for KrmResult {
    /// One line for stderr: `error: Postgres demo/pg (db/pg.yaml) metadata.annotations[...]: message`.
    /// Names and messages can hold anything the input held, so control characters are escaped:
    /// one result is always exactly one line. Tags and the proposed value are left out: the
    /// message already names the fix in words (`did you mean …?`), and a person reads this line
    /// (kustomize shows only stderr), where the whole corrected value of a list of names would
    /// repeat what the message says.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut line = format!("{}: ", self.severity.as_str());
        if let Some(r) = &self.resource_ref {
            line.push_str(&r.to_string());
            if let Some(file) = &self.file {
                line.push_str(&format!(" ({})", file.path));
            }
            if let Some(path) = &self.field {
                line.push_str(&format!(" {path}"));
            }
            line.push_str(": ");
        }
        line.push_str(&self.message);
        for c in line.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}
