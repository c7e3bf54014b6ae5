use super::*;
use crate::engine::calendar::{format_utc, parse_utc};

fn at(text: &str) -> i64 {
    parse_utc(text).unwrap_or_else(|| panic!("a time: {text}"))
}

fn schedule(text: &str) -> Schedule {
    Schedule::parse(text).expect("a cron schedule")
}

fn n(count: u32) -> Count {
    Count::Newest(count)
}

/// restic's own table (`TestApplyPolicy`), transcribed from its golden files: the snapshot
/// list, and what each policy of the table keeps.
#[test]
fn apply_policy_matches_restics_golden_files() {
    let table = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/policy/restic-apply-policy.txt"
    ))
    .expect("the table");
    // (time in tenths of a second, label): the list has `10:20:30.1` beside `10:20:30`.
    let mut snapshots: Vec<(i64, String)> = Vec::new();
    let mut golden: Vec<(usize, Vec<usize>)> = Vec::new();
    for line in table.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split(' ').collect();
        match fields[..] {
            ["snapshot", _, time, tags, paths] => {
                let (whole, tenth) = time.split_once('.').unwrap_or((time, "0"));
                let seconds = at(&format!("{whole}Z"));
                let tenths = seconds * 10 + tenth.parse::<i64>().unwrap();
                snapshots.push((tenths, format!("{tags} {paths}")));
            }
            ["keep", policy, ..] => golden.push((
                policy.parse().unwrap(),
                fields[2..]
                    .iter()
                    .filter(|f| !f.is_empty())
                    .map(|f| f.parse().unwrap())
                    .collect(),
            )),
            _ => panic!("{line}"),
        }
    }
    assert_eq!(snapshots.len(), 103);
    // restic's list order, sorted newest first by the exact time (stable, as restic sorts),
    // so that whole seconds, which tie `.1` with `.0`, keep the right one newer.
    let mut order: Vec<usize> = (0..snapshots.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(snapshots[i].0));
    let times: Vec<i64> = order.iter().map(|&i| snapshots[i].0 / 10).collect();
    let now = at("2026-01-01T00:00:00Z");
    let within = |years, months, days, hours| Within {
        years,
        months,
        days,
        hours,
    };
    let policies: &[(usize, Policy)] = &[
        (0, Policy::default()),
        (
            1,
            Policy {
                last: n(10),
                ..Policy::default()
            },
        ),
        (
            2,
            Policy {
                last: n(15),
                ..Policy::default()
            },
        ),
        (
            3,
            Policy {
                last: n(99),
                ..Policy::default()
            },
        ),
        (
            4,
            Policy {
                last: n(200),
                ..Policy::default()
            },
        ),
        (
            5,
            Policy {
                hourly: n(20),
                ..Policy::default()
            },
        ),
        (
            6,
            Policy {
                daily: n(3),
                ..Policy::default()
            },
        ),
        (
            7,
            Policy {
                daily: n(10),
                ..Policy::default()
            },
        ),
        (
            8,
            Policy {
                daily: n(30),
                ..Policy::default()
            },
        ),
        (
            9,
            Policy {
                last: n(5),
                daily: n(5),
                ..Policy::default()
            },
        ),
        (
            10,
            Policy {
                last: n(2),
                daily: n(10),
                ..Policy::default()
            },
        ),
        (
            11,
            Policy {
                weekly: n(2),
                ..Policy::default()
            },
        ),
        (
            12,
            Policy {
                weekly: n(4),
                ..Policy::default()
            },
        ),
        (
            13,
            Policy {
                daily: n(3),
                weekly: n(4),
                ..Policy::default()
            },
        ),
        (
            14,
            Policy {
                monthly: n(6),
                ..Policy::default()
            },
        ),
        (
            15,
            Policy {
                daily: n(2),
                weekly: n(2),
                monthly: n(6),
                ..Policy::default()
            },
        ),
        (
            16,
            Policy {
                yearly: n(10),
                ..Policy::default()
            },
        ),
        (
            17,
            Policy {
                daily: n(7),
                weekly: n(2),
                monthly: n(3),
                yearly: n(10),
                ..Policy::default()
            },
        ),
        // 18 to 20 keep tags, 30 to 35 keep-within-{hourly,…}: not modelled.
        (
            21,
            Policy {
                within: within(0, 0, 1, 0),
                ..Policy::default()
            },
        ),
        (
            22,
            Policy {
                within: within(0, 0, 2, 0),
                ..Policy::default()
            },
        ),
        (
            23,
            Policy {
                within: within(0, 0, 7, 0),
                ..Policy::default()
            },
        ),
        (
            24,
            Policy {
                within: within(0, 1, 0, 0),
                ..Policy::default()
            },
        ),
        (
            25,
            Policy {
                within: within(0, 1, 14, 0),
                ..Policy::default()
            },
        ),
        (
            26,
            Policy {
                within: within(1, 1, 1, 0),
                ..Policy::default()
            },
        ),
        (
            27,
            Policy {
                within: within(0, 0, 13, 23),
                ..Policy::default()
            },
        ),
        (
            28,
            Policy {
                within: within(0, 2, 0, 2),
                ..Policy::default()
            },
        ),
        (
            29,
            Policy {
                within: within(1, 2, 3, 3),
                ..Policy::default()
            },
        ),
        (
            36,
            Policy {
                last: Count::All,
                ..Policy::default()
            },
        ),
        (
            37,
            Policy {
                last: Count::All,
                hourly: Count::All,
                ..Policy::default()
            },
        ),
        (
            38,
            Policy {
                hourly: Count::All,
                ..Policy::default()
            },
        ),
        (
            39,
            Policy {
                daily: n(3),
                weekly: n(2),
                monthly: Count::All,
                yearly: Count::All,
                ..Policy::default()
            },
        ),
    ];
    let label = |i: usize| (snapshots[i].0, snapshots[i].1.clone());
    for (index, policy) in policies {
        let kept = apply_policy(&times, policy, now);
        let mut ours: Vec<_> = (0..times.len())
            .filter(|&i| kept[i])
            .map(|i| label(order[i]))
            .collect();
        let (_, want) = golden
            .iter()
            .find(|(p, _)| p == index)
            .expect("a golden file");
        let mut want: Vec<_> = want.iter().map(|&i| label(i)).collect();
        ours.sort();
        want.sort();
        assert_eq!(ours, want, "policy {index}: {policy:?}");
    }
}

#[test]
fn counts_as_restic_reads_them() {
    assert_eq!(Count::restic(0), Some(Count::Off));
    assert_eq!(Count::restic(-1), Some(Count::All));
    assert_eq!(Count::restic(7), Some(n(7)));
    assert_eq!(
        Count::restic(-2),
        None,
        "negative values other than -1 are not allowed"
    );
    assert_eq!(Count::restic(i64::MAX), Some(n(u32::MAX)));
}

// The digits are grouped as restic's buckets are built: YYYY MM DD HH, YYYY WW.
#[allow(clippy::inconsistent_digit_grouping)]
#[test]
fn buckets_follow_go() {
    let bucket = |unit: Unit, time: &str| unit.bucket(at(time));
    assert_eq!(bucket(Unit::Hour, "2028-02-29T23:59:00Z"), 2028_02_29_23);
    assert_eq!(bucket(Unit::Day, "2028-02-29T23:59:00Z"), 2028_02_29);
    assert_eq!(bucket(Unit::Month, "2028-02-29T23:59:00Z"), 2028_02);
    assert_eq!(bucket(Unit::Year, "2028-02-29T23:59:00Z"), 2028);
    // ISO weeks (Go's ISOWeek): 2027-01-01 is a Friday, in 2026's week 53; 2028-01-01 a
    // Saturday, in 2027's week 52; 2029-12-31 a Monday, in 2030's week 1.
    assert_eq!(bucket(Unit::Week, "2027-01-01T00:00:00Z"), 2026_53);
    assert_eq!(bucket(Unit::Week, "2028-01-01T00:00:00Z"), 2027_52);
    assert_eq!(bucket(Unit::Week, "2028-01-03T00:00:00Z"), 2028_01);
    assert_eq!(bucket(Unit::Week, "2029-12-31T00:00:00Z"), 2030_01);
    assert_eq!(
        bucket(Unit::Week, "2028-01-09T23:59:59Z"),
        2028_01,
        "Sunday ends the week"
    );
}

#[test]
fn within_is_go_add_date() {
    let before = |within: Within, time: &str| format_utc(within.before(at(time)));
    let month = Within {
        months: 1,
        ..Within::default()
    };
    // "31 February" 2028 runs over into March (29 days in February).
    assert_eq!(before(month, "2028-03-31T02:00:00Z"), "2028-03-02 02:00");
    assert_eq!(before(month, "2029-03-31T02:00:00Z"), "2029-03-03 02:00");
    assert_eq!(before(month, "2028-01-15T02:00:00Z"), "2027-12-15 02:00");
    let mixed = Within {
        years: 1,
        months: 2,
        days: 3,
        hours: 4,
    };
    assert_eq!(before(mixed, "2028-03-01T02:00:00Z"), "2026-12-28 22:00");
}

#[test]
fn forget_removes_nothing_without_a_rule() {
    let times = [at("2028-01-01T02:00:00Z"), at("2028-01-02T02:00:00Z")];
    let now = at("2028-02-01T00:00:00Z");
    assert_eq!(
        apply_policy(&times, &Policy::default(), now),
        [false, false]
    );
    assert_eq!(forget(&times, &Policy::default(), now), [true, true]);
    let last = Policy {
        last: n(1),
        ..Policy::default()
    };
    assert_eq!(forget(&times, &last, now), [false, true]);
    assert_eq!(forget(&[], &last, now), Vec::<bool>::new());
}

/// The last N kept in the last N buckets that hold a snapshot: on a daily schedule, 24
/// hourly buckets are 24 days.
#[test]
fn periodic_rules_count_buckets_that_hold_a_snapshot() {
    let times: Vec<i64> = (0..40)
        .map(|d| at("2028-01-01T02:00:00Z") + d * DAY)
        .collect();
    let hourly = Policy {
        hourly: n(24),
        ..Policy::default()
    };
    let kept = forget(&times, &hourly, times[39] + 1);
    assert_eq!(kept.iter().filter(|k| **k).count(), 24);
    assert_eq!(kept.iter().position(|k| *k), Some(16));
}

/// `(length, oldest kept, prune)` of the shallowest depth, as `304d 0h00m`.
fn shown(depth: Depth) -> (String, String, String) {
    let Depth::Bounded(span) = depth else {
        return (format!("{depth:?}"), String::new(), String::new());
    };
    let s = span.seconds();
    let length = format!("{}d {}h{:02}m", s / DAY, s % DAY / HOUR, s % HOUR / 60);
    (length, format_utc(span.from), format_utc(span.to))
}

/// The rows of docs/policy.md. Each value is worked out by hand in the comment, and the
/// simulation is held to `forget` after every backup below.
#[test]
fn depths() {
    let daily = [schedule("0 2 * * *")];
    let rows: &[(&[Schedule], Policy, &str, &str, &str)] = &[
        // 5 newest: today and the 4 days before.
        (
            &daily,
            Policy {
                last: n(5),
                ..Policy::default()
            },
            "4d 0h00m",
            "2027-12-28 02:00",
            "2028-01-01 02:00",
        ),
        (
            &daily,
            Policy {
                daily: n(7),
                ..Policy::default()
            },
            "6d 0h00m",
            "2027-12-26 02:00",
            "2028-01-01 02:00",
        ),
        // The monthly rule reaches furthest: the newest of each of the last 12 months. Just
        // after the prune on the 1st, the 12th month back is the one before 11 whole months:
        // 1 day + 10 months. Ten months without July and August are 303 days (Feb of 28
        // days), so 304: from 31 August 2028 to 1 July 2029.
        (
            &daily,
            Policy {
                daily: n(7),
                weekly: n(4),
                monthly: n(12),
                ..Policy::default()
            },
            "304d 0h00m",
            "2028-08-31 02:00",
            "2029-07-01 02:00",
        ),
        // Each daily snapshot is its own hour: 24 of them reach back 23 days.
        (
            &daily,
            Policy {
                hourly: n(24),
                ..Policy::default()
            },
            "23d 0h00m",
            "2027-12-09 02:00",
            "2028-01-01 02:00",
        ),
        // The newest of 10 years, this one and nine before: on 1 January, the oldest is
        // 31 December of the ninth year back, eight years and a day, with two leap days
        // (2020, 2024): 2923 days.
        (
            &daily,
            Policy {
                yearly: n(10),
                ..Policy::default()
            },
            "2923d 0h00m",
            "2019-12-31 02:00",
            "2028-01-01 02:00",
        ),
        // Within 30 days of the newest: after it, so the one 30 days back is gone.
        (
            &daily,
            Policy {
                within: Within {
                    days: 30,
                    ..Within::default()
                },
                ..Policy::default()
            },
            "29d 0h00m",
            "2027-12-03 02:00",
            "2028-01-01 02:00",
        ),
        (
            &daily,
            Policy {
                last: n(1),
                ..Policy::default()
            },
            "0d 0h00m",
            "2028-01-01 02:00",
            "2028-01-01 02:00",
        ),
        // Every 15 minutes, 24 hourly: the newest of each of the last 24 hours, the oldest at
        // :45 of the hour 23 hours back, just after the prune at :00: 22h15m.
        (
            &[schedule("*/15 * * * *")],
            Policy {
                hourly: n(24),
                ..Policy::default()
            },
            "0d 22h15m",
            "2027-12-31 01:45",
            "2028-01-01 00:00",
        ),
    ];
    for (schedules, policy, length, from, to) in rows {
        let want = (length.to_string(), from.to_string(), to.to_string());
        assert_eq!(shown(depth(schedules, policy)), want, "{policy:?}");
    }
}

#[test]
fn depths_without_bound_or_measure() {
    let daily = [schedule("0 2 * * *")];
    assert_eq!(depth(&daily, &Policy::default()), Depth::Unbounded);
    let all = Policy {
        daily: Count::All,
        last: n(3),
        ..Policy::default()
    };
    assert_eq!(depth(&daily, &all), Depth::Unbounded);
    let never = [schedule("0 0 30 2 *")];
    let last = Policy {
        last: n(3),
        ..Policy::default()
    };
    assert_eq!(depth(&never, &last), Depth::Unknown(Unknowable::NeverFires));
    let minutely = [schedule("* * * * *")];
    let ages = Policy {
        yearly: n(100),
        ..Policy::default()
    };
    assert!(matches!(
        depth(&minutely, &ages),
        Depth::Unknown(Unknowable::TooManyBackups(_))
    ));
}

/// restic's `forget` after every backup, keeping what it keeps: what [`simulate`] must equal.
fn exactly(schedules: &[Schedule], policy: &Policy, from: i64, to: i64) -> Option<Span> {
    let mut list: Vec<i64> = Vec::new();
    let mut shallowest: Option<Span> = None;
    Starts::new(schedules).each(from, to, |at| {
        list.push(at);
        let kept = forget(&list, policy, at + 1);
        list = list
            .iter()
            .zip(kept)
            .filter(|(_, k)| *k)
            .map(|(t, _)| *t)
            .collect();
        let span = Span {
            from: list[0],
            to: at,
        };
        if shallowest.is_none_or(|s| span.seconds() < s.seconds()) {
            shallowest = Some(span);
        }
    });
    shallowest
}

/// The incremental simulation against `forget` run after every backup, from the first
/// backup on (so the warm-up, when counts are left and restic keeps the oldest snapshot too,
/// is compared as well).
#[test]
fn the_simulation_is_forget_after_every_backup() {
    let policies = [
        Policy {
            last: n(5),
            ..Policy::default()
        },
        Policy {
            hourly: n(30),
            daily: n(3),
            ..Policy::default()
        },
        Policy {
            daily: n(7),
            weekly: n(4),
            monthly: n(2),
            ..Policy::default()
        },
        Policy {
            weekly: n(3),
            ..Policy::default()
        },
        Policy {
            last: n(2),
            within: Within {
                days: 2,
                hours: 5,
                ..Within::default()
            },
            ..Policy::default()
        },
        Policy {
            monthly: n(3),
            yearly: n(1),
            ..Policy::default()
        },
    ];
    let schedules = [
        "0 */5 * * *",
        "30 2 * * 1-5",
        "0 0,12 1,15 * *",
        "*/40 * * * 0,3",
    ];
    let from = at("2027-10-01T00:00:00Z");
    let to = at("2028-03-01T00:00:00Z");
    for text in schedules {
        let schedule = [schedule(text)];
        for policy in &policies {
            let rules = rules(policy).expect("bounded");
            let ours = simulate(&mut Starts::new(&schedule), &rules, None, from, (from, to));
            assert_eq!(
                ours,
                exactly(&schedule, policy, from, to),
                "{text} {policy:?}"
            );
        }
    }
}

#[test]
fn depth_is_fast() {
    let start = std::time::Instant::now();
    let yearly = Policy {
        yearly: n(10),
        ..Policy::default()
    };
    assert_eq!(
        shown(depth(&[schedule("0 2 * * *")], &yearly)).0,
        "2923d 0h00m"
    );
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
}

fn cron() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let minute = prop::sample::select(vec!["0", "30", "*/20", "5,35"]);
    let hour = prop::sample::select(vec!["*", "2", "*/6", "1-5", "0,12", "23"]);
    let dom = prop::sample::select(vec!["*", "*", "1", "1,15", "29", "31", "*/10"]);
    let dow = prop::sample::select(vec!["*", "*", "0", "1-5", "6"]);
    (minute, hour, dom, dow).prop_map(|(m, h, d, w)| format!("{m} {h} {d} * {w}"))
}

fn small_policy() -> impl proptest::strategy::Strategy<Value = Policy> {
    use proptest::prelude::*;
    let count = |cap: u32| prop_oneof![Just(Count::Off), (1..=cap).prop_map(Count::Newest)];
    let within = prop_oneof![
        Just(Within::default()),
        (0..3i32, 0..30i32).prop_map(|(days, hours)| Within {
            days,
            hours,
            ..Within::default()
        }),
    ];
    (count(6), count(20), count(5), count(3), count(2), within).prop_map(
        |(last, hourly, daily, weekly, monthly, within)| Policy {
            last,
            hourly,
            daily,
            weekly,
            monthly,
            within,
            ..Policy::default()
        },
    )
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// The same as `the_simulation_is_forget_after_every_backup`, over random schedules and
    /// policies.
    #[test]
    fn the_simulation_is_always_forget_after_every_backup(text in cron(), policy in small_policy()) {
        let schedule = [schedule(&text)];
        let (from, to) = (at("2027-11-01T00:00:00Z"), at("2028-02-15T00:00:00Z"));
        if let Some(rules) = rules(&policy) {
            let ours = simulate(&mut Starts::new(&schedule), &rules, None, from, (from, to));
            proptest::prop_assert_eq!(ours, exactly(&schedule, &policy, from, to), "{} {:?}", text, policy);
        }
    }
}

/// Whatever the times and rules, `forget` answers (the extremes of i64, durations restic
/// would refuse).
#[test]
fn forget_takes_any_input() {
    let times = [i64::MIN, -1, 0, 1, i64::MAX, i64::MAX];
    let extreme = Within {
        years: i32::MAX,
        months: i32::MIN,
        days: -1,
        hours: i32::MAX,
    };
    for within in [
        extreme,
        Within {
            days: -3,
            ..Within::default()
        },
        Within::default(),
    ] {
        for now in [i64::MIN, 0, i64::MAX] {
            let policy = Policy {
                last: n(2),
                hourly: Count::All,
                within,
                ..Policy::default()
            };
            assert_eq!(forget(&times, &policy, now).len(), times.len());
        }
    }
}
