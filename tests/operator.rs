//! The function against the Stash operator: for every example of Stash's documentation in
//! `tests/fixtures/operator/` (copied from the shared cases), the objects we generate must be
//! the ones the docs show the operator created, field by field and type by type, as kubectl
//! reads both.
//!
//! Normalisation follows `tests/fixtures/operator/README.md`: `spec.driver: Restic` is filled in
//! by the API server, empty objects are Go zero values, and `ownerReferences` point at an
//! AppBinding uid that the inputs do not carry. Our own marker annotation is removed too.

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
    }
    drop_empty(&mut object);
    object
}

/// Removes `{}` values (Go zero-value structs), recursively.
fn drop_empty(value: &mut Value) {
    if let Value::Object(map) = value {
        for v in map.values_mut() {
            drop_empty(v);
        }
        map.retain(|_, v| !matches!(v, Value::Object(m) if m.is_empty()));
    } else if let Value::Array(items) = value {
        items.iter_mut().for_each(drop_empty);
    }
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

#[test]
fn generated_objects_match_the_operators() {
    let cases = common::folders("tests/fixtures/operator");
    assert_eq!(cases.len(), 13, "every example of the shared cases is here");
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let input = fs::read(case.join("input.yaml")).expect("input");
        let ours = common::function(&[], &input);
        assert_eq!(ours.code, 0, "{name}: {}", ours.stderr);
        let got = generated(common::kubectl_objects(&ours.stdout));
        let expected = fs::read(case.join("expected.yaml")).expect("expected");
        let want = generated(common::kubectl_objects(&expected));
        assert!(!want.is_empty(), "{name}: the docs show generated objects");
        similar_asserts::assert_eq!(
            want,
            got,
            "{name}: generated objects differ from the operator's"
        );
    }
}
