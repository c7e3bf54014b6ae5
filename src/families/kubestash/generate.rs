//! From blueprints and targets to BackupConfigurations (docs/spec-kubestash.md K3–K6): per
//! target, one BackupConfiguration from the blueprint it names, or the findings that say why
//! not.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use super::annotations;
use super::blueprint::{self, Blueprint};
use super::checks::{self, CheckFinding, Claims, Defaults};
use super::describe;
use super::naming::{self, Naming, Placed};
use super::referenced::Referenced;
use super::render::{self, Parts};
use super::targets::{self, KEYS, Target, WATCHED};
use super::usage::{self, UsageRefused};
use super::vars::Vars;
use super::{
    API_VERSION, FILE_PREFIX, FORMS, GENERATED, GROUP, KEYS as ANNOTATION_KEYS, KubeStash,
    NAME_ANNOTATION, NAMESPACE_ANNOTATION, TEMPLATE,
};
use crate::engine::config::Config;
use crate::engine::expand::Expander;
use crate::engine::family::{Family, Input};
use crate::engine::protection::Protected;
use crate::engine::reconcile::{Proposal, Proposals};
use crate::families::common::acceptance::{Acceptance, Source};
use crate::families::common::blueprints::{BlueprintReader, Blueprints};
use crate::families::common::schedule::{self, Written};
use crate::families::common::{checks as common, protection, substitution};
use crate::krm::object::{ItemIndex, ObjectKey};
use crate::krm::results::annotation_field;
use crate::yaml::emit::Value;
use crate::yaml::tree::NodeId;

/// The labels the operator sets on what it generates, after the blueprint's own.
const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "kubestash.com");
const INVOKER_NAME: &str = "kubestash.com/invoker-name";
const INVOKER_NAMESPACE: &str = "kubestash.com/invoker-namespace";

/// Fields of a session that KubeStash's API had once: `failurePolicy` went in v2024.4.27
/// (kubestash/apimachinery 1d425806, "Update autobackup annotation and cleanup").
const RETIRED: [(&str, &str); 1] = [(
    "failurePolicy",
    "KubeStash removed a session's failurePolicy in v2024.4.27; a failed backup is retried \
     by the session's retryConfig (maxRetry, delay)",
)];

/// How KubeStash finds its blueprints: namespaced, named by two annotations.
const READER: BlueprintReader<Blueprint> = BlueprintReader {
    family: "KubeStash",
    group: GROUP,
    is_blueprint: blueprint::is_blueprint,
    read: blueprint::read,
    annotations: &[NAME_ANNOTATION, NAMESPACE_ANNOTATION],
    separator: None,
};

/// A blueprint's namespace and name.
type BlueprintKey = (String, String);

/// Proposes the BackupConfiguration of every target of `input`.
pub fn propose(input: &Input<'_, '_>, config: &Config, out: &mut Proposals<'_, '_>) {
    let mut generator = Generator {
        input,
        config,
        out,
        claims: Claims::default(),
        defaults: Defaults::default(),
        referenced: Referenced::of(input, config.default_namespace.as_deref()),
        naming: Naming::default(),
        acceptance: Acceptance::default(),
    };
    generator.run();
    if generator.out.describing() {
        let default = config.default_namespace.as_deref();
        describe::hand_written(input, &generator.referenced, default, generator.out);
    }
}

struct Generator<'g, 'i, 'a, 'p, 'r> {
    input: &'g Input<'i, 'a>,
    config: &'g Config,
    out: &'g mut Proposals<'p, 'r>,
    claims: Claims,
    defaults: Defaults,
    referenced: Referenced,
    naming: Naming,
    acceptance: Acceptance,
}

/// One target on its way to a BackupConfiguration.
struct Resolved<'b> {
    target: &'b Target,
    annotated: ItemIndex,
    /// The target's namespace: its own, or the default one.
    namespace: String,
    blueprint: &'b Blueprint,
}

/// The template of a target's BackupConfiguration, substituted.
struct Template<'t> {
    namespace: Option<Value<'t>>,
    backends: Option<Value<'t>>,
    /// Each with its index in the blueprint.
    sessions: Vec<(usize, Value<'t>)>,
    /// Whether the API server would take what the CRD checks of it (what it refuses is
    /// reported; the webhook's checks are made all the same).
    schema_accepted: bool,
}

impl<'i> Generator<'_, 'i, '_, '_, '_> {
    fn run(&mut self) {
        let blueprints: Blueprints<BlueprintKey, Blueprint> = READER.read_all(self.input, self.out);
        let namespaces = usage::namespace_labels(self.input);
        let targets = targets::find(self.input, self.config.default_namespace.as_deref());
        let (input, family) = (self.input, KubeStash.name());
        common::note_not_targets(input, self.out, family, &targets, ANNOTATION_KEYS, &WATCHED);
        common::note_unreadable_annotations(input, self.out, ANNOTATION_KEYS, &FORMS);
        let first = blueprints.found.values().flatten().map(|b| b.object).min();
        common::note_stray_annotations(input, self.out, family, ANNOTATION_KEYS);
        common::note_no_targets(input, self.out, first, &KEYS);
        for target in &targets {
            self.out.consider(Some(targets::annotated(target)));
            if let Some(resolved) = self.resolve(target, &blueprints, &namespaces) {
                self.generate(&resolved);
            }
        }
        self.out.consider(None);
    }

    /// The target's namespace and blueprint, once the target, its annotations and the
    /// blueprint's usage policy allow it (K2, K3 steps 1 and 2).
    fn resolve<'b>(
        &mut self,
        target: &'b Target,
        blueprints: &'b Blueprints<BlueprintKey, Blueprint>,
        namespaces: &HashMap<String, Vec<(String, String)>>,
    ) -> Option<Resolved<'b>> {
        // An annotation that is no string is reported already; keys without the name or the
        // namespace one do nothing, and say so.
        if !target.unreadable.is_empty()
            || (target.annotation(NAMESPACE_ANNOTATION).is_none()
                && common::orphaned(target, NAME_ANNOTATION, ANNOTATION_KEYS, self.out))
        {
            return None;
        }
        let (input, config) = (self.input, self.config);
        let annotated = targets::annotated(target);
        let namespace = common::checked_namespace(input, config, target, annotated, self.out)?;
        let homes = |name: &str| -> Vec<&'b str> {
            let keys = blueprints.found.keys();
            keys.filter(|(_, n)| n == name)
                .map(|(ns, _)| ns.as_str())
                .collect()
        };
        let key = annotations::blueprint_key(target, annotated, homes, self.out)?;
        let blueprint = READER.lookup(input, blueprints, &key, annotated, config, self.out)?;
        let labels = namespaces.get(&namespace).map(Vec::as_slice);
        if let Err(why) = usage::check(&blueprint.usage, &blueprint.namespace, &namespace, labels) {
            let refused = UsageRefused {
                blueprint: blueprint.provenance.clone(),
                why,
            };
            self.out.found(annotated, refused).field = Some(annotation_field(NAME_ANNOTATION));
            return None;
        }
        Some(Resolved {
            target,
            annotated,
            namespace,
            blueprint,
        })
    }

    fn generate(&mut self, resolved: &Resolved<'_>) {
        let Resolved {
            target,
            annotated,
            ref namespace,
            blueprint,
        } = *resolved;
        let Some(sessions) = annotations::sessions(target, blueprint, self.out) else {
            return;
        };
        common::note_annotation_sources(self.input, self.out, &target.annotations);
        let vars = Vars::new(target);
        annotations::note_unreachable(&vars, annotated, self.out);
        let Some(mut template) = self.template(resolved, &vars, sessions) else {
            return;
        };
        let placed = Placed {
            annotated,
            namespace,
            blueprint,
        };
        let (input, config) = (self.input, self.config);
        let written = template.namespace.as_ref();
        let Some(config_namespace) = self
            .naming
            .namespace(input, config, &placed, written, self.out)
        else {
            return;
        };
        let Some(name) = naming::name(target, namespace, &config_namespace, annotated, self.out)
        else {
            return;
        };
        if !self.acceptable(resolved, &mut template, (&config_namespace, &name)) {
            return;
        }
        common::note_variables(self.out, &blueprint.provenance, vars.used());
        let uses = (
            config_namespace.as_str(),
            template.backends.as_ref(),
            &template.sessions[..],
        );
        self.defaults
            .note(self.out, &self.referenced, blueprint, uses);
        self.propose(resolved, template, config_namespace, name);
    }

    /// The target's template, substituted: `None` when a variable cannot be (reported). The
    /// operator substitutes the whole (filtered) template: a variable it cannot resolve
    /// anywhere in it, even in a field it does not copy, stops it.
    fn template(
        &mut self,
        resolved: &Resolved<'_>,
        vars: &Vars<'_>,
        sessions: Vec<(usize, NodeId)>,
    ) -> Option<Template<'i>> {
        let blueprint = resolved.blueprint;
        let mut expander = Expander::new(self.input.tree, vars);
        let namespace = blueprint
            .template_namespace
            .map(|n| expander.copy(n, &format!("{TEMPLATE}.namespace")));
        if let Some(node) = blueprint.deletion_policy {
            expander.copy(node, &format!("{TEMPLATE}.deletionPolicy"));
        }
        let backends = blueprint
            .backends
            .map(|n| expander.copy(n, &format!("{TEMPLATE}.backends")));
        let sessions = sessions
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
        let shown = || blueprint.provenance.to_string();
        if !substitution::reported(&mut expander, self.out, resolved.annotated, shown) {
            return None;
        }
        let mut template = Template {
            namespace,
            backends,
            sessions,
            schema_accepted: true,
        };
        template.schema_accepted = self.accepted(resolved, &mut template);
        Some(template)
    }

    /// Whether the API server would accept what the template gives the BackupConfiguration
    /// (what it would prune is left out): its backends and sessions, each at its place in the
    /// BackupConfiguration, reported at its field in the blueprint.
    fn accepted(&mut self, resolved: &Resolved<'_>, template: &mut Template<'_>) -> bool {
        let blueprint = resolved.blueprint;
        let shown = blueprint.provenance.to_string();
        let source = Source {
            blueprint: blueprint.object,
            shown: &shown,
            target: resolved.annotated,
            object: GENERATED[0].kind,
            retired: &RETIRED,
        };
        let spec = super::schemas()
            .root(API_VERSION, GENERATED[0].kind)
            .and_then(|root| root.field("spec"));
        let mut accepted = true;
        if let Some(backends) = &mut template.backends {
            let place = spec.and_then(|s| s.field("backends"));
            let field = format!("{TEMPLATE}.backends");
            accepted &= self
                .acceptance
                .check(self.out, place, backends, &field, &source);
        }
        let place = spec.and_then(|s| s.field("sessions")?.item());
        for (i, session) in &mut template.sessions {
            let field = format!("{TEMPLATE}.sessions[{i}]");
            accepted &= self
                .acceptance
                .check(self.out, place, session, &field, &source);
        }
        accepted
    }

    /// Whether KubeStash would accept the BackupConfiguration: its webhook's checks, and the
    /// schedules Kubernetes' (`H` settled in place). Problems are reported.
    /// `object` is the BackupConfiguration's namespace and name.
    fn acceptable(
        &mut self,
        resolved: &Resolved<'_>,
        template: &mut Template<'_>,
        object: (&str, &str),
    ) -> bool {
        let uses = (object.0, template.backends.as_ref(), &template.sessions[..]);
        let refusals = checks::refusals(uses, &self.referenced);
        if !refusals.is_empty() {
            for (field, refusal) in refusals {
                let refused = CheckFinding::Refused {
                    field,
                    blueprint: resolved.blueprint.provenance.clone(),
                    refusal,
                };
                self.out.found(resolved.annotated, refused);
            }
            return false;
        }
        // What the CRD refuses is reported already; the webhook's refusals are reported beside
        // it, so that one run names every fix.
        let mut valid = template.schema_accepted;
        for (i, session) in &mut template.sessions {
            valid &= self.settle(resolved, *i, session, object);
        }
        valid
    }

    /// Settles the schedule of the session at `index` of the blueprint (in place); whether
    /// Kubernetes would accept it.
    fn settle(
        &mut self,
        resolved: &Resolved<'_>,
        index: usize,
        session: &mut Value<'_>,
        object: (&str, &str),
    ) -> bool {
        let name = session
            .get("name")
            .and_then(Value::scalar)
            .unwrap_or_default()
            .into_owned();
        let Some(slot) = session
            .get_mut("scheduler")
            .and_then(|s| s.get_mut("schedule"))
        else {
            return true;
        };
        let Some(text) = slot.scalar().map(|s| s.into_owned()) else {
            return true;
        };
        let blueprint = resolved.blueprint;
        let tree = self.input.tree;
        let node = blueprint.sessions.get(index).map(|(_, node)| *node);
        let names = || {
            let field = format!("{TEMPLATE}.sessions[{index}].scheduler.schedule");
            (field, blueprint.provenance.to_string())
        };
        let schedule = schedule::Schedule {
            text: &text,
            // `H` spreads by what identifies the BackupConfiguration and the session (two
            // sessions of one target differ), never by the blueprint's name: renaming a blueprint
            // that keeps the object's name keeps its schedules.
            seed: format!("{}/{}/{name}", object.0, object.1),
            written: Written::Blueprint(&names),
            target: resolved.annotated,
            provenance: &blueprint.provenance,
        };
        let settled = schedule::settle(schedule, self.out, || {
            // As the blueprint writes it, before its variables are substituted.
            let written = node
                .and_then(|s| tree.lookup(s, "scheduler"))
                .and_then(|s| tree.lookup(s, "schedule"))
                .and_then(|s| tree.scalar(s))
                .filter(|w| *w != text)
                .map(|w| format!(", from `{w}` in the blueprint"));
            (format!("for session `{name}`"), written.unwrap_or_default())
        });
        match settled {
            Some(settled) if settled != text => {
                *slot = Value::str(settled);
                true
            }
            Some(_) => true,
            None => false,
        }
    }

    /// Proposes the BackupConfiguration, once its repositories are its own.
    fn propose(
        &mut self,
        resolved: &Resolved<'_>,
        template: Template<'_>,
        config_namespace: String,
        name: String,
    ) {
        let Resolved {
            target,
            annotated,
            ref namespace,
            blueprint,
        } = *resolved;
        let reference = targets::reference(self.input, target, namespace);
        let target_name: Rc<str> = render::target_name(&reference).into();
        let uses = (
            config_namespace.as_str(),
            template.backends.as_ref(),
            &template.sessions[..],
        );
        if !self.claims.take(self.out, annotated, &target_name, uses) {
            return;
        }
        let mut labels: BTreeMap<String, String> = blueprint.labels.iter().cloned().collect();
        labels.insert(MANAGED_BY.0.to_owned(), MANAGED_BY.1.to_owned());
        labels.insert(INVOKER_NAME.to_owned(), blueprint.name.clone());
        labels.insert(INVOKER_NAMESPACE.to_owned(), blueprint.namespace.clone());
        let file = self
            .out
            .new_file(target.position, FILE_PREFIX, &config_namespace, &name);
        let described = self.out.describing().then(|| {
            let sessions: Vec<&Value<'_>> = template.sessions.iter().map(|(_, s)| s).collect();
            describe::backups(
                self.input.tree,
                &self.referenced,
                &config_namespace,
                template.backends.as_ref(),
                &sessions,
            )
        });
        let key = ObjectKey {
            group: GENERATED[0].group,
            kind: GENERATED[0].kind,
            namespace: config_namespace.clone(),
            name: name.clone(),
        };
        let value = render::backup_configuration(Parts {
            name: name.clone(),
            namespace: config_namespace.clone(),
            labels: labels.into_iter().collect(),
            target: reference,
            backends: template.backends,
            sessions: template.sessions.into_iter().map(|(_, s)| s).collect(),
        });
        let written = self.out.propose(Proposal {
            value,
            key: key.clone(),
            provenance: blueprint.provenance.clone(),
            subject: annotated,
            target: target_name,
            file: file.map(|file| (file, 0)),
        });
        let subject = Protected::Object(protection::protected(target));
        for described in described.into_iter().flatten() {
            if written {
                let key = key.clone();
                self.out.protects(subject.clone(), key, described);
            }
        }
    }
}
