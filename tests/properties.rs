//! Invariants over generated ResourceLists (SPEC §7): whatever the style of the input (block or
//! flow YAML, JSON, CRLF, comments, non-ASCII text, a missing final newline), every input item
//! appears in the output byte for byte and in order, the function never fails on it, and a
//! second run on the output changes nothing.

use proptest::prelude::*;
use stash_autobackup::{Options, run};

#[derive(Debug, Clone, Copy)]
enum Style {
    Block,
    Indented,
    Flow,
    Json,
}

#[derive(Debug, Clone)]
enum Item {
    Blueprint {
        name: &'static str,
        schedule: &'static str,
        local: bool,
    },
    /// A database, an AppBinding, a workload or a claim, annotated.
    Database {
        kind: &'static str,
        name: &'static str,
        namespace: Option<&'static str>,
        blueprints: &'static str,
        schedule: Option<&'static str>,
        /// A workload's paths and volume mounts (both, one, or neither).
        workload_annotations: (bool, bool),
    },
    Other {
        name: String,
        value: String,
        comment: bool,
    },
}

/// A scalar as YAML or JSON text; strings always as JSON strings (valid YAML double-quoted).
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// (key, value) pairs where a value is either a scalar text or a nested list of pairs.
enum V {
    S(String),
    M(Vec<(&'static str, V)>),
    /// A list, written in flow style in block YAML too.
    L(Vec<V>),
}

fn item_tree(item: &Item) -> V {
    use V::{M, S};
    let q = |s: &str| S(quoted(s));
    match item {
        Item::Blueprint {
            name,
            schedule,
            local,
        } => {
            let mut meta = vec![("name", q(name))];
            if *local {
                meta.push((
                    "annotations",
                    M(vec![("config.kubernetes.io/local-config", q("true"))]),
                ));
            }
            M(vec![
                ("apiVersion", q("stash.appscode.com/v1beta1")),
                ("kind", q("BackupBlueprint")),
                ("metadata", M(meta)),
                (
                    "spec",
                    M(vec![
                        (
                            "backend",
                            M(vec![
                                (
                                    "s3",
                                    M(vec![
                                        ("bucket", q("b")),
                                        ("prefix", q("${TARGET_NAMESPACE}/${TARGET_NAME}")),
                                    ]),
                                ),
                                ("storageSecretName", q("s")),
                            ]),
                        ),
                        ("schedule", q(schedule)),
                        (
                            "retentionPolicy",
                            M(vec![
                                ("name", q("k")),
                                ("keepLast", S("3".into())),
                                ("prune", S("true".into())),
                            ]),
                        ),
                    ]),
                ),
            ])
        }
        Item::Database {
            kind,
            name,
            namespace,
            blueprints,
            schedule,
            workload_annotations: (paths, mounts),
        } => {
            let mut annotations = vec![("stash.appscode.com/backup-blueprint", q(blueprints))];
            if let Some(s) = schedule {
                annotations.push(("stash.appscode.com/schedule", q(s)));
            }
            let workload = matches!(*kind, "Deployment" | "StatefulSet");
            if workload && *paths {
                annotations.push(("stash.appscode.com/target-paths", q("/data,/logs")));
            }
            if workload && *mounts {
                annotations.push((
                    "stash.appscode.com/volume-mounts",
                    q("data:/data,logs:/logs:app"),
                ));
            }
            let mut meta = vec![("name", q(name))];
            if let Some(ns) = namespace {
                meta.push(("namespace", q(ns)));
            }
            meta.push(("annotations", M(annotations)));
            let api = match *kind {
                "AppBinding" => "appcatalog.appscode.com/v1alpha1",
                "Deployment" | "StatefulSet" => "apps/v1",
                "PersistentVolumeClaim" => "v1",
                _ => "kubedb.com/v1alpha2",
            };
            let spec = match *kind {
                "AppBinding" => M(vec![
                    ("type", q("kubedb.com/postgres")),
                    ("version", q("14")),
                ]),
                "Deployment" | "StatefulSet" => M(vec![(
                    "template",
                    M(vec![(
                        "spec",
                        M(vec![(
                            "volumes",
                            V::L(vec![
                                M(vec![("name", q("data")), ("emptyDir", M(vec![]))]),
                                M(vec![("name", q("logs")), ("emptyDir", M(vec![]))]),
                            ]),
                        )]),
                    )]),
                )]),
                "PersistentVolumeClaim" => M(vec![("volumeName", q("pv-1"))]),
                _ => M(vec![("version", q("14.1"))]),
            };
            M(vec![
                ("apiVersion", q(api)),
                ("kind", q(kind)),
                ("metadata", M(meta)),
                ("spec", spec),
            ])
        }
        Item::Other { name, value, .. } => M(vec![
            ("apiVersion", q("v1")),
            ("kind", q("ConfigMap")),
            ("metadata", M(vec![("name", q(name))])),
            (
                "data",
                M(vec![("value", q(value)), ("plain", S("0777".into()))]),
            ),
        ]),
    }
}

fn flow(v: &V) -> String {
    match v {
        V::S(s) => s.clone(),
        V::M(entries) => {
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", quoted(k), flow(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        V::L(items) => {
            let inner: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", inner.join(", "))
        }
    }
}

fn block(v: &V, indent: usize, out: &mut Vec<String>) {
    if let V::M(entries) = v {
        for (k, v) in entries {
            match v {
                V::S(s) => out.push(format!("{}{k}: {s}", " ".repeat(indent))),
                V::L(_) => out.push(format!("{}{k}: {}", " ".repeat(indent), flow(v))),
                V::M(_) => {
                    out.push(format!("{}{k}:", " ".repeat(indent)));
                    block(v, indent + 2, out);
                }
            }
        }
    }
}

/// The ResourceList text and the exact text of each item in it.
fn render(items: &[Item], style: Style, crlf: bool, final_newline: bool) -> (String, Vec<String>) {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut texts = Vec::new();
    let mut doc = String::new();
    match style {
        Style::Json => {
            doc.push_str(&format!("{{\"apiVersion\": \"config.kubernetes.io/v1\",{eol} \"kind\": \"ResourceList\",{eol} \"items\": [{eol}"));
            for (i, item) in items.iter().enumerate() {
                let text = flow(&item_tree(item));
                doc.push_str("  ");
                doc.push_str(&text);
                doc.push_str(
                    if i + 1 < items.len() {
                        ",".to_owned() + eol
                    } else {
                        eol.to_owned()
                    }
                    .as_str(),
                );
                texts.push(text);
            }
            doc.push_str("]}");
        }
        Style::Flow => {
            doc.push_str(&format!(
                "apiVersion: config.kubernetes.io/v1{eol}kind: ResourceList{eol}items: [{eol}"
            ));
            for item in items {
                let text = flow(&item_tree(item));
                doc.push_str(&format!("  {text},"));
                if let Item::Other { comment: true, .. } = item {
                    doc.push_str(" # flow comment é");
                }
                doc.push_str(eol);
                texts.push(text);
            }
            doc.push(']');
        }
        Style::Block | Style::Indented => {
            let dash = if matches!(style, Style::Indented) {
                "  "
            } else {
                ""
            };
            let empty = if items.is_empty() { " []" } else { "" };
            doc.push_str(&format!("# head comment{eol}apiVersion: config.kubernetes.io/v1{eol}kind: ResourceList{eol}items:{empty}{eol}"));
            for item in items {
                if let Item::Other { comment: true, .. } = item {
                    doc.push_str(&format!("{dash}# comment before an item, ünïcödé{eol}"));
                }
                let mut lines = Vec::new();
                block(&item_tree(item), dash.len() + 2, &mut lines);
                let first = lines[0].trim_start().to_owned();
                let mut text = format!("{dash}- {first}");
                for line in &lines[1..] {
                    text.push_str(eol);
                    text.push_str(line);
                }
                doc.push_str(&text);
                doc.push_str(eol);
                texts.push(text);
            }
            doc.push_str(&format!("functionConfig:{eol}  apiVersion: v1{eol}  kind: ConfigMap{eol}  metadata:{eol}    name: function-input{eol}  data: {{}}"));
        }
    }
    if final_newline {
        doc.push_str(eol);
    }
    (doc, texts)
}

fn item() -> impl Strategy<Value = Item> {
    let names = prop::sample::select(vec![
        "pg",
        "orders",
        "y",
        "no",
        "on",
        "a-very-long-database-name-that-will-need-cutting-to-fit-in-sixty-three",
    ]);
    let namespaces = prop::option::weighted(0.9, prop::sample::select(vec!["shop", "no", "demo"]));
    let blueprints = prop::sample::select(vec![
        "daily",
        "weekly",
        "y",
        "daily,weekly",
        "daily, missing",
        " , ",
    ]);
    let schedules = prop::sample::select(vec![
        "0 2 * * *",
        "@daily",
        "*/15 * * * *",
        "0 0 * * 7",
        "",
        "@every 1h",
    ]);
    prop_oneof![
        (
            prop::sample::select(vec!["daily", "weekly", "y"]),
            schedules.clone(),
            any::<bool>()
        )
            .prop_map(|(name, schedule, local)| Item::Blueprint {
                name,
                schedule,
                local
            }),
        (
            prop::sample::select(vec![
                "Postgres",
                "MySQL",
                "AppBinding",
                "Deployment",
                "StatefulSet",
                "PersistentVolumeClaim",
            ]),
            names,
            namespaces,
            blueprints,
            prop::option::of(schedules),
            (prop::bool::weighted(0.8), prop::bool::weighted(0.8)),
        )
            .prop_map(
                |(kind, name, namespace, blueprints, schedule, workload_annotations)| {
                    Item::Database {
                        kind,
                        name,
                        namespace,
                        blueprints,
                        schedule,
                        workload_annotations,
                    }
                }
            ),
        ("[a-z]{1,8}", any::<String>(), any::<bool>()).prop_map(|(name, value, comment)| {
            Item::Other {
                name,
                value,
                comment,
            }
        }),
    ]
}

fn style() -> impl Strategy<Value = Style> {
    prop_oneof![
        Just(Style::Block),
        Just(Style::Indented),
        Just(Style::Flow),
        Just(Style::Json)
    ]
}

fn output(src: &str) -> (Vec<u8>, bool) {
    let run = run(src, &Options::default(), &|_| None).expect("a well-formed ResourceList is read");
    (run.pieces.to_vec(src.as_bytes()), run.has_errors())
}

/// The output (results included) when JSON is read by the YAML scanner instead of the JSON fast
/// path.
fn output_via_yaml(src: &str) -> Vec<u8> {
    let options = Options {
        yaml_scanner_only: true,
        ..Options::default()
    };
    let run = run(src, &options, &|_| None).expect("a well-formed ResourceList is read");
    run.pieces.to_vec(src.as_bytes())
}

proptest! {
    #[test]
    fn items_survive_byte_for_byte_and_a_second_run_changes_nothing(
        items in prop::collection::vec(item(), 0..12),
        style in style(),
        crlf in any::<bool>(),
        final_newline in any::<bool>(),
    ) {
        let (src, texts) = render(&items, style, crlf, final_newline);
        let (first, _) = output(&src);
        let first_text = String::from_utf8(first.clone()).expect("output is UTF-8");
        let mut at = 0;
        for text in &texts {
            let found = first_text[at..].find(text.as_str());
            prop_assert!(found.is_some(), "item missing or reordered:\n{text}\n--- output:\n{first_text}");
            at += found.unwrap_or(0) + text.len();
        }
        prop_assert_eq!(src.ends_with('\n'), first_text.ends_with('\n'), "final newline kept as it was");
        if crlf {
            prop_assert!(!first_text.replace("\r\n", "").contains('\n'), "generated lines follow CRLF:\n{first_text}");
        }
        let (second, _) = output(&first_text);
        prop_assert!(second == first, "second run changed the output:\n{}\n--- second:\n{}", first_text, String::from_utf8_lossy(&second));
        // JSON has a fast path of its own; it must give exactly what the YAML scanner gives.
        let via_yaml = output_via_yaml(&src);
        prop_assert!(via_yaml == first, "the JSON fast path and the YAML scanner disagree:\n{}\n--- via YAML:\n{}", first_text, String::from_utf8_lossy(&via_yaml));
        let again_via_yaml = output_via_yaml(&first_text);
        prop_assert!(again_via_yaml == second, "the readers disagree on the output");
    }
}
