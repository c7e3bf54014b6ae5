//! What the API server would do with a generated object: refuse it (a wrong type, a missing
//! required field, a value outside an enum or a bound) or prune a field its CRD does not know.
//!
//! Both families check each value they copy from a blueprint against its place in the CRD of
//! the object it goes into (`engine::schema`), before they propose the object. A refusal is an
//! error on the target, as the webhook's are (the target gets nothing, and may be the one to
//! fix); a field the server would prune is left out, as the operator leaves it out when it
//! decodes the blueprint into its Go types, and the blueprint gets a warning at that field, once
//! per run, with a did-you-mean.

use std::collections::HashSet;
use std::fmt;

use crate::engine::finding::{Finding, Fix};
use crate::engine::reconcile::Proposals;
use crate::engine::schema::{Place, Problem, Violation};
use crate::krm::object::ItemIndex;
use crate::krm::results::Severity;
use crate::yaml::emit::Value;

/// Where a checked value comes from, and what it goes into.
pub struct Source<'a> {
    /// The blueprint object.
    pub blueprint: ItemIndex,
    /// The blueprint as its family shows it (`` `daily` ``, `backup/daily`).
    pub shown: &'a str,
    /// The target annotated: a refusal is reported there.
    pub target: ItemIndex,
    /// The kind of the generated object (`BackupConfiguration`).
    pub object: &'static str,
    /// Fields the family's API once had, by name, and what to do instead: the older guides
    /// still show them, and a did-you-mean would not help.
    pub retired: &'static [(&'static str, &'static str)],
}

/// The checks of one run: which blueprint fields were warned about already.
#[derive(Debug, Default)]
pub struct Acceptance {
    warned: HashSet<(ItemIndex, String)>,
}

impl Acceptance {
    /// Checks `value`, which goes to `place` of its object and comes from the blueprint field
    /// `field`, leaving out what the server would prune; whether the server would accept it.
    /// What it would not is reported.
    pub fn check(
        &mut self,
        out: &mut Proposals<'_, '_>,
        place: Option<Place<'_>>,
        value: &mut Value<'_>,
        field: &str,
        source: &Source<'_>,
    ) -> bool {
        let Some(place) = place else {
            return true;
        };
        let mut accepted = true;
        for violation in place.check(value, field) {
            let refused = violation.refuses();
            let name = violation.field.rsplit('.').next().unwrap_or_default();
            let retired = source.retired.iter().find(|(n, _)| *n == name);
            let finding = SchemaFinding {
                blueprint: source.shown.to_owned(),
                object: source.object,
                retired: retired.map(|(_, advice)| *advice),
                violation,
            };
            if refused {
                accepted = false;
                out.found(source.target, finding);
            } else if self
                .warned
                .insert((source.blueprint, finding.violation.field.clone()))
            {
                let field = finding.violation.field.clone();
                out.found(source.blueprint, finding).field = Some(field);
            }
        }
        accepted
    }
}

/// A blueprint value the API server would refuse in, or prune from, a generated object.
#[derive(Debug)]
pub struct SchemaFinding {
    blueprint: String,
    object: &'static str,
    /// What to do instead, for a field the API once had.
    retired: Option<&'static str>,
    violation: Violation,
}

impl fmt::Display for SchemaFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let SchemaFinding {
            blueprint,
            object,
            retired,
            violation,
        } = self;
        let field = &violation.field;
        match &violation.problem {
            Problem::Unknown { suggestion } => {
                write!(
                    f,
                    "unknown field {field} in BackupBlueprint {blueprint} is left out of the \
                     {object}: its CRD has no such field, so the API server would drop it"
                )?;
                match (retired, suggestion) {
                    (Some(advice), _) => write!(f, "; {advice}"),
                    (None, Some(s)) => write!(f, "; did you mean `{s}`?"),
                    (None, None) => f.write_str("; check its spelling and indentation"),
                }
            }
            problem => write!(
                f,
                "{field} of BackupBlueprint {blueprint}: {problem}; the API server would refuse \
                 the {object}, so nothing is generated for this target"
            ),
        }
    }
}

impl Finding for SchemaFinding {
    fn severity(&self) -> Severity {
        match self.violation.refuses() {
            true => Severity::Error,
            false => Severity::Warning,
        }
    }

    fn tag(&self) -> &'static str {
        // A field the API once had is pruned as a misspelt one is; the message says what
        // replaced it.
        match self.violation.refuses() {
            true => "crd-refused",
            false => "crd-pruned",
        }
    }

    /// A field the CRD does not know, one typo from one it does: the key meant. A retired
    /// field gets none (what replaced it is no rename).
    fn fix(&self) -> Option<Fix> {
        match (&self.violation.problem, self.retired) {
            (
                Problem::Unknown {
                    suggestion: Some(key),
                },
                None,
            ) => Some(Fix::Key {
                current: None,
                key: key.clone(),
            }),
            _ => None,
        }
    }
}
