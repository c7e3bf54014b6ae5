//! From blueprints and targets to BackupConfigurations (SPEC-kubestash K3–K6): per target, one
//! BackupConfiguration from the blueprint it names, or the findings that say why not.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;

use super::blueprint::{self, Blueprint};
use super::render::{self, Parts};
use super::targets::{self, Target};
use super::usage::{self, NAME_LABEL};
use super::vars::Vars;
use super::{
    FILE_PREFIX, GENERATED, GROUP, KEYS, KubeStash, LEGACY_SESSIONS_ANNOTATION, NAME_ANNOTATION,
    NAMESPACE_ANNOTATION, SESSION_NAMES_ANNOTATION, STORAGE_GROUP, VARIABLE_PREFIX,
};
use crate::engine::config::{Config, ConfigurationNamespace, Info, MissingBlueprint};
use crate::engine::expand::Expander;
use crate::engine::family::{Family, Input, Select};
use crate::engine::finding::Found;
use crate::engine::k8s_names::{self, NAME_RULE, NAMESPACE_RULE};
use crate::engine::reconcile::{Proposal, Proposals};
use crate::engine::spread;
use crate::families::subjects::{self, Makeup};
use crate::krm::object::{ItemIndex, ObjectKey};
use crate::krm::results::{ResourceRef, Severity, annotation_field};
use crate::suggest;
use crate::yaml::emit::Value;
use crate::yaml::tree::NodeId;

const TEMPLATE: &str = "spec.backupConfigurationTemplate";

/// The labels the operator sets on what it generates, after the blueprint's own.
const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "kubestash.com");
const INVOKER_NAME: &str = "kubestash.com/invoker-name";
const INVOKER_NAMESPACE: &str = "kubestash.com/invoker-namespace";

/// Proposes the BackupConfiguration of every target of `input`.
pub fn propose(input: &Input<'_, '_>, config: &Config, out: &mut Proposals<'_, '_>) {
    let mut generator = Generator {
        input,
        config,
        out,
        taken: HashMap::new(),
        noted_defaults: HashSet::new(),
        noted_readings: HashSet::new(),
        blueprint_objects: HashMap::new(),
    };
    generator.run();
}

/// A blueprint's namespace and name.
type BlueprintKey = (String, String);

/// What two targets' BackupConfigurations may not share (K6): a repository name in a namespace,
/// or a storage and directory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Claim {
    Repository { namespace: String, name: String },
    Directory { storage: String, directory: String },
}

/// Whether the input holds a `default: true` BackupStorage and RetentionPolicy, which fill in
/// what a blueprint's backends leave out.
#[derive(Debug, Clone, Copy, Default)]
struct Defaults {
    storage: bool,
    retention: bool,
}

struct Generator<'g, 'i, 'a, 'p, 'r> {
    input: &'g Input<'i, 'a>,
    config: &'g Config,
    out: &'g mut Proposals<'p, 'r>,
    /// What earlier targets' BackupConfigurations use, and the target using it.
    taken: HashMap<Claim, Rc<str>>,
    /// Blueprints already told that the input lacks a default storage or retention policy,
    /// and that the two readings of their namespace differ.
    noted_defaults: HashSet<ItemIndex>,
    noted_readings: HashSet<ItemIndex>,
    /// Every blueprint object by namespace and name, usable or not.
    blueprint_objects: HashMap<BlueprintKey, Vec<ItemIndex>>,
}

/// One target on its way to a BackupConfiguration.
struct Resolved<'b> {
    target: &'b Target,
    annotated: ItemIndex,
    /// The target's namespace: its own, or the default one.
    namespace: String,
    blueprint: &'b Blueprint,
}

impl Generator<'_, '_, '_, '_, '_> {
    fn about(&mut self, severity: Severity, object: ItemIndex, message: String) -> &mut Found {
        self.out.about(severity, object, message)
    }

    fn run(&mut self) {
        let blueprints = self.blueprints();
        let namespaces = self.namespace_labels();
        let defaults = self.defaults();
        let targets = targets::find(self.input);
        self.note_unsupported(&targets);
        let first = blueprints.values().flatten().map(|b| b.object).min();
        let annotations = [NAME_ANNOTATION, NAMESPACE_ANNOTATION];
        subjects::note_misspelt_annotations(self.input, self.out, KubeStash.name(), KEYS);
        subjects::note_no_targets(self.input, self.out, first, &annotations);
        for target in &targets {
            if let Some(resolved) = self.resolve(target, &blueprints, &namespaces) {
                self.generate(&resolved, defaults);
            }
        }
    }

    /// The blueprints by namespace and name; `None` for a pair two blueprints share.
    fn blueprints(&mut self) -> HashMap<BlueprintKey, Option<Blueprint>> {
        let reader = subjects::BlueprintReader {
            family: KubeStash.name(),
            group: GROUP,
            is_blueprint: blueprint::is_blueprint,
            read: blueprint::read,
            key: |fields| {
                let (namespace, name) = (fields.namespace.text()?, fields.name.text()?);
                Some((namespace.to_owned(), name.to_owned()))
            },
            twice: |(namespace, name)| {
                format!(
                    "two BackupBlueprints are named {namespace}/{name}; targets using it are \
                     skipped until one is renamed"
                )
            },
        };
        reader.read_all(self.input, self.out, &mut self.blueprint_objects)
    }

    /// The labels of the input's Namespaces (with the name label the API server sets).
    fn namespace_labels(&self) -> HashMap<String, Vec<(String, String)>> {
        let tree = self.input.tree;
        self.input
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

    fn defaults(&self) -> Defaults {
        let tree = self.input.tree;
        let mut defaults = Defaults::default();
        for (_, fields) in self.input.select(&[Select::Group(STORAGE_GROUP)]) {
            let default = fields
                .spec
                .and_then(|s| tree.lookup(s, "default"))
                .and_then(|v| tree.scalar(v))
                == Some("true");
            match fields.kind.text() {
                Some("BackupStorage") => defaults.storage |= default,
                Some("RetentionPolicy") => defaults.retention |= default,
                _ => {}
            }
        }
        defaults
    }

    /// Annotated objects that are no target: of another kind, or without a name.
    fn note_unsupported(&mut self, targets: &[Target]) {
        let in_target: HashSet<ItemIndex> = targets.iter().flat_map(|t| t.objects()).collect();
        let input = self.input;
        let select = [
            Select::Annotated(NAME_ANNOTATION),
            Select::Annotated(NAMESPACE_ANNOTATION),
        ];
        for (i, fields) in input.select(&select) {
            if in_target.contains(&i) {
                continue;
            }
            let database = subjects::is_database(fields) || subjects::is_app_binding(fields);
            let key = if fields.annotations.get(NAME_ANNOTATION).is_some() {
                NAME_ANNOTATION
            } else {
                NAMESPACE_ANNOTATION
            };
            if database || targets::kind_of(fields).is_some() {
                // With a name, it shares its target's name with an object of that target (a
                // second AppBinding, a third database), which the target's checks report.
                if fields.name.text().is_none() {
                    self.about(Severity::Error, i, "a target needs metadata.name".into())
                        .field = Some("metadata.name".into());
                }
            } else {
                self.out.info(
                    Info::NotATarget,
                    i,
                    "not a KubeStash target of stash-autobackup, which handles KubeDB databases \
                     (kubedb.com/v1alpha2 and v1), AppBindings, Deployments, StatefulSets, \
                     DaemonSets and PersistentVolumeClaims; this object's auto-backup is left to \
                     the KubeStash operator",
                )
                .field = Some(annotation_field(key));
            }
        }
    }

    /// The target's namespace and blueprint, once the target, its annotations and the
    /// blueprint's usage policy allow it (K2, K3 steps 1 and 2).
    fn resolve<'b>(
        &mut self,
        target: &'b Target,
        blueprints: &'b HashMap<BlueprintKey, Option<Blueprint>>,
        namespaces: &HashMap<String, Vec<(String, String)>>,
    ) -> Option<Resolved<'b>> {
        let annotated = targets::annotated_object(target);
        let databases = match target.makeup {
            Makeup::Database {
                database,
                second_database,
                ..
            } => database.zip(second_database),
            Makeup::Object { .. } => None,
        };
        let objects = target.objects();
        let checked = subjects::Checked {
            name: &target.name,
            namespace: target.namespace.as_deref(),
            annotated,
            named: annotated,
            objects: &objects,
            databases,
        };
        let namespace = subjects::checked_namespace(self.input, self.config, &checked, self.out)?;
        let text = |key: &str| target.annotation(key).map(|a| a.value.trim());
        let Some(name) = text(NAME_ANNOTATION).filter(|n| !n.is_empty()) else {
            self.about(
                Severity::Error,
                annotated,
                format!(
                    "{NAMESPACE_ANNOTATION} is set but {NAME_ANNOTATION} is not: set it to the \
                     name of the BackupBlueprint to use"
                ),
            )
            .field = Some(annotation_field(NAME_ANNOTATION));
            return None;
        };
        let Some(blueprint_namespace) = text(NAMESPACE_ANNOTATION).filter(|n| !n.is_empty()) else {
            let mut message = format!(
                "no {NAMESPACE_ANNOTATION} annotation: KubeStash blueprints are namespaced, and \
                 the operator does nothing without it; set it to the namespace of BackupBlueprint \
                 `{name}`"
            );
            let homes: Vec<&str> = blueprints
                .keys()
                .filter(|(_, n)| n == name)
                .map(|(ns, _)| ns.as_str())
                .collect();
            if let [home] = homes[..] {
                message.push_str(&format!(" (the input has one in {home})"));
            }
            self.about(Severity::Error, annotated, message).field =
                Some(annotation_field(NAMESPACE_ANNOTATION));
            return None;
        };
        let key = (blueprint_namespace.to_owned(), name.to_owned());
        for &object in self.blueprint_objects.get(&key).into_iter().flatten() {
            self.out.uses(object);
        }
        let blueprint = match blueprints.get(&key) {
            Some(Some(blueprint)) => blueprint,
            Some(None) => return None,
            None => {
                self.out.protect(&format!("{blueprint_namespace}/{name}"));
                let severity = match self.config.missing_blueprint {
                    MissingBlueprint::Error => Severity::Error,
                    MissingBlueprint::Warning => Severity::Warning,
                };
                let target_ref = ResourceRef::of(self.input.object(annotated));
                let wanted = format!("{blueprint_namespace}/{name}");
                let known: Vec<String> = blueprints
                    .keys()
                    .map(|(ns, n)| format!("{ns}/{n}"))
                    .collect();
                let hint = suggest::closest(&wanted, known.iter().map(String::as_str))
                    .map(|known| format!(" (did you mean {known}?)"))
                    .unwrap_or_default();
                self.about(
                    severity,
                    annotated,
                    format!(
                        "BackupBlueprint {wanted} not found{hint}: add it to the input or fix the \
                         {NAME_ANNOTATION} and {NAMESPACE_ANNOTATION} annotations on \
                         {target_ref}"
                    ),
                )
                .field = Some(annotation_field(NAME_ANNOTATION));
                return None;
            }
        };
        let labels = namespaces.get(&namespace).map(Vec::as_slice);
        if let Err(why) = usage::check(&blueprint.usage, &blueprint.namespace, &namespace, labels) {
            self.about(
                Severity::Error,
                annotated,
                format!(
                    "BackupBlueprint {} may not be used here: {why}",
                    blueprint.provenance
                ),
            )
            .field = Some(annotation_field(NAME_ANNOTATION));
            return None;
        }
        Some(Resolved {
            target,
            annotated,
            namespace,
            blueprint,
        })
    }

    /// The blueprint's sessions this target asks for (all, or those its session-names
    /// annotation lists, in the blueprint's order), with their index in the blueprint.
    fn sessions(&mut self, resolved: &Resolved<'_>) -> Option<Vec<(usize, NodeId)>> {
        let Resolved {
            target, blueprint, ..
        } = *resolved;
        let all = blueprint.sessions.iter().map(|(_, node)| *node).enumerate();
        if let Some(legacy) = target.annotation(LEGACY_SESSIONS_ANNOTATION) {
            self.about(
                Severity::Warning,
                legacy.object,
                format!(
                    "{LEGACY_SESSIONS_ANNOTATION} is the name KubeStash used before v2024.4.27; \
                     rename it {SESSION_NAMES_ANNOTATION}"
                ),
            )
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
        let object = annotation.object;
        let have = || {
            let names: Vec<&str> = blueprint.sessions.iter().map(|(n, _)| n.as_str()).collect();
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        };
        if wanted.is_empty() {
            self.about(
                Severity::Error,
                object,
                format!(
                    "{key} names no session; list some of BackupBlueprint {}'s ({}), or remove it \
                     to use them all",
                    blueprint.provenance,
                    have()
                ),
            )
            .field = Some(annotation_field(key));
            return None;
        }
        let unknown: Vec<&str> = wanted
            .iter()
            .copied()
            .filter(|w| !blueprint.sessions.iter().any(|(n, _)| n == w))
            .collect();
        if !unknown.is_empty() {
            self.about(
                Severity::Error,
                object,
                format!(
                    "{key} names {} that BackupBlueprint {} does not have (it has {})",
                    quoted_list("session", &unknown),
                    blueprint.provenance,
                    have()
                ),
            )
            .field = Some(annotation_field(key));
            return None;
        }
        Some(
            all.filter(|(i, _)| wanted.contains(&blueprint.sessions[*i].0.as_str()))
                .collect(),
        )
    }

    fn generate(&mut self, resolved: &Resolved<'_>, defaults: Defaults) {
        let Some(sessions) = self.sessions(resolved) else {
            return;
        };
        let Resolved {
            target,
            annotated,
            ref namespace,
            blueprint,
        } = *resolved;
        subjects::note_annotation_sources(self.input, self.out, &target.annotations);
        let vars = Vars::new(target);
        for name in vars.unreachable() {
            let key = format!("{VARIABLE_PREFIX}{name}");
            self.about(
                Severity::Warning,
                annotated,
                format!(
                    "variable `{name}` can never be used: a ${{…}} name is made of letters, \
                     digits, `_` and `-`; rename the annotation"
                ),
            )
            .field = Some(annotation_field(&key));
        }

        // The operator substitutes the whole (filtered) template: a variable it cannot
        // resolve anywhere in it, even in a field it does not copy, stops it.
        let mut expander = Expander::new(self.input.tree, &vars);
        let template_namespace = blueprint
            .template_namespace
            .map(|n| expander.copy(n, &format!("{TEMPLATE}.namespace")));
        if let Some(node) = blueprint.deletion_policy {
            expander.copy(node, &format!("{TEMPLATE}.deletionPolicy"));
        }
        let backends = blueprint
            .backends
            .map(|n| expander.copy(n, &format!("{TEMPLATE}.backends")));
        let mut sessions: Vec<(usize, Value<'_>)> = sessions
            .into_iter()
            .map(|(i, node)| {
                let mut session = expander.copy(node, &format!("{TEMPLATE}.sessions[{i}]"));
                // The operator's Go type always writes a jobTemplate, which the CRD requires;
                // `{}` is the least that stands for it.
                if let Some(scheduler @ Value::Map(_)) = session.get_mut("scheduler")
                    && scheduler.get("jobTemplate").is_none()
                {
                    scheduler.push("jobTemplate", Value::Map(Vec::new()));
                }
                (i, session)
            })
            .collect();
        if !expander.errors.is_empty() {
            for e in std::mem::take(&mut expander.errors) {
                self.about(
                    Severity::Error,
                    annotated,
                    format!(
                        "{}, in {} of BackupBlueprint {}; nothing is generated for this target",
                        e.message, e.field, blueprint.provenance
                    ),
                );
            }
            return;
        }

        let Some(config_namespace) = self.placement(resolved, template_namespace.as_ref()) else {
            return;
        };
        let kind = targets::watched_kind(target);
        let name = if config_namespace == *namespace {
            format!("{kind}-{}", target.name)
        } else {
            format!("{namespace}-{kind}-{}", target.name)
        };
        if !k8s_names::is_dns_subdomain(&name) {
            self.about(
                Severity::Error,
                annotated,
                format!(
                    "the BackupConfiguration's name `{name}` would be longer than Kubernetes \
                     allows ({NAME_RULE}); shorten the target's name"
                ),
            )
            .field = Some("metadata.name".into());
            return;
        }
        if name.len() > 63 {
            self.about(
                Severity::Warning,
                annotated,
                format!(
                    "the BackupConfiguration's name `{name}` has {} characters: the operator \
                     names CronJobs and Jobs after it, and Kubernetes refuses those over 63 (52 \
                     for a CronJob); shorten the target's name",
                    name.len()
                ),
            )
            .field = Some("metadata.name".into());
        }

        let problems = check(backends.as_ref(), &sessions);
        if !problems.is_empty() {
            for (field, message) in problems {
                self.about(
                    Severity::Error,
                    annotated,
                    format!(
                        "{field} of BackupBlueprint {}: {message}; KubeStash would refuse the \
                         BackupConfiguration",
                        blueprint.provenance
                    ),
                );
            }
            return;
        }
        if !self.settle_schedules(resolved, &mut sessions) {
            return;
        }
        subjects::note_variables(self.out, &blueprint.provenance, vars.used());
        self.note_defaults(blueprint, backends.as_ref(), defaults);

        let reference = targets::reference(self.input, target, namespace);
        let target_name: Rc<str> = render::target_name(&reference).into();
        let claims = claims(&config_namespace, backends.as_ref(), &sessions);
        if !self.claim(annotated, &target_name, claims) {
            return;
        }

        let mut labels: BTreeMap<String, String> = blueprint.labels.iter().cloned().collect();
        labels.insert(MANAGED_BY.0.to_owned(), MANAGED_BY.1.to_owned());
        labels.insert(INVOKER_NAME.to_owned(), blueprint.name.clone());
        labels.insert(INVOKER_NAMESPACE.to_owned(), blueprint.namespace.clone());
        let file = self
            .out
            .new_file(target.position, FILE_PREFIX, &config_namespace, &name);
        let value = render::backup_configuration(Parts {
            name: name.clone(),
            namespace: config_namespace.clone(),
            labels: labels.into_iter().collect(),
            target: reference,
            backends,
            sessions: sessions.into_iter().map(|(_, s)| s).collect(),
        });
        self.out.propose(Proposal {
            value,
            key: ObjectKey {
                group: GENERATED[0].group,
                kind: GENERATED[0].kind,
                namespace: config_namespace,
                name,
            },
            provenance: blueprint.provenance.clone(),
            subject: annotated,
            target: target_name,
            file: file.map(|file| (file, 0)),
        });
    }

    /// The BackupConfiguration's namespace (K5): the template's, else the blueprint's or the
    /// target's as configured, with a warning when the two readings differ.
    fn placement(
        &mut self,
        resolved: &Resolved<'_>,
        template_namespace: Option<&Value<'_>>,
    ) -> Option<String> {
        let Resolved {
            annotated,
            ref namespace,
            blueprint,
            ..
        } = *resolved;
        let written = template_namespace
            .and_then(Value::scalar)
            .filter(|ns| !ns.is_empty());
        if let Some(ns) = written {
            if !k8s_names::is_dns_label(&ns) {
                let target_ref = ResourceRef::of(self.input.object(annotated));
                self.about(
                    Severity::Error,
                    blueprint.object,
                    format!(
                        "{TEMPLATE}.namespace is {ns:?} for {target_ref}, which is not a \
                         namespace ({NAMESPACE_RULE})"
                    ),
                )
                .field = Some(format!("{TEMPLATE}.namespace"));
                return None;
            }
            return Some(ns.into_owned());
        }
        if blueprint.namespace == *namespace {
            return Some(namespace.clone());
        }
        let (chosen, reading, other, other_reading, option) =
            match self.config.configuration_namespace {
                ConfigurationNamespace::Blueprint => (
                    &blueprint.namespace,
                    "the blueprint's, as KubeStash's API documentation says,",
                    namespace,
                    "the target's",
                    "configurationNamespace: target",
                ),
                ConfigurationNamespace::Target => (
                    namespace,
                    "the target's, as the configurationNamespace option asks,",
                    &blueprint.namespace,
                    "the blueprint's",
                    "configurationNamespace: blueprint",
                ),
            };
        // One warning per blueprint: the fix is one field of it.
        if self.noted_readings.insert(blueprint.object) {
            let target_ref = ResourceRef::of(self.input.object(annotated));
            self.about(
                Severity::Warning,
                blueprint.object,
                format!(
                    "the template names no namespace and targets in other namespaces use this \
                     blueprint ({target_ref} first): their BackupConfigurations go to {reading} \
                     namespace ({chosen} for this one); KubeStash's operator notes also read it \
                     as {other_reading} ({other}). Set {TEMPLATE}.namespace to decide, or give \
                     the option {option}"
                ),
            )
            .field = Some(format!("{TEMPLATE}.namespace"));
        }
        Some(chosen.clone())
    }

    /// Resolves `H` in the sessions' schedules (in place) and says whether every schedule is
    /// one Kubernetes accepts; problems are reported.
    fn settle_schedules(
        &mut self,
        resolved: &Resolved<'_>,
        sessions: &mut [(usize, Value<'_>)],
    ) -> bool {
        let mut valid = true;
        for (i, session) in sessions {
            let name = session
                .get("name")
                .and_then(Value::scalar)
                .unwrap_or_default()
                .into_owned();
            let Some(slot) = session
                .get_mut("scheduler")
                .and_then(|s| s.get_mut("schedule"))
            else {
                continue;
            };
            let Some(schedule) = slot.scalar().map(|s| s.into_owned()) else {
                continue;
            };
            // `H` spreads by the target and the session: two sessions of one target differ too.
            let seed = format!("{}/{}/{name}", resolved.namespace, resolved.target.name);
            let (settled, problem) = spread::checked(&schedule, &seed);
            if problem
                .as_ref()
                .is_none_or(|(severity, _)| *severity != Severity::Error)
            {
                let tree = self.input.tree;
                let session = resolved.blueprint.sessions.get(*i).map(|(_, node)| *node);
                self.out
                    .detail(Some(&resolved.blueprint.provenance), "schedule", || {
                        // As the blueprint writes it, before its variables are substituted.
                        let written = session
                            .and_then(|s| tree.lookup(s, "scheduler"))
                            .and_then(|s| tree.lookup(s, "schedule"))
                            .and_then(|s| tree.scalar(s));
                        let mut text = format!("`{settled}` for session `{name}`");
                        if settled != schedule {
                            text.push_str(&format!(" (`{schedule}`, spread by H)"));
                        }
                        if let Some(written) = written.filter(|w| *w != schedule) {
                            text.push_str(&format!(", from `{written}` in the blueprint"));
                        }
                        text
                    });
            }
            if settled != schedule {
                *slot = Value::str(settled);
            }
            let Some((severity, message)) = problem else {
                continue;
            };
            let field = format!("{TEMPLATE}.sessions[{i}].scheduler.schedule");
            self.about(
                severity,
                resolved.annotated,
                format!(
                    "{message} ({field} of BackupBlueprint {})",
                    resolved.blueprint.provenance
                ),
            );
            valid &= severity != Severity::Error;
        }
        valid
    }

    /// An info when the backends leave something to a `default: true` BackupStorage or
    /// RetentionPolicy that the input does not hold (it may be in the cluster).
    fn note_defaults(
        &mut self,
        blueprint: &Blueprint,
        backends: Option<&Value<'_>>,
        defaults: Defaults,
    ) {
        let list = match backends {
            Some(Value::Seq(list)) => &list[..],
            _ => &[],
        };
        let storage = list.is_empty() && !defaults.storage;
        let retention = !defaults.retention
            && (list.is_empty() || list.iter().any(|b| b.get("retentionPolicy").is_none()));
        let missing = match (storage, retention) {
            (true, true) => "a BackupStorage and a RetentionPolicy",
            (true, false) => "a BackupStorage",
            (false, true) => "a RetentionPolicy",
            (false, false) => return,
        };
        if !self.noted_defaults.insert(blueprint.object) {
            return;
        }
        self.out
            .info(
                Info::ClusterDefault,
                blueprint.object,
                format!(
                    "the backends of BackupBlueprint {} leave {missing} to the cluster's default \
                 (`default: true`), which the input does not hold; make sure the cluster has it",
                    blueprint.provenance
                ),
            )
            .field = Some(format!("{TEMPLATE}.backends"));
    }

    /// Takes the repository names and directories of one target; when another target took one
    /// already, reports it and takes nothing.
    fn claim(&mut self, annotated: ItemIndex, target: &Rc<str>, claims: Vec<Claim>) -> bool {
        let mut clear = true;
        for claim in &claims {
            let Some(holder) = self.taken.get(claim).filter(|h| *h != target) else {
                continue;
            };
            let what = match claim {
                Claim::Repository { namespace, name } => {
                    format!("repository `{name}` in namespace {namespace}")
                }
                Claim::Directory { storage, directory } => {
                    format!("directory `{directory}` of BackupStorage {storage}")
                }
            };
            let message = format!(
                "{holder} already backs up to {what}: KubeStash refuses a second \
                 BackupConfiguration using it; give the repository a name or directory per \
                 target (a variables.kubestash.com/ annotation in the blueprint's template)"
            );
            self.about(Severity::Error, annotated, message);
            clear = false;
        }
        if clear {
            for claim in claims {
                self.taken.entry(claim).or_insert_with(|| target.clone());
            }
        }
        clear
    }
}

/// `session `x``, `sessions `x`, `y``; after five names, how many more.
fn quoted_list(what: &str, names: &[&str]) -> String {
    const SHOWN: usize = 5;
    let mut list: Vec<String> = names.iter().take(SHOWN).map(|n| format!("`{n}`")).collect();
    if names.len() > SHOWN {
        list.push(format!("{} more", names.len() - SHOWN));
    }
    let plural = if names.len() == 1 { "" } else { "s" };
    format!("{what}{plural} {}", list.join(", "))
}

fn text<'v>(value: &'v Value<'_>, path: &[&str]) -> Option<std::borrow::Cow<'v, str>> {
    let mut node = value;
    for key in path {
        node = node.get(key)?;
    }
    node.scalar().filter(|t| !t.is_empty())
}

fn items<'v, 't>(value: Option<&'v Value<'t>>) -> &'v [Value<'t>] {
    match value {
        Some(Value::Seq(list)) => list,
        _ => &[],
    }
}

/// What KubeStash's admission webhook would refuse in a BackupConfiguration's backends and
/// sessions (K6): each with the blueprint field it comes from.
fn check(backends: Option<&Value<'_>>, sessions: &[(usize, Value<'_>)]) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    if sessions.is_empty() {
        problems.push((
            format!("{TEMPLATE}.sessions"),
            "there are no sessions; a BackupConfiguration needs one".to_owned(),
        ));
    }
    let backend_names: Vec<_> = items(backends)
        .iter()
        .filter_map(|b| text(b, &["name"]))
        .collect();
    let mut session_names = HashSet::new();
    for (i, session) in sessions {
        let at = format!("{TEMPLATE}.sessions[{i}]");
        if let Some(name) = text(session, &["name"])
            && !session_names.insert(name.clone())
        {
            problems.push((
                format!("{at}.name"),
                format!("a second session is named `{name}`"),
            ));
        }
        if text(session, &["scheduler", "schedule"]).is_none() {
            problems.push((
                format!("{at}.scheduler.schedule"),
                "the session has no schedule".to_owned(),
            ));
        }
        if text(session, &["addon", "name"]).is_none() {
            problems.push((
                format!("{at}.addon.name"),
                "the session names no addon".to_owned(),
            ));
        }
        if items(session.get("addon").and_then(|a| a.get("tasks"))).is_empty() {
            problems.push((
                format!("{at}.addon.tasks"),
                "the session's addon has no task".to_owned(),
            ));
        }
        let repositories = items(session.get("repositories"));
        if repositories.is_empty() {
            problems.push((
                format!("{at}.repositories"),
                "the session has no repository".to_owned(),
            ));
        }
        let mut repository_names = HashSet::new();
        for (j, repository) in repositories.iter().enumerate() {
            let at = format!("{at}.repositories[{j}]");
            match text(repository, &["name"]) {
                None => problems.push((format!("{at}.name"), "the repository has no name".into())),
                Some(name) if !k8s_names::is_dns_subdomain(&name) => problems.push((
                    format!("{at}.name"),
                    format!(
                        "repository name `{name}` is not a valid Kubernetes name ({NAME_RULE}): \
                         KubeStash creates a Repository of that name"
                    ),
                )),
                Some(name) if !repository_names.insert(name.clone()) => problems.push((
                    format!("{at}.name"),
                    format!("a second repository of the session is named `{name}`"),
                )),
                Some(_) => {}
            }
            match text(repository, &["backend"]) {
                None => problems.push((
                    format!("{at}.backend"),
                    "the repository names no backend".into(),
                )),
                Some(backend) if !backend_names.is_empty() && !backend_names.contains(&backend) => {
                    let have: Vec<&str> = backend_names.iter().map(|b| &**b).collect();
                    problems.push((
                        format!("{at}.backend"),
                        format!(
                            "backend `{backend}` is not one of {TEMPLATE}.backends ({})",
                            have.join(", ")
                        ),
                    ));
                }
                Some(_) => {}
            }
            if text(repository, &["directory"]).is_none() {
                problems.push((
                    format!("{at}.directory"),
                    "the repository has no directory".into(),
                ));
            }
        }
    }
    problems
}

/// The repository names and storage directories a BackupConfiguration in `namespace` uses.
fn claims(
    namespace: &str,
    backends: Option<&Value<'_>>,
    sessions: &[(usize, Value<'_>)],
) -> Vec<Claim> {
    let storage_of = |backend: &str| {
        let found = items(backends)
            .iter()
            .find(|b| text(b, &["name"]).as_deref() == Some(backend))?;
        let name = text(found, &["storageRef", "name"])?;
        let storage_namespace = text(found, &["storageRef", "namespace"])
            .map_or_else(|| namespace.to_owned(), |n| n.into_owned());
        Some(format!("{storage_namespace}/{name}"))
    };
    let mut claims = Vec::new();
    for (_, session) in sessions {
        for repository in items(session.get("repositories")) {
            if let Some(name) = text(repository, &["name"]) {
                claims.push(Claim::Repository {
                    namespace: namespace.to_owned(),
                    name: name.into_owned(),
                });
            }
            let storage = text(repository, &["backend"]).and_then(|b| storage_of(&b));
            if let (Some(storage), Some(directory)) = (storage, text(repository, &["directory"])) {
                claims.push(Claim::Directory {
                    storage,
                    directory: directory.into_owned(),
                });
            }
        }
    }
    claims
}
