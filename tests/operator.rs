//! The function against the Stash operator: every folder of `testdata/stash/operator-docs/` is an
//! example of Stash's documentation, and the objects we generate for it must be the ones the docs
//! show the operator created (`operator.yaml`), field by field and type by type, as kubectl reads
//! both. They are checked twice: in the case's golden output (`expected/stdout`, the KRM run that
//! `tests/golden.rs` holds to the binary's output) and in a live stream-mode run on the same
//! objects unwrapped from the ResourceList (the plain stream the guide shows).
//!
//! Normalisation follows `testdata/stash/operator-docs/README.md`: `spec.driver: Restic` is
//! filled in by the API server, empty objects are Go zero values, and `ownerReferences` point at
//! an AppBinding uid that the inputs do not carry. Our own marker annotation and our own label
//! (`autobackup.stash.appscode.com/generated`, for kpt selectors) are removed too, and nothing
//! else of ours.

mod common;

use serde_json::Value;
use std::fs;

fn normalise(mut object: Value) -> Value {
    if let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut)
        && spec.get("driver") == Some(&Value::from("Restic"))
    {
        spec.remove("driver");
    }
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("ownerReferences");
        if let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            annotations.remove("autobackup.stash.appscode.com/blueprint");
            if annotations.is_empty() {
                meta.remove("annotations");
            }
        }
        if let Some(labels) = meta.get_mut("labels").and_then(Value::as_object_mut) {
            labels.remove("autobackup.stash.appscode.com/generated");
            if labels.is_empty() {
                meta.remove("labels");
            }
        }
    }
    common::drop_empty(&mut object);
    object
}

fn generated(objects: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = objects
        .into_iter()
        .filter(|o| {
            matches!(
                o["kind"].as_str(),
                Some("Repository" | "BackupConfiguration")
            )
        })
        .map(normalise)
        .collect();
    out.sort_by_key(|o| {
        (
            o["kind"].as_str().unwrap_or_default().to_owned(),
            o["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            o["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    });
    out
}

const GROUP: &str = "testdata/stash/operator-docs";

#[test]
fn every_example_shows_the_operators_objects() {
    let cases = common::cases(GROUP);
    assert!(!cases.is_empty(), "{GROUP} holds the docs' examples");
    let missing: Vec<String> = cases
        .iter()
        .filter(|case| !case.join("operator.yaml").is_file())
        .map(|case| common::case_name(GROUP, case))
        .collect();
    assert!(
        missing.is_empty(),
        "every example needs the operator's objects in operator.yaml: {missing:?}"
    );
}

#[test]
fn generated_objects_match_the_operators() {
    for case in common::cases(GROUP) {
        let name = common::case_name(GROUP, &case);
        let read = |file: &str| {
            fs::read(case.join(file)).unwrap_or_else(|e| panic!("{name}: {file}: {e}"))
        };
        let want = generated(common::kubectl_objects(&read("operator.yaml")));
        assert!(!want.is_empty(), "{name}: the docs show generated objects");

        let code = String::from_utf8(read("expected/exit-code")).expect("exit code");
        assert_eq!(code.trim(), "0", "{name}: the golden run succeeds");
        let golden = generated(common::kubectl_objects(&read("expected/stdout")));
        similar_asserts::assert_eq!(
            want,
            golden,
            "{name}: the golden output's objects differ from the operator's"
        );

        let list = String::from_utf8(read("input.yaml")).expect("input.yaml is UTF-8");
        let ours = common::function(&[], common::unwrapped(&name, &list).as_bytes());
        assert_eq!(ours.code, 0, "{name}: {}", ours.stderr);
        let got = generated(common::kubectl_objects(&ours.stdout));
        similar_asserts::assert_eq!(
            want,
            got,
            "{name}: stream mode's objects differ from the operator's"
        );
    }
}
