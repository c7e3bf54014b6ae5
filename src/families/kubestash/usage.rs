//! A blueprint's usage policy: which namespaces' targets may use it, as KubeStash's admission
//! checks it (`allowedNamespaces.from`: `Same`, `All`, or a label `Selector` over namespaces).
//! BackupStorages, RetentionPolicies and HookTemplates have the same policy.

use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

use crate::engine::family::{Input, Select};
use crate::engine::fields::{Fields, Problem};
use crate::engine::finding::Finding;
use crate::engine::labels::{self, LabelSelector};
use crate::krm::results::Severity;

/// Who may use a blueprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Usage {
    /// Only targets in the blueprint's own namespace (also when no policy is set).
    Same,
    All,
    /// Targets in namespaces whose labels match.
    Selector(LabelSelector),
}

/// The label every namespace carries, as the API server sets it.
pub const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The labels of the input's Namespaces, with the name label the API server sets.
pub fn namespace_labels(input: &Input<'_, '_>) -> HashMap<String, Vec<(String, String)>> {
    let tree = input.tree;
    input
        .select(&[Select::Kind("v1", "Namespace")])
        .filter_map(|(_, fields)| {
            let name = fields.name.text()?.to_owned();
            let mut labels = fields
                .labels
                .and_then(|node| tree.string_map(node))
                .unwrap_or_default();
            if !labels.iter().any(|(k, _)| k == NAME_LABEL) {
                labels.push((NAME_LABEL.to_owned(), name.clone()));
            }
            Some((name, labels))
        })
        .collect()
}

/// Whether `namespace` may use an object of namespace `home` with `usage`, as KubeStash's
/// `UsageAllowed` decides. `labels` are the namespace's, when the input holds the Namespace
/// object (else only the name label is known).
pub fn allows(
    usage: &Usage,
    home: &str,
    namespace: &str,
    labels: Option<&[(String, String)]>,
) -> bool {
    match usage {
        Usage::All => true,
        Usage::Same => namespace == home,
        Usage::Selector(selector) => {
            let mut known = labels.map(<[_]>::to_vec).unwrap_or_default();
            if !known.iter().any(|(k, _)| k == NAME_LABEL) {
                known.push((NAME_LABEL.to_owned(), namespace.to_owned()));
            }
            selector.matches(&known)
        }
    }
}

/// Whether a target in `namespace` may use a blueprint of `blueprint_namespace` with `usage`;
/// the message says why not. `labels` are the target namespace's, when the input holds the
/// Namespace object (else only the name label is known).
pub fn check(
    usage: &Usage,
    blueprint_namespace: &str,
    namespace: &str,
    labels: Option<&[(String, String)]>,
) -> Result<(), String> {
    if allows(usage, blueprint_namespace, namespace, labels) {
        return Ok(());
    }
    if !matches!(usage, Usage::Selector(_)) {
        return Err(format!(
            "the blueprint's usage policy allows only its own namespace ({blueprint_namespace}), \
             not {namespace}: set spec.usagePolicy.allowedNamespaces.from to All or Selector, or use \
             a blueprint in {namespace}"
        ));
    }
    let mut message = format!(
        "the blueprint's usage policy (from: Selector) does not select namespace {namespace}"
    );
    if labels.is_none() {
        message.push_str(&format!(
            " (the input holds no Namespace {namespace}, so only its {NAME_LABEL} label is \
             known: add the Namespace with its labels, or change the selector)"
        ));
    } else {
        message.push_str(": change its labels or the selector");
    }
    Err(message)
}

/// `spec.usagePolicy`: which namespaces may use the blueprint (absent: only its own). `None`
/// once a problem with it is recorded; reading stops at the first.
pub fn read(policy: &Fields<'_, '_>) -> Option<Usage> {
    let Some(allowed) = policy.at("allowedNamespaces") else {
        return Some(Usage::Same);
    };
    match allowed.text("from") {
        None | Some("Same") => Some(Usage::Same),
        Some("All") => Some(Usage::All),
        Some("Selector") => read_selector(&allowed).map(Usage::Selector),
        Some(other) => {
            let problem = Problem::NotOneOf {
                value: other.to_owned(),
                allowed: vec!["Same", "All", "Selector"],
            };
            allowed.report("from", problem);
            None
        }
    }
}

/// `allowedNamespaces.selector`, which `from: Selector` needs.
fn read_selector(allowed: &Fields<'_, '_>) -> Option<LabelSelector> {
    let Some(selector) = allowed.at_mapping("selector") else {
        allowed.report(
            "selector",
            Problem::Custom(
                "`from: Selector` needs a selector (matchLabels or matchExpressions)".into(),
            ),
        );
        return None;
    };
    labels::read(&selector)
}

/// A blueprint whose usage policy refuses the target's namespace.
#[derive(Debug)]
pub struct UsageRefused {
    pub blueprint: Rc<str>,
    pub why: String,
}

impl fmt::Display for UsageRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let UsageRefused { blueprint, why } = self;
        write!(f, "BackupBlueprint {blueprint} may not be used here: {why}")
    }
}

impl Finding for UsageRefused {
    fn severity(&self) -> Severity {
        Severity::Error
    }

    fn tag(&self) -> &'static str {
        "usage-refused"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::labels::{Expression, Operator};

    fn labels(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn policies() {
        assert!(check(&Usage::All, "a", "b", None).is_ok());
        assert!(check(&Usage::Same, "a", "a", None).is_ok());
        assert!(check(&Usage::Same, "a", "b", None).is_err());
        let selector = Usage::Selector(LabelSelector {
            match_labels: labels(&[("team", "db")]),
            expressions: vec![Expression {
                key: "tier".into(),
                operator: Operator::NotIn,
                values: vec!["test".into()],
            }],
        });
        let prod = labels(&[("team", "db"), ("tier", "prod")]);
        let test = labels(&[("team", "db"), ("tier", "test")]);
        assert!(check(&selector, "a", "b", Some(&prod)).is_ok());
        assert!(check(&selector, "a", "b", Some(&test)).is_err());
        let missing = check(&selector, "a", "b", None).unwrap_err();
        assert!(missing.contains("holds no Namespace b"), "{missing}");
        let by_name = Usage::Selector(LabelSelector {
            match_labels: Vec::new(),
            expressions: vec![Expression {
                key: NAME_LABEL.into(),
                operator: Operator::In,
                values: vec!["b".into()],
            }],
        });
        assert!(check(&by_name, "a", "b", None).is_ok());
    }
}
