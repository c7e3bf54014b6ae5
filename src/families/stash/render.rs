//! Building the Repository and the BackupConfiguration of one (target, blueprint) pair.
//!
//! Values are copied from the blueprint through the [`Expander`], which substitutes variables
//! and keeps the spelling of what it did not change. Our marker and kpt's file annotations are
//! not set here: reconciliation adds them.

use super::annotations::Workload;
use super::blueprint::Blueprint;
use super::naming::Placement;
use super::targets::WATCHED;
use super::targets::{self, Target};
use super::{CONFIG_API_VERSION, REPOSITORY_API_VERSION};
use super::{GROUP, KEYS};
use crate::engine::expand::Expander;
use crate::engine::family::{EarlierTarget, Input, Select};
use crate::engine::ownership;
use crate::families::common::subjects::{self, Reference};
use crate::krm::object::{ItemIndex, group_of};
use crate::yaml::emit::Value;

fn metadata<'t>(name: &str, namespace: &str) -> Value<'t> {
    Value::map([
        ("name", Value::str(name.to_owned())),
        ("namespace", Value::str(namespace.to_owned())),
    ])
}

/// The Repository of a pair.
pub fn repository<'t>(
    expander: &mut Expander<'t, '_, '_>,
    blueprint: &Blueprint,
    placement: &Placement,
) -> Value<'t> {
    let mut spec = Value::map([("backend", expander.copy(blueprint.backend, "spec.backend"))]);
    if blueprint.wipe_out {
        spec.push("wipeOut", Value::Bool(true));
    }
    if let Some(policy) = blueprint.usage_policy {
        spec.push("usagePolicy", expander.copy(policy, "spec.usagePolicy"));
    }
    Value::map([
        ("apiVersion", Value::str(REPOSITORY_API_VERSION)),
        ("kind", Value::str("Repository")),
        (
            "metadata",
            metadata(&placement.name, &placement.repository_namespace),
        ),
        ("spec", spec),
    ])
}

/// What a BackupConfiguration needs beyond the blueprint.
pub struct ConfigParts<'t> {
    pub schedule: Value<'t>,
    pub task_name: Option<Value<'t>>,
    pub params: Vec<(Value<'t>, Value<'t>)>,
    pub owner_uid: Option<String>,
    /// The target's namespace (its own, or the default one).
    pub target_namespace: String,
    /// A workload's paths and volume mounts.
    pub workload: Option<Workload>,
}

/// The BackupConfiguration of a pair.
pub fn backup_configuration<'t>(
    expander: &mut Expander<'t, '_, '_>,
    blueprint: &Blueprint,
    target: &Target,
    placement: &Placement,
    parts: ConfigParts<'t>,
) -> Value<'t> {
    let (api_version, kind) = targets::reference(target);
    let mut meta = metadata(&placement.name, &placement.config_namespace);
    if let Some(uid) = parts.owner_uid {
        let owner = Value::map([
            ("apiVersion", Value::str(api_version)),
            ("kind", Value::str(kind)),
            ("name", Value::str(target.name.clone())),
            ("uid", Value::str(uid)),
            ("controller", Value::Bool(true)),
            ("blockOwnerDeletion", Value::Bool(true)),
        ]);
        meta.push("ownerReferences", Value::Seq(vec![owner]));
    }
    let mut repository = Value::map([("name", Value::str(placement.name.clone()))]);
    if placement.cross_namespace_target || placement.cross_namespace_repository {
        repository.push(
            "namespace",
            Value::str(placement.repository_namespace.clone()),
        );
    }
    let backup_target = backup_target(target, placement, parts.target_namespace, parts.workload);
    let mut spec = Value::map([
        ("repository", repository),
        ("target", backup_target),
        ("schedule", parts.schedule),
    ]);
    if let Some(task) = task(parts.task_name, parts.params) {
        spec.push("task", task);
    }
    for (field, node) in &blueprint.copied {
        let value = expander.copy(*node, &format!("spec.{field}"));
        spec.push(field, value);
    }
    Value::map([
        ("apiVersion", Value::str(CONFIG_API_VERSION)),
        ("kind", Value::str("BackupConfiguration")),
        ("metadata", meta),
        ("spec", spec),
    ])
}

/// `spec.target`: the target's reference, and a workload's paths and volume mounts.
fn backup_target<'t>(
    target: &Target,
    placement: &Placement,
    target_namespace: String,
    workload: Option<Workload>,
) -> Value<'t> {
    let (api_version, kind) = targets::reference(target);
    let mut reference = Value::map([
        ("apiVersion", Value::str(api_version)),
        ("kind", Value::str(kind)),
        ("name", Value::str(target.name.clone())),
    ]);
    if placement.cross_namespace_target {
        reference.push("namespace", Value::str(target_namespace));
    }
    let mut backup_target = Value::map([("ref", reference)]);
    if let Some(workload) = workload {
        let paths = workload.paths.into_iter().map(Value::str).collect();
        backup_target.push("paths", Value::Seq(paths));
        let mounts = workload
            .mounts
            .into_iter()
            .map(|mount| {
                let mut value = Value::map([
                    ("name", Value::str(mount.name)),
                    ("mountPath", Value::str(mount.mount_path)),
                ]);
                if let Some(sub_path) = mount.sub_path {
                    value.push("subPath", Value::str(sub_path));
                }
                value
            })
            .collect();
        backup_target.push("volumeMounts", Value::Seq(mounts));
    }
    backup_target
}

/// `spec.task`, unless it has neither name nor params (an empty task stays out: the operator
/// picks the task from the AppBinding at backup time).
fn task<'t>(name: Option<Value<'t>>, params: Vec<(Value<'t>, Value<'t>)>) -> Option<Value<'t>> {
    let mut task = Value::Map(Vec::new());
    if let Some(name) = name {
        task.push("name", name);
    }
    if !params.is_empty() {
        let params = params
            .into_iter()
            .map(|(n, v)| Value::Map(vec![(Value::str("name"), n), (Value::str("value"), v)]))
            .collect();
        task.push("params", Value::Seq(params));
    }
    matches!(&task, Value::Map(e) if !e.is_empty()).then_some(task)
}

/// How results name the target a pair's objects are for: `AppBinding shop/orders`.
pub fn target_name(kind: &str, namespace: &str, name: &str) -> String {
    format!("{kind} {namespace}/{name}")
}

/// The target an earlier Repository or BackupConfiguration of ours was made for: the
/// BackupConfiguration's `spec.target.ref` (a Repository's is its BackupConfiguration's, the
/// earlier one of its name and blueprint), and what stands for it in the input now.
pub fn earlier_target(
    input: &Input<'_, '_>,
    index: ItemIndex,
    default: Option<&str>,
) -> Option<EarlierTarget> {
    let object = input.object(index);
    let fields = object.fields()?;
    let configuration = if fields.kind.text() == Some("BackupConfiguration") {
        fields
    } else {
        let marker = ownership::marker(object)?;
        input
            .select(&[Select::Group(GROUP)])
            .find(|(i, f)| {
                f.kind.text() == Some("BackupConfiguration")
                    && f.name == fields.name
                    && ownership::marker(input.object(*i)) == Some(marker)
            })?
            .1
    };
    let tree = input.tree;
    let reference = tree.lookup(tree.lookup(configuration.spec?, "target")?, "ref")?;
    let text = |key: &str| tree.lookup(reference, key).and_then(|v| tree.scalar(v));
    let namespace = text("namespace").or(configuration.namespace.text())?;
    let (kind, name) = (text("kind")?, text("name")?);
    let reference = Reference {
        group: group_of(text("apiVersion").unwrap_or_default()),
        kind,
        name,
        namespace,
    };
    let key = target_name(kind, namespace, name);
    Some(subjects::earlier_target(
        input, &reference, key, default, KEYS, &WATCHED,
    ))
}
