//! A generated BackupConfiguration as protection of its target (`engine::protection`): one
//! backup per backend, with the schedules of the sessions that write to it, the
//! RetentionPolicy it names and the BackupStorage locations of its repositories, both read from
//! the input.

use super::referenced::{Kind, Referenced};
use crate::engine::protection::{Protection, Retention};
use crate::families::common::protection::{counts_in, counts_written, location_in};
use crate::yaml::emit::Value;
use crate::yaml::tree::Tree;

/// The backends of a BackupConfiguration in `namespace` (`backends`, `sessions` as generated),
/// each described; without backends, the default BackupStorage and RetentionPolicy the webhook
/// gives it, which the cluster holds.
pub fn backups(
    tree: &Tree<'_>,
    referenced: &Referenced,
    namespace: &str,
    backends: Option<&Value<'_>>,
    sessions: &[&Value<'_>],
) -> Vec<Protection> {
    let text = |v: Option<&Value<'_>>, key: &str| -> Option<String> {
        Some(v?.get(key)?.scalar()?.into_owned())
    };
    let reference = |v: Option<&Value<'_>>| -> Option<(String, String)> {
        let name = text(v, "name")?;
        Some((
            text(v, "namespace").unwrap_or_else(|| namespace.to_owned()),
            name,
        ))
    };
    let listed: Vec<&Value<'_>> = match backends {
        Some(Value::Seq(items)) => items.iter().collect(),
        _ => Vec::new(),
    };
    let mut described = Vec::new();
    let backend_names: Vec<Option<String>> = match listed.is_empty() {
        true => vec![None],
        false => listed.iter().map(|b| text(Some(b), "name")).collect(),
    };
    for (i, backend_name) in backend_names.iter().enumerate() {
        let backend = listed.get(i).copied();
        let storage = reference(backend.and_then(|b| b.get("storageRef")));
        let policy = reference(backend.and_then(|b| b.get("retentionPolicy")));
        let (mut schedules, mut copies) = (Vec::new(), Vec::new());
        for session in sessions {
            let repositories = match session.get("repositories") {
                Some(Value::Seq(items)) => items.as_slice(),
                _ => &[],
            };
            let mut writes = false;
            for repository in repositories {
                let on = text(Some(repository), "backend");
                // A repository naming no backend uses the only (default) one.
                if on.is_some() && on != *backend_name && backend_name.is_some() {
                    continue;
                }
                writes = true;
                let directory = text(Some(repository), "directory");
                let storage = storage.as_ref();
                copies.push(storage_location(
                    tree,
                    referenced,
                    storage,
                    directory.as_deref(),
                ));
            }
            let schedule = text(session.get("scheduler"), "schedule");
            if let (true, Some(schedule)) = (writes, schedule) {
                schedules.push(schedule);
            }
        }
        let (retention, retention_written) = retention(tree, referenced, policy.as_ref());
        described.push(Protection {
            schedules,
            retention,
            retention_written,
            copies,
        });
    }
    described
}

/// Where a BackupStorage keeps snapshots: its provider's settings when the input holds it,
/// else its name.
fn storage_location(
    tree: &Tree<'_>,
    referenced: &Referenced,
    storage: Option<&(String, String)>,
    directory: Option<&str>,
) -> String {
    let directory_words = directory
        .map(|d| format!(" directory {d}"))
        .unwrap_or_default();
    let Some((namespace, name)) = storage else {
        return format!("the cluster's default BackupStorage{directory_words}");
    };
    let settings = referenced
        .spec(Kind::BackupStorage, namespace, name)
        .and_then(|spec| tree.lookup(spec, "storage"));
    let provider = settings
        .and_then(|s| tree.lookup(s, "provider"))
        .and_then(|p| tree.scalar(p));
    match (settings, provider) {
        (Some(settings), Some(provider)) => match tree.lookup(settings, provider) {
            Some(node) => location_in(provider, tree, node, directory),
            None => format!("BackupStorage {namespace}/{name}{directory_words}"),
        },
        _ => format!("BackupStorage {namespace}/{name}{directory_words}"),
    }
}

/// `spec.successfulSnapshots` of a RetentionPolicy, in restic's order.
const COUNTS: [&str; 6] = ["last", "hourly", "daily", "weekly", "monthly", "yearly"];

/// What a RetentionPolicy keeps, when the input holds it, and how it is written.
fn retention(
    tree: &Tree<'_>,
    referenced: &Referenced,
    policy: Option<&(String, String)>,
) -> (Retention, String) {
    let missing = |what: String| (Retention::NotInInput(what.clone()), what);
    let Some((namespace, name)) = policy else {
        return missing("the cluster's default RetentionPolicy".to_owned());
    };
    let Some(spec) = referenced.spec(Kind::RetentionPolicy, namespace, name) else {
        return missing(format!("RetentionPolicy {namespace}/{name}"));
    };
    let counts = tree
        .lookup(spec, "successfulSnapshots")
        .map(|node| counts_in(tree, node, COUNTS));
    let max_age = tree
        .lookup(spec, "maxRetentionPeriod")
        .and_then(|n| tree.scalar(n))
        .map(str::to_owned);
    let mut words = counts
        .map(|c| counts_written(&c, COUNTS))
        .unwrap_or_default();
    words.extend(
        max_age
            .as_ref()
            .map(|age| format!("maxRetentionPeriod {age}")),
    );
    let written = format!("RetentionPolicy {namespace}/{name} ({})", words.join(", "));
    (Retention::Snapshots { counts, max_age }, written)
}
