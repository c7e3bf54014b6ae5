//! The longest time without a backup: the longest stretch between consecutive starts of the
//! union of several cron schedules, over the reference cycle.
//!
//! The cycle is [`CYCLE_START`] to [`CYCLE_END`] (2028-01-01 to 2032-01-01, UTC), and it wraps
//! the way time does: the stretch from the cycle's last start to the first start after it
//! counts, found with robfig's `Next` from the cycle's end (`Schedule::next_after`). That is
//! the real next start, not the cycle's first start moved four years on: four years are not a
//! whole number of weeks, so a weekly schedule moved that way would land on another weekday.
//! What the cycle leaves out is a century year: `0 2 29 2 *` waits eight years from 2096 to
//! 2104, which no check of today's packages needs to know.
//!
//! Walking minute by minute would be 2.1 million steps for `* * * * *`. Instead the walk is
//! day by day: on each day some subset of the (distinct) schedules fires, the subset decides
//! the day's minutes, and the shape of those minutes (first, last, longest stretch inside the
//! day) is worked out once per subset and cached. A cycle is then 1461 cheap steps whatever
//! the schedules, and the same day walk hands the depth measure (`restic.rs`) every start in
//! order.

use std::collections::HashMap;
use std::rc::Rc;

use super::{CYCLE_END, CYCLE_START, Span};
use crate::engine::calendar::Schedule;

const DAY: i64 = 86_400;
/// Minutes in a day, and the 64-bit words that hold one bit for each.
const MINUTES: usize = 1440;
const WORDS: usize = MINUTES / 64 + 1;

/// The longest time without a backup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gap {
    /// No schedule fires in the cycle (`0 0 30 2 *`): there is never a backup.
    Never,
    /// The longest stretch between consecutive starts, the first one in the cycle if several
    /// are as long.
    Longest(Span),
}

impl Gap {
    /// Whether this gap is longer than `other` (never backing up is longer than any stretch),
    /// so that a check can order gaps.
    pub fn is_longer_than(&self, other: &Gap) -> bool {
        match (self, other) {
            (Gap::Never, Gap::Never) => false,
            (Gap::Never, Gap::Longest(_)) => true,
            (Gap::Longest(_), Gap::Never) => false,
            (Gap::Longest(a), Gap::Longest(b)) => a.seconds() > b.seconds(),
        }
    }
}

/// The longest gap between consecutive starts of the union of `schedules` over the cycle,
/// counting the stretch from the cycle's last start to the first start after the cycle.
pub fn longest_gap(schedules: &[Schedule]) -> Gap {
    let mut starts = Starts::new(schedules);
    let mut longest: Option<Span> = None;
    let mut consider = |span: Span| {
        if longest.is_none_or(|l| span.seconds() > l.seconds()) {
            longest = Some(span);
        }
    };
    let mut last: Option<i64> = None;
    let mut first: Option<i64> = None;
    for day in CYCLE_START / DAY..CYCLE_END / DAY {
        let Some(shape) = starts.shape(day) else {
            continue;
        };
        let midnight = day * DAY;
        let day_first = midnight + shape.first() * 60;
        match last {
            Some(before) => consider(Span {
                from: before,
                to: day_first,
            }),
            None => first = Some(day_first),
        }
        if let Some((from, to)) = shape.longest {
            consider(Span {
                from: midnight + from * 60,
                to: midnight + to * 60,
            });
        }
        last = Some(midnight + shape.last() * 60);
    }
    let (Some(last), Some(first)) = (last, first) else {
        return Gap::Never;
    };
    // The real next start after the cycle; a schedule that fired in the cycle fires again
    // within robfig's five-year horizon, so the fallback (the cycle's first start, a cycle
    // on) only keeps the function total.
    let next = starts
        .schedules
        .iter()
        .filter_map(|s| s.next_after(CYCLE_END - 1))
        .min()
        .unwrap_or(first + (CYCLE_END - CYCLE_START));
    consider(Span {
        from: last,
        to: next,
    });
    longest.map_or(Gap::Never, Gap::Longest)
}

/// What fires on a day: its minutes, ascending, and the longest stretch between two of them
/// (start and end minute; the earliest of equally long ones), if there are two.
#[derive(Debug)]
pub(super) struct Shape {
    minutes: Vec<i64>,
    longest: Option<(i64, i64)>,
}

impl Shape {
    fn new(mask: &[u64; WORDS]) -> Shape {
        let minutes: Vec<i64> = (0..MINUTES)
            .filter(|m| mask[m / 64] & (1 << (m % 64)) != 0)
            .map(|m| m as i64)
            .collect();
        let mut longest: Option<(i64, i64)> = None;
        for pair in minutes.windows(2) {
            if longest.is_none_or(|(from, to)| pair[1] - pair[0] > to - from) {
                longest = Some((pair[0], pair[1]));
            }
        }
        Shape { minutes, longest }
    }

    fn first(&self) -> i64 {
        self.minutes.first().copied().unwrap_or_default()
    }

    fn last(&self) -> i64 {
        self.minutes.last().copied().unwrap_or_default()
    }

    /// The day's starts, in minutes after midnight.
    pub(super) fn minutes(&self) -> &[i64] {
        &self.minutes
    }
}

/// The starts of a union of schedules, day by day: each distinct schedule's minutes as a
/// bit set, and the shape of each subset of schedules that fires on some day, cached.
pub(super) struct Starts {
    schedules: Vec<Schedule>,
    masks: Vec<[u64; WORDS]>,
    shapes: HashMap<Vec<u64>, Rc<Shape>>,
}

impl Starts {
    pub(super) fn new(schedules: &[Schedule]) -> Starts {
        let mut distinct: Vec<Schedule> = Vec::new();
        for schedule in schedules {
            if !distinct.contains(schedule) {
                distinct.push(schedule.clone());
            }
        }
        let masks = distinct
            .iter()
            .map(|schedule| {
                let mut mask = [0u64; WORDS];
                for minute in schedule.times_of_day().map(|s| (s / 60) as usize) {
                    mask[minute / 64] |= 1 << (minute % 64);
                }
                mask
            })
            .collect();
        Starts {
            schedules: distinct,
            masks,
            shapes: HashMap::new(),
        }
    }

    /// What fires on `day` (counted from 1970-01-01), or None when nothing does.
    pub(super) fn shape(&mut self, day: i64) -> Option<Rc<Shape>> {
        let mut subset = vec![0u64; self.schedules.len().div_ceil(64)];
        let mut any = false;
        for (i, schedule) in self.schedules.iter().enumerate() {
            if schedule.fires_on(day) {
                subset[i / 64] |= 1 << (i % 64);
                any = true;
            }
        }
        if !any {
            return None;
        }
        let masks = &self.masks;
        let shape = self.shapes.entry(subset).or_insert_with_key(|subset| {
            let mut union = [0u64; WORDS];
            for (i, mask) in masks.iter().enumerate() {
                if subset[i / 64] & (1 << (i % 64)) != 0 {
                    union.iter_mut().zip(mask).for_each(|(u, m)| *u |= m);
                }
            }
            Rc::new(Shape::new(&union))
        });
        (!shape.minutes.is_empty()).then(|| Rc::clone(shape))
    }

    /// Calls `each` with every start in `[from, to)`, in order.
    pub(super) fn each(&mut self, from: i64, to: i64, mut each: impl FnMut(i64)) {
        for day in from.div_euclid(DAY)..=(to - 1).div_euclid(DAY) {
            let Some(shape) = self.shape(day) else {
                continue;
            };
            let midnight = day * DAY;
            for minute in shape.minutes() {
                let at = midnight + minute * 60;
                if (from..to).contains(&at) {
                    each(at);
                }
            }
        }
    }

    /// How many starts fall in the cycle: what a simulation over it costs.
    pub(super) fn in_cycle(&mut self) -> u64 {
        (CYCLE_START / DAY..CYCLE_END / DAY)
            .filter_map(|day| self.shape(day))
            .map(|shape| shape.minutes.len() as u64)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::calendar::{format_utc, parse_utc};

    fn gap(schedules: &[&str]) -> Gap {
        let parsed: Vec<Schedule> = schedules
            .iter()
            .map(|s| Schedule::parse(s).expect("a cron schedule"))
            .collect();
        longest_gap(&parsed)
    }

    /// (length, from, to) as `7d 0h00m`, `2028-01-02 02:00`, `…`.
    fn shown(gap: Gap) -> (String, String, String) {
        let Gap::Longest(span) = gap else {
            return ("never".into(), String::new(), String::new());
        };
        let s = span.seconds();
        let length = format!("{}d {}h{:02}m", s / DAY, s % DAY / 3600, s % 3600 / 60);
        (length, format_utc(span.from), format_utc(span.to))
    }

    #[test]
    fn the_cycle_is_2028_to_2031() {
        assert_eq!(parse_utc("2028-01-01T00:00:00Z"), Some(CYCLE_START));
        assert_eq!(parse_utc("2032-01-01T00:00:00Z"), Some(CYCLE_END));
        assert_eq!((CYCLE_END - CYCLE_START) / DAY, 4 * 365 + 1);
    }

    /// The table of docs/policy.md: each row's gap and where it first happens, worked out by
    /// hand from the calendar (2028-01-01 is a Saturday).
    #[test]
    fn gaps() {
        let rows: &[(&[&str], &str, &str, &str)] = &[
            // Every 15 minutes: first at 00:00 on the first day.
            (
                &["*/15 * * * *"],
                "0d 0h15m",
                "2028-01-01 00:00",
                "2028-01-01 00:15",
            ),
            (
                &["* * * * *"],
                "0d 0h01m",
                "2028-01-01 00:00",
                "2028-01-01 00:01",
            ),
            (
                &["0 2 * * *"],
                "1d 0h00m",
                "2028-01-01 02:00",
                "2028-01-02 02:00",
            ),
            // Sundays: the first Sunday is 2028-01-02.
            (
                &["0 2 * * 0"],
                "7d 0h00m",
                "2028-01-02 02:00",
                "2028-01-09 02:00",
            ),
            // The 1st of each month: 31 days after a 31-day month, first January to February.
            (
                &["0 2 1 * *"],
                "31d 0h00m",
                "2028-01-01 02:00",
                "2028-02-01 02:00",
            ),
            // Leap days: one in the cycle, and the next is 2032's, 1461 days on.
            (
                &["0 2 29 2 *"],
                "1461d 0h00m",
                "2028-02-29 02:00",
                "2032-02-29 02:00",
            ),
            (
                &["0 2 * * *", "0 14 * * *"],
                "0d 12h00m",
                "2028-01-01 02:00",
                "2028-01-01 14:00",
            ),
            // Weekdays and Sundays: Friday to Sunday; the first Friday is 2028-01-07.
            (
                &["0 2 * * 1-5", "0 2 * * 0"],
                "2d 0h00m",
                "2028-01-07 02:00",
                "2028-01-09 02:00",
            ),
            // Hours 1 and 23 only: the night from 01:00 to 23:00 is the longest, 22 hours.
            (
                &["0 1,23 * * *"],
                "0d 22h00m",
                "2028-01-01 01:00",
                "2028-01-01 23:00",
            ),
            // The 31st: months without one make 61-day gaps (March to May is the first).
            (
                &["0 0 31 * *"],
                "61d 0h00m",
                "2028-03-31 00:00",
                "2028-05-31 00:00",
            ),
            // Either the 1st or a Monday (both restricted: robfig ORs them).
            (
                &["0 0 1 * 1"],
                "7d 0h00m",
                "2028-01-03 00:00",
                "2028-01-10 00:00",
            ),
            // Yearly: the wrap from 2031-01-01 to 2032-01-01 is as long as 2028 to 2029 (366
            // days) only in a leap year: 2028 is one, so the first is the longest.
            (
                &["@yearly"],
                "366d 0h00m",
                "2028-01-01 00:00",
                "2029-01-01 00:00",
            ),
            // The same schedule twice is the schedule once.
            (
                &["0 2 * * *", "0 2 * * *"],
                "1d 0h00m",
                "2028-01-01 02:00",
                "2028-01-02 02:00",
            ),
        ];
        for (schedules, length, from, to) in rows {
            let want = (length.to_string(), from.to_string(), to.to_string());
            assert_eq!(shown(gap(schedules)), want, "{schedules:?}");
        }
    }

    #[test]
    fn a_schedule_that_never_fires_never_backs_up() {
        assert_eq!(gap(&["0 0 30 2 *"]), Gap::Never);
        assert_eq!(gap(&[]), Gap::Never);
        // With one that fires, the union fires.
        assert_eq!(shown(gap(&["0 0 30 2 *", "0 2 * * *"])).0, "1d 0h00m");
    }

    /// The wrap is the real next start: from the last Sunday of 2031 (the 28th) to the first
    /// of 2032 (4 January), 7 days, where moving the cycle's first Sunday four years on
    /// would give 5.
    #[test]
    fn the_wrap_goes_to_the_real_next_start() {
        let Gap::Longest(_) = gap(&["0 2 * * 0"]) else {
            panic!("fires");
        };
        let schedule = Schedule::parse("0 2 * * 0").unwrap();
        let mut starts = Starts::new(std::slice::from_ref(&schedule));
        let mut last = 0;
        starts.each(CYCLE_START, CYCLE_END, |at| last = at);
        assert_eq!(format_utc(last), "2031-12-28 02:00");
        let next = schedule.next_after(CYCLE_END - 1).unwrap();
        assert_eq!(format_utc(next), "2032-01-04 02:00");
    }

    /// The day walk gives the same starts as robfig's `Next` called start by start.
    #[test]
    fn the_day_walk_matches_next() {
        for text in [
            "*/7 3-5 * * *",
            "0 0 1,15 * 3",
            "30 23 * * 6",
            "0 12 29 2 *",
        ] {
            let schedule = Schedule::parse(text).unwrap();
            let mut walked = Vec::new();
            let (from, to) = (CYCLE_START, CYCLE_START + 90 * DAY);
            Starts::new(std::slice::from_ref(&schedule)).each(from, to, |at| walked.push(at));
            let mut next = Vec::new();
            let mut at = from - 1;
            while let Some(n) = schedule.next_after(at).filter(|n| *n < to) {
                next.push(n);
                at = n;
            }
            assert_eq!(walked, next, "{text}");
        }
    }

    #[test]
    fn gap_is_fast() {
        let start = std::time::Instant::now();
        assert_eq!(shown(gap(&["* * * * *"])).0, "0d 0h01m");
        // Debug builds are slow; this only guards against a walk minute by minute.
        assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    }
}
