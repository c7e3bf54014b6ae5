//! BackupConfigurations as protection of their targets (`engine::protection`): the pairs this
//! run generates, and the hand-written BackupConfigurations of the input. The
//! BackupConfiguration gives the schedule and retention policy, its Repository the backend.

use std::collections::HashMap;

use super::{GENERATED, GROUP};
use crate::engine::family::{Input, Select};
use crate::engine::ownership;
use crate::engine::protection::{Protected, Protection, Retention};
use crate::engine::reconcile::Proposals;
use crate::families::common::protection::{
    InInput, Yaml, counts, counts_written, location, text, written,
};
use crate::krm::object::ObjectKey;

/// The backends a Repository may name, each a key of `spec.backend`.
const PROVIDERS: [&str; 7] = ["local", "s3", "gcs", "azure", "swift", "b2", "rest"];

/// The fields of a RetentionPolicy that count snapshots, in restic's order.
const KEEP: [&str; 6] = [
    "keepLast",
    "keepHourly",
    "keepDaily",
    "keepWeekly",
    "keepMonthly",
    "keepYearly",
];

/// The schedule, retention and storage location of a BackupConfiguration's `spec` and its
/// Repository's (`Err`: the Repository the input does not hold, as messages name it).
pub fn backup<Y: Yaml>(repository: Result<Y, String>, configuration: Y) -> Protection {
    let schedules = text(Some(configuration), "schedule").into_iter().collect();
    let policy = configuration.get("retentionPolicy");
    let flag = |key: &str| text(policy, key).is_some_and(|v| v == "true");
    let tags = policy
        .and_then(|p| p.get("keepTags"))
        .is_some_and(|t| !t.items().is_empty());
    let keep = policy.map(|p| counts(p, KEEP)).unwrap_or_default();
    let dry_run = flag("dryRun");
    let mut words = counts_written(&keep, KEEP);
    words.extend(tags.then(|| "keepTags".to_owned()));
    words.extend(dry_run.then(|| "dryRun".to_owned()));
    let retention_written = match words.is_empty() {
        true => "a retentionPolicy without counts".to_owned(),
        false => format!("retentionPolicy {}", words.join(", ")),
    };
    let retention = Retention::Forget {
        keep,
        tags,
        dry_run,
    };
    let copies = match repository {
        Ok(spec) => {
            let backend = spec.get("backend");
            let found = PROVIDERS
                .iter()
                .find_map(|p| Some(location(p, backend?.get(p)?, None)));
            found.into_iter().collect()
        }
        Err(named) => vec![named],
    };
    let task = match configuration.get("task") {
        Some(task) => format!("task {}", written(Some(task))),
        None => "the default task".to_owned(),
    };
    Protection {
        part: None,
        schedules,
        retention,
        retention_written,
        task,
        copies,
    }
}

/// Describes each hand-written BackupConfiguration of the input (one without our marker) as
/// protection of the target it names, with the backend of the Repository it names when the
/// input holds it.
pub fn hand_written(input: &Input<'_, '_>, default: Option<&str>, out: &mut Proposals<'_, '_>) {
    let tree = input.tree;
    let mut repositories = HashMap::new();
    let mut configurations = Vec::new();
    for (index, fields) in input.select(&[Select::Group(GROUP)]) {
        let Some(spec) = fields.spec else {
            continue;
        };
        let kind = fields.kind.text();
        if kind == Some(GENERATED[0].kind) {
            let key = ObjectKey::of(GENERATED[0], fields, default);
            repositories.insert((key.namespace, key.name), InInput { tree, node: spec });
        } else if kind == Some(GENERATED[1].kind)
            && ownership::marker(input.object(index)).is_none()
        {
            let key = ObjectKey::of(GENERATED[1], fields, default);
            configurations.push((key, InInput { tree, node: spec }));
        }
    }
    for (key, spec) in configurations {
        let target = spec.get("target").and_then(|t| t.get("ref"));
        let (Some(kind), Some(name)) = (text(target, "kind"), text(target, "name")) else {
            continue;
        };
        let namespace = text(target, "namespace").unwrap_or_else(|| key.namespace.clone());
        let repository = spec.get("repository");
        let home = text(repository, "namespace").unwrap_or_else(|| key.namespace.clone());
        let repository_name = text(repository, "name").unwrap_or_default();
        let found = repositories
            .get(&(home.clone(), repository_name.clone()))
            .copied()
            .ok_or(format!("Repository {home}/{repository_name}"));
        let subject = Protected::Named {
            kind,
            namespace,
            name,
        };
        out.protects(subject, key, backup(found, spec));
    }
}
