//! The golden scenarios: every case folder under `testdata/` is one trial, named by its path
//! (`stash/database/several-blueprints`), so `cargo test --test golden -- stash/database/` runs a
//! slice. A case folder holds:
//!
//! * `input.yaml`, sent to stdin (`input.bin` when the bytes are not valid UTF-8 on purpose);
//! * `expected/stdout`, `expected/stderr` and `expected/exit-code`: what must come out;
//! * `case.yaml` (optional): the case's settings, see [`Settings`];
//! * anything else the case needs (a `--config` file, a folder of files) or documents
//!   (`operator.yaml`, `source.txt`): the harness does not read them.
//!
//! Folders that hold no case group cases by concern (`krm/`, `stash/database/`, …).
//!
//! After the first run, a case that printed something is run again on its own stdout, with the
//! same arguments, and must give back what `rerun` in `case.yaml` says (identical bytes by
//! default). A second trial per YAML input (`[readers] <case>`) checks that the JSON fast path and
//! the YAML scanner agree on it.
//!
//! `UPDATE_GOLDEN=1 cargo test --test golden` rewrites the expectations for review with git diff.

mod common;

use common::Output;
use granit_parser::{Event, Parser, ScalarStyle};
use libtest_mimic::{Arguments, Failed, Trial};
use std::fs;
use std::path::{Path, PathBuf};

const ROOT: &str = "testdata";

/// Floors for the whole of `testdata/`, so that a harness change that quietly stops finding
/// cases or rerunning them fails (112 cases, 95 of them rerun, when this was written).
const MIN_CASES: usize = 100;
const MIN_RERUNS: usize = 90;

/// What a second run on the first run's stdout must give.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rerun {
    /// The same bytes and exit code: the function reached its fixed point at once.
    Identical,
    /// The same bytes once the `results` are left out, and the same exit code, but different
    /// results: the first run reported updates or prunes that the second has no reason to repeat,
    /// or (`markGenerated: false`) the second run no longer recognises the first run's objects.
    ItemsOnly,
    /// No second run.
    None,
}

impl Rerun {
    fn parse(text: &str) -> Result<Self, String> {
        match text {
            "identical" => Ok(Self::Identical),
            "items-only" => Ok(Self::ItemsOnly),
            "none" => Ok(Self::None),
            other => Err(format!(
                "rerun must be identical, items-only or none, not `{other}`"
            )),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Identical => "identical",
            Self::ItemsOnly => "items-only",
            Self::None => "none",
        }
    }
}

/// A case's `case.yaml`; without the file, every setting has its default.
///
/// ```yaml
/// args: [--config, config.yaml]   # command-line arguments, run from the case folder; default []
/// env: [ARGOCD_APP_NAMESPACE=shop] # environment variables for the run (none by default: the
///                                 # runner's ARGOCD_APP_NAMESPACE, ARGOCD_APP_NAME and
///                                 # ARGOCD_APP_PARAMETERS never reach a case)
/// rerun: items-only               # identical | items-only | none; default: identical when the
///                                 # case prints anything on stdout, none when it prints nothing
/// why: one line                   # required when rerun is not the default, refused otherwise
/// issue: "#5 …"                   # the issue or fuzz finding the case guards
/// input: ../../stash/x/input.yaml # another case's input, sent to stdin (a case of its own
///                                 # holds no input file then): one input, several runs
/// ```
///
/// Unknown keys, duplicate keys and values of the wrong shape are errors, so a typo fails.
#[derive(Debug, Default)]
struct Settings {
    args: Vec<String>,
    env: Vec<(String, String)>,
    rerun: Option<Rerun>,
    why: Option<String>,
    /// Read and checked; for the reader of the case, not for the harness.
    issue: Option<String>,
    /// Another case's input, relative to this case's folder.
    input: Option<String>,
}

/// A value of `case.yaml`: a string or a list of strings.
enum Value {
    Text(String),
    List(Vec<String>),
}

impl Settings {
    fn read(dir: &Path) -> Result<Self, String> {
        let path = dir.join("case.yaml");
        match fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text).map_err(|e| format!("case.yaml: {e}")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(format!("case.yaml: {e}")),
        }
    }

    fn parse(text: &str) -> Result<Self, String> {
        let mut settings = Self::default();
        let mut seen = Vec::new();
        for (line, key, value) in entries(text)? {
            if seen.contains(&key) {
                return Err(format!("line {line}: `{key}` appears twice"));
            }
            seen.push(key.clone());
            let text = |value: Value| match value {
                Value::Text(t) if t.trim().is_empty() => {
                    Err(format!("line {line}: `{key}` is empty"))
                }
                Value::Text(t) => Ok(t),
                Value::List(_) => Err(format!("line {line}: `{key}` is a string, not a list")),
            };
            match key.as_str() {
                "args" => match value {
                    Value::List(args) => settings.args = args,
                    Value::Text(_) => {
                        return Err(format!("line {line}: `args` is a list: args: [a, b]"));
                    }
                },
                "env" => match value {
                    Value::List(vars) => {
                        for var in vars {
                            let (name, value) = var.split_once('=').ok_or_else(|| {
                                format!("line {line}: `env` items are NAME=value, not `{var}`")
                            })?;
                            settings.env.push((name.to_owned(), value.to_owned()));
                        }
                    }
                    Value::Text(_) => {
                        return Err(format!("line {line}: `env` is a list: env: [A=b]"));
                    }
                },
                "rerun" => settings.rerun = Some(Rerun::parse(&text(value)?)?),
                "why" => {
                    let why = text(value)?;
                    if why.trim().contains('\n') {
                        return Err(format!("line {line}: `why` is one line"));
                    }
                    settings.why = Some(why);
                }
                "issue" => settings.issue = Some(text(value)?),
                "input" => settings.input = Some(text(value)?),
                other => {
                    return Err(format!(
                        "line {line}: unknown key `{other}` (the keys are args, env, rerun, why, issue)"
                    ));
                }
            }
        }
        Ok(settings)
    }
}

/// The entries of a one-document YAML mapping of plain strings and lists of strings, with the
/// line of each key. Anchors, aliases, tags and nested mappings are refused.
fn entries(text: &str) -> Result<Vec<(usize, String, Value)>, String> {
    let options = granit_parser::options! { emit_comments: false };
    let mut events = Vec::new();
    for event in Parser::new_from_str_with_options(text, options) {
        let (event, span) = event.map_err(|e| e.to_string())?;
        events.push((event, span.start.line()));
    }
    let mut events = events.into_iter().peekable();
    let shape = |line: usize| {
        format!(
            "line {line}: case.yaml is a mapping of keys to strings or lists of strings, \
             without anchors, aliases or tags"
        )
    };
    // A null (an empty value, `~`, `null`) reads as the empty string.
    let scalar = |event: &Event<'_>| match event {
        Event::Scalar(text, ScalarStyle::Plain, 0, None)
            if matches!(&**text, "" | "~" | "null" | "Null" | "NULL") =>
        {
            Some(String::new())
        }
        Event::Scalar(text, _, 0, None) => Some(text.to_string()),
        _ => None,
    };
    let mut out = Vec::new();
    match events.next() {
        Some((Event::StreamStart, _)) => {}
        _ => return Err("not a YAML stream".into()),
    }
    match events.next() {
        Some((Event::StreamEnd, _)) => return Ok(out), // empty, or comments only
        Some((Event::DocumentStart(..), _)) => {}
        Some((_, line)) => return Err(shape(line)),
        None => return Err("not a YAML stream".into()),
    }
    match events.next() {
        Some((Event::MappingStart(_, 0, None), _)) => loop {
            let (event, line) = events.next().ok_or("truncated")?;
            if matches!(event, Event::MappingEnd) {
                break;
            }
            let key = scalar(&event).ok_or_else(|| shape(line))?;
            let (event, value_line) = events.next().ok_or("truncated")?;
            let value = match event {
                Event::SequenceStart(_, 0, None) => {
                    let mut list = Vec::new();
                    loop {
                        let (event, line) = events.next().ok_or("truncated")?;
                        if matches!(event, Event::SequenceEnd) {
                            break;
                        }
                        list.push(scalar(&event).ok_or_else(|| shape(line))?);
                    }
                    Value::List(list)
                }
                other => Value::Text(scalar(&other).ok_or_else(|| shape(value_line))?),
            };
            out.push((line, key, value));
        },
        Some((ref event, _)) if scalar(event).is_some_and(|s| s.is_empty()) => {} // `---` alone
        Some((_, line)) => return Err(shape(line)),
        None => return Err("truncated".into()),
    }
    match (events.next(), events.next()) {
        (Some((Event::DocumentEnd, _)), Some((Event::StreamEnd, _))) => Ok(out),
        _ => Err("case.yaml holds one YAML document".into()),
    }
}

/// One case folder, read before its trial runs.
struct Case {
    dir: PathBuf,
    input: Vec<u8>,
    settings: Settings,
}

impl Case {
    fn read(dir: &Path) -> Result<Self, String> {
        let settings = Settings::read(dir)?;
        let yaml = dir.join("input.yaml");
        let bin = dir.join("input.bin");
        let input = match (yaml.is_file(), bin.is_file(), &settings.input) {
            (false, false, Some(other)) => {
                fs::read(dir.join(other)).map_err(|e| format!("input {other}: {e}"))?
            }
            (_, _, Some(_)) => {
                return Err("names another case's input and holds one: keep one".into());
            }
            (true, true, None) => {
                return Err("holds both input.yaml and input.bin: keep one".into());
            }
            (true, false, None) => fs::read(&yaml).map_err(|e| format!("input.yaml: {e}"))?,
            (false, true, None) => fs::read(&bin).map_err(|e| format!("input.bin: {e}"))?,
            // A case may take all its input from files named in its arguments.
            (false, false, None) => Vec::new(),
        };
        Ok(Self {
            dir: dir.to_path_buf(),
            input,
            settings,
        })
    }

    /// Whether the case's expectation prints anything, so that it is rerun by default.
    fn expects_output(&self) -> bool {
        fs::metadata(self.dir.join("expected/stdout")).is_ok_and(|m| m.len() > 0)
    }

    fn run(&self, stdin: &[u8]) -> Output {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_stash-autobackup"));
        command
            .args(&self.settings.args)
            .current_dir(&self.dir)
            .env_remove("ARGOCD_APP_NAMESPACE")
            .env_remove("ARGOCD_APP_NAME")
            .env_remove("ARGOCD_APP_PARAMETERS")
            .envs(self.settings.env.iter().map(|(k, v)| (k, v)));
        common::run_command(&mut command, stdin)
    }
}

fn diff(want: &[u8], got: &[u8], want_name: &str, got_name: &str) -> String {
    similar_asserts::SimpleDiff::from_str(
        &String::from_utf8_lossy(want),
        &String::from_utf8_lossy(got),
        want_name,
        got_name,
    )
    .to_string()
}

/// Compares (or, with `update`, rewrites) one expectation file.
fn check(case: &Case, file: &str, got: &[u8], update: bool, failures: &mut Vec<String>) {
    let path = case.dir.join("expected").join(file);
    if update {
        fs::create_dir_all(case.dir.join("expected")).expect("expected/");
        fs::write(&path, got).expect("write expectation");
        return;
    }
    match fs::read(&path) {
        Ok(want) if want == got => {}
        Ok(want) => failures.push(format!(
            "expected/{file} differs:\n{}",
            diff(&want, got, "expected", "got")
        )),
        Err(e) => failures.push(format!("expected/{file}: {e} (UPDATE_GOLDEN=1 writes it)")),
    }
}

/// The output without its top-level `results` (block YAML at column 0, or a JSON document).
fn without_results(out: &[u8]) -> Result<Vec<u8>, String> {
    let text = std::str::from_utf8(out).map_err(|e| format!("output is not UTF-8: {e}"))?;
    if text.trim_start().starts_with('{')
        && let Ok(mut value) = serde_json::from_str::<serde_json::Value>(text)
    {
        let map = value
            .as_object_mut()
            .ok_or("a JSON output that is not an object")?;
        map.remove("results")
            .ok_or("no `results` in the JSON output")?;
        return Ok(serde_json::to_vec_pretty(&value).expect("JSON"));
    }
    let mut kept = String::new();
    let mut found = 0;
    let mut in_results = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with("results:") {
            found += 1;
            in_results = true;
        } else if in_results && !(line.starts_with(' ') || line.starts_with('-')) {
            in_results = false;
        }
        if !in_results {
            kept.push_str(line);
        }
    }
    match found {
        1 => Ok(kept.into_bytes()),
        0 => Err("no block-style `results:` at column 0 in the output".into()),
        _ => Err("more than one `results:` at column 0 in the output".into()),
    }
}

fn golden(case: &Case, update: bool) -> Result<(), Failed> {
    let mut failures = Vec::new();
    let first = case.run(&case.input);
    check(case, "stdout", &first.stdout, update, &mut failures);
    check(
        case,
        "stderr",
        first.stderr.as_bytes(),
        update,
        &mut failures,
    );
    let code = format!("{}\n", first.code);
    check(case, "exit-code", code.as_bytes(), update, &mut failures);
    if first.code != 0 && first.code != 1 {
        failures.push(format!("exit code {} (only 0 and 1 are used)", first.code));
    }
    if first.stderr.contains("panicked") {
        failures.push(format!("panicked: {}", first.stderr));
    }
    if first.code == 0 && first.stdout.is_empty() {
        failures.push("exit 0 with empty stdout".into());
    }

    // Idempotence: what a second run on the first run's output gives.
    let settings = &case.settings;
    let printed = !first.stdout.is_empty();
    let default = if printed {
        Rerun::Identical
    } else {
        Rerun::None
    };
    let rerun = settings.rerun.unwrap_or(default);
    if !printed && rerun != Rerun::None {
        failures.push(format!(
            "case.yaml: rerun: {} but the case prints nothing to rerun",
            rerun.name()
        ));
    } else if rerun != default && settings.why.is_none() {
        failures.push(format!(
            "case.yaml: rerun: {} is not the default ({}): say why in `why:`",
            rerun.name(),
            default.name()
        ));
    } else if rerun == default && settings.why.is_some() {
        failures.push(format!(
            "case.yaml: `why:` explains a rerun other than the default, and rerun is the \
             default ({})",
            default.name()
        ));
    } else if rerun != Rerun::None {
        let second = case.run(&first.stdout);
        if second.code != first.code || second.stderr.contains("panicked") {
            failures.push(format!(
                "a second run on the output exits {} (the first: {}):\n{}",
                second.code, first.code, second.stderr
            ));
        }
        if rerun == Rerun::Identical && second.stdout != first.stdout {
            failures.push(format!(
                "a second run on the output changed it:\n{}",
                diff(&first.stdout, &second.stdout, "first run", "second run")
            ));
        }
        if rerun == Rerun::ItemsOnly {
            match (
                without_results(&first.stdout),
                without_results(&second.stdout),
            ) {
                (Ok(a), Ok(b)) if a != b => failures.push(format!(
                    "a second run on the output changed more than its results:\n{}",
                    diff(&a, &b, "first run", "second run")
                )),
                (Ok(_), Ok(_)) if first.stdout == second.stdout => failures.push(
                    "case.yaml: rerun: items-only, but a second run gives identical bytes: \
                     remove rerun and why (identical is the default)"
                        .into(),
                ),
                (Ok(_), Ok(_)) => {}
                (Err(e), _) | (_, Err(e)) => {
                    failures.push(format!("rerun: items-only cannot compare the outputs: {e}"));
                }
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n\n").into())
    }
}

/// The input read through the JSON fast path (where it applies) and through the YAML scanner
/// gives the same output and the same results.
fn readers_agree(src: &str) -> Result<(), Failed> {
    use stash_autobackup::{Options, run};
    let answer = |yaml_scanner_only| {
        let options = Options {
            yaml_scanner_only,
            ..Options::default()
        };
        match run(src, &options, &|_| None) {
            Ok(run) => Ok((
                run.output(src.as_bytes()),
                run.results()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
            )),
            Err(e) => Err(e.to_string()),
        }
    };
    let (fast, scanner) = (answer(false), answer(true));
    if fast == scanner {
        return Ok(());
    }
    Err(format!(
        "the readers disagree:\n{}",
        similar_asserts::SimpleDiff::from_str(
            &format!("{fast:#?}"),
            &format!("{scanner:#?}"),
            "JSON path",
            "YAML scanner"
        )
    )
    .into())
}

/// The harness's own readers, on inputs no case holds: typos fail, results are cut exactly.
fn harness_self_check() -> Result<(), Failed> {
    let good = "# a comment\nargs: [--config, config.yaml]\nrerun: items-only\n\
                why: 'one line'\nissue: \"#5\"\n";
    let settings = Settings::parse(good)?;
    let want = (
        vec!["--config".to_owned(), "config.yaml".to_owned()],
        Some(Rerun::ItemsOnly),
        Some("one line"),
        Some("#5"),
    );
    let got = (
        settings.args,
        settings.rerun,
        settings.why.as_deref(),
        settings.issue.as_deref(),
    );
    if got != want {
        return Err(format!("case.yaml read as {got:?}, not {want:?}").into());
    }
    let other = Settings::parse("input: ../other/input.yaml\n")?;
    if other.input.as_deref() != Some("../other/input.yaml") {
        return Err(format!("input read as {:?}", other.input).into());
    }
    for empty in ["", "# only a comment\n", "---\n", "args: []\n"] {
        Settings::parse(empty).map_err(|e| format!("{empty:?}: {e}"))?;
    }
    for (bad, because) in [
        ("reruns: none\n", "unknown key"),
        ("rerun: nope\n", "rerun must be"),
        ("rerun: none\nrerun: none\n", "appears twice"),
        ("args: app\n", "is a list"),
        ("why: [a]\n", "not a list"),
        ("why:\n", "is empty"),
        ("issue: ~\n", "is empty"),
        ("args:\n", "is a list"),
        ("why: |\n  two\n  lines\n", "one line"),
        ("args: [{a: b}]\n", "mapping of keys"),
        ("args: [&a x, *a]\n", "mapping of keys"),
        ("rerun: !!str none\n", "mapping of keys"),
        ("- rerun\n", "mapping of keys"),
        ("rerun: none\n---\nrerun: none\n", "one YAML document"),
        ("rerun: [none\n", ""),
    ] {
        match Settings::parse(bad) {
            Err(e) if e.contains(because) => {}
            other => {
                return Err(format!("{bad:?} gives {other:?}, not an error {because:?}").into());
            }
        }
    }
    let list = "items:\n- a\nresults:\n- message: x\n  severity: info\nfunctionConfig: {}\n";
    let cut = without_results(list.as_bytes())?;
    if cut != b"items:\n- a\nfunctionConfig: {}\n" {
        return Err(format!("results cut as {:?}", String::from_utf8_lossy(&cut)).into());
    }
    let json = br#"{"items": [1], "results": [{"message": "x"}]}"#;
    if without_results(json)? != without_results(br#"{"items": [1], "results": []}"#)? {
        return Err("JSON results are not left out".into());
    }
    if without_results(b"items: []\n").is_ok() {
        return Err("an output without results is not refused".into());
    }
    Ok(())
}

fn main() {
    let arguments = Arguments::from_args();
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut trials = Vec::new();
    let (mut cases, mut reruns) = (0, 0);
    for dir in common::cases(ROOT) {
        let name = common::case_name(ROOT, &dir);
        cases += 1;
        let case = match Case::read(&dir) {
            Ok(case) => case,
            Err(e) => {
                trials.push(Trial::test(name, move || Err(e.into())));
                continue;
            }
        };
        let rerun_default = if case.expects_output() {
            Rerun::Identical
        } else {
            Rerun::None
        };
        if case.settings.rerun.unwrap_or(rerun_default) != Rerun::None {
            reruns += 1;
        }
        if dir.join("input.yaml").is_file()
            && let Ok(src) = stash_autobackup::text(&case.input)
        {
            let src = src.to_owned();
            trials
                .push(Trial::test(name.clone(), move || readers_agree(&src)).with_kind("readers"));
        }
        trials.push(Trial::test(name, move || golden(&case, update)));
    }
    trials.push(Trial::test("case.yaml and results", harness_self_check).with_kind("harness"));
    trials.push(
        Trial::test(ROOT, move || {
            if cases < MIN_CASES || reruns < MIN_RERUNS {
                return Err(format!(
                    "{cases} cases, {reruns} of them rerun: expected at least {MIN_CASES} and \
                     {MIN_RERUNS}"
                )
                .into());
            }
            Ok(())
        })
        .with_kind("layout"),
    );
    libtest_mimic::run(&arguments, trials).exit();
}
