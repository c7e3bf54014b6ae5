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

/// The six counts under `keys` (last, hourly, daily, weekly, monthly, yearly) of a generated
/// mapping, each as the integer it holds.
pub fn counts(value: &Value<'_>, keys: [&str; 6]) -> Counts {
    counts_by(keys, |key| value.get(key)?.scalar()?.parse::<i64>().ok())
}

/// [`counts`] of a mapping in the input.
pub fn counts_in(tree: &Tree<'_>, node: NodeId, keys: [&str; 6]) -> Counts {
    counts_by(keys, |key| {
        tree.scalar(tree.lookup(node, key)?)?.parse().ok()
    })
}

fn counts_by(keys: [&str; 6], count: impl Fn(&str) -> Option<i64>) -> Counts {
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
/// path=shop/orders`), read from a generated mapping. The path is the provider's `prefix` and
/// then `directory` (a KubeStash repository's), so that one place reads alike from either
/// family.
pub fn location(provider: &str, settings: &Value<'_>, directory: Option<&str>) -> String {
    let mut leaves = Vec::new();
    value_leaves(settings, String::new(), &mut leaves);
    words(provider, leaves, directory)
}

/// [`location`] of a mapping in the input.
pub fn location_in(
    provider: &str,
    tree: &Tree<'_>,
    settings: NodeId,
    directory: Option<&str>,
) -> String {
    let mut leaves = Vec::new();
    tree_leaves(tree, settings, String::new(), &mut leaves);
    words(provider, leaves, directory)
}

fn words(provider: &str, mut leaves: Vec<(String, String)>, directory: Option<&str>) -> String {
    leaves.retain(|(path, _)| !NOT_WHERE.iter().any(|n| path.ends_with(n)));
    let prefix = leaves
        .iter()
        .position(|(key, _)| key == "prefix")
        .map(|at| leaves.remove(at).1);
    leaves.sort();
    let mut text = provider.to_owned();
    for (key, value) in leaves {
        text.push_str(&format!(" {key}={value}"));
    }
    // `shop/`, `/shop` and `shop` are one place.
    let path: Vec<&str> = [prefix.as_deref(), directory]
        .into_iter()
        .flatten()
        .flat_map(|p| p.split('/'))
        .filter(|part| !part.is_empty())
        .collect();
    if !path.is_empty() {
        text.push_str(&format!(" path={}", path.join("/")));
    }
    text
}

fn join(path: &str, key: &str) -> String {
    match path.is_empty() {
        true => key.to_owned(),
        false => format!("{path}.{key}"),
    }
}

fn value_leaves(value: &Value<'_>, path: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Map(entries) => {
            for (key, value) in entries {
                let key = key.scalar().unwrap_or(Cow::Borrowed(""));
                value_leaves(value, join(&path, &key), out);
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                value_leaves(item, format!("{path}[{i}]"), out);
            }
        }
        scalar => out.push((path, scalar.scalar().unwrap_or_default().into_owned())),
    }
}

fn tree_leaves(tree: &Tree<'_>, node: NodeId, path: String, out: &mut Vec<(String, String)>) {
    if let Some(entries) = tree.entries(node) {
        for (key, value) in entries {
            let key = tree.scalar(*key).unwrap_or_default();
            tree_leaves(tree, *value, join(&path, key), out);
        }
    } else if let Some(items) = tree.items(node) {
        for (i, item) in items.iter().enumerate() {
            tree_leaves(tree, *item, format!("{path}[{i}]"), out);
        }
    } else if let Some(text) = tree.scalar(node) {
        out.push((path, text.to_owned()));
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
        let from_input = location_in("s3", &tree, root.unwrap(), Some("/x/"));
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
