//! Properties of the policy measures (`src/policy/`), which a check takes the extreme of: more
//! schedules never lengthen the longest gap, more keep rules never make a retention policy
//! shallower, and the deepest of several backups never drops when one is added.

use proptest::prelude::*;
use stash_autobackup::internals::policy::{
    Depth, Schedule,
    gap::{Gap, longest_gap},
    restic::{Count, Policy, depth},
};

/// Plain crons from fields of the kinds blueprints use: every so many minutes, a few hours,
/// days of the month (the 29th and 31st among them), months, weekdays, ranges and steps.
fn cron() -> impl Strategy<Value = String> {
    let minute = prop::sample::select(vec!["0", "30", "*/15", "5,35", "*/20"]);
    let hour = prop::sample::select(vec!["*", "2", "*/6", "1-5", "0,12", "23"]);
    let dom = prop::sample::select(vec!["*", "*", "1", "15", "1,15", "29", "31", "*/10"]);
    let month = prop::sample::select(vec!["*", "*", "2", "1-6", "*/3"]);
    let dow = prop::sample::select(vec!["*", "*", "0", "1-5", "6", "3"]);
    (minute, hour, dom, month, dow).prop_map(|(m, h, d, mo, w)| format!("{m} {h} {d} {mo} {w}"))
}

fn parsed(texts: &[String]) -> Vec<Schedule> {
    texts
        .iter()
        .map(|t| Schedule::parse(t).expect("the generator writes cron"))
        .collect()
}

fn count(cap: u32) -> impl Strategy<Value = Count> {
    prop_oneof![Just(Count::Off), (1..=cap).prop_map(Count::Newest)]
}

/// restic policies with counts small enough to simulate quickly.
fn policy() -> impl Strategy<Value = Policy> {
    (
        count(12),
        count(30),
        count(10),
        count(6),
        count(4),
        count(2),
    )
        .prop_map(|(last, hourly, daily, weekly, monthly, yearly)| Policy {
            last,
            hourly,
            daily,
            weekly,
            monthly,
            yearly,
            ..Policy::default()
        })
}

/// `wider` with each of `policy`'s rules, counts no smaller: it keeps everything `policy`
/// keeps.
fn at_least(policy: &Policy, wider: &Policy) -> Policy {
    let max = |a: Count, b: Count| match (a, b) {
        (Count::Newest(a), Count::Newest(b)) => Count::Newest(a.max(b)),
        (Count::Off, other) | (other, Count::Off) => other,
        (Count::All, _) | (_, Count::All) => Count::All,
    };
    Policy {
        last: max(policy.last, wider.last),
        hourly: max(policy.hourly, wider.hourly),
        daily: max(policy.daily, wider.daily),
        weekly: max(policy.weekly, wider.weekly),
        monthly: max(policy.monthly, wider.monthly),
        yearly: max(policy.yearly, wider.yearly),
        within: policy.within,
    }
}

fn seconds(depth: &Depth) -> Option<i64> {
    match depth {
        Depth::Bounded(span) => Some(span.seconds()),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Another schedule only adds starts, so no stretch without one gets longer.
    #[test]
    fn adding_a_schedule_never_lengthens_the_gap(
        set in prop::collection::vec(cron(), 0..3),
        added in cron(),
    ) {
        let before = longest_gap(&parsed(&set));
        let mut more = set.clone();
        more.push(added);
        let after = longest_gap(&parsed(&more));
        prop_assert!(!after.is_longer_than(&before), "{set:?} + {more:?}: {before:?} → {after:?}");
        if let (Gap::Longest(a), Gap::Longest(b)) = (after, before) {
            prop_assert!(a.seconds() <= b.seconds());
        }
    }

    /// A policy that keeps at least what another keeps is at least as deep, at every prune
    /// and so at the shallowest. Not from no rule at all: restic then removes nothing, and
    /// the first rule is what starts removing.
    #[test]
    fn more_rules_never_make_a_policy_shallower(
        schedule in cron(),
        policy in policy(),
        extra in policy(),
    ) {
        prop_assume!(!policy.is_empty());
        let schedules = parsed(&[schedule]);
        let wider = at_least(&policy, &extra);
        let (narrow, wide) = (depth(&schedules, &policy), depth(&schedules, &wider));
        if let (Some(narrow), Some(wide)) = (seconds(&narrow), seconds(&wide)) {
            prop_assert!(wide >= narrow, "{policy:?} {narrow} vs {wider:?} {wide}");
        }
        if narrow == Depth::Unbounded {
            prop_assert_eq!(wide, Depth::Unbounded);
        }
    }

    /// The check takes the deepest depth over a target's backups: adding a backup (a schedule
    /// and its policy) never makes it smaller.
    #[test]
    fn adding_a_backup_never_makes_the_deepest_depth_smaller(
        backups in prop::collection::vec((cron(), policy()), 1..3),
        added in (cron(), policy()),
    ) {
        let depth_of = |(schedule, policy): &(String, Policy)| {
            depth(&parsed(std::slice::from_ref(schedule)), policy)
        };
        let deepest = |all: &[(String, Policy)]| {
            all.iter().map(depth_of).fold(Depth::Unknown(
                stash_autobackup::internals::policy::Unknowable::NeverFires,
            ), Depth::deepest)
        };
        let before = deepest(&backups);
        let mut more = backups.clone();
        more.push(added);
        let after = deepest(&more);
        let rank = |d: &Depth| match d {
            Depth::Unknown(_) => (0, 0),
            Depth::Bounded(span) => (1, span.seconds()),
            Depth::Unbounded => (2, 0),
        };
        prop_assert!(rank(&after) >= rank(&before), "{before:?} → {after:?}");
    }
}

/// Never firing is longer than any gap, and a gap is not longer than itself.
#[test]
fn gaps_order() {
    let daily = longest_gap(&parsed(&["0 2 * * *".to_owned()]));
    assert!(Gap::Never.is_longer_than(&daily));
    assert!(!daily.is_longer_than(&Gap::Never));
    assert!(!daily.is_longer_than(&daily));
}
