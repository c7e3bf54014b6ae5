//! Reconciliation alone, with a made-up family that generates `example.com` Things.

use super::prune::{Doubt, EarlierTarget};
use super::*;
use crate::engine::ownership::{LABEL, MARKER};
use crate::krm::read::{Interest, Spec, yaml};

const THINGS: [GroupKind; 1] = [GroupKind {
    group: "example.com",
    kind: "Thing",
}];
const FAMILY: [Generates; 1] = [Generates {
    name: "Things",
    kinds: &THINGS,
    retained: &[],
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
        let (key, value) = LABEL;
        format!(", labels: {{{key}: \"{value}\"}}, annotations: {{{MARKER}: bp}}")
    } else {
        String::new()
    };
    format!(
        "- {{apiVersion: example.com/v1, kind: Thing, metadata: {{name: {name}, namespace: ns{marker}}}, spec: {{size: {size}}}}}\n"
    )
}

/// An error a family found of its own.
#[derive(Debug)]
struct OwnError;

impl fmt::Display for OwnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the family's own error")
    }
}

impl Finding for OwnError {
    fn severity(&self) -> Severity {
        Severity::Error
    }

    fn tag(&self) -> &'static str {
        "own-error"
    }
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
    /// The target of earlier output is still in the input and carries the family's keys.
    still_wanted: bool,
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
    let objects = read.items();
    let mut write = |value: &Value<'_>, _: &[&str]| {
        let name = value.get("metadata").and_then(|m| m.get("name"));
        format!("new:{}", name.and_then(Value::scalar).unwrap_or_default())
    };
    let config = Config::default();
    let mut reconciler = Reconciler::new(
        &read.tree,
        objects,
        &FAMILY,
        &config,
        false,
        &mut write,
        Vec::new(),
    );
    {
        let mut out = reconciler.proposals(FamilyId(0));
        if case.error {
            out.found(0, OwnError);
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
    // Earlier output was made for the ConfigMap (item 0): gone from the input, or still there
    // with a key of the family's.
    let earlier_target = |_, _| {
        let (objects, doubts) = match case.still_wanted {
            true => (vec![0], vec![Doubt::Keys(vec!["example.com/ask".into()])]),
            false => (Vec::new(), Vec::new()),
        };
        Some(EarlierTarget {
            key: "ConfigMap ns/target".into(),
            shown: "ConfigMap ns/target".into(),
            objects,
            doubts,
            in_full_view: true,
        })
    };
    reconciler.prune(true, &earlier_target);
    let finished = reconciler.finish();
    let changes = finished.changes;
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
    let messages: Vec<String> = finished.findings.iter().map(Found::message).collect();
    let results: Vec<&str> = messages.iter().map(String::as_str).collect();
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
            still_wanted: false,
            append: vec!["new:a".into()],
            remove: vec![],
            results: vec![],
        },
        Case {
            name: "earlier output that is still right is kept as it is",
            earlier: vec![earlier("a", "small", true)],
            propose: vec![("a", "small")],
            error: false,
            still_wanted: false,
            append: vec!["kept:1".into()],
            remove: vec![1],
            results: vec![],
        },
        Case {
            name: "earlier output that changed is written again",
            earlier: vec![earlier("a", "small", true)],
            propose: vec![("a", "large")],
            error: false,
            still_wanted: false,
            append: vec!["new:a".into()],
            remove: vec![1],
            results: vec!["updated: regenerated from blueprint `bp`"],
        },
        Case {
            name: "a hand-written object wins",
            earlier: vec![earlier("a", "small", false)],
            propose: vec![("a", "large")],
            error: false,
            still_wanted: false,
            append: vec![],
            remove: vec![],
            results: vec!["this Thing was not generated by stash-autobackup"],
        },
        Case {
            name: "one object proposed twice is an error",
            earlier: vec![],
            propose: vec![("a", "small"), ("a", "large")],
            error: false,
            still_wanted: false,
            append: vec!["new:a".into()],
            remove: vec![],
            results: vec!["Thing ns/a would be generated twice"],
        },
        Case {
            name: "earlier output nothing asks for is pruned",
            earlier: vec![earlier("gone", "small", true)],
            propose: vec![],
            error: false,
            still_wanted: false,
            append: vec![],
            remove: vec![1],
            results: vec![
                "pruned: generated earlier from blueprint `bp`, but ConfigMap ns/target is not in \
                 the input any more",
            ],
        },
        Case {
            name: "nothing is pruned when the run has errors",
            earlier: vec![earlier("gone", "small", true)],
            propose: vec![],
            error: true,
            still_wanted: false,
            append: vec![],
            remove: vec![],
            results: vec![
                "the family's own error",
                "kept Thing ns/gone, generated earlier from blueprint `bp` for ConfigMap ns/target: \
                 ConfigMap ns/target is not in the input any more, but this run has errors",
            ],
        },
        Case {
            name: "earlier output whose target still carries the family's keys is kept, and says so",
            earlier: vec![earlier("gone", "small", true)],
            propose: vec![],
            error: false,
            still_wanted: true,
            append: vec![],
            remove: vec![],
            results: vec![
                "kept Thing ns/gone, generated earlier from blueprint `bp` for ConfigMap ns/target: \
                 ConfigMap ns/target gets nothing in this run, but the target still carries \
                 example.com/ask.",
            ],
        },
        Case {
            name: "of two earlier copies the last is kept, the first pruned",
            earlier: vec![earlier("a", "small", true), earlier("a", "small", true)],
            propose: vec![("a", "small")],
            error: false,
            still_wanted: false,
            append: vec!["kept:2".into()],
            remove: vec![1, 2],
            results: vec!["pruned: generated earlier from blueprint `bp`, but the input holds"],
        },
    ];
    for case in &cases {
        run(case);
    }
}
