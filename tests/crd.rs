//! Every object the golden scenarios generate is valid for its CRD: Stash's Repository and
//! BackupConfiguration (`tests/fixtures/crds/`) and KubeStash's `core.kubestash.com`
//! BackupConfiguration (`tests/fixtures/crds-kubestash/`): types, required fields, enums,
//! minimums, and no field the schema does not know, checked against the `openAPIV3Schema` of
//! the served version. Both the objects and the CRDs are read by kubectl, so types are what the
//! API server would see.
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
    // Only KubeStash's CRDs set bounds (`retryConfig.maxRetry`, minimum 1); Stash's set none.
    if let (Some(minimum), Some(number)) = (
        schema.get("minimum").and_then(Value::as_f64),
        value.as_f64(),
    ) && number < minimum
    {
        errors.push(format!(
            "{path}: {value} is less than the minimum {minimum}"
        ));
    }
    if let (Some(maximum), Some(number)) = (
        schema.get("maximum").and_then(Value::as_f64),
        value.as_f64(),
    ) && number > maximum
    {
        errors.push(format!(
            "{path}: {value} is more than the maximum {maximum}"
        ));
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

/// The CRDs read, by fixture folder: what the function generates, and the blueprints it reads
/// (an input whose blueprint is invalid is no evidence either way).
const CRDS: [(&str, &[&str]); 2] = [
    (
        "tests/fixtures/crds",
        &[
            "stash.appscode.com_repositories.yaml",
            "stash.appscode.com_backupconfigurations.yaml",
            "stash.appscode.com_backupblueprints.yaml",
        ],
    ),
    (
        "tests/fixtures/crds-kubestash",
        &[
            "core.kubestash.com_backupconfigurations.yaml",
            "core.kubestash.com_backupblueprints.yaml",
        ],
    ),
];

fn key(api_version: &str, kind: &str) -> (String, String) {
    (api_version.to_owned(), kind.to_owned())
}

/// (apiVersion, kind) → the version's openAPIV3Schema.
fn schemas() -> HashMap<(String, String), Value> {
    let mut out = HashMap::new();
    for (folder, files) in CRDS {
        for crd in files
            .iter()
            .flat_map(|file| common::kubectl_objects(&common::read(&format!("{folder}/{file}"))))
        {
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

/// The kinds whose CRDs [`schemas`] must have read: Stash's generated kinds and blueprint, and
/// KubeStash's.
const READ: [(&str, &str); 5] = [
    ("stash.appscode.com/v1alpha1", "Repository"),
    ("stash.appscode.com/v1beta1", "BackupConfiguration"),
    ("stash.appscode.com/v1beta1", "BackupBlueprint"),
    ("core.kubestash.com/v1alpha1", "BackupConfiguration"),
    ("core.kubestash.com/v1alpha1", "BackupBlueprint"),
];

#[test]
fn generated_objects_are_valid_for_their_crds() {
    let schemas = schemas();
    for (api_version, kind) in READ {
        assert!(
            schemas.contains_key(&key(api_version, kind)),
            "the {api_version} {kind} CRD is read: {:?}",
            schemas.keys().collect::<Vec<_>>()
        );
    }
    assert_eq!(schemas.len(), READ.len(), "one served version each");
    let mut checked = 0;
    let mut kubestash = 0;
    let mut errors = Vec::new();
    for case in common::cases("testdata") {
        // explain prints a report, not objects.
        if case.ancestors().any(|p| p.ends_with("testdata/explain")) {
            continue;
        }
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
            kubestash += usize::from(key.0.starts_with("core.kubestash.com/"));
        }
    }
    assert!(
        checked > 40,
        "the scenarios generate objects to check ({checked})"
    );
    // Until the KubeStash family generates, the scenarios hold no core.kubestash.com object; then
    // every one of them is checked above like Stash's.
    eprintln!("{checked} generated objects checked, {kubestash} of them KubeStash's");
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

/// The KubeStash guides' own objects are valid for the KubeStash CRDs: the BackupConfigurations
/// the operator created (`operator.yaml`) and the BackupBlueprints the guides apply. So the
/// schema holds what a correct generator writes, and a failure of the check above on a
/// generated object is ours. The only allowance is what the schema cannot know: a `*-partial`
/// guide elides fields (`scheduler.jobTemplate` under a printed `schedule`), so a required
/// field missing there is not an error.
#[test]
fn the_kubestash_guides_objects_are_valid_for_the_crds() {
    const GROUP: &str = "testdata/kubestash/operator-docs";
    let schemas = schemas();
    let mut checked = 0;
    let mut errors = Vec::new();
    for case in common::cases(GROUP) {
        let name = common::case_name(GROUP, &case);
        let partial = name.ends_with("-partial");
        let mut objects: Vec<(&str, Value)> =
            common::kubectl_objects(&common::read(&format!("{GROUP}/{name}/input.yaml")))
                .into_iter()
                .filter(|o| o["kind"] == "BackupBlueprint")
                .map(|o| ("input.yaml", o))
                .collect();
        if let Ok(printed) = fs::read(case.join("operator.yaml")) {
            objects.extend(
                common::kubectl_objects(&printed)
                    .into_iter()
                    .map(|o| ("operator.yaml", o)),
            );
        }
        for (file, object) in objects {
            let key = key(
                object["apiVersion"].as_str().unwrap_or_default(),
                object["kind"].as_str().unwrap_or_default(),
            );
            let schema = schemas
                .get(&key)
                .unwrap_or_else(|| panic!("{name}/{file}: no CRD version for {key:?}"));
            let mut found = Vec::new();
            validate(schema, &object, "", &mut found);
            let elided =
                |e: &String| partial && file == "operator.yaml" && e.contains(": required field ");
            errors.extend(found.into_iter().filter(|e| !elided(e)).map(|e| {
                format!(
                    "{name}/{file}: {} {}: {e}",
                    key.1, object["metadata"]["name"]
                )
            }));
            checked += 1;
        }
    }
    assert!(
        checked >= 33,
        "the guides' blueprints and printed objects are checked ({checked})"
    );
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// The validator catches what matters in a KubeStash BackupConfiguration too.
#[test]
fn the_validator_rejects_invalid_kubestash_objects() {
    let schemas = schemas();
    let schema = &schemas[&key("core.kubestash.com/v1alpha1", "BackupConfiguration")];
    let bad = serde_json::json!({
        "apiVersion": "core.kubestash.com/v1alpha1",
        "kind": "BackupConfiguration",
        "metadata": {"name": "x", "namespace": "demo"},
        "spec": {
            "backends": [{"name": "b", "storageRef": {"namespace": "demo"}}],
            "sessions": [{
                "name": "s",
                "sessionHistoryLimit": "3",
                "shedule": "typo",
                "scheduler": {"schedule": "*/5 * * * *"},
                "retryConfig": {"maxRetry": 0},
                "repositories": [{"name": "r", "backend": "b", "directory": "/d",
                                  "deletionPolicy": "Never"}],
            }],
            "target": {"kind": "Postgres", "name": "db"}
        }
    });
    let mut errors = Vec::new();
    validate(schema, &bad, "", &mut errors);
    let text = errors.join("\n");
    for expected in [
        ".spec.backends[0].storageRef: required field name is missing",
        ".spec.sessions[0].sessionHistoryLimit: must be of type integer",
        ".spec.sessions[0].shedule: unknown field",
        ".spec.sessions[0].scheduler: required field jobTemplate is missing",
        ".spec.sessions[0].retryConfig.maxRetry: 0 is less than the minimum 1",
        ".spec.sessions[0].repositories[0].deletionPolicy: \"Never\" is not one of",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}
