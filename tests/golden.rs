//! Every case folder under `testdata/` (a folder holding `input.yaml` or `input.bin`, at any
//! depth) is one scenario, run through the real binary:
//!
//! * `input.yaml` goes to stdin (`input.bin` when the bytes are not valid UTF-8 on purpose);
//! * `args` (optional) holds command-line arguments, one per line, run from the case folder;
//! * `expected/stdout`, `expected/stderr` and `expected/exit-code` are what must come out.
//!
//! A ResourceList case whose first run succeeds is run again on its own output, which must not
//! change (SPEC §7); when the first run updated or pruned earlier objects (or the case holds a
//! `rerun-changes-results` file saying why), the second run's items must still be identical and
//! only the results may differ.
//!
//! `UPDATE_GOLDEN=1 cargo test --test golden` rewrites the expectations for review with git diff.

mod common;

use common::Output;
use std::fs;
use std::path::Path;

fn run(dir: &Path, stdin: &[u8], args: &[String]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    common::run_in(
        Some(dir),
        env!("CARGO_BIN_EXE_stash-autobackup"),
        &args,
        stdin,
    )
}

/// The text before a top-level `results:` key (the items and the rest of the list).
fn without_results(out: &[u8]) -> &[u8] {
    let text = std::str::from_utf8(out).unwrap_or_default();
    match text.find("\nresults:") {
        Some(i) => &out[..i],
        None => out,
    }
}

fn check(expected: &Path, got: &[u8], update: bool, failures: &mut Vec<String>, name: &str) {
    if update {
        fs::write(expected, got).expect("write expectation");
        return;
    }
    let want = fs::read(expected).unwrap_or_default();
    if want != got {
        failures.push(format!(
            "{name}: {} differs:\n{}",
            expected.display(),
            similar_asserts::SimpleDiff::from_str(
                &String::from_utf8_lossy(&want),
                &String::from_utf8_lossy(got),
                "expected",
                "got"
            )
        ));
    }
}

#[test]
fn golden_cases() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    let mut reruns = 0;
    let cases = common::cases("testdata");
    assert!(cases.len() > 20, "testdata/ holds the scenarios");
    for dir in &cases {
        let name = common::case_name("testdata", dir);
        let input = fs::read(dir.join("input.yaml"))
            .or_else(|_| fs::read(dir.join("input.bin")))
            .unwrap_or_default();
        let args: Vec<String> = fs::read_to_string(dir.join("args"))
            .map(|a| {
                a.lines()
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let first = run(dir, &input, &args);
        let expected = dir.join("expected");
        fs::create_dir_all(&expected).expect("expected/");
        check(
            &expected.join("stdout"),
            &first.stdout,
            update,
            &mut failures,
            &name,
        );
        check(
            &expected.join("stderr"),
            first.stderr.as_bytes(),
            update,
            &mut failures,
            &name,
        );
        check(
            &expected.join("exit-code"),
            format!("{}\n", first.code).as_bytes(),
            update,
            &mut failures,
            &name,
        );
        if first.code != 0 && first.code != 1 {
            failures.push(format!(
                "{name}: exit code {} (only 0 and 1 are used)",
                first.code
            ));
        }
        if first.stderr.contains("panicked") {
            failures.push(format!("{name}: panicked: {}", first.stderr));
        }
        if first.code == 0 && first.stdout.is_empty() {
            failures.push(format!("{name}: exit 0 with empty stdout"));
        }

        // Idempotence: a ResourceList run on its own output changes nothing.
        let shown = String::from_utf8_lossy(&first.stdout);
        let is_list =
            shown.contains("kind: ResourceList") || shown.contains("\"kind\": \"ResourceList\"");
        if first.code == 0 && args.is_empty() && is_list {
            reruns += 1;
            let second = run(dir, &first.stdout, &args);
            let text = String::from_utf8_lossy(&first.stdout);
            // Updates and prunes are reported once, by the run that made them; with
            // `markGenerated: false` a second run cannot recognise its output (README).
            let changes = text.contains("updated: ")
                || text.contains("pruned: ")
                || dir.join("rerun-changes-results").exists();
            let (a, b) = if changes {
                (
                    without_results(&first.stdout),
                    without_results(&second.stdout),
                )
            } else {
                (&first.stdout[..], &second.stdout[..])
            };
            if a != b || second.code != 0 {
                failures.push(format!(
                    "{name}: a second run on the output changed it (exit {}):\n{}",
                    second.code,
                    similar_asserts::SimpleDiff::from_str(
                        &String::from_utf8_lossy(a),
                        &String::from_utf8_lossy(b),
                        "first run",
                        "second run"
                    )
                ));
            }
        }
    }
    assert!(update || reruns > 40, "only {reruns} cases were run twice");
    assert!(
        failures.is_empty(),
        "{} failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Every scenario read through the JSON fast path (where it applies) and through the YAML scanner
/// gives the same output and the same results.
#[test]
fn both_readers_agree_on_every_scenario() {
    use stash_autobackup::{Options, run, text};
    for dir in common::cases("testdata") {
        let Ok(bytes) = fs::read(dir.join("input.yaml")) else {
            continue;
        };
        let Ok(src) = text(&bytes) else { continue };
        let answer = |yaml_scanner_only| {
            let options = Options {
                yaml_scanner_only,
                ..Options::default()
            };
            match run(src, &options, &|_| None) {
                Ok(run) => Ok((
                    run.pieces.to_vec(src.as_bytes()),
                    run.results
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>(),
                )),
                Err(e) => Err(e.to_string()),
            }
        };
        assert_eq!(
            answer(false),
            answer(true),
            "{}: the readers disagree",
            dir.display()
        );
    }
}
