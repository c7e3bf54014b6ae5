//! Output read back with Kubernetes' own YAML rules: kubectl decodes YAML with Go's yaml.v2
//! (YAML 1.1), where `y`, `n`, `no`, `on` are booleans and `012` is octal. A string the function
//! writes must come back a string, and a value copied from a blueprint must come back exactly as
//! kubectl reads it in the blueprint.

mod common;

use serde_json::{Value, json};

const INPUT: &str = r#"apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: stash.appscode.com/v1beta1
  kind: BackupBlueprint
  metadata:
    name: "on"
  spec:
    backend:
      s3:
        bucket: "yes"
        endpoint: s3.amazonaws.com
        prefix: ${TARGET_NAMESPACE}
      storageSecretName: "n"
    schedule: "0 0 * * 0"
    task:
      params:
      - name: level
        value: ${TARGET_APP_VERSION}
    retentionPolicy:
      name: "y"
      keepLast: 012
      prune: yes
      dryRun: off
    runtimeSettings:
      pod:
        nodeSelector:
          disk: "on"
          zone: "1_000"
- apiVersion: kubedb.com/v1alpha2
  kind: Redis
  metadata:
    name: "y"
    namespace: "no"
    annotations:
      stash.appscode.com/backup-blueprint: "on"
      params.stash.appscode.com/mode: "off"
  spec:
    version: "1.10"
"#;

fn find<'v>(objects: &'v [Value], kind: &str) -> &'v Value {
    objects
        .iter()
        .find(|o| o["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in the output"))
}

#[test]
fn strings_we_write_stay_strings_and_copied_values_keep_their_meaning() {
    let out = common::function(&[], INPUT.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    // kubectl fails outright when metadata.name or an annotation reads as a boolean.
    let output = common::kubectl_objects(&out.stdout);
    let input = common::kubectl_objects(INPUT.as_bytes());
    let blueprint = find(&input, "BackupBlueprint");

    let repository = find(&output, "Repository");
    assert_eq!(repository["metadata"]["name"], "app-y");
    assert_eq!(repository["metadata"]["namespace"], "no");
    assert_eq!(
        repository["metadata"]["annotations"]["autobackup.stash.appscode.com/blueprint"],
        "on"
    );
    // Substituted: `${TARGET_NAMESPACE}` gives the string "no", not false.
    assert_eq!(repository["spec"]["backend"]["s3"]["prefix"], "no");
    // Copied as written: quoted "yes" and "n" mean to kubectl what they meant in the blueprint.
    let mut backend = blueprint["spec"]["backend"].clone();
    backend["s3"]["prefix"] = json!("no");
    assert_eq!(repository["spec"]["backend"], backend);

    let config = find(&output, "BackupConfiguration");
    assert_eq!(config["spec"]["target"]["ref"]["name"], "y");
    assert_eq!(config["spec"]["repository"]["name"], "app-y");
    assert_eq!(
        config["spec"]["task"]["params"],
        json!([{"name": "level", "value": "1.10"}, {"name": "mode", "value": "off"}])
    );
    // Plain `012`, `yes` and `off` copied from the blueprint read exactly as they do in the
    // blueprint: 10, true, false.
    assert_eq!(
        config["spec"]["retentionPolicy"],
        blueprint["spec"]["retentionPolicy"]
    );
    assert_eq!(config["spec"]["retentionPolicy"]["keepLast"], 10);
    assert_eq!(config["spec"]["retentionPolicy"]["prune"], true);
    assert_eq!(config["spec"]["retentionPolicy"]["dryRun"], false);
    assert_eq!(
        config["spec"]["runtimeSettings"],
        blueprint["spec"]["runtimeSettings"]
    );
    assert_eq!(
        config["spec"]["runtimeSettings"]["pod"]["nodeSelector"]["zone"],
        "1_000"
    );
    assert_eq!(
        config["spec"]["runtimeSettings"]["pod"]["nodeSelector"]["disk"],
        "on"
    );
}

/// Where a string is wanted, a plain `y`, `n` or `1_000` is no string to kubectl (true, false,
/// 1000): the API server would refuse the object, and the function says so at each field
/// instead of writing it.
#[test]
fn a_plain_scalar_kubectl_reads_as_no_string_is_refused_where_a_string_is_wanted() {
    let input = INPUT
        .replace(
            r#"name: "y"
      keepLast"#,
            "name: y\n      keepLast",
        )
        .replace(r#"storageSecretName: "n""#, "storageSecretName: n")
        .replace(r#"zone: "1_000""#, "zone: 1_000");
    let blueprint = common::kubectl_objects(input.as_bytes())
        .into_iter()
        .find(|o| o["kind"] == "BackupBlueprint")
        .expect("the blueprint");
    // What kubectl, and so the API server, reads there.
    assert_eq!(blueprint["spec"]["retentionPolicy"]["name"], true);
    assert_eq!(blueprint["spec"]["backend"]["storageSecretName"], false);
    assert_eq!(
        blueprint["spec"]["runtimeSettings"]["pod"]["nodeSelector"]["zone"],
        1000
    );
    let out = common::function(&[], input.as_bytes());
    assert_eq!(out.code, 1, "{}", out.stderr);
    for field in [
        "spec.retentionPolicy.name of BackupBlueprint `on`: must be a string, not the boolean y",
        "spec.backend.storageSecretName of BackupBlueprint `on`: must be a string, not the boolean n",
        "spec.runtimeSettings.pod.nodeSelector.zone of BackupBlueprint `on`: must be a string, not the number 1_000",
    ] {
        assert!(out.stderr.contains(field), "{field}\n{}", out.stderr);
    }
}
