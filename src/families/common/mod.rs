//! The family toolkit: what both API families back up and the steps they take the same way.
//!
//! A family's `generate` is a sequence of these steps with its own vocabulary in between: read
//! the blueprints ([`blueprints`]), find the candidate targets ([`subjects`], with the workload
//! kinds of [`kinds`]), check each ([`checks`]), look up the blueprint it names, settle its
//! schedules ([`schedule`]), report what could not be substituted ([`substitution`]), and name
//! what it generates ([`kinds::object_name`]). Each step reports findings of its own (a
//! `…Finding` type beside it), so a problem reads the same whichever family finds it. Not a
//! family: families share it, and it uses no family.

pub mod acceptance;
pub mod blueprints;
pub mod checks;
pub mod kinds;
pub mod protection;
pub mod schedule;
pub mod subjects;
pub mod substitution;
