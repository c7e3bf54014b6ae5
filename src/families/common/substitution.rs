//! Substitution errors: a blueprint value whose variables cannot be substituted for a target.
//!
//! Both families report them the same way: on the target (the object the user annotated), as
//! an error naming the blueprint and its field. The target is what gets nothing, and the fix is
//! as often on it (a missing `variables.kubestash.com/` annotation) as in the blueprint (a
//! misspelt `${TARGET_*}`); one blueprint used by many targets fails for each of them, each
//! reported with its own target.

use std::fmt;

use crate::engine::expand::Expander;
use crate::engine::finding::Finding;
use crate::engine::reconcile::Proposals;
use crate::krm::object::ItemIndex;
use crate::krm::results::Severity;

/// Reports the errors `expander` met while copying a blueprint (`shown` gives it as its family
/// shows it, asked only when there are errors) for the target annotated at `target`; whether
/// there were none.
pub fn reported(
    expander: &mut Expander<'_, '_, '_>,
    out: &mut Proposals<'_, '_>,
    target: ItemIndex,
    shown: impl Fn() -> String,
) -> bool {
    let errors = std::mem::take(&mut expander.errors);
    let clean = errors.is_empty();
    for error in errors {
        let finding = SubstitutionFinding {
            problem: error.message,
            field: error.field,
            blueprint: shown(),
        };
        out.found(target, finding);
    }
    clean
}

/// A value of the blueprint that cannot be substituted for a target: nothing is generated for
/// it.
#[derive(Debug)]
pub struct SubstitutionFinding {
    problem: String,
    /// The blueprint field that holds the value.
    field: String,
    /// The blueprint, shown as its family shows it.
    blueprint: String,
}

impl fmt::Display for SubstitutionFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let SubstitutionFinding {
            problem,
            field,
            blueprint,
        } = self;
        write!(
            f,
            "{problem}, in {field} of BackupBlueprint {blueprint}; nothing is generated for this \
             target"
        )
    }
}

impl Finding for SubstitutionFinding {
    fn severity(&self) -> Severity {
        Severity::Error
    }

    fn tag(&self) -> &'static str {
        "substitution"
    }
}
