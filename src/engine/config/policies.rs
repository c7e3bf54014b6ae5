//! The option `policies`: backup policies a run checks (docs/policy.md). Each selects subjects
//! by kind, namespace and labels and requires of them a backup, a longest gap between
//! backups, a restore depth and a number of copies. A malformed policy is an error of the
//! options: the run then generates and prunes nothing, as for any bad option.

use std::fmt::Write as _;

use crate::engine::fields::{Fields, Problem, Problems};
use crate::engine::k8s_names;
use crate::engine::labels::{self, LabelSelector};
use crate::krm::results::Severity;
use crate::suggest;
use crate::yaml::tree::{NodeId, Tree};

/// One policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Unique among the run's policies; messages name it.
    pub name: String,
    pub select: Selection,
    pub require: Require,
    /// Of the results of its failed requirements.
    pub severity: Severity,
}

/// Which subjects a policy governs: all its conditions hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Kinds or kubectl's short names, compared without case; empty: every database.
    pub kinds: Vec<String>,
    /// Empty: every namespace.
    pub namespaces: Vec<String>,
    pub labels: LabelSelector,
}

/// What a policy requires.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Require {
    /// At least one backup, or an opt-out with a reason.
    pub backup: bool,
    /// The longest time between two backup starts.
    pub max_interval: Option<Duration>,
    /// How far back a restore can always reach.
    pub min_retention: Option<Duration>,
    /// Distinct storage locations holding the subject's backups.
    pub min_copies: Option<u32>,
}

/// A duration as written and in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duration {
    pub written: String,
    pub seconds: i64,
}

const POLICY_KEYS: [&str; 4] = ["name", "select", "require", "severity"];
const SELECT_KEYS: [&str; 3] = ["kinds", "namespaces", "labelSelector"];
const REQUIRE_KEYS: [&str; 4] = ["backup", "maxInterval", "minRetention", "minCopies"];
const SELECTOR_KEYS: [&str; 2] = ["matchLabels", "matchExpressions"];
const EXPRESSION_KEYS: [&str; 3] = ["key", "operator", "values"];

/// The policies of the list at `node` (the typed form), or every problem with them, one per
/// line, each at its path under `field`.
pub fn read(tree: &Tree<'_>, node: NodeId, field: &str) -> Result<Vec<Policy>, String> {
    let problems = Problems::default();
    let reader = Fields::new(tree, node, field, &problems);
    let policies = match tree.items(node) {
        Some(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let path = format!("{field}[{i}]");
                policy(&Fields::new(tree, *item, &path, &problems))
            })
            .collect(),
        None if tree.is_null(node) => Vec::new(),
        None => {
            reader.report_here(Problem::Expected("a list of policies"));
            Vec::new()
        }
    };
    for (i, policy) in policies.iter().enumerate() {
        if policies[..i].iter().any(|p| p.name == policy.name) {
            let message = format!("two policies are named `{}`: rename one", policy.name);
            reader.report_here(Problem::Custom(message.into()));
        }
    }
    let problems = problems.into_vec();
    if problems.is_empty() {
        return Ok(policies);
    }
    let mut message = String::new();
    for problem in problems {
        let joint = if message.is_empty() { "" } else { "; " };
        let _ = match &problem.problem {
            // A reader's own wording names no field: the path leads it.
            Problem::Custom(text) => write!(message, "{joint}{}: {text}", problem.field),
            _ => write!(message, "{joint}{problem}"),
        };
    }
    Err(message)
}

/// The policies of `text`, YAML holding the list (the ConfigMap form, where every value is a
/// string).
pub fn read_text(text: &str, field: &str) -> Result<Vec<Policy>, String> {
    let (tree, root) = crate::yaml::events::capture_first(text)
        .map_err(|e| format!("{field} is not YAML: {e}"))?;
    match root {
        Some(root) => read(&tree, root, field),
        None => Ok(Vec::new()),
    }
}

/// Reports each key of `reader`'s mapping that is none of `known`, with the closest known one.
fn unknown_keys(reader: &Fields<'_, '_>, known: &[&str]) {
    for (key, _) in reader.entries() {
        let Some(key) = reader.tree().scalar(*key) else {
            continue;
        };
        if !known.contains(&key) {
            let hint = suggest::closest(key, known.iter().copied())
                .map(|meant| format!("did you mean `{meant}`? "))
                .unwrap_or_default();
            let message = format!("unknown key; {hint}the keys are {}", known.join(", "));
            reader.report(key, Problem::Custom(message.into()));
        }
    }
}

/// A mapping at `reader`, or the problem that it is none.
fn mapping(reader: &Fields<'_, '_>, what: &'static str) -> bool {
    let is_mapping = reader.tree().entries(reader.id()).is_some();
    if !is_mapping {
        reader.report_here(Problem::Expected(what));
    }
    is_mapping
}

fn policy(reader: &Fields<'_, '_>) -> Option<Policy> {
    if !mapping(reader, "a mapping with name, select, require and severity") {
        return None;
    }
    unknown_keys(reader, &POLICY_KEYS);
    let name = reader.string("name", custom("every policy needs a `name`"));
    let severity = match reader.optional_string("severity") {
        None | Some("error") => Severity::Error,
        Some("warning") => Severity::Warning,
        Some(other) => {
            let allowed = vec!["error", "warning"];
            let value = other.to_owned();
            reader.report("severity", Problem::NotOneOf { value, allowed });
            Severity::Error
        }
    };
    let select = reader
        .mapping("select")
        .map(|s| selection(&s))
        .unwrap_or_default();
    let require = match reader.mapping("require") {
        Some(r) => require(&r),
        None => {
            reader.report("require", custom("a policy must require something"));
            Require::default()
        }
    };
    Some(Policy {
        name: name?.to_owned(),
        select,
        require,
        severity,
    })
}

fn custom(message: &'static str) -> Problem {
    Problem::Custom(message.into())
}

fn selection(reader: &Fields<'_, '_>) -> Selection {
    unknown_keys(reader, &SELECT_KEYS);
    let namespaces = strings(reader, "namespaces");
    for (i, namespace) in namespaces.iter().enumerate() {
        if !k8s_names::is_dns_label(namespace) {
            let field = format!("namespaces[{i}]");
            reader.report(&field, Problem::NotNamespace(namespace.clone()));
        }
    }
    Selection {
        kinds: strings(reader, "kinds"),
        namespaces,
        labels: reader
            .mapping("labelSelector")
            .map(|s| label_selector(&s))
            .unwrap_or_default(),
    }
}

/// The non-empty strings of the list under `key`.
fn strings(reader: &Fields<'_, '_>, key: &str) -> Vec<String> {
    let items = reader.list(key).unwrap_or_default();
    let mut out = Vec::new();
    for item in items {
        match item.own_text().filter(|t| !t.is_empty()) {
            Some(text) => out.push(text.to_owned()),
            None => item.report_here(Problem::Expected("a non-empty string")),
        }
    }
    out
}

fn label_selector(reader: &Fields<'_, '_>) -> LabelSelector {
    unknown_keys(reader, &SELECTOR_KEYS);
    for item in reader.items("matchExpressions") {
        unknown_keys(&item, &EXPRESSION_KEYS);
    }
    labels::read(reader).unwrap_or_default()
}

fn require(reader: &Fields<'_, '_>) -> Require {
    unknown_keys(reader, &REQUIRE_KEYS);
    let duration = |key: &str| {
        let text = reader.optional_string(key)?;
        match parse_duration(text) {
            Ok(seconds) => Some(Duration {
                written: text.to_owned(),
                seconds,
            }),
            Err(why) => {
                let message = format!("`{text}` {why}");
                reader.report(key, Problem::Custom(message.into()));
                None
            }
        }
    };
    let require = Require {
        backup: reader.bool("backup").unwrap_or(false),
        max_interval: duration("maxInterval"),
        min_retention: duration("minRetention"),
        min_copies: reader.optional_string("minCopies").and_then(|text| {
            let copies = text.parse::<u32>().ok().filter(|n| *n > 0);
            if copies.is_none() {
                reader.report("minCopies", custom("must be a whole number above 0"));
            }
            copies
        }),
    };
    let asks = require.backup
        || require.max_interval.is_some()
        || require.min_retention.is_some()
        || require.min_copies.is_some();
    if !asks && reader.entries().is_empty() {
        reader.report_here(custom(
            "a policy must require something: backup: true, maxInterval, minRetention or \
             minCopies",
        ));
    }
    require
}

/// A duration as Go's `time.ParseDuration` reads it (`90m`, `1h30m`, `1.5h`), with `d` (24h)
/// and `w` (7d) besides, in whole seconds above zero; else why not.
pub fn parse_duration(text: &str) -> Result<i64, &'static str> {
    const NOT: &str = "is not a duration: write numbers with units s, m, h, d or w (`36h`, `7d`)";
    if text.starts_with('-') {
        return Err("must be above zero");
    }
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    if rest.is_empty() {
        return Err(NOT);
    }
    let mut nanos: u128 = 0;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_end);
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_end);
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "d" => 86_400_000_000_000,
            "w" => 604_800_000_000_000,
            _ => return Err(NOT),
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
            return Err(NOT);
        }
        let whole: u128 = match whole {
            "" => 0,
            w => w.parse().map_err(|_| "is too long")?,
        };
        let mut part = whole.checked_mul(scale).ok_or("is too long")?;
        let mut unit_scale = scale;
        for digit in fraction.bytes().take(30) {
            unit_scale /= 10;
            part += u128::from(digit - b'0') * unit_scale;
        }
        nanos = nanos.checked_add(part).ok_or("is too long")?;
        rest = after;
    }
    if nanos == 0 {
        return Err("must be above zero");
    }
    if !nanos.is_multiple_of(1_000_000_000) {
        return Err("is not a whole number of seconds");
    }
    i64::try_from(nanos / 1_000_000_000).map_err(|_| "is too long")
}

/// A length of time as messages give it: `1d 0h`, `2h 30m`, `45m`, `30s`.
pub fn human(seconds: i64) -> String {
    let (days, hours) = (seconds / 86_400, seconds % 86_400 / 3_600);
    let (minutes, secs) = (seconds % 3_600 / 60, seconds % 60);
    match (days, hours, minutes, secs) {
        (0, 0, 0, s) => format!("{s}s"),
        (0, 0, m, 0) => format!("{m}m"),
        (0, 0, m, s) => format!("{m}m {s}s"),
        (0, h, m, _) => format!("{h}h {m}m"),
        (d, h, 0, _) => format!("{d}d {h}h"),
        (d, h, m, _) => format!("{d}d {h}h {m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_go_reads_them_with_days_and_weeks() {
        for (text, seconds) in [
            ("1h", 3_600),
            ("90m", 5_400),
            ("1h30m", 5_400),
            ("1.5h", 5_400),
            ("36h", 129_600),
            ("1d", 86_400),
            ("30d", 2_592_000),
            ("1w", 604_800),
            ("2w3d", 1_468_800),
            ("1500ms", -1),
            ("1000ms", 1),
            ("+15m", 900),
            (".5m", 30),
        ] {
            let got = parse_duration(text);
            match seconds {
                -1 => assert!(got.is_err(), "{text}"),
                s => assert_eq!(got, Ok(s), "{text}"),
            }
        }
        for bad in [
            "", "1", "h", "1x", "1 h", "-1h", "0", "0s", "1.h.", "1y", "1mo", ".",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn lengths_read_as_people_read_them() {
        for (seconds, text) in [
            (30, "30s"),
            (900, "15m"),
            (930, "15m 30s"),
            (3_600, "1h 0m"),
            (9_000, "2h 30m"),
            (86_400, "1d 0h"),
            (172_800 + 3_600, "2d 1h"),
            (86_400 + 60, "1d 0h 1m"),
        ] {
            assert_eq!(human(seconds), text);
        }
    }

    #[test]
    fn every_malformed_policy_is_named() {
        for (text, wanted) in [
            ("{name: p}", "policies must be a list of policies"),
            (
                "[{name: p}]",
                "policies[0].require: a policy must require something",
            ),
            (
                "[{require: {backup: true}}]",
                "policies[0].name: every policy needs a `name`",
            ),
            (
                "[{name: p, require: {}}]",
                "a policy must require something",
            ),
            (
                "[{name: p, require: {maxInterval: 1hr}}]",
                "policies[0].require.maxInterval: `1hr` is not a duration",
            ),
            (
                "[{name: p, require: {minRetention: -1d}}]",
                "must be above zero",
            ),
            (
                "[{name: p, require: {minCopies: 0}}]",
                "policies[0].require.minCopies: must be a whole number above 0",
            ),
            (
                "[{name: p, require: {backup: maybe}}]",
                "policies[0].require.backup must be true or false",
            ),
            (
                "[{name: p, require: {backup: true}, severity: fatal}]",
                "policies[0].severity must be `error` or `warning`, not `fatal`",
            ),
            (
                "[{name: p, require: {bakup: true}}]",
                "policies[0].require.bakup: unknown key; did you mean `backup`?",
            ),
            (
                "[{name: p, selct: {}, require: {backup: true}}]",
                "did you mean `select`?",
            ),
            (
                "[{name: p, require: {backup: true}}, {name: p, require: {backup: true}}]",
                "policies: two policies are named `p`",
            ),
            (
                "[{name: p, require: {backup: true}, select: {namespaces: [Shop]}}]",
                "policies[0].select.namespaces[0] \"Shop\" is not a valid Kubernetes namespace",
            ),
            (
                "[{name: p, require: {backup: true}, select: {labelSelector: {matchExpressions: [{key: a, operator: In}]}}}]",
                "In and NotIn need at least one value",
            ),
            (
                "[{name: p, require: {backup: true}, select: {labelSelector: {matchExpressions: [{key: a, operator: Exists, values: [b]}]}}}]",
                "take no values",
            ),
            (
                "[{name: p, require: {backup: true}, select: {labelSelector: {matchExpressions: [{key: a, operator: in}]}}}]",
                "must be `In`, `NotIn`, `Exists` or `DoesNotExist`, not `in`",
            ),
            (
                "[{name: p, require: {backup: true}, select: {kinds: Postgres}}]",
                "policies[0].select.kinds must be a list",
            ),
            ("[p]", "policies[0] must be a mapping with name"),
            ("[{name: p, require: {backup: true}", "policies is not YAML"),
        ] {
            let got = read_text(text, "policies").expect_err(text);
            assert!(got.contains(wanted), "{text}:\n{got}\nwanted: {wanted}");
        }
    }

    #[test]
    fn a_policy_reads_whole() {
        let policies = read_text(
            "- name: production-databases\n  select:\n    kinds: [Postgres, MySQL]\n    \
             namespaces: [shop]\n    labelSelector: {matchLabels: {tier: gold}}\n  require:\n    \
             backup: true\n    maxInterval: 1h\n    minRetention: 30d\n    minCopies: 2\n  \
             severity: warning\n",
            "policies",
        )
        .unwrap();
        assert_eq!(
            policies,
            [Policy {
                name: "production-databases".into(),
                select: Selection {
                    kinds: vec!["Postgres".into(), "MySQL".into()],
                    namespaces: vec!["shop".into()],
                    labels: LabelSelector {
                        match_labels: vec![("tier".into(), "gold".into())],
                        expressions: Vec::new(),
                    },
                },
                require: Require {
                    backup: true,
                    max_interval: Some(Duration {
                        written: "1h".into(),
                        seconds: 3_600
                    }),
                    min_retention: Some(Duration {
                        written: "30d".into(),
                        seconds: 2_592_000
                    }),
                    min_copies: Some(2),
                },
                severity: Severity::Warning,
            }]
        );
        assert_eq!(read_text("", "policies"), Ok(Vec::new()));
        assert_eq!(read_text("[]", "policies"), Ok(Vec::new()));
    }
}
