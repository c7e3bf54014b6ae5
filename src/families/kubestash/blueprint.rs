//! KubeStash BackupBlueprints: namespaced templates of a BackupConfiguration, with a usage policy
//! saying which namespaces' targets may use them.

use std::rc::Rc;

use super::usage::{self, Usage};
use super::{API_VERSION, BLUEPRINT_KIND, GROUP};
use crate::engine::fields::{Fields, Problem, Problems, Subject};
use crate::engine::k8s_names;
use crate::krm::object::{ItemIndex, ObjectFields};
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

/// Reads a blueprint: the blueprint, when nothing in it is wrong; what is wrong is in `problems`
/// (an unusable blueprint gives `None` and at least one error).
pub fn read(
    tree: &Tree<'_>,
    object: &ObjectFields<'_>,
    index: ItemIndex,
    problems: &Problems,
) -> Option<Blueprint> {
    let (name, namespace) = identity(object, problems)?;
    let (spec, template) = template(tree, object, namespace, name, problems)?;
    unknown_keys(spec.as_ref(), &template, namespace, name);
    let template_namespace = template_namespace(&template);
    let deletion_policy = template.node("deletionPolicy");
    let backends = backends(&template);
    let sessions = sessions(&template);
    let usage = match spec.and_then(|spec| spec.at("usagePolicy")) {
        None => Usage::Same,
        Some(policy) => usage::read(&policy).unwrap_or(Usage::Same),
    };
    let labels = object
        .labels
        .and_then(|node| tree.string_map(node))
        .unwrap_or_default();
    (!problems.has_errors()).then(|| Blueprint {
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

/// The blueprint's name and namespace, when the object is a blueprint of this version that
/// targets can name; nothing else is read from one that is not.
fn identity<'f>(object: &'f ObjectFields<'_>, problems: &Problems) -> Option<(&'f str, &'f str)> {
    if object.api_version.text() != Some(API_VERSION) {
        let found = object.api_version.text().map(str::to_owned);
        let problem = Problem::WrongApiVersion {
            kind: BLUEPRINT_KIND,
            wanted: API_VERSION,
            found,
        };
        problems.record("apiVersion", problem);
        return None;
    }
    let Some(name) = object.name.text().filter(|n| !n.is_empty()) else {
        let problem = Problem::Missing {
            subject: Subject::Kind(BLUEPRINT_KIND),
            why: Some("targets name blueprints by namespace and name"),
        };
        problems.record("metadata.name", problem);
        return None;
    };
    if !k8s_names::is_dns_subdomain(name) {
        let problem = Problem::NotName {
            kind: BLUEPRINT_KIND,
            value: name.to_owned(),
        };
        problems.record("metadata.name", problem);
        return None;
    }
    let Some(namespace) = object.namespace.text().filter(|n| !n.is_empty()) else {
        let problem = Problem::Missing {
            subject: Subject::Named(BLUEPRINT_KIND, name.to_owned()),
            why: Some(
                "KubeStash blueprints are namespaced, and targets name them by namespace and name \
                 (blueprint.kubestash.com/namespace); set it, or let kustomize `namespace:` or kpt \
                 set-namespace set it before this function runs",
            ),
        };
        problems.record("metadata.namespace", problem);
        return None;
    };
    if !k8s_names::is_dns_label(namespace) {
        let problem = Problem::NotNamespace(namespace.to_owned());
        problems.record("metadata.namespace", problem);
        return None;
    }
    if let Some(key) = &object.duplicate_key {
        problems.record(key.as_ref(), Problem::Duplicate);
        return None;
    }
    Some((name, namespace))
}

/// Readers of the spec (when it is a mapping) and of `spec.backupConfigurationTemplate`, which
/// the blueprint is unusable without.
fn template<'a, 't>(
    tree: &'a Tree<'t>,
    object: &ObjectFields<'_>,
    namespace: &str,
    name: &str,
    problems: &'a Problems,
) -> Option<(Option<Fields<'a, 't>>, Fields<'a, 't>)> {
    let spec = object
        .spec
        .filter(|s| tree.entries(*s).is_some())
        .map(|s| Fields::new(tree, s, "spec", problems));
    let template = spec
        .as_ref()
        .and_then(|spec| spec.at_mapping("backupConfigurationTemplate"));
    let Some(template) = template else {
        let problem = Problem::MissingMapping {
            subject: Subject::InNamespace(BLUEPRINT_KIND, namespace.to_owned(), name.to_owned()),
            why: Some("it is what the BackupConfiguration is made from"),
        };
        problems.record("spec.backupConfigurationTemplate", problem);
        return None;
    };
    Some((spec, template))
}

/// Warns of keys of the spec and of the template that the blueprint's CRD does not know (a
/// misspelt `backend:` would leave every backend out); the backends and sessions are checked
/// where they go, in the BackupConfiguration.
fn unknown_keys(spec: Option<&Fields<'_, '_>>, template: &Fields<'_, '_>, ns: &str, name: &str) {
    let subject = Subject::InNamespace(BLUEPRINT_KIND, ns.to_owned(), name.to_owned());
    let schema = super::schemas().root(API_VERSION, BLUEPRINT_KIND);
    let Some(place) = schema.and_then(|root| root.field("spec")) else {
        return;
    };
    if let Some(spec) = spec {
        spec.unknown_keys(place, &subject);
    }
    if let Some(place) = place.field("backupConfigurationTemplate") {
        template.unknown_keys(place, &subject);
    }
}

/// `backupConfigurationTemplate.namespace`, when set and not empty. Variables may make the
/// namespace, so it is checked once substituted.
fn template_namespace(template: &Fields<'_, '_>) -> Option<NodeId> {
    let node = template.string_node("namespace")?;
    (template.tree().scalar(node) != Some("")).then_some(node)
}

/// `backupConfigurationTemplate.backends`, when set; each needs a name.
fn backends(template: &Fields<'_, '_>) -> Option<NodeId> {
    for backend in template.list("backends").unwrap_or_default() {
        let unnamed = Problem::Custom(
            "each backend needs a name, which sessions' repositories refer to".into(),
        );
        backend.string("name", unnamed);
    }
    template.node("backends")
}

/// The template's sessions, by name.
fn sessions(template: &Fields<'_, '_>) -> Vec<(String, NodeId)> {
    let mut sessions = Vec::new();
    for session in template.list("sessions").unwrap_or_default() {
        let unnamed = Problem::Custom("each session needs a name".into());
        if let Some(name) = session.string("name", unnamed) {
            sessions.push((name.to_owned(), session.id()));
        }
    }
    sessions
}

#[cfg(test)]
mod tests {
    //! The reader at its boundary: a blueprint in, a blueprint or results (field, message) out.

    use super::*;
    use crate::engine::family::Family;
    use crate::engine::k8s_names::NAMESPACE_RULE;
    use crate::families::common::blueprints;

    /// Reads the BackupBlueprint of `rest` (flow mapping entries), `backup/daily` unless `rest`
    /// has metadata.
    fn read_blueprint(rest: &str) -> (Option<Blueprint>, Vec<(String, String)>) {
        let metadata = match rest.contains("metadata:") {
            true => "",
            false => "metadata: {name: daily, namespace: backup}, ",
        };
        let item = format!(
            "{{apiVersion: core.kubestash.com/v1alpha1, kind: BackupBlueprint, {metadata}{rest}}}"
        );
        let interest = super::super::KubeStash.interest();
        let (blueprint, problems) = blueprints::read_one(read, &interest, &item);
        let results = problems
            .iter()
            .map(|r| (r.field.clone(), r.to_string()))
            .collect();
        (blueprint, results)
    }

    /// `spec: {backupConfigurationTemplate: {template}, usagePolicy: {allowedNamespaces: {allowed}}}`.
    fn spec(template: &str, allowed: &str) -> String {
        format!(
            "spec: {{backupConfigurationTemplate: {{{template}}}, usagePolicy: {{allowedNamespaces: {{{allowed}}}}}}}"
        )
    }

    #[test]
    fn a_good_blueprint_reads_without_results() {
        let (blueprint, results) = read_blueprint(&spec(
            "namespace: '', backends: [{name: b}], sessions: [{name: s}]",
            "from: Selector, selector: {matchLabels: {team: db}, matchExpressions: [{key: tier, operator: NotIn, values: [test]}]}",
        ));
        assert_eq!(results, []);
        let blueprint = blueprint.expect("a blueprint");
        assert_eq!(
            blueprint.template_namespace, None,
            "an empty namespace is none"
        );
        assert_eq!(blueprint.sessions.len(), 1);
        let Usage::Selector(selector) = blueprint.usage else {
            panic!("a selector");
        };
        assert_eq!(
            selector.match_labels,
            [("team".to_owned(), "db".to_owned())]
        );
        assert_eq!(selector.expressions[0].values, ["test"]);
        for allowed in ["from: All", "from: Same", ""] {
            let (blueprint, results) = read_blueprint(&spec("", allowed));
            assert!(
                blueprint.is_some() && results.is_empty(),
                "{allowed}: {results:?}"
            );
        }
    }

    #[test]
    fn what_is_wrong_is_reported_at_its_field() {
        let invalid = format!(
            "metadata.namespace \"Bad_NS\" is not a valid Kubernetes namespace ({NAMESPACE_RULE})"
        );
        let cases: [(String, &[(&str, &str)]); 12] = [
            (
                format!("metadata: {{name: daily}}, {}", spec("", "")),
                &[(
                    "metadata.namespace",
                    "BackupBlueprint `daily` has no metadata.namespace: KubeStash blueprints are namespaced",
                )],
            ),
            (
                format!(
                    "metadata: {{name: daily, namespace: Bad_NS}}, {}",
                    spec("", "")
                ),
                &[("metadata.namespace", &invalid)],
            ),
            (
                "metadata: {namespace: backup}, spec: {}".into(),
                &[(
                    "metadata.name",
                    "BackupBlueprint has no metadata.name: targets name blueprints by namespace and name",
                )],
            ),
            (
                "spec: {backupConfigurationTemplate: []}".into(),
                &[(
                    "spec.backupConfigurationTemplate",
                    "BackupBlueprint backup/daily has no spec.backupConfigurationTemplate mapping: it is what the BackupConfiguration is made from",
                )],
            ),
            (
                spec("namespace: [a], backends: {}, sessions: {}", ""),
                &[
                    (
                        "spec.backupConfigurationTemplate.namespace",
                        "spec.backupConfigurationTemplate.namespace must be a string",
                    ),
                    (
                        "spec.backupConfigurationTemplate.backends",
                        "spec.backupConfigurationTemplate.backends must be a list",
                    ),
                    (
                        "spec.backupConfigurationTemplate.sessions",
                        "spec.backupConfigurationTemplate.sessions must be a list",
                    ),
                ],
            ),
            (
                spec("backends: [{name: b}, {}], sessions: [{name: ''}]", ""),
                &[
                    (
                        "spec.backupConfigurationTemplate.backends[1].name",
                        "each backend needs a name",
                    ),
                    (
                        "spec.backupConfigurationTemplate.sessions[0].name",
                        "each session needs a name",
                    ),
                ],
            ),
            (
                spec("", "from: Some"),
                &[(
                    "spec.usagePolicy.allowedNamespaces.from",
                    "spec.usagePolicy.allowedNamespaces.from must be `Same`, `All` or `Selector`, not `Some`",
                )],
            ),
            (
                spec("", "from: Selector"),
                &[(
                    "spec.usagePolicy.allowedNamespaces.selector",
                    "`from: Selector` needs a selector",
                )],
            ),
            (
                spec("", "from: Selector, selector: {matchLabels: {a: [b]}}"),
                &[(
                    "spec.usagePolicy.allowedNamespaces.selector.matchLabels",
                    "spec.usagePolicy.allowedNamespaces.selector.matchLabels must be a mapping of \
                     label names to values",
                )],
            ),
            (
                spec(
                    "",
                    "from: Selector, selector: {matchExpressions: [{key: a, operator: In, values: [b]}, {key: a, operator: Maybe}]}",
                ),
                &[(
                    "spec.usagePolicy.allowedNamespaces.selector.matchExpressions[1].operator",
                    "spec.usagePolicy.allowedNamespaces.selector.matchExpressions[1].operator must \
                     be `In`, `NotIn`, `Exists` or `DoesNotExist`, not `Maybe`",
                )],
            ),
            (
                spec(
                    "",
                    "from: Selector, selector: {matchExpressions: [{operator: Exists}]}",
                ),
                &[(
                    "spec.usagePolicy.allowedNamespaces.selector.matchExpressions[0].key",
                    "a match expression needs a key",
                )],
            ),
            (
                format!(
                    "metadata: {{name: daily, namespace: backup, name: again}}, {}",
                    spec("", "")
                ),
                &[(
                    "metadata.name",
                    "key `metadata.name` appears twice: remove one",
                )],
            ),
        ];
        for (rest, wanted) in cases {
            let (blueprint, results) = read_blueprint(&rest);
            assert!(blueprint.is_none(), "{rest}");
            assert_eq!(results.len(), wanted.len(), "{rest}: {results:?}");
            for ((field, message), (want_field, want_message)) in results.iter().zip(wanted) {
                assert_eq!(field, want_field, "{rest}");
                assert!(message.starts_with(want_message), "{rest}: {message}");
            }
        }
    }
}
