//! The review of a change (`explain --base OLD NEW…`, docs/policy.md "Change review"): what a
//! change to a package does to its backups, subject by subject, from what protects each subject
//! in the base and in the new version (the description the policy check reads). Every change is
//! classed: it weakens protection (a longer gap, a shallower restore depth, fewer copies,
//! coverage lost, a backup removed, a policy requirement that no longer holds), strengthens it,
//! or is neutral (a renamed object that protects the same way, a subject moved between files).

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::explain::{Format, pretty, sarif_location, sarif_log};
use crate::policy::check::{Coverage, Covered};

/// What protects each subject of one version of a package.
#[derive(Debug, Clone, Default)]
pub struct Side {
    /// What protects each subject, and where it is.
    pub(crate) subjects: Vec<Seen>,
    /// The families' names, by `FamilyId`.
    pub(crate) families: Vec<&'static str>,
    /// The folders and files it was read from, which a file's path is relative to when the two
    /// versions are compared (a base checked out elsewhere has other paths).
    roots: Vec<String>,
}

/// One subject of one version, and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub coverage: Coverage,
    /// Its file.
    pub file: Option<String>,
    /// Where it starts in the run's input (bytes).
    pub at: usize,
}

impl Side {
    /// What protects each subject, and where each is (`families` names `FamilyId`s).
    pub(crate) fn new(subjects: Vec<Seen>, families: Vec<&'static str>) -> Self {
        Side {
            subjects,
            families,
            roots: Vec::new(),
        }
    }

    /// The same side, read from `roots` (the paths given for it).
    pub fn read_from(mut self, roots: Vec<String>) -> Self {
        self.roots = roots;
        self
    }

    /// `file` without the folder it was read from (a file given itself is its name).
    fn relative<'f>(&self, file: &'f str) -> &'f str {
        let name = || file.rsplit('/').next().unwrap_or(file);
        self.roots
            .iter()
            .find_map(|root| match file == root {
                true => Some(name()),
                false => file
                    .strip_prefix(root.trim_end_matches('/'))?
                    .strip_prefix('/'),
            })
            .unwrap_or(file)
    }
}

/// What a change does to protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Less protection.
    Weakens,
    /// More protection.
    Strengthens,
    /// The same protection, or no protection to speak of.
    Neutral,
}

impl Class {
    /// Its word in every format.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Weakens => "weakens",
            Class::Strengthens => "strengthens",
            Class::Neutral => "neutral",
        }
    }
}

/// What a change does to one subject: each difference, classed, and the subject's class (the
/// weakest of its differences).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `Postgres shop/orders`.
    pub subject: String,
    /// Its file in the new version (the base's, when it is gone).
    pub file: Option<String>,
    /// The weakest of its differences.
    pub class: Class,
    /// Each difference, classed.
    pub differences: Vec<(Class, String)>,
    /// Where the subject starts in the new version's input (none when it is gone).
    pub at: Option<usize>,
}

/// What a change does to a package's backups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Review {
    /// The subjects the change concerns, weakened first.
    pub changes: Vec<Change>,
}

/// Compares the base and the new version, subject by subject (a subject is its kind, namespace
/// and name, wherever it stands).
pub fn compare(base: &Side, new: &Side) -> Review {
    let before: HashMap<&str, (&Coverage, Option<&String>)> = base
        .subjects
        .iter()
        .map(|s| (s.coverage.subject.as_str(), (&s.coverage, s.file.as_ref())))
        .collect();
    let mut seen = Vec::new();
    let mut changes = Vec::new();
    for Seen {
        coverage: after,
        file,
        at,
    } in &new.subjects
    {
        seen.push(after.subject.as_str());
        let mut differences = Vec::new();
        match before.get(after.subject.as_str()) {
            Some((was, was_file)) => {
                if let (Some(a), Some(b)) = (was_file, file)
                    && base.relative(a) != new.relative(b)
                {
                    let text = format!("moved from {} to {}", base.relative(a), new.relative(b));
                    differences.push((Class::Neutral, text));
                }
                compare_one(was, base, after, new, &mut differences);
            }
            None => added(after, new, &mut differences),
        }
        push(&mut changes, after, (file.as_ref(), Some(*at)), differences);
    }
    for Seen {
        coverage: was,
        file,
        ..
    } in &base.subjects
    {
        if seen.contains(&was.subject.as_str()) {
            continue;
        }
        let mut differences = vec![(Class::Neutral, "no longer in the package".to_owned())];
        for backup in &was.backups {
            let text = format!("{} goes with it", shown(backup, base));
            differences.push((Class::Neutral, text));
        }
        push(&mut changes, was, (file.as_ref(), None), differences);
    }
    changes.sort_by_key(|c| c.class);
    Review { changes }
}

fn push(
    changes: &mut Vec<Change>,
    coverage: &Coverage,
    (file, at): (Option<&String>, Option<usize>),
    differences: Vec<(Class, String)>,
) {
    if differences.is_empty() {
        return;
    }
    let class = differences
        .iter()
        .map(|(c, _)| *c)
        .min()
        .unwrap_or(Class::Neutral);
    changes.push(Change {
        subject: coverage.subject.clone(),
        file: file.cloned(),
        class,
        differences,
        at,
    });
}

/// `BackupConfiguration shop/app-orders (Stash)`.
fn shown(backup: &Covered, side: &Side) -> String {
    let family = side.families.get(backup.family.0).copied().unwrap_or("?");
    format!("{} ({family})", backup.object)
}

/// A subject new in the package: its backups strengthen, a policy it fails weakens.
fn added(after: &Coverage, new: &Side, differences: &mut Vec<(Class, String)>) {
    differences.push((Class::Neutral, "new in the package".to_owned()));
    for backup in &after.backups {
        let text = format!("backed up by {}", shown(backup, new));
        differences.push((Class::Strengthens, text));
    }
    for verdict in after.verdicts.iter().filter(|v| !v.holds) {
        let text = format!(
            "policy `{}`: {} does not hold",
            verdict.policy, verdict.requirement
        );
        differences.push((Class::Weakens, text));
    }
}

/// The differences of a subject in both versions.
fn compare_one(
    was: &Coverage,
    base: &Side,
    now: &Coverage,
    new: &Side,
    differences: &mut Vec<(Class, String)>,
) {
    compare_backups(was, base, now, new, differences);
    match (was.backups.is_empty(), now.backups.is_empty()) {
        (false, true) => differences.push((Class::Weakens, "no longer backed up".to_owned())),
        (true, false) => differences.push((Class::Strengthens, "now backed up".to_owned())),
        _ => {}
    }
    if let (Some(a), Some(b)) = (was.gap, now.gap) {
        let class = match (b.is_longer_than(&a), a.is_longer_than(&b)) {
            (true, _) => Some(Class::Weakens),
            (_, true) => Some(Class::Strengthens),
            _ => None,
        };
        if let (Some(class), Some(x), Some(y)) = (class, was.gap_text(), now.gap_text()) {
            differences.push((class, format!("longest gap {x} → {y}")));
        }
    }
    if let (Some(a), Some(b)) = (&was.depth, &now.depth) {
        let class = match b.rank().cmp(&a.rank()) {
            std::cmp::Ordering::Less => Some(Class::Weakens),
            std::cmp::Ordering::Greater => Some(Class::Strengthens),
            std::cmp::Ordering::Equal => None,
        };
        if let (Some(class), Some(x), Some(y)) = (class, was.depth_text(), now.depth_text()) {
            differences.push((class, format!("restore depth {x} → {y}")));
        }
    }
    let (a, b) = (was.copies.len(), now.copies.len());
    if a != b && a > 0 && b > 0 {
        let class = if b < a {
            Class::Weakens
        } else {
            Class::Strengthens
        };
        differences.push((class, format!("copies {a} → {b}")));
    }
    match (&was.opt_out, &now.opt_out) {
        (None, Some(reason)) => differences.push((Class::Neutral, format!("opts out: {reason:?}"))),
        (Some(_), None) => differences.push((Class::Neutral, "no longer opts out".to_owned())),
        _ => {}
    }
    compare_verdicts(was, now, differences);
}

/// Backups added, removed, renamed (one removed and one added that protect alike) and changed
/// field by field.
fn compare_backups(
    was: &Coverage,
    base: &Side,
    now: &Coverage,
    new: &Side,
    differences: &mut Vec<(Class, String)>,
) {
    let same_object = |a: &Covered, b: &Covered| a.object == b.object && a.family == b.family;
    let alike = |a: &Covered, b: &Covered| {
        a.family == b.family
            && a.schedules == b.schedules
            && a.retention == b.retention
            && a.task == b.task
            && a.copies == b.copies
    };
    let mut added: Vec<&Covered> = now
        .backups
        .iter()
        .filter(|b| !was.backups.iter().any(|a| same_object(a, b)))
        .collect();
    for old in &was.backups {
        match now.backups.iter().find(|b| same_object(old, b)) {
            Some(current) => fields(old, current, differences),
            None => match added.iter().position(|b| alike(old, b)) {
                Some(at) => {
                    let renamed = added.remove(at);
                    let text = format!(
                        "{} is now {}, protecting alike",
                        shown(old, base),
                        renamed.object
                    );
                    differences.push((Class::Neutral, text));
                }
                None => {
                    let text = format!("backup removed: {}", shown(old, base));
                    differences.push((Class::Weakens, text));
                }
            },
        }
    }
    for backup in added {
        let text = format!("backup added: {}", shown(backup, new));
        differences.push((Class::Strengthens, text));
    }
}

/// What changed in one backup, field by field: the measures say whether it weakens.
fn fields(old: &Covered, new: &Covered, differences: &mut Vec<(Class, String)>) {
    let quoted = |list: &[String]| {
        let quoted: Vec<String> = list.iter().map(|s| format!("`{s}`")).collect();
        quoted.join(", ")
    };
    let object = &new.object;
    if old.schedules != new.schedules {
        let text = format!(
            "{object}: schedule {} → {}",
            quoted(&old.schedules),
            quoted(&new.schedules)
        );
        differences.push((Class::Neutral, text));
    }
    if old.retention != new.retention {
        let text = format!("{object}: {} → {}", old.retention, new.retention);
        differences.push((Class::Neutral, text));
    }
    if old.task != new.task {
        let text = format!("{object}: {} → {}", old.task, new.task);
        differences.push((Class::Neutral, text));
    }
    if old.copies != new.copies {
        let text = format!(
            "{object}: storage {} → {}",
            old.copies.join("; "),
            new.copies.join("; ")
        );
        differences.push((Class::Neutral, text));
    }
}

/// Policy requirements that stopped or started holding.
fn compare_verdicts(was: &Coverage, now: &Coverage, differences: &mut Vec<(Class, String)>) {
    for verdict in &now.verdicts {
        let before = was
            .verdicts
            .iter()
            .find(|v| v.policy == verdict.policy && v.requirement == verdict.requirement);
        let what = format!("policy `{}`: {}", verdict.policy, verdict.requirement);
        match (before.map(|v| v.holds), verdict.holds) {
            (Some(true) | None, false) => {
                differences.push((Class::Weakens, format!("{what} no longer holds")));
            }
            (Some(false), true) => {
                differences.push((Class::Strengthens, format!("{what} holds now")));
            }
            _ => {}
        }
    }
}

impl Review {
    /// Whether a change weakens protection (`--fail-on weakens`).
    pub fn weakens(&self) -> bool {
        self.changes.iter().any(|c| c.class == Class::Weakens)
    }

    /// One line per class that occurs (`weakens protection of 2 subjects: Postgres shop/a,
    /// Postgres shop/b`), or one saying that the change does nothing to backups.
    pub fn headlines(&self) -> Vec<String> {
        const NAMED: usize = 5;
        let mut lines = Vec::new();
        for class in [Class::Weakens, Class::Strengthens, Class::Neutral] {
            let names: Vec<&str> = (self.changes.iter())
                .filter(|c| c.class == class)
                .map(|c| c.subject.as_str())
                .collect();
            let n = names.len();
            if n == 0 {
                continue;
            }
            let subjects = if n == 1 { "subject" } else { "subjects" };
            let verb = match class {
                Class::Weakens => "weakens protection of",
                Class::Strengthens => "strengthens protection of",
                Class::Neutral => "neutral for",
            };
            let mut line = format!(
                "{verb} {n} {subjects}: {}",
                names[..n.min(NAMED)].join(", ")
            );
            if n > NAMED {
                line.push_str(&format!(" and {} more", n - NAMED));
            }
            lines.push(line);
        }
        if lines.is_empty() {
            lines.push("the change does nothing to backups".to_owned());
        }
        lines
    }

    /// The review in `format` (SARIF without lines: [`Review::sarif`] locates).
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Markdown => self.markdown(),
            Format::Json => pretty(&self.json()),
            Format::Sarif => self.sarif(&|_| None),
            Format::Text => self.text(),
        }
    }

    /// The review as SARIF 2.1.0: each difference a result of the rule of its class
    /// (`review-weakens` a warning, the others notes), at the file and line of its subject in
    /// the new version (`locate` gives them for a byte offset of its input; a subject gone from
    /// the package is named, not located).
    pub fn sarif(&self, locate: &dyn Fn(usize) -> Option<(String, usize)>) -> String {
        let classes = [Class::Weakens, Class::Strengthens, Class::Neutral];
        let mut results = Vec::new();
        for change in &self.changes {
            let about = Some(change.subject.clone());
            let locations: Vec<Json> = (change.at.and_then(locate))
                .map(|(uri, line)| sarif_location(uri, Some(line), about))
                .into_iter()
                .collect();
            for (class, text) in &change.differences {
                let index = classes.iter().position(|c| c == class).unwrap_or(0);
                let level = match class {
                    Class::Weakens => "warning",
                    _ => "note",
                };
                results.push(json!({
                    "ruleId": format!("review-{}", class.as_str()),
                    "ruleIndex": index,
                    "level": level,
                    "message": {"text": format!("{}: {text}", change.subject)},
                    "locations": locations,
                }));
            }
        }
        let rules: Vec<Json> = classes
            .iter()
            .map(|c| {
                let text = match c {
                    Class::Neutral => "the change leaves protection as it was".to_owned(),
                    _ => format!("the change {} protection", c.as_str()),
                };
                json!({"id": format!("review-{}", c.as_str()), "shortDescription": {"text": text}})
            })
            .collect();
        sarif_log(rules, results)
    }

    fn text(&self) -> String {
        let mut out: String = self.headlines().iter().map(|l| format!("{l}\n")).collect();
        for class in [Class::Weakens, Class::Strengthens, Class::Neutral] {
            let changes: Vec<&Change> = self.changes.iter().filter(|c| c.class == class).collect();
            if changes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "{}", class.as_str());
            for change in changes {
                let _ = write!(out, "  {}", change.subject);
                if let Some(file) = &change.file {
                    let _ = write!(out, " ({file})");
                }
                out.push('\n');
                for (class, text) in &change.differences {
                    let _ = writeln!(out, "    {} {text}", mark(*class));
                }
            }
        }
        out
    }

    fn markdown(&self) -> String {
        let mut out = String::from("### stash-autobackup: what this change does to backups\n\n");
        for line in self.headlines() {
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
        if self.changes.is_empty() {
            return out;
        }
        out.push_str("| | subject | what changes |\n|---|---|---|\n");
        for change in &self.changes {
            let differences: Vec<String> = change
                .differences
                .iter()
                .map(|(class, text)| format!("{} {}", mark(*class), text.replace('|', "\\|")))
                .collect();
            let _ = writeln!(
                out,
                "| **{}** | {} | {} |",
                change.class.as_str(),
                change.subject,
                differences.join("<br>")
            );
        }
        out
    }

    fn json(&self) -> Json {
        json!({
            "apiVersion": "autobackup.stash.appscode.com/v1alpha1",
            "kind": "Review",
            "headlines": self.headlines(),
            "weakens": self.weakens(),
            "changes": self.changes.iter().map(|c| json!({
                "subject": c.subject,
                "file": c.file,
                "class": c.class.as_str(),
                "differences": c.differences.iter().map(|(class, text)| json!({
                    "class": class.as_str(),
                    "text": text,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    }
}

/// `✘` weakens, `✔` strengthens, `·` neutral.
fn mark(class: Class) -> &'static str {
    match class {
        Class::Weakens => "✘",
        Class::Strengthens => "✔",
        Class::Neutral => "·",
    }
}
