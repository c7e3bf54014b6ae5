//! What the input holds of the objects a BackupConfiguration names, which KubeStash's webhook
//! looks up in the cluster: BackupStorages, RetentionPolicies and HookTemplates (their usage
//! policies, and whether they are `default: true`), and the labels of Namespaces, which a usage
//! policy may select. What the input does not hold is the cluster's business: nothing here
//! guesses it.

use std::collections::HashMap;

use super::usage::{self, Usage};
use super::{GROUP, STORAGE_GROUP};
use crate::engine::family::{Input, Select};
use crate::engine::fields::{Fields, Problems};
use crate::krm::object::ObjectFields;
use crate::yaml::tree::{NodeId, Tree};

/// The kinds a BackupConfiguration names, each with a usage policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    BackupStorage,
    RetentionPolicy,
    HookTemplate,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::BackupStorage => "BackupStorage",
            Kind::RetentionPolicy => "RetentionPolicy",
            Kind::HookTemplate => "HookTemplate",
        }
    }

    fn of(fields: &ObjectFields<'_>) -> Option<Kind> {
        match (fields.group()?, fields.kind.text()?) {
            (STORAGE_GROUP, "BackupStorage") => Some(Kind::BackupStorage),
            (STORAGE_GROUP, "RetentionPolicy") => Some(Kind::RetentionPolicy),
            (GROUP, "HookTemplate") => Some(Kind::HookTemplate),
            _ => None,
        }
    }
}

/// Why a namespace may not use an object of the input: its usage policy allows only its own
/// namespace, or its selector does not select the namespace (whose labels the input may not
/// hold: then only its name label is known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotAllowed {
    Same,
    Selector { labels_known: bool },
}

/// One object of the input.
#[derive(Debug)]
struct Held {
    default: bool,
    /// `None`: a policy that is not one of KubeStash's, which its CRD refuses; nothing is
    /// judged by it here.
    usage: Option<Usage>,
    /// Its `spec`, as far as the family's interest keeps it.
    spec: Option<NodeId>,
}

/// The objects of the input a BackupConfiguration may name, by kind, namespace and name, and
/// the labels of its Namespaces.
#[derive(Debug, Default)]
pub struct Referenced {
    held: HashMap<(Kind, String, String), Held>,
    namespaces: HashMap<String, Vec<(String, String)>>,
}

impl Referenced {
    /// The objects of `input`; those without a namespace are where `default` applies them.
    pub fn of(input: &Input<'_, '_>, default: Option<&str>) -> Self {
        let tree = input.tree;
        let mut held = HashMap::new();
        let select = [Select::Group(STORAGE_GROUP), Select::Group(GROUP)];
        for (_, fields) in input.select(&select) {
            let Some(kind) = Kind::of(fields) else {
                continue;
            };
            let own = fields.namespace.text().filter(|n| !n.is_empty());
            let (Some(namespace), Some(name)) = (own.or(default), fields.name.text()) else {
                continue;
            };
            let key = (kind, namespace.to_owned(), name.to_owned());
            held.entry(key).or_insert_with(|| read(tree, fields));
        }
        Referenced {
            held,
            namespaces: usage::namespace_labels(input),
        }
    }

    /// Why `namespace` may not use the `kind` `home/name`, when the input holds it and its usage
    /// policy refuses (`UsageAllowed`, with the namespace's labels as the input has them).
    pub fn refuses(
        &self,
        kind: Kind,
        home: &str,
        name: &str,
        namespace: &str,
    ) -> Option<NotAllowed> {
        let key = (kind, home.to_owned(), name.to_owned());
        let usage = self.held.get(&key)?.usage.as_ref()?;
        let labels = self.namespaces.get(namespace).map(Vec::as_slice);
        if usage::allows(usage, home, namespace, labels) {
            return None;
        }
        Some(match usage {
            Usage::Selector(_) => NotAllowed::Selector {
                labels_known: labels.is_some(),
            },
            _ => NotAllowed::Same,
        })
    }

    /// The `spec` of the `kind` `namespace/name`, when the input holds it.
    pub fn spec(&self, kind: Kind, namespace: &str, name: &str) -> Option<NodeId> {
        let key = (kind, namespace.to_owned(), name.to_owned());
        self.held.get(&key)?.spec
    }

    /// Whether the input holds a `default: true` object of `kind` that `namespace` may use: one
    /// KubeStash's defaulter would find (`getDefaultStorage`, `getDefaultRetentionPolicy`: the
    /// namespace's own, then one whose selector selects it, then one for all namespaces).
    pub fn has_default(&self, kind: Kind, namespace: &str) -> bool {
        let labels = self.namespaces.get(namespace).map(Vec::as_slice);
        self.held.iter().any(|((k, home, _), held)| {
            *k == kind
                && held.default
                && held
                    .usage
                    .as_ref()
                    .is_some_and(|usage| usage::allows(usage, home, namespace, labels))
        })
    }
}

/// `spec.default` and `spec.usagePolicy` of an object; without a policy, KubeStash's defaulter
/// gives it `from: Same`.
fn read(tree: &Tree<'_>, fields: &ObjectFields<'_>) -> Held {
    let spec = fields.spec;
    let default = spec
        .and_then(|s| tree.lookup(s, "default"))
        .and_then(|v| tree.scalar(v))
        == Some("true");
    let usage = match spec.and_then(|s| tree.lookup(s, "usagePolicy")) {
        None => Some(Usage::Same),
        Some(policy) => {
            let problems = Problems::default();
            usage::read(&Fields::new(tree, policy, "spec.usagePolicy", &problems))
        }
    };
    Held {
        default,
        usage,
        spec,
    }
}
