//! The grammar of the annotations on a KubeStash target (K2): the blueprint's name and
//! namespace, the sessions it asks for, and its variables. Each reader reports what it cannot
//! use and returns what it can.

use std::fmt;
use std::rc::Rc;

use super::blueprint::Blueprint;
use super::targets::Target;
use super::vars::Vars;
use super::{
    LEGACY_SESSIONS_ANNOTATION, NAME_ANNOTATION, NAMESPACE_ANNOTATION, SESSION_NAMES_ANNOTATION,
    VARIABLE_PREFIX,
};
use crate::engine::envsubst;
use crate::engine::finding::Finding;
use crate::engine::reconcile::Proposals;
use crate::krm::object::ItemIndex;
use crate::krm::results::{Severity, annotation_field};
use crate::yaml::tree::NodeId;

/// The namespace and name of the blueprint the target names; `None` (reported on `annotated`)
/// when one of the two annotations is missing or empty. `homes` gives the namespaces of the
/// input's blueprints of a name, for a hint.
pub fn blueprint_key<'k>(
    target: &Target,
    annotated: ItemIndex,
    homes: impl Fn(&str) -> Vec<&'k str>,
    out: &mut Proposals<'_, '_>,
) -> Option<(String, String)> {
    let text = |key: &str| target.annotation(key).map(|a| a.value.trim());
    let Some(name) = text(NAME_ANNOTATION).filter(|n| !n.is_empty()) else {
        out.found(annotated, AnnotationFinding::NoName).field =
            Some(annotation_field(NAME_ANNOTATION));
        return None;
    };
    let Some(namespace) = text(NAMESPACE_ANNOTATION).filter(|n| !n.is_empty()) else {
        let home = match homes(name)[..] {
            [home] => Some(home.to_owned()),
            _ => None,
        };
        let name = name.to_owned();
        out.found(annotated, AnnotationFinding::NoNamespace { name, home })
            .field = Some(annotation_field(NAMESPACE_ANNOTATION));
        return None;
    };
    Some((namespace.to_owned(), name.to_owned()))
}

/// The blueprint's sessions this target asks for (all, or those its session-names annotation
/// lists, in the blueprint's order), with their index in the blueprint.
pub fn sessions(
    target: &Target,
    blueprint: &Blueprint,
    out: &mut Proposals<'_, '_>,
) -> Option<Vec<(usize, NodeId)>> {
    let all = blueprint.sessions.iter().map(|(_, node)| *node).enumerate();
    if let Some(legacy) = target.annotation(LEGACY_SESSIONS_ANNOTATION) {
        out.found(legacy.object, AnnotationFinding::LegacySessions)
            .field = Some(annotation_field(LEGACY_SESSIONS_ANNOTATION));
    }
    let (annotation, key) = match (
        target.annotation(SESSION_NAMES_ANNOTATION),
        target.annotation(LEGACY_SESSIONS_ANNOTATION),
    ) {
        (Some(a), _) => (a, SESSION_NAMES_ANNOTATION),
        (None, Some(a)) => (a, LEGACY_SESSIONS_ANNOTATION),
        (None, None) => return Some(all.collect()),
    };
    let wanted: Vec<&str> = annotation
        .value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let have: Vec<String> = blueprint.sessions.iter().map(|(n, _)| n.clone()).collect();
    let blueprint_ref = blueprint.provenance.clone();
    let unknown: Vec<String> = wanted
        .iter()
        .filter(|w| !have.iter().any(|n| n == *w))
        .map(|w| (*w).to_owned())
        .collect();
    let problem = if wanted.is_empty() {
        AnnotationFinding::NoSessionListed {
            key,
            blueprint: blueprint_ref,
            have,
        }
    } else if !unknown.is_empty() {
        AnnotationFinding::UnknownSessions {
            key,
            unknown,
            blueprint: blueprint_ref,
            have,
        }
    } else {
        let chosen = all.filter(|(i, _)| wanted.contains(&blueprint.sessions[*i].0.as_str()));
        return Some(chosen.collect());
    };
    out.found(annotation.object, problem).field = Some(annotation_field(key));
    None
}

/// Warns of `variables.kubestash.com/` annotations no `${…}` can name.
pub fn note_unreachable(vars: &Vars<'_>, annotated: ItemIndex, out: &mut Proposals<'_, '_>) {
    for name in vars.unreachable() {
        let field = annotation_field(&format!("{VARIABLE_PREFIX}{name}"));
        let name = name.to_owned();
        out.found(annotated, AnnotationFinding::UnreachableVariable { name })
            .field = Some(field);
    }
}

/// What reading a KubeStash target's annotations finds.
#[derive(Debug)]
pub enum AnnotationFinding {
    NoName,
    NoNamespace {
        name: String,
        /// The one namespace of the input with a blueprint of that name.
        home: Option<String>,
    },
    LegacySessions,
    NoSessionListed {
        key: &'static str,
        blueprint: Rc<str>,
        have: Vec<String>,
    },
    UnknownSessions {
        key: &'static str,
        unknown: Vec<String>,
        blueprint: Rc<str>,
        have: Vec<String>,
    },
    UnreachableVariable {
        name: String,
    },
}

impl fmt::Display for AnnotationFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use AnnotationFinding::*;
        match self {
            NoName => write!(
                f,
                "{NAMESPACE_ANNOTATION} is set but {NAME_ANNOTATION} is not: set it to the name \
                 of the BackupBlueprint to use"
            ),
            NoNamespace { name, home } => {
                write!(
                    f,
                    "no {NAMESPACE_ANNOTATION} annotation: KubeStash blueprints are namespaced, \
                     and the operator does nothing without it; set it to the namespace of \
                     BackupBlueprint `{name}`"
                )?;
                match home {
                    Some(home) => write!(f, " (the input has one in {home})"),
                    None => Ok(()),
                }
            }
            LegacySessions => write!(
                f,
                "{LEGACY_SESSIONS_ANNOTATION} is the name KubeStash used before v2024.4.27; \
                 rename it {SESSION_NAMES_ANNOTATION}"
            ),
            NoSessionListed {
                key,
                blueprint,
                have,
            } => write!(
                f,
                "{key} names no session; list some of BackupBlueprint {blueprint}'s ({}), or \
                 remove it to use them all",
                listed(have)
            ),
            UnknownSessions {
                key,
                unknown,
                blueprint,
                have,
            } => write!(
                f,
                "{key} names {} that BackupBlueprint {blueprint} does not have (it has {})",
                quoted_list("session", unknown),
                listed(have)
            ),
            UnreachableVariable { name } => write!(
                f,
                "variable `{name}` can never be used: the operator's envsubst reads a ${{…}} \
                 name as letters, digits and `_`, so `${{{name}}}` is an error; rename the \
                 annotation ({VARIABLE_PREFIX}{})",
                envsubst::readable(name)
            ),
        }
    }
}

/// The names, or `none`.
fn listed(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// `session `x``, `sessions `x`, `y``; after five names, how many more.
fn quoted_list(what: &str, names: &[String]) -> String {
    const SHOWN: usize = 5;
    let mut list: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    if names.len() > SHOWN {
        list.push(format!("{} more", names.len() - SHOWN));
    }
    let plural = if names.len() == 1 { "" } else { "s" };
    format!("{what}{plural} {}", list.join(", "))
}

impl Finding for AnnotationFinding {
    fn severity(&self) -> Severity {
        match self {
            AnnotationFinding::LegacySessions | AnnotationFinding::UnreachableVariable { .. } => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }

    fn tag(&self) -> &'static str {
        match self {
            AnnotationFinding::NoName => "no-blueprint-name",
            AnnotationFinding::NoNamespace { .. } => "no-blueprint-namespace",
            AnnotationFinding::LegacySessions => "legacy-sessions",
            AnnotationFinding::NoSessionListed { .. } => "no-session-listed",
            AnnotationFinding::UnknownSessions { .. } => "unknown-sessions",
            AnnotationFinding::UnreachableVariable { .. } => "unreachable-variable",
        }
    }
}
