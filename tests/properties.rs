//! Invariants over generated ResourceLists (docs/spec.md §7): whatever the style of the input
//! (block or flow YAML, JSON, CRLF, comments, non-ASCII text, a missing final newline), every
//! input item appears in the output byte for byte and in order, the function never fails on it,
//! and a second run on the output changes nothing. The items mix both families: Stash's
//! cluster-scoped blueprints and KubeStash's namespaced ones, and targets annotated for either or
//! both.

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
    /// A Stash BackupBlueprint (cluster-scoped).
    Blueprint {
        name: &'static str,
        schedule: &'static str,
        local: bool,
        flaw: Flaw,
    },
    /// A KubeStash BackupBlueprint (namespaced).
    KubeStashBlueprint(KubeStashBlueprint),
    /// A database, an AppBinding, a workload or a claim, annotated for Stash, KubeStash or both.
    Target {
        kind: &'static str,
        name: &'static str,
        namespace: Option<&'static str>,
        /// An AppBinding's `spec.appRef` naming its database.
        app_ref: bool,
        stash: Option<StashAnnotations>,
        kubestash: Option<KubeStashAnnotations>,
    },
    Other {
        name: String,
        value: String,
        comment: bool,
    },
}

#[derive(Debug, Clone)]
struct KubeStashBlueprint {
    name: &'static str,
    namespace: Option<&'static str>,
    /// `spec.usagePolicy.allowedNamespaces.from`; `None`: no usage policy.
    usage: Option<&'static str>,
    /// `backupConfigurationTemplate.namespace`.
    template_namespace: Option<&'static str>,
    /// The first session's schedule.
    schedule: &'static str,
    local: bool,
    /// No backends, and repositories naming none: KubeStash's default BackupStorage, which the
    /// cluster fills in.
    default_backend: bool,
}

/// What is wrong with a Stash blueprint, for its CRDs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Flaw {
    None,
    /// `retentionPolicy.keepLats`, a field the CRD does not know: left out of what is generated.
    Unknown,
    /// `keepLast: "33"`, a string where the CRD wants an integer: nothing is generated from it.
    Refused,
}

/// The text a flaw writes, which no generated object may hold.
const FLAW_MARKS: [&str; 2] = ["keepLats", "\"33\""];

/// The `stash.appscode.com/*` annotations of a target.
#[derive(Debug, Clone)]
struct StashAnnotations {
    blueprints: &'static str,
    schedule: Option<&'static str>,
    /// A workload's paths and volume mounts (both, one, or neither).
    workload: (bool, bool),
}

/// The `blueprint.kubestash.com/*` and `variables.kubestash.com/*` annotations of a target.
#[derive(Debug, Clone)]
struct KubeStashAnnotations {
    blueprint: &'static str,
    namespace: BlueprintNamespace,
    session_names: Option<&'static str>,
    /// Full annotation keys and their values.
    variables: Vec<(&'static str, &'static str)>,
}

/// A target's `blueprint.kubestash.com/namespace`.
#[derive(Debug, Clone, Copy)]
enum BlueprintNamespace {
    /// The target's own namespace, as the guides write it (none when the target has none).
    TargetsOwn,
    Named(&'static str),
    /// Missing: an error on the target.
    Missing,
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
            flaw,
        } => {
            let keep_last = match flaw {
                Flaw::Refused => q("33"),
                _ => S("3".into()),
            };
            let mut retention = vec![
                ("name", q("k")),
                ("keepLast", keep_last),
                ("prune", S("true".into())),
            ];
            if *flaw == Flaw::Unknown {
                retention.push(("keepLats", S("4".into())));
            }
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
                                        ("endpoint", q("s3.amazonaws.com")),
                                        ("prefix", q("${TARGET_NAMESPACE}/${TARGET_NAME}")),
                                    ]),
                                ),
                                ("storageSecretName", q("s")),
                            ]),
                        ),
                        ("schedule", q(schedule)),
                        ("retentionPolicy", M(retention)),
                    ]),
                ),
            ])
        }
        Item::KubeStashBlueprint(blueprint) => kubestash_blueprint_tree(blueprint),
        Item::Target {
            kind,
            name,
            namespace,
            app_ref,
            stash,
            kubestash,
        } => {
            let workload = matches!(*kind, "Deployment" | "StatefulSet" | "DaemonSet");
            let mut annotations = Vec::new();
            if let Some(StashAnnotations {
                blueprints,
                schedule,
                workload: (paths, mounts),
            }) = stash
            {
                annotations.push(("stash.appscode.com/backup-blueprint", q(blueprints)));
                if let Some(s) = schedule {
                    annotations.push(("stash.appscode.com/schedule", q(s)));
                }
                if workload && *paths {
                    annotations.push(("stash.appscode.com/target-paths", q("/data,/logs")));
                }
                if workload && *mounts {
                    annotations.push((
                        "stash.appscode.com/volume-mounts",
                        q("data:/data,logs:/logs:app"),
                    ));
                }
            }
            if let Some(KubeStashAnnotations {
                blueprint,
                namespace: blueprint_namespace,
                session_names,
                variables,
            }) = kubestash
            {
                annotations.push(("blueprint.kubestash.com/name", q(blueprint)));
                let blueprint_namespace = match blueprint_namespace {
                    BlueprintNamespace::TargetsOwn => *namespace,
                    BlueprintNamespace::Named(ns) => Some(*ns),
                    BlueprintNamespace::Missing => None,
                };
                if let Some(ns) = blueprint_namespace {
                    annotations.push(("blueprint.kubestash.com/namespace", q(ns)));
                }
                if let Some(names) = session_names {
                    annotations.push(("blueprint.kubestash.com/session-names", q(names)));
                }
                for (key, value) in variables {
                    annotations.push((key, q(value)));
                }
            }
            let mut meta = vec![("name", q(name))];
            if let Some(ns) = namespace {
                meta.push(("namespace", q(ns)));
            }
            meta.push(("annotations", M(annotations)));
            let api = match *kind {
                "AppBinding" => "appcatalog.appscode.com/v1alpha1",
                "Deployment" | "StatefulSet" | "DaemonSet" => "apps/v1",
                "PersistentVolumeClaim" => "v1",
                "MariaDB" => "kubedb.com/v1",
                _ => "kubedb.com/v1alpha2",
            };
            let spec = match *kind {
                "AppBinding" => {
                    let mut spec = vec![("type", q("kubedb.com/postgres")), ("version", q("14"))];
                    if *app_ref {
                        spec.push((
                            "appRef",
                            M(vec![
                                ("apiGroup", q("kubedb.com")),
                                ("kind", q("Postgres")),
                                ("name", q(name)),
                            ]),
                        ));
                    }
                    M(spec)
                }
                _ if workload => M(vec![(
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

/// A KubeStash blueprint with two sessions, whose repositories are named from variables so that
/// several targets can share it.
fn kubestash_blueprint_tree(blueprint: &KubeStashBlueprint) -> V {
    use V::{L, M, S};
    let q = |s: &str| S(quoted(s));
    let KubeStashBlueprint {
        name,
        namespace,
        usage,
        template_namespace,
        schedule,
        local,
        default_backend,
    } = blueprint;
    let mut meta = vec![("name", q(name))];
    if let Some(ns) = namespace {
        meta.push(("namespace", q(ns)));
    }
    if *local {
        meta.push((
            "annotations",
            M(vec![("config.kubernetes.io/local-config", q("true"))]),
        ));
    }
    let reference = |name: &str| M(vec![("namespace", q("backup")), ("name", q(name))]);
    let repository = |suffix: &str| {
        let mut fields = vec![(
            "name",
            q(&format!("${{namespace}}-${{targetName}}{suffix}")),
        )];
        if !default_backend {
            fields.push(("backend", q("s3")));
        }
        fields.extend([
            (
                "directory",
                q(&format!("/${{namespace}}/${{targetName}}{suffix}")),
            ),
            ("encryptionSecret", reference("restic")),
        ]);
        M(fields)
    };
    let session = |name: &str, schedule: &str, suffix: &str| {
        M(vec![
            ("name", q(name)),
            (
                "scheduler",
                M(vec![
                    ("schedule", q(schedule)),
                    ("jobTemplate", M(vec![("backoffLimit", S("1".into()))])),
                ]),
            ),
            ("repositories", L(vec![repository(suffix)])),
            (
                "addon",
                M(vec![
                    ("name", q("postgres-addon")),
                    (
                        "tasks",
                        L(vec![M(vec![
                            ("name", q("logical-backup")),
                            ("params", M(vec![("args", q("${args:=--all}"))])),
                        ])]),
                    ),
                ]),
            ),
        ])
    };
    let mut template = Vec::new();
    if let Some(ns) = template_namespace {
        template.push(("namespace", q(ns)));
    }
    template.push(("deletionPolicy", q("OnDelete")));
    if !default_backend {
        template.push((
            "backends",
            L(vec![M(vec![
                ("name", q("s3")),
                ("storageRef", reference("s3-storage")),
                ("retentionPolicy", reference("keep")),
            ])]),
        ));
    }
    template.push((
        "sessions",
        L(vec![
            session("nightly", schedule, ""),
            session("weekly", "0 3 * * 0", "-weekly"),
        ]),
    ));
    let mut spec = Vec::new();
    if let Some(from) = usage {
        spec.push((
            "usagePolicy",
            M(vec![("allowedNamespaces", M(vec![("from", q(from))]))]),
        ));
    }
    spec.push(("backupConfigurationTemplate", M(template)));
    M(vec![
        ("apiVersion", q("core.kubestash.com/v1alpha1")),
        ("kind", q("BackupBlueprint")),
        ("metadata", M(meta)),
        ("spec", M(spec)),
    ])
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

/// The namespaces of targets and of KubeStash blueprints (`no` is a YAML 1.1 boolean).
fn namespace() -> impl Strategy<Value = &'static str> + Clone {
    prop::sample::select(vec!["shop", "no", "demo"])
}

/// Valid and invalid schedules.
fn schedule() -> impl Strategy<Value = &'static str> + Clone {
    prop::sample::select(vec![
        "0 2 * * *",
        "@daily",
        "*/15 * * * *",
        "0 0 * * 7",
        "",
        "@every 1h",
    ])
}

fn stash_annotations() -> impl Strategy<Value = StashAnnotations> {
    let blueprints = prop::sample::select(vec![
        "daily",
        "weekly",
        "y",
        "daily,weekly",
        "daily, missing",
        " , ",
    ]);
    (
        blueprints,
        prop::option::of(schedule()),
        (prop::bool::weighted(0.8), prop::bool::weighted(0.8)),
    )
        .prop_map(|(blueprints, schedule, workload)| StashAnnotations {
            blueprints,
            schedule,
            workload,
        })
}

fn kubestash_annotations() -> impl Strategy<Value = KubeStashAnnotations> {
    let blueprint_namespace = prop_oneof![
        6 => Just(BlueprintNamespace::TargetsOwn),
        3 => namespace().prop_map(BlueprintNamespace::Named),
        1 => Just(BlueprintNamespace::Missing),
    ];
    let session_names = prop::option::weighted(
        0.3,
        prop::sample::select(vec![
            "nightly",
            "weekly",
            "weekly, nightly",
            "nightly,missing",
            " , ",
        ]),
    );
    // The blueprints' repositories are named from `namespace` and `targetName`: a missing one is
    // an error on the target, and two targets giving the same values share a repository.
    let variables = (
        prop::option::weighted(0.9, namespace()),
        prop::option::weighted(0.9, prop::sample::select(vec!["pg", "orders"])),
        prop::option::of(prop::sample::select(vec![
            "--all",
            "",
            "a: \"b\" # c",
            "multi\nline",
            "$${namespace}",
            "${targetName}",
        ])),
        // No `${…}` can name these: the vendored scanner reads letters, digits and `_`.
        prop::option::weighted(
            0.1,
            prop::sample::select(vec![
                "variables.kubestash.com/my.var",
                "variables.kubestash.com/target-name",
            ]),
        ),
    )
        .prop_map(|(namespace, target_name, args, unusable)| {
            let mut variables = Vec::new();
            if let Some(v) = namespace {
                variables.push(("variables.kubestash.com/namespace", v));
            }
            if let Some(v) = target_name {
                variables.push(("variables.kubestash.com/targetName", v));
            }
            if let Some(v) = args {
                variables.push(("variables.kubestash.com/args", v));
            }
            if let Some(key) = unusable {
                // A warning.
                variables.push((key, "x"));
            }
            variables
        });
    (
        // No KubeStash blueprint is named `weekly`; an empty name is a missing one.
        prop::sample::select(vec!["daily", "y", "weekly", ""]),
        blueprint_namespace,
        session_names,
        variables,
    )
        .prop_map(
            |(blueprint, namespace, session_names, variables)| KubeStashAnnotations {
                blueprint,
                namespace,
                session_names,
                variables,
            },
        )
}

fn kubestash_blueprint() -> impl Strategy<Value = KubeStashBlueprint> {
    (
        prop::sample::select(vec!["daily", "y"]),
        prop::option::weighted(0.9, namespace()),
        prop::option::of(prop::sample::select(vec!["Same", "All"])),
        prop::option::weighted(
            0.2,
            prop::sample::select(vec!["backup", "${namespace}", ""]),
        ),
        schedule(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(name, namespace, usage, template_namespace, schedule, local, default_backend)| {
                KubeStashBlueprint {
                    name,
                    namespace,
                    usage,
                    template_namespace,
                    schedule,
                    local,
                    default_backend,
                }
            },
        )
}

/// The annotations of a target: Stash's, KubeStash's, or both.
type Families = (Option<StashAnnotations>, Option<KubeStashAnnotations>);

fn any_families() -> impl Strategy<Value = Families> {
    prop_oneof![
        stash_annotations().prop_map(|s| (Some(s), None)),
        kubestash_families(),
    ]
}

/// KubeStash's annotations, instead of Stash's or in addition to them.
fn kubestash_families() -> impl Strategy<Value = Families> {
    prop_oneof![
        kubestash_annotations().prop_map(|k| (None, Some(k))),
        (stash_annotations(), kubestash_annotations()).prop_map(|(s, k)| (Some(s), Some(k))),
    ]
}

/// A database, an AppBinding, a workload or a claim with the annotations of `families`.
fn target(families: impl Strategy<Value = Families>) -> impl Strategy<Value = Item> {
    let names = prop::sample::select(vec![
        "pg",
        "orders",
        "y",
        "no",
        "on",
        "a-very-long-database-name-that-will-need-cutting-to-fit-in-sixty-three",
    ]);
    (
        prop::sample::select(vec![
            "Postgres",
            "MySQL",
            "MariaDB",
            "AppBinding",
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "PersistentVolumeClaim",
        ]),
        names,
        prop::option::weighted(0.9, namespace()),
        any::<bool>(),
        families,
    )
        .prop_map(
            |(kind, name, namespace, app_ref, (stash, kubestash))| Item::Target {
                kind,
                name,
                namespace,
                app_ref,
                stash,
                kubestash,
            },
        )
}

/// A KubeStash blueprint and a target naming it (mostly from the blueprint's namespace), which
/// independent items seldom are: KubeStash blueprints have a namespace and a name to match.
fn kubestash_blueprint_and_target() -> impl Strategy<Value = Vec<Item>> {
    (
        kubestash_blueprint(),
        target(kubestash_families()),
        prop::bool::weighted(0.7),
    )
        .prop_map(|(blueprint, mut target, same_namespace)| {
            if let Item::Target {
                namespace,
                kubestash: Some(annotations),
                ..
            } = &mut target
            {
                annotations.blueprint = blueprint.name;
                if let Some(ns) = blueprint.namespace {
                    if !matches!(annotations.namespace, BlueprintNamespace::Missing) {
                        annotations.namespace = BlueprintNamespace::Named(ns);
                    }
                    if same_namespace {
                        *namespace = Some(ns);
                    }
                }
            }
            vec![Item::KubeStashBlueprint(blueprint), target]
        })
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        3 => (
            prop::sample::select(vec!["daily", "weekly", "y"]),
            schedule(),
            any::<bool>(),
            prop_oneof![6 => Just(Flaw::None), 1 => Just(Flaw::Unknown), 1 => Just(Flaw::Refused)],
        )
            .prop_map(|(name, schedule, local, flaw)| Item::Blueprint {
                name,
                schedule,
                local,
                flaw,
            }),
        1 => kubestash_blueprint().prop_map(Item::KubeStashBlueprint),
        3 => target(any_families()),
        3 => ("[a-z]{1,8}", any::<String>(), any::<bool>()).prop_map(|(name, value, comment)| {
            Item::Other {
                name,
                value,
                comment,
            }
        }),
    ]
}

/// Up to 13 single items or KubeStash blueprints with a target of their own.
fn items() -> impl Strategy<Value = Vec<Item>> {
    let chunk = prop_oneof![
        5 => item().prop_map(|item| vec![item]),
        1 => kubestash_blueprint_and_target(),
    ];
    prop::collection::vec(chunk, 0..14).prop_map(|chunks| chunks.concat())
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
    (run.output(src.as_bytes()), run.has_errors())
}

/// The output (results included) when JSON is read by the YAML scanner instead of the JSON fast
/// path.
fn output_via_yaml(src: &str) -> Vec<u8> {
    let options = Options {
        yaml_scanner_only: true,
        ..Options::default()
    };
    let run = run(src, &options, &|_| None).expect("a well-formed ResourceList is read");
    run.output(src.as_bytes())
}

proptest! {
    #[test]
    fn items_survive_byte_for_byte_and_a_second_run_changes_nothing(
        items in items(),
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
        // What the API server would prune or refuse never reaches a generated object: the marks
        // of a flawed blueprint are in the output only as often as the input has them.
        let results = ["\nresults:", "\"results\":", " results:"]
            .iter()
            .filter_map(|key| first_text.rfind(key))
            .max()
            .unwrap_or(first_text.len());
        let objects = &first_text[..results];
        for mark in FLAW_MARKS {
            prop_assert_eq!(
                objects.matches(mark).count(),
                src.matches(mark).count(),
                "{} got into a generated object:\n{}", mark, first_text
            );
        }
    }
}
