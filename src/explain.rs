//! The `explain` preview: what a run decided, target by target, as text, Markdown or JSON. It is
//! built from the decisions reconciliation recorded while deciding and the results the families
//! reported; nothing is decided (or derived again) here.

use std::fmt::Write as _;

use serde_json::{Value as Json, json};

use crate::engine::reconcile::{Decision, Outcome};
use crate::krm::object::{FileRef, ItemIndex, Object};
use crate::krm::results::{KrmResult, ResourceRef, Severity};

/// The output formats of `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Text,
    Markdown,
    Json,
}

/// One generated (or pruned) object and what became of it.
#[derive(Debug, Clone)]
pub struct ObjectReport {
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    /// The blueprint that made it (`pg-daily`, `backup/daily`).
    pub blueprint: String,
    /// `new`, `unchanged`, `updated`, `blocked`, `collision`, `pruned`.
    pub outcome: &'static str,
    /// What the outcome depends on (the hand-written object in the way, why it is pruned).
    pub detail: Option<String>,
    pub schedules: Vec<String>,
}

/// One target: the object annotated, and what it got.
#[derive(Debug, Clone)]
pub struct TargetReport {
    pub family: &'static str,
    pub target: ResourceRef,
    pub file: Option<FileRef>,
    pub objects: Vec<ObjectReport>,
    pub findings: Vec<KrmResult>,
}

/// What a run decided, before the results are attributed ([`Report::new`]).
#[derive(Debug, Clone, Default)]
pub struct Preview {
    targets: Vec<TargetReport>,
    pruned: Vec<ObjectReport>,
}

/// The preview with every result in its place.
#[derive(Debug, Clone)]
pub struct Report {
    pub targets: Vec<TargetReport>,
    pub pruned: Vec<ObjectReport>,
    /// Results about no target (a blueprint, an object that is no target, the options).
    pub findings: Vec<KrmResult>,
    /// The closing summary line.
    pub summary: String,
}

fn object_report(decision: &Decision, objects: &[Object<'_>]) -> ObjectReport {
    let (outcome, detail) = match &decision.outcome {
        Outcome::New => ("new", None),
        Outcome::Unchanged => ("unchanged", None),
        Outcome::Updated => ("updated", None),
        Outcome::Blocked(index) => {
            let object = &objects[*index];
            let mut by = format!("hand-written {}", ResourceRef::of(object));
            if let Some(file) = crate::krm::kpt::file_of(object) {
                by.push_str(&format!(" ({})", file.path));
            }
            ("blocked", Some(by))
        }
        Outcome::Collision => (
            "collision",
            Some("another target's object has this name".to_owned()),
        ),
        Outcome::Pruned(why) => ("pruned", Some(why.clone())),
    };
    ObjectReport {
        kind: decision.key.kind,
        namespace: decision.key.namespace.clone(),
        name: decision.key.name.clone(),
        blueprint: decision.provenance.to_string(),
        outcome,
        detail,
        schedules: decision.schedules.clone(),
    }
}

/// The preview of one run: `targets` as the families counted them (family, object annotated),
/// in order, with the decisions about their objects.
pub fn preview(
    objects: &[Object<'_>],
    targets: &[(usize, ItemIndex)],
    decisions: &[Decision],
    family_names: &[&'static str],
) -> Preview {
    let mut preview = Preview::default();
    for &(family, subject) in targets {
        let object = &objects[subject];
        let made = decisions
            .iter()
            .filter(|d| d.family == family && d.subject == Some(subject))
            .map(|d| object_report(d, objects))
            .collect();
        preview.targets.push(TargetReport {
            family: family_names[family],
            target: ResourceRef::of(object),
            file: crate::krm::kpt::file_of(object),
            objects: made,
            findings: Vec::new(),
        });
    }
    preview.pruned = decisions
        .iter()
        .filter(|d| d.subject.is_none())
        .map(|d| object_report(d, objects))
        .collect();
    preview
}

impl Report {
    /// Puts each result with the target it is about; the rest, and the summary, apart.
    pub fn new(preview: Preview, results: &[KrmResult]) -> Self {
        let Preview {
            mut targets,
            pruned,
        } = preview;
        let mut findings = Vec::new();
        let mut summary = String::new();
        for (i, result) in results.iter().enumerate() {
            if i + 1 == results.len() && result.resource_ref.is_none() {
                summary = result.message.clone();
                continue;
            }
            let target = result
                .resource_ref
                .as_ref()
                .and_then(|r| targets.iter_mut().find(|t| t.target == *r));
            match target {
                Some(target) => target.findings.push(result.clone()),
                None => findings.push(result.clone()),
            }
        }
        Report {
            targets,
            pruned,
            findings,
            summary,
        }
    }

    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Text => self.text(),
            Format::Markdown => self.markdown(),
            Format::Json => {
                let mut out = serde_json::to_string_pretty(&self.json()).unwrap_or_default();
                out.push('\n');
                out
            }
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        for target in &self.targets {
            let _ = write!(out, "{} ({}", target.target, target.family);
            if let Some(file) = &target.file {
                let _ = write!(out, ", {}", file.path);
            }
            out.push_str(")\n");
            if target.objects.is_empty() {
                out.push_str("  nothing generated\n");
            }
            for object in &target.objects {
                let _ = writeln!(out, "  {}", object_line(object));
            }
            for finding in &target.findings {
                let _ = writeln!(out, "  {}: {}", finding.severity.as_str(), finding.message);
            }
        }
        if !self.pruned.is_empty() {
            out.push_str("pruned\n");
            for object in &self.pruned {
                let _ = writeln!(out, "  {}", object_line(object));
            }
        }
        if !self.findings.is_empty() {
            out.push_str("other findings\n");
            for finding in &self.findings {
                let _ = writeln!(out, "  {finding}");
            }
        }
        let _ = writeln!(out, "{}", self.summary);
        out
    }

    fn markdown(&self) -> String {
        let mut out = String::from("### stash-autobackup explain\n\n");
        let _ = writeln!(out, "{}\n", md(&self.summary));
        out.push_str("| target | family | blueprint | object | outcome | schedule |\n");
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
                        .map(|s| format!("`{}`", md(s)))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        for object in &self.pruned {
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
                "outcome": o.outcome,
                "detail": o.detail,
                "schedules": o.schedules,
            })
        };
        let finding = |f: &KrmResult| {
            json!({
                "severity": f.severity.as_str(),
                "message": f.message,
                "resource": f.resource_ref.as_ref().map(resource),
                "field": f.field,
                "file": f.file.as_ref().map(|file| file.path.clone()),
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
                "findings": t.findings.iter().map(finding).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "pruned": self.pruned.iter().map(object).collect::<Vec<_>>(),
            "findings": self.findings.iter().map(finding).collect::<Vec<_>>(),
            "summary": self.summary,
        })
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
        Some(detail) => format!("{}: {detail}", object.outcome),
        None => object.outcome.to_owned(),
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
    if !object.schedules.is_empty() {
        line.push_str(&format!(", schedule {}", object.schedules.join(", ")));
    }
    line
}

/// Text for a Markdown table cell: pipes escaped, one line.
fn md(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}
