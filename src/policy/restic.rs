//! restic's `forget`, as a pure function, and the restore depth it leaves in steady state.
//!
//! [`apply_policy`] follows restic's `ApplyPolicy` (`internal/data/snapshot_policy.go` at
//! restic commit a80be1478a4c537f8396e0db2b05120aa78f11e0; `internal/restic/` before v0.18)
//! step by step, and [`forget`] adds what `runForget` (`cmd/restic/cmd_forget.go`) does
//! around it:
//!
//! * the snapshots are sorted newest first, stably (`sort.Stable` on `Snapshots.Less`, "made
//!   after"), so of two with the same time the one listed first counts as the newer;
//! * a snapshot is kept when any rule keeps it;
//! * `last N` keeps the N newest; each periodic rule (hourly, daily, weekly, monthly, yearly)
//!   walks the snapshots newest first and keeps a snapshot whenever its bucket (`ymdh`,
//!   `ymd`, the ISO week `yw`, `ym`, `y`) differs from the previous snapshot's, counting down
//!   from N: so it keeps the newest snapshot of each of the last N buckets that *hold* a
//!   snapshot (empty hours are not counted);
//! * `-1` ("unlimited" on the command line) keeps the newest of every bucket and never counts
//!   down (restic ≥ 0.16, commit b77b0749f; 0.14 ignored -1);
//! * while a rule still has counts left it also keeps the oldest snapshot of the list
//!   (restic ≥ 0.16, commit 182b9796e, "Preserve oldest snapshot when keep-* values are not
//!   satisfied");
//! * `within D` keeps every snapshot made after the latest snapshot minus D, D being years,
//!   months, days and hours taken off with Go's `AddDate` (so one month before 31 March is
//!   2 or 3 March); the latest is the newest snapshot not in the future;
//! * `forget` with no rule at all removes nothing ("no policy was specified"), and a policy
//!   that would keep none of a group is refused ("refusing to delete last snapshot").
//!
//! Left out: `--keep-tag` (which snapshots carry a tag is not in the objects; [`super::Depth`]
//! says [`super::Unknowable::KeepTags`]) and `--keep-within-{hourly,…}`, which neither Stash
//! nor KubeStash passes. Snapshot times are Unix seconds in UTC: restic buckets a snapshot in
//! the zone it was made in, and the backup pods of both operators run in UTC.
//!
//! [`depth`] simulates a schedule's backups with a prune after each, over a warm-up long
//! enough for every rule to be full and then the reference cycle, and reports the shallowest
//! the repository gets just after a prune: the age of the oldest snapshot left. Each rule's
//! kept snapshots are followed incrementally (the last N starts; the newest start of the last
//! N buckets; the starts inside the window), which is exact because pruning again changes
//! nothing restic would keep for these rules: the newest of a bucket among the last N stays
//! the newest, and a window only moves forward. The tests hold it against [`forget`] run
//! after every backup.

use std::collections::VecDeque;

use super::gap::{Gap, Starts, longest_gap};
use super::{CYCLE_END, CYCLE_START, Depth, Span, Unknowable};
use crate::engine::calendar::{Schedule, civil, days_from_civil};

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
/// Go's zero `time.Time` (0001-01-01T00:00:00Z): `findLatestTimestamp`'s answer when every
/// snapshot lies in the future.
const GO_ZERO_TIME: i64 = -62_135_596_800;
/// The most backups [`depth`] simulates (warm-up and cycle): a `* * * * *` schedule with a
/// ten-year rule is about 13 million; far beyond that a check would stall.
const MOST_BACKUPS: u64 = 50_000_000;

/// A `--keep-*` count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Count {
    /// Not given (0): the rule keeps nothing.
    #[default]
    Off,
    /// The newest snapshot of each of the last N buckets that hold one.
    Newest(u32),
    /// `-1`, "unlimited": the newest snapshot of every bucket.
    All,
}

impl Count {
    /// A `--keep-*` value as restic reads it (`ForgetPolicyCount`, `verifyForgetOptions`):
    /// 0 is no rule, -1 unlimited, and anything below -1 is refused (None).
    pub fn restic(value: i64) -> Option<Count> {
        match value {
            0 => Some(Count::Off),
            -1 => Some(Count::All),
            n if n > 0 => Some(Count::Newest(u32::try_from(n).unwrap_or(u32::MAX))),
            _ => None,
        }
    }

    /// What `ApplyPolicy` counts down from: -1 for all, 0 for none.
    fn budget(self) -> i64 {
        match self {
            Count::Off => 0,
            Count::Newest(n) => i64::from(n),
            Count::All => -1,
        }
    }
}

/// restic's `Duration` for `--keep-within` (`internal/data/duration.go`): `1y2m3d4h`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Within {
    /// Years.
    pub years: i32,
    /// Months (restic's `m` is months, not minutes).
    pub months: i32,
    /// Days.
    pub days: i32,
    /// Hours.
    pub hours: i32,
}

impl Within {
    /// restic's `Duration.Zero`: no rule.
    pub fn is_zero(&self) -> bool {
        *self == Within::default()
    }

    /// `at.AddDate(-years, -months, -days).Add(-hours)`, in UTC: Go normalises the month
    /// first, then lets the day run over (31 March less a month is "31 February", 2 March in
    /// a leap year).
    fn before(&self, at: i64) -> i64 {
        let (year, month, day) = civil(at.div_euclid(DAY));
        let months =
            year * 12 + month as i64 - 1 - i64::from(self.months) - 12 * i64::from(self.years);
        let first = days_from_civil(months.div_euclid(12), months.rem_euclid(12) as u64 + 1, 1);
        let days = first + day as i64 - 1 - i64::from(self.days);
        // Saturating: an instant near the ends of i64 stays an instant, not a panic.
        days.saturating_mul(DAY)
            .saturating_add(at.rem_euclid(DAY))
            .saturating_sub(i64::from(self.hours) * HOUR)
    }

    /// The furthest back it can reach: every year a leap year, every month 31 days.
    fn reach(&self) -> i64 {
        let part = |n: i32, unit: i64| i64::from(n.max(0)) * unit;
        part(self.years, 366 * DAY)
            + part(self.months, 31 * DAY)
            + part(self.days, DAY)
            + part(self.hours, HOUR)
    }
}

/// The buckets of restic's periodic rules, in the snapshot's (UTC) calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// `ymdh`: YYYYMMDDHH.
    Hour,
    /// `ymd`: YYYYMMDD.
    Day,
    /// `yw`: the ISO year and week, Monday to Sunday (Go's `ISOWeek`).
    Week,
    /// `ym`: YYYYMM.
    Month,
    /// `y`: the year.
    Year,
}

impl Unit {
    /// The bucket a time falls in, as restic numbers it.
    pub fn bucket(self, at: i64) -> i64 {
        let day = at.div_euclid(DAY);
        let (year, month, dom) = civil(day);
        let (month, dom) = (month as i64, dom as i64);
        match self {
            Unit::Hour => year * 1_000_000 + month * 10_000 + dom * 100 + at.rem_euclid(DAY) / HOUR,
            Unit::Day => year * 10_000 + month * 100 + dom,
            Unit::Week => {
                // The ISO week is the week of its Thursday, and its year is the Thursday's.
                let thursday = day - (day + 3).rem_euclid(7) + 3;
                let year = civil(thursday).0;
                year * 100 + (thursday - days_from_civil(year, 1, 1)) / 7 + 1
            }
            Unit::Month => year * 100 + month,
            Unit::Year => year,
        }
    }

    /// The longest a bucket lasts.
    fn longest(self) -> i64 {
        match self {
            Unit::Hour => HOUR,
            Unit::Day => DAY,
            Unit::Week => 7 * DAY,
            Unit::Month => 31 * DAY,
            Unit::Year => 366 * DAY,
        }
    }
}

/// The rules of a `restic forget` (tags aside; see the module doc).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// `--keep-last`.
    pub last: Count,
    /// `--keep-hourly`.
    pub hourly: Count,
    /// `--keep-daily`.
    pub daily: Count,
    /// `--keep-weekly`.
    pub weekly: Count,
    /// `--keep-monthly`.
    pub monthly: Count,
    /// `--keep-yearly`.
    pub yearly: Count,
    /// `--keep-within`.
    pub within: Within,
}

impl Policy {
    /// restic's `ExpirePolicy.Empty`: no rule, so `forget` removes nothing.
    pub fn is_empty(&self) -> bool {
        self.counts().iter().all(|(_, c)| c.budget() == 0) && self.within.is_zero()
    }

    /// The counting rules in `ApplyPolicy`'s order; `None` is `last` (every snapshot its own
    /// bucket).
    fn counts(&self) -> [(Option<Unit>, Count); 6] {
        [
            (None, self.last),
            (Some(Unit::Hour), self.hourly),
            (Some(Unit::Day), self.daily),
            (Some(Unit::Week), self.weekly),
            (Some(Unit::Month), self.monthly),
            (Some(Unit::Year), self.yearly),
        ]
    }
}

/// restic's `ApplyPolicy`: which of `times` (snapshot times, Unix seconds, in restic's list
/// order: of equal times the earlier in the slice counts as the newer) the policy keeps, as
/// flags in the slice's order. `now` decides which snapshots lie in the future for `within`.
/// An empty policy keeps nothing here, as in restic's function; [`forget`] is the command.
pub fn apply_policy(times: &[i64], policy: &Policy, now: i64) -> Vec<bool> {
    let mut kept = vec![false; times.len()];
    // sort.Stable, newest first: equal times keep their order.
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(times[i]));
    let latest = times.iter().copied().filter(|t| *t < now).max();
    let latest = latest.unwrap_or(GO_ZERO_TIME).max(GO_ZERO_TIME);
    let within = (!policy.within.is_zero()).then(|| policy.within.before(latest));
    let rules = policy.counts();
    let mut left = rules.map(|(_, count)| count.budget());
    let mut previous = [-1i64; 6];
    let oldest = order.len().saturating_sub(1);
    for (nr, &i) in order.iter().enumerate() {
        let at = times[i];
        let mut keep = within.is_some_and(|cutoff| at > cutoff);
        for (r, (unit, _)) in rules.iter().enumerate() {
            if left[r] == 0 {
                continue;
            }
            let bucket = unit.map_or(nr as i64, |u| u.bucket(at));
            // A new bucket, or the oldest snapshot while counts are left.
            if bucket != previous[r] || nr == oldest {
                keep = true;
                previous[r] = bucket;
                if left[r] > 0 {
                    left[r] -= 1;
                }
            }
        }
        kept[i] = keep;
    }
    kept
}

/// `restic forget` on one group of snapshots: [`apply_policy`], except that an empty policy
/// removes nothing and a policy keeping none of the group is refused, which removes nothing.
pub fn forget(times: &[i64], policy: &Policy, now: i64) -> Vec<bool> {
    let kept = apply_policy(times, policy, now);
    if policy.is_empty() || !kept.contains(&true) {
        return vec![true; times.len()];
    }
    kept
}

/// The shallowest restore depth `schedules` leave with `policy`, a prune after each backup,
/// in steady state over the reference cycle.
pub fn depth(schedules: &[Schedule], policy: &Policy) -> Depth {
    match rules(policy) {
        Some(rules) => steady_depth(schedules, &rules, None),
        None => Depth::Unbounded,
    }
}

/// The policy's rules for the simulation, or None when it never removes anything (no rule,
/// or an unlimited one).
pub(super) fn rules(policy: &Policy) -> Option<Vec<Rule>> {
    if policy.is_empty() {
        return None;
    }
    let mut rules = Vec::new();
    for (unit, count) in policy.counts() {
        match (count, unit) {
            (Count::All, _) => return None,
            (Count::Newest(0) | Count::Off, _) => {}
            (Count::Newest(n), None) => rules.push(Rule::Last(n)),
            (Count::Newest(n), Some(unit)) => rules.push(Rule::Every(unit, n)),
        }
    }
    if !policy.within.is_zero() {
        rules.push(Rule::Within(policy.within));
    }
    Some(rules)
}

/// One rule of the simulation: restic's, and KubeStash's age limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rule {
    /// The N newest snapshots.
    Last(u32),
    /// The newest snapshot of each of the last N buckets that hold one.
    Every(Unit, u32),
    /// Every snapshot after the newest less a calendar duration (restic's `--keep-within`).
    Within(Within),
    /// Every snapshot at most so many seconds older than the newest.
    Since(i64),
}

impl Rule {
    /// How far back from the newest snapshot a snapshot it keeps can lie (with the oldest
    /// snapshot kept while counts are left, once the history is longer than this), when
    /// starts are never more than `gap` apart: the N-th bucket back starts within N buckets
    /// and N gaps.
    fn reach(self, gap: i64) -> i64 {
        match self {
            Rule::Last(n) => i64::from(n).saturating_mul(gap),
            Rule::Every(unit, n) => i64::from(n).saturating_mul(gap + unit.longest()),
            Rule::Within(within) => within.reach(),
            Rule::Since(seconds) => seconds.max(0),
        }
    }
}

/// What one rule keeps so far, kept up to date backup by backup: (bucket, newest time) of the
/// last N buckets, the last N starts, or the starts inside the window.
struct Keeper {
    rule: Rule,
    kept: VecDeque<(i64, i64)>,
    /// Buckets seen so far, up to N: fewer means counts are left, and restic keeps the oldest
    /// snapshot too.
    seen: u32,
}

impl Keeper {
    fn new(rule: Rule) -> Keeper {
        Keeper {
            rule,
            kept: VecDeque::new(),
            seen: 0,
        }
    }

    fn add(&mut self, at: i64) {
        let (bucket, count) = match self.rule {
            Rule::Last(n) => (at, n),
            Rule::Every(unit, n) => (unit.bucket(at), n),
            Rule::Within(within) => return self.window(at, within.before(at).saturating_add(1)),
            Rule::Since(seconds) => return self.window(at, at.saturating_sub(seconds)),
        };
        match self.kept.back_mut() {
            Some((last, newest)) if *last == bucket => *newest = at,
            _ => {
                self.kept.push_back((bucket, at));
                self.seen = self.seen.saturating_add(1).min(count);
                if self.kept.len() > count as usize {
                    self.kept.pop_front();
                }
            }
        }
    }

    /// A window rule: `at` joins, and what is older than `from` leaves.
    fn window(&mut self, at: i64, from: i64) {
        self.kept.push_back((at, at));
        while self.kept.front().is_some_and(|(_, t)| *t < from) {
            self.kept.pop_front();
        }
    }

    /// The oldest snapshot the rule keeps that is not older than `not_before`; `first` is the
    /// oldest snapshot of all, kept while counts are left.
    fn oldest(&self, not_before: i64, first: i64) -> Option<i64> {
        let counts_left = match self.rule {
            Rule::Last(n) | Rule::Every(_, n) => self.seen < n,
            Rule::Within(_) | Rule::Since(_) => false,
        };
        if counts_left && first >= not_before {
            return Some(first);
        }
        let at = self.kept.partition_point(|(_, t)| *t < not_before);
        self.kept.get(at).map(|(_, t)| *t)
    }
}

/// The shallowest depth of `rules` over the cycle, after a warm-up long enough for each rule to
/// reach as far back as it can; snapshots older than `cap` seconds are removed whatever the
/// rules keep (KubeStash's `maxRetentionPeriod`).
pub(super) fn steady_depth(schedules: &[Schedule], rules: &[Rule], cap: Option<i64>) -> Depth {
    let Gap::Longest(gap) = longest_gap(schedules) else {
        return Depth::Unknown(Unknowable::NeverFires);
    };
    let gap = gap.seconds();
    let reach = rules.iter().map(|r| r.reach(gap)).max().unwrap_or(0);
    // Twice the reach: the gap is the cycle's, and the warm-up lies before it.
    let from = CYCLE_START.saturating_sub(reach.saturating_mul(2).saturating_add(gap));
    let mut starts = Starts::new(schedules);
    let per_cycle = u128::from(starts.in_cycle());
    let span = |a: i64, b: i64| (i128::from(b) - i128::from(a)).max(1) as u128;
    let backups = per_cycle * span(from, CYCLE_END) / span(CYCLE_START, CYCLE_END);
    let backups = u64::try_from(backups).unwrap_or(u64::MAX);
    if backups > MOST_BACKUPS {
        return Depth::Unknown(Unknowable::TooManyBackups(backups));
    }
    match simulate(&mut starts, rules, cap, from, (CYCLE_START, CYCLE_END)) {
        Some(span) => Depth::Bounded(span),
        None => Depth::Unknown(Unknowable::NeverFires),
    }
}

/// Backups from `from` on, each followed by a prune; the shallowest depth after the prunes in
/// `window`, or None when no backup falls in it.
pub(super) fn simulate(
    starts: &mut Starts,
    rules: &[Rule],
    cap: Option<i64>,
    from: i64,
    window: (i64, i64),
) -> Option<Span> {
    let mut keepers: Vec<Keeper> = rules.iter().copied().map(Keeper::new).collect();
    let mut first = None;
    let mut shallowest: Option<Span> = None;
    starts.each(from, window.1, |at| {
        let first = *first.get_or_insert(at);
        keepers.iter_mut().for_each(|k| k.add(at));
        if at < window.0 {
            return;
        }
        let not_before = cap.map_or(i64::MIN, |cap| at.saturating_sub(cap));
        let oldest = keepers.iter().filter_map(|k| k.oldest(not_before, first));
        let span = Span {
            from: oldest.min().unwrap_or(at),
            to: at,
        };
        if shallowest.is_none_or(|s| span.seconds() < s.seconds()) {
            shallowest = Some(span);
        }
    });
    shallowest
}

#[cfg(test)]
mod tests;
