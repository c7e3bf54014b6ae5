//! Reading typed values out of a captured mapping, each problem recorded once with its field.
//!
//! The blueprint readers and the options reader all read "a value of this shape, or a problem
//! at this field". A [`Fields`] reader over a node knows the node's path (`spec`,
//! `spec.backupConfigurationTemplate`), so a field path is written once and nested readers
//! extend it; its accessors either give the value or record a [`FieldProblem`] in the
//! [`Problems`] the readers share. A problem is data, worded only by its `Display`, so the
//! callers decide at their edge what becomes of it (a KRM result, a finding).

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

use super::k8s_names::{NAME_RULE, NAMESPACE_RULE};
use super::schema::Place;
use crate::krm::results::Severity;
use crate::suggest;
use crate::yaml::tree::{NodeId, Tree};

/// What a problem is about, as its message names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A kind alone, when the object has no usable name: `BackupBlueprint`.
    Kind(&'static str),
    /// A kind and a name: ``BackupBlueprint `daily` ``.
    Named(&'static str, String),
    /// A kind, a namespace and a name: `BackupBlueprint backup/daily`.
    InNamespace(&'static str, String, String),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Kind(kind) => write!(f, "{kind}"),
            Subject::Named(kind, name) => write!(f, "{kind} `{name}`"),
            Subject::InNamespace(kind, namespace, name) => write!(f, "{kind} {namespace}/{name}"),
        }
    }
}

/// What is wrong with a field; [`FieldProblem`] words it with the field's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Set, but not a string (a mapping or a list).
    NotString,
    /// Set, but not a mapping.
    NotMapping,
    /// Set, but not a list.
    NotList,
    /// Set, but none of the booleans Go's YAML readers take (YAML 1.1 spellings included).
    NotBool,
    /// Set, but not what the field holds, said in words: `a mapping with name and params`.
    Expected(&'static str),
    /// A word that is none of the allowed ones.
    NotOneOf {
        value: String,
        allowed: Vec<&'static str>,
    },
    /// The typed form's boolean field holds something else.
    NotBoolean(String),
    /// The typed form's boolean field holds `"true"` or `"false"` quoted (or tagged): a string.
    QuotedBoolean(String),
    /// A string that should say `"true"` or `"false"` (a ConfigMap holds only strings).
    NotBooleanString(String),
    /// Not a namespace Kubernetes accepts.
    NotNamespace(String),
    /// Not an object name Kubernetes accepts (the field is the object's `metadata.name`).
    NotName { kind: &'static str, value: String },
    /// An object of `kind` in another version than the one read (`None`: no apiVersion).
    WrongApiVersion {
        kind: &'static str,
        wanted: &'static str,
        found: Option<String>,
    },
    /// Not set, though `subject` needs it; `why` says what for.
    Missing {
        subject: Subject,
        why: Option<&'static str>,
    },
    /// Not set, or set to something else than a mapping, though `subject` needs the mapping.
    MissingMapping {
        subject: Subject,
        why: Option<&'static str>,
    },
    /// A mapping that must hold exactly one of `of` as a set key, and holds `found`.
    NotExactlyOne {
        of: &'static [&'static str],
        found: Vec<String>,
    },
    /// The key appears twice (the field is the key).
    Duplicate,
    /// A merge key (`<<`) in the mapping whose value could not be merged.
    MergeKey,
    /// A key `subject` does not know: ignored, so only a warning; with the known key it is
    /// closest to.
    UnknownField {
        subject: Subject,
        suggestion: Option<String>,
    },
    /// A name, of those an option lists, that is no class of info (`silence: prune`), with
    /// the class closest to it.
    UnknownClass {
        /// The option's name.
        option: &'static str,
        class: String,
        meant: Option<&'static str>,
        /// Every class, to list them.
        known: Vec<&'static str>,
        /// The option's value when it is one string of names separated by commas, where the
        /// fix replaces `class` with `meant`; none for a list (each name its own item).
        written: Option<String>,
    },
    /// A wording of one reader's own, which no other reader shares.
    Custom(Cow<'static, str>),
}

/// A problem and the field it is at (a path such as `spec.task.params[0]`; empty for the
/// object itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub problem: Problem,
}

impl FieldProblem {
    /// An unknown field is ignored, so it is only a warning; every other problem makes what
    /// holds it unusable.
    pub fn severity(&self) -> Severity {
        match self.problem {
            Problem::UnknownField { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = &self.field;
        match &self.problem {
            Problem::NotString => write!(f, "{field} must be a string"),
            Problem::NotMapping => write!(f, "{field} must be a mapping"),
            Problem::NotList => write!(f, "{field} must be a list"),
            Problem::NotBool => write!(f, "{field} must be true or false"),
            Problem::Expected(what) => write!(f, "{field} must be {what}"),
            Problem::NotOneOf { value, allowed } => {
                write!(f, "{field} must be ")?;
                either(f, allowed)?;
                write!(f, ", not `{value}`")
            }
            Problem::NotBoolean(value) => {
                write!(
                    f,
                    "{field} must be the boolean true or false, not `{value}`"
                )
            }
            Problem::QuotedBoolean(value) => write!(
                f,
                "{field} must be the boolean true or false, not the string \"{value}\": remove \
                 the quotes"
            ),
            Problem::NotBooleanString(value) => {
                write!(f, "{field} must be \"true\" or \"false\", not `{value}`")
            }
            Problem::NotNamespace(value) => write!(
                f,
                "{field} {value:?} is not a valid Kubernetes namespace ({NAMESPACE_RULE})"
            ),
            Problem::NotName { kind, value } => write!(
                f,
                "{kind} name {value:?} is not a valid Kubernetes name ({NAME_RULE})"
            ),
            Problem::WrongApiVersion {
                kind,
                wanted,
                found,
            } => {
                let found = found.as_deref().unwrap_or("empty");
                write!(f, "{kind} apiVersion must be {wanted}, not {found}")
            }
            Problem::Missing { subject, why } => {
                write!(f, "{subject} has no {field}")?;
                because(f, *why)
            }
            Problem::MissingMapping { subject, why } => {
                write!(f, "{subject} has no {field} mapping")?;
                because(f, *why)
            }
            Problem::NotExactlyOne { of, found } => {
                let of = of.join(", ");
                write!(f, "{field} must name exactly one of {of} (found ")?;
                match found.is_empty() {
                    true => write!(f, "none)"),
                    false => write!(f, "{})", found.join(", ")),
                }
            }
            Problem::Duplicate => write!(f, "key `{field}` appears twice: remove one"),
            Problem::MergeKey => write!(
                f,
                "a merge key (`<<`) in {field} cannot be applied: its value must be a mapping or \
                 a list of mappings"
            ),
            Problem::UnknownField {
                subject,
                suggestion,
            } => {
                write!(f, "unknown field {field} in {subject} is ignored; ")?;
                match suggestion {
                    None => f.write_str("check its spelling"),
                    Some(s) => write!(f, "did you mean `{s}`?"),
                }
            }
            problem @ Problem::UnknownClass { .. } => unknown_class(f, problem),
            Problem::Custom(message) => write!(f, "{message}"),
        }
    }
}

/// `` `a`, `b` or `c` ``.
fn either(f: &mut fmt::Formatter<'_>, words: &[&str]) -> fmt::Result {
    for (i, word) in words.iter().enumerate() {
        let joint = match i {
            0 => "",
            _ if i + 1 == words.len() => " or ",
            _ => ", ",
        };
        write!(f, "{joint}`{word}`")?;
    }
    Ok(())
}

/// `` silence: `prune` is no class of info; did you mean `pruned`? the classes are … ``.
fn unknown_class(f: &mut fmt::Formatter<'_>, problem: &Problem) -> fmt::Result {
    let Problem::UnknownClass {
        option,
        class,
        meant,
        known,
        ..
    } = problem
    else {
        return Ok(());
    };
    write!(f, "{option}: `{class}` is no class of info; ")?;
    if let Some(meant) = meant {
        write!(f, "did you mean `{meant}`? ")?;
    }
    write!(f, "the classes are {}", known.join(", "))
}

fn because(f: &mut fmt::Formatter<'_>, why: Option<&str>) -> fmt::Result {
    match why {
        Some(why) => write!(f, ": {why}"),
        None => Ok(()),
    }
}

/// The problems the readers of one object record, in the order they are found.
#[derive(Debug, Default)]
pub struct Problems(RefCell<Vec<FieldProblem>>);

impl Problems {
    pub fn record(&self, field: impl Into<String>, problem: Problem) {
        self.0.borrow_mut().push(FieldProblem {
            field: field.into(),
            problem,
        });
    }

    /// Whether a problem makes what was read unusable (warnings do not).
    pub fn has_errors(&self) -> bool {
        self.0
            .borrow()
            .iter()
            .any(|p| p.severity() == Severity::Error)
    }

    pub fn into_vec(self) -> Vec<FieldProblem> {
        self.0.into_inner()
    }
}

/// A reader over one node of a captured tree (a mapping, or any node a lookup finds nothing
/// in), which knows the node's path.
#[derive(Clone)]
pub struct Fields<'a, 't> {
    tree: &'a Tree<'t>,
    node: NodeId,
    path: String,
    problems: &'a Problems,
}

impl<'a, 't> Fields<'a, 't> {
    /// A reader over `node`, whose path is `path` (empty: the paths of its fields are their
    /// keys).
    pub fn new(tree: &'a Tree<'t>, node: NodeId, path: &str, problems: &'a Problems) -> Self {
        Fields {
            tree,
            node,
            path: path.to_owned(),
            problems,
        }
    }

    pub fn tree(&self) -> &'a Tree<'t> {
        self.tree
    }

    /// The node read.
    pub fn id(&self) -> NodeId {
        self.node
    }

    /// The path of the field under `key`.
    pub fn field(&self, key: &str) -> String {
        match self.path.is_empty() {
            true => key.to_owned(),
            false => format!("{}.{key}", self.path),
        }
    }

    /// Records `problem` at the field under `key`.
    pub fn report(&self, key: &str, problem: Problem) {
        self.problems.record(self.field(key), problem);
    }

    /// Warns of each key here that the schema at `place` does not know (the server would
    /// prune it, the operator's Go types drop it), with the known key it is closest to. Merge
    /// keys are the caller's to report.
    pub fn unknown_keys(&self, place: Place<'_>, subject: &Subject) {
        let keys = self.entries().iter().map(|(k, _)| *k);
        let keys = keys.filter(|k| !self.tree.is_merge_key(*k));
        for key in keys.filter_map(|k| self.tree.scalar(k)) {
            if place.field(key).is_none() {
                let suggestion = suggest::closest(key, place.fields()).map(str::to_owned);
                let subject = subject.clone();
                self.report(
                    key,
                    Problem::UnknownField {
                        subject,
                        suggestion,
                    },
                );
            }
        }
    }

    /// Records `problem` at this node.
    pub fn report_here(&self, problem: Problem) {
        self.problems.record(self.path.clone(), problem);
    }

    fn child(&self, key: &str, node: NodeId) -> Self {
        Fields {
            node,
            path: self.field(key),
            ..self.clone()
        }
    }

    /// The entries of the mapping as written; none when the node is no mapping.
    pub fn entries(&self) -> &'a [(NodeId, NodeId)] {
        self.tree.entries(self.node).unwrap_or_default()
    }

    /// The value under `key` as written, null included.
    pub fn lookup(&self, key: &str) -> Option<NodeId> {
        self.tree.lookup(self.node, key)
    }

    /// The value under `key` when it is set: present and not null.
    pub fn node(&self, key: &str) -> Option<NodeId> {
        self.lookup(key).filter(|v| !self.tree.is_null(*v))
    }

    /// The text under `key` as written (a null's too), when it is a scalar.
    pub fn text(&self, key: &str) -> Option<&'a str> {
        self.tree.scalar(self.lookup(key)?)
    }

    /// This node's text, when it is a scalar.
    pub fn own_text(&self) -> Option<&'a str> {
        self.tree.scalar(self.node)
    }

    /// A reader over the value under `key` when it is set, whatever its shape.
    pub fn at(&self, key: &str) -> Option<Self> {
        Some(self.child(key, self.node(key)?))
    }

    /// A reader over the value under `key` when it is a mapping; nothing recorded otherwise.
    pub fn at_mapping(&self, key: &str) -> Option<Self> {
        let node = self.lookup(key)?;
        self.tree.entries(node).map(|_| self.child(key, node))
    }

    /// Readers over the items of the list under `key` (`key[0]`, …); none when it is no list.
    pub fn items(&self, key: &str) -> Vec<Self> {
        let items = self.lookup(key).and_then(|list| self.tree.items(list));
        self.item_readers(key, items.unwrap_or_default())
    }

    fn item_readers(&self, key: &str, items: &[NodeId]) -> Vec<Self> {
        let field = self.field(key);
        items
            .iter()
            .enumerate()
            .map(|(i, item)| Fields {
                node: *item,
                path: format!("{field}[{i}]"),
                ..self.clone()
            })
            .collect()
    }

    /// The value under `key` when it is set; else `missing` is recorded there.
    pub fn require(&self, key: &str, missing: Problem) -> Option<NodeId> {
        let node = self.node(key);
        if node.is_none() {
            self.report(key, missing);
        }
        node
    }

    /// The text under `key` when it is a scalar and not empty; else `missing` is recorded there.
    pub fn string(&self, key: &str, missing: Problem) -> Option<&'a str> {
        let text = self.text(key).filter(|t| !t.is_empty());
        if text.is_none() {
            self.report(key, missing);
        }
        text
    }

    /// The node under `key` when it is set and a scalar; [`Problem::NotString`] when it is set
    /// and something else.
    pub fn string_node(&self, key: &str) -> Option<NodeId> {
        let node = self.node(key)?;
        if self.tree.scalar(node).is_none() {
            self.report(key, Problem::NotString);
            return None;
        }
        Some(node)
    }

    /// The text under `key` when it is set and a scalar; [`Problem::NotString`] when it is set
    /// and something else.
    pub fn optional_string(&self, key: &str) -> Option<&'a str> {
        self.string_node(key)
            .and_then(|node| self.tree.scalar(node))
    }

    /// The boolean under `key` as Go's YAML readers take it, when set; [`Problem::NotBool`]
    /// when it is set and no boolean.
    pub fn bool(&self, key: &str) -> Option<bool> {
        let node = self.node(key)?;
        let value = self.tree.scalar(node).and_then(yaml_bool);
        if value.is_none() {
            self.report(key, Problem::NotBool);
        }
        value
    }

    /// A reader over the mapping under `key` when it is set; [`Problem::NotMapping`] when it is
    /// set and something else.
    pub fn mapping(&self, key: &str) -> Option<Self> {
        self.mapping_or(key, Problem::NotMapping)
    }

    /// [`Fields::mapping`] with another problem when the value is no mapping.
    pub fn mapping_or(&self, key: &str, problem: Problem) -> Option<Self> {
        let node = self.node(key)?;
        if self.tree.entries(node).is_none() {
            self.report(key, problem);
            return None;
        }
        Some(self.child(key, node))
    }

    /// Readers over the items of the list under `key` when it is set; [`Problem::NotList`] when
    /// it is set and something else.
    pub fn list(&self, key: &str) -> Option<Vec<Self>> {
        let node = self.node(key)?;
        let Some(items) = self.tree.items(node) else {
            self.report(key, Problem::NotList);
            return None;
        };
        Some(self.item_readers(key, items))
    }
}

/// A boolean as Go's YAML readers take it from a plain scalar (yaml.v2 accepts the YAML 1.1
/// spellings, which kubectl applies).
fn yaml_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            Some(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            Some(false)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::krm::read::{DocumentRoot, Interest, Read, yaml};

    /// `text` (a YAML flow mapping) as a functionConfig, whose whole tree is captured.
    fn source(text: &str) -> String {
        format!("apiVersion: v1\nkind: ResourceList\nfunctionConfig: {text}\nitems: []\n")
    }

    fn parse(src: &str) -> Read<'_> {
        yaml::read(src, &Interest::default()).expect("YAML")
    }

    fn root(read: &Read<'_>) -> NodeId {
        let DocumentRoot::Mapping(root) = &read.documents[0].root else {
            panic!("a mapping");
        };
        root.function_config.expect("a functionConfig")
    }

    fn fields(problems: &Problems) -> Vec<String> {
        problems
            .0
            .borrow()
            .iter()
            .map(|p| p.field.clone())
            .collect()
    }

    #[test]
    fn paths_extend_the_reader_path() {
        let src = source("{spec: {task: {params: [{name: a}, {name: b}]}}, list: [x]}");
        let read = parse(&src);
        let problems = Problems::default();
        let top = Fields::new(&read.tree, root(&read), "", &problems);
        assert_eq!(top.field("spec"), "spec");
        assert_eq!(top.path, "");
        let spec = top.mapping("spec").expect("a mapping");
        assert_eq!(spec.field("task"), "spec.task");
        assert_eq!(spec.path, "spec");
        assert_eq!(spec.field(""), "spec.", "an empty key is still a key");
        let task = spec.mapping("task").expect("a mapping");
        let params = task.list("params").expect("a list");
        assert_eq!(params[1].field("name"), "spec.task.params[1].name");
        assert_eq!(params[1].text("name"), Some("b"));
        let items = top.items("list");
        assert_eq!(items[0].path, "list[0]");
        assert_eq!(items[0].own_text(), Some("x"));
        params[0].report_here(Problem::NotString);
        task.report("name", Problem::NotString);
        assert_eq!(fields(&problems), ["spec.task.params[0]", "spec.task.name"]);
    }

    #[test]
    fn silent_accessors_record_nothing() {
        let src = source("{a: ~, b: text, c: {d: 1}, e: [1, 2], f: null}");
        let read = parse(&src);
        let problems = Problems::default();
        let top = Fields::new(&read.tree, root(&read), "x", &problems);
        assert!(top.lookup("a").is_some(), "a null is there as written");
        assert!(top.node("a").is_none(), "but not set");
        assert_eq!(top.text("a"), Some("~"));
        assert_eq!(top.text("b"), Some("text"));
        assert_eq!(top.text("c"), None);
        assert!(top.at("f").is_none());
        assert_eq!(top.at("b").map(|b| b.path.clone()), Some("x.b".to_owned()));
        assert!(top.at_mapping("b").is_none());
        assert_eq!(top.at_mapping("c").map(|c| c.entries().len()), Some(1));
        assert_eq!(top.items("e").len(), 2);
        assert!(top.items("c").is_empty());
        assert!(top.items("missing").is_empty());
        assert_eq!(top.entries().len(), 5);
        assert!(fields(&problems).is_empty());
    }

    #[test]
    fn accessors_give_a_value_or_record_a_problem() {
        let src = source(
            "{s: text, e: '', m: {k: v}, l: [1], n: ~, yes: yes, off: Off, bad: maybe, list: [a]}",
        );
        let read = parse(&src);
        let problems = Problems::default();
        let top = Fields::new(&read.tree, root(&read), "spec", &problems);
        let at = |key: &str| {
            problems
                .0
                .borrow()
                .last()
                .filter(|p| p.field == format!("spec.{key}"))
                .map(|p| p.problem.clone())
        };

        assert_eq!(top.optional_string("s"), Some("text"));
        assert_eq!(top.optional_string("n"), None, "null is unset");
        assert_eq!(top.optional_string("absent"), None);
        assert_eq!(top.optional_string("m"), None);
        assert_eq!(at("m"), Some(Problem::NotString));
        assert!(top.string_node("l").is_none());
        assert_eq!(at("l"), Some(Problem::NotString));

        let missing = Problem::Custom("needs it".into());
        assert_eq!(top.string("s", missing.clone()), Some("text"));
        assert_eq!(top.string("e", missing.clone()), None, "empty is missing");
        assert_eq!(at("e"), Some(missing.clone()));
        assert!(top.require("m", missing.clone()).is_some());
        assert!(top.require("n", missing.clone()).is_none());
        assert_eq!(at("n"), Some(missing));

        assert_eq!(top.bool("yes"), Some(true));
        assert_eq!(top.bool("off"), Some(false));
        assert_eq!(top.bool("n"), None);
        assert_eq!(top.bool("bad"), None);
        assert_eq!(at("bad"), Some(Problem::NotBool));

        assert!(top.mapping("m").is_some());
        assert!(top.mapping("n").is_none());
        assert!(top.mapping("s").is_none());
        assert_eq!(at("s"), Some(Problem::NotMapping));
        assert!(
            top.mapping_or("l", Problem::Expected("a mapping of x"))
                .is_none()
        );
        assert_eq!(at("l"), Some(Problem::Expected("a mapping of x")));

        assert_eq!(top.list("list").map(|l| l.len()), Some(1));
        assert!(top.list("absent").is_none());
        assert!(top.list("m").is_none());
        assert_eq!(at("m"), Some(Problem::NotList));
        assert_eq!(problems.into_vec().len(), 8);
    }

    #[test]
    fn go_yaml_booleans() {
        for (text, value) in [("true", Some(true)), ("Y", Some(true)), ("ON", Some(true))] {
            assert_eq!(yaml_bool(text), value, "{text}");
        }
        for (text, value) in [
            ("false", Some(false)),
            ("n", Some(false)),
            ("No", Some(false)),
        ] {
            assert_eq!(yaml_bool(text), value, "{text}");
        }
        for text in ["", "1", "yES", "t"] {
            assert_eq!(yaml_bool(text), None, "{text}");
        }
    }

    #[test]
    fn problems_word_themselves_with_their_field() {
        let named = Subject::Named("BackupBlueprint", "daily".into());
        let cases = [
            (Problem::NotString, "spec.x must be a string"),
            (Problem::NotMapping, "spec.x must be a mapping"),
            (Problem::NotList, "spec.x must be a list"),
            (Problem::NotBool, "spec.x must be true or false"),
            (
                Problem::Expected("a list of y"),
                "spec.x must be a list of y",
            ),
            (
                Problem::NotOneOf {
                    value: "c".into(),
                    allowed: vec!["a", "b"],
                },
                "spec.x must be `a` or `b`, not `c`",
            ),
            (
                Problem::NotOneOf {
                    value: "d".into(),
                    allowed: vec!["a", "b", "c"],
                },
                "spec.x must be `a`, `b` or `c`, not `d`",
            ),
            (
                Problem::NotBoolean("1".into()),
                "spec.x must be the boolean true or false, not `1`",
            ),
            (
                Problem::QuotedBoolean("true".into()),
                "spec.x must be the boolean true or false, not the string \"true\": remove the quotes",
            ),
            (
                Problem::NotBooleanString("yes".into()),
                "spec.x must be \"true\" or \"false\", not `yes`",
            ),
            (
                Problem::NotNamespace("A".into()),
                &format!("spec.x \"A\" is not a valid Kubernetes namespace ({NAMESPACE_RULE})"),
            ),
            (
                Problem::NotName {
                    kind: "Thing",
                    value: "A".into(),
                },
                &format!("Thing name \"A\" is not a valid Kubernetes name ({NAME_RULE})"),
            ),
            (
                Problem::WrongApiVersion {
                    kind: "Thing",
                    wanted: "g/v1",
                    found: None,
                },
                "Thing apiVersion must be g/v1, not empty",
            ),
            (
                Problem::WrongApiVersion {
                    kind: "Thing",
                    wanted: "g/v1",
                    found: Some("g/v2".into()),
                },
                "Thing apiVersion must be g/v1, not g/v2",
            ),
            (
                Problem::Missing {
                    subject: Subject::Kind("Thing"),
                    why: Some("it is needed"),
                },
                "Thing has no spec.x: it is needed",
            ),
            (
                Problem::MissingMapping {
                    subject: named.clone(),
                    why: None,
                },
                "BackupBlueprint `daily` has no spec.x mapping",
            ),
            (
                Problem::MissingMapping {
                    subject: Subject::InNamespace("Thing", "ns".into(), "n".into()),
                    why: Some("why"),
                },
                "Thing ns/n has no spec.x mapping: why",
            ),
            (
                Problem::NotExactlyOne {
                    of: &["a", "b"],
                    found: Vec::new(),
                },
                "spec.x must name exactly one of a, b (found none)",
            ),
            (
                Problem::NotExactlyOne {
                    of: &["a", "b"],
                    found: vec!["a".into(), "b".into()],
                },
                "spec.x must name exactly one of a, b (found a, b)",
            ),
            (Problem::Duplicate, "key `spec.x` appears twice: remove one"),
            (
                Problem::MergeKey,
                "a merge key (`<<`) in spec.x cannot be applied: its value must be a mapping or a list of mappings",
            ),
            (
                Problem::UnknownField {
                    subject: named.clone(),
                    suggestion: None,
                },
                "unknown field spec.x in BackupBlueprint `daily` is ignored; check its spelling",
            ),
            (
                Problem::UnknownField {
                    subject: named,
                    suggestion: Some("y".into()),
                },
                "unknown field spec.x in BackupBlueprint `daily` is ignored; did you mean `y`?",
            ),
            (Problem::Custom("as it is".into()), "as it is"),
        ];
        for (problem, wanted) in cases {
            let problem = FieldProblem {
                field: "spec.x".into(),
                problem,
            };
            assert_eq!(problem.to_string(), wanted);
        }
    }

    #[test]
    fn only_an_unknown_field_is_a_warning() {
        let problems = Problems::default();
        let unknown = Problem::UnknownField {
            subject: Subject::Kind("Thing"),
            suggestion: None,
        };
        problems.record("spec.x", unknown);
        assert!(!problems.has_errors());
        problems.record("spec.y", Problem::NotList);
        assert!(problems.has_errors());
        let severities: Vec<Severity> = problems
            .into_vec()
            .iter()
            .map(FieldProblem::severity)
            .collect();
        assert_eq!(severities, [Severity::Warning, Severity::Error]);
    }
}
