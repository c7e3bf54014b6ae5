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

use super::fields::{FieldProblem, Problem};
use crate::krm::kpt;
use crate::krm::object::{ItemIndex, Object};
use crate::krm::results::{KrmResult, ResourceRef, Severity};
use crate::suggest;

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

/// A fix of a finding's field that is known, for a tool to apply.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Fix {
    /// The field holds `current` (as a reader takes it); writing `proposed` in its place fixes
    /// the finding. Results carry both (`field.currentValue`, `field.proposedValue`).
    Value { current: String, proposed: String },
    /// The field's key is misspelt (an annotation's key one typo from one a family reads, a
    /// blueprint's `shedule`): the same value belongs under `key`, the key meant in place of the
    /// path's last one. kpt's convention has no place for a key: `proposedValue` is the value of
    /// the field at `field.path`, and no value written there fixes a misspelt key (the wrong key
    /// stays, and does nothing). Moving `field.path` to the key meant, with the value as
    /// `proposedValue`, would point the user away from the mistake and, applied, leave it in
    /// place. So the result keeps `field.path` where the problem is, with its value as
    /// `currentValue` (`current`, when it is a string), names the key meant in
    /// `tags.proposedKey` (tags are the convention's place for what a tool may read), and gives
    /// no `proposedValue`.
    Key {
        current: Option<String>,
        key: String,
    },
}

/// The questions every finding answers.
pub trait Finding: fmt::Display + fmt::Debug {
    /// How much it matters.
    fn severity(&self) -> Severity;

    /// The class of an `info` a team may silence (the option `silence`); warnings and errors
    /// have none: each asks for a fix.
    fn class(&self) -> Option<Info> {
        None
    }

    /// Its kind, as its result's `tags.class` names it for tools: a stable kebab-case name
    /// (`blueprint-not-found`, `misspelt-key`), which a new wording of the message keeps. An
    /// `info` of a class is tagged with the class's name, which `silence` takes. Variants of
    /// one type share a tag when they ask for the same fix; a tag is one kind's only, except
    /// where two types report one problem in two places (`SHARED` in this module's tests).
    /// Return literals only: a test reads them from the sources to check that.
    fn tag(&self) -> &'static str;

    /// The fix of its field, when one is known (a did-you-mean that names a value); none by
    /// default.
    fn fix(&self) -> Option<Fix> {
        None
    }
}

/// Whether `tag` is kebab-case: lower-case ASCII words of letters and digits, the first
/// starting with a letter, joined by single hyphens.
pub fn is_kebab_case(tag: &str) -> bool {
    tag.starts_with(|c: char| c.is_ascii_lowercase())
        && tag.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
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

    /// See [`Finding::tag`].
    pub fn tag(&self) -> &'static str {
        self.what.tag()
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

    /// The KRM result it becomes, naming its object among `objects` and tagged with the
    /// `family` that found it (its name, when it is one family's).
    pub fn to_result(&self, objects: &[Object<'_>], family: Option<&str>) -> KrmResult {
        let object = self.object.map(|i| &objects[i]);
        let tag = self.tag();
        debug_assert!(is_kebab_case(tag), "tag {tag:?}");
        debug_assert!(
            self.class().is_none_or(|class| class.name() == tag),
            "an info is tagged with its class: {tag:?}"
        );
        let mut tags = vec![("class", tag.to_owned())];
        tags.extend(family.map(|family| ("family", family.to_owned())));
        // A fix belongs to a field: without one there is nothing to write it to.
        let (current_value, proposed_value) = match self.field.as_ref().and(self.what.fix()) {
            Some(Fix::Value { current, proposed }) => (Some(current), Some(proposed)),
            Some(Fix::Key { current, key }) => {
                tags.push(("proposedKey", key));
                (current, None)
            }
            None => (None, None),
        };
        KrmResult {
            resource_ref: object
                .map(ResourceRef::of)
                .or_else(|| self.reference.clone()),
            field: self.field.clone(),
            current_value,
            proposed_value,
            file: object.and_then(kpt::file_of),
            tags,
            ..KrmResult::new(self.severity(), self.message())
        }
    }
}

/// A field of a blueprint or of the options that cannot be read as the API defines it.
impl Finding for FieldProblem {
    fn severity(&self) -> Severity {
        FieldProblem::severity(self)
    }

    fn tag(&self) -> &'static str {
        match self.problem {
            // A value of another shape than the field holds.
            Problem::NotString
            | Problem::NotMapping
            | Problem::NotList
            | Problem::NotBool
            | Problem::Expected(_)
            | Problem::NotBoolean(_)
            | Problem::QuotedBoolean(_)
            | Problem::NotBooleanString(_) => "wrong-type",
            Problem::NotOneOf { .. } => "value-not-allowed",
            Problem::NotNamespace(_) => "invalid-namespace",
            Problem::NotName { .. } => "invalid-name",
            Problem::WrongApiVersion { .. } => "wrong-api-version",
            Problem::Missing { .. } | Problem::MissingMapping { .. } => "missing-field",
            Problem::NotExactlyOne { .. } => "not-exactly-one",
            Problem::Duplicate => "duplicate-key",
            Problem::MergeKey => "merge-key",
            Problem::UnknownField { .. } => "unknown-field",
            Problem::UnknownClass { .. } => "unknown-info-class",
            // Each reader's own wording of a field it cannot use.
            Problem::Custom(_) => "invalid-field",
        }
    }

    /// A misspelt field's key, and a misspelt class in a string of classes.
    fn fix(&self) -> Option<Fix> {
        match &self.problem {
            Problem::UnknownField {
                suggestion: Some(key),
                ..
            } => Some(Fix::Key {
                current: None,
                key: key.clone(),
            }),
            Problem::UnknownClass {
                class,
                meant: Some(meant),
                written: Some(written),
                ..
            } => Some(Fix::Value {
                current: written.clone(),
                proposed: suggest::replace_listed(written, Some(','), class, meant)?,
            }),
            _ => None,
        }
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    use super::*;

    /// Tags two kinds share on purpose: one problem that two readers find in two places, with
    /// one fix. Every other tag is one kind's.
    const SHARED: &[(&str, &str)] = &[
        (
            "duplicate-key",
            "a key written twice in a target's metadata (TargetFinding) or in a blueprint's or \
             the options' field (FieldProblem): remove one",
        ),
        (
            "invalid-name",
            "a name Kubernetes refuses, of a target (TargetFinding) or of a blueprint \
             (FieldProblem)",
        ),
        (
            "invalid-namespace",
            "a namespace Kubernetes refuses, of a target (TargetFinding) or given by a field or \
             an option (FieldProblem)",
        ),
    ];

    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The string literals each `fn tag` of the sources returns, by tag: where each is
    /// (file and line of its `fn tag`).
    fn tags_in_the_sources() -> BTreeMap<String, Vec<String>> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&root, &mut files);
        let mut tags: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("a source");
            let lines: Vec<&str> = text.lines().collect();
            for (at, line) in lines.iter().enumerate() {
                let code = line.trim_start();
                let signature = code.strip_prefix("pub ").unwrap_or(code);
                if signature != "fn tag(&self) -> &'static str {" {
                    continue;
                }
                let end = format!("{}}}", &line[..line.len() - code.len()]);
                let place = format!("{}:{}", file.display(), at + 1);
                let body = lines[at + 1..].iter().take_while(|l| **l != end);
                let body: Vec<&str> = body.copied().collect();
                if body.iter().any(|l| l.contains(".tag()")) {
                    continue; // one that asks a finding, such as Found's
                }
                let mut found = 0;
                for line in body.iter().filter(|l| !l.trim_start().starts_with("//")) {
                    for literal in line.split('"').skip(1).step_by(2) {
                        found += 1;
                        let places = tags.entry(literal.to_owned()).or_default();
                        if !places.contains(&place) {
                            places.push(place.clone());
                        }
                    }
                }
                assert!(found > 0, "{place}: fn tag returns no literal");
            }
        }
        tags
    }

    /// Every kind's tag is kebab-case, and one kind's only (but for `SHARED`, each of which two
    /// kinds do share); every class of info tags the findings of its class.
    #[test]
    fn every_tag_is_kebab_case_and_names_one_kind() {
        let tags = tags_in_the_sources();
        // Every type that implements Finding (the compiler holds each to a `fn tag`), the
        // summary and the made-up family's error of the reconciliation tests.
        let impls: usize = tags
            .values()
            .flatten()
            .collect::<std::collections::HashSet<_>>()
            .len();
        assert!(impls >= 23, "only {impls} fn tag found: {tags:?}");
        for (tag, places) in &tags {
            assert!(is_kebab_case(tag), "{tag:?} ({places:?}) is not kebab-case");
            let shared = SHARED.iter().any(|(t, _)| t == tag);
            match places.len() {
                1 => assert!(!shared, "{tag} is in SHARED but only {places:?} gives it"),
                _ => assert!(
                    shared,
                    "{tag} is given by {places:?}: one kind's tag, or SHARED"
                ),
            }
        }
        for info in Info::ALL {
            assert!(
                tags.contains_key(info.name()),
                "no finding is tagged {}",
                info.name()
            );
        }
    }

    #[test]
    fn kebab_case() {
        for tag in ["crd-refused", "name-over-63", "updated", "a1-b2"] {
            assert!(is_kebab_case(tag), "{tag}");
        }
        for tag in [
            "",
            "-a",
            "a-",
            "a--b",
            "A",
            "a_b",
            "a b",
            "1a",
            "crdRefused",
        ] {
            assert!(!is_kebab_case(tag), "{tag}");
        }
    }

    /// A result carries the finding's kind and family as tags and, at its field, the fix: a
    /// value as `currentValue` and `proposedValue`, a key in `tags.proposedKey`.
    #[test]
    fn results_carry_tags_and_the_fix_at_their_field() {
        #[derive(Debug)]
        struct Typo(Fix);
        impl fmt::Display for Typo {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a typo")
            }
        }
        impl Finding for Typo {
            fn severity(&self) -> Severity {
                Severity::Warning
            }
            fn tag(&self) -> &'static str {
                "typo"
            }
            fn fix(&self) -> Option<Fix> {
                Some(self.0.clone())
            }
        }
        let value = Fix::Value {
            current: "pg-dialy, mysql".into(),
            proposed: "pg-daily, mysql".into(),
        };
        let result = Found::new(Typo(value.clone()))
            .at("f")
            .to_result(&[], Some("Stash"));
        assert_eq!(
            result.tags,
            [("class", "typo".into()), ("family", "Stash".into())]
        );
        assert_eq!(result.current_value.as_deref(), Some("pg-dialy, mysql"));
        assert_eq!(result.proposed_value.as_deref(), Some("pg-daily, mysql"));

        let key = Fix::Key {
            current: Some("pg-daily".into()),
            key: "example.com/blueprint".into(),
        };
        let result = Found::new(Typo(key)).at("f").to_result(&[], None);
        assert_eq!(
            result.tags,
            [
                ("class", "typo".into()),
                ("proposedKey", "example.com/blueprint".into())
            ]
        );
        assert_eq!(result.current_value.as_deref(), Some("pg-daily"));
        assert_eq!(result.proposed_value, None);

        // Without a field there is nothing to write a value to.
        let result = Found::new(Typo(value)).to_result(&[], None);
        assert_eq!((result.current_value, result.proposed_value), (None, None));
        assert_eq!(result.tags, [("class", "typo".into())]);
    }
}
