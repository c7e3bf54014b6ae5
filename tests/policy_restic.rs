//! The restore-depth rows of docs/policy.md against the real restic: for each row, the
//! repository as the simulation has it just before its shallowest prune (what the previous
//! prunes left, and the new backup) is made for real, with `restic backup --time`, and
//! `restic forget --dry-run --json` must keep what `policy::restic::forget` keeps, the oldest
//! of it as old as the row says.
//!
//! CI installs restic (`.ci/run`); the test needs it on PATH. Debian's restic is 0.14: it
//! predates restic's keeping of the oldest snapshot while counts are left and its reading of
//! -1, neither of which a full repository in steady state meets. It has no
//! `--insecure-no-password`, so the repositories get a throwaway password.

use std::path::{Path, PathBuf};
use std::process::Command;

use stash_autobackup::internals::policy::{
    Depth, Schedule, format_utc, parse_utc,
    restic::{Count, Policy, depth, forget},
};

const DAY: i64 = 86_400;

struct Row {
    flags: &'static [&'static str],
    policy: Policy,
    days: i64,
}

fn rows() -> Vec<Row> {
    let n = Count::Newest;
    let none = Policy::default();
    vec![
        Row {
            flags: &["--keep-last", "5"],
            policy: Policy { last: n(5), ..none },
            days: 4,
        },
        Row {
            flags: &["--keep-daily", "7"],
            policy: Policy {
                daily: n(7),
                ..none
            },
            days: 6,
        },
        Row {
            flags: &[
                "--keep-daily",
                "7",
                "--keep-weekly",
                "4",
                "--keep-monthly",
                "12",
            ],
            policy: Policy {
                daily: n(7),
                weekly: n(4),
                monthly: n(12),
                ..none
            },
            days: 304,
        },
        Row {
            flags: &["--keep-hourly", "24"],
            policy: Policy {
                hourly: n(24),
                ..none
            },
            days: 23,
        },
        Row {
            flags: &["--keep-yearly", "10"],
            policy: Policy {
                yearly: n(10),
                ..none
            },
            days: 2923,
        },
    ]
}

/// The snapshots just before the prune at `prune`: `forget` after every backup from twelve
/// years earlier (longer than any row reaches), then the backup at `prune`.
fn before_prune(schedule: &Schedule, policy: &Policy, prune: i64) -> Vec<i64> {
    let mut list: Vec<i64> = Vec::new();
    let mut at = prune - 12 * 366 * DAY;
    while let Some(next) = schedule.next_after(at).filter(|n| *n < prune) {
        list.push(next);
        let kept = forget(&list, policy, next + 1);
        list = list
            .iter()
            .zip(kept)
            .filter(|(_, k)| *k)
            .map(|(t, _)| *t)
            .collect();
        at = next;
    }
    list.push(prune);
    list
}

fn restic(repo: &Path, args: &[&str]) -> String {
    let output = Command::new("restic")
        .arg("--repo")
        .arg(repo)
        .args(["--no-cache", "--quiet"])
        .args(args)
        .env("RESTIC_PASSWORD", "policy-test")
        // restic reads --time, and buckets snapshots, in the local zone.
        .env("TZ", "UTC")
        .output()
        .expect("tests/policy_restic.rs needs restic on PATH (.ci/run installs it)");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "restic {args:?}: {}{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    text
}

/// The times restic's `forget --dry-run --json` keeps of `times`.
fn restic_keeps(dir: &Path, times: &[i64], flags: &[&str]) -> Vec<i64> {
    let repo = dir.join("repo");
    let file = dir.join("data");
    std::fs::write(&file, "a backup").unwrap();
    restic(&repo, &["init"]);
    for at in times {
        let time = format!("{}:00", format_utc(*at));
        let file = file.to_str().unwrap();
        restic(
            &repo,
            &["backup", "--host", "policy", "--time", &time, file],
        );
    }
    let mut args = vec!["forget", "--dry-run", "--json"];
    args.extend(flags);
    let json: serde_json::Value = serde_json::from_str(&restic(&repo, &args)).expect("JSON");
    let groups = json.as_array().expect("one entry per group");
    assert_eq!(groups.len(), 1, "one host, one path: one group");
    let mut kept: Vec<i64> = groups[0]["keep"]
        .as_array()
        .expect("keep")
        .iter()
        .map(|s| parse_utc(s["time"].as_str().expect("a time")).expect("RFC 3339 in UTC"))
        .collect();
    kept.sort();
    kept
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("policy-restic-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_depth_rows_hold_against_restic() {
    let daily = Schedule::parse("0 2 * * *").unwrap();
    let rows = rows();
    std::thread::scope(|scope| {
        for (i, row) in rows.iter().enumerate() {
            let daily = &daily;
            scope.spawn(move || {
                let Depth::Bounded(span) = depth(std::slice::from_ref(daily), &row.policy) else {
                    panic!("{:?} is bounded", row.flags);
                };
                assert_eq!(span.seconds(), row.days * DAY, "{:?}", row.flags);
                let times = before_prune(daily, &row.policy, span.to);
                let ours: Vec<i64> = times
                    .iter()
                    .zip(forget(&times, &row.policy, span.to + 1))
                    .filter(|(_, k)| *k)
                    .map(|(t, _)| *t)
                    .collect();
                let dir = scratch(&i.to_string());
                let theirs = restic_keeps(&dir, &times, row.flags);
                let _ = std::fs::remove_dir_all(&dir);
                let shown = |ts: &[i64]| ts.iter().map(|t| format_utc(*t)).collect::<Vec<_>>();
                assert_eq!(shown(&theirs), shown(&ours), "{:?}", row.flags);
                assert_eq!(theirs.first(), Some(&span.from), "{:?}", row.flags);
            });
        }
    });
}
