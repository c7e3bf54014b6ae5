//! Building the BackupConfiguration of one target (docs/spec-kubestash.md K5). Our marker and
//! kpt's file annotations are not set here: reconciliation adds them.

use super::targets::{Reference, WATCHED};
use super::{API_VERSION, KEYS};
use crate::engine::family::{EarlierTarget, Input};
use crate::families::common::subjects;
use crate::krm::object::ItemIndex;
use crate::yaml::emit::Value;

/// The parts of a BackupConfiguration, substituted.
pub struct Parts<'t> {
    pub name: String,
    pub namespace: String,
    /// Sorted by key, as Go writes a map.
    pub labels: Vec<(String, String)>,
    pub target: Reference,
    pub backends: Option<Value<'t>>,
    pub sessions: Vec<Value<'t>>,
}

pub fn backup_configuration(parts: Parts<'_>) -> Value<'_> {
    let labels = parts
        .labels
        .into_iter()
        .map(|(k, v)| (Value::str(k), Value::str(v)))
        .collect();
    let metadata = Value::map([
        ("name", Value::str(parts.name)),
        ("namespace", Value::str(parts.namespace)),
        ("labels", Value::Map(labels)),
    ]);
    let reference = parts.target;
    let mut target = Value::Map(Vec::new());
    if let Some(group) = reference.api_group {
        target.push("apiGroup", Value::str(group));
    }
    target.push("kind", Value::str(reference.kind));
    target.push("name", Value::str(reference.name));
    target.push("namespace", Value::str(reference.namespace));
    let mut spec = Value::map([("target", target)]);
    if let Some(backends) = parts.backends {
        spec.push("backends", backends);
    }
    spec.push("sessions", Value::Seq(parts.sessions));
    Value::map([
        ("apiVersion", Value::str(API_VERSION)),
        ("kind", Value::str("BackupConfiguration")),
        ("metadata", metadata),
        ("spec", spec),
    ])
}

/// How results name the target of a BackupConfiguration: `Postgres shop/orders`.
pub fn target_name(reference: &Reference) -> String {
    format!(
        "{} {}/{}",
        reference.kind, reference.namespace, reference.name
    )
}

/// The target an earlier BackupConfiguration of ours was made for (its `spec.target`), and what
/// stands for it in the input now.
pub fn earlier_target(
    input: &Input<'_, '_>,
    index: ItemIndex,
    default: Option<&str>,
) -> Option<EarlierTarget> {
    let fields = input.object(index).fields()?;
    let tree = input.tree;
    let target = tree.lookup(fields.spec?, "target")?;
    let text = |key: &str| tree.lookup(target, key).and_then(|v| tree.scalar(v));
    let namespace = text("namespace").or(fields.namespace.text())?;
    let (kind, name) = (text("kind")?, text("name")?);
    let reference = subjects::Reference {
        group: text("apiGroup").unwrap_or_default(),
        kind,
        name,
        namespace,
    };
    let key = target_name(&Reference {
        api_group: None,
        kind: kind.to_owned(),
        name: name.to_owned(),
        namespace: namespace.to_owned(),
    });
    Some(subjects::earlier_target(
        input, &reference, key, default, KEYS, &WATCHED,
    ))
}
