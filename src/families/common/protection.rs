//! Describing what protects a subject in the engine's family-neutral words
//! (`engine::protection`): the subjects of an input, and the pieces of a backup both families
//! read alike (restic's six counts, a storage location).

use std::borrow::Cow;

use super::kinds::KINDS;
use super::subjects::{Candidate, Makeup, is_database};
use crate::engine::protection::{Counts, SKIP_BACKUP, Subject};
use crate::krm::object::{ItemIndex, Object};
use crate::krm::read::Interest;
use crate::yaml::emit::Value;
use crate::yaml::tree::{NodeId, Tree};

/// The input object a target's backups protect: its database (of a database and its
/// AppBinding), else the AppBinding, or the workload or claim.
pub fn protected(candidate: &Candidate) -> ItemIndex {
    match candidate.makeup {
        Makeup::Database {
            database: Some(database),
            ..
        } => database,
        Makeup::Database {
            app_binding: Some(binding),
            ..
        } => binding,
        _ => candidate.position,
    }
}

/// What the readers must keep for [`subjects`] beyond what the families read: every workload
/// and claim, with its labels and the opt-out annotation.
pub fn interest() -> Interest {
    KINDS
        .iter()
        .fold(Interest::default(), |interest, kind| {
            interest.kind(kind.api_version, kind.kind)
        })
        .keep_annotation(SKIP_BACKUP)
}

/// Every object of the input that may need a backup: KubeDB's databases, and the workloads and
/// claims of either family's kinds (those the readers kept: a run with policies asks them to
/// keep them all). One without a namespace is in `default` (empty when there is none).
pub fn subjects(tree: &Tree<'_>, objects: &[Object<'_>], default: Option<&str>) -> Vec<Subject> {
    let mut found = Vec::new();
    for (object, item) in objects.iter().enumerate() {
        let Some(fields) = item.fields() else {
            continue;
        };
        let database = is_database(fields);
        let kind = match database {
            true => None,
            false => KINDS.iter().find(|k| {
                fields.api_version.text() == Some(k.api_version)
                    && fields.kind.text() == Some(k.kind)
            }),
        };
        if !database && kind.is_none() {
            continue;
        }
        let (Some(name), Some(kind_text)) = (fields.name.text(), fields.kind.text()) else {
            continue;
        };
        let namespace = fields.namespace.text().filter(|n| !n.is_empty());
        let labels = fields
            .labels
            .and_then(|node| tree.entries(node))
            .unwrap_or_default()
            .iter()
            .filter_map(|(k, v)| Some((tree.scalar(*k)?.to_owned(), tree.scalar(*v)?.to_owned())))
            .collect();
        found.push(Subject {
            object,
            kind: kind_text.to_owned(),
            short: kind.map(|k| k.short),
            database,
            namespace: namespace.or(default).unwrap_or_default().to_owned(),
            name: name.to_owned(),
            labels,
            skip: fields.annotations.text(SKIP_BACKUP).map(str::to_owned),
        });
    }
    found
}

/// A YAML value a description reads: one the family generates ([`Value`]) or one of the input
/// ([`InInput`], a hand-written BackupConfiguration or what it names), read alike.
pub trait Yaml: Copy {
    /// The value under `key` of a mapping.
    fn get(self, key: &str) -> Option<Self>;
    /// A scalar's text.
    fn text(self) -> Option<String>;
    /// A mapping's entries with string keys.
    fn entries(self) -> Vec<(String, Self)>;
    /// A sequence's items.
    fn items(self) -> Vec<Self>;
}

impl Yaml for &Value<'_> {
    fn get(self, key: &str) -> Option<Self> {
        Value::get(self, key)
    }

    fn text(self) -> Option<String> {
        match self {
            Value::Map(_) | Value::Seq(_) => None,
            scalar => scalar.scalar().map(Cow::into_owned),
        }
    }

    fn entries(self) -> Vec<(String, Self)> {
        match self {
            Value::Map(entries) => entries
                .iter()
                .filter_map(|(k, v)| Some((k.scalar()?.into_owned(), v)))
                .collect(),
            _ => Vec::new(),
        }
    }

    fn items(self) -> Vec<Self> {
        match self {
            Value::Seq(items) => items.iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// A node of the input.
#[derive(Clone, Copy)]
pub struct InInput<'t, 'a> {
    pub tree: &'t Tree<'a>,
    pub node: NodeId,
}

impl Yaml for InInput<'_, '_> {
    fn get(self, key: &str) -> Option<Self> {
        let node = self.tree.lookup(self.node, key)?;
        Some(InInput { node, ..self })
    }

    fn text(self) -> Option<String> {
        self.tree.scalar(self.node).map(str::to_owned)
    }

    fn entries(self) -> Vec<(String, Self)> {
        let entries = self.tree.entries(self.node).unwrap_or_default();
        entries
            .iter()
            .filter_map(|(k, v)| {
                Some((
                    self.tree.scalar(*k)?.to_owned(),
                    InInput { node: *v, ..self },
                ))
            })
            .collect()
    }

    fn items(self) -> Vec<Self> {
        let items = self.tree.items(self.node).unwrap_or_default();
        items
            .iter()
            .map(|node| InInput {
                node: *node,
                ..self
            })
            .collect()
    }
}

/// The text under `key` of `value`.
pub fn text<Y: Yaml>(value: Option<Y>, key: &str) -> Option<String> {
    value?.get(key)?.text()
}

/// The six counts under `keys` (last, hourly, daily, weekly, monthly, yearly), each as the
/// integer it holds.
pub fn counts<Y: Yaml>(value: Y, keys: [&str; 6]) -> Counts {
    let count = |key: &str| text(Some(value), key)?.parse::<i64>().ok();
    Counts {
        last: count(keys[0]),
        hourly: count(keys[1]),
        daily: count(keys[2]),
        weekly: count(keys[3]),
        monthly: count(keys[4]),
        yearly: count(keys[5]),
    }
}

/// `keepDaily 14`, for each count that is written, with the names `names` give them.
pub fn counts_written(counts: &Counts, names: [&str; 6]) -> Vec<String> {
    let values = [
        counts.last,
        counts.hourly,
        counts.daily,
        counts.weekly,
        counts.monthly,
        counts.yearly,
    ];
    values
        .iter()
        .zip(names)
        .filter_map(|(value, name)| value.map(|v| format!("{name} {v}")))
        .collect()
}

/// Settings of a storage location that do not change where the snapshots are (credentials,
/// tuning, how to reach it).
const NOT_WHERE: [&str; 5] = [
    "secretName",
    "storageSecretName",
    "maxConnections",
    "insecureTLS",
    "region",
];

/// A storage location in words equal exactly when the locations are: the provider, then each
/// setting that says where, the path last (`s3 bucket=backups endpoint=s3.amazonaws.com
/// path=shop/orders`). The path is the provider's `prefix` and then `directory` (a KubeStash
/// repository's), so that one place reads alike from either family.
pub fn location<Y: Yaml>(provider: &str, settings: Y, directory: Option<&str>) -> String {
    let mut leaves = Vec::new();
    collect_leaves(settings, String::new(), &mut leaves);
    leaves.retain(|(path, _)| !NOT_WHERE.iter().any(|n| path.ends_with(n)));
    let prefix = leaves
        .iter()
        .position(|(key, _)| key == "prefix")
        .map(|at| leaves.remove(at).1);
    leaves.sort();
    let mut words = provider.to_owned();
    for (key, value) in leaves {
        words.push_str(&format!(" {key}={value}"));
    }
    // `shop/`, `/shop` and `shop` are one place.
    let path: Vec<&str> = [prefix.as_deref(), directory]
        .into_iter()
        .flatten()
        .flat_map(|p| p.split('/'))
        .filter(|part| !part.is_empty())
        .collect();
    if !path.is_empty() {
        words.push_str(&format!(" path={}", path.join("/")));
    }
    words
}

/// `key=value` for each scalar under `value`, by its path (`name=x params[0].name=args`), in the
/// order written: how a review shows a task that changed.
pub fn written<Y: Yaml>(value: Option<Y>) -> String {
    let mut leaves = Vec::new();
    if let Some(value) = value {
        collect_leaves(value, String::new(), &mut leaves);
    }
    let words: Vec<String> = leaves.iter().map(|(k, v)| format!("{k}={v}")).collect();
    words.join(" ")
}

fn collect_leaves<Y: Yaml>(value: Y, path: String, out: &mut Vec<(String, String)>) {
    let join = |key: &str| match path.is_empty() {
        true => key.to_owned(),
        false => format!("{path}.{key}"),
    };
    if let Some(text) = value.text() {
        out.push((path, text));
        return;
    }
    for (key, value) in value.entries() {
        collect_leaves(value, join(&key), out);
    }
    for (i, item) in value.items().into_iter().enumerate() {
        collect_leaves(item, format!("{path}[{i}]"), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_location_reads_alike_from_either_side() {
        let (tree, root) = crate::yaml::events::capture_first(
            "{bucket: backups, prefix: /shop/orders/, endpoint: s3.amazonaws.com, secretName: s}",
        )
        .unwrap();
        let node = root.unwrap();
        let from_input = location("s3", InInput { tree: &tree, node }, Some("/x/"));
        let generated = Value::map([
            ("endpoint", Value::str("s3.amazonaws.com")),
            ("bucket", Value::str("backups")),
            ("prefix", Value::str("shop/orders/x")),
        ]);
        assert_eq!(from_input, location("s3", &generated, None));
        assert_eq!(
            from_input,
            "s3 bucket=backups endpoint=s3.amazonaws.com path=shop/orders/x"
        );
        let other = Value::map([("bucket", Value::str("archive"))]);
        assert_ne!(location("s3", &other, None), from_input);
    }
}
