//! From blueprints and targets to proposed objects: per target, per blueprint it names, a
//! Repository and a BackupConfiguration, or the findings that say why not.

use std::collections::HashSet;
use std::fmt;
use std::rc::Rc;

use super::annotations::{self, Param, Workload};
use super::blueprint::{self, Blueprint};
use super::checks::Secrets;
use super::describe;
use super::naming::{self, Placement};
use super::render::{self, ConfigParts};
use super::targets::{self, Annotation, App, Target, WATCHED};
use super::vars::Vars;
use super::{
    BLUEPRINT_ANNOTATION, FILE_PREFIX, FORMS, GENERATED, GROUP, KEYS, SCHEDULE_ANNOTATION, Stash,
};
use crate::engine::config::Config;
use crate::engine::expand::{Expander, RenderError};
use crate::engine::family::{Family, Input};
use crate::engine::finding::{Finding, Info};
use crate::engine::k8s_names::{self, NAMESPACE_RULE};
use crate::engine::protection::Protected;
use crate::engine::reconcile::{Proposal, Proposals};
use crate::families::common::acceptance::{Acceptance, Source};
use crate::families::common::blueprints::{BlueprintReader, Blueprints};
use crate::families::common::schedule::{self, Written};
use crate::families::common::subjects::Makeup;
use crate::families::common::{checks, protection, substitution};
use crate::krm::object::{ItemIndex, ObjectKey};
use crate::krm::results::Severity;
use crate::yaml::emit::Value;

/// How Stash finds its blueprints: cluster-scoped, named by one annotation.
const READER: BlueprintReader<Blueprint> = BlueprintReader {
    family: "Stash",
    group: GROUP,
    is_blueprint: blueprint::is_blueprint,
    read: blueprint::read,
    annotations: &[BLUEPRINT_ANNOTATION],
    separator: Some(','),
};

/// Proposes the objects of every (target, blueprint) pair of `input`.
pub fn propose(input: &Input<'_, '_>, config: &Config, out: &mut Proposals<'_, '_>) {
    let mut generator = Generator {
        input,
        config,
        out,
        noted_versions: HashSet::new(),
        secrets: Secrets::of(input, config.default_namespace.as_deref()),
        acceptance: Acceptance::default(),
    };
    generator.run();
    if generator.out.describing() {
        describe::hand_written(input, config.default_namespace.as_deref(), generator.out);
    }
}

struct Generator<'g, 'i, 'a, 'p, 'r> {
    input: &'g Input<'i, 'a>,
    config: &'g Config,
    out: &'g mut Proposals<'p, 'r>,
    /// Targets told that their version comes from the database: one note each.
    noted_versions: HashSet<ItemIndex>,
    secrets: Secrets,
    acceptance: Acceptance,
}

/// What a target asks of every blueprint it names (`names`).
struct Asks<'t> {
    names: Vec<String>,
    target: &'t Target,
    annotated: ItemIndex,
    /// The target's namespace: its own, or the default one.
    namespace: String,
    app: Option<App>,
    workload: Option<Workload>,
    schedule: Option<Annotation>,
    params: Vec<Param>,
}

/// One (target, blueprint) pair and where its objects go.
struct Pair<'p> {
    asks: &'p Asks<'p>,
    blueprint: &'p Blueprint,
    placement: Placement,
}

impl Generator<'_, '_, '_, '_, '_> {
    fn run(&mut self) {
        let blueprints: Blueprints<String, Blueprint> = READER.read_all(self.input, self.out);
        let targets = targets::find(self.input, self.config.default_namespace.as_deref());
        let (input, family) = (self.input, Stash.name());
        checks::note_not_targets(input, self.out, family, &targets, KEYS, &WATCHED);
        checks::note_unreadable_annotations(input, self.out, KEYS, &FORMS);
        let first = blueprints.found.values().flatten().map(|b| b.object).min();
        checks::note_stray_annotations(input, self.out, family, KEYS);
        checks::note_no_targets(input, self.out, first, &[BLUEPRINT_ANNOTATION]);
        for target in &targets {
            self.out.consider(Some(targets::annotated(target)));
            if let Some(asks) = self.asks(target) {
                self.generate_target(&asks, &blueprints);
            }
        }
        self.out.consider(None);
    }

    /// Whether `target` asks for blueprints: it carries the blueprint annotation (else what it
    /// carries does nothing, and is reported), and every annotation of Stash's is a string (the
    /// others are reported already).
    fn asks_for_blueprints(&mut self, target: &Target) -> bool {
        if !target.unreadable.is_empty() {
            return false;
        }
        if target.annotation(BLUEPRINT_ANNOTATION).is_some() {
            return true;
        }
        match target.makeup {
            Makeup::Object { kind, .. } if kind.workload => {
                annotations::workload_without_blueprint(target, kind.kind, self.out);
            }
            _ => {
                checks::orphaned(target, BLUEPRINT_ANNOTATION, KEYS, self.out);
            }
        }
        false
    }

    /// What `target` asks, once it passed the checks and its annotations could be read.
    fn asks<'t>(&mut self, target: &'t Target) -> Option<Asks<'t>> {
        if !self.asks_for_blueprints(target) {
            return None;
        }
        let (input, annotated) = (self.input, targets::annotated(target));
        let namespace = checks::checked_namespace(input, self.config, target, annotated, self.out)?;
        let unreadable = target.objects().into_iter().any(|i| {
            let fields = input.object(i).fields();
            fields.is_some_and(|f| f.annotations.not_map)
        });
        if unreadable {
            // Reported by note_not_targets.
            return None;
        }
        let workload = match target.makeup {
            Makeup::Object { object, kind } if kind.workload => {
                let volumes = targets::volumes(input, object);
                let workload =
                    annotations::workload(target, kind.kind, volumes.as_deref(), self.out);
                Some(workload?)
            }
            _ => None,
        };
        let names = annotations::blueprint_names(target, self.out)?;
        Some(Asks {
            names,
            target,
            annotated,
            namespace,
            app: targets::app(input, target),
            workload,
            schedule: annotations::schedule_override(target, self.out),
            params: annotations::params(target, self.out),
        })
    }

    fn generate_target(&mut self, asks: &Asks<'_>, blueprints: &Blueprints<String, Blueprint>) {
        let target = asks.target;
        checks::note_annotation_sources(self.input, self.out, &target.annotations);
        if !asks.params.is_empty() {
            self.out.detail(None, "params", || {
                let params: Vec<String> = asks
                    .params
                    .iter()
                    .map(|p| format!("`{}={}`", p.name, p.value))
                    .collect();
                params.join(", ")
            });
        }
        for (position, name) in asks.names.iter().enumerate() {
            let (input, config) = (self.input, self.config);
            let found = READER.lookup(input, blueprints, name, asks.annotated, config, self.out);
            let Some(blueprint) = found else {
                continue;
            };
            let vars = Vars::new(asks.target, asks.app.as_ref(), &asks.namespace);
            let mut expander = Expander::new(self.input.tree, &vars);
            let Some([backup_namespace, repo_namespace]) =
                self.namespaces(&mut expander, asks, blueprint)
            else {
                continue;
            };
            let placement = naming::place(naming::Pair {
                short_kind: targets::short_kind(target),
                target_name: &target.name,
                target_namespace: &asks.namespace,
                blueprint: &blueprint.name,
                backup_namespace: backup_namespace.as_deref(),
                repo_namespace: repo_namespace.as_deref(),
                suffixed: position > 0,
            });
            let pair = Pair {
                asks,
                blueprint,
                placement,
            };
            self.generate_pair(&pair, &vars, expander);
        }
    }

    /// The blueprint's backupNamespace and repoNamespace for this target, substituted, when
    /// they are namespaces (else reported).
    fn namespaces(
        &mut self,
        expander: &mut Expander<'_, '_, '_>,
        asks: &Asks<'_>,
        blueprint: &Blueprint,
    ) -> Option<[Option<String>; 2]> {
        let fields = [
            ("spec.backupNamespace", &blueprint.backup_namespace),
            ("spec.repoNamespace", &blueprint.repo_namespace),
        ];
        let namespaces = fields.map(|(field, written)| {
            let text = expander.substitute(written.as_deref()?, &|| field.to_owned())?;
            if !k8s_names::is_dns_label(&text) {
                let message =
                    format!("`{text}` is not a valid Kubernetes namespace ({NAMESPACE_RULE})");
                let field = field.to_owned();
                expander.errors.push(RenderError { field, message });
            }
            Some(text.into_owned())
        });
        let shown = || blueprint.shown();
        substitution::reported(expander, self.out, asks.annotated, shown).then_some(namespaces)
    }

    fn generate_pair<'t>(
        &mut self,
        pair: &Pair<'_>,
        vars: &Vars,
        mut expander: Expander<'t, '_, '_>,
    ) {
        let Pair {
            asks, blueprint, ..
        } = *pair;
        let Some(schedule) = self.schedule(&mut expander, pair) else {
            return;
        };
        let [mut repository, mut configuration] = self.render(&mut expander, pair, schedule);
        let shown = || blueprint.shown();
        if !substitution::reported(&mut expander, self.out, asks.annotated, shown) {
            return;
        }
        if !self.accepted(pair, [&mut repository, &mut configuration]) {
            return;
        }
        checks::note_variables(self.out, &blueprint.provenance, vars.used());
        if vars.used_version() {
            self.note_version(asks);
        }
        let namespace = &pair.placement.repository_namespace;
        let (name, annotated) = (&blueprint.name, asks.annotated);
        self.secrets
            .check(self.out, &repository, namespace, name, annotated);
        self.propose(pair, [repository, configuration]);
    }

    /// Whether the API server would accept the pair's objects (what it would prune is left
    /// out). Their specs are made of the blueprint's spec fields of the same names, so a field
    /// of theirs is reported as the blueprint's.
    fn accepted(&mut self, pair: &Pair<'_>, objects: [&mut Value<'_>; 2]) -> bool {
        let shown = pair.blueprint.shown();
        let mut accepted = true;
        for (object, kind) in objects.into_iter().zip(GENERATED) {
            let source = Source {
                blueprint: pair.blueprint.object,
                shown: &shown,
                target: pair.asks.annotated,
                object: kind.kind,
                retired: &[],
            };
            let api_version = object.get("apiVersion").and_then(Value::scalar);
            let place = api_version
                .and_then(|v| super::schemas().root(&v, kind.kind))
                .and_then(|root| root.field("spec"));
            if let Some(spec) = object.get_mut("spec") {
                accepted &= self
                    .acceptance
                    .check(self.out, place, spec, "spec", &source);
            }
        }
        accepted
    }

    /// The Repository and the BackupConfiguration of a pair.
    fn render<'t>(
        &mut self,
        expander: &mut Expander<'t, '_, '_>,
        pair: &Pair<'_>,
        schedule: Value<'t>,
    ) -> [Value<'t>; 2] {
        let Pair {
            asks,
            blueprint,
            ref placement,
        } = *pair;
        let (task_name, task_params) = task(expander, blueprint, &asks.params);
        let owner_uid = targets::owner_uid(self.input, asks.target)
            .filter(|_| placement.config_namespace == asks.namespace);
        let repository = render::repository(expander, blueprint, placement);
        let parts = ConfigParts {
            schedule,
            task_name,
            params: task_params,
            owner_uid,
            target_namespace: asks.namespace.clone(),
            workload: asks.workload.clone(),
        };
        let configuration =
            render::backup_configuration(expander, blueprint, asks.target, placement, parts);
        [repository, configuration]
    }

    /// Tells a database target without its AppBinding in the input that `TARGET_APP_VERSION`
    /// is its database's version, which KubeDB's catalog may name otherwise (once per target).
    fn note_version(&mut self, asks: &Asks<'_>) {
        let Some(App {
            version: Some(version),
            from_database: true,
            ..
        }) = &asks.app
        else {
            return;
        };
        if !self.noted_versions.insert(asks.target.position) {
            return;
        }
        let version = version.clone();
        self.out
            .found(asks.annotated, PairFinding::VersionFromDatabase { version })
            .field = Some("spec.version".into());
    }

    /// Proposes the Repository and the BackupConfiguration of a pair.
    fn propose(&mut self, pair: &Pair<'_>, objects: [Value<'_>; 2]) {
        let Pair {
            asks,
            blueprint,
            ref placement,
        } = *pair;
        let target = asks.target;
        let file = self.out.new_file(
            target.position,
            FILE_PREFIX,
            &placement.config_namespace,
            &placement.name,
        );
        // The target's namespace, which the objects' may not be (backupNamespace, repoNamespace).
        let (_, kind) = targets::reference(target);
        let target_name: Rc<str> = render::target_name(kind, &asks.namespace, &target.name).into();
        let namespaces = [&placement.repository_namespace, &placement.config_namespace];
        let described = self.out.describing().then(|| {
            let repository = objects[0].get("spec").ok_or_else(String::new);
            let spec = objects[1].get("spec").unwrap_or(&objects[1]);
            describe::backup(repository, spec)
        });
        let mut written = false;
        for (index, (value, (kind, namespace))) in objects
            .into_iter()
            .zip(GENERATED.iter().zip(namespaces))
            .enumerate()
        {
            let key = ObjectKey {
                group: kind.group,
                kind: kind.kind,
                namespace: namespace.clone(),
                name: placement.name.clone(),
            };
            written = self.out.propose(Proposal {
                value,
                key,
                provenance: blueprint.provenance.clone(),
                subject: asks.annotated,
                target: target_name.clone(),
                file: file.clone().map(|file| (file, index as i64)),
            });
        }
        // The BackupConfiguration, proposed last, is the backup.
        if let (Some(described), true) = (described, written) {
            let key = ObjectKey {
                group: GENERATED[1].group,
                kind: GENERATED[1].kind,
                namespace: placement.config_namespace.clone(),
                name: placement.name.clone(),
            };
            let subject = Protected::Object(protection::protected(target));
            self.out.protects(subject, key, described);
        }
    }

    /// The pair's schedule (the target's annotation, else the blueprint's), reported and `None`
    /// when Kubernetes would refuse it or there is none.
    fn schedule<'t>(
        &mut self,
        expander: &mut Expander<'t, '_, '_>,
        pair: &Pair<'_>,
    ) -> Option<Value<'t>> {
        let Pair {
            asks, blueprint, ..
        } = *pair;
        let names = || ("spec.schedule".to_owned(), blueprint.shown());
        let (value, written) = match (&asks.schedule, blueprint.schedule) {
            (Some(a), _) => {
                let written = Written::Annotation {
                    object: a.object,
                    key: SCHEDULE_ANNOTATION,
                };
                (Value::str(a.value.clone()), written)
            }
            (None, Some(node)) => {
                let written = Written::Blueprint(&names);
                (expander.copy(node, "spec.schedule"), written)
            }
            (None, None) => {
                let blueprint = blueprint.name.clone();
                self.out
                    .found(asks.annotated, PairFinding::NoSchedule { blueprint })
                    .field = Some(annotations::field(SCHEDULE_ANNOTATION));
                return None;
            }
        };
        if !expander.errors.is_empty() {
            // A substitution error in the schedule is reported with the others.
            return Some(value);
        }
        let text = value.scalar().unwrap_or_default().into_owned();
        let from = match written {
            Written::Annotation { .. } => "the target's schedule annotation",
            Written::Blueprint(_) => "the blueprint's spec.schedule",
        };
        let schedule = schedule::Schedule {
            text: &text,
            // `H` spreads by what identifies the BackupConfiguration (two blueprints of one
            // target name theirs apart), so renaming a blueprint that keeps the object's name
            // keeps its schedule.
            seed: format!(
                "{}/{}",
                pair.placement.config_namespace, pair.placement.name
            ),
            written,
            target: asks.annotated,
            provenance: &blueprint.provenance,
        };
        let settled = schedule::settle(schedule, self.out, || {
            (format!("from {from}"), String::new())
        })?;
        Some(if settled == text {
            value
        } else {
            Value::str(settled)
        })
    }
}

/// The task name and params of a BackupConfiguration.
type Task<'t> = (Option<Value<'t>>, Vec<(Value<'t>, Value<'t>)>);

/// The task name and params: the blueprint's params first, an annotation param replacing the
/// value of a blueprint param of its name in place, new ones appended (already sorted).
fn task<'t>(
    expander: &mut Expander<'t, '_, '_>,
    blueprint: &Blueprint,
    params: &[Param],
) -> Task<'t> {
    let name = blueprint
        .task_name
        .map(|n| expander.copy(n, "spec.task.name"));
    let mut list: Vec<(Value<'t>, Value<'t>)> = blueprint
        .params
        .iter()
        .enumerate()
        .map(|(i, (n, v))| {
            (
                expander.copy(*n, &format!("spec.task.params[{i}].name")),
                expander.copy(*v, &format!("spec.task.params[{i}].value")),
            )
        })
        .collect();
    for param in params {
        match list
            .iter_mut()
            .find(|(n, _)| n.scalar().as_deref() == Some(param.name.as_str()))
        {
            Some((_, slot)) => *slot = Value::str(param.value.clone()),
            None => list.push((
                Value::str(param.name.clone()),
                Value::str(param.value.clone()),
            )),
        }
    }
    (name, list)
}

/// What generating a pair's objects finds.
#[derive(Debug)]
enum PairFinding {
    /// Neither the annotation nor the blueprint gives a schedule.
    NoSchedule { blueprint: String },
    /// `TARGET_APP_VERSION` taken from the database, not its AppBinding.
    VersionFromDatabase { version: String },
}

impl fmt::Display for PairFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PairFinding::NoSchedule { blueprint } => write!(
                f,
                "no schedule for blueprint `{blueprint}`: set spec.schedule in the blueprint or \
                 the {SCHEDULE_ANNOTATION} annotation here"
            ),
            PairFinding::VersionFromDatabase { version } => write!(
                f,
                "TARGET_APP_VERSION is the database's spec.version `{version}`: without its \
                 AppBinding in the input, KubeDB's catalog may name the version differently"
            ),
        }
    }
}

impl Finding for PairFinding {
    fn severity(&self) -> Severity {
        match self {
            PairFinding::NoSchedule { .. } => Severity::Error,
            PairFinding::VersionFromDatabase { .. } => Severity::Info,
        }
    }

    fn class(&self) -> Option<Info> {
        matches!(self, PairFinding::VersionFromDatabase { .. }).then_some(Info::VersionFromDatabase)
    }

    fn tag(&self) -> &'static str {
        match self {
            PairFinding::NoSchedule { .. } => "no-schedule",
            PairFinding::VersionFromDatabase { .. } => "version-from-database",
        }
    }
}
