//! The `explain` preview's JSON (issue 12): the documented schema, read back by a JSON parser,
//! and the same decisions the function's own run makes.

mod common;

use serde_json::Value;

/// `stash-autobackup explain --format json <args>`: exit code and the parsed report.
fn explain_json(args: &[&str], stdin: &[u8]) -> (i32, Value) {
    let mut all = vec!["explain", "--format", "json"];
    all.extend_from_slice(args);
    let out = common::function(&all, stdin);
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", String::from_utf8_lossy(&out.stdout)));
    (out.code, report)
}

fn text<'v>(value: &'v Value, key: &str) -> &'v str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is a string in {value}"))
}

/// Every field the README documents, with its type, on a run with both families, an error and
/// generated objects.
#[test]
fn the_json_follows_the_documented_schema() {
    let (code, report) = explain_json(
        &["examples/kubestash/apps", "examples/kubestash/backup"],
        b"",
    );
    assert_eq!(code, 0);
    assert_eq!(
        text(&report, "apiVersion"),
        "autobackup.stash.appscode.com/v1alpha1"
    );
    assert_eq!(text(&report, "kind"), "Explanation");
    assert!(text(&report, "summary").starts_with("stash-autobackup: 3 targets"));
    let targets = report["targets"].as_array().expect("targets");
    assert_eq!(targets.len(), 3);
    for target in targets {
        assert_eq!(text(target, "family"), "KubeStash");
        for key in ["apiVersion", "kind", "namespace", "name"] {
            text(&target["target"], key);
        }
        assert!(text(target, "file").starts_with("examples/kubestash/apps/"));
        let objects = target["objects"].as_array().expect("objects");
        assert_eq!(objects.len(), 1, "{target}");
        let object = &objects[0];
        for key in ["kind", "namespace", "name", "blueprint", "outcome"] {
            text(object, key);
        }
        assert_eq!(text(object, "outcome"), "new");
        assert!(object["detail"].is_null());
        assert_eq!(object["schedules"].as_array().map(Vec::len), Some(1));
        assert!(target["findings"].as_array().is_some());
    }
    assert!(report["pruned"].as_array().is_some_and(Vec::is_empty));
    assert!(report["findings"].as_array().is_some_and(Vec::is_empty));
}

/// The preview reports what the run does: a second explain over the function's own output sees
/// every object unchanged, and an error keeps the function's exit status.
#[test]
fn the_preview_reports_the_runs_own_decisions() {
    let input = common::read("examples/resource-list.yaml");
    let first = common::function(&[], &input);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let (code, report) = explain_json(&[], &first.stdout);
    assert_eq!(code, 0);
    let outcomes: Vec<&str> = report["targets"][0]["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .map(|o| text(o, "outcome"))
        .collect();
    assert_eq!(outcomes, ["unchanged", "unchanged"]);

    let broken = String::from_utf8(input).unwrap().replace(
        "backup-blueprint: postgres-backup-template",
        "backup-blueprint: nope",
    );
    let (code, report) = explain_json(&[], broken.as_bytes());
    assert_eq!(code, 1, "the function's exit status");
    let target = &report["targets"][0];
    assert!(target["objects"].as_array().is_some_and(Vec::is_empty));
    let finding = &target["findings"][0];
    assert_eq!(text(finding, "severity"), "error");
    assert!(
        text(finding, "message").contains("`nope` not found"),
        "{finding}"
    );
}
