//! The JSON Schema of `functionConfig` (`fn-config/stash-autobackup.schema.json`): it is the one
//! the option table makes, every config the repository ships validates against it (by a real
//! JSON Schema validator, Python's `jsonschema`) and reads without a word, the `fn-config/` files
//! point editors at it, and the schema and the reader agree on a table of good and bad values of
//! every option in both forms.

mod common;

use serde_json::{Value, json};
use stash_autobackup::{Options, config_schema, run};
use std::fs;

const SCHEMA: &str = "fn-config/stash-autobackup.schema.json";

/// The configs the repository ships: whoever copies one gets a valid config.
const SHIPPED: [&str; 5] = [
    "fn-config/configmap.yaml",
    "fn-config/stash-autobackup.yaml",
    "examples/kustomize/stash-autobackup.yaml",
    "examples/kustomize-overlays/backup/stash-autobackup.yaml",
    "fn-config/policies.yaml",
];

/// Whether each document (JSON) is valid for the shipped schema, as `jsonschema` decides.
fn schema_verdicts(documents: &[Value]) -> Vec<bool> {
    let program = "import json, sys, jsonschema\n\
                   schema = json.load(open(sys.argv[1]))\n\
                   validator = jsonschema.Draft7Validator(schema)\n\
                   print(json.dumps([validator.is_valid(d) for d in json.load(sys.stdin)]))";
    let input = serde_json::to_vec(documents).unwrap();
    let out = common::run("python3", &["-c", program, SCHEMA], &input);
    assert_eq!(out.code, 0, "python3 jsonschema: {}", out.stderr);
    serde_json::from_slice(&out.stdout).expect("a list of verdicts")
}

/// Whether the function reads `config` (a functionConfig, as JSON) without an error.
fn reader_accepts(config: &Value) -> bool {
    let src = format!(
        "{{\"apiVersion\": \"config.kubernetes.io/v1\", \"kind\": \"ResourceList\", \"items\": [], \
         \"functionConfig\": {config}}}"
    );
    let run = run(&src, &Options::default(), &|_| None).expect("a readable ResourceList");
    !run.has_errors()
}

#[test]
fn the_shipped_schema_is_the_option_tables() {
    let wanted = config_schema();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::write(SCHEMA, &wanted).unwrap();
    }
    let have = fs::read_to_string(SCHEMA).unwrap_or_default();
    assert!(
        have == wanted,
        "{SCHEMA} is not the option table's schema; UPDATE_GOLDEN=1 cargo test --test \
         config_schema rewrites it"
    );
}

#[test]
fn every_shipped_config_is_valid_and_read_without_a_word() {
    let mut documents = Vec::new();
    for path in SHIPPED {
        let text = fs::read_to_string(path).unwrap();
        let objects = common::kubectl_objects(text.as_bytes());
        assert_eq!(objects.len(), 1, "{path} holds one object");
        assert!(reader_accepts(&objects[0]), "{path} is read without errors");
        documents.push(objects[0].clone());
    }
    let verdicts = schema_verdicts(&documents);
    for (path, valid) in SHIPPED.iter().zip(verdicts) {
        assert!(valid, "{path} is valid for {SCHEMA}");
    }
}

#[test]
fn the_fn_config_files_point_editors_at_the_schema() {
    for path in &SHIPPED[..2] {
        let text = fs::read_to_string(path).unwrap();
        assert!(
            text.lines().next().is_some_and(
                |l| l == "# yaml-language-server: $schema=stash-autobackup.schema.json"
            ),
            "{path} starts with the yaml-language-server schema comment"
        );
    }
}

/// A config of one option in each form.
fn both_forms(name: &str, typed: Value, data: Value) -> [Value; 2] {
    [
        json!({"apiVersion": "autobackup.stash.appscode.com/v1alpha1", "kind": "StashAutoBackup",
               "metadata": {"name": "x"}, name: typed}),
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"},
               "data": {name: data}}),
    ]
}

#[test]
fn the_schema_and_the_reader_agree_on_every_option() {
    // (option, typed value, ConfigMap value, whether both should be accepted)
    let cases: Vec<(&str, Value, Value, bool)> = vec![
        ("missingBlueprint", json!("error"), json!("error"), true),
        ("missingBlueprint", json!("warning"), json!("warning"), true),
        ("missingBlueprint", json!("warn"), json!("Warning"), false),
        ("missingBlueprint", json!(["error"]), json!({"a": 1}), false),
        ("markGenerated", json!(true), json!("true"), true),
        ("markGenerated", json!(false), json!("false"), true),
        ("markGenerated", json!("true"), json!("yes"), false),
        ("markGenerated", json!(1), json!("True"), false),
        ("defaultNamespace", json!("shop"), json!("shop"), true),
        (
            "defaultNamespace",
            json!("a".repeat(63)),
            json!("x-1"),
            true,
        ),
        (
            "defaultNamespace",
            json!("Shop"),
            json!("a".repeat(64)),
            false,
        ),
        ("defaultNamespace", json!("-shop"), json!("shop_1"), false),
        (
            "configurationNamespace",
            json!("target"),
            json!("blueprint"),
            true,
        ),
        ("configurationNamespace", json!("targets"), json!(""), false),
        ("strict", json!(true), json!("false"), true),
        ("strict", json!("on"), json!("on"), false),
        (
            "silence",
            json!("updated, pruned"),
            json!("missing-secret,not-a-target"),
            true,
        ),
        (
            "silence",
            json!(["retained", "cluster-default"]),
            json!(""),
            true,
        ),
        ("silence", json!([]), json!(" pruned , updated "), true),
        ("silence", json!(["prunde"]), json!("updated, nope"), false),
        ("silence", json!([1]), json!(["updated"]), false),
        ("silence", json!({"a": "b"}), json!("pruned;updated"), false),
        (
            "policies",
            json!([{"name": "p", "require": {"backup": true}}]),
            json!("[{name: p, require: {backup: true}}]"),
            true,
        ),
        (
            "policies",
            json!([{"name": "gold", "select": {"kinds": ["Postgres", "deploy"], "namespaces": ["shop"],
                    "labelSelector": {"matchLabels": {"tier": "gold"},
                    "matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]}]}},
                    "require": {"maxInterval": "1h30m", "minRetention": "30d", "minCopies": 2},
                    "severity": "warning"}]),
            json!("- name: p\n  require: {minRetention: 2w}\n"),
            true,
        ),
        (
            "policies",
            json!("[{name: p, require: {backup: true}}]"),
            json!(""),
            true,
        ),
        (
            "policies",
            json!([{"name": "p", "require": {"maxInterval": "1hr"}}]),
            json!(["x"]),
            false,
        ),
        (
            "policies",
            json!([{"name": "p", "require": {}}]),
            json!({"a": "b"}),
            false,
        ),
        (
            "policies",
            json!([{"name": "p", "require": {"bakup": true}}]),
            json!(1),
            false,
        ),
        (
            "policies",
            json!([{"name": "p", "require": {"minCopies": 0}}]),
            json!(true),
            false,
        ),
        (
            "policies",
            json!([{"require": {"backup": true}}]),
            json!(2.5),
            false,
        ),
        (
            "policies",
            json!([{"name": "p", "require": {"backup": true}, "severity": "fatal"}]),
            json!([]),
            false,
        ),
        ("unknownOption", json!("x"), json!("x"), false),
        ("missingblueprint", json!("error"), json!("error"), false),
    ];
    let mut documents = Vec::new();
    let mut expected = Vec::new();
    for (name, typed, data, ok) in &cases {
        for (document, form) in both_forms(name, typed.clone(), data.clone())
            .into_iter()
            .zip(["typed", "ConfigMap"])
        {
            expected.push((format!("{name} {form}: {document}"), *ok));
            documents.push(document);
        }
    }
    let verdicts = schema_verdicts(&documents);
    let mut disagreements = Vec::new();
    for (((what, ok), document), schema) in expected.iter().zip(&documents).zip(verdicts) {
        let reader = reader_accepts(document);
        if reader != *ok || schema != *ok {
            disagreements.push(format!(
                "{what}: wanted {ok}, reader {reader}, schema {schema}"
            ));
        }
    }
    // Every option of the table is in the cases, so a new one cannot go unchecked.
    let schema: Value = serde_json::from_str(&config_schema()).unwrap();
    for name in schema["oneOf"][0]["properties"].as_object().unwrap().keys() {
        if !["apiVersion", "kind", "metadata"].contains(&name.as_str()) {
            assert!(
                cases.iter().any(|(n, _, _, ok)| n == name && *ok),
                "the table has good and bad values of {name}"
            );
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
