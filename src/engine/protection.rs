//! What protects each subject, in words every family shares: the description the backup-policy
//! check (`policy`, above the families) reads, so that it knows what the families decided
//! without knowing either family (docs/policy.md, "The description").
//!
//! A family describes each BackupConfiguration it writes to the output as a [`Backup`]: the
//! input object it protects, when it runs, what it keeps and where its snapshots go. Which
//! objects may need a backup at all ([`Subject`]) is read from the input by the families'
//! shared toolkit. A family describes only when a run asks (`Proposals::describing`): a run
//! without backup policies pays nothing for it.

use crate::engine::finding::FamilyId;
use crate::krm::object::{ItemIndex, ObjectKey};

/// One BackupConfiguration in the output, as protection of one subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    pub family: FamilyId,
    /// What it protects.
    pub subject: Protected,
    /// The BackupConfiguration.
    pub key: ObjectKey,
    pub protection: Protection,
}

/// What a backup protects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protected {
    /// The input object: a database (its AppBinding when the input holds no database of that
    /// name), a workload or a claim.
    Object(ItemIndex),
    /// The object a hand-written BackupConfiguration names (an AppBinding stands for the
    /// database of its name), which the input may or may not hold.
    Named {
        kind: String,
        namespace: String,
        name: String,
    },
}

/// When a backup runs, what it keeps and where, as its family describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    /// Which part of the object it is, when the object holds several backups (`backend s3`).
    pub part: Option<String>,
    /// Its schedules as Kubernetes runs them (a blueprint's `H` settled).
    pub schedules: Vec<String>,
    /// What each run leaves of the earlier snapshots.
    pub retention: Retention,
    /// The retention as the object writes it, for messages (`retentionPolicy keepDaily 14`).
    pub retention_written: String,
    /// What each backup runs, as the object writes it (`task name=postgres-backup-16.1`), for
    /// a review to say when it changes.
    pub task: String,
    /// Where its snapshots go, one entry per storage location, in words that are equal
    /// exactly when the locations are (`s3 bucket=backups path=shop/orders`).
    pub copies: Vec<String>,
}

/// What is left of the snapshots after each backup.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Retention {
    /// restic's `forget` with these counts after every backup, as the object writes them (a
    /// count is a rule only above zero); `tags`: it keeps tagged snapshots too; `dry_run`: it
    /// removes nothing.
    Forget {
        keep: Counts,
        tags: bool,
        dry_run: bool,
    },
    /// Counts of successful snapshots to keep (`None`: no counts given), and an age past which
    /// every snapshot is removed, as written (`30d`, `2mo`).
    Snapshots {
        counts: Option<Counts>,
        max_age: Option<String>,
    },
    /// It is an object the input does not hold (`namespace/name`): what it keeps is unknown.
    NotInInput(String),
}

/// The six counts of restic's rules: the newest `last` snapshots, and the newest of each of
/// the last N hours, days, weeks, months and years that hold one. `None`: not written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Counts {
    pub last: Option<i64>,
    pub hourly: Option<i64>,
    pub daily: Option<i64>,
    pub weekly: Option<i64>,
    pub monthly: Option<i64>,
    pub yearly: Option<i64>,
}

/// An input object that may need a backup: a database, a workload or a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub object: ItemIndex,
    /// Its kind (`Postgres`, `Deployment`).
    pub kind: String,
    /// kubectl's short name for the kind, which a policy may use (`deploy`); none for a
    /// database.
    pub short: Option<&'static str>,
    /// A database (a policy without `kinds` selects every database).
    pub database: bool,
    /// Its namespace, the run's default when it has none (empty when there is no default).
    pub namespace: String,
    pub name: String,
    /// Its labels, as written.
    pub labels: Vec<(String, String)>,
    /// The opt-out annotation's value, when it carries it.
    pub skip: Option<String>,
}

impl Subject {
    /// `Postgres shop/orders`, as messages name it.
    pub fn shown(&self) -> String {
        match self.namespace.is_empty() {
            true => format!("{} {}", self.kind, self.name),
            false => format!("{} {}/{}", self.kind, self.namespace, self.name),
        }
    }
}

/// The annotation by which a subject opts out of the policies that require a backup, with the
/// reason as its value.
pub const SKIP_BACKUP: &str = "autobackup.stash.appscode.com/skip-backup";
