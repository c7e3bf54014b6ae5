//! Every Repository and BackupConfiguration the golden scenarios generate is valid for the
//! Stash CRDs (`tests/fixtures/crds/`): types, required fields, enums, and no field the schema
//! does not know, checked against the `openAPIV3Schema` of the served version. Both the objects
//! and the CRDs are read by kubectl, so types are what the API server would see.
//!
//! The check is a small structural-schema validator written here (OpenAPI `pattern`s, formats
//! and CEL rules are not evaluated; the CRDs use patterns only for resource quantities).

mod common;

use serde_json::Value;
use std::collections::HashMap;
use std::fs;

fn validate(schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(branches) = schema.get("anyOf").and_then(Value::as_array) {
        let ok = branches.iter().any(|b| {
            let mut e = Vec::new();
            validate(b, value, path, &mut e);
            e.is_empty()
        });
        if !ok {
            errors.push(format!("{path}: matches no anyOf branch: {value}"));
        }
    }
    if value.is_null() && schema.get("nullable") == Some(&Value::Bool(true)) {
        return;
    }
    if schema.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        if !(value.is_i64() || value.is_u64() || value.is_string()) {
            errors.push(format!(
                "{path}: must be an integer or a string, not {value}"
            ));
        }
        return;
    }
    let type_ok = match schema.get("type").and_then(Value::as_str) {
        None => true,
        Some("object") => value.is_object(),
        Some("array") => value.is_array(),
        Some("string") => value.is_string(),
        Some("integer") => value.is_i64() || value.is_u64(),
        Some("number") => value.is_number(),
        Some("boolean") => value.is_boolean(),
        Some(other) => {
            errors.push(format!(
                "{path}: schema type {other} is not handled by this test"
            ));
            false
        }
    };
    if !type_ok {
        errors.push(format!(
            "{path}: must be of type {}, not {value}",
            schema["type"].as_str().unwrap_or_default()
        ));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        errors.push(format!("{path}: {value} is not one of {allowed:?}"));
    }
    match value {
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            for required in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let key = required.as_str().unwrap_or_default();
                if !map.contains_key(key) {
                    errors.push(format!("{path}: required field {key} is missing"));
                }
            }
            let open =
                schema.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
            for (key, child) in map {
                let child_path = format!("{path}.{key}");
                match (
                    properties.and_then(|p| p.get(key)),
                    schema.get("additionalProperties"),
                ) {
                    (Some(s), _) => validate(s, child, &child_path, errors),
                    (None, Some(s)) if s.is_object() => validate(s, child, &child_path, errors),
                    (None, Some(Value::Bool(true))) => {}
                    _ if open || properties.is_none() => {}
                    _ => errors.push(format!("{child_path}: unknown field")),
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    validate(s, item, &format!("{path}[{i}]"), errors);
                }
            }
        }
        _ => {}
    }
}

/// (apiVersion, kind) → the version's openAPIV3Schema.
fn schemas() -> HashMap<(String, String), Value> {
    let mut out = HashMap::new();
    for file in [
        "stash.appscode.com_repositories.yaml",
        "stash.appscode.com_backupconfigurations.yaml",
        "stash.appscode.com_backupblueprints.yaml",
    ] {
        for crd in common::kubectl_objects(&common::read(&format!("tests/fixtures/crds/{file}"))) {
            let group = crd["spec"]["group"].as_str().unwrap_or_default().to_owned();
            let kind = crd["spec"]["names"]["kind"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            for version in crd["spec"]["versions"].as_array().into_iter().flatten() {
                let api = format!("{group}/{}", version["name"].as_str().unwrap_or_default());
                out.insert(
                    (api, kind.clone()),
                    version["schema"]["openAPIV3Schema"].clone(),
                );
            }
        }
    }
    out
}

#[test]
fn generated_objects_are_valid_for_the_stash_crds() {
    let schemas = schemas();
    assert_eq!(
        schemas.len(),
        3,
        "the Repository, BackupConfiguration and BackupBlueprint CRDs are read"
    );
    let mut checked = 0;
    let mut errors = Vec::new();
    for case in common::cases("testdata") {
        let stdout = fs::read(case.join("expected/stdout")).unwrap_or_default();
        let code = fs::read_to_string(case.join("expected/exit-code")).unwrap_or_default();
        if stdout.is_empty() || code.trim() != "0" {
            continue;
        }
        let input =
            common::try_kubectl_objects(&fs::read(case.join("input.yaml")).unwrap_or_default());
        let objects = match (common::try_kubectl_objects(&stdout), &input) {
            (Ok(objects), _) => objects,
            // kubectl refuses some inputs as a whole (an alias bomb in an unrelated item); that
            // is the input's doing, not ours.
            (Err(e), Err(_)) => {
                eprintln!("{}: kubectl refuses the input too: {e}", case.display());
                continue;
            }
            (Err(e), Ok(_)) => panic!("{}: kubectl cannot read our output: {e}", case.display()),
        };
        // Only what the function wrote: objects of the input pass through as they came.
        let given = input.unwrap_or_default();
        // The claim is "a valid blueprint gives valid objects": inputs whose blueprints are
        // themselves invalid (the fuzzing cases) are not evidence either way.
        let broken = given
            .iter()
            .filter(|o| o["kind"] == "BackupBlueprint")
            .any(|b| {
                let key = (
                    b["apiVersion"].as_str().unwrap_or_default().to_owned(),
                    "BackupBlueprint".to_owned(),
                );
                let mut found = Vec::new();
                schemas.get(&key).is_none_or(|schema| {
                    validate(schema, b, "", &mut found);
                    // Unknown fields are dropped with a warning; anything else is a broken blueprint.
                    found.iter().any(|e| !e.ends_with("unknown field"))
                })
            });
        if broken {
            eprintln!(
                "{}: skipped, a blueprint of the input is invalid",
                case.display()
            );
            continue;
        }
        for object in objects.into_iter().filter(|o| !given.contains(o)) {
            let key = (
                object["apiVersion"].as_str().unwrap_or_default().to_owned(),
                object["kind"].as_str().unwrap_or_default().to_owned(),
            );
            let ours = object["metadata"]["annotations"]["autobackup.stash.appscode.com/blueprint"]
                .is_string();
            if !ours || (key.1 != "Repository" && key.1 != "BackupConfiguration") {
                continue;
            }
            let schema = schemas
                .get(&key)
                .unwrap_or_else(|| panic!("no CRD version for {key:?}"));
            let name = format!(
                "{}: {} {}",
                case.display(),
                key.1,
                object["metadata"]["name"]
            );
            let mut found = Vec::new();
            validate(schema, &object, "", &mut found);
            errors.extend(found.into_iter().map(|e| format!("{name}: {e}")));
            checked += 1;
        }
    }
    assert!(
        checked > 40,
        "the scenarios generate objects to check ({checked})"
    );
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// The validator itself catches what it is there for.
#[test]
fn the_validator_rejects_invalid_objects() {
    let schemas = schemas();
    let schema = &schemas[&(
        "stash.appscode.com/v1beta1".to_owned(),
        "BackupConfiguration".to_owned(),
    )];
    let bad = serde_json::json!({
        "apiVersion": "stash.appscode.com/v1beta1",
        "kind": "BackupConfiguration",
        "metadata": {"name": "x"},
        "spec": {"repository": {"name": "r"}, "schedule": 5, "shedule": "typo",
                 "retentionPolicy": {"name": "k", "keepLast": "7", "prune": true}}
    });
    let mut errors = Vec::new();
    validate(schema, &bad, "", &mut errors);
    let text = errors.join("\n");
    for expected in [
        ".spec.schedule: must be of type string",
        ".spec.shedule: unknown field",
        ".spec.retentionPolicy.keepLast: must be of type integer",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}
