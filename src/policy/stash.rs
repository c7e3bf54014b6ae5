//! Stash's retention: how a `stash.appscode.com/v1alpha1` `RetentionPolicy` (in a
//! BackupConfiguration or BackupBlueprint) becomes a `restic forget`, and the depth that
//! leaves.
//!
//! Evidence (CODE): stashed/apimachinery `pkg/restic/commands.go`, `tryCleanup` (commit
//! 8bddb4dd03010847d2d39cf818f454607a8ab3a5), runs `restic forget --quiet --json` with
//! `--keep-last` … `--keep-yearly` each only when the value is above 0, a `--keep-tag` per
//! tag, `--prune` when `prune` and `--dry-run` when `dryRun`. stashed/stash
//! `pkg/controller/backup_session.go` (commit 844e1bc87fe579296b00b29f9653ae40852d22db) makes
//! `ApplyRetentionPolicy` a post-backup action, so a forget follows every backup. Hence:
//!
//! * a keep value of 0 or below, `-1` included, is no rule at all: Stash never hands restic
//!   "unlimited";
//! * with no keep value and no tag, restic is given no rule and removes nothing;
//! * `dryRun: true` removes nothing;
//! * `prune: false` does not keep snapshots: `forget` without `--prune` still forgets them,
//!   only the data they alone held stays in the repository, where nothing restores it from.

use super::Depth;
use super::Unknowable;
use super::restic::{self, Count, Policy};
use crate::engine::calendar::Schedule;

/// A Stash `RetentionPolicy`, as the fields that decide what `forget` removes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    /// `keepLast`.
    pub keep_last: i64,
    /// `keepHourly`.
    pub keep_hourly: i64,
    /// `keepDaily`.
    pub keep_daily: i64,
    /// `keepWeekly`.
    pub keep_weekly: i64,
    /// `keepMonthly`.
    pub keep_monthly: i64,
    /// `keepYearly`.
    pub keep_yearly: i64,
    /// `keepTags` names at least one tag.
    pub keep_tags: bool,
    /// `prune`: whether unreferenced data is removed too (not what is restorable).
    pub prune: bool,
    /// `dryRun`: forget reports and removes nothing.
    pub dry_run: bool,
}

impl Retention {
    /// The restic policy `tryCleanup` passes (tags aside): each keep value above 0.
    pub fn policy(&self) -> Policy {
        let count = |value: i64| match u32::try_from(value) {
            Ok(0) => Count::Off,
            Ok(n) => Count::Newest(n),
            Err(_) if value > 0 => Count::Newest(u32::MAX),
            Err(_) => Count::Off,
        };
        Policy {
            last: count(self.keep_last),
            hourly: count(self.keep_hourly),
            daily: count(self.keep_daily),
            weekly: count(self.keep_weekly),
            monthly: count(self.keep_monthly),
            yearly: count(self.keep_yearly),
            within: restic::Within::default(),
        }
    }

    /// The shallowest restore depth this policy leaves with backups at `schedules`.
    pub fn depth(&self, schedules: &[Schedule]) -> Depth {
        if self.dry_run {
            return Depth::Unbounded;
        }
        if self.keep_tags {
            return Depth::Unknown(Unknowable::KeepTags);
        }
        restic::depth(schedules, &self.policy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stash_passes_only_values_above_zero() {
        let retention = Retention {
            keep_last: -1,
            keep_daily: 7,
            keep_weekly: 0,
            keep_yearly: i64::MAX,
            ..Retention::default()
        };
        let policy = retention.policy();
        assert_eq!(policy.last, Count::Off, "Stash never passes -1");
        assert_eq!(policy.daily, Count::Newest(7));
        assert_eq!(policy.weekly, Count::Off);
        assert_eq!(policy.yearly, Count::Newest(u32::MAX));
    }

    #[test]
    fn depth_follows_dry_run_tags_and_not_prune() {
        let daily = [Schedule::parse("0 2 * * *").unwrap()];
        let keep = Retention {
            keep_last: 5,
            ..Retention::default()
        };
        let Depth::Bounded(span) = keep.depth(&daily) else {
            panic!("bounded");
        };
        assert_eq!(span.seconds(), 4 * 86_400);
        let pruned = Retention {
            prune: true,
            ..keep.clone()
        };
        assert_eq!(
            pruned.depth(&daily),
            keep.depth(&daily),
            "prune: data, not snapshots"
        );
        let dry = Retention {
            dry_run: true,
            ..keep.clone()
        };
        assert_eq!(dry.depth(&daily), Depth::Unbounded);
        let tags = Retention {
            keep_tags: true,
            ..keep.clone()
        };
        assert_eq!(tags.depth(&daily), Depth::Unknown(Unknowable::KeepTags));
        let nothing = Retention {
            keep_last: -1,
            ..Retention::default()
        };
        assert_eq!(
            nothing.depth(&daily),
            Depth::Unbounded,
            "no flag: forget removes nothing"
        );
    }
}
