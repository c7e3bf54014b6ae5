//! The backup-policy check: each policy of the options against each subject it selects,
//! measured from what the families described (`engine::protection`), one finding per failed
//! requirement, on the subject (docs/policy.md, "The check").

use std::collections::HashMap;
use std::fmt;

use super::gap::{Gap, longest_gap};
use super::kubestash::{Retention as KubeStashRetention, parse_period};
use super::stash::Retention as StashRetention;
use super::{Depth, Span, Unknowable};
use crate::engine::calendar::{Schedule, format_utc};
use crate::engine::config::policies::{Policy, Selection, human};
use crate::engine::finding::{FamilyId, Finding, Found};
use crate::engine::protection::{Backup, Protected, Retention, SKIP_BACKUP, Subject};
use crate::krm::object::ItemIndex;
use crate::krm::results::{Severity, annotation_field};
use crate::suggest;

/// What the check finds about one subject and one policy.
#[derive(Debug)]
pub enum PolicyFinding {
    /// It has no backup and no opt-out.
    NoBackup { policy: String, severity: Severity },
    /// It opts out without a reason.
    BlankOptOut { policy: String },
    /// It opts out and has a backup all the same.
    OptedOutButBackedUp { policy: String, reason: String },
    /// Its longest gap is longer than the policy allows.
    Gap {
        policy: String,
        allowed: String,
        gap: Gap,
        from: String,
        severity: Severity,
    },
    /// Its restore depth is shorter than the policy asks, or cannot be known.
    Depth {
        policy: String,
        wanted: String,
        depth: Depth,
        from: String,
        /// The backups whose depth cannot be known, and why, when another's is known.
        unknown: Vec<String>,
        severity: Severity,
    },
    /// Fewer distinct storage locations than the policy asks.
    Copies {
        policy: String,
        wanted: u32,
        locations: Vec<String>,
        severity: Severity,
    },
    /// The policy selects no object of the input: a kind or a label may be misspelt.
    SelectsNothing { policy: String },
    /// A kind of a policy is none of the input's subjects', and close to one that is.
    UnknownKind {
        policy: String,
        kind: String,
        meant: String,
    },
}

impl fmt::Display for PolicyFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyFinding::NoBackup { policy, .. } => write!(
                f,
                "policy `{policy}` requires a backup and it has none; annotate it \
                 with a blueprint (`stash.appscode.com/backup-blueprint` for Stash, \
                 `blueprint.kubestash.com/name` and `blueprint.kubestash.com/namespace` for \
                 KubeStash), or opt out with `{SKIP_BACKUP}: \"<reason>\"`"
            ),
            PolicyFinding::BlankOptOut { policy } => write!(
                f,
                "`{SKIP_BACKUP}` opts out of policy `{policy}` without a reason: write why this \
                 object needs no backup as its value"
            ),
            PolicyFinding::OptedOutButBackedUp { policy, reason } => write!(
                f,
                "opts out of policy `{policy}` (\"{reason}\") and has a backup all the same: \
                 remove the backup annotation or `{SKIP_BACKUP}`, whichever is not meant"
            ),
            PolicyFinding::Gap {
                policy,
                allowed,
                gap,
                from,
                ..
            } => {
                write!(
                    f,
                    "policy `{policy}` wants a backup at least every {allowed}; "
                )?;
                match gap {
                    Gap::Never => write!(f, "its schedules never fire ({from})"),
                    Gap::Longest(span) => write!(
                        f,
                        "its longest gap is {}, {} ({from})",
                        human(span.seconds()),
                        when(*span)
                    ),
                }
            }
            PolicyFinding::Depth {
                policy,
                wanted,
                depth,
                from,
                unknown,
                ..
            } => {
                write!(
                    f,
                    "policy `{policy}` wants restores to reach back {wanted}; "
                )?;
                match depth {
                    Depth::Bounded(span) => write!(
                        f,
                        "its snapshots reach back only {} at the shallowest, just after a prune \
                         ({from}){}",
                        human(span.seconds()),
                        unknown_too(unknown),
                    ),
                    Depth::Unknown(why) => {
                        write!(
                            f,
                            "how far its snapshots reach cannot be known: {}",
                            unknowable(why)
                        )?;
                        write!(f, " ({from})")
                    }
                    Depth::Unbounded => write!(f, "its snapshots are never removed ({from})"),
                }
            }
            PolicyFinding::Copies {
                policy,
                wanted,
                locations,
                ..
            } => {
                let n = locations.len();
                let places = if n == 1 { "location" } else { "locations" };
                write!(
                    f,
                    "policy `{policy}` wants {wanted} copies in distinct storage \
                     locations; its backups write to {n} {places}: {}",
                    locations.join("; ")
                )
            }
            PolicyFinding::UnknownKind {
                policy,
                kind,
                meant,
            } => write!(
                f,
                "policy `{policy}` selects kind `{kind}`, which no object of this input has: did \
                 you mean `{meant}`?"
            ),
            PolicyFinding::SelectsNothing { policy } => write!(
                f,
                "policy `{policy}` selects no object of this input: check its kinds, namespaces \
                 and labels"
            ),
        }
    }
}

impl Finding for PolicyFinding {
    fn severity(&self) -> Severity {
        match self {
            PolicyFinding::NoBackup { severity, .. }
            | PolicyFinding::Gap { severity, .. }
            | PolicyFinding::Depth { severity, .. }
            | PolicyFinding::Copies { severity, .. } => *severity,
            PolicyFinding::BlankOptOut { .. } => Severity::Error,
            PolicyFinding::OptedOutButBackedUp { .. } | PolicyFinding::UnknownKind { .. } => {
                Severity::Warning
            }
            PolicyFinding::SelectsNothing { .. } => Severity::Info,
        }
    }

    fn tag(&self) -> &'static str {
        match self {
            PolicyFinding::NoBackup { .. } => "policy-no-backup",
            PolicyFinding::BlankOptOut { .. } => "policy-blank-opt-out",
            PolicyFinding::OptedOutButBackedUp { .. } => "policy-opt-out-with-backup",
            PolicyFinding::Gap { .. } => "policy-gap",
            PolicyFinding::Depth { .. } => "policy-restore-depth",
            PolicyFinding::Copies { .. } => "policy-copies",
            PolicyFinding::SelectsNothing { .. } => "policy-selects-nothing",
            PolicyFinding::UnknownKind { .. } => "policy-unknown-kind",
        }
    }
}

/// Where a gap falls: `from Sat 02:00 to Mon 02:00` when it is shorter than a week (a weekly
/// pattern, the same every week), else with the dates of the reference cycle where it first
/// occurs (a monthly one is longest in some months only).
fn when(span: Span) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    let at = |t: i64| {
        let weekday = DAYS[(t.div_euclid(86_400) + 4).rem_euclid(7) as usize];
        let text = format_utc(t);
        match span.seconds() < 7 * 86_400 {
            true => format!("{weekday} {}", &text[11..]),
            false => format!("{weekday} {text}"),
        }
    };
    format!("from {} to {} UTC", at(span.from), at(span.to))
}

/// `; how far BackupConfiguration shop/x's snapshots reach cannot be known: …` for each.
fn unknown_too(unknown: &[String]) -> String {
    unknown
        .iter()
        .map(|what| format!("; how far {what}"))
        .collect()
}

/// Why a depth cannot be known, in a sentence's words.
pub(crate) fn unknowable(why: &Unknowable) -> String {
    match why {
        Unknowable::KeepTags => {
            "keepTags keeps the snapshots that carry a tag, decided when each is made".into()
        }
        Unknowable::NeverFires => "its schedules never fire".into(),
        Unknowable::TooManyBackups(n) => {
            format!("reaching a steady state takes {n} backups, more than are simulated")
        }
        Unknowable::NoCount => "its RetentionPolicy names no count of snapshots to keep".into(),
        Unknowable::NegativeCount => "its RetentionPolicy has a count below zero".into(),
        Unknowable::NegativePeriod => "its maxRetentionPeriod is below zero".into(),
        Unknowable::NotInInput(what) => {
            format!("{what} is not in the input: add it, so that what it keeps can be read")
        }
        Unknowable::UnreadablePeriod(text) => {
            format!("maxRetentionPeriod `{text}` is no period KubeStash reads")
        }
    }
}

/// Whether `selection` selects `subject`.
fn selects(selection: &Selection, subject: &Subject) -> bool {
    let kind = match selection.kinds.is_empty() {
        true => subject.database,
        false => selection.kinds.iter().any(|k| {
            k.eq_ignore_ascii_case(&subject.kind)
                || subject.short.is_some_and(|s| k.eq_ignore_ascii_case(s))
        }),
    };
    kind && (selection.namespaces.is_empty() || selection.namespaces.contains(&subject.namespace))
        && selection.labels.matches(&subject.labels)
}

/// The measures of one subject's backups, each worked out once per distinct input.
#[derive(Default)]
struct Measures {
    gaps: HashMap<Vec<String>, Gap>,
    depths: HashMap<(Vec<String>, Retention), Depth>,
}

impl Measures {
    fn gap(&mut self, mut schedules: Vec<String>) -> Gap {
        schedules.sort();
        schedules.dedup();
        *self
            .gaps
            .entry(schedules)
            .or_insert_with_key(|texts| longest_gap(&parsed(texts)))
    }

    fn depth(&mut self, backup: &Backup) -> Depth {
        let described = &backup.protection;
        let key = (described.schedules.clone(), described.retention.clone());
        self.depths
            .entry(key)
            .or_insert_with_key(|(texts, retention)| depth(&parsed(texts), retention))
            .clone()
    }

    /// The longest gap of the union of the backups' schedules.
    fn gap_of(&mut self, backups: &[&Backup]) -> Gap {
        let all = backups.iter().flat_map(|b| b.protection.schedules.clone());
        self.gap(all.collect())
    }

    /// The deepest of the backups' depths, and when it is known, the backups whose depth is
    /// not (one of them may reach further), each with why.
    fn depth_of(&mut self, backups: &[&Backup]) -> (Depth, Vec<String>) {
        let depths: Vec<Depth> = backups.iter().map(|b| self.depth(b)).collect();
        let depth = depths
            .iter()
            .cloned()
            .reduce(Depth::deepest)
            .unwrap_or(Depth::Unknown(Unknowable::NeverFires));
        let unknown = match depth {
            Depth::Unknown(_) => Vec::new(),
            _ => backups
                .iter()
                .zip(&depths)
                .filter_map(|(b, d)| match d {
                    Depth::Unknown(why) => Some(format!(
                        "{} {}/{}'s snapshots reach cannot be known: {}",
                        b.key.kind,
                        b.key.namespace,
                        b.key.name,
                        unknowable(why)
                    )),
                    _ => None,
                })
                .collect(),
        };
        (depth, unknown)
    }
}

/// The families the backups are of, each once.
fn families_of(backups: &[&Backup]) -> Vec<FamilyId> {
    let mut families: Vec<FamilyId> = backups.iter().map(|b| b.family).collect();
    families.sort_unstable();
    families.dedup();
    families
}

/// The distinct storage locations the backups write to.
fn copies_of(backups: &[&Backup]) -> Vec<String> {
    let mut locations: Vec<String> = backups
        .iter()
        .flat_map(|b| b.protection.copies.clone())
        .collect();
    locations.sort();
    locations.dedup();
    locations
}

fn parsed(texts: &[String]) -> Vec<Schedule> {
    texts.iter().filter_map(|t| Schedule::parse(t)).collect()
}

/// The depth one backup's retention leaves with its schedules.
fn depth(schedules: &[Schedule], retention: &Retention) -> Depth {
    match retention {
        Retention::Forget {
            keep,
            tags,
            dry_run,
        } => StashRetention {
            keep_last: keep.last.unwrap_or(0),
            keep_hourly: keep.hourly.unwrap_or(0),
            keep_daily: keep.daily.unwrap_or(0),
            keep_weekly: keep.weekly.unwrap_or(0),
            keep_monthly: keep.monthly.unwrap_or(0),
            keep_yearly: keep.yearly.unwrap_or(0),
            keep_tags: *tags,
            prune: true,
            dry_run: *dry_run,
        }
        .depth(schedules),
        Retention::Snapshots { counts, max_age } => {
            let period = match max_age.as_deref().map(parse_period) {
                None => None,
                Some(Ok(period)) => Some(period),
                Some(Err(_)) => {
                    let text = max_age.clone().unwrap_or_default();
                    return Depth::Unknown(Unknowable::UnreadablePeriod(text));
                }
            };
            KubeStashRetention {
                successful: *counts,
                max_retention_period: period,
            }
            .depth(schedules)
        }
        Retention::NotInInput(what) => Depth::Unknown(Unknowable::NotInInput(what.clone())),
    }
}

/// `` schedule `0 2 * * *` of BackupConfiguration shop/app-orders ``, for each backup.
fn sources(backups: &[&Backup], what: impl Fn(&Backup) -> String) -> String {
    let parts: Vec<String> = backups
        .iter()
        .map(|b| {
            let object = format!("{} {}/{}", b.key.kind, b.key.namespace, b.key.name);
            format!("{} of {object}", what(b))
        })
        .collect();
    parts.join("; ")
}

fn schedules_of(backup: &Backup) -> String {
    let quoted: Vec<String> = backup
        .protection
        .schedules
        .iter()
        .map(|s| format!("`{s}`"))
        .collect();
    match quoted.len() {
        1 => format!("schedule {}", quoted[0]),
        _ => format!("schedules {}", quoted.join(", ")),
    }
}

/// The subjects by namespace and name, to find what a hand-written BackupConfiguration names.
struct Named<'s>(HashMap<(&'s str, &'s str), Vec<&'s Subject>>);

impl<'s> Named<'s> {
    fn of(subjects: &'s [Subject]) -> Self {
        let mut by_name: HashMap<_, Vec<&Subject>> = HashMap::with_capacity(subjects.len());
        for subject in subjects {
            let key = (subject.namespace.as_str(), subject.name.as_str());
            by_name.entry(key).or_default().push(subject);
        }
        Named(by_name)
    }

    /// The input object `protected` is, when the input holds it: an AppBinding stands for the
    /// database of its namespace and name (KubeDB makes one for each, and both families back up
    /// a database through it).
    fn resolve(&self, protected: &Protected) -> Option<usize> {
        let (kind, namespace, name) = match protected {
            Protected::Object(index) => return Some(*index),
            Protected::Named {
                kind,
                namespace,
                name,
            } => (kind, namespace, name),
        };
        let candidates = self.0.get(&(namespace.as_str(), name.as_str()))?;
        candidates
            .iter()
            .find(|s| s.kind == *kind || (kind == "AppBinding" && s.database))
            .map(|s| s.object)
    }
}

/// What protects one subject and what the policies that select it found, for `explain` and
/// for the review of a change (`explain --base`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub object: ItemIndex,
    /// `Postgres shop/orders`.
    pub subject: String,
    pub backups: Vec<Covered>,
    /// The opt-out's reason.
    pub opt_out: Option<String>,
    /// The longest gap, when it has backups.
    pub gap: Option<Gap>,
    /// The restore depth, when it has backups.
    pub depth: Option<Depth>,
    /// How many of its backups have a depth that cannot be known while another's is known.
    pub unknown_depths: usize,
    /// The distinct storage locations.
    pub copies: Vec<String>,
    /// Each requirement of each policy that selects it, and whether it holds.
    pub verdicts: Vec<Verdict>,
    /// Per family, when more than one backs it up (a migration's dual run): the longest gap and
    /// the restore depth of that family's backups alone.
    pub by_family: Vec<(FamilyId, Gap, Depth)>,
}

/// One backup of a subject, as a review compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Covered {
    pub family: FamilyId,
    /// `BackupConfiguration shop/app-orders`.
    pub object: String,
    pub schedules: Vec<String>,
    /// The retention as the object writes it.
    pub retention: String,
    /// What it runs, as the object writes it.
    pub task: String,
    pub copies: Vec<String>,
}

impl Coverage {
    /// `1d 0h`, `never (…)`, when it has backups.
    pub fn gap_text(&self) -> Option<String> {
        self.gap.map(|gap| match gap {
            Gap::Never => "never (the schedules never fire)".to_owned(),
            Gap::Longest(span) => human(span.seconds()),
        })
    }

    /// `13d 0h`, `unbounded (…)`, `unknown: …`, when it has backups.
    pub fn depth_text(&self) -> Option<String> {
        let also = match self.unknown_depths {
            0 => String::new(),
            1 => " (unknown for one other backup)".to_owned(),
            n => format!(" (unknown for {n} other backups)"),
        };
        self.depth.as_ref().map(|depth| match depth {
            Depth::Bounded(span) => format!("{}{also}", human(span.seconds())),
            Depth::Unbounded => format!("unbounded (nothing is removed){also}"),
            Depth::Unknown(why) => format!("unknown: {}", unknowable(why)),
        })
    }
}

/// Which subjects' coverage the check reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// None: a plain run.
    Nothing,
    /// Those a policy selects, and those more than one family backs up (`explain`).
    Selected,
    /// Every subject (a review compares all of them).
    Every,
}

/// One requirement of one policy, for one subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub policy: String,
    /// `maxInterval 1h`.
    pub requirement: String,
    pub holds: bool,
}

/// What the check found: a finding per failed requirement, and (when asked) each selected
/// subject's coverage.
#[derive(Debug, Default)]
pub struct Checked {
    pub found: Vec<Found>,
    pub coverage: Vec<Coverage>,
}

/// Every failed requirement of every policy, on the subject it concerns; with `report`, the
/// coverage of every subject a policy selects too.
pub fn check(
    policies: &[Policy],
    subjects: &[Subject],
    backups: &[Backup],
    report: Report,
) -> Checked {
    let mut by_subject: HashMap<usize, Vec<&Backup>> = HashMap::new();
    let named = Named::of(subjects);
    for backup in backups {
        if let Some(subject) = named.resolve(&backup.subject) {
            by_subject.entry(subject).or_default().push(backup);
        }
    }
    let mut checker = Checker::default();
    let mut selected = vec![false; policies.len()];
    for subject in subjects {
        let mine = by_subject
            .get(&subject.object)
            .map_or(&[][..], Vec::as_slice);
        let mut verdicts = Vec::new();
        for (i, policy) in policies.iter().enumerate() {
            if selects(&policy.select, subject) {
                selected[i] = true;
                let verdicts = (report != Report::Nothing).then_some(&mut verdicts);
                checker.check_one(policy, subject, mine, verdicts);
            }
        }
        let shown = match report {
            Report::Nothing => false,
            Report::Selected => !verdicts.is_empty() || families_of(mine).len() > 1,
            Report::Every => true,
        };
        if shown {
            let coverage = checker.coverage(subject, mine, verdicts);
            checker.checked.coverage.push(coverage);
        }
    }
    misspelt_kinds(policies, subjects, &mut checker.checked.found);
    for (policy, selected) in policies.iter().zip(selected) {
        if !selected {
            let policy = policy.name.clone();
            let found = Found::new(PolicyFinding::SelectsNothing { policy });
            checker.checked.found.push(found);
        }
    }
    checker.checked
}

/// Warns of each kind a policy names that no subject of the input has, when it is close to one
/// that some subject has (`Postgress`): the policy would quietly select nothing of it.
fn misspelt_kinds(policies: &[Policy], subjects: &[Subject], found: &mut Vec<Found>) {
    let mut known: Vec<&str> = subjects
        .iter()
        .flat_map(|s| [Some(s.kind.as_str()), s.short])
        .flatten()
        .collect();
    known.sort_unstable();
    known.dedup();
    for policy in policies {
        for kind in &policy.select.kinds {
            if known.iter().any(|k| k.eq_ignore_ascii_case(kind)) {
                continue;
            }
            if let Some(meant) = suggest::closest(kind, known.iter().copied()) {
                found.push(Found::new(PolicyFinding::UnknownKind {
                    policy: policy.name.clone(),
                    kind: kind.clone(),
                    meant: meant.to_owned(),
                }));
            }
        }
    }
}

#[derive(Default)]
struct Checker {
    measures: Measures,
    checked: Checked,
}

impl Checker {
    fn check_one(
        &mut self,
        policy: &Policy,
        subject: &Subject,
        backups: &[&Backup],
        mut verdicts: Option<&mut Vec<Verdict>>,
    ) {
        let mut verdict = |requirement: String, holds: bool| {
            if let Some(verdicts) = verdicts.as_deref_mut() {
                let policy = policy.name.clone();
                verdicts.push(Verdict {
                    policy,
                    requirement,
                    holds,
                });
            }
        };
        let on = |what: PolicyFinding| Found::new(what).on(subject.object);
        let found = &mut self.checked.found;
        let name = policy.name.clone();
        let severity = policy.severity;
        if let Some(reason) = &subject.skip {
            let field = annotation_field(SKIP_BACKUP);
            if reason.trim().is_empty() {
                found.push(on(PolicyFinding::BlankOptOut { policy: name }).at(field));
                verdict("a reason to opt out".into(), false);
                return;
            }
            if backups.is_empty() {
                verdict("backup (opted out)".into(), true);
                return;
            }
            let reason = reason.clone();
            let what = PolicyFinding::OptedOutButBackedUp {
                policy: name.clone(),
                reason,
            };
            found.push(on(what).at(field));
        }
        if backups.is_empty() {
            // Nothing else can be measured: one finding says what is missing.
            found.push(on(PolicyFinding::NoBackup {
                policy: name,
                severity,
            }));
            verdict("backup".into(), false);
            return;
        }
        let require = &policy.require;
        if require.backup {
            verdict("backup".into(), true);
        }
        if let Some(allowed) = &require.max_interval {
            let gap = self.measures.gap_of(backups);
            let too_long = match gap {
                Gap::Never => true,
                Gap::Longest(span) => span.seconds() > allowed.seconds,
            };
            verdict(format!("maxInterval {}", allowed.written), !too_long);
            if too_long {
                found.push(on(PolicyFinding::Gap {
                    policy: name.clone(),
                    allowed: allowed.written.clone(),
                    gap,
                    from: sources(backups, schedules_of),
                    severity,
                }));
            }
        }
        if let Some(wanted) = &require.min_retention {
            let (depth, unknown) = self.measures.depth_of(backups);
            let short = match &depth {
                Depth::Bounded(span) => span.seconds() < wanted.seconds,
                Depth::Unbounded => false,
                Depth::Unknown(_) => true,
            };
            verdict(format!("minRetention {}", wanted.written), !short);
            if short {
                found.push(on(PolicyFinding::Depth {
                    policy: name.clone(),
                    wanted: wanted.written.clone(),
                    depth,
                    from: sources(backups, |b| b.protection.retention_written.clone()),
                    unknown,
                    severity,
                }));
            }
        }
        if let Some(wanted) = require.min_copies {
            let locations = copies_of(backups);
            let few = locations.len() < wanted as usize;
            verdict(format!("minCopies {wanted}"), !few);
            if few {
                found.push(on(PolicyFinding::Copies {
                    policy: name,
                    wanted,
                    locations,
                    severity,
                }));
            }
        }
    }

    /// The coverage of `subject`, with the verdicts of the policies that select it.
    fn coverage(
        &mut self,
        subject: &Subject,
        backups: &[&Backup],
        verdicts: Vec<Verdict>,
    ) -> Coverage {
        let measured = !backups.is_empty();
        let gap = measured.then(|| self.measures.gap_of(backups));
        let (depth, unknown) = match measured {
            true => {
                let (depth, unknown) = self.measures.depth_of(backups);
                (Some(depth), unknown.len())
            }
            false => (None, 0),
        };
        let covered = |b: &&Backup| {
            let (key, protection) = (&b.key, &b.protection);
            Covered {
                family: b.family,
                object: match &protection.part {
                    Some(part) => format!("{} {}/{}, {part}", key.kind, key.namespace, key.name),
                    None => format!("{} {}/{}", key.kind, key.namespace, key.name),
                },
                schedules: protection.schedules.clone(),
                retention: protection.retention_written.clone(),
                task: protection.task.clone(),
                copies: protection.copies.clone(),
            }
        };
        let families = families_of(backups);
        let by_family = match families.len() > 1 {
            true => (families.into_iter())
                .map(|family| {
                    let own: Vec<&Backup> = backups
                        .iter()
                        .copied()
                        .filter(|b| b.family == family)
                        .collect();
                    let gap = self.measures.gap_of(&own);
                    (family, gap, self.measures.depth_of(&own).0)
                })
                .collect(),
            false => Vec::new(),
        };
        Coverage {
            by_family,
            object: subject.object,
            subject: subject.shown(),
            backups: backups.iter().map(covered).collect(),
            opt_out: subject.skip.clone(),
            gap,
            depth,
            unknown_depths: unknown,
            copies: copies_of(backups),
            verdicts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::protection::{Counts, Protection};
    use crate::krm::object::ObjectKey;
    use proptest::prelude::*;

    const SCHEDULES: [&str; 7] = [
        "*/15 * * * *",
        "0 2 * * *",
        "0 2 * * 0",
        "0 2 1 * *",
        "0 2 29 2 *",
        "30 */6 * * *",
        "0 0 30 2 *",
    ];

    fn count() -> impl Strategy<Value = Option<i64>> {
        prop_oneof![Just(None), (-1i64..12).prop_map(Some)]
    }

    fn counts() -> impl Strategy<Value = Counts> {
        (count(), count(), count(), count(), count(), count()).prop_map(
            |(last, hourly, daily, weekly, monthly, yearly)| Counts {
                last,
                hourly,
                daily,
                weekly,
                monthly,
                yearly,
            },
        )
    }

    fn retention() -> impl Strategy<Value = Retention> {
        prop_oneof![
            (counts(), any::<bool>(), any::<bool>()).prop_map(|(keep, tags, dry_run)| {
                Retention::Forget {
                    keep,
                    tags: tags && dry_run,
                    dry_run: dry_run && !tags,
                }
            }),
            (
                proptest::option::of(counts()),
                proptest::option::of(prop_oneof![Just("7d"), Just("2mo"), Just("1y")])
            )
                .prop_map(|(counts, age)| Retention::Snapshots {
                    counts,
                    max_age: age.map(str::to_owned),
                }),
            Just(Retention::NotInInput("RetentionPolicy x/y".into())),
        ]
    }

    fn backup() -> impl Strategy<Value = Backup> {
        (
            proptest::sample::subsequence(SCHEDULES.to_vec(), 1..=2),
            retention(),
            proptest::sample::subsequence(vec!["s3 a", "s3 b", "gcs c"], 0..=2),
            0usize..100,
        )
            .prop_map(|(schedules, retention, copies, n)| Backup {
                family: FamilyId(n % 2),
                subject: Protected::Object(0),
                key: ObjectKey {
                    group: "g",
                    kind: "BackupConfiguration",
                    namespace: "shop".into(),
                    name: format!("b{n}"),
                },
                protection: Protection {
                    part: None,
                    schedules: schedules.into_iter().map(str::to_owned).collect(),
                    retention,
                    retention_written: String::new(),
                    task: String::new(),
                    copies: copies.into_iter().map(str::to_owned).collect(),
                },
            })
    }

    fn rank(depth: &Depth) -> (u8, i64) {
        match depth {
            Depth::Unknown(_) => (0, 0),
            Depth::Bounded(span) => (1, span.seconds()),
            Depth::Unbounded => (2, 0),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Adding a backup to a subject never makes its gap longer, its depth shallower or its
        /// copies fewer (issue 24): a restore can use any backup, and a start of any schedule
        /// ends a gap.
        #[test]
        fn another_backup_never_weakens_a_subject(
            some in proptest::collection::vec(backup(), 1..4),
            one in backup(),
        ) {
            let mut measures = Measures::default();
            let before: Vec<&Backup> = some.iter().collect();
            let mut after = before.clone();
            after.push(&one);
            let (gap_before, gap_after) = (measures.gap_of(&before), measures.gap_of(&after));
            prop_assert!(!gap_after.is_longer_than(&gap_before), "{gap_before:?} -> {gap_after:?}");
            let (depth_before, _) = measures.depth_of(&before);
            let (depth_after, _) = measures.depth_of(&after);
            prop_assert!(rank(&depth_after) >= rank(&depth_before), "{depth_before:?} -> {depth_after:?}");
            prop_assert!(copies_of(&after).len() >= copies_of(&before).len());
        }
    }
}
