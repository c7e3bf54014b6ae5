//! BackupBlueprints: the templates the generated objects are made from.

use std::rc::Rc;

use super::{BLUEPRINT_API_VERSION as API_VERSION, BLUEPRINT_KIND as KIND, GROUP};
use crate::engine::k8s_names::{self, NAME_RULE};
use crate::krm::object::{ItemIndex, Object, ObjectFields};
use crate::krm::results::{KrmResult, Severity};
use crate::yaml::tree::{NodeId, Tree};

/// Storage backends of a Stash Repository; a blueprint names exactly one.
const BACKENDS: [&str; 7] = ["s3", "gcs", "azure", "swift", "b2", "local", "rest"];

/// Fields of the blueprint copied as they are into the BackupConfiguration, in output order.
pub const COPIED: [&str; 8] = [
    "retentionPolicy",
    "runtimeSettings",
    "tempDir",
    "interimVolumeTemplate",
    "hooks",
    "backupHistoryLimit",
    "timeOut",
    "retryConfig",
];

/// A blueprint whose spec has the shape Stash expects.
#[derive(Debug, Clone)]
pub struct Blueprint {
    pub name: String,
    /// The name again, shared by every object made from the blueprint (it goes into each one's
    /// marker).
    pub provenance: Rc<str>,
    /// Position of the blueprint among the input objects.
    pub object: usize,
    pub backend: NodeId,
    pub wipe_out: bool,
    pub usage_policy: Option<NodeId>,
    pub backup_namespace: Option<String>,
    pub repo_namespace: Option<String>,
    pub schedule: Option<NodeId>,
    pub task_name: Option<NodeId>,
    /// `(name, value)` nodes of `task.params`.
    pub params: Vec<(NodeId, NodeId)>,
    /// `(field, value)` for the [`COPIED`] fields that are set and not empty.
    pub copied: Vec<(&'static str, NodeId)>,
}

/// A BackupBlueprint of Stash's group, of any version (a wrong version is reported).
pub fn is_blueprint(fields: &ObjectFields<'_>) -> bool {
    fields.kind.text() == Some(KIND) && fields.group() == Some(GROUP)
}

/// Reads a blueprint; what is wrong with it comes back as results (an unusable blueprint gives
/// `None` and at least one error).
pub fn read(
    tree: &Tree<'_>,
    object: &Object<'_>,
    index: ItemIndex,
    results: &mut Vec<KrmResult>,
) -> Option<Blueprint> {
    let whole = object;
    let object = object.fields()?;
    let mut error = |field: &str, message: String| {
        let mut r = KrmResult::about(Severity::Error, whole, message);
        if !field.is_empty() {
            r = r.field(field);
        }
        results.push(r);
    };
    if object.api_version.text() != Some(API_VERSION) {
        error(
            "apiVersion",
            format!(
                "BackupBlueprint apiVersion must be {API_VERSION}, not {}",
                object.api_version.text().unwrap_or("empty")
            ),
        );
        return None;
    }
    let Some(name) = object.name.text().filter(|n| !n.is_empty()) else {
        error(
            "metadata.name",
            "BackupBlueprint has no metadata.name: targets find blueprints by name".into(),
        );
        return None;
    };
    if !k8s_names::is_dns_subdomain(name) {
        error(
            "metadata.name",
            format!("BackupBlueprint name {name:?} is not a valid Kubernetes name ({NAME_RULE})"),
        );
        return None;
    }
    if let Some(key) = &object.duplicate_key {
        error(key, format!("key `{key}` appears twice: remove one"));
        return None;
    }
    let Some(spec) = object.spec.filter(|s| tree.entries(*s).is_some()) else {
        error(
            "spec",
            format!("BackupBlueprint `{name}` has no spec mapping"),
        );
        return None;
    };
    let mut ok = true;
    let mut fail = |field: &str, message: String| {
        error(field, message);
        ok = false;
    };
    let set = |key: &str| tree.lookup(spec, key).filter(|v| !tree.is_null(*v));
    let text = |key: &str, fail: &mut dyn FnMut(&str, String)| -> Option<String> {
        let v = set(key)?;
        match tree.scalar(v) {
            Some(t) if !t.is_empty() => Some(t.to_owned()),
            Some(_) => None,
            None => {
                fail(
                    &format!("spec.{key}"),
                    format!("spec.{key} must be a string"),
                );
                None
            }
        }
    };

    let mut backend = None;
    match set("backend") {
        None => fail(
            "spec.backend",
            format!("BackupBlueprint `{name}` has no spec.backend: the Repository needs one"),
        ),
        Some(b) => match tree.entries(b) {
            None => fail("spec.backend", "spec.backend must be a mapping".into()),
            Some(entries) => {
                let kinds: Vec<&str> = entries
                    .iter()
                    .filter_map(|(k, v)| tree.scalar(*k).filter(|_| !tree.is_null(*v)))
                    .filter(|k| BACKENDS.contains(k))
                    .collect();
                if kinds.len() == 1 {
                    backend = Some(b);
                } else {
                    fail(
                        "spec.backend",
                        format!(
                            "spec.backend must name exactly one of {} (found {})",
                            BACKENDS.join(", "),
                            if kinds.is_empty() {
                                "none".to_owned()
                            } else {
                                kinds.join(", ")
                            }
                        ),
                    );
                }
            }
        },
    }

    let wipe_out = match set("wipeOut") {
        None => false,
        Some(v) => match tree.scalar(v).and_then(yaml_bool) {
            Some(b) => b,
            None => {
                fail("spec.wipeOut", "spec.wipeOut must be true or false".into());
                false
            }
        },
    };

    let mut task_name = None;
    let mut params = Vec::new();
    if let Some(task) = set("task") {
        if tree.entries(task).is_none() {
            fail(
                "spec.task",
                "spec.task must be a mapping with name and params".into(),
            );
        } else {
            task_name = tree.lookup(task, "name").filter(|v| !tree.is_null(*v));
            if task_name.is_some_and(|n| tree.scalar(n).is_none()) {
                fail("spec.task.name", "spec.task.name must be a string".into());
            }
            if let Some(list) = tree.lookup(task, "params").filter(|v| !tree.is_null(*v)) {
                match tree.items(list) {
                    None => fail("spec.task.params", "spec.task.params must be a list".into()),
                    Some(items) => {
                        for (i, item) in items.iter().enumerate() {
                            let name = tree
                                .lookup(*item, "name")
                                .filter(|n| tree.scalar(*n).is_some());
                            let value = tree
                                .lookup(*item, "value")
                                .filter(|v| tree.scalar(*v).is_some());
                            match (name, value) {
                                (Some(n), Some(v)) => params.push((n, v)),
                                _ => fail(
                                    &format!("spec.task.params[{i}]"),
                                    "each task param needs a string name and value".into(),
                                ),
                            }
                        }
                    }
                }
            }
        }
    }

    let schedule = set("schedule");
    if schedule.is_some_and(|s| tree.scalar(s).is_none()) {
        fail("spec.schedule", "spec.schedule must be a string".into());
    }
    let backup_namespace = text("backupNamespace", &mut fail);
    let repo_namespace = text("repoNamespace", &mut fail);
    for (field, ns) in [
        ("backupNamespace", &backup_namespace),
        ("repoNamespace", &repo_namespace),
    ] {
        if let Some(ns) = ns.as_deref().filter(|ns| !k8s_names::is_dns_label(ns)) {
            fail(
                &format!("spec.{field}"),
                format!("spec.{field} {ns:?} is not a valid Kubernetes namespace"),
            );
        }
    }
    if set("retentionPolicy").is_none() {
        fail(
            "spec.retentionPolicy",
            format!(
                "BackupBlueprint `{name}` has no spec.retentionPolicy: a BackupConfiguration requires one"
            ),
        );
    }

    let copied = COPIED
        .iter()
        .filter_map(|field| {
            let v = set(field)?;
            let empty = tree.entries(v).is_some_and(<[_]>::is_empty);
            (!empty).then_some((*field, v))
        })
        .collect();

    let known = [
        "backend",
        "wipeOut",
        "usagePolicy",
        "backupNamespace",
        "repoNamespace",
        "schedule",
        "task",
    ];
    if tree
        .entries(spec)
        .unwrap_or_default()
        .iter()
        .any(|(k, _)| tree.is_merge_key(*k))
    {
        fail(
            "spec",
            "a merge key (`<<`) in spec cannot be applied: its value must be a mapping or a list \
             of mappings"
                .into(),
        );
    }
    let unknown: Vec<String> = tree
        .entries(spec)
        .unwrap_or_default()
        .iter()
        .filter(|(k, _)| !tree.is_merge_key(*k))
        .filter_map(|(k, _)| tree.scalar(*k))
        .filter(|k| !known.contains(k) && !COPIED.contains(k))
        .map(str::to_owned)
        .collect();
    for key in unknown {
        results.push(
            KrmResult::about(
                Severity::Warning,
                whole,
                format!("unknown field spec.{key} in BackupBlueprint `{name}` is ignored; check its spelling"),
            )
            .field(format!("spec.{key}")),
        );
    }

    let backend = backend?;
    ok.then(|| Blueprint {
        name: name.to_owned(),
        provenance: name.into(),
        object: index,
        backend,
        wipe_out,
        usage_policy: set("usagePolicy"),
        backup_namespace,
        repo_namespace,
        schedule,
        task_name,
        params,
        copied,
    })
}

/// A boolean as Go's YAML readers take it from a plain scalar (yaml.v2 accepts the YAML 1.1
/// spellings, which kubectl applies).
fn yaml_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            Some(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            Some(false)
        }
        _ => None,
    }
}
