//! Settling a schedule: `H` spread for the target, the result checked as Kubernetes checks a
//! CronJob's, the problem reported where the schedule was written, and for a preview where it
//! came from.

use std::fmt;
use std::rc::Rc;

use crate::engine::finding::Finding;
use crate::engine::reconcile::Proposals;
use crate::engine::spread;
use crate::krm::object::ItemIndex;
use crate::krm::results::{Severity, annotation_field};

/// Where a schedule was written.
pub enum Written<'w> {
    /// An annotation of the target: on the object `object`, key `key`.
    Annotation {
        object: ItemIndex,
        key: &'static str,
    },
    /// A field of the blueprint: what gives its path (`spec.schedule`) and the blueprint as
    /// messages show it (`` `pg-daily` ``), asked only when there is a problem to report.
    Blueprint(&'w dyn Fn() -> (String, String)),
}

/// One schedule to settle.
pub struct Schedule<'s> {
    /// As written, variables substituted.
    pub text: &'s str,
    /// What spreads `H`: it names what the schedule is for, so the value is the same each run.
    pub seed: String,
    pub written: Written<'s>,
    /// The target's annotated object, where a problem of a blueprint's schedule is reported.
    pub target: ItemIndex,
    /// The blueprint's provenance, for the preview's note.
    pub provenance: &'s Rc<str>,
}

/// The schedule as the CronJob gets it, unless Kubernetes would refuse it (then `None`).
/// Problems are reported; a preview notes `` `<settled>` <what> `` (with the spread form) and the
/// `more` that `describe` gives.
pub fn settle(
    schedule: Schedule<'_>,
    out: &mut Proposals<'_, '_>,
    describe: impl FnOnce() -> (String, String),
) -> Option<String> {
    let text = schedule.text;
    let (settled, problem) = spread::checked(text, &schedule.seed);
    let refused = problem.as_ref().is_some_and(|(s, _)| *s == Severity::Error);
    if !refused {
        out.detail(Some(schedule.provenance), "schedule", || {
            let (what, more) = describe();
            let mut note = format!("`{settled}` {what}");
            if settled != text {
                note.push_str(&format!(" (`{text}`, spread by H)"));
            }
            note.push_str(&more);
            note
        });
    }
    if let Some((severity, problem)) = problem {
        report(out, &schedule, severity, problem);
    }
    (!refused).then_some(settled)
}

/// A schedule's problem: on the annotation that wrote it, or (a blueprint's) on the target,
/// naming the blueprint's field.
fn report(
    out: &mut Proposals<'_, '_>,
    schedule: &Schedule<'_>,
    severity: Severity,
    problem: String,
) {
    let (object, field, from_blueprint) = match &schedule.written {
        Written::Annotation { object, key } => (*object, Some(annotation_field(key)), None),
        Written::Blueprint(names) => (schedule.target, None, Some(names())),
    };
    let finding = ScheduleFinding {
        severity,
        problem,
        from_blueprint,
    };
    out.found(object, finding).field = field;
}

/// A schedule Kubernetes would refuse (an error) or that runs otherwise than it reads (a
/// warning).
#[derive(Debug)]
pub struct ScheduleFinding {
    severity: Severity,
    problem: String,
    /// Where a blueprint's schedule comes from, when it is not an annotation of the target: the
    /// field and the blueprint.
    from_blueprint: Option<(String, String)>,
}

impl fmt::Display for ScheduleFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problem)?;
        match &self.from_blueprint {
            Some((field, blueprint)) => write!(f, " ({field} of BackupBlueprint {blueprint})"),
            None => Ok(()),
        }
    }
}

impl Finding for ScheduleFinding {
    fn severity(&self) -> Severity {
        self.severity
    }

    /// One kind whatever the problem: the fix is the schedule, where it was written.
    fn tag(&self) -> &'static str {
        "schedule"
    }
}
