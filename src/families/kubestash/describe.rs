//! BackupConfigurations as protection of their targets (`engine::protection`): those this run
//! generates, and the hand-written ones of the input. One backup per backend, with the
//! schedules of the sessions that write to it, the RetentionPolicy it names and the
//! BackupStorage locations of its repositories, both read from the input.

use super::referenced::{Kind, Referenced};
use super::{GENERATED, GROUP};
use crate::engine::family::{Input, Select};
use crate::engine::ownership;
use crate::engine::protection::{Protected, Protection, Retention};
use crate::engine::reconcile::Proposals;
use crate::families::common::protection::{
    InInput, Yaml, counts, counts_written, location, text, written,
};
use crate::krm::object::ObjectKey;
use crate::yaml::tree::Tree;

/// The backends of a BackupConfiguration in `namespace` (its `backends` and `sessions`), each
/// described; without backends, the default BackupStorage and RetentionPolicy the webhook gives
/// it, which the cluster holds.
pub fn backups<Y: Yaml>(
    tree: &Tree<'_>,
    referenced: &Referenced,
    namespace: &str,
    backends: Option<Y>,
    sessions: &[Y],
) -> Vec<Protection> {
    let reference = |v: Option<Y>| -> Option<(String, String)> {
        let name = text(v, "name")?;
        let home = text(v, "namespace").unwrap_or_else(|| namespace.to_owned());
        Some((home, name))
    };
    let listed: Vec<Y> = backends.map(Yaml::items).unwrap_or_default();
    let names: Vec<Option<String>> = match listed.is_empty() {
        true => vec![None],
        false => listed.iter().map(|b| text(Some(*b), "name")).collect(),
    };
    let mut described = Vec::new();
    for (i, backend_name) in names.iter().enumerate() {
        let backend = listed.get(i).copied();
        let storage = reference(backend.and_then(|b| b.get("storageRef")));
        let policy = reference(backend.and_then(|b| b.get("retentionPolicy")));
        let (mut schedules, mut copies, mut tasks) = (Vec::new(), Vec::new(), Vec::new());
        for session in sessions {
            let repositories = session.get("repositories").map(Yaml::items);
            let mut writes = false;
            for repository in repositories.unwrap_or_default() {
                let on = text(Some(repository), "backend");
                // A repository naming no backend uses the only (default) one.
                if on.is_some() && backend_name.is_some() && on != *backend_name {
                    continue;
                }
                writes = true;
                let directory = text(Some(repository), "directory");
                let storage = storage.as_ref();
                let place = storage_location(tree, referenced, storage, directory.as_deref());
                copies.push(place);
            }
            let schedule = text(session.get("scheduler"), "schedule");
            if let (true, Some(schedule)) = (writes, schedule) {
                schedules.push(schedule);
            }
            if writes {
                let name = text(Some(*session), "name").unwrap_or_default();
                tasks.push(format!("session {name}: {}", written(session.get("addon"))));
            }
        }
        let (retention, retention_written) = retention(tree, referenced, policy.as_ref());
        described.push(Protection {
            part: backend_name.as_ref().map(|name| format!("backend {name}")),
            schedules,
            retention,
            retention_written,
            task: tasks.join("; "),
            copies,
        });
    }
    described
}

/// Describes each hand-written BackupConfiguration of the input (one without our marker) as
/// protection of the target it names.
pub fn hand_written(
    input: &Input<'_, '_>,
    referenced: &Referenced,
    default: Option<&str>,
    out: &mut Proposals<'_, '_>,
) {
    let tree = input.tree;
    for (index, fields) in input.select(&[Select::Group(GROUP)]) {
        let kind = GENERATED[0];
        let is_configuration = fields.kind.text() == Some(kind.kind);
        let (Some(spec), true) = (fields.spec, is_configuration) else {
            continue;
        };
        if ownership::marker(input.object(index)).is_some() {
            continue;
        }
        let key = ObjectKey::of(kind, fields, default);
        let spec = InInput { tree, node: spec };
        let target = spec.get("target");
        let (Some(target_kind), Some(name)) = (text(target, "kind"), text(target, "name")) else {
            continue;
        };
        let namespace = text(target, "namespace").unwrap_or_else(|| key.namespace.clone());
        let sessions = spec.get("sessions").map(Yaml::items).unwrap_or_default();
        let backends = spec.get("backends");
        for protection in backups(tree, referenced, &key.namespace, backends, &sessions) {
            let subject = Protected::Named {
                kind: target_kind.clone(),
                namespace: namespace.clone(),
                name: name.clone(),
            };
            out.protects(subject, key.clone(), protection);
        }
    }
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
        .map(|node| InInput { tree, node })
        .and_then(|spec| spec.get("storage"));
    let provider = text(settings, "provider");
    match (settings, provider) {
        (Some(settings), Some(provider)) => match settings.get(&provider) {
            Some(place) => location(&provider, place, directory),
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
    let Some(node) = referenced.spec(Kind::RetentionPolicy, namespace, name) else {
        return missing(format!("RetentionPolicy {namespace}/{name}"));
    };
    let spec = InInput { tree, node };
    let counts = spec.get("successfulSnapshots").map(|c| counts(c, COUNTS));
    let max_age = text(Some(spec), "maxRetentionPeriod");
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
