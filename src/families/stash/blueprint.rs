//! BackupBlueprints: the templates the generated objects are made from.

use std::rc::Rc;

use super::{BLUEPRINT_API_VERSION as API_VERSION, BLUEPRINT_KIND as KIND, GROUP};
use crate::engine::fields::{Fields, Problem, Problems, Subject};
use crate::engine::k8s_names;
use crate::krm::object::{ItemIndex, ObjectFields};
use crate::yaml::tree::{NodeId, Tree};

/// Storage backends of a Stash Repository; a blueprint names exactly one.
const BACKENDS: [&str; 7] = ["s3", "gcs", "azure", "swift", "b2", "local", "rest"];

/// Fields of the blueprint copied as they are into the BackupConfiguration, in output order.
pub const COPIED: [&str; 8] = [
    "retentionPolicy",
    "runtimeSettings",
    "tempDir",
    "interimVolumeTemplate",
    "hooks",
    "backupHistoryLimit",
    "timeOut",
    "retryConfig",
];

/// A blueprint whose spec has the shape Stash expects.
#[derive(Debug, Clone)]
pub struct Blueprint {
    pub name: String,
    /// The name again, shared by every object made from the blueprint (it goes into each one's
    /// marker).
    pub provenance: Rc<str>,
    /// Position of the blueprint among the input objects.
    pub object: usize,
    pub backend: NodeId,
    pub wipe_out: bool,
    pub usage_policy: Option<NodeId>,
    pub backup_namespace: Option<String>,
    pub repo_namespace: Option<String>,
    pub schedule: Option<NodeId>,
    pub task_name: Option<NodeId>,
    /// `(name, value)` nodes of `task.params`.
    pub params: Vec<(NodeId, NodeId)>,
    /// `(field, value)` for the [`COPIED`] fields that are set and not empty.
    pub copied: Vec<(&'static str, NodeId)>,
}

impl Blueprint {
    /// The blueprint as Stash's results name it: `` `daily` ``.
    pub fn shown(&self) -> String {
        format!("`{}`", self.name)
    }
}

/// A BackupBlueprint of Stash's group, of any version (a wrong version is reported).
pub fn is_blueprint(fields: &ObjectFields<'_>) -> bool {
    fields.kind.text() == Some(KIND) && fields.group() == Some(GROUP)
}

/// Reads a blueprint: the blueprint, when nothing in it is wrong; what is wrong is in `problems`
/// (an unusable blueprint gives `None` and at least one error).
pub fn read(
    tree: &Tree<'_>,
    object: &ObjectFields<'_>,
    index: ItemIndex,
    problems: &Problems,
) -> Option<Blueprint> {
    let (name, spec) = identity(tree, object, problems)?;
    let subject = Subject::Named(KIND, name.to_owned());
    let backend = backend(&spec, &subject);
    let wipe_out = spec.bool("wipeOut").unwrap_or(false);
    let (task_name, params) = task(&spec);
    let schedule = spec.string_node("schedule");
    let (backup_namespace, repo_namespace) = namespaces(&spec);
    spec.require(
        "retentionPolicy",
        Problem::Missing {
            subject: subject.clone(),
            why: Some("a BackupConfiguration requires one"),
        },
    );
    let copied = copied(&spec);
    check_keys(&spec, &subject);
    let backend = backend?;
    (!problems.has_errors()).then(|| Blueprint {
        name: name.to_owned(),
        provenance: name.into(),
        object: index,
        backend,
        wipe_out,
        usage_policy: spec.node("usagePolicy"),
        backup_namespace,
        repo_namespace,
        schedule,
        task_name,
        params,
        copied,
    })
}

/// The blueprint's name and a reader of its spec, when the object is a blueprint of this
/// version with a name targets can use; nothing else is read from one that is not.
fn identity<'f, 'a, 't>(
    tree: &'a Tree<'t>,
    object: &'f ObjectFields<'_>,
    problems: &'a Problems,
) -> Option<(&'f str, Fields<'a, 't>)> {
    if object.api_version.text() != Some(API_VERSION) {
        let found = object.api_version.text().map(str::to_owned);
        let problem = Problem::WrongApiVersion {
            kind: KIND,
            wanted: API_VERSION,
            found,
        };
        problems.record("apiVersion", problem);
        return None;
    }
    let Some(name) = object.name.text().filter(|n| !n.is_empty()) else {
        let problem = Problem::Missing {
            subject: Subject::Kind(KIND),
            why: Some("targets find blueprints by name"),
        };
        problems.record("metadata.name", problem);
        return None;
    };
    if !k8s_names::is_dns_subdomain(name) {
        let problem = Problem::NotName {
            kind: KIND,
            value: name.to_owned(),
        };
        problems.record("metadata.name", problem);
        return None;
    }
    if let Some(key) = &object.duplicate_key {
        problems.record(key.as_ref(), Problem::Duplicate);
        return None;
    }
    let Some(spec) = object.spec.filter(|s| tree.entries(*s).is_some()) else {
        let problem = Problem::MissingMapping {
            subject: Subject::Named(KIND, name.to_owned()),
            why: None,
        };
        problems.record("spec", problem);
        return None;
    };
    Some((name, Fields::new(tree, spec, "spec", problems)))
}

/// `spec.backend`, when it names exactly one storage backend.
fn backend(spec: &Fields<'_, '_>, subject: &Subject) -> Option<NodeId> {
    let missing = Problem::Missing {
        subject: subject.clone(),
        why: Some("the Repository needs one"),
    };
    spec.require("backend", missing)?;
    let backend = spec.mapping("backend")?;
    let tree = spec.tree();
    let kinds: Vec<String> = backend
        .entries()
        .iter()
        .filter_map(|(k, v)| tree.scalar(*k).filter(|_| !tree.is_null(*v)))
        .filter(|k| BACKENDS.contains(k))
        .map(str::to_owned)
        .collect();
    if kinds.len() != 1 {
        let problem = Problem::NotExactlyOne {
            of: &BACKENDS,
            found: kinds,
        };
        spec.report("backend", problem);
        return None;
    }
    Some(backend.id())
}

/// `spec.task`: its name, and the `(name, value)` nodes of its params.
fn task(spec: &Fields<'_, '_>) -> (Option<NodeId>, Vec<(NodeId, NodeId)>) {
    let shape = Problem::Expected("a mapping with name and params");
    let Some(task) = spec.mapping_or("task", shape) else {
        return (None, Vec::new());
    };
    let name = task.string_node("name");
    let tree = spec.tree();
    let mut params = Vec::new();
    for item in task.list("params").unwrap_or_default() {
        let string = |key: &str| item.lookup(key).filter(|n| tree.scalar(*n).is_some());
        match (string("name"), string("value")) {
            (Some(name), Some(value)) => params.push((name, value)),
            _ => item.report_here(Problem::Custom(
                "each task param needs a string name and value".into(),
            )),
        }
    }
    (name, params)
}

/// `spec.backupNamespace` and `spec.repoNamespace`, when set and not empty. One with a
/// variable is checked once substituted for each target, as the operator substitutes the
/// whole blueprint before it reads them.
fn namespaces(spec: &Fields<'_, '_>) -> (Option<String>, Option<String>) {
    let read = |key: &str| {
        let text = spec.optional_string(key).filter(|ns| !ns.is_empty());
        text.map(str::to_owned)
    };
    let backup = read("backupNamespace");
    let repo = read("repoNamespace");
    for (key, namespace) in [("backupNamespace", &backup), ("repoNamespace", &repo)] {
        if let Some(ns) = namespace
            .as_deref()
            .filter(|ns| !ns.contains('$') && !k8s_names::is_dns_label(ns))
        {
            spec.report(key, Problem::NotNamespace(ns.to_owned()));
        }
    }
    (backup, repo)
}

/// The [`COPIED`] fields that are set and not empty.
fn copied(spec: &Fields<'_, '_>) -> Vec<(&'static str, NodeId)> {
    let tree = spec.tree();
    COPIED
        .iter()
        .filter_map(|field| {
            let v = spec.node(field)?;
            let empty = tree.entries(v).is_some_and(<[_]>::is_empty);
            (!empty).then_some((*field, v))
        })
        .collect()
}

/// A merge key left in the spec is an error; a key the blueprint's CRD does not know is
/// ignored, with a warning, since it is most often a typo.
fn check_keys(spec: &Fields<'_, '_>, subject: &Subject) {
    let tree = spec.tree();
    if spec.entries().iter().any(|(k, _)| tree.is_merge_key(*k)) {
        spec.report_here(Problem::MergeKey);
    }
    let place = super::schemas().root(API_VERSION, KIND);
    if let Some(place) = place.and_then(|root| root.field("spec")) {
        spec.unknown_keys(place, subject);
    }
}

#[cfg(test)]
mod tests {
    //! The reader at its boundary: a blueprint in, a blueprint or results (field, message) out.

    use super::*;
    use crate::engine::family::Family;
    use crate::engine::k8s_names::NAMESPACE_RULE;
    use crate::families::common::blueprints;
    use crate::krm::results::Severity;

    /// Reads the BackupBlueprint of `rest` (flow mapping entries), named `daily` unless `rest`
    /// has metadata.
    fn read_blueprint(rest: &str) -> (Option<Blueprint>, Vec<(Severity, String, String)>) {
        let metadata = match rest.contains("metadata:") {
            true => "",
            false => "metadata: {name: daily}, ",
        };
        let item = format!("{{kind: BackupBlueprint, {metadata}{rest}}}");
        let interest = super::super::Stash.interest();
        let (blueprint, problems) = blueprints::read_one(read, &interest, &item);
        let results = problems
            .iter()
            .map(|r| (r.severity(), r.field.clone(), r.to_string()))
            .collect();
        (blueprint, results)
    }

    const V: &str = "apiVersion: stash.appscode.com/v1beta1";
    const GOOD: &str = "backend: {gcs: {bucket: b}}, retentionPolicy: {name: keep}";

    #[test]
    fn a_good_blueprint_reads_without_results() {
        let (blueprint, results) = read_blueprint(&format!(
            "{V}, spec: {{{GOOD}, wipeOut: yes, backupNamespace: backups, task: {{name: t, params: [{{name: a, value: b}}]}}}}"
        ));
        assert_eq!(results, []);
        let blueprint = blueprint.expect("a blueprint");
        assert!(blueprint.wipe_out);
        assert_eq!(blueprint.backup_namespace.as_deref(), Some("backups"));
        assert_eq!(blueprint.params.len(), 1);
        assert_eq!(
            blueprint.copied,
            [("retentionPolicy", blueprint.copied[0].1)]
        );
    }

    #[test]
    fn what_is_wrong_is_reported_at_its_field() {
        let namespace = format!(
            "spec.repoNamespace \"Bad_NS\" is not a valid Kubernetes namespace ({NAMESPACE_RULE})"
        );
        let cases: [(String, &[(&str, &str)]); 10] = [
            (
                "apiVersion: stash.appscode.com/v1, spec: {}".into(),
                &[(
                    "apiVersion",
                    "BackupBlueprint apiVersion must be stash.appscode.com/v1beta1, not stash.appscode.com/v1",
                )],
            ),
            (
                format!("{V}, spec: []"),
                &[("spec", "BackupBlueprint `daily` has no spec mapping")],
            ),
            (
                format!("{V}, spec: {{wipeOut: 1}}"),
                &[
                    (
                        "spec.backend",
                        "BackupBlueprint `daily` has no spec.backend: the Repository needs one",
                    ),
                    ("spec.wipeOut", "spec.wipeOut must be true or false"),
                    (
                        "spec.retentionPolicy",
                        "BackupBlueprint `daily` has no spec.retentionPolicy: a BackupConfiguration requires one",
                    ),
                ],
            ),
            (
                format!("{V}, spec: {{backend: [s3], retentionPolicy: {{}}}}"),
                &[("spec.backend", "spec.backend must be a mapping")],
            ),
            (
                format!(
                    "{V}, spec: {{backend: {{s3: {{}}, gcs: {{}}, local: ~}}, retentionPolicy: {{}}}}"
                ),
                &[(
                    "spec.backend",
                    "spec.backend must name exactly one of s3, gcs, azure, swift, b2, local, rest (found s3, gcs)",
                )],
            ),
            (
                format!("{V}, spec: {{{GOOD}, task: [a]}}"),
                &[(
                    "spec.task",
                    "spec.task must be a mapping with name and params",
                )],
            ),
            (
                format!(
                    "{V}, spec: {{{GOOD}, task: {{name: [a], params: [{{name: a}}, {{name: b, value: c}}]}}}}"
                ),
                &[
                    ("spec.task.name", "spec.task.name must be a string"),
                    (
                        "spec.task.params[0]",
                        "each task param needs a string name and value",
                    ),
                ],
            ),
            (
                format!("{V}, spec: {{{GOOD}, task: {{params: {{a: b}}}}, schedule: [a]}}"),
                &[
                    ("spec.task.params", "spec.task.params must be a list"),
                    ("spec.schedule", "spec.schedule must be a string"),
                ],
            ),
            (
                format!("{V}, spec: {{{GOOD}, backupNamespace: {{a: b}}, repoNamespace: Bad_NS}}"),
                &[
                    (
                        "spec.backupNamespace",
                        "spec.backupNamespace must be a string",
                    ),
                    ("spec.repoNamespace", &namespace),
                ],
            ),
            (
                format!("{V}, metadata: {{name: Daily}}, spec: {{{GOOD}}}"),
                &[(
                    "metadata.name",
                    "BackupBlueprint name \"Daily\" is not a valid Kubernetes name",
                )],
            ),
        ];
        for (rest, wanted) in cases {
            let (blueprint, results) = read_blueprint(&rest);
            assert!(blueprint.is_none(), "{rest}");
            assert_eq!(results.len(), wanted.len(), "{rest}: {results:?}");
            for ((severity, field, message), (want_field, want_message)) in
                results.iter().zip(wanted)
            {
                assert_eq!(*severity, Severity::Error, "{rest}");
                assert_eq!(field, want_field, "{rest}");
                assert!(message.starts_with(want_message), "{rest}: {message}");
            }
        }
    }

    #[test]
    fn an_unknown_field_is_only_a_warning() {
        let (blueprint, results) = read_blueprint(&format!("{V}, spec: {{{GOOD}, shedule: x}}"));
        assert!(blueprint.is_some());
        assert_eq!(
            results,
            [(
                Severity::Warning,
                "spec.shedule".to_owned(),
                "unknown field spec.shedule in BackupBlueprint `daily` is ignored; did you mean `schedule`?".to_owned()
            )]
        );
    }
}
