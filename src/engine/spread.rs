//! `H` in a schedule: a value spread by a hash of the target, so that a hundred databases on one
//! blueprint with `H H * * *` do not all start backing up at the same minute (storage and network
//! contention is a classic cause of failed backups), and a plain cron Kubernetes accepts.
//!
//! The syntax is Jenkins': in each of the five fields, a comma item may be `H` (a value in the
//! field's range), `H(a-b)` (a value in `a`–`b`), `H/n` (every `n`, from an offset below `n`) or
//! `H(a-b)/n` (every `n` in `a`–`b`, from an offset below `n`). The day of the month spreads over
//! 1–28, so that every month has the day. Month and weekday names are not taken inside `H(…)`.
//!
//! The value is `a + h mod (b − a + 1)` (an offset: `h mod n`), where `h` is the 64-bit FNV-1a
//! hash of `<seed>#<field>` (`field` 0 for minutes … 4 for weekdays) passed through MurmurHash3's
//! 64-bit finalizer (FNV-1a alone leaves its low bits, which `mod` reads, barely mixed: similar
//! names would crowd into a few minutes), and the seed names the target (its namespace and name,
//! and what else the family gives). Both are fixed by their definitions, so the value is the
//! same in every run, on every machine, in every version.

use super::cron;
use crate::krm::results::Severity;

/// The fields' ranges for `H`: minutes, hours, days of the month (1–28), months, weekdays.
const RANGES: [(u32, u32); 5] = [(0, 59), (0, 23), (1, 28), (1, 12), (0, 6)];
const NAMES: [&str; 5] = ["minute", "hour", "day of month", "month", "day of week"];

/// The 64-bit FNV-1a hash.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// MurmurHash3's 64-bit finalizer (`fmix64`): every input bit reaches every output bit.
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Whether `item` (one comma item of a field) is an `H` form.
fn is_hashed(item: &str) -> bool {
    item == "H" || item.starts_with("H(") || item.starts_with("H/")
}

/// Whether a schedule uses `H` anywhere (and so needs [`resolve`]).
pub fn uses_hash(schedule: &str) -> bool {
    schedule
        .split_whitespace()
        .any(|field| field.split(',').any(is_hashed))
}

/// The schedule with every `H` replaced, for the target named by `seed`; the error says what
/// is wrong with an `H` form. A schedule without `H` comes back unchanged.
pub fn resolve(schedule: &str, seed: &str) -> Result<String, String> {
    if !uses_hash(schedule) {
        return Ok(schedule.to_owned());
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "schedule `{schedule}` uses H but has {} fields: H works in the five fields \
             (minute hour day-of-month month day-of-week)",
            fields.len()
        ));
    }
    let mut out = Vec::with_capacity(5);
    for (index, field) in fields.iter().enumerate() {
        let hash = fmix64(fnv1a(format!("{seed}#{index}").as_bytes()));
        let items: Result<Vec<String>, String> = field
            .split(',')
            .map(|item| {
                if is_hashed(item) {
                    resolve_item(item, index, hash)
                } else {
                    Ok(item.to_owned())
                }
            })
            .collect();
        out.push(items?.join(","));
    }
    Ok(out.join(" "))
}

/// `schedule` as the CronJob gets it (`H` resolved for `seed`), and what Kubernetes (or the `H`
/// syntax) would say about it.
pub fn checked(schedule: &str, seed: &str) -> (String, Option<(Severity, String)>) {
    match resolve(schedule, seed) {
        Ok(resolved) => {
            let problem = cron::schedule_problem(&resolved).map(|(severity, message)| {
                if resolved == schedule {
                    (severity, message)
                } else {
                    (severity, format!("{message} (resolved from `{schedule}`)"))
                }
            });
            (resolved, problem)
        }
        Err(message) => (schedule.to_owned(), Some((Severity::Error, message))),
    }
}

fn resolve_item(item: &str, field: usize, hash: u64) -> Result<String, String> {
    let (lowest, highest) = RANGES[field];
    let name = NAMES[field];
    let rest = &item[1..];
    let (range, rest) = match rest.strip_prefix('(') {
        Some(inner) => {
            let Some((range, rest)) = inner.split_once(')') else {
                return Err(format!("`{item}` in the {name} field has no closing `)`"));
            };
            let bounds = range
                .split_once('-')
                .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)));
            match bounds {
                Some((a, b)) if a <= b && a >= lowest && b <= highest => ((a, b), rest),
                _ => {
                    return Err(format!(
                        "`{item}`: the {name} range of H(a-b) must be two numbers a ≤ b within \
                         {lowest}-{highest}"
                    ));
                }
            }
        }
        None => ((lowest, highest), rest),
    };
    let (a, b) = range;
    if rest.is_empty() {
        return Ok((u64::from(a) + hash % u64::from(b - a + 1)).to_string());
    }
    let step = rest
        .strip_prefix('/')
        .and_then(|n| n.parse::<u32>().ok())
        .filter(|n| (1..=b - a + 1).contains(n));
    let Some(step) = step else {
        return Err(format!(
            "`{item}`: after H or H(a-b), only /n may follow, with n from 1 to {} in the {name} \
             field",
            b - a + 1
        ));
    };
    let start = u64::from(a) + hash % u64::from(step);
    Ok(format!("{start}-{b}/{step}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cron::Accepted;
    use proptest::prelude::*;

    #[test]
    fn forms() {
        let cases = [
            ("0 2 * * *", "0 2 * * *"),
            ("@daily", "@daily"),
            // Names with an H in them are no H form.
            ("0 2 * * THU", "0 2 * * THU"),
        ];
        for (schedule, resolved) in cases {
            assert_eq!(resolve(schedule, "shop/orders").unwrap(), resolved);
        }
        let errors = [
            ("H H * *", "has 4 fields"),
            ("H(0-60) * * * *", "within 0-59"),
            ("H(5-2) * * * *", "a ≤ b"),
            ("H(0-5 * * * *", "no closing"),
            ("H/0 * * * *", "n from 1 to 60"),
            ("H/61 * * * *", "n from 1 to 60"),
            ("H/x * * * *", "only /n may follow"),
            ("H(0-5)x * * * *", "only /n may follow"),
            ("* * H(0-31) * *", "within 1-28"),
        ];
        for (schedule, says) in errors {
            let error = resolve(schedule, "shop/orders").unwrap_err();
            assert!(error.contains(says), "{schedule}: {error}");
        }
    }

    /// The hash is FNV-1a as defined (the published test vectors), so values never change.
    #[test]
    fn fnv1a_is_the_published_one() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
        // And so is one resolved schedule, written down once.
        assert_eq!(resolve("H H * * *", "shop/orders").unwrap(), "44 16 * * *");
    }

    /// 1,000 targets on `H H * * *` spread as a uniform draw would: no minute holds more than 6
    /// of them (measured: 5, 0.5 %), and they use more than 650 distinct minutes (measured: 705;
    /// a uniform draw of 1,000 from 1,440 minutes gives 721 on average).
    #[test]
    fn a_thousand_targets_spread_over_the_day() {
        let mut per_minute = std::collections::HashMap::new();
        for i in 0..1000 {
            let resolved = resolve("H H * * *", &format!("team-{}/db-{i}", i % 17)).unwrap();
            *per_minute.entry(resolved).or_insert(0) += 1;
        }
        let busiest = per_minute.values().max().copied().unwrap_or_default();
        assert!(busiest <= 6, "{busiest} targets start in one minute");
        assert!(
            per_minute.len() > 650,
            "only {} distinct minutes",
            per_minute.len()
        );
    }

    proptest! {
        /// Any H form within its field resolves to a schedule robfig (so Kubernetes) accepts,
        /// inside the range asked for, the same every time.
        #[test]
        fn resolved_schedules_are_valid_in_range_and_stable(
            seed in "[a-z0-9-]{1,20}/[a-z0-9-]{1,40}",
            field in 0usize..5,
            a in 0u32..60,
            width in 0u32..60,
            step in prop::option::of(1u32..30),
        ) {
            let (lowest, highest) = RANGES[field];
            let a = lowest + a % (highest - lowest + 1);
            let b = (a + width).min(highest);
            let mut item = format!("H({a}-{b})");
            if let Some(step) = step.filter(|s| *s <= b - a + 1) {
                item.push_str(&format!("/{step}"));
            }
            let mut fields = ["*"; 5];
            fields[field] = &item;
            let schedule = fields.join(" ");
            let resolved = resolve(&schedule, &seed).unwrap();
            prop_assert_eq!(&resolved, &resolve(&schedule, &seed).unwrap());
            prop_assert_eq!(cron::validate(&resolved), Ok(Accepted::Cron), "{}", resolved);
            let value = resolved.split_whitespace().nth(field).unwrap();
            let first: u32 = value.split(['-', '/']).next().unwrap().parse().unwrap();
            prop_assert!((a..=b).contains(&first), "{} not in {}-{}", value, a, b);
        }
    }
}
