//! The `explain` preview: what a run decided, target by target, as text, Markdown or JSON. It is
//! built from the decisions reconciliation recorded while deciding and the results the families
//! reported; nothing is decided (or derived again) here.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::engine::calendar;
use crate::engine::reconcile::{Counted, Decision, Detail, Outcome};
use crate::krm::object::{FileRef, Object};
use crate::krm::results::{KrmResult, ResourceRef, Severity};

/// The output formats of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// For a terminal.
    #[default]
    Text,
    /// For a pull request comment.
    Markdown,
    /// For tools (its shape is documented in the README).
    Json,
    /// SARIF 2.1.0, for code-scanning annotations on pull requests.
    Sarif,
}

/// One generated (or pruned) object and what became of it.
#[derive(Debug, Clone)]
pub struct ObjectReport {
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    /// The blueprint that made it (`pg-daily`, `backup/daily`).
    pub blueprint: String,
    /// What reconciliation did with it.
    pub outcome: Outcome,
    /// What the outcome depends on (the hand-written object in the way, why it is pruned).
    pub detail: Option<String>,
    pub schedules: Vec<Schedule>,
}

/// A schedule the object holds, and its next runs.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub text: String,
    /// The next three runs after the run's time (Unix seconds, UTC); fewer or none for a
    /// schedule that fires less often or is no cron (`@every`).
    pub next: Vec<i64>,
}

/// One target: the object annotated, and what it got.
#[derive(Debug, Clone)]
pub struct TargetReport {
    pub family: &'static str,
    pub target: ResourceRef,
    pub file: Option<FileRef>,
    pub objects: Vec<ObjectReport>,
    /// How its objects were made (where its annotations were read, schedules and where they
    /// came from, params and variables), as its family recorded it.
    pub details: Vec<Detail>,
    pub findings: Vec<KrmResult>,
    /// The objects results about this target may name.
    about: Vec<ResourceRef>,
    /// The blueprints it names: when it gets nothing, their errors may be why.
    uses: Vec<ResourceRef>,
}

/// What a run decided, before the results are attributed ([`Report::new`]).
#[derive(Debug, Clone, Default)]
pub struct Preview {
    targets: Vec<TargetReport>,
    pruned: Vec<ObjectReport>,
    retained: Vec<ObjectReport>,
    kept: Vec<ObjectReport>,
    week: Week,
}

/// Backup starts over one week (Monday 00:00 to Monday 00:00 UTC), all schedules together.
#[derive(Debug, Clone, Default)]
pub struct Week {
    /// Monday 00:00, Unix seconds.
    pub start: i64,
    /// Starts per weekday (Monday first) and hour.
    pub hours: [[u32; 24]; 7],
    /// The minutes in which at least [`BUSY`] backups start, busiest first.
    pub busy: Vec<Busy>,
}

/// A minute of the day in which many backups start, and the days it happens on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Busy {
    pub hour: usize,
    pub minute: usize,
    /// Monday 0 … Sunday 6.
    pub days: Vec<usize>,
    pub starts: u32,
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

impl Busy {
    /// `every day`, or the days (`Mon, Thu`).
    fn days_text(&self) -> String {
        if self.days.len() == 7 {
            return "every day".to_owned();
        }
        self.days
            .iter()
            .map(|d| DAYS[*d])
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How many backups starting in one minute make it busy (they share storage and network).
pub const BUSY: u32 = 5;
/// At most this many busy minutes are listed.
const BUSY_LISTED: usize = 10;

/// What the backup policies found of one subject they select.
#[derive(Debug, Clone)]
pub struct PolicyPart {
    pub subject: ResourceRef,
    pub file: Option<FileRef>,
    /// Each backup: its family, and the BackupConfiguration.
    pub backups: Vec<(&'static str, String)>,
    pub opt_out: Option<String>,
    pub gap: Option<String>,
    pub depth: Option<String>,
    /// Distinct storage locations.
    pub copies: Vec<String>,
    /// Each requirement of each policy that selects it: policy, requirement, whether it holds.
    pub verdicts: Vec<(String, String, bool)>,
    /// When both families back it up (a migration's dual run): how long both must run.
    pub dual_run: Option<String>,
}

impl PolicyPart {
    /// `✘ production-databases: backup ✔, minRetention 14d ✘`, one line per policy.
    fn lines(&self) -> Vec<String> {
        let mut lines: Vec<(String, bool, Vec<String>)> = Vec::new();
        for (policy, requirement, holds) in &self.verdicts {
            let mark = if *holds { "✔" } else { "✘" };
            let item = format!("{requirement} {mark}");
            match lines.iter_mut().find(|(p, ..)| p == policy) {
                Some((_, all, items)) => {
                    *all &= *holds;
                    items.push(item);
                }
                None => lines.push((policy.clone(), *holds, vec![item])),
            }
        }
        lines
            .into_iter()
            .map(|(policy, all, items)| {
                let mark = if all { "✔" } else { "✘" };
                format!("{mark} {policy}: {}", items.join(", "))
            })
            .collect()
    }

    /// `longest gap 1d 0h; restore depth 13d 0h; 1 copy`, or that it has no backup.
    fn measures(&self) -> String {
        match (&self.gap, &self.depth) {
            (Some(gap), Some(depth)) => {
                let n = self.copies.len();
                let copies = if n == 1 { "copy" } else { "copies" };
                format!("longest gap {gap}; restore depth {depth}; {n} {copies}")
            }
            _ => "no backup".to_owned(),
        }
    }
}

/// The preview with every result in its place.
#[derive(Debug, Clone)]
pub struct Report {
    pub(crate) targets: Vec<TargetReport>,
    pub(crate) pruned: Vec<ObjectReport>,
    /// Earlier output that holds backups, kept and never changed again.
    pub(crate) retained: Vec<ObjectReport>,
    /// Earlier output nothing asked for, kept because its target may still want it.
    pub(crate) kept: Vec<ObjectReport>,
    pub(crate) week: Week,
    /// Results about no target (a blueprint, an object that is no target, the options).
    pub(crate) findings: Vec<KrmResult>,
    /// The closing summary line.
    pub(crate) summary: String,
    /// Whether the output is written: not while the run has errors (stream mode prints nothing,
    /// kpt and kustomize write nothing when the function fails).
    pub(crate) written: bool,
    /// What the backup policies found of each subject they select.
    pub(crate) policies: Vec<PolicyPart>,
    /// Every result but the summary, with the byte offset of its object in the run's input
    /// (for SARIF's locations).
    pub(crate) located: Vec<(KrmResult, Option<usize>)>,
}

/// What a report says first when nothing is written, so that no `new` below reads as done.
const NOT_WRITTEN: &str = "nothing is written while the run has errors: what follows is what the \
                           output will hold once they are fixed";

fn object_report(decision: &Decision, objects: &[Object<'_>], now: i64) -> ObjectReport {
    let detail = match &decision.outcome {
        Outcome::New | Outcome::Unchanged | Outcome::Updated => None,
        Outcome::Blocked(index) => {
            let object = &objects[*index];
            let mut by = format!("hand-written {}", ResourceRef::of(object));
            if let Some(file) = crate::krm::kpt::file_of(object) {
                by.push_str(&format!(" ({})", file.path));
            }
            Some(by)
        }
        Outcome::Collision => Some("another target's object has this name".to_owned()),
        Outcome::Held => {
            Some("kept as it was: this run reports a problem with the target".to_owned())
        }
        Outcome::Pruned(why) => Some(why.to_string()),
        Outcome::Retained(why) | Outcome::Kept(why) => Some(why.clone()),
    };
    ObjectReport {
        kind: decision.key.kind,
        namespace: decision.key.namespace.clone(),
        name: decision.key.name.clone(),
        blueprint: decision.provenance.to_string(),
        outcome: decision.outcome.clone(),
        detail,
        schedules: decision
            .schedules
            .iter()
            .map(|text| Schedule {
                text: text.clone(),
                next: calendar::next_runs(text, now, 3),
            })
            .collect(),
    }
}

/// The week of backup starts beginning the first Monday 00:00 UTC after `now`.
fn week(targets: &[TargetReport], now: i64) -> Week {
    const DAY: i64 = 86_400;
    let today = now.div_euclid(DAY);
    // 1970-01-05 was a Monday.
    let monday = today + (7 - (today - 4).rem_euclid(7)) % 7;
    let monday = if monday * DAY <= now {
        monday + 7
    } else {
        monday
    };
    let (start, end) = (monday * DAY, (monday + 7) * DAY);
    let mut week = Week {
        start,
        ..Week::default()
    };
    // Many targets share a schedule: each one is worked out once, and counted as often as used.
    let mut uses: BTreeMap<&str, u32> = BTreeMap::new();
    let schedules = targets
        .iter()
        .flat_map(|t| &t.objects)
        .filter(|o| o.outcome.is_written())
        .flat_map(|o| &o.schedules);
    for schedule in schedules {
        *uses.entry(&schedule.text).or_default() += 1;
    }
    let mut per_minute: BTreeMap<i64, u32> = BTreeMap::new();
    for (text, count) in uses {
        // At most one start a minute: a week has 10,080 minutes.
        for at in calendar::next_runs(text, start - 1, 10_080) {
            if at >= end {
                break;
            }
            let (_, hour, _) = calendar::weekday_hour_minute(at);
            let day = ((at - start) / DAY) as usize;
            week.hours[day][hour] += count;
            *per_minute.entry(at).or_default() += count;
        }
    }
    // One line per minute of the day and number of starts, with the days it happens on.
    let mut busy: Vec<Busy> = Vec::new();
    for (at, starts) in per_minute.into_iter().filter(|(_, n)| *n >= BUSY) {
        let (weekday, hour, minute) = calendar::weekday_hour_minute(at);
        let day = (weekday + 6) % 7;
        match busy
            .iter_mut()
            .find(|b| (b.hour, b.minute, b.starts) == (hour, minute, starts))
        {
            Some(b) => b.days.push(day),
            None => busy.push(Busy {
                hour,
                minute,
                days: vec![day],
                starts,
            }),
        }
    }
    busy.sort_by(|a, b| {
        (b.starts, b.days.len())
            .cmp(&(a.starts, a.days.len()))
            .then((a.hour, a.minute).cmp(&(b.hour, b.minute)))
    });
    busy.truncate(BUSY_LISTED);
    week.busy = busy;
    week
}

/// The preview of one run at `now` (Unix seconds): `targets` as the families counted them, in
/// order, with the decisions about their objects.
pub fn preview(
    objects: &[Object<'_>],
    targets: &[Counted],
    decisions: &[Decision],
    family_names: &[&'static str],
    now: i64,
) -> Preview {
    let mut preview = Preview::default();
    for counted in targets {
        let (family, subject) = (counted.family, counted.subject);
        let object = &objects[subject];
        let made = decisions
            .iter()
            .filter(|d| d.family == family && d.subject == Some(subject))
            .map(|d| object_report(d, objects, now))
            .collect();
        preview.targets.push(TargetReport {
            family: family_names[family.0],
            target: ResourceRef::of(object),
            file: crate::krm::kpt::file_of(object),
            objects: made,
            details: counted.details.clone(),
            findings: Vec::new(),
            about: counted
                .objects
                .iter()
                .chain([&subject])
                .map(|i| ResourceRef::of(&objects[*i]))
                .collect(),
            uses: counted
                .uses
                .iter()
                .map(|i| ResourceRef::of(&objects[*i]))
                .collect(),
        });
    }
    for decision in decisions.iter().filter(|d| d.subject.is_none()) {
        let report = object_report(decision, objects, now);
        match decision.outcome {
            Outcome::Retained(_) => preview.retained.push(report),
            Outcome::Kept(_) => preview.kept.push(report),
            _ => preview.pruned.push(report),
        }
    }
    preview.week = week(&preview.targets, now);
    preview
}

impl Report {
    /// Puts each finding (as its result, with the family that found it) with the targets it is
    /// about; the rest apart.
    pub fn new(
        preview: Preview,
        found: Vec<(KrmResult, Option<&'static str>)>,
        summary: String,
        written: bool,
    ) -> Self {
        let Preview {
            mut targets,
            pruned,
            retained,
            kept,
            week,
        } = preview;
        let mut findings = Vec::new();
        for (result, family) in found {
            // A result shows with the targets it is about of the family that found it (of
            // both, when both did, or when it is no family's: a problem of the object itself).
            let mut placed = false;
            if let Some(about) = &result.resource_ref {
                let ours = |t: &&mut TargetReport| {
                    t.about.contains(about) && family.is_none_or(|f| f == t.family)
                };
                for target in targets.iter_mut().filter(ours) {
                    target.findings.push(result.clone());
                    placed = true;
                }
            }
            if !placed {
                findings.push(result.clone());
            }
        }
        // A target that gets nothing because of its blueprint says so: the blueprint's errors
        // show with it too (they stay under the other findings, where they are about).
        for target in targets.iter_mut().filter(|t| t.objects.is_empty()) {
            let because = findings.iter().filter(|f| {
                f.severity == Severity::Error
                    && f.resource_ref
                        .as_ref()
                        .is_some_and(|r| target.uses.contains(r))
            });
            target.findings.extend(because.cloned());
        }
        Report {
            targets,
            pruned,
            retained,
            kept,
            week,
            findings,
            summary,
            written,
            policies: Vec::new(),
            located: Vec::new(),
        }
    }

    /// The same report with the policies' part.
    pub fn with_policies(mut self, policies: Vec<PolicyPart>) -> Self {
        self.policies = policies;
        self
    }

    /// The same report with every result and where its object starts in the input.
    pub fn with_locations(mut self, located: Vec<(KrmResult, Option<usize>)>) -> Self {
        self.located = located;
        self
    }

    /// The report as text in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Text => self.text(),
            Format::Markdown => self.markdown(),
            Format::Json => pretty(&self.json()),
            Format::Sarif => self.sarif(&|_| None),
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        if !self.written {
            let _ = writeln!(out, "{NOT_WRITTEN}");
        }
        for target in &self.targets {
            let _ = write!(out, "{} ({}", target.target, target.family);
            if let Some(file) = &target.file {
                let _ = write!(out, ", {}", file.path);
            }
            out.push_str(")\n");
            let (of_blueprints, of_target): (Vec<&Detail>, Vec<&Detail>) =
                target.details.iter().partition(|d| d.blueprint.is_some());
            for detail in of_target {
                let _ = writeln!(out, "  {}", detail_text(detail));
            }
            if target.objects.is_empty() {
                out.push_str("  nothing generated\n");
            }
            for object in &target.objects {
                let _ = writeln!(out, "  {}", object_line(object));
            }
            for detail in of_blueprints {
                let _ = writeln!(out, "  {}", detail_text(detail));
            }
            for finding in &target.findings {
                let _ = writeln!(out, "  {}: {}", finding.severity.as_str(), finding.message);
            }
        }
        for (heading, list) in [
            ("pruned", &self.pruned),
            ("retained", &self.retained),
            ("kept in doubt", &self.kept),
        ] {
            if !list.is_empty() {
                let _ = writeln!(out, "{heading}");
                for object in list {
                    let _ = writeln!(out, "  {}", object_line(object));
                }
            }
        }
        if !self.policies.is_empty() {
            out.push_str("protection\n");
            for part in &self.policies {
                let _ = write!(out, "  {}", part.subject);
                if let Some(file) = &part.file {
                    let _ = write!(out, " ({})", file.path);
                }
                out.push('\n');
                for (family, backup) in &part.backups {
                    let _ = writeln!(out, "    backed up by {backup} ({family})");
                }
                if let Some(reason) = &part.opt_out {
                    let _ = writeln!(out, "    opted out: {reason:?}");
                }
                let _ = writeln!(out, "    {}", part.measures());
                if let Some(dual_run) = &part.dual_run {
                    let _ = writeln!(out, "    {dual_run}");
                }
                for line in part.lines() {
                    let _ = writeln!(out, "    {line}");
                }
            }
        }
        if !self.findings.is_empty() {
            out.push_str("other findings\n");
            for finding in &self.findings {
                let _ = writeln!(out, "  {finding}");
            }
        }
        if self.has_starts() {
            let _ = writeln!(
                out,
                "backup starts, week of {} UTC",
                calendar::format_utc(self.week.start)
            );
            out.push_str(&self.heatmap());
        }
        let _ = writeln!(out, "{}", self.summary);
        out
    }

    fn has_starts(&self) -> bool {
        self.week.hours.iter().flatten().any(|n| *n > 0)
    }

    /// Starts per weekday and hour (`.` for none), then the busy minutes.
    fn heatmap(&self) -> String {
        let mut out = String::from("    ");
        for hour in 0..24 {
            let _ = write!(out, "{hour:>3}");
        }
        out.push('\n');
        for (day, hours) in DAYS.iter().zip(&self.week.hours) {
            out.push_str(day);
            out.push(' ');
            for n in hours {
                match n {
                    0 => out.push_str("  ."),
                    1..=99 => {
                        let _ = write!(out, "{n:>3}");
                    }
                    _ => out.push_str(" 99+"),
                }
            }
            out.push('\n');
        }
        for busy in &self.week.busy {
            let _ = writeln!(
                out,
                "busy: {} backups start at {:02}:{:02}, {}; spread them with H (see the README)",
                busy.starts,
                busy.hour,
                busy.minute,
                busy.days_text()
            );
        }
        out
    }

    fn markdown(&self) -> String {
        let mut out = String::from("### stash-autobackup explain\n\n");
        // The summary opens the comment, and says when nothing is written.
        let _ = writeln!(out, "{}\n", md(&self.summary));
        out.push_str("| target | family | blueprint | object | outcome | schedule (UTC) |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for target in &self.targets {
            let name = md(&target.target.to_string());
            if target.objects.is_empty() {
                let why = target
                    .findings
                    .iter()
                    .find(|f| f.severity != Severity::Info)
                    .map(|f| format!("nothing: {}", md(&f.message)))
                    .unwrap_or_else(|| "nothing".to_owned());
                let _ = writeln!(out, "| {name} | {} | | | {why} | |", target.family);
            }
            for object in &target.objects {
                let _ = writeln!(
                    out,
                    "| {name} | {} | `{}` | {} {}/{} | {} | {} |",
                    target.family,
                    md(&object.blueprint),
                    object.kind,
                    md(&object.namespace),
                    md(&object.name),
                    md(&outcome_text(object)),
                    object
                        .schedules
                        .iter()
                        .map(|s| match s.next.first() {
                            Some(at) =>
                                format!("`{}` (next {})", md(&s.text), calendar::format_utc(*at)),
                            None => format!("`{}`", md(&s.text)),
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        for object in self.pruned.iter().chain(&self.retained).chain(&self.kept) {
            let _ = writeln!(
                out,
                "| | | `{}` | {} {}/{} | {} | |",
                md(&object.blueprint),
                object.kind,
                md(&object.namespace),
                md(&object.name),
                md(&outcome_text(object)),
            );
        }
        let findings: Vec<(String, &KrmResult)> = self
            .targets
            .iter()
            .flat_map(|t| t.findings.iter().map(move |f| (t.target.to_string(), f)))
            .chain(self.findings.iter().map(|f| {
                let about = f.resource_ref.as_ref().map(ToString::to_string);
                (about.unwrap_or_default(), f)
            }))
            .collect();
        let detailed: Vec<&TargetReport> = self
            .targets
            .iter()
            .filter(|t| !t.details.is_empty())
            .collect();
        if !detailed.is_empty() {
            out.push_str("\n#### How\n\n");
            for target in detailed {
                let details: Vec<String> =
                    target.details.iter().map(|d| md(&detail_text(d))).collect();
                let _ = writeln!(
                    out,
                    "- {} ({}): {}",
                    md(&target.target.to_string()),
                    target.family,
                    details.join("; ")
                );
            }
        }
        if !self.policies.is_empty() {
            out.push_str("\n#### Protection\n\n");
            out.push_str(
                "| subject | backed up by | longest gap | restore depth | copies | policies |\n",
            );
            out.push_str("|---|---|---|---|---|---|\n");
            for part in &self.policies {
                let mut by: Vec<String> = part
                    .backups
                    .iter()
                    .map(|(family, backup)| format!("{} ({family})", md(backup)))
                    .collect();
                by.extend(
                    part.opt_out
                        .as_ref()
                        .map(|r| format!("opted out: {}", md(r))),
                );
                by.extend(part.dual_run.as_deref().map(md));
                let dash = || "–".to_owned();
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    md(&part.subject.to_string()),
                    by.join("<br>"),
                    part.gap.as_deref().map_or_else(dash, md),
                    part.depth.as_deref().map_or_else(dash, md),
                    part.copies.len(),
                    part.lines()
                        .iter()
                        .map(|l| md(l))
                        .collect::<Vec<_>>()
                        .join("<br>"),
                );
            }
        }
        if self.has_starts() {
            let _ = write!(
                out,
                "\n#### Backup starts, week of {} UTC\n\n```text\n{}```\n",
                calendar::format_utc(self.week.start),
                self.heatmap()
            );
        }
        if !findings.is_empty() {
            out.push_str("\n#### Findings\n\n");
            for (about, finding) in findings {
                let about = if about.is_empty() {
                    String::new()
                } else {
                    format!(" {}:", md(&about))
                };
                let _ = writeln!(
                    out,
                    "- **{}**{about} {}",
                    finding.severity.as_str(),
                    md(&finding.message)
                );
            }
        }
        out
    }

    fn json(&self) -> Json {
        let object = |o: &ObjectReport| {
            json!({
                "kind": o.kind,
                "namespace": o.namespace,
                "name": o.name,
                "blueprint": o.blueprint,
                "outcome": o.outcome.as_str(),
                "detail": o.detail,
                "schedules": o.schedules.iter().map(|s| json!({
                    "schedule": s.text,
                    "next": s.next.iter().map(|at| calendar::format_rfc3339(*at)).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        };
        // The result's own fields, `field` flattened to its path as before, and its tags as a
        // map (`class`, `family`, `proposedKey`).
        let finding = |f: &KrmResult| {
            let tags: serde_json::Map<String, Json> = (f.tags.iter())
                .map(|(key, value)| ((*key).to_owned(), json!(value)))
                .collect();
            json!({
                "severity": f.severity.as_str(),
                "message": f.message,
                "resource": f.resource_ref.as_ref().map(resource),
                "field": f.field,
                "currentValue": f.current_value,
                "proposedValue": f.proposed_value,
                "file": f.file.as_ref().map(|file| file.path.clone()),
                "tags": tags,
            })
        };
        json!({
            "apiVersion": "autobackup.stash.appscode.com/v1alpha1",
            "kind": "Explanation",
            "targets": self.targets.iter().map(|t| json!({
                "family": t.family,
                "target": resource(&t.target),
                "file": t.file.as_ref().map(|f| f.path.clone()),
                "objects": t.objects.iter().map(object).collect::<Vec<_>>(),
                "details": t.details.iter().map(|d| json!({
                    "blueprint": d.blueprint.as_deref(),
                    "label": d.label,
                    "value": d.value,
                })).collect::<Vec<_>>(),
                "findings": t.findings.iter().map(finding).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "pruned": self.pruned.iter().map(object).collect::<Vec<_>>(),
            "retained": self.retained.iter().map(object).collect::<Vec<_>>(),
            "kept": self.kept.iter().map(object).collect::<Vec<_>>(),
            "findings": self.findings.iter().map(finding).collect::<Vec<_>>(),
            "policies": self.policies.iter().map(|p| json!({
                "subject": resource(&p.subject),
                "file": p.file.as_ref().map(|f| f.path.clone()),
                "backups": p.backups.iter().map(|(family, backup)| json!({
                    "family": family,
                    "object": backup,
                })).collect::<Vec<_>>(),
                "optOut": p.opt_out,
                "dualRun": p.dual_run,
                "longestGap": p.gap,
                "restoreDepth": p.depth,
                "copies": p.copies,
                "verdicts": p.verdicts.iter().map(|(policy, requirement, holds)| json!({
                    "policy": policy,
                    "requirement": requirement,
                    "holds": holds,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "week": {
                "start": calendar::format_rfc3339(self.week.start),
                "hours": self.week.hours.iter().map(|h| h.to_vec()).collect::<Vec<_>>(),
                "busy": self.week.busy.iter().map(|b| json!({
                    "time": format!("{:02}:{:02}", b.hour, b.minute),
                    "days": b.days.iter().map(|d| DAYS[*d]).collect::<Vec<_>>(),
                    "starts": b.starts,
                })).collect::<Vec<_>>(),
            },
            "summary": self.summary,
            "written": self.written,
        })
    }
}

impl Report {
    /// The report's results as SARIF 2.1.0: one rule per kind of finding (its `tags.class`),
    /// each result at the file and line of its object. `locate` gives them for a byte offset of
    /// the run's input (none when the input is no set of files: a ResourceList names its
    /// items' files, not their lines, so those results are located at the file only).
    pub fn sarif(&self, locate: &dyn Fn(usize) -> Option<(String, usize)>) -> String {
        let mut rules: Vec<String> = Vec::new();
        let mut results = Vec::new();
        for (result, offset) in &self.located {
            let class = result.tag("class").unwrap_or("finding");
            let index = match rules.iter().position(|r| r == class) {
                Some(index) => index,
                None => {
                    rules.push(class.to_owned());
                    rules.len() - 1
                }
            };
            let level = match result.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let place = offset.and_then(locate);
            let uri = place
                .as_ref()
                .map(|(path, _)| path.clone())
                .or_else(|| result.file.as_ref().map(|f| f.path.clone()));
            let line = place.as_ref().map(|(_, line)| *line);
            let about = result.resource_ref.as_ref().map(ToString::to_string);
            let locations: Vec<Json> = uri
                .map(|uri| sarif_location(uri, line, about))
                .into_iter()
                .collect();
            results.push(json!({
                "ruleId": class,
                "ruleIndex": index,
                "level": level,
                "message": {"text": result.message},
                "locations": locations,
            }));
        }
        let rules: Vec<Json> = rules
            .iter()
            .map(|id| json!({"id": id, "shortDescription": {"text": id.replace('-', " ")}}))
            .collect();
        sarif_log(rules, results)
    }
}

/// A SARIF location: the file, the line when known, and the object by name.
pub(crate) fn sarif_location(uri: String, line: Option<usize>, about: Option<String>) -> Json {
    let mut physical = json!({"artifactLocation": {"uri": uri}});
    if let Some(line) = line {
        physical["region"] = json!({"startLine": line});
    }
    let mut location = json!({"physicalLocation": physical});
    if let Some(about) = about {
        location["logicalLocations"] = json!([{"fullyQualifiedName": about, "kind": "resource"}]);
    }
    location
}

/// A SARIF 2.1.0 log of one run of this tool, with `rules` and `results`, as text.
pub(crate) fn sarif_log(rules: Vec<Json>, results: Vec<Json>) -> String {
    pretty(&json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "stash-autobackup",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    }))
}

/// `value` as indented JSON, ending with a newline.
pub(crate) fn pretty(value: &Json) -> String {
    let mut out = serde_json::to_string_pretty(value).unwrap_or_default();
    out.push('\n');
    out
}

/// `annotations: read from …`, or for a blueprint's `blueprint pg-daily: schedule …`.
fn detail_text(detail: &Detail) -> String {
    match &detail.blueprint {
        Some(blueprint) => format!("blueprint {blueprint}: {} {}", detail.label, detail.value),
        None => format!("{}: {}", detail.label, detail.value),
    }
}

fn resource(r: &ResourceRef) -> Json {
    json!({
        "apiVersion": r.api_version,
        "kind": r.kind,
        "namespace": r.namespace,
        "name": r.name,
    })
}

fn outcome_text(object: &ObjectReport) -> String {
    match &object.detail {
        Some(detail) => format!("{}: {detail}", object.outcome.as_str()),
        None => object.outcome.as_str().to_owned(),
    }
}

/// `blueprint pg-daily: BackupConfiguration shop/app-orders, new, schedule 0 2 * * *`.
fn object_line(object: &ObjectReport) -> String {
    let mut line = format!(
        "blueprint {}: {} {}/{}, {}",
        object.blueprint,
        object.kind,
        object.namespace,
        object.name,
        outcome_text(object)
    );
    for schedule in &object.schedules {
        line.push_str(&format!(", schedule {}", schedule.text));
        if !schedule.next.is_empty() {
            let next: Vec<String> = schedule
                .next
                .iter()
                .map(|at| calendar::format_utc(*at))
                .collect();
            line.push_str(&format!(" (next {} UTC)", next.join(", ")));
        }
    }
    line
}

/// Text for a Markdown table cell: pipes escaped, one line.
fn md(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}
