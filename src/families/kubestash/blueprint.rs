//! KubeStash BackupBlueprints: namespaced templates of a BackupConfiguration, with a usage policy
//! saying which namespaces' targets may use them.

use std::rc::Rc;

use super::usage::{Expression, Operator, Selector, Usage};
use super::{API_VERSION, BLUEPRINT_KIND, GROUP};
use crate::engine::k8s_names::{self, NAME_RULE, NAMESPACE_RULE};
use crate::krm::object::{ItemIndex, Object, ObjectFields};
use crate::krm::results::{KrmResult, Severity};
use crate::yaml::tree::{NodeId, Tree};

/// A blueprint whose template has the shape KubeStash expects.
#[derive(Debug, Clone)]
pub struct Blueprint {
    pub namespace: String,
    pub name: String,
    /// `<namespace>/<name>`, shared by the objects made from it (their marker).
    pub provenance: Rc<str>,
    /// Position of the blueprint among the input objects.
    pub object: ItemIndex,
    /// The blueprint's own labels, which the generated object carries first.
    pub labels: Vec<(String, String)>,
    /// `backupConfigurationTemplate.namespace`, when set and not empty.
    pub template_namespace: Option<NodeId>,
    /// `backupConfigurationTemplate.deletionPolicy`: not copied, but substituted like the rest
    /// of the template (a variable it cannot resolve fails the operator too).
    pub deletion_policy: Option<NodeId>,
    /// `backupConfigurationTemplate.backends`, when set.
    pub backends: Option<NodeId>,
    /// The sessions of the template, by name.
    pub sessions: Vec<(String, NodeId)>,
    pub usage: Usage,
}

pub fn is_blueprint(fields: &ObjectFields<'_>) -> bool {
    fields.kind.text() == Some(BLUEPRINT_KIND) && fields.group() == Some(GROUP)
}

/// Reads a blueprint; what is wrong with it comes back as results (an unusable blueprint gives
/// `None` and at least one error).
pub fn read(
    tree: &Tree<'_>,
    object: &Object<'_>,
    index: ItemIndex,
    results: &mut Vec<KrmResult>,
) -> Option<Blueprint> {
    let fields = object.fields()?;
    let mut error = |field: &str, message: String| {
        results.push(KrmResult::about(Severity::Error, object, message).field(field));
    };
    if fields.api_version.text() != Some(API_VERSION) {
        let found = fields.api_version.text().unwrap_or("empty");
        error(
            "apiVersion",
            format!("BackupBlueprint apiVersion must be {API_VERSION}, not {found}"),
        );
        return None;
    }
    let Some(name) = fields.name.text().filter(|n| !n.is_empty()) else {
        error(
            "metadata.name",
            "BackupBlueprint has no metadata.name: targets name blueprints by namespace and name"
                .into(),
        );
        return None;
    };
    if !k8s_names::is_dns_subdomain(name) {
        error(
            "metadata.name",
            format!("BackupBlueprint name {name:?} is not a valid Kubernetes name ({NAME_RULE})"),
        );
        return None;
    }
    let Some(namespace) = fields.namespace.text().filter(|n| !n.is_empty()) else {
        error(
            "metadata.namespace",
            format!(
                "BackupBlueprint `{name}` has no metadata.namespace: KubeStash blueprints are \
                 namespaced, and targets name them by namespace and name \
                 (blueprint.kubestash.com/namespace); set it, or let kustomize `namespace:` or kpt \
                 set-namespace set it before this function runs"
            ),
        );
        return None;
    };
    if !k8s_names::is_dns_label(namespace) {
        error(
            "metadata.namespace",
            format!("metadata.namespace {namespace:?} is not a valid namespace ({NAMESPACE_RULE})"),
        );
        return None;
    }
    if let Some(key) = &fields.duplicate_key {
        error(key, format!("key `{key}` appears twice: remove one"));
        return None;
    }
    let spec = fields.spec.filter(|s| tree.entries(*s).is_some());
    let Some(template) = spec
        .and_then(|s| tree.lookup(s, "backupConfigurationTemplate"))
        .filter(|t| tree.entries(*t).is_some())
    else {
        error(
            "spec.backupConfigurationTemplate",
            format!(
                "BackupBlueprint {namespace}/{name} has no spec.backupConfigurationTemplate mapping: \
                 it is what the BackupConfiguration is made from"
            ),
        );
        return None;
    };
    let mut ok = true;
    let mut fail = |field: &str, message: String| {
        error(field, message);
        ok = false;
    };
    let set = |node: NodeId, key: &str| tree.lookup(node, key).filter(|v| !tree.is_null(*v));
    let path = "spec.backupConfigurationTemplate";

    // Variables may make the namespace: it is checked once substituted.
    let template_namespace = match set(template, "namespace") {
        Some(v) if tree.scalar(v).is_none() => {
            fail(
                &format!("{path}.namespace"),
                format!("{path}.namespace must be a namespace ({NAMESPACE_RULE})"),
            );
            None
        }
        Some(v) if tree.scalar(v) == Some("") => None,
        other => other,
    };
    let deletion_policy = set(template, "deletionPolicy");

    let backends = set(template, "backends");
    if let Some(list) = backends {
        match tree.items(list) {
            None => fail(
                &format!("{path}.backends"),
                format!("{path}.backends must be a list"),
            ),
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    let named = tree
                        .lookup(*item, "name")
                        .and_then(|n| tree.scalar(n))
                        .is_some_and(|n| !n.is_empty());
                    if !named {
                        fail(
                            &format!("{path}.backends[{i}].name"),
                            "each backend needs a name, which sessions' repositories refer to"
                                .into(),
                        );
                    }
                }
            }
        }
    }

    let mut sessions = Vec::new();
    match set(template, "sessions").map(|s| tree.items(s)) {
        None => {}
        Some(None) => fail(
            &format!("{path}.sessions"),
            format!("{path}.sessions must be a list"),
        ),
        Some(Some(items)) => {
            for (i, item) in items.iter().enumerate() {
                match tree.lookup(*item, "name").and_then(|n| tree.scalar(n)) {
                    Some(session) if !session.is_empty() => {
                        sessions.push((session.to_owned(), *item));
                    }
                    _ => fail(
                        &format!("{path}.sessions[{i}].name"),
                        "each session needs a name".into(),
                    ),
                }
            }
        }
    }

    let usage = match spec.and_then(|s| set(s, "usagePolicy")) {
        None => Usage::Same,
        Some(policy) => match read_usage(tree, policy) {
            Ok(usage) => usage,
            Err((field, message)) => {
                fail(&format!("spec.usagePolicy.{field}"), message);
                Usage::Same
            }
        },
    };

    let labels = fields
        .labels
        .and_then(|node| tree.string_map(node))
        .unwrap_or_default();

    ok.then(|| Blueprint {
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        provenance: format!("{namespace}/{name}").into(),
        object: index,
        labels,
        template_namespace,
        deletion_policy,
        backends,
        sessions,
        usage,
    })
}

/// `spec.usagePolicy`: which namespaces may use the blueprint (absent: only its own).
fn read_usage(tree: &Tree<'_>, policy: NodeId) -> Result<Usage, (String, String)> {
    let Some(allowed) = tree.lookup(policy, "allowedNamespaces") else {
        return Ok(Usage::Same);
    };
    let from = tree.lookup(allowed, "from").and_then(|f| tree.scalar(f));
    match from {
        None | Some("Same") => Ok(Usage::Same),
        Some("All") => Ok(Usage::All),
        Some("Selector") => {
            let selector = tree.lookup(allowed, "selector");
            let Some(selector) = selector.filter(|s| tree.entries(*s).is_some()) else {
                return Err((
                    "allowedNamespaces.selector".into(),
                    "`from: Selector` needs a selector (matchLabels or matchExpressions)".into(),
                ));
            };
            let mut out = Selector::default();
            if let Some(labels) = tree.lookup(selector, "matchLabels") {
                for (k, v) in tree.entries(labels).unwrap_or_default() {
                    match (tree.scalar(*k), tree.scalar(*v)) {
                        (Some(k), Some(v)) => out.labels.push((k.to_owned(), v.to_owned())),
                        _ => {
                            return Err((
                                "allowedNamespaces.selector.matchLabels".into(),
                                "matchLabels maps label names to values".into(),
                            ));
                        }
                    }
                }
            }
            if let Some(list) = tree.lookup(selector, "matchExpressions") {
                for (i, item) in tree.items(list).unwrap_or_default().iter().enumerate() {
                    let text = |key: &str| tree.lookup(*item, key).and_then(|v| tree.scalar(v));
                    let field = format!("allowedNamespaces.selector.matchExpressions[{i}]");
                    let operator = match text("operator") {
                        Some("In") => Operator::In,
                        Some("NotIn") => Operator::NotIn,
                        Some("Exists") => Operator::Exists,
                        Some("DoesNotExist") => Operator::DoesNotExist,
                        _ => {
                            return Err((
                                field,
                                "operator must be In, NotIn, Exists or DoesNotExist".into(),
                            ));
                        }
                    };
                    let Some(key) = text("key") else {
                        return Err((field, "a match expression needs a key".into()));
                    };
                    let values = tree
                        .lookup(*item, "values")
                        .and_then(|v| tree.items(v))
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|v| tree.scalar(*v).map(str::to_owned))
                        .collect();
                    out.expressions.push(Expression {
                        key: key.to_owned(),
                        operator,
                        values,
                    });
                }
            }
            Ok(Usage::Selector(out))
        }
        Some(other) => Err((
            "allowedNamespaces.from".into(),
            format!("`from: {other}` is not Same, All or Selector"),
        )),
    }
}
