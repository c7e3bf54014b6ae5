//! Every object the golden scenarios generate is valid for its CRD: Stash's Repository and
//! BackupConfiguration (`crds/stash/`) and KubeStash's `core.kubestash.com`
//! BackupConfiguration (`crds/kubestash/`): types, required fields, enums,
//! minimums, and no field the schema does not know, checked against the `openAPIV3Schema` of
//! the served version. Both the objects and the CRDs are read by kubectl, so types are what the
//! API server would see.
//!
//! The check is a small structural-schema validator written here (OpenAPI `pattern`s, formats
//! and CEL rules are not evaluated; the CRDs use patterns only for resource quantities).

mod common;

use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::fs;

fn validate(schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
    // The API server prunes a null before it validates (unless the field is nullable, when a
    // null is valid): it is never wrong, only missing.
    if value.is_null() {
        return;
    }
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
    if let (Some(pattern), Some(text)) = (schema["pattern"].as_str(), value.as_str())
        && !matches_pattern(pattern, text)
    {
        errors.push(format!("{path}: {value} does not match the pattern"));
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
                let nullable = properties
                    .and_then(|p| p.get(key))
                    .is_some_and(|s| s["nullable"] == true);
                if map.get(key).is_none_or(|v| v.is_null() && !nullable) {
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
            // A list map's entries are unique by their keys, a set's entries by themselves.
            let identity = |item: &Value| match schema["x-kubernetes-list-type"].as_str() {
                Some("map") => Some(
                    schema["x-kubernetes-list-map-keys"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|k| item[k.as_str().unwrap_or_default()].clone())
                        .collect::<Vec<_>>()
                        .into(),
                ),
                Some("set") => Some(item.clone()),
                _ => None,
            };
            let mut seen: Vec<Value> = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let Some(id) = identity(item) else { break };
                if seen.contains(&id) {
                    errors.push(format!("{path}[{i}]: duplicate entry"));
                } else {
                    seen.push(id);
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
        "crds/stash",
        &[
            "stash.appscode.com_repositories.yaml",
            "stash.appscode.com_backupconfigurations.yaml",
            "stash.appscode.com_backupblueprints.yaml",
        ],
    ),
    (
        "crds/kubestash",
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
        // explain prints a report, not objects, and so does a review of a change.
        let reports = ["testdata/explain", "testdata/review"];
        if case
            .ancestors()
            .any(|p| reports.iter().any(|r| p.ends_with(r)))
        {
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
            // The function checked it too, before it wrote it: its check finds nothing either.
            match stash_autobackup::internals::crd_violations(&object) {
                Some(found) => {
                    errors.extend(found.into_iter().map(|e| format!("{name}: run time: {e}")))
                }
                None => errors.push(format!("{name}: the run-time check has no schema")),
            }
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

/// What a table keeps of a schema node: everything the server checks a structural schema by.
/// What it leaves out says nothing about a value's validity (`description`), is checked by the
/// server only for formats these CRDs do not use on fields we write (`format`: `int32`, `int64`,
/// `date-time` on status fields), is filled in by the server (`default`), or says how apply
/// merges (`x-kubernetes-map-type`). A key in neither list stops the compiler, so a CRD that
/// grows a new kind of rule cannot be checked less than the server checks it.
const KEPT: [&str; 12] = [
    "type",
    "properties",
    "additionalProperties",
    "items",
    "required",
    "enum",
    "minimum",
    "maximum",
    "nullable",
    "pattern",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
];
const LEFT_OUT: [&str; 4] = ["description", "format", "default", "x-kubernetes-map-type"];

/// Compiles one node and its children into `nodes` (children first, each distinct node once);
/// its number.
fn intern(schema: &Value, nodes: &mut Vec<Value>, seen: &mut HashMap<String, usize>) -> usize {
    let mut out = serde_json::Map::new();
    for (key, value) in schema.as_object().expect("a schema node is a mapping") {
        let compiled = match key.as_str() {
            "properties" => Value::Object(
                value
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(name, child)| (name.clone(), intern(child, nodes, seen).into()))
                    .collect(),
            ),
            "items" | "additionalProperties" if value.is_object() => {
                intern(value, nodes, seen).into()
            }
            // Only int-or-string says it with anyOf here, and the flag says it all.
            "anyOf" => {
                let int_or_string = serde_json::json!([{"type": "integer"}, {"type": "string"}]);
                assert!(
                    *value == int_or_string && schema["x-kubernetes-int-or-string"] == true,
                    "an anyOf the table cannot hold: {value}"
                );
                continue;
            }
            "x-kubernetes-list-type" | "x-kubernetes-list-map-keys" => value.clone(),
            key if KEPT.contains(&key) => value.clone(),
            key if LEFT_OUT.contains(&key) => continue,
            key => panic!("a schema keyword the table cannot hold: {key}"),
        };
        out.insert(key.clone(), compiled);
    }
    if let Some(pattern) = out.get("pattern") {
        assert_eq!(
            pattern, QUANTITY,
            "the only pattern the run-time check evaluates is the resource quantity's"
        );
    }
    let text = serde_json::to_string(&out).unwrap();
    *seen.entry(text).or_insert_with(|| {
        nodes.push(Value::Object(out));
        nodes.len() - 1
    })
}

/// `src/engine/schema.rs`'s QUANTITY_PATTERN.
const QUANTITY: &str = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

/// The table of a family's CRDs, as `crds/<family>/schemas.json` holds it: one node a line.
fn table(folder: &str, files: &[&str]) -> String {
    let mut nodes = Vec::new();
    let mut seen = HashMap::new();
    let mut roots = serde_json::Map::new();
    for crd in files
        .iter()
        .flat_map(|file| common::kubectl_objects(&common::read(&format!("{folder}/{file}"))))
    {
        let group = crd["spec"]["group"].as_str().unwrap();
        let kind = crd["spec"]["names"]["kind"].as_str().unwrap();
        for version in crd["spec"]["versions"].as_array().unwrap() {
            if version["served"] != true {
                continue;
            }
            let root = intern(&version["schema"]["openAPIV3Schema"], &mut nodes, &mut seen);
            let name = version["name"].as_str().unwrap();
            roots.insert(format!("{group}/{name} {kind}"), root.into());
        }
    }
    let mut text = format!(
        "{{\"source\":\"compiled by tests/crd.rs from the CRDs beside this file; \
         UPDATE_GOLDEN=1 cargo test --test crd rewrites it\",\n\"roots\":{},\n\"nodes\":[\n",
        serde_json::to_string(&roots).unwrap()
    );
    let lines: Vec<String> = nodes
        .iter()
        .map(|n| serde_json::to_string(n).unwrap())
        .collect();
    text.push_str(&lines.join(",\n"));
    text.push_str("\n]}\n");
    text
}

/// The tables the run-time check reads are the shipped CRDs, compiled: data, not rules copied
/// by hand, and never stale.
#[test]
fn the_run_time_schema_tables_are_the_crds_compiled() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    // The tables the families check their objects with at run time (`crds/<family>/schemas.json`)
    // are compiled from the CRDs this file validates with.
    for (folder, files) in CRDS {
        let path = format!("{folder}/schemas.json");
        let wanted = table(folder, files);
        if update {
            fs::write(&path, &wanted).unwrap();
        }
        let have = fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == wanted,
            "{path} is not the CRDs compiled; UPDATE_GOLDEN=1 cargo test --test crd rewrites it"
        );
    }
}

thread_local! {
    static MATCHED: RefCell<HashMap<(String, String), bool>> = RefCell::new(HashMap::new());
}

/// Whether `text` matches the CRD's `pattern`, as a real regular expression engine says (GNU
/// grep's extended syntax, which the quantity pattern is written in): an oracle that owes
/// nothing to the matcher the function uses.
fn matches_pattern(pattern: &str, text: &str) -> bool {
    if text.contains('\n') {
        return false;
    }
    let key = (pattern.to_owned(), text.to_owned());
    if let Some(known) = MATCHED.with(|m| m.borrow().get(&key).copied()) {
        return known;
    }
    let out = common::run("grep", &["-E", "-q", "-e", pattern], text.as_bytes());
    assert!(out.code <= 1, "grep failed: {}", out.stderr);
    MATCHED.with(|m| m.borrow_mut().insert(key, out.code == 0));
    out.code == 0
}

/// The function's quantity matcher and a real regular expression engine agree.
#[test]
fn the_quantity_matcher_is_the_crds_pattern() {
    let mut runner = TestRunner::new(Config {
        cases: 400,
        ..Config::default()
    });
    let text = "[-+]?[0-9.]{0,4}([eE][-+]?[0-9.]{0,3})? ?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|ki|i|e|B)?[0-9]?";
    runner
        .run(&text, |text| {
            let ours = stash_autobackup::internals::is_quantity(&text);
            let regex = matches_pattern(QUANTITY, &text);
            if ours != regex {
                return Err(TestCaseError::fail(format!(
                    "{text:?}: ours {ours}, the pattern {regex}"
                )));
            }
            Ok(())
        })
        .unwrap();
}

/// One violation as a (path, class) pair, whichever validator worded it.
fn class_of(message: &str) -> (String, String) {
    let (path, problem) = message.split_once(": ").unwrap_or((message, ""));
    let class = if problem.contains("unknown field") || problem.contains("no such field") {
        "unknown".to_owned()
    } else if let Some(rest) = problem.split("required field ").nth(1) {
        let name = rest.trim_start_matches('`');
        let name = name.split(['`', ' ']).next().unwrap_or_default();
        format!("required {name}")
    } else if problem.contains("not one of") {
        "enum".to_owned()
    } else if problem.contains("minimum") || problem.contains("at least") {
        "minimum".to_owned()
    } else if problem.contains("maximum") || problem.contains("at most") {
        "maximum".to_owned()
    } else if problem.contains("pattern") || problem.contains("resource quantity") {
        "pattern".to_owned()
    } else if problem.contains("duplicate") || problem.contains("repeats") {
        "duplicate".to_owned()
    } else if problem.starts_with("must be") || problem.contains("anyOf") {
        "type".to_owned()
    } else {
        format!("unclassified: {problem}")
    };
    (path.to_owned(), class)
}

/// Generated objects of the operator-docs cases: a seed for mutations.
fn seed_objects() -> Vec<Value> {
    let mut objects = Vec::new();
    for group in [
        "testdata/stash/operator-docs",
        "testdata/kubestash/operator-docs",
    ] {
        for case in common::cases(group) {
            let Ok(stdout) = fs::read(case.join("expected/stdout")) else {
                continue;
            };
            let Ok(found) = common::try_kubectl_objects(&stdout) else {
                continue;
            };
            objects.extend(found.into_iter().filter(|o| {
                o["metadata"]["annotations"]["autobackup.stash.appscode.com/blueprint"].is_string()
            }));
        }
    }
    // The guides write no list maps, sets or quantities: two objects that have them.
    objects.push(serde_json::json!({
        "apiVersion": "stash.appscode.com/v1beta1", "kind": "BackupConfiguration",
        "metadata": {"name": "app-orders", "namespace": "shop"},
        "spec": {
            "repository": {"name": "app-orders"}, "schedule": "0 2 * * *",
            "target": {"ref": {"apiVersion": "appcatalog.appscode.com/v1alpha1", "kind": "AppBinding", "name": "orders"}},
            "retentionPolicy": {"name": "keep", "keepLast": 5, "prune": true},
            "runtimeSettings": {
                "container": {"resources": {"limits": {"memory": "1Gi", "cpu": "500m"},
                                            "claims": [{"name": "a"}, {"name": "b"}]}},
                "pod": {"topologySpreadConstraints": [
                    {"topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "maxSkew": 1},
                    {"topologyKey": "host", "whenUnsatisfiable": "DoNotSchedule", "maxSkew": 1}]}
            }
        }
    }));
    objects.push(serde_json::json!({
        "apiVersion": "core.kubestash.com/v1alpha1", "kind": "BackupConfiguration",
        "metadata": {"name": "postgres-orders", "namespace": "shop"},
        "spec": {
            "target": {"apiGroup": "kubedb.com", "kind": "Postgres", "name": "orders", "namespace": "shop"},
            "backends": [{"name": "s3", "storageRef": {"name": "s", "namespace": "backup"},
                          "retentionPolicy": {"name": "r", "namespace": "backup"}}],
            "sessions": [{
                "name": "nightly",
                "scheduler": {"schedule": "0 2 * * *", "jobTemplate": {"template": {"spec": {
                    "initContainers": [{"name": "wait", "image": "busybox",
                        "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                        "ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 81, "protocol": "TCP"}],
                        "volumeMounts": [{"name": "d", "mountPath": "/d"}, {"name": "e", "mountPath": "/e"}],
                        "resources": {"requests": {"memory": "64Mi"}}}]}}}},
                "repositories": [{"name": "r", "backend": "s3", "directory": "/d"}],
                "addon": {"name": "postgres-addon", "tasks": [{"name": "logical-backup"}]}
            }]
        }
    }));
    objects
}

/// Every place in `value` under `spec`, as JSON pointers.
fn places(value: &Value, pointer: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let child = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                places(v, child, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                places(v, format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(pointer);
}

/// Applies mutation `kind` at the `at`-th place of the object's spec; `pick` chooses a value.
fn mutate(object: &mut Value, kind: u8, at: usize, pick: usize) {
    let mut all = Vec::new();
    places(&object["spec"], "/spec".to_owned(), &mut all);
    let pointer = &all[at % all.len()];
    let values = [
        Value::from("x"),
        Value::from(0),
        Value::from(-1),
        Value::from(1.5),
        Value::from(true),
        Value::from("Never"),
        Value::from("1 Gi"),
        Value::from("500m"),
        Value::from(7),
        serde_json::json!({}),
        serde_json::json!([]),
        Value::Null,
    ];
    let names = [
        "x",
        "nmae",
        "schedul",
        "backends",
        "prune",
        "name",
        "storageRef",
    ];
    let target = object.pointer_mut(pointer).expect("a place");
    match (kind, target) {
        (0, target) => *target = values[pick % values.len()].clone(),
        (1, Value::Object(map)) if !map.is_empty() => {
            let key = map.keys().nth(pick % map.len()).cloned().unwrap();
            map.remove(&key);
        }
        (2, Value::Object(map)) => {
            map.insert(
                names[pick % names.len()].to_owned(),
                values[pick % values.len()].clone(),
            );
        }
        (3, Value::Array(items)) if !items.is_empty() => {
            let item = items[pick % items.len()].clone();
            items.push(item);
        }
        (_, target) => *target = values[(pick + 1) % values.len()].clone(),
    }
}

/// The run-time check and this file's validator find the same problems in the same places of
/// the golden outputs, mutated: a wrong type, a missing or unknown field, a value outside an
/// enum or a bound, a bad quantity, a repeated list entry, a null.
#[test]
fn the_run_time_check_agrees_with_the_crds_on_mutated_objects() {
    let objects = seed_objects();
    assert!(
        objects.len() >= 20,
        "the operator-docs cases generate objects ({})",
        objects.len()
    );
    let schemas = schemas();
    let mut runner = TestRunner::new(Config {
        cases: 1500,
        ..Config::default()
    });
    let strategy = (0..objects.len(), 0u8..5, 0usize..10_000, 0usize..1000);
    runner
        .run(&strategy, |(which, kind, at, pick)| {
            let mut object = objects[which].clone();
            mutate(&mut object, kind, at, pick);
            let key = key(
                object["apiVersion"].as_str().unwrap(),
                object["kind"].as_str().unwrap(),
            );
            let mut theirs = Vec::new();
            validate(&schemas[&key], &object, "", &mut theirs);
            let theirs: BTreeSet<_> = theirs.iter().map(|m| class_of(m)).collect();
            let ours = stash_autobackup::internals::crd_violations(&object).expect("a schema");
            let ours: BTreeSet<_> = ours.iter().map(|m| class_of(m)).collect();
            if ours != theirs {
                return Err(TestCaseError::fail(format!(
                    "{} {}: run time {ours:?}, the CRD {theirs:?}",
                    key.1, object["spec"]
                )));
            }
            Ok(())
        })
        .unwrap();
}
