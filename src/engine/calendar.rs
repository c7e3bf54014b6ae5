//! When a schedule fires: robfig/cron v3.0.1's `SpecSchedule.Next`, in UTC, for the `explain`
//! preview (the next runs of each backup, and a week of start times), and the parsed
//! [`Schedule`] the policy measures walk day by day (one reading of cron, not two).
//!
//! Only schedules [`super::cron::validate`] accepts as cron are read here. The fields become
//! bit sets as robfig builds them (`*` and `?` mark a field as unrestricted, `N/step` runs to
//! the field's end, a step above 1 drops the mark), and a day matches as robfig decides: both
//! day fields when either is unrestricted, else either of them.

use super::cron::{self, Accepted, Bounds, DOM, DOW, HOURS, MINUTES, MONTHS, get_range};

/// A schedule's fields as bit sets: a cron schedule as robfig reads it, for callers that walk
/// the calendar themselves (the policy measures) instead of asking `next_runs` start by start.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Schedule {
    minute: u64,
    hour: u64,
    dom: u64,
    month: u64,
    dow: u64,
    /// Either day field is unrestricted (`*`, `?`): a day must match both.
    day_and: bool,
}

/// robfig's getField: the union of its comma items' ranges, and whether one was `*` or `?`.
fn field(text: &str, b: &Bounds) -> Option<(u64, bool)> {
    let mut bits = 0u64;
    let mut star = false;
    for item in text.split(',').filter(|i| !i.is_empty()) {
        let range = get_range(item, b).ok()?;
        let mut value = range.start;
        while value <= range.end {
            bits |= 1 << value;
            value += range.step;
        }
        star |= range.star;
    }
    Some((bits, star))
}

impl Schedule {
    /// The schedule `engine::cron::validate` accepts as cron (five fields or a descriptor);
    /// None for `@every`, a `TZ` prefix or an invalid schedule.
    pub fn parse(schedule: &str) -> Option<Schedule> {
        spec(schedule)
    }

    /// Whether the schedule fires on the day `day` (counted from 1970-01-01, UTC), as robfig
    /// combines the month and the two day fields.
    pub fn fires_on(&self, day: i64) -> bool {
        let (_, month, dom) = civil(day);
        let weekday = (day + 4).rem_euclid(7) as u64;
        let dom_match = self.dom & (1 << dom) != 0;
        let dow_match = self.dow & (1 << weekday) != 0;
        let day_match = if self.day_and {
            dom_match && dow_match
        } else {
            dom_match || dow_match
        };
        self.month & (1 << month) != 0 && day_match
    }

    /// The seconds after midnight at which the schedule fires on a day it fires on, ascending.
    pub fn times_of_day(&self) -> impl Iterator<Item = i64> + '_ {
        let hours = (0..24).filter(|h| self.hour & (1 << h) != 0);
        hours.flat_map(move |hour| {
            (0..60)
                .filter(move |m| self.minute & (1 << m) != 0)
                .map(move |minute| hour * 3600 + minute * 60)
        })
    }

    /// robfig's `Next`: the first start after `after` (Unix seconds), looking no further than
    /// the end of the fifth year after it, as robfig does.
    pub fn next_after(&self, after: i64) -> Option<i64> {
        next(self, after)
    }
}

fn spec(schedule: &str) -> Option<Schedule> {
    if cron::validate(schedule) != Ok(Accepted::Cron) {
        return None;
    }
    let standard = match schedule {
        "@yearly" | "@annually" => "0 0 1 1 *",
        "@monthly" => "0 0 1 * *",
        "@weekly" => "0 0 * * 0",
        "@daily" | "@midnight" => "0 0 * * *",
        "@hourly" => "0 * * * *",
        other => other,
    };
    let fields: Vec<&str> = standard.split_whitespace().collect();
    let [minute, hour, dom, month, dow] = fields[..] else {
        return None;
    };
    let (dom, dom_star) = field(dom, &DOM)?;
    let (dow, dow_star) = field(dow, &DOW)?;
    Some(Schedule {
        minute: field(minute, &MINUTES)?.0,
        hour: field(hour, &HOURS)?.0,
        dom,
        month: field(month, &MONTHS)?.0,
        dow,
        day_and: dom_star || dow_star,
    })
}

/// The civil date (year, month 1–12, day 1–31) of a day counted from 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
pub fn civil(days: i64) -> (i64, u64, u64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The day count from 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`). A day
/// past the month's end counts on into the next month (the 31st of February is a day in
/// March), as Go's `time.Date` normalises it.
pub fn days_from_civil(year: i64, month: u64, day: u64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let month = month as i64;
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The next `count` times (Unix seconds, UTC) after `after` at which `schedule` fires, as
/// repeated calls of robfig's `Next` give them: each looks to the end of the fifth year after
/// the time it starts from, and gives up there. None for a schedule that is not cron (`@every`,
/// invalid).
pub fn next_runs(schedule: &str, after: i64, count: usize) -> Vec<i64> {
    let Some(spec) = spec(schedule) else {
        return Vec::new();
    };
    let mut runs = Vec::with_capacity(count);
    let mut from = after;
    while runs.len() < count {
        let Some(at) = next(&spec, from) else {
            break;
        };
        runs.push(at);
        from = at;
    }
    runs
}

/// robfig's `Next`: the first time after `after` that matches.
fn next(spec: &Schedule, after: i64) -> Option<i64> {
    let first_day = after.div_euclid(86_400);
    let last_year = civil(first_day).0 + 5;
    for day in first_day.. {
        if civil(day).0 > last_year {
            return None;
        }
        if !spec.fires_on(day) {
            continue;
        }
        let mut later = spec.times_of_day().map(|time| day * 86_400 + time);
        if let Some(at) = later.find(|at| *at > after) {
            return Some(at);
        }
    }
    None
}

/// `2026-12-01 02:00` for a time in Unix seconds (UTC).
pub fn format_utc(at: i64) -> String {
    let (year, month, day) = civil(at.div_euclid(86_400));
    let seconds = at.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        seconds / 3600,
        seconds % 3600 / 60
    )
}

/// `2026-12-01T02:00:00Z` (RFC 3339, UTC) for a time in Unix seconds.
pub fn format_rfc3339(at: i64) -> String {
    let (date, time) = format_utc(at)
        .split_once(' ')
        .map(|(d, t)| (d.to_owned(), t.to_owned()))
        .unwrap_or_default();
    format!("{date}T{time}:{:02}Z", at.rem_euclid(60))
}

/// The day of the week (0 Sunday … 6 Saturday), hour and minute of a time in Unix seconds.
pub fn weekday_hour_minute(at: i64) -> (usize, usize, usize) {
    let seconds = at.rem_euclid(86_400);
    (
        (at.div_euclid(86_400) + 4).rem_euclid(7) as usize,
        (seconds / 3600) as usize,
        (seconds % 3600 / 60) as usize,
    )
}

/// Unix seconds from `1767225600` or `2026-01-01T00:00:00Z` (UTC only).
pub fn parse_utc(text: &str) -> Option<i64> {
    if let Ok(seconds) = text.parse::<i64>() {
        return Some(seconds);
    }
    let text = text.strip_suffix('Z')?;
    let (date, time) = text.split_once('T')?;
    let mut date = date.splitn(3, '-').map(str::parse::<u64>);
    let (year, month, day) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
    let mut time = time.splitn(3, ':').map(str::parse::<i64>);
    let (hour, minute, second) = (time.next()?.ok()?, time.next()?.ok()?, time.next()?.ok()?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let days = days_from_civil(year as i64, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(schedule: &str, after: &str) -> Vec<String> {
        let after = parse_utc(after).expect("a time");
        next_runs(schedule, after, 3)
            .into_iter()
            .map(format_utc)
            .collect()
    }

    #[test]
    fn dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00");
        assert_eq!(parse_utc("2026-12-01T00:00:00Z"), Some(1_796_083_200));
        assert_eq!(format_utc(1_796_083_200), "2026-12-01 00:00");
        assert_eq!(
            format_utc(parse_utc("2024-02-29T23:59:00Z").unwrap()),
            "2024-02-29 23:59"
        );
        assert_eq!(weekday_hour_minute(1_796_083_200), (2, 0, 0), "a Tuesday");
        for days in [-1000, 0, 59, 60, 11_016, 20_000, 100_000] {
            let (y, m, d) = civil(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    /// Next runs as robfig's `Next` gives them (worked out by hand from its rules).
    #[test]
    fn next_runs_follow_robfig() {
        let after = "2026-12-01T10:30:00Z"; // a Tuesday
        assert_eq!(
            runs("0 2 * * *", after),
            ["2026-12-02 02:00", "2026-12-03 02:00", "2026-12-04 02:00"]
        );
        assert_eq!(
            runs("*/20 10 * * *", after),
            ["2026-12-01 10:40", "2026-12-02 10:00", "2026-12-02 10:20"]
        );
        // Both day fields restricted: either matches (the 5th, or a Sunday).
        assert_eq!(
            runs("0 0 5 * 0", after),
            ["2026-12-05 00:00", "2026-12-06 00:00", "2026-12-13 00:00"]
        );
        // One unrestricted: both must match. `*/1` keeps the mark, `*/2` drops it.
        assert_eq!(
            runs("0 0 * * 0", after),
            ["2026-12-06 00:00", "2026-12-13 00:00", "2026-12-20 00:00"]
        );
        assert_eq!(
            runs("0 0 */2 * 0", after),
            ["2026-12-03 00:00", "2026-12-05 00:00", "2026-12-06 00:00"]
        );
        assert_eq!(runs("@weekly", after), runs("0 0 * * 0", after));
        assert_eq!(
            runs("@yearly", after),
            ["2027-01-01 00:00", "2028-01-01 00:00", "2029-01-01 00:00"]
        );
        assert_eq!(
            runs("0 0 29 2 *", after),
            ["2028-02-29 00:00", "2032-02-29 00:00", "2036-02-29 00:00"]
        );
        assert_eq!(runs("0 0 30 2 *", after), Vec::<String>::new());
        assert_eq!(runs("0 3 * JAN-MAR mon", after)[0], "2027-01-04 03:00");
        assert!(runs("@every 1h", after).is_empty());
    }

    /// Against the real robfig/cron v3.0.1: the next three runs of 41 picked and 400 random
    /// schedules after five start times (`tests/fixtures/cron/gen/main.go` made the table).
    #[test]
    fn next_runs_match_robfig_v3_0_1() {
        let table = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/cron/robfig-v3.0.1-next.txt"
        ))
        .expect("the table");
        let mut checked = 0;
        for line in table.lines() {
            let (quoted, rest) = line[1..].split_once("\" ").expect("a quoted schedule");
            let mut times = rest.split(' ');
            let start = parse_utc(times.next().expect("a start")).expect("a time");
            let want: Vec<i64> = times.map(|t| parse_utc(t).expect("a time")).collect();
            assert_eq!(next_runs(quoted, start, 3), want, "{line}");
            checked += 1;
        }
        assert!(checked > 2000, "{checked} lines");
    }
}
