//! KubeStash's retention: what a `storage.kubestash.com/v1alpha1` RetentionPolicy keeps, and
//! the depth that leaves.
//!
//! # What was found, and where
//!
//! The code that applies a RetentionPolicy lives in the operator, kubestash/kubestash, which
//! could not be read for this work (no copy of it was to be had); kubestash/apimachinery
//! (commit 0116a4cb4eff323fd2792c03cf985fb8ec6dd040) holds the types, the webhook and one
//! helper, and kubestash/cli (commit 76ecbc5051e842fcedb049a38f7d7f0391572323) a converter
//! from Stash. Each rule below is marked with its evidence:
//!
//! * when — CODE (the type): `apis/core/v1alpha1/backupsession_types.go`,
//!   `BackupSessionStatus.RetentionPolicies`, records the policy's application per backup
//!   session and repository, so a prune follows every backup.
//! * `spec.maxRetentionPeriod` — DOCS (`apis/storage/v1alpha1/retentionpolicy_types.go`,
//!   `RetentionPolicySpec.MaxRetentionPeriod`, and the KubeStash site's RetentionPolicy page):
//!   "KubeStash will remove all the Snapshots that are older than the MaxRetentionPeriod", so
//!   it is a hard limit that removes snapshots the counts would keep, not restic's
//!   `--keep-within` (which only ever adds). Its length — CODE for the arithmetic, not for its
//!   use: `retentionpolicy_helpers.go`, `RetentionPeriod.ToMinutes`, the only conversion of a
//!   period the API package has, counts a month as 30 days, a year as 365 and a week as 7, so
//!   a period is a fixed number of minutes, not calendar arithmetic. A snapshot exactly that old
//!   stays ("older than" removes). Its syntax — CODE: [`parse_period`] ports `ParseDuration`
//!   from the same file; the webhook (`webhooks/storage/v1alpha1/retentionpolicy.go`,
//!   `validateMaxRetentionPeriodFormat`) refuses what it refuses.
//! * `spec.successfulSnapshots.{last, hourly, daily, weekly, monthly, yearly}` — DOCS: "how
//!   many last/hourly/daily/… Snapshots should be kept", restic's words for restic's rules;
//!   and CODE by analogy: kubestash/cli `pkg/convert/resources.go`, `createRetentionPolicy`,
//!   converts a Stash policy by copying `keepLast`…`keepYearly` into these six fields one for
//!   one (values ≤ 0 left out), so AppsCode treats them as restic's `forget` rules. They are
//!   measured as [`super::restic`] measures them (the newest snapshot of each of the last N
//!   buckets that hold one, the oldest kept while counts are left). A count of 0 is no rule; a
//!   negative count, or a `successfulSnapshots` naming no count, has no documented meaning
//!   and gives [`Unknowable`].
//! * how the two combine — ASSUMED from the wording: the counts choose among all successful
//!   snapshots, then whatever is older than the period goes.
//! * `spec.failedSnapshots.last` (the webhook defaults it to 1, `setDefaultFailedSnapshots`)
//!   — failed snapshots restore nothing, so it does not enter the depth; the measure assumes
//!   every backup succeeds.
//! * neither a period nor `successfulSnapshots` — the webhook refuses it
//!   (`validateProvidedPolicy`); the measure says [`Unknowable::NoCount`].

use super::restic::{Rule, Unit, steady_depth};
use super::{Depth, Unknowable};
use crate::engine::calendar::Schedule;

/// `spec.successfulSnapshots`: each count as written, None when left out (restic's six
/// counts, as every family describes them).
pub type Successful = crate::engine::protection::Counts;

/// `spec.maxRetentionPeriod` as KubeStash's `ParseDuration` reads it (`1y2mo3w4d5h6m`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Period {
    /// `m`.
    pub minutes: i64,
    /// `h`.
    pub hours: i64,
    /// `d`.
    pub days: i64,
    /// `w`.
    pub weeks: i64,
    /// `mo`.
    pub months: i64,
    /// `y`.
    pub years: i64,
}

impl Period {
    /// `RetentionPeriod.ToMinutes` in seconds: a month is 30 days, a year 365. Go's `int`
    /// wraps on overflow, and so does this.
    pub fn seconds(&self) -> i64 {
        let minutes = self
            .minutes
            .wrapping_add(self.hours.wrapping_mul(60))
            .wrapping_add(self.days.wrapping_mul(24 * 60))
            .wrapping_add(self.weeks.wrapping_mul(7 * 24 * 60))
            .wrapping_add(self.months.wrapping_mul(30 * 24 * 60))
            .wrapping_add(self.years.wrapping_mul(365 * 24 * 60));
        minutes.wrapping_mul(60)
    }
}

/// `spec.maxRetentionPeriod` is not a duration KubeStash reads (its `errInvalidDuration`, or
/// `strconv.Atoi`'s refusal of a number it cannot hold).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidPeriod;

/// KubeStash's `ParseDuration` (`apis/storage/v1alpha1/retentionpolicy_helpers.go`): numbers
/// (a leading `-` allowed) each followed by `y`, `mo`, `w`, `d`, `h` or `m`; a unit given
/// twice keeps the last number; surrounding white space is dropped.
pub fn parse_period(text: &str) -> Result<Period, InvalidPeriod> {
    let mut period = Period::default();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let (number, after) = next_number(rest)?;
        let (slot, unit_len) = match after.as_bytes() {
            [b'm', b'o', ..] => (&mut period.months, 2),
            [b'y', ..] => (&mut period.years, 1),
            [b'w', ..] => (&mut period.weeks, 1),
            [b'd', ..] => (&mut period.days, 1),
            [b'h', ..] => (&mut period.hours, 1),
            [b'm', ..] => (&mut period.minutes, 1),
            _ => return Err(InvalidPeriod),
        };
        *slot = number;
        rest = &after[unit_len..];
    }
    Ok(period)
}

/// `nextNumber`: an optional `-`, then the run of characters Go's `unicode.IsNumber` takes
/// (Rust's `is_numeric`, the same N categories), which `strconv.Atoi` must read.
fn next_number(input: &str) -> Result<(i64, &str), InvalidPeriod> {
    let (negative, input) = match input.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, input),
    };
    let end = input.find(|c: char| !c.is_numeric()).unwrap_or(input.len());
    let digits = &input[..end];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InvalidPeriod);
    }
    let number: i64 = digits.parse().map_err(|_| InvalidPeriod)?;
    Ok((if negative { -number } else { number }, &input[end..]))
}

/// A KubeStash RetentionPolicy's `spec`, as far as what it keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Retention {
    /// `successfulSnapshots`, when given.
    pub successful: Option<Successful>,
    /// `maxRetentionPeriod`, when given (parsed with [`parse_period`]).
    pub max_retention_period: Option<Period>,
}

impl Retention {
    /// The shallowest restore depth this policy leaves with backups at `schedules` (see the
    /// module doc for what each rule is taken to do, and on what evidence).
    pub fn depth(&self, schedules: &[Schedule]) -> Depth {
        let cap = self.max_retention_period.map(|p| p.seconds());
        if cap.is_some_and(|seconds| seconds < 0) {
            return Depth::Unknown(Unknowable::NegativePeriod);
        }
        let Some(successful) = self.successful else {
            return match cap {
                Some(seconds) => steady_depth(schedules, &[Rule::Since(seconds)], None),
                None => Depth::Unknown(Unknowable::NoCount),
            };
        };
        let counts = [
            (None, successful.last),
            (Some(Unit::Hour), successful.hourly),
            (Some(Unit::Day), successful.daily),
            (Some(Unit::Week), successful.weekly),
            (Some(Unit::Month), successful.monthly),
            (Some(Unit::Year), successful.yearly),
        ];
        let mut rules = Vec::new();
        for (unit, count) in counts {
            let Some(count) = count else { continue };
            let n = match u32::try_from(count) {
                Ok(0) => continue,
                Ok(n) => n,
                Err(_) if count > 0 => u32::MAX,
                Err(_) => return Depth::Unknown(Unknowable::NegativeCount),
            };
            rules.push(unit.map_or(Rule::Last(n), |unit| Rule::Every(unit, n)));
        }
        if rules.is_empty() {
            return Depth::Unknown(Unknowable::NoCount);
        }
        steady_depth(schedules, &rules, cap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// KubeStash's own `TestParseDuration` cases, and the edges of `nextNumber`.
    #[test]
    fn periods_parse_as_kubestash_parses_them() {
        let period = |years, months, weeks, days, hours, minutes| Period {
            minutes,
            hours,
            days,
            weeks,
            months,
            years,
        };
        let rows = [
            ("1y2mo3d4h5m", Ok(period(1, 2, 0, 3, 4, 5))),
            ("7y11mo27d", Ok(period(7, 11, 0, 27, 0, 0))),
            ("5y12m", Ok(period(5, 0, 0, 0, 0, 12))),
            ("6mo15m", Ok(period(0, 6, 0, 0, 0, 15))),
            ("2w", Ok(period(0, 0, 2, 0, 0, 0))),
            ("3w3mo", Ok(period(0, 3, 3, 0, 0, 0))),
            ("1y2mo3w4d5h6m", Ok(period(1, 2, 3, 4, 5, 6))),
            ("10", Err(InvalidPeriod)),
            ("1mm", Err(InvalidPeriod)),
            ("mo", Err(InvalidPeriod)),
            // A leading minus is read; a unit given twice keeps the last; space is trimmed.
            ("-5d", Ok(period(0, 0, 0, -5, 0, 0))),
            ("1d2d", Ok(period(0, 0, 0, 2, 0, 0))),
            (" 30d\n", Ok(period(0, 0, 0, 30, 0, 0))),
            ("", Ok(period(0, 0, 0, 0, 0, 0))),
            // Go's IsNumber takes '²', and Atoi then refuses it; Atoi refuses overflow.
            ("2²d", Err(InvalidPeriod)),
            ("99999999999999999999d", Err(InvalidPeriod)),
            ("30s", Err(InvalidPeriod)),
            ("1y 2d", Err(InvalidPeriod)),
        ];
        for (text, want) in rows {
            assert_eq!(parse_period(text), want, "{text:?}");
        }
    }

    #[test]
    fn a_period_is_counted_in_fixed_months_and_years() {
        let seconds = |text| parse_period(text).unwrap().seconds();
        assert_eq!(seconds("30d"), 30 * 86_400);
        assert_eq!(seconds("1mo"), 30 * 86_400);
        assert_eq!(seconds("1y"), 365 * 86_400);
        assert_eq!(seconds("2w1h1m"), 14 * 86_400 + 3600 + 60);
    }

    fn days(depth: Depth) -> Option<f64> {
        match depth {
            Depth::Bounded(span) => Some(span.seconds() as f64 / 86_400.0),
            _ => None,
        }
    }

    #[test]
    fn depths() {
        let daily = [Schedule::parse("0 2 * * *").unwrap()];
        let period = |text| Some(parse_period(text).unwrap());
        let counts = |daily, monthly| Successful {
            daily: Some(daily),
            monthly,
            ..Successful::default()
        };
        let rows: &[(Retention, Option<f64>)] = &[
            // The period alone keeps every snapshot at most 30 days old: 30 days back.
            (
                Retention {
                    successful: None,
                    max_retention_period: period("30d"),
                },
                Some(30.0),
            ),
            // Counts alone measure as restic's rules: 7 daily, 6 days.
            (
                Retention {
                    successful: Some(counts(7, None)),
                    max_retention_period: None,
                },
                Some(6.0),
            ),
            // 7 daily and 12 monthly reach 304 days; a 2-month (60-day) period cuts that to
            // the newest monthly snapshot at most 60 days old: on 1 March 2028, 31 January
            // (30 days back) is kept, 31 December (61) is not.
            (
                Retention {
                    successful: Some(counts(7, Some(12))),
                    max_retention_period: period("2mo"),
                },
                Some(30.0),
            ),
            // A period shorter than the counts' reach between two monthly snapshots: 7 daily
            // (6 days) survive a 10-day period whole.
            (
                Retention {
                    successful: Some(counts(7, Some(12))),
                    max_retention_period: period("10d"),
                },
                Some(6.0),
            ),
        ];
        for (retention, want) in rows {
            assert_eq!(days(retention.depth(&daily)), *want, "{retention:?}");
        }
    }

    #[test]
    fn depths_kubestash_does_not_document() {
        let daily = [Schedule::parse("0 2 * * *").unwrap()];
        let unknown = |retention: Retention| match retention.depth(&daily) {
            Depth::Unknown(why) => why,
            other => panic!("{other:?}"),
        };
        assert_eq!(unknown(Retention::default()), Unknowable::NoCount);
        let empty = Retention {
            successful: Some(Successful::default()),
            max_retention_period: None,
        };
        assert_eq!(unknown(empty), Unknowable::NoCount);
        let negative = Retention {
            successful: Some(Successful {
                last: Some(-1),
                ..Successful::default()
            }),
            max_retention_period: None,
        };
        assert_eq!(unknown(negative), Unknowable::NegativeCount);
        let backwards = Retention {
            successful: None,
            max_retention_period: parse_period("-1d").ok(),
        };
        assert_eq!(unknown(backwards), Unknowable::NegativePeriod);
    }
}
