//! A generated pair as protection of its target (`engine::protection`): the
//! BackupConfiguration's schedule and retention policy, the Repository's backend.

use crate::engine::protection::{Protection, Retention};
use crate::families::common::protection::{counts, counts_written, location};
use crate::yaml::emit::Value;

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

/// The schedules, retention and storage locations of a generated Repository and its
/// BackupConfiguration.
pub fn backup(repository: &Value<'_>, configuration: &Value<'_>) -> Protection {
    let spec = configuration.get("spec");
    let schedules = spec
        .and_then(|s| s.get("schedule"))
        .and_then(Value::scalar)
        .map(|s| vec![s.into_owned()])
        .unwrap_or_default();
    let policy = spec.and_then(|s| s.get("retentionPolicy"));
    let flag = |key: &str| {
        policy
            .and_then(|p| p.get(key))
            .and_then(Value::scalar)
            .is_some_and(|v| v == "true")
    };
    let tags = policy
        .and_then(|p| p.get("keepTags"))
        .is_some_and(|t| matches!(t, Value::Seq(items) if !items.is_empty()));
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
    let backend = repository.get("spec").and_then(|s| s.get("backend"));
    let copies = PROVIDERS
        .iter()
        .find_map(|p| Some(location(p, backend?.get(p)?, None)))
        .into_iter()
        .collect();
    Protection {
        schedules,
        retention,
        retention_written,
        copies,
    }
}
