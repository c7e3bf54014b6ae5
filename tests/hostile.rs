//! Hostile and oversized input (the ones too large or too random for `testdata/`): the function
//! answers each with a clear error or handles it, and never panics, hangs, leaks a Secret, or
//! exits 0 with empty output.

mod common;

use proptest::prelude::*;
use stash_autobackup::{Options, run, text};

const BLUEPRINT: &str = r#"- apiVersion: stash.appscode.com/v1beta1
  kind: BackupBlueprint
  metadata:
    name: pg-daily
  spec:
    backend:
      s3: {endpoint: s3.amazonaws.com, bucket: backups, prefix: "${TARGET_NAME}"}
      storageSecretName: s3-secret
    schedule: "0 2 * * *"
    retentionPolicy: {name: keep, keepLast: 7, prune: true}
"#;

fn list(items: &str) -> String {
    format!("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{BLUEPRINT}{items}")
}

/// The BackupConfiguration a successful run on `src` generates, as kubectl reads it.
fn generated_config(src: &str) -> serde_json::Value {
    let out = common::function(&[], src.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    common::kubectl_objects(&out.stdout)
        .into_iter()
        .find(|o| o["kind"] == "BackupConfiguration")
        .expect("generated")
}

fn postgres(name: &str, annotations: &str) -> String {
    format!(
        "- apiVersion: kubedb.com/v1alpha2\n  kind: Postgres\n  metadata:\n    name: {name}\n    namespace: shop\n    annotations:\n      stash.appscode.com/backup-blueprint: pg-daily\n{annotations}  spec:\n    version: \"14\"\n"
    )
}

#[test]
fn nesting_100000_deep_is_a_clear_error() {
    let deep = format!(
        "{}- apiVersion: v1\n  kind: ConfigMap\n  metadata: {{name: deep}}\n  data: {{x: {}{}}}\n",
        "",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let out = common::function(&[], list(&deep).as_bytes());
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    assert!(out.stderr.contains("255 levels"), "{}", out.stderr);
}

#[test]
fn a_1_mb_annotation_value_is_handled() {
    let big = "x".repeat(1 << 20);
    let unrelated = format!(
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: big\n    annotations:\n      note: {big}\n"
    );
    let target = postgres(
        "orders",
        &format!("      params.stash.appscode.com/blob: \"{big}\"\n"),
    );
    let src = list(&(unrelated + &target));
    let config = generated_config(&src);
    assert_eq!(
        config["spec"]["task"]["params"][0]["value"]
            .as_str()
            .map(str::len),
        Some(1 << 20)
    );
}

/// A blueprint whose runtimeSettings hold `value` under the anchor `a`, and `extra` after it.
fn blueprint_with_settings(value: &str, extra: &str) -> String {
    BLUEPRINT.replace("pg-daily", "big")
        + &format!(
            "    runtimeSettings:\n      pod:\n        serviceAccountName: &a {value}\n{extra}"
        )
}

#[test]
fn a_long_string_behind_aliases_is_refused_not_multiplied() {
    let long = "x".repeat(100_000);
    // 100 KB repeated 10 × 10 times would be 10 MB in each generated object.
    let aliases = "        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n        c: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n";
    let src = list(
        &(blueprint_with_settings(&long, aliases)
            + &postgres("orders", "").replace("pg-daily", "big")),
    );
    let out = common::function(&[], src.as_bytes());
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("more than 3 MiB"), "{}", out.stderr);
    assert!(
        out.stdout.len() < src.len() + 2_000,
        "{} bytes out",
        out.stdout.len()
    );
}

#[test]
fn a_long_string_that_fits_in_an_object_is_copied() {
    let long = "x".repeat(2 << 20);
    let src = list(
        &(blueprint_with_settings(&long, "") + &postgres("orders", "").replace("pg-daily", "big")),
    );
    let config = generated_config(&src);
    assert_eq!(
        config["spec"]["runtimeSettings"]["pod"]["serviceAccountName"]
            .as_str()
            .map(str::len),
        Some(2 << 20)
    );
}

#[test]
fn a_target_listing_10000_blueprints_gets_one_result_each() {
    let names: Vec<String> = (0..10_000).map(|i| format!("bp-{i}")).collect();
    let target = postgres("orders", "").replace(
        "backup-blueprint: pg-daily",
        &format!("backup-blueprint: pg-daily,{}", names.join(",")),
    );
    let src = list(&target);
    let run = run(&src, &Options::default(), &|_| None).expect("readable");
    let missing = run
        .results()
        .iter()
        .filter(|r| r.message.contains("not found"))
        .count();
    assert_eq!(missing, 10_000);
    let out = String::from_utf8(run.output(src.as_bytes())).unwrap();
    assert_eq!(
        out.matches("kind: BackupConfiguration").count(),
        1,
        "the one existing blueprint still generates"
    );
}

#[test]
fn hostile_values_stay_values() {
    let src = common::read("testdata/krm/hostile-values/input.yaml");
    let out = common::function(&[], &src);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let objects = common::kubectl_objects(&out.stdout);
    let config = objects
        .iter()
        .find(|o| o["kind"] == "BackupConfiguration")
        .expect("generated");
    assert_eq!(
        config["spec"]["task"]["params"][0]["value"],
        "x\n  injected: true\n- also: injected"
    );
    assert_eq!(
        config["spec"]["task"]["name"],
        "postgres-backup-14.10\n  injected: true"
    );
    assert_eq!(
        config["spec"]["task"]["params"][1]["value"],
        "\" ' # & * ! | > % @ ` {[]}, \\ \t"
    );
    for object in &objects {
        assert!(
            !object.to_string().contains("\"injected\":"),
            "a value became a key: {object}"
        );
    }
}

/// A KubeStash ResourceList: blueprint `shop/daily`, whose one session's task takes `params`
/// (entries at its indentation, may be empty), then `items`.
fn kubestash_list(params: &str, items: &str) -> String {
    format!(
        r#"apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: core.kubestash.com/v1alpha1
  kind: BackupBlueprint
  metadata:
    name: daily
    namespace: shop
  spec:
    backupConfigurationTemplate:
      backends:
      - name: s3
        storageRef: {{namespace: backup, name: s3-storage}}
        retentionPolicy: {{namespace: backup, name: keep}}
      sessions:
      - name: nightly
        scheduler: {{schedule: "0 2 * * *", jobTemplate: {{backoffLimit: 1}}}}
        repositories:
        - {{name: "${{targetName}}", backend: s3, directory: "/${{targetName}}"}}
        addon:
          name: postgres-addon
          tasks:
          - name: logical-backup
            params:
              target: ${{targetName}}
{params}{items}"#
    )
}

/// A Postgres in `shop` using KubeStash blueprint `shop/daily`, with more `annotations` (lines
/// at their indentation).
fn kubestash_postgres(name: &str, annotations: &str) -> String {
    format!(
        "- apiVersion: kubedb.com/v1\n  kind: Postgres\n  metadata:\n    name: {name}\n    namespace: shop\n    annotations:\n      blueprint.kubestash.com/name: daily\n      blueprint.kubestash.com/namespace: shop\n      variables.kubestash.com/targetName: {name}\n{annotations}  spec:\n    version: \"16.1\"\n"
    )
}

/// The KubeStash blueprint's task params: `a` holding `value` under the anchor `a`, then `extra`.
fn kubestash_params(value: &str, extra: &str) -> String {
    format!("              a: &a {value}\n{extra}")
}

#[test]
fn a_long_string_behind_aliases_in_a_kubestash_blueprint_is_refused_not_multiplied() {
    let long = "x".repeat(100_000);
    // 100 KB repeated 10 × 10 times would be 10 MB in the generated object.
    let aliases = "              b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n              c: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n";
    let src = kubestash_list(
        &kubestash_params(&long, aliases),
        &kubestash_postgres("orders", ""),
    );
    let out = common::function(&[], src.as_bytes());
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("more than 3 MiB"), "{}", out.stderr);
    assert!(
        out.stdout.len() < src.len() + 2_000,
        "{} bytes out",
        out.stdout.len()
    );
}

#[test]
fn a_long_string_that_fits_in_a_kubestash_object_is_copied() {
    let long = "x".repeat(2 << 20);
    let src = kubestash_list(
        &kubestash_params(&long, ""),
        &kubestash_postgres("orders", ""),
    );
    let config = generated_config(&src);
    assert_eq!(
        config["spec"]["sessions"][0]["addon"]["tasks"][0]["params"]["a"]
            .as_str()
            .map(str::len),
        Some(2 << 20)
    );
}

/// docs/spec-kubestash.md K4: a `variables.kubestash.com/*` value is substituted as a value,
/// verbatim, whatever it looks like, and never substituted again.
#[test]
fn hostile_kubestash_variable_values_stay_values() {
    let values: Vec<(&str, String)> = vec![
        ("quotes", r#"he said "hi" and 'bye' \ \" \n"#.to_owned()),
        (
            "newlines",
            "x\n  injected: true\n- also: injected\n".to_owned(),
        ),
        ("colon", "key: value".to_owned()),
        ("brace", "{injected: true}".to_owned()),
        ("bracket", "[injected, true]".to_owned()),
        ("comment", "value # not a comment".to_owned()),
        ("other", "${targetName}".to_owned()),
        ("escaped", "$${targetName}".to_owned()),
        ("document", "---\n...\n".to_owned()),
        ("boolean", "yes".to_owned()),
        ("padded", "  padded  ".to_owned()),
        ("empty", String::new()),
        ("undefined", "${undefined}".to_owned()),
        (
            "controls",
            "tab\there\r\nnel\u{85}ls\u{2028}bom\u{feff}nul\0end".to_owned(),
        ),
        ("unicode", "ünïcödé 😀 \u{7f}".to_owned()),
    ];
    let mut params = String::new();
    let mut annotations = String::new();
    for (name, value) in &values {
        // Quoted and plain in the blueprint, alone and within other text.
        params.push_str(&format!(
            "              {name}: \"${{{name}}}\"\n              {name}Plain: ${{{name}}}\n              {name}Within: \"<${{{name}}}>\"\n"
        ));
        // A JSON string is a YAML double-quoted one, once DEL (not printable in YAML) is escaped.
        let quoted = serde_json::to_string(value)
            .expect("a string")
            .replace('\u{7f}', "\\u007f");
        annotations.push_str(&format!("      variables.kubestash.com/{name}: {quoted}\n"));
    }
    // Once: three copies would pass the 3 MiB a target may copy.
    let big = "y".repeat(1 << 20);
    params.push_str("              big: \"${big}\"\n");
    annotations.push_str(&format!("      variables.kubestash.com/big: \"{big}\"\n"));
    let src = kubestash_list(&params, &kubestash_postgres("orders", &annotations));
    let out = common::function(&[], src.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let objects = common::kubectl_objects(&out.stdout);
    let config = objects
        .iter()
        .find(|o| o["kind"] == "BackupConfiguration")
        .expect("generated");
    let got = &config["spec"]["sessions"][0]["addon"]["tasks"][0]["params"];
    for (name, value) in &values {
        for (key, want) in [
            (name.to_string(), value.clone()),
            (format!("{name}Plain"), value.clone()),
            (format!("{name}Within"), format!("<{value}>")),
        ] {
            assert!(
                got[&key].as_str() == Some(want.as_str()),
                "params.{key}: {:.200}",
                got[&key]
            );
        }
    }
    assert_eq!(got["big"].as_str(), Some(big.as_str()));
    assert_eq!(got["target"], "orders");
    for object in &objects {
        assert!(
            !object.to_string().contains("\"injected\":"),
            "a value became a key: {object:.500}"
        );
    }
}

/// A session-names annotation listing 10000 sessions the blueprint lacks is one error on the
/// target, not one per name; listing one session 10000 times selects it once.
#[test]
fn a_target_listing_10000_session_names_gets_one_result() {
    use stash_autobackup::Severity;
    let names: Vec<String> = (0..10_000).map(|i| format!("s-{i}")).collect();
    let unknown = kubestash_postgres(
        "orders",
        &format!(
            "      blueprint.kubestash.com/session-names: \"nightly,{}\"\n",
            names.join(",")
        ),
    );
    let repeated = kubestash_postgres(
        "invoices",
        &format!(
            "      blueprint.kubestash.com/session-names: \"{}\"\n",
            vec!["nightly"; 10_000].join(", ")
        ),
    );
    let src = kubestash_list("", &(unknown + &repeated));
    let run = run(&src, &Options::default(), &|_| None).expect("readable");
    let about = |name: &str| {
        run.results()
            .iter()
            .filter(|r| r.resource_ref.as_ref().is_some_and(|o| o.name == name))
            .map(|r| (r.severity, r.field.as_deref()))
            .collect::<Vec<_>>()
    };
    let orders = about("orders");
    assert_eq!(
        orders.len(),
        1,
        "results about orders, the first: {:?}",
        orders.first()
    );
    assert_eq!(
        orders[0],
        (
            Severity::Error,
            Some("metadata.annotations[blueprint.kubestash.com/session-names]")
        )
    );
    assert_eq!(about("invoices"), []);
    let out = String::from_utf8(run.output(src.as_bytes())).unwrap();
    assert_eq!(
        out.matches("kind: BackupConfiguration").count(),
        1,
        "only the target with known sessions generates"
    );
    assert_eq!(
        out.matches("- name: nightly").count(),
        2,
        "the blueprint's session and the one selected from it"
    );
}

/// docs/spec.md §7: Secret contents are never read into generated objects, results or stderr.
#[test]
fn secret_contents_never_leave_their_secret() {
    let secret = "- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s3-secret\n    namespace: shop\n  data:\n    AWS_SECRET_ACCESS_KEY: c3VwZXItc2VjcmV0LXZhbHVl\n  stringData:\n    token: plain-super-secret-value\n";
    let src = list(&(secret.to_owned() + &postgres("orders", "")));
    let out = common::function(&[], src.as_bytes());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let output = String::from_utf8(out.stdout).unwrap();
    let (_, added) = output.split_at(src.len() - 1);
    for value in ["c3VwZXItc2VjcmV0LXZhbHVl", "plain-super-secret-value"] {
        assert_eq!(
            output.matches(value).count(),
            1,
            "only the Secret itself holds {value}"
        );
        assert!(!added.contains(value) && !out.stderr.contains(value));
    }
}

#[test]
fn a_few_random_inputs_through_the_binary() {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for len in [1usize, 7, 64, 1000, 65_536] {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        let out = common::function(&[], &bytes);
        assert!(
            out.code == 0 || out.code == 1,
            "exit {}: {}",
            out.code,
            out.stderr
        );
        assert!(
            !(out.code == 0 && out.stdout.is_empty()),
            "exit 0 with empty output"
        );
        assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    }
}

proptest! {
    /// Any bytes: an error or an answer, never a panic, never "success" with nothing to say.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(src) = text(&bytes)
            && let Ok(run) = run(src, &Options::default(), &|_| None)
        {
            prop_assert!(run.has_errors() || !run.output(src.as_bytes()).is_empty());
        }
    }

    /// YAML-ish noise built from the characters that matter to the parser and the splice.
    #[test]
    fn yaml_shaped_noise_never_panics(noise in "[-:{}\\[\\],&*!|>'\"#% \\n\\r\\tab0-9.~?]{0,400}") {
        let kubestash = kubestash_list("", &kubestash_postgres("orders", "")) + &noise;
        for src in [noise.clone(), list(&noise), format!("{}{noise}", list(&postgres("orders", ""))), kubestash] {
            if let Ok(run) = run(&src, &Options::default(), &|_| None) {
                let out = run.output(src.as_bytes());
                prop_assert!(run.has_errors() || !out.is_empty());
            }
        }
    }
}

/// A second AppBinding, or a second or third KubeDB database, of one name and namespace is no
/// object without a name: none is said to lack one.
#[test]
fn objects_sharing_a_targets_name_are_not_said_to_lack_one() {
    let app_binding = "- apiVersion: appcatalog.appscode.com/v1alpha1\n  kind: AppBinding\n  metadata:\n    name: pg\n    namespace: shop\n    annotations:\n      blueprint.kubestash.com/name: daily\n      blueprint.kubestash.com/namespace: shop\n      variables.kubestash.com/targetName: pg\n";
    let databases = ["Postgres", "MySQL", "MariaDB"]
        .map(|kind| {
            kubestash_postgres("orders", "").replace("kind: Postgres", &format!("kind: {kind}"))
        })
        .concat();
    let src = kubestash_list("", &(app_binding.repeat(2) + &databases));
    let run = run(&src, &Options::default(), &|_| None).expect("readable");
    let wrong: Vec<_> = run
        .results()
        .iter()
        .filter(|r| r.message.contains("needs metadata.name"))
        .map(|r| r.resource_ref.clone())
        .collect();
    assert!(wrong.is_empty(), "said to lack a name: {wrong:?}");
}

/// The warning about the two readings of a BackupConfiguration's namespace is one line of prose
/// (its source lines once joined into runs of 22 spaces).
#[test]
fn the_namespace_readings_warning_is_one_line_of_prose() {
    // The blueprint in `backup`, open to all; the target in `shop`.
    let src = kubestash_list("", &kubestash_postgres("orders", ""))
        .replace(
            "    name: daily\n    namespace: shop\n  spec:\n",
            "    name: daily\n    namespace: backup\n  spec:\n    usagePolicy: {allowedNamespaces: {from: All}}\n",
        )
        .replace(
            "blueprint.kubestash.com/namespace: shop",
            "blueprint.kubestash.com/namespace: backup",
        );
    let run = run(&src, &Options::default(), &|_| None).expect("readable");
    let warning = run
        .results()
        .iter()
        .find(|r| r.message.contains("the template names no namespace"))
        .expect("the two readings differ: blueprint in backup, target in shop");
    assert!(!warning.message.contains("  "), "{:?}", warning.message);
}
