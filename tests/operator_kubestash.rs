//! The function against the KubeStash operator: every folder of
//! `testdata/kubestash/operator-docs/` is an example of the KubeStash (or KubeDB) guides, and the
//! `core.kubestash.com` BackupConfiguration we generate for it must be the one the guide shows
//! the operator created (`operator.yaml`); where the guide's own input cannot give one
//! (`operator-error.txt`), we must generate none and say why in an error result. Like
//! `tests/operator.rs`, this is checked twice: in the case's golden output (`expected/stdout`, the
//! KRM run that `tests/golden.rs` holds to the binary's output) and in a live stream-mode run on
//! the input unwrapped from its ResourceList (the plain stream the guide applies). kubectl reads
//! both sides.
//!
//! The guides print the API server's view of what the Go operator wrote, so both sides are
//! normalised before they are compared, as `testdata/kubestash/operator-docs/README.md` and the
//! cases' own README describe: CRD defaults applied (read from the CRD in
//! `crds/kubestash/`), Go zero values (`{}`) and nulls dropped, durations
//! compared by value, our marker annotation and our label removed; `*-partial` cases compare the printed fields
//! as a subset of ours. See [`normalise`] and [`differences`].
//!
//! The normaliser is tested on its own, on the operator's objects and on perturbations of them
//! (the `normaliser_*` tests): those pass whether or not the KubeStash family generates anything.

mod common;

use serde_json::{Map, Value, json};
use std::fs;
use std::path::Path;
use std::sync::OnceLock;

const GROUP: &str = "testdata/kubestash/operator-docs";
const CRD: &str = "crds/kubestash/core.kubestash.com_backupconfigurations.yaml";
const GROUP_NAME: &str = "core.kubestash.com";
const API_VERSION: &str = "core.kubestash.com/v1alpha1";
const KIND: &str = "BackupConfiguration";
/// Our marker on every generated object (docs/spec.md §4.4, docs/spec-kubestash.md K5).
const MARKER: &str = "autobackup.stash.appscode.com/blueprint";
/// Our label on every generated object, for kpt selectors (docs/spec.md §4.4): the operator
/// writes none. Only this key is ignored; the operator's own labels are compared.
const LABEL: &str = "autobackup.stash.appscode.com/generated";

/// What the error result of each `operator-error.txt` case must say, as phrases of that file.
/// The file words the model's prediction and quotes the operator's own error; ours is worded
/// differently (docs/spec-kubestash.md K4: name the variable and the field path), so the check
/// is on the one thing every wording must share and that cannot drift with rephrasing.
const ERROR_PHRASES: &[(&str, &[&str])] = &[
    // The operator's envsubst says "input/default value not found for key targetedDatabases";
    // whatever else our message says, it names the variable, with its case (variables are
    // case-sensitive, so `targetedDatabase` from the MySQL guide would be another variable).
    ("singlestore-custom", &["targetedDatabases"]),
];

/// The `metav1.Duration` fields of a BackupConfiguration (`*`: every item of a list). The CRD
/// types them as plain strings, so the schema cannot say which strings are durations: these are
/// the fields of KubeStash's Go types (`Session.backupTimeout`, `RetryConfig.delay`,
/// `HookInfo.timeout`). `normaliser_duration_fields_are_strings_of_the_crd` keeps the list
/// honest against the CRD.
const DURATIONS: &[&str] = &[
    "spec.sessions.*.backupTimeout",
    "spec.sessions.*.retryConfig.delay",
    "spec.sessions.*.hooks.preBackup.*.timeout",
    "spec.sessions.*.hooks.postBackup.*.timeout",
];

/// How a case's objects compare with ours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compare {
    /// Equal after normalising both sides.
    Whole,
    /// `*-partial`: the guide elides parts of the object with `...`, so every printed field must
    /// be in ours, with the same value; ours may have more.
    Subset,
}

impl Compare {
    fn of(name: &str) -> Self {
        if name.ends_with("-partial") {
            Self::Subset
        } else {
            Self::Whole
        }
    }
}

/// What a case's folder says the operator did.
enum Operator {
    /// `operator.yaml`: the BackupConfigurations, as kubectl reads them.
    Created(Vec<Value>),
    /// `operator-error.txt`: nothing, and an error result with these phrases.
    Refused(&'static [&'static str]),
}

fn operator(case: &Path, name: &str) -> Operator {
    let objects = case.join("operator.yaml");
    let error = case.join("operator-error.txt");
    match (objects.is_file(), error.is_file()) {
        (true, false) => Operator::Created(configurations(common::kubectl_objects(
            &fs::read(&objects).unwrap_or_else(|e| panic!("{name}: operator.yaml: {e}")),
        ))),
        (false, true) => Operator::Refused(phrases(name)),
        (true, true) => panic!("{name}: holds operator.yaml and operator-error.txt: keep one"),
        (false, false) => panic!(
            "{name}: every example needs the operator's object (operator.yaml) or the error \
             the specification predicts (operator-error.txt)"
        ),
    }
}

fn phrases(name: &str) -> &'static [&'static str] {
    ERROR_PHRASES
        .iter()
        .find(|(case, _)| *case == name)
        .map(|(_, phrases)| *phrases)
        .unwrap_or_else(|| {
            panic!("{name}: operator-error.txt needs its key phrases in ERROR_PHRASES")
        })
}

/// The KubeStash BackupConfigurations among `objects`, by namespace and name.
fn configurations(objects: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = objects
        .into_iter()
        .filter(|o| o["apiVersion"] == API_VERSION && o["kind"] == KIND)
        .collect();
    out.sort_by_key(id);
    out
}

fn id(object: &Value) -> String {
    format!(
        "{}/{}",
        object["metadata"]["namespace"].as_str().unwrap_or_default(),
        object["metadata"]["name"].as_str().unwrap_or_default()
    )
}

fn ids(objects: &[Value]) -> String {
    let ids: Vec<String> = objects.iter().map(id).collect();
    if ids.is_empty() {
        "none".into()
    } else {
        ids.join(", ")
    }
}

// ---------------------------------------------------------------------------------------------
// The normaliser

/// The openAPIV3Schema of the served version of the BackupConfiguration CRD, read by kubectl.
fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let crds = common::kubectl_objects(&common::read(CRD));
        let crd = crds
            .iter()
            .find(|c| c["spec"]["group"] == GROUP_NAME && c["spec"]["names"]["kind"] == KIND)
            .unwrap_or_else(|| panic!("{CRD}: no CRD for {GROUP_NAME} {KIND}"));
        crd["spec"]["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|v| {
                format!("{GROUP_NAME}/{}", v["name"].as_str().unwrap_or_default()) == API_VERSION
            })
            .map(|v| v["schema"]["openAPIV3Schema"].clone())
            .unwrap_or_else(|| panic!("{CRD}: no version for {API_VERSION}"))
    })
}

/// The schema of the field `key` of an object of `schema`.
fn field_schema<'a>(schema: &'a Value, key: &str) -> Option<&'a Value> {
    schema
        .get("properties")
        .and_then(|p| p.get(key))
        .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()))
}

/// A BackupConfiguration as the API server would keep it, for comparison:
///
/// 1. our marker annotation and our label are removed (the operator writes neither);
/// 2. nulls of fields that are not `nullable` are dropped (the API server prunes them before
///    defaulting; no field of this CRD is nullable);
/// 3. with `defaults`, every `default` of the CRD is filled in where the field is absent and
///    its parent present, as the API server does on create (`sessionHistoryLimit: 1`,
///    `retryConfig.maxRetry: 1` in a `retryConfig` that is there, hooks'
///    `executionPolicy: Always`, and defaults inside pod templates). Not for the guides'
///    partial objects, where an absent field may just be elided;
/// 4. durations ([`DURATIONS`]) are printed the way Go prints them (`1m` → `1m0s`);
/// 5. `{}` is dropped, recursively: Go's zero-value structs (`jobTemplate.template: {controller:
///    {}, metadata: {}, spec: {resources: {}}}`) say nothing.
///
/// Key order never matters: kubectl prints JSON and `serde_json` maps are ordered by key.
fn normalise(mut object: Value, defaults: bool) -> Value {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for (map, key) in [("annotations", MARKER), ("labels", LABEL)] {
            if let Some(map) = meta.get_mut(map).and_then(Value::as_object_mut) {
                map.remove(key);
            }
        }
    }
    prune_nulls(schema(), &mut object);
    if defaults {
        apply_defaults(schema(), &mut object);
    }
    for path in DURATIONS {
        at_path(&mut object, &split(path), &mut |value| {
            if let Value::String(text) = value
                && let Some(nanos) = parse_go_duration(text)
            {
                *text = go_duration(nanos);
            }
        });
    }
    common::drop_empty(&mut object);
    object
}

fn prune_nulls(schema: &Value, value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, v| {
                !(v.is_null()
                    && field_schema(schema, key)
                        .is_some_and(|s| s.get("nullable") != Some(&Value::Bool(true))))
            });
            for (key, v) in map.iter_mut() {
                if let Some(s) = field_schema(schema, key) {
                    prune_nulls(s, v);
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                items.iter_mut().for_each(|item| prune_nulls(s, item));
            }
        }
        _ => {}
    }
}

/// The API server's structural defaulting: a missing field with a `default` gets it, in every
/// object that is present (a default is never a reason to create its parent).
fn apply_defaults(schema: &Value, value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (key, field) in properties {
                    if let Some(default) = field.get("default")
                        && !map.contains_key(key)
                    {
                        map.insert(key.clone(), default.clone());
                    }
                }
            }
            for (key, v) in map.iter_mut() {
                if let Some(s) = field_schema(schema, key) {
                    apply_defaults(s, v);
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                items.iter_mut().for_each(|item| apply_defaults(s, item));
            }
        }
        _ => {}
    }
}

fn split(path: &str) -> Vec<&str> {
    path.split('.').collect()
}

/// Calls `f` on every value at `path` (`*`: each item of a list).
fn at_path(value: &mut Value, path: &[&str], f: &mut dyn FnMut(&mut Value)) {
    match path.split_first() {
        None => f(value),
        Some((&"*", rest)) => {
            if let Value::Array(items) = value {
                items.iter_mut().for_each(|item| at_path(item, rest, f));
            }
        }
        Some((key, rest)) => {
            if let Some(child) = value.as_object_mut().and_then(|m| m.get_mut(*key)) {
                at_path(child, rest, f);
            }
        }
    }
}

/// Go's `time.ParseDuration`, in nanoseconds: a sequence of decimal numbers with an optional
/// fraction and a unit (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`), optionally signed; `0` alone.
/// `None` where Go returns an error (a string that is no duration is then compared as it is).
fn parse_go_duration(text: &str) -> Option<i64> {
    const LIMIT: u64 = 1 << 63;
    let (negative, mut s) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if s == "0" {
        return Some(0);
    }
    if s.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !(s.starts_with('.') || s.as_bytes()[0].is_ascii_digit()) {
            return None;
        }
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let whole: u64 = if digits > 0 {
            s[..digits].parse().ok().filter(|&v| v <= LIMIT)?
        } else {
            0
        };
        s = &s[digits..];
        let (mut fraction, mut scale, mut fraction_digits) = (0u64, 1f64, 0);
        if let Some(rest) = s.strip_prefix('.') {
            s = rest;
            fraction_digits = s.bytes().take_while(u8::is_ascii_digit).count();
            // Go stops taking digits once the fraction would overflow.
            let mut overflow = false;
            for b in s[..fraction_digits].bytes() {
                if overflow || fraction > (LIMIT - 1) / 10 {
                    overflow = true;
                    continue;
                }
                let next = fraction * 10 + u64::from(b - b'0');
                if next > LIMIT {
                    overflow = true;
                    continue;
                }
                fraction = next;
                scale *= 10.0;
            }
            s = &s[fraction_digits..];
        }
        if digits == 0 && fraction_digits == 0 {
            return None;
        }
        let unit_len = s
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        let unit: u64 = match &s[..unit_len] {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        s = &s[unit_len..];
        if whole > LIMIT / unit {
            return None;
        }
        let mut value = whole * unit;
        if fraction > 0 {
            // As Go does it, in floating point.
            value += (fraction as f64 * (unit as f64 / scale)) as u64;
            if value > LIMIT {
                return None;
            }
        }
        total += value;
        if total > LIMIT {
            return None;
        }
    }
    if negative {
        Some(0i64.wrapping_sub_unsigned(total))
    } else {
        i64::try_from(total).ok()
    }
}

/// Go's `time.Duration.String()`: `1m0s`, `2h0m0s`, `1.5s`, `300ms`, `1.5µs`, `0s`.
fn go_duration(nanos: i64) -> String {
    /// `value` / 10^`digits`, with the fraction's trailing zeros (and a bare point) left out.
    fn decimal(value: u64, digits: u32) -> String {
        let scale = 10u64.pow(digits);
        let (whole, rest) = (value / scale, value % scale);
        if rest == 0 {
            whole.to_string()
        } else {
            let fraction = format!("{rest:0width$}", width = digits as usize);
            format!("{whole}.{}", fraction.trim_end_matches('0'))
        }
    }
    if nanos == 0 {
        return "0s".into();
    }
    let u = nanos.unsigned_abs();
    let text = if u < 1_000 {
        format!("{u}ns")
    } else if u < 1_000_000 {
        format!("{}µs", decimal(u, 3))
    } else if u < 1_000_000_000 {
        format!("{}ms", decimal(u, 6))
    } else {
        let seconds = decimal(u % 60_000_000_000, 9);
        let minutes = u / 60_000_000_000 % 60;
        let hours = u / 3_600_000_000_000;
        if hours > 0 {
            format!("{hours}h{minutes}m{seconds}s")
        } else if minutes > 0 {
            format!("{minutes}m{seconds}s")
        } else {
            format!("{seconds}s")
        }
    };
    if nanos < 0 { format!("-{text}") } else { text }
}

/// Where `want` (the guide's printed fields) is not part of `got`: every field of `want` must be
/// in `got` with a value that holds it in turn; lists compare item by item and must be as long
/// (the guides elide fields, never list items); anything else must be equal.
fn not_contained(want: &Value, got: &Value, path: &str, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (key, wv) in w {
                let p = format!("{path}.{key}");
                match g.get(key) {
                    Some(gv) => not_contained(wv, gv, &p, out),
                    None => out.push(format!("{p}: missing from ours (the guide prints {wv})")),
                }
            }
        }
        (Value::Array(w), Value::Array(g)) if w.len() == g.len() => {
            for (i, (wv, gv)) in w.iter().zip(g).enumerate() {
                not_contained(wv, gv, &format!("{path}[{i}]"), out);
            }
        }
        _ if want == got => {}
        _ => out.push(format!("{path}: the guide prints {want}, ours is {got}")),
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).expect("JSON")
}

/// How our BackupConfigurations (`ours`, as kubectl read them) differ from the operator's
/// (`want`), after normalising both: an empty list when they agree.
fn differences(want: &[Value], ours: &[Value], compare: Compare) -> Vec<String> {
    let want: Vec<Value> = want
        .iter()
        .map(|o| normalise(o.clone(), compare == Compare::Whole))
        .collect();
    let ours: Vec<Value> = ours.iter().map(|o| normalise(o.clone(), true)).collect();
    if ids(&want) != ids(&ours) {
        return vec![format!(
            "the operator created the {KIND} {}; ours: {}",
            ids(&want),
            ids(&ours)
        )];
    }
    let mut out = Vec::new();
    for (w, o) in want.iter().zip(&ours) {
        match compare {
            Compare::Whole if w != o => out.push(format!(
                "{KIND} {} differs from the operator's (both normalised):\n{}",
                id(w),
                similar_asserts::SimpleDiff::from_str(&pretty(w), &pretty(o), "operator", "ours")
            )),
            Compare::Whole => {}
            Compare::Subset => {
                let mut missing = Vec::new();
                not_contained(w, o, "", &mut missing);
                if !missing.is_empty() {
                    out.push(format!(
                        "{KIND} {} does not hold what the guide prints:\n  {}\nours, normalised:\n{}",
                        id(w),
                        missing.join("\n  "),
                        pretty(o)
                    ));
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Runs

/// The `results` of a ResourceList the function printed, read by kubectl. kubectl reads a
/// ResourceList as the list of its items and drops the rest, so the block-style `results:` at
/// column 0 is lifted into an object of its own first.
fn kubectl_results(stdout: &[u8]) -> Result<Vec<Value>, String> {
    let text = std::str::from_utf8(stdout).map_err(|e| format!("output is not UTF-8: {e}"))?;
    if text.trim_start().starts_with('{') {
        let list: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        return Ok(list["results"].as_array().cloned().unwrap_or_default());
    }
    let mut block = String::new();
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with("results:") {
            inside = true;
        } else if inside && !(line.starts_with(' ') || line.starts_with('-')) {
            inside = false;
        }
        if inside {
            block.push_str(line);
        }
    }
    if block.is_empty() {
        return Ok(Vec::new());
    }
    let document = format!(
        "apiVersion: test.stash-autobackup.example/v1\nkind: FunctionResults\n\
         metadata:\n  name: results\n{block}"
    );
    let objects = common::try_kubectl_objects(document.as_bytes())?;
    Ok(objects
        .first()
        .and_then(|o| o["results"].as_array())
        .cloned()
        .unwrap_or_default())
}

/// What is wrong with one run of the function (its exit code, stdout and, for messages,
/// stderr) against what the operator did; `errors` gives the messages of the run's error results.
fn check_run(
    operator: &Operator,
    compare: Compare,
    code: &str,
    stdout: &[u8],
    stderr: &str,
    errors: &dyn Fn() -> Result<Vec<String>, String>,
) -> Vec<String> {
    let objects = match common::try_kubectl_objects(stdout) {
        Ok(objects) => objects,
        Err(e) => return vec![format!("kubectl cannot read the output: {e}")],
    };
    let ours = configurations(objects);
    match operator {
        Operator::Created(want) => {
            if code != "0" {
                return vec![format!("exit code {code}, not 0; stderr:\n{stderr}")];
            }
            if ours.is_empty() {
                return vec![format!(
                    "no {API_VERSION} {KIND} in the output (the operator created {}): the \
                     KubeStash family generates none yet, or stops short; stderr:\n{stderr}",
                    ids(want)
                )];
            }
            differences(want, &ours, compare)
        }
        Operator::Refused(phrases) => {
            let mut out = Vec::new();
            if code != "1" {
                out.push(format!(
                    "exit code {code}, not 1 (an error result is expected); stderr:\n{stderr}"
                ));
            }
            if !ours.is_empty() {
                out.push(format!(
                    "generated {KIND} {}, where the specification predicts none",
                    ids(&ours)
                ));
            }
            match errors() {
                Ok(messages) => {
                    if !messages
                        .iter()
                        .any(|m| phrases.iter().all(|p| m.contains(p)))
                    {
                        out.push(format!(
                            "no error result says {phrases:?}; the errors: {messages:?}"
                        ));
                    }
                }
                Err(e) => out.push(format!("the results cannot be read: {e}")),
            }
            out
        }
    }
}

fn assert_no_failures(what: &str, failures: &[String], cases: usize) {
    assert!(
        failures.is_empty(),
        "{} of {cases} KubeStash examples: {what}:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

// ---------------------------------------------------------------------------------------------
// The examples

#[test]
fn every_example_says_what_the_operator_did() {
    let cases = common::cases(GROUP);
    assert!(
        cases.len() >= 17,
        "{GROUP} holds the guides' examples ({})",
        cases.len()
    );
    let mut refused = Vec::new();
    for case in &cases {
        let name = common::case_name(GROUP, case);
        assert!(case.join("source.txt").is_file(), "{name}: source.txt");
        let source = fs::read_to_string(case.join("source.txt")).expect("source.txt");
        assert_eq!(
            Compare::of(&name) == Compare::Subset,
            source.starts_with("Status: PARTIAL"),
            "{name}: `-partial` names exactly the examples whose guide elides parts of the object"
        );
        match operator(case, &name) {
            Operator::Created(objects) => {
                let all = common::kubectl_objects(&fs::read(case.join("operator.yaml")).unwrap());
                assert!(
                    !objects.is_empty(),
                    "{name}: operator.yaml holds the {KIND}"
                );
                assert_eq!(
                    objects.len(),
                    all.len(),
                    "{name}: operator.yaml holds only {API_VERSION} {KIND}s"
                );
            }
            Operator::Refused(phrases) => {
                let text = fs::read_to_string(case.join("operator-error.txt")).unwrap();
                for phrase in phrases {
                    assert!(
                        text.contains(phrase),
                        "{name}: the key phrase {phrase:?} is not in operator-error.txt"
                    );
                }
                refused.push(name);
            }
        }
    }
    for (name, _) in ERROR_PHRASES {
        assert!(
            refused.iter().any(|r| r == name),
            "ERROR_PHRASES names {name}, which is no example with operator-error.txt"
        );
    }
}

#[test]
fn golden_output_matches_the_operator() {
    let cases = common::cases(GROUP);
    let mut failures = Vec::new();
    for case in &cases {
        let name = common::case_name(GROUP, case);
        let operator = operator(case, &name);
        let (stdout, code) = match (
            fs::read(case.join("expected/stdout")),
            fs::read_to_string(case.join("expected/exit-code")),
        ) {
            (Ok(stdout), Ok(code)) => (stdout, code),
            (Err(e), _) | (_, Err(e)) => {
                failures.push(format!(
                    "{name}: no golden output ({e}): once the KubeStash family generates, \
                     `UPDATE_GOLDEN=1 cargo test --test golden -- kubestash/operator-docs/` \
                     writes expected/ for review"
                ));
                continue;
            }
        };
        let stderr = fs::read_to_string(case.join("expected/stderr")).unwrap_or_default();
        let errors = || -> Result<Vec<String>, String> {
            kubectl_results(&stdout).map(|results| {
                results
                    .iter()
                    .filter(|r| r["severity"] == "error")
                    .map(|r| r["message"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
        };
        let found = check_run(
            &operator,
            Compare::of(&name),
            code.trim(),
            &stdout,
            &stderr,
            &errors,
        );
        if !found.is_empty() {
            failures.push(format!("{name} (expected/stdout): {}", found.join("\n")));
        }
    }
    assert_no_failures(
        "the golden output disagrees with the operator",
        &failures,
        cases.len(),
    );
}

#[test]
fn stream_mode_matches_the_operator() {
    let cases = common::cases(GROUP);
    let mut failures = Vec::new();
    for case in &cases {
        let name = common::case_name(GROUP, case);
        let operator = operator(case, &name);
        let list = fs::read_to_string(case.join("input.yaml")).expect("input.yaml is UTF-8");
        let run = common::function(&[], common::unwrapped(&name, &list).as_bytes());
        // Stream mode prints its results on stderr, one line each: `error: <object> <field>: …`.
        let errors = || -> Result<Vec<String>, String> {
            Ok(run
                .stderr
                .lines()
                .filter_map(|l| l.strip_prefix("error: "))
                .map(str::to_owned)
                .collect())
        };
        let mut found = check_run(
            &operator,
            Compare::of(&name),
            &run.code.to_string(),
            &run.stdout,
            &run.stderr,
            &errors,
        );
        if matches!(operator, Operator::Refused(_)) && run.code != 0 && !run.stdout.is_empty() {
            found.push("printed objects although it failed: stream mode prints nothing".into());
        }
        if !found.is_empty() {
            failures.push(format!("{name} (stream mode): {}", found.join("\n")));
        }
    }
    assert_no_failures(
        "stream mode disagrees with the operator",
        &failures,
        cases.len(),
    );
}

// ---------------------------------------------------------------------------------------------
// The normaliser on its own

/// The operator's objects of every example that has them, with the example's name and mode.
fn printed() -> Vec<(String, Compare, Vec<Value>)> {
    common::cases(GROUP)
        .iter()
        .filter_map(|case| {
            let name = common::case_name(GROUP, case);
            match operator(case, &name) {
                Operator::Created(objects) => Some((name.clone(), Compare::of(&name), objects)),
                Operator::Refused(_) => None,
            }
        })
        .collect()
}

#[test]
fn normaliser_go_durations() {
    for (text, go) in [
        ("1m", "1m0s"),
        ("1m0s", "1m0s"),
        ("60s", "1m0s"),
        ("90s", "1m30s"),
        ("2h", "2h0m0s"),
        ("2h0m0s", "2h0m0s"),
        ("1.5h", "1h30m0s"),
        ("1h0m0.5s", "1h0m0.5s"),
        ("300ms", "300ms"),
        ("1500ns", "1.5µs"),
        ("1us", "1µs"),
        ("1µs", "1µs"),
        ("1.m", "1m0s"),
        (".5s", "500ms"),
        ("+5s", "5s"),
        ("-1m", "-1m0s"),
        ("0", "0s"),
        ("0s", "0s"),
        ("2562047h47m16.854775807s", "2562047h47m16.854775807s"),
    ] {
        let nanos = parse_go_duration(text).unwrap_or_else(|| panic!("{text:?} is a duration"));
        assert_eq!(go_duration(nanos), go, "{text:?}");
    }
    for bad in [
        "",
        "1",
        "m",
        "1x",
        ".",
        "-",
        "1m5",
        "s1",
        "1 m",
        "1d",
        "9223372036854775808ns",
    ] {
        assert_eq!(parse_go_duration(bad), None, "{bad:?} is not a duration");
    }
}

#[test]
fn normaliser_defaults_come_from_the_crd() {
    /// Every `default` of the schema outside pod templates, as `path = value`.
    fn defaults(schema: &Value, path: &str, out: &mut Vec<String>) {
        if let Some(default) = schema.get("default") {
            out.push(format!("{path} = {default}"));
        }
        for (key, child) in schema
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if !matches!(key.as_str(), "jobTemplate" | "runtimeSettings" | "status") {
                defaults(child, &format!("{path}.{key}"), out);
            }
        }
        if let Some(items) = schema.get("items") {
            defaults(items, &format!("{path}[]"), out);
        }
    }
    let mut found = Vec::new();
    defaults(schema(), "", &mut found);
    for expected in [
        ".spec.sessions[].sessionHistoryLimit = 1",
        ".spec.sessions[].retryConfig.maxRetry = 1",
        ".spec.sessions[].hooks.preBackup[].executionPolicy = \"Always\"",
        ".spec.sessions[].hooks.postBackup[].executionPolicy = \"Always\"",
    ] {
        assert!(
            found.iter().any(|f| f == expected),
            "the CRD's defaults include {expected}: {found:#?}"
        );
    }

    let session = |extra: Value| {
        let mut object = json!({
            "apiVersion": API_VERSION, "kind": KIND,
            "metadata": {"name": "x", "namespace": "demo"},
            "spec": {"sessions": [{"name": "s"}]}
        });
        let s = object["spec"]["sessions"][0].as_object_mut().unwrap();
        s.extend(extra.as_object().unwrap().clone());
        normalise(object, true)["spec"]["sessions"][0].clone()
    };
    assert_eq!(
        session(json!({})),
        json!({"name": "s", "sessionHistoryLimit": 1})
    );
    assert_eq!(
        session(json!({"retryConfig": {}}))["retryConfig"],
        json!({"maxRetry": 1}),
        "a retryConfig that is there gets maxRetry"
    );
    assert_eq!(
        session(json!({"hooks": {"preBackup": [{"name": "h"}]}}))["hooks"],
        json!({"preBackup": [{"name": "h", "executionPolicy": "Always"}]})
    );
    assert_eq!(
        session(json!({"hooks": {}})).get("hooks"),
        None,
        "no hooks, no defaults"
    );
}

#[test]
fn normaliser_duration_fields_are_strings_of_the_crd() {
    for path in DURATIONS {
        let mut s = schema();
        for key in split(path) {
            s = if key == "*" {
                &s["items"]
            } else {
                field_schema(s, key).unwrap_or_else(|| panic!("{path}: no field {key} in the CRD"))
            };
        }
        assert_eq!(s["type"], "string", "{path} is a string of the CRD");
    }
}

/// Every operator object agrees with itself, and normalising twice changes nothing.
#[test]
fn normaliser_each_operator_object_matches_itself() {
    let printed = printed();
    assert!(printed.len() >= 16, "the examples with objects");
    for (name, compare, objects) in printed {
        assert_eq!(
            differences(&objects, &objects, compare),
            Vec::<String>::new(),
            "{name}"
        );
        for object in &objects {
            for defaults in [false, true] {
                let once = normalise(object.clone(), defaults);
                assert_eq!(
                    normalise(once.clone(), defaults),
                    once,
                    "{name}: idempotent"
                );
            }
        }
    }
}

/// The JSON text of `value` with the keys of every object in reverse order.
fn reversed_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .rev()
                .map(|(k, v)| format!("{}:{}", Value::from(k.as_str()), reversed_json(v)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(reversed_json).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// A duration spelled as a person might (`1m0s` → `1m`, `2h0m0s` → `2h`; else in seconds).
fn respelled(go: &str) -> Option<String> {
    let nanos = parse_go_duration(go)?;
    let short = go
        .strip_suffix("m0s")
        .map(|p| format!("{p}m"))
        .map(|p| p.strip_suffix("h0m").map_or(p.clone(), |h| format!("{h}h")));
    match short {
        Some(short) if short != go => Some(short),
        _ if nanos % 1_000_000_000 == 0 => Some(format!("{}s", nanos / 1_000_000_000)),
        _ => Some(format!("{nanos}ns")),
    }
}

/// What the family is allowed to write where the operator's printed object differs only in
/// form: the object as the blueprint wrote it (no Go zero values, no API-server defaults,
/// durations as a person spells them), with a zero-value `addon.jobTemplate` where there was
/// none, our marker and label, and its keys in another order. Counts what it changed in
/// `changed`.
fn perturbed(object: &Value, changed: &mut [usize; 5]) -> Value {
    let mut ours = object.clone();
    let before = ours.clone();
    common::drop_empty(&mut ours);
    changed[0] += usize::from(ours != before);
    for path in DURATIONS {
        at_path(&mut ours, &split(path), &mut |v| {
            if let Some(spelled) = v.as_str().and_then(respelled) {
                *v = Value::from(spelled);
                changed[1] += 1;
            }
        });
    }
    for session in ours["spec"]["sessions"]
        .as_array_mut()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
    {
        if session.get("sessionHistoryLimit") == Some(&json!(1)) {
            session.remove("sessionHistoryLimit");
            changed[2] += 1;
        }
        if let Some(retry) = session
            .get_mut("retryConfig")
            .and_then(Value::as_object_mut)
            && retry.get("maxRetry") == Some(&json!(1))
        {
            retry.remove("maxRetry");
            changed[2] += 1;
        }
        if let Some(addon) = session.get_mut("addon").and_then(Value::as_object_mut)
            && !addon.contains_key("jobTemplate")
        {
            addon.insert(
                "jobTemplate".into(),
                json!({"controller": {}, "metadata": {}, "spec": {"resources": {}}}),
            );
            changed[3] += 1;
        }
    }
    let meta = ours["metadata"].as_object_mut().expect("metadata");
    let annotations = meta
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    annotations[MARKER] = Value::from("some-blueprint");
    let labels = meta
        .entry("labels")
        .or_insert_with(|| Value::Object(Map::new()));
    labels[LABEL] = Value::from("true");
    changed[4] += 1;
    let mut read = common::kubectl_objects(reversed_json(&ours).as_bytes());
    assert_eq!(read.len(), 1, "kubectl reads one object back");
    read.remove(0)
}

#[test]
fn normaliser_forgives_what_only_differs_in_form() {
    let mut changed = [0; 5];
    for (name, compare, objects) in printed() {
        let mut ours: Vec<Value> = objects.iter().map(|o| perturbed(o, &mut changed)).collect();
        assert_ne!(ours, objects, "{name}: the perturbation changes something");
        assert_eq!(
            differences(&objects, &ours, compare),
            Vec::<String>::new(),
            "{name}: perturbed"
        );
        if compare == Compare::Subset {
            for o in &mut ours {
                o["metadata"]["labels"]["extra.example.com/elided"] = Value::from("x");
                o["spec"]["sessions"][0]["failurePolicy"] = Value::from("Retry");
            }
            assert_eq!(
                differences(&objects, &ours, compare),
                Vec::<String>::new(),
                "{name}: ours may have more than a partial guide prints"
            );
        }
    }
    let [zero, durations, defaults, templates, markers] = changed;
    for (what, count) in [
        ("zero values", zero),
        ("durations", durations),
        ("defaults", defaults),
        ("zero-value addon templates", templates),
        ("markers", markers),
    ] {
        assert!(count > 0, "the examples exercise {what}");
    }
}

#[test]
fn normaliser_keeps_real_differences() {
    let base = json!({
        "apiVersion": API_VERSION, "kind": KIND,
        "metadata": {"name": "appbinding-db", "namespace": "demo",
                     "labels": {"app.kubernetes.io/managed-by": "kubestash.com"}},
        "spec": {
            "sessions": [{
                "name": "frequent-backup",
                "sessionHistoryLimit": 3,
                "scheduler": {"schedule": "*/5 * * * *", "jobTemplate": {"backoffLimit": 1}},
                "retryConfig": {"maxRetry": 2, "delay": "1m0s"},
                "repositories": [{"name": "r", "backend": "b", "directory": "/d"}],
            }],
            "target": {"apiGroup": "kubedb.com", "kind": "Postgres", "name": "db", "namespace": "demo"}
        }
    });
    let variant = |edit: &dyn Fn(&mut Value)| {
        let mut v = base.clone();
        edit(&mut v);
        v
    };
    let differ = |want: &Value, ours: &Value, compare: Compare| {
        !differences(
            std::slice::from_ref(want),
            std::slice::from_ref(ours),
            compare,
        )
        .is_empty()
    };
    let cases: Vec<(&str, Value, Value, Compare)> = vec![
        (
            "another sessionHistoryLimit",
            base.clone(),
            variant(&|v| v["spec"]["sessions"][0]["sessionHistoryLimit"] = json!(2)),
            Compare::Whole,
        ),
        (
            "a sessionHistoryLimit left out that is not the default",
            base.clone(),
            variant(&|v| {
                v["spec"]["sessions"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("sessionHistoryLimit");
            }),
            Compare::Whole,
        ),
        (
            "another delay",
            base.clone(),
            variant(&|v| v["spec"]["sessions"][0]["retryConfig"]["delay"] = json!("2m")),
            Compare::Whole,
        ),
        (
            "a retryConfig the operator has and ours has not",
            variant(&|v| v["spec"]["sessions"][0]["retryConfig"] = json!({"maxRetry": 1})),
            variant(&|v| {
                v["spec"]["sessions"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("retryConfig");
            }),
            Compare::Whole,
        ),
        (
            "paused (the mssqlserver guide's object, paused after it was created)",
            base.clone(),
            variant(&|v| v["spec"]["paused"] = json!(true)),
            Compare::Whole,
        ),
        (
            "a zero that is not an empty object",
            base.clone(),
            variant(&|v| {
                v["spec"]["sessions"][0]["scheduler"]["jobTemplate"]["backoffLimit"] = json!(0)
            }),
            Compare::Whole,
        ),
        (
            "an annotation other than our marker",
            base.clone(),
            variant(&|v| v["metadata"]["annotations"] = json!({"x.example.com/y": "z"})),
            Compare::Whole,
        ),
        (
            "a label other than ours, in our domain",
            base.clone(),
            variant(&|v| {
                v["metadata"]["labels"]["autobackup.stash.appscode.com/other"] = json!("true")
            }),
            Compare::Whole,
        ),
        (
            "a number written as a string",
            base.clone(),
            variant(&|v| v["spec"]["sessions"][0]["sessionHistoryLimit"] = json!("3")),
            Compare::Whole,
        ),
        (
            "another name",
            base.clone(),
            variant(&|v| v["metadata"]["name"] = json!("appbinding-other")),
            Compare::Whole,
        ),
        (
            "a printed field missing from ours (partial)",
            base.clone(),
            variant(&|v| {
                v["spec"].as_object_mut().unwrap().remove("target");
            }),
            Compare::Subset,
        ),
        (
            "another value under a partial guide's field",
            base.clone(),
            variant(&|v| v["spec"]["sessions"][0]["repositories"][0]["directory"] = json!("/e")),
            Compare::Subset,
        ),
        (
            "a session more than a partial guide prints",
            base.clone(),
            variant(&|v| {
                let s = v["spec"]["sessions"][0].clone();
                v["spec"]["sessions"].as_array_mut().unwrap().push(s);
            }),
            Compare::Subset,
        ),
    ];
    for (what, want, ours, compare) in &cases {
        assert!(differ(want, ours, *compare), "{what}: must differ");
    }
    assert!(
        !differ(&base, &base, Compare::Whole),
        "the base object matches itself"
    );
}

#[test]
fn normaliser_reads_results_of_a_resource_list() {
    let stdout =
        common::read("testdata/stash/database/bad-annotations-reported-once/expected/stdout");
    let results = kubectl_results(&stdout).expect("results");
    assert!(
        results.iter().any(|r| r["severity"] == "error"
            && r["message"]
                .as_str()
                .is_some_and(|m| m.contains("metadata.annotations must be a mapping"))),
        "{results:#?}"
    );
    let none = common::read("testdata/kubestash/operator-docs/druid-default/input.yaml");
    assert_eq!(
        kubectl_results(&none),
        Ok(Vec::new()),
        "an input has no results"
    );
}
