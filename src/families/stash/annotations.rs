//! The grammar of the annotations on a Stash target: the blueprint list, the schedule override
//! and the task params. Each reader reports what it cannot use and returns what it can.

use std::collections::HashSet;

use super::targets::{Annotation, Target};
use super::{BLUEPRINT_ANNOTATION, PARAM_PREFIX, SCHEDULE_ANNOTATION};
use crate::engine::reconcile::Proposals;
use crate::krm::results::Severity;

/// `metadata.annotations[<key>]`, the field path of an annotation.
pub fn field(key: &str) -> String {
    format!("metadata.annotations[{key}]")
}

/// The blueprint list of the annotation; `None` (with an error) when it names none.
pub fn blueprint_names(target: &Target, out: &mut Proposals<'_, '_>) -> Option<Vec<String>> {
    let annotation = target.annotation(BLUEPRINT_ANNOTATION)?;
    let mut names: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    let mut empty = false;
    for part in annotation.value.split(',') {
        let name = part.trim();
        if name.is_empty() {
            empty = true;
        } else if !seen.insert(name) {
            out.about(
                Severity::Warning,
                annotation.object,
                format!("blueprint `{name}` is listed twice; it is used once"),
            )
            .field = Some(field(BLUEPRINT_ANNOTATION));
        } else {
            names.push(name.to_owned());
        }
    }
    if names.is_empty() {
        out.about(
            Severity::Error,
            annotation.object,
            format!(
                "{BLUEPRINT_ANNOTATION} names no blueprint: give one or more BackupBlueprint \
                 names separated by commas, or remove the annotation"
            ),
        )
        .field = Some(field(BLUEPRINT_ANNOTATION));
        return None;
    }
    if empty {
        out.about(
            Severity::Warning,
            annotation.object,
            format!("{BLUEPRINT_ANNOTATION} has an empty entry; it is ignored"),
        )
        .field = Some(field(BLUEPRINT_ANNOTATION));
    }
    Some(names)
}

/// The schedule annotation, when it is set and not empty.
pub fn schedule_override(target: &Target, out: &mut Proposals<'_, '_>) -> Option<Annotation> {
    let annotation = target.annotation(SCHEDULE_ANNOTATION)?;
    if annotation.value.trim().is_empty() {
        out.about(
            Severity::Warning,
            annotation.object,
            format!("{SCHEDULE_ANNOTATION} is empty; the blueprint's schedule is used"),
        )
        .field = Some(field(SCHEDULE_ANNOTATION));
        return None;
    }
    Some(annotation.clone())
}

/// A task param given by a `params.stash.appscode.com/<name>` annotation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Param {
    pub name: String,
    pub value: String,
}

/// `params.stash.appscode.com/<name>` annotations, sorted by name.
pub fn params(target: &Target, out: &mut Proposals<'_, '_>) -> Vec<Param> {
    let mut params = Vec::new();
    for (key, annotation) in &target.annotations {
        let Some(name) = key.strip_prefix(PARAM_PREFIX) else {
            continue;
        };
        if name.is_empty() {
            out.about(
                Severity::Warning,
                annotation.object,
                format!("{key} has no parameter name after the prefix; it is ignored"),
            )
            .field = Some(field(key));
            continue;
        }
        params.push(Param {
            name: name.to_owned(),
            value: annotation.value.clone(),
        });
    }
    params.sort();
    params
}
