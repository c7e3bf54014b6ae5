//! A backup never disappears by accident (docs/spec.md §7a, issue 19): over the golden inputs,
//! a single-key edit of a target's annotations that draws a warning or an error must leave the
//! objects the earlier run generated as they were.
//!
//! The first run's output is the earlier state: in a ResourceList, the whole output (its
//! generated objects come back as input items); in a stream, the output plus what it leaves out
//! of the input (local-config blueprints, the options), as a team that commits
//! `stash-autobackup dir/ > generated.yaml` runs it next time. One key of one target is then
//! edited: a typo in the key, the key renamed to one of its domain that no family reads, the
//! value made a list, a map or blank, the target's namespace removed, or the blueprint it names
//! misspelt. When the second run reports a warning or an error that a run on the unedited text
//! does not, the user has something to fix, and until it is fixed no earlier object may be
//! pruned or retained, nor go missing (a stream with an error prints nothing, which keeps them
//! all). An edit that draws nothing new is free to prune or regenerate: removing a key on
//! purpose is how a backup is removed.
//!
//! The rule is §7a whole: every earlier object comes back with the same bytes. Not even a
//! regeneration while the user has a warning to fix: a misspelt or blank
//! `stash.appscode.com/schedule`, or a misspelt `params.stash.appscode.com/*` or
//! `variables.kubestash.com/*`, would regenerate the objects without what the key said, so
//! reconciliation holds an update as it holds a prune (`Reconciled::Held`).
//!
//! The edit is made in the text, on the byte ranges the YAML parser reports for the one key or
//! value, so every other byte stays as it was and the earlier objects are compared byte for
//! byte; re-serialising the list would respell untouched items and leave only a comparison by
//! meaning. Each edit is read back and must say what was meant, so a slip of the editor fails
//! loudly instead of testing something else.
//!
//! A table pass makes every kind of edit on every key of every target of every eligible golden
//! input, so each kind is covered on every run; proptest adds edits of every kind with typos at
//! random places, of random characters, in keys and blueprint names.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::ops::Range;

use granit_parser::{Event, Parser, ScalarStyle};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use stash_autobackup::{Framing, Options, Severity, run};

/// Our marker: the objects carrying it are the earlier run's.
const MARKER: &str = "autobackup.stash.appscode.com/blueprint";

/// The domains of the keys the families read on a target (`src/families/*/mod.rs`, `KEYS`).
const DOMAINS: [&str; 4] = [
    "stash.appscode.com/",
    "params.stash.appscode.com/",
    "blueprint.kubestash.com/",
    "variables.kubestash.com/",
];

/// Keys that Stash's operator writes in its own domain, which say nothing about backing up.
const OTHERS: &str = "stash.appscode.com/last-applied-";

/// The keys whose value names blueprints.
const BLUEPRINT_KEYS: [&str; 2] = [
    "stash.appscode.com/backup-blueprint",
    "blueprint.kubestash.com/name",
];

/// Characters a typo brings in: what keys and names are made of, and a few that they are not.
const TYPO_CHARS: &str = "abcdefghijklmnopqrstuvwxyz0123456789-./_ A";

// ---- A YAML tree with byte ranges -----------------------------------------------------------

#[derive(Debug)]
enum Node {
    Scalar {
        text: String,
        /// The value's own bytes: for a block scalar, from its `|` or `>` to the end of its
        /// content (what the parser reports starts at the content and runs into the next line's
        /// indentation).
        span: Range<usize>,
        /// Neither an anchor nor a tag: replacing it changes only this node.
        free: bool,
    },
    Map {
        entries: Vec<(Node, Node)>,
        span: Range<usize>,
        flow: bool,
    },
    Seq {
        items: Vec<Node>,
        span: Range<usize>,
    },
    /// An alias.
    Other { span: Range<usize> },
}

impl Node {
    fn span(&self) -> Range<usize> {
        match self {
            Node::Scalar { span, .. }
            | Node::Map { span, .. }
            | Node::Seq { span, .. }
            | Node::Other { span } => span.clone(),
        }
    }

    fn text(&self) -> Option<&str> {
        match self {
            Node::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The value of `key` in a mapping (merge keys are not followed: only what the text holds
    /// can be edited).
    fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    fn entry(&self, key: &str) -> Option<&(Node, Node)> {
        match self {
            Node::Map { entries, .. } => entries.iter().find(|(k, _)| k.text() == Some(key)),
            _ => None,
        }
    }

    fn annotations(&self) -> &[(Node, Node)] {
        match self.get("metadata").and_then(|m| m.get("annotations")) {
            Some(Node::Map { entries, .. }) => entries,
            _ => &[],
        }
    }

    fn annotation(&self, key: &str) -> Option<&Node> {
        self.annotations()
            .iter()
            .find(|(k, _)| k.text() == Some(key))
            .map(|(_, v)| v)
    }

    /// `apiVersion kind namespace/name`, as results name objects.
    fn id(&self) -> String {
        let field = |path: &[&str]| {
            let mut node = Some(self);
            for key in path {
                node = node.and_then(|n| n.get(key));
            }
            node.and_then(Node::text).unwrap_or("").to_owned()
        };
        format!(
            "{} {} {}/{}",
            field(&["apiVersion"]),
            field(&["kind"]),
            field(&["metadata", "namespace"]),
            field(&["metadata", "name"])
        )
    }

    /// What a value reads as, to check that an edit did what it meant.
    fn view(&self) -> String {
        match self {
            Node::Scalar { text, .. } => format!("{text:?}"),
            Node::Seq { items, .. } => {
                let items: Vec<String> = items.iter().map(Node::view).collect();
                format!("[{}]", items.join(", "))
            }
            Node::Map { entries, .. } => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", k.view(), v.view()))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
            Node::Other { .. } => "*alias".to_owned(),
        }
    }
}

type Events<'s> = std::iter::Peekable<std::vec::IntoIter<(Event<'s>, Range<usize>)>>;

/// The root node of every document of `src`.
fn parse(src: &str) -> Result<Vec<Node>, String> {
    let options = granit_parser::options! { emit_comments: false };
    let mut events = Vec::new();
    for event in Parser::new_from_str_with_options(src, options) {
        let (event, span) = event.map_err(|e| e.to_string())?;
        events.push((event, span.byte_range().ok_or("a span without bytes")?));
    }
    let mut events: Events<'_> = events.into_iter().peekable();
    let mut docs = Vec::new();
    while let Some((event, _)) = events.next() {
        if matches!(event, Event::DocumentStart(..)) {
            docs.push(node(src, &mut events)?);
        }
    }
    Ok(docs)
}

fn node(src: &str, events: &mut Events<'_>) -> Result<Node, String> {
    let (event, span) = events.next().ok_or("the events end inside a node")?;
    Ok(match event {
        Event::Scalar(text, style, anchor, tag) => {
            let mut span = span;
            if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
                let header = src[..span.start]
                    .rfind(['|', '>'])
                    .ok_or("a block scalar without its header")?;
                let end = span.start + src[span.clone()].trim_end().len();
                span = header..end;
            }
            Node::Scalar {
                text: text.into_owned(),
                span,
                free: anchor == 0 && tag.is_none(),
            }
        }
        Event::Alias(_) => Node::Other { span },
        Event::MappingStart(..) => {
            let flow = src[span.clone()].starts_with('{');
            let mut entries = Vec::new();
            loop {
                if let Some((Event::MappingEnd, end)) = events.peek() {
                    let end = if flow {
                        end.end
                    } else {
                        entries
                            .last()
                            .map_or(span.start, |(_, v): &(Node, Node)| v.span().end)
                    };
                    events.next();
                    break Node::Map {
                        entries,
                        span: span.start..end,
                        flow,
                    };
                }
                let key = node(src, events)?;
                let value = node(src, events)?;
                entries.push((key, value));
            }
        }
        Event::SequenceStart(..) => {
            let flow = src[span.clone()].starts_with('[');
            let mut items = Vec::new();
            loop {
                if let Some((Event::SequenceEnd, end)) = events.peek() {
                    let end = if flow {
                        end.end
                    } else {
                        items.last().map_or(span.start, |v: &Node| v.span().end)
                    };
                    events.next();
                    break Node::Seq {
                        items,
                        span: span.start..end,
                    };
                }
                items.push(node(src, events)?);
            }
        }
        other => return Err(format!("unexpected event {other:?}")),
    })
}

/// The objects of a ResourceList's `items`, or of a stream's documents.
fn read_objects(src: &str) -> Result<Vec<Node>, String> {
    let mut docs = parse(src)?;
    let is_list = docs.len() == 1
        && docs[0].get("kind").and_then(Node::text) == Some("ResourceList")
        && docs[0].get("apiVersion").is_some();
    if is_list {
        let Node::Map { entries, .. } = docs.remove(0) else {
            unreachable!("checked to be a mapping");
        };
        return match entries.into_iter().find(|(k, _)| k.text() == Some("items")) {
            Some((_, Node::Seq { items, .. })) => Ok(items),
            _ => Err("a ResourceList without a list of items".into()),
        };
    }
    Ok(docs
        .into_iter()
        .filter(|d| matches!(d, Node::Map { .. }))
        .collect())
}

fn is_generated(object: &Node) -> bool {
    object.annotation(MARKER).is_some()
}

/// Whether a key says something about backing its object up.
fn concerns(key: &str) -> bool {
    DOMAINS.iter().any(|d| key.starts_with(d)) && !key.starts_with(OTHERS)
}

fn is_target(object: &Node) -> bool {
    !is_generated(object)
        && object
            .annotations()
            .iter()
            .any(|(k, _)| k.text().is_some_and(concerns))
}

// ---- The cases ------------------------------------------------------------------------------

/// A golden input in one framing, with the earlier run's objects.
struct Case {
    name: String,
    stream: bool,
    /// The text the edits are made on, holding the earlier run's generated objects.
    base: String,
    objects: Vec<Node>,
    /// Indexes in `objects` of the targets.
    targets: Vec<usize>,
    /// The earlier run's generated objects: id and bytes.
    generated: Vec<(String, String)>,
    /// The warnings and errors of a run on `base`.
    known: HashSet<(Severity, String)>,
}

fn trouble(run: &stash_autobackup::Run) -> impl Iterator<Item = (Severity, String)> + '_ {
    run.results()
        .iter()
        .filter(|r| matches!(r.severity, Severity::Warning | Severity::Error))
        .map(|r| (r.severity, r.message.clone()))
}

/// The objects of `src`, each as its id and bytes.
fn texts(src: &str, objects: &[Node]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for object in objects {
        out.entry(object.id())
            .or_default()
            .push(src[object.span()].to_owned());
    }
    out
}

/// The golden inputs run without arguments or environment: each ResourceList, and each as a
/// stream when it is one or unwraps to one.
fn inputs() -> Vec<(String, bool, String)> {
    let mut out = Vec::new();
    for dir in common::cases("testdata") {
        let settings = std::fs::read_to_string(dir.join("case.yaml")).unwrap_or_default();
        if settings.contains("args:") || settings.contains("env:") {
            continue;
        }
        let Ok(input) = std::fs::read_to_string(dir.join("input.yaml")) else {
            continue;
        };
        let name = common::case_name("testdata", &dir);
        let Ok(first) = run(&input, &Options::default(), &|_| None) else {
            continue;
        };
        match first.framing() {
            Framing::Stream => out.push((name, true, input)),
            Framing::ResourceList => {
                if let Some(stream) = unwrap(&input) {
                    out.push((name.clone(), true, stream));
                }
                out.push((name, false, input));
            }
        }
    }
    out
}

/// A ResourceList of block items at two spaces and nothing after them, as a stream.
fn unwrap(list: &str) -> Option<String> {
    let items =
        list.strip_prefix("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")?;
    let plain = items
        .lines()
        .all(|l| l.starts_with("- ") || l.starts_with("  ") || l.trim().is_empty());
    plain.then(|| common::unwrapped("input", list))
}

/// The case for an input, when its first run succeeds and both generates an object and leaves a
/// target to edit.
fn case(name: String, stream: bool, input: &str) -> Option<Case> {
    let first = run(input, &Options::default(), &|_| None).ok()?;
    if first.has_errors() {
        return None;
    }
    let output = String::from_utf8(first.output(input.as_bytes())).expect("UTF-8 output");
    let base = if stream {
        // The output, and what it leaves out of the input but its earlier objects
        // (local-config blueprints, the options): the input may hold earlier objects of its
        // own, which the output has once, or prunes.
        let printed = texts(
            &output,
            &read_objects(&output).expect("the output reads back"),
        );
        let mut base = output.clone();
        if !base.ends_with('\n') {
            base.push('\n');
        }
        for object in read_objects(input).expect("the input reads") {
            if !is_generated(&object) && !printed.contains_key(&object.id()) {
                let _ = writeln!(base, "---\n{}", &input[object.span()]);
            }
        }
        base
    } else {
        output
    };
    let objects = read_objects(&base).expect("the earlier output reads back");
    let targets: Vec<usize> = (0..objects.len())
        .filter(|&i| is_target(&objects[i]))
        .collect();
    let generated: Vec<(String, String)> = objects
        .iter()
        .filter(|o| is_generated(o))
        .map(|o| (o.id(), base[o.span()].to_owned()))
        .collect();
    if targets.is_empty() || generated.is_empty() {
        return None;
    }
    let name = format!(
        "{name} [{}]",
        if stream { "stream" } else { "ResourceList" }
    );
    let again = run(&base, &Options::default(), &|_| None).expect("the earlier output reads");
    // The property compares an edited run with this one: it must be the fixed point the
    // function promises (docs/spec.md §7, idempotence).
    assert!(
        !again.has_errors(),
        "{name}: a run on the earlier output fails"
    );
    let out = String::from_utf8(again.output(base.as_bytes())).expect("UTF-8");
    let after = texts(&out, &read_objects(&out).expect("the output reads back"));
    for (id, text) in &generated {
        assert!(
            after.get(id).is_some_and(|t| t.contains(text)),
            "{name}: a run on the earlier output changes {id}"
        );
    }
    let known = trouble(&again).collect();
    Some(Case {
        name,
        stream,
        base,
        objects,
        targets,
        generated,
        known,
    })
}

fn eligible() -> Vec<Case> {
    inputs()
        .into_iter()
        .filter_map(|(name, stream, input)| case(name, stream, &input))
        .collect()
}

// ---- Edits ----------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy)]
enum TypoKind {
    Insert,
    Delete,
    Swap,
    Replace,
}

/// A one-character slip at `at` (taken modulo the length).
#[derive(Debug, Clone, Copy)]
struct Typo {
    kind: TypoKind,
    at: usize,
    ch: char,
}

impl Typo {
    /// `text` with the slip, or none when it changes nothing.
    fn apply(self, text: &str) -> Option<String> {
        let mut chars: Vec<char> = text.chars().collect();
        let n = chars.len();
        match self.kind {
            TypoKind::Insert => chars.insert(self.at % (n + 1), self.ch),
            TypoKind::Delete if n > 0 => {
                chars.remove(self.at % n);
            }
            TypoKind::Swap if n > 1 => {
                let i = self.at % (n - 1);
                chars.swap(i, i + 1);
            }
            TypoKind::Replace if n > 0 => chars[self.at % n] = self.ch,
            _ => return None,
        }
        let out: String = chars.into_iter().collect();
        (out != text).then_some(out)
    }
}

/// One edit of one key of a target; `key` picks among the target's annotations (modulo their
/// number), in the order the text holds them.
#[derive(Debug, Clone, Copy)]
enum Edit {
    KeyTypo { key: usize, typo: Typo },
    KeyRenamed { key: usize },
    ValueList { key: usize },
    ValueMap { key: usize },
    ValueBlank { key: usize },
    NamespaceRemoved,
    BlueprintMisspelt { key: usize, typo: Typo },
}

/// A string as YAML reads it anywhere: block, flow or JSON.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

fn splice(src: &str, range: Range<usize>, with: &str) -> String {
    format!("{}{with}{}", &src[..range.start], &src[range.end..])
}

/// A key of the same domain that no family reads (a stray key, docs/spec.md §3.4).
fn renamed(key: &str) -> &'static str {
    if key.starts_with("stash.appscode.com/") || key.starts_with("params.stash.appscode.com/") {
        "stash.appscode.com/blueprint"
    } else {
        "blueprint.kubestash.com/blueprint"
    }
}

/// The annotations of `object` an edit of a key may pick, with their places among all of them:
/// the family keys written as plain text (a key with an anchor or a tag would take others with
/// it).
fn editable(object: &Node) -> Vec<(usize, &(Node, Node))> {
    object
        .annotations()
        .iter()
        .enumerate()
        .filter(|(_, (k, _))| matches!(k, Node::Scalar { free: true, text, .. } if concerns(text)))
        .collect()
}

/// The annotations of `object` naming blueprints, with their places among all of them.
fn naming(object: &Node) -> Vec<(usize, &(Node, Node))> {
    object
        .annotations()
        .iter()
        .enumerate()
        .filter(|(_, (k, v))| {
            k.text().is_some_and(|k| BLUEPRINT_KEYS.contains(&k))
                && matches!(v, Node::Scalar { free: true, .. })
        })
        .collect()
}

/// The text with `edit` made on the target `object`, what it means, and what the target's
/// annotations and namespace must read as afterwards; none when the edit does not apply (no such
/// key, an anchored or tagged node, a typo that changes nothing).
fn apply(case: &Case, object: &Node, edit: Edit) -> Option<(String, String, String)> {
    let src = &case.base;
    let annotations = object.annotations();
    let keys = editable(object);
    let pick = |key: usize| (!keys.is_empty()).then(|| keys[key % keys.len()]);
    let mut after: Vec<(String, String)> = annotations
        .iter()
        .map(|(k, v)| (k.view(), v.view()))
        .collect();
    let mut namespace = object
        .get("metadata")
        .and_then(|m| m.get("namespace"))
        .map(Node::view);
    let (text, what) = match edit {
        Edit::KeyTypo { key, typo } => {
            let (i, (k, _)) = pick(key)?;
            let new = typo.apply(k.text()?)?;
            after[i].0 = format!("{new:?}");
            let what = format!("key `{}` misspelt `{new}`", k.text()?);
            (splice(src, k.span(), &quoted(&new)), what)
        }
        Edit::KeyRenamed { key } => {
            let (i, (k, _)) = pick(key)?;
            let new = renamed(k.text()?);
            if object.annotation(new).is_some() {
                return None;
            }
            after[i].0 = format!("{new:?}");
            let what = format!("key `{}` renamed `{new}`", k.text()?);
            (splice(src, k.span(), &quoted(new)), what)
        }
        Edit::ValueList { key } | Edit::ValueMap { key } | Edit::ValueBlank { key } => {
            let (i, (k, v)) = pick(key)?;
            let Node::Scalar {
                text, free: true, ..
            } = v
            else {
                return None;
            };
            let (new, view) = match edit {
                Edit::ValueList { .. } => (format!("[{}]", quoted(text)), format!("[{text:?}]")),
                Edit::ValueMap { .. } => (
                    format!("{{\"value\": {}}}", quoted(text)),
                    format!("{{\"value\": {text:?}}}"),
                ),
                _ => ("\"\"".to_owned(), "\"\"".to_owned()),
            };
            let what = format!("value of `{}` made `{new}`", k.text()?);
            after[i].1 = view;
            (splice(src, v.span(), &new), what)
        }
        Edit::NamespaceRemoved => {
            let metadata = object.get("metadata")?;
            let Node::Map { entries, flow, .. } = metadata else {
                return None;
            };
            let at = entries
                .iter()
                .position(|(k, _)| k.text() == Some("namespace"))?;
            let (k, v) = &entries[at];
            let range = if *flow {
                match (at.checked_sub(1), entries.get(at + 1)) {
                    (_, Some((next, _))) => k.span().start..next.span().start,
                    (Some(before), None) => entries[before].1.span().end..v.span().end,
                    (None, None) => return None,
                }
            } else {
                let line = src[..k.span().start].rfind('\n').map_or(0, |i| i + 1);
                if !src[line..k.span().start].trim().is_empty() {
                    return None;
                }
                let end = v.span().end;
                let end = src[end..].find('\n').map_or(src.len(), |i| end + i + 1);
                line..end
            };
            namespace = None;
            (
                splice(src, range, ""),
                "metadata.namespace removed".to_owned(),
            )
        }
        Edit::BlueprintMisspelt { key, typo } => {
            let named = naming(object);
            if named.is_empty() {
                return None;
            }
            let (i, (k, v)) = named[key % named.len()];
            let new = typo.apply(v.text()?)?;
            after[i].1 = format!("{new:?}");
            let what = format!("`{}: {}` misspelt `{new}`", k.text()?, v.text()?);
            (splice(src, v.span(), &quoted(&new)), what)
        }
    };
    let expect = format!("{after:?} namespace {namespace:?}");
    Some((text, what, expect))
}

/// What the target at `index` of `case` reads as in `edited`, in the terms of [`apply`]'s
/// expectation. The edit lies inside the target, so the target alone is read (at its column, so
/// that its lines keep their indentation), which costs a fraction of reading the whole list;
/// when it cannot stand alone (an alias of another item's anchor), the whole is read.
fn reads(case: &Case, index: usize, edited: &str) -> Result<String, String> {
    let span = case.objects[index].span();
    let end = span.end + edited.len() - case.base.len();
    let line = edited[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let column = edited[line..span.start].chars().count();
    let alone = format!("{}{}", " ".repeat(column), &edited[span.start..end]);
    match parse(&alone) {
        Ok(docs) if docs.len() == 1 => Ok(view_of(&docs[0])),
        _ => {
            let whole = read_objects(edited)?;
            Ok(view_of(whole.get(index).ok_or("the target is gone")?))
        }
    }
}

fn view_of(object: &Node) -> String {
    let after: Vec<(String, String)> = object
        .annotations()
        .iter()
        .map(|(k, v)| (k.view(), v.view()))
        .collect();
    let namespace = object
        .get("metadata")
        .and_then(|m| m.get("namespace"))
        .map(Node::view);
    format!("{after:?} namespace {namespace:?}")
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

/// Whether the property constrained an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checked {
    /// The edit does not apply to this target.
    NotApplicable,
    /// The second run reported nothing new: anything goes.
    Free,
    /// It reported a new warning or error, and the earlier objects came back as the rule says.
    Held,
}

/// Makes `edit` on the target at `target` of `case`, and checks that a second run that draws a
/// new warning or error leaves every earlier object as it was: the same bytes, and reported
/// neither pruned nor retained.
fn check(case: &Case, target: usize, edit: Edit) -> Result<Checked, String> {
    let index = case.targets[target % case.targets.len()];
    let object = &case.objects[index];
    let Some((edited, what, expect)) = apply(case, object, edit) else {
        return Ok(Checked::NotApplicable);
    };
    let name = format!("{}, {}, {what} ({edit:?})", case.name, object.id());
    // A slip of the editor would test something else: it must have done what it says.
    let got =
        reads(case, index, &edited).map_err(|e| format!("{name}: the edit broke the YAML: {e}"))?;
    if got != expect {
        return Err(format!(
            "{name}: the editor did not do what it meant\nmeant {expect}\n  got {got}\n{edited}"
        ));
    }
    let second = std::panic::catch_unwind(|| run(&edited, &Options::default(), &|_| None))
        .map_err(|panic| format!("{name}: the run panics: {}\n{edited}", panic_text(&panic)))?
        .map_err(|e| format!("{name}: the edited input is unreadable: {e}"))?;
    let new: Vec<(Severity, String)> = trouble(&second)
        .filter(|t| !case.known.contains(t))
        .collect();
    if new.is_empty() {
        return Ok(Checked::Free);
    }
    let reported: String = new
        .iter()
        .map(|(s, m)| format!("\n  {}: {m}", s.as_str()))
        .collect();
    if case.stream && second.has_errors() {
        // Stream mode prints nothing on an error: nothing is applied, so nothing goes.
        return if second.writes_output() {
            Err(format!("{name}: a stream with errors is written{reported}"))
        } else {
            Ok(Checked::Held)
        };
    }
    let out = String::from_utf8(second.output(edited.as_bytes())).expect("UTF-8");
    let after = texts(
        &out,
        &read_objects(&out).map_err(|e| format!("{name}: {e}"))?,
    );
    let names = |prefix: &str, id: &str| {
        second.results().iter().any(|r| {
            r.message.starts_with(prefix)
                && r.resource_ref.as_ref().is_some_and(|o| {
                    format!("{} {} {}/{}", o.api_version, o.kind, o.namespace, o.name) == id
                })
        })
    };
    let mut failures = String::new();
    for (id, text) in &case.generated {
        match after.get(id) {
            Some(texts) if texts.contains(text) => {}
            Some(texts) => {
                let _ = write!(
                    failures,
                    "\n{id} changed:\n--- before\n{text}\n--- after\n{}",
                    texts.join("\n--- and\n")
                );
            }
            None => {
                let _ = write!(failures, "\n{id} is gone; it was:\n{text}");
            }
        }
        for said in ["pruned", "retained", "updated"] {
            if names(&format!("{said}:"), id) {
                let _ = write!(failures, "\n{id} is reported {said}");
            }
        }
    }
    if failures.is_empty() {
        Ok(Checked::Held)
    } else {
        Err(format!(
            "{name}: the edit drew{reported}\nyet the earlier output did not stay:{failures}"
        ))
    }
}

// ---- The tests ------------------------------------------------------------------------------

/// The edits of the table pass on a target: every kind on every key, and two slips per key and
/// per blueprint name, one near each end, their kinds taking turns from key to key (the random
/// pass adds the rest).
fn table(object: &Node) -> Vec<Edit> {
    let kinds = [
        TypoKind::Insert,
        TypoKind::Delete,
        TypoKind::Swap,
        TypoKind::Replace,
    ];
    let typos = |turn: usize, text: &str| {
        let len = text.chars().count();
        [(1, 'q'), (len.saturating_sub(2), 'e')]
            .into_iter()
            .enumerate()
            .map(move |(i, (at, ch))| Typo {
                kind: kinds[(2 * turn + i) % kinds.len()],
                at,
                ch,
            })
    };
    let mut edits = vec![Edit::NamespaceRemoved];
    for (key, (_, (k, _))) in editable(object).into_iter().enumerate() {
        let text = k.text().unwrap_or_default();
        edits.extend(typos(key, text).map(|typo| Edit::KeyTypo { key, typo }));
        edits.extend([
            Edit::KeyRenamed { key },
            Edit::ValueList { key },
            Edit::ValueMap { key },
            Edit::ValueBlank { key },
        ]);
    }
    for (key, (_, (_, v))) in naming(object).into_iter().enumerate() {
        let text = v.text().unwrap_or_default();
        edits.extend(typos(key + 1, text).map(|typo| Edit::BlueprintMisspelt { key, typo }));
    }
    edits
}

/// The table pass: every kind of edit on every key of every target, each kind drawing a warning
/// somewhere, so that none of them checks nothing.
#[test]
fn every_edit_that_draws_a_warning_leaves_the_earlier_output_byte_for_byte() {
    let cases = eligible();
    assert!(
        cases.len() >= 40,
        "only {} golden inputs generate objects for a target to edit",
        cases.len()
    );
    let mut failures = Vec::new();
    let mut held: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut made = 0;
    for case in &cases {
        for target in 0..case.targets.len() {
            let object = &case.objects[case.targets[target]];
            for edit in table(object) {
                match check(case, target, edit) {
                    Ok(Checked::NotApplicable) => {}
                    Ok(checked) => {
                        made += 1;
                        if checked == Checked::Held {
                            *held.entry(kind(edit)).or_default() += 1;
                        }
                    }
                    Err(e) => failures.push(e),
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {made} edits lost or changed earlier output:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    for kind in [
        "key typo",
        "key renamed",
        "value list",
        "value map",
        "value blank",
        "namespace removed",
        "blueprint misspelt",
    ] {
        assert!(
            held.get(kind).is_some_and(|n| *n > 0),
            "no `{kind}` edit drew a warning over {} cases ({made} edits): {held:?}",
            cases.len()
        );
    }
}

fn kind(edit: Edit) -> &'static str {
    match edit {
        Edit::KeyTypo { .. } => "key typo",
        Edit::KeyRenamed { .. } => "key renamed",
        Edit::ValueList { .. } => "value list",
        Edit::ValueMap { .. } => "value map",
        Edit::ValueBlank { .. } => "value blank",
        Edit::NamespaceRemoved => "namespace removed",
        Edit::BlueprintMisspelt { .. } => "blueprint misspelt",
    }
}

fn typo() -> impl Strategy<Value = Typo> {
    let kind = prop_oneof![
        Just(TypoKind::Insert),
        Just(TypoKind::Delete),
        Just(TypoKind::Swap),
        Just(TypoKind::Replace),
    ];
    let chars: Vec<char> = TYPO_CHARS.chars().collect();
    (kind, any::<usize>(), proptest::sample::select(chars)).prop_map(|(kind, at, ch)| Typo {
        kind,
        at,
        ch,
    })
}

fn edit() -> impl Strategy<Value = Edit> {
    let key = any::<usize>();
    prop_oneof![
        4 => (key, typo()).prop_map(|(key, typo)| Edit::KeyTypo { key, typo }),
        3 => (key, typo()).prop_map(|(key, typo)| Edit::BlueprintMisspelt { key, typo }),
        1 => key.prop_map(|key| Edit::KeyRenamed { key }),
        1 => key.prop_map(|key| Edit::ValueList { key }),
        1 => key.prop_map(|key| Edit::ValueMap { key }),
        1 => key.prop_map(|key| Edit::ValueBlank { key }),
        1 => Just(Edit::NamespaceRemoved),
    ]
}

#[test]
fn random_edits_that_draw_a_warning_leave_the_earlier_output_byte_for_byte() {
    let cases = eligible();
    // No regressions file: a saved case picks its golden input by number, and `testdata/` grows.
    let mut runner = TestRunner::new(Config {
        cases: 512,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (any::<usize>(), any::<usize>(), edit());
    let result = runner.run(&strategy, |(case, target, edit)| {
        let case = &cases[case % cases.len()];
        check(case, target, edit).map_err(TestCaseError::fail)?;
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
