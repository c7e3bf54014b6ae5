//! The `explain` preview's JSON (issue 12): the documented schema, read back by a JSON parser,
//! and the same decisions the function's own run makes.

mod common;

use serde_json::Value;

/// `stash-autobackup explain --format json <args>`: exit code and the parsed report.
fn explain_json(args: &[&str], stdin: &[u8]) -> (i32, Value) {
    let mut all = vec!["explain", "--format", "json"];
    all.extend_from_slice(args);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_stash-autobackup"));
    command
        .args(&all)
        .env("STASH_AUTOBACKUP_NOW", "2026-12-01T00:00:00Z");
    let out = common::run_command(&mut command, stdin);
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", String::from_utf8_lossy(&out.stdout)));
    (out.code, report)
}

fn text<'v>(value: &'v Value, key: &str) -> &'v str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("`{key}` is a string in {value}"))
}

/// Without STASH_AUTOBACKUP_NOW the clock counts: the next runs are in the future.
#[test]
fn next_runs_count_from_the_clock() {
    let out = common::function(
        &["explain", "--format", "json"],
        &common::read("examples/resource-list.yaml"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let next = report["targets"][0]["objects"][1]["schedules"][0]["next"][0]
        .as_str()
        .expect("a next run")
        .to_owned();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let year: u64 = next[..4].parse().unwrap();
    assert!(year >= 1970 + now / 31_557_600, "{next}");
    let bad = {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_stash-autobackup"));
        command
            .arg("explain")
            .env("STASH_AUTOBACKUP_NOW", "tomorrow");
        common::run_command(&mut command, b"")
    };
    assert_ne!(bad.code, 0);
    assert!(
        bad.stderr
            .contains("STASH_AUTOBACKUP_NOW=\"tomorrow\" is no time"),
        "{}",
        bad.stderr
    );
}

/// Every field the README documents, with its type, on a run with both families, an error and
/// generated objects.
#[test]
fn the_json_follows_the_documented_schema() {
    let (code, report) = explain_json(
        &["examples/kubestash/apps", "examples/kubestash/backup"],
        b"",
    );
    assert_eq!(code, 0);
    assert_eq!(
        text(&report, "apiVersion"),
        "autobackup.stash.appscode.com/v1alpha1"
    );
    assert_eq!(text(&report, "kind"), "Explanation");
    assert!(text(&report, "summary").starts_with("stash-autobackup: 3 targets"));
    let targets = report["targets"].as_array().expect("targets");
    assert_eq!(targets.len(), 3);
    for target in targets {
        assert_eq!(text(target, "family"), "KubeStash");
        for key in ["apiVersion", "kind", "namespace", "name"] {
            text(&target["target"], key);
        }
        assert!(text(target, "file").starts_with("examples/kubestash/apps/"));
        let objects = target["objects"].as_array().expect("objects");
        assert_eq!(objects.len(), 1, "{target}");
        let object = &objects[0];
        for key in ["kind", "namespace", "name", "blueprint", "outcome"] {
            text(object, key);
        }
        assert_eq!(text(object, "outcome"), "new");
        assert!(object["detail"].is_null());
        let schedules = object["schedules"].as_array().expect("schedules");
        assert_eq!(schedules.len(), 1);
        text(&schedules[0], "schedule");
        let next = schedules[0]["next"].as_array().expect("next");
        assert_eq!(next.len(), 3);
        assert!(
            next.iter()
                .all(|t| t.as_str().is_some_and(|t| t.starts_with("2026-12-0")))
        );
        assert!(target["findings"].as_array().is_some());
        let details = target["details"].as_array().expect("details");
        let labels: Vec<&str> = details.iter().map(|d| text(d, "label")).collect();
        assert_eq!(labels, ["annotations", "schedule", "variables"], "{target}");
        assert!(details[0]["blueprint"].is_null());
        for detail in &details[1..] {
            text(detail, "blueprint");
            text(detail, "value");
        }
        assert!(text(&details[0], "value").starts_with("read from "));
    }
    assert!(report["pruned"].as_array().is_some_and(Vec::is_empty));
    assert!(report["findings"].as_array().is_some_and(Vec::is_empty));
    let week = &report["week"];
    assert_eq!(
        text(week, "start"),
        "2026-12-07T00:00:00Z",
        "the Monday after"
    );
    let hours = week["hours"].as_array().expect("hours");
    assert_eq!(hours.len(), 7);
    let starts: u64 = hours
        .iter()
        .flat_map(|day| day.as_array().expect("24 hours").iter())
        .map(|n| n.as_u64().expect("a count"))
        .sum();
    assert_eq!(starts, 21, "three nightly backups, seven days");
    assert!(week["busy"].as_array().is_some_and(Vec::is_empty));
}

/// The preview reports what the run does: a second explain over the function's own output sees
/// every object unchanged, and an error keeps the function's exit status.
#[test]
fn the_preview_reports_the_runs_own_decisions() {
    let input = common::read("examples/resource-list.yaml");
    let first = common::function(&[], &input);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let (code, report) = explain_json(&[], &first.stdout);
    assert_eq!(code, 0);
    let outcomes: Vec<&str> = report["targets"][0]["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .map(|o| text(o, "outcome"))
        .collect();
    assert_eq!(outcomes, ["unchanged", "unchanged"]);

    let broken = String::from_utf8(input).unwrap().replace(
        "backup-blueprint: postgres-backup-template",
        "backup-blueprint: nope",
    );
    let (code, report) = explain_json(&[], broken.as_bytes());
    assert_eq!(code, 1, "the function's exit status");
    let target = &report["targets"][0];
    assert!(target["objects"].as_array().is_some_and(Vec::is_empty));
    let finding = &target["findings"][0];
    assert_eq!(text(finding, "severity"), "error");
    assert!(
        text(finding, "message").contains("`nope` not found"),
        "{finding}"
    );
    // Tools read the kind and the family from the tags; a name far from every blueprint gets
    // no proposed value.
    assert_eq!(text(&finding["tags"], "class"), "blueprint-not-found");
    assert_eq!(text(&finding["tags"], "family"), "Stash");
    assert!(finding["proposedValue"].is_null(), "{finding}");

    // One typo away: the value that fixes the annotation, as the run's result gives it.
    let typo = String::from_utf8(common::read("examples/resource-list.yaml"))
        .unwrap()
        .replace(
            "backup-blueprint: postgres-backup-template",
            "backup-blueprint: postgres-backup-tempalte",
        );
    let (code, report) = explain_json(&[], typo.as_bytes());
    assert_eq!(code, 1);
    let finding = &report["targets"][0]["findings"][0];
    assert_eq!(text(finding, "currentValue"), "postgres-backup-tempalte");
    assert_eq!(text(finding, "proposedValue"), "postgres-backup-template");
    assert_eq!(
        text(finding, "field"),
        "metadata.annotations[stash.appscode.com/backup-blueprint]"
    );
}

/// Over every golden input run without options: explain keeps the function's exit status,
/// counts the objects the run's summary counts, and lists no target silently (one that gets
/// nothing carries a finding saying why).
#[test]
fn explain_agrees_with_the_run_on_every_golden_input() {
    let mut checked = 0;
    let mut silent = Vec::new();
    for case in common::cases("testdata") {
        let settings = std::fs::read_to_string(case.join("case.yaml")).unwrap_or_default();
        let Ok(input) = std::fs::read(case.join("input.yaml")) else {
            continue;
        };
        if settings.contains("args:") || settings.contains("env:") {
            continue;
        }
        let run = common::function(&[], &input);
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_stash-autobackup"));
        command
            .args(["explain", "--format", "json"])
            .env("STASH_AUTOBACKUP_NOW", "2026-12-01T00:00:00Z");
        let out = common::run_command(&mut command, &input);
        let name = case.display();
        assert_eq!(out.code, run.code, "{name}: {}", out.stderr);
        let Ok(report) = serde_json::from_slice::<Value>(&out.stdout) else {
            // Unreadable input: both fail before any decision, with nothing on stdout.
            assert_ne!(run.code, 0, "{name}");
            assert!(out.stdout.is_empty(), "{name}");
            continue;
        };
        let targets = report["targets"].as_array().expect("targets");
        let mut generated = 0;
        for target in targets {
            let objects = target["objects"].as_array().expect("objects");
            generated += objects
                .iter()
                .filter(|o| matches!(text(o, "outcome"), "new" | "updated" | "unchanged"))
                .count();
            let findings = target["findings"].as_array().expect("findings");
            if objects.is_empty() && findings.is_empty() {
                silent.push(format!(
                    "{name}: {} gets nothing and no finding says why",
                    target["target"]
                ));
            }
        }
        let summary = text(&report, "summary");
        // Nothing is written while the run fails (issue 19, item 10), and both say so.
        assert_eq!(
            report["written"].as_bool(),
            Some(run.code == 0),
            "{name}: {summary}"
        );
        assert_eq!(
            summary.contains(", nothing written"),
            run.code != 0 && !summary.contains("nothing generated or pruned until"),
            "{name}: {summary}"
        );
        // "stash-autobackup: N targets, M generated objects in the output, …" (or "nothing
        // written (M generated objects held back …"): the output also holds earlier objects of
        // ours that no decision touched (when nothing was run). (A run whose options are wrong
        // says so instead, and decides nothing.)
        if let Some(rest) = summary.strip_prefix("stash-autobackup: ")
            && let Some((targets_text, rest)) = rest.split_once(", ")
            && let Some((objects_text, _)) = rest.split_once(' ')
            && let Some(Ok(counted)) = targets_text.split(' ').next().map(str::parse::<usize>)
        {
            assert_eq!(counted, targets.len(), "{name}: {summary}");
            let in_output: usize = match rest.strip_prefix("nothing written") {
                Some(held) => held
                    .strip_prefix(" (")
                    .and_then(|h| h.split(' ').next())
                    .map_or(0, |n| n.parse().expect("a count")),
                None => objects_text.parse().expect("a count"),
            };
            assert!(
                generated <= in_output,
                "{name}: {generated} decided, {summary}"
            );
        } else {
            assert!(targets.is_empty(), "{name}: {summary}");
        }
        checked += 1;
    }
    assert!(silent.is_empty(), "{}", silent.join("\n"));
    assert!(checked > 150, "{checked} inputs");
}

/// The README's markdown example is the real output: `explain --format markdown` over
/// testdata/explain/mixed-text, quoted line by line (`> `), so that it cannot drift.
#[test]
fn the_readme_example_is_what_explain_prints() {
    let readme = String::from_utf8(common::read("README.md")).unwrap();
    let start = readme
        .find("> ### stash-autobackup explain\n")
        .expect("the README quotes a markdown report");
    let quoted: String = readme[start..]
        .lines()
        .take_while(|line| line.starts_with('>'))
        .map(|line| {
            let line = line.strip_prefix("> ").unwrap_or(&line[1..]);
            format!("{line}\n")
        })
        .collect();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_stash-autobackup"));
    command
        .args(["explain", "--format", "markdown"])
        .env("STASH_AUTOBACKUP_NOW", "2026-12-01T00:00:00Z");
    let out = common::run_command(
        &mut command,
        &common::read("testdata/explain/mixed-text/input.yaml"),
    );
    assert_eq!(out.code, 1, "the example holds an error: {}", out.stderr);
    assert_eq!(
        quoted,
        String::from_utf8(out.stdout).unwrap(),
        "update the README's example from this output"
    );
}
