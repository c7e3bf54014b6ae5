//! From blueprints and targets to proposed objects: per target, per blueprint it names, a
//! Repository and a BackupConfiguration, or the findings that say why not.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use super::annotations::{self, Param, Workload};
use super::blueprint::{self, Blueprint};
use super::naming::{self, Placement};
use super::render::{self, ConfigParts};
use super::targets::{self, Annotation, Subject, Target};
use super::vars::Vars;
use super::{
    BLUEPRINT_ANNOTATION, EXTERNAL_SECRETS_GROUP, FILE_PREFIX, GENERATED, GROUP, KEYS,
    SCHEDULE_ANNOTATION, SEALED_SECRETS_GROUP, Stash,
};
use crate::engine::config::{Config, Info, MissingBlueprint};
use crate::engine::expand::Expander;
use crate::engine::family::{Family, Input, Select};
use crate::engine::finding::Found;
use crate::engine::reconcile::{Proposal, Proposals};
use crate::engine::spread;
use crate::families::subjects;
use crate::krm::object::{ItemIndex, ObjectKey};
use crate::krm::results::{ResourceRef, Severity};
use crate::krm::{kpt, kustomize};
use crate::suggest;
use crate::yaml::emit::Value;

/// Proposes the objects of every (target, blueprint) pair of `input`.
pub fn propose(input: &Input<'_, '_>, config: &Config, out: &mut Proposals<'_, '_>) {
    let mut generator = Generator {
        input,
        config,
        out,
        noted_versions: HashSet::new(),
        blueprint_objects: HashMap::new(),
        noted_secrets: HashSet::new(),
    };
    generator.run();
}

/// A Secret's namespace and name.
type SecretKey = (String, String);

/// How a storage Secret comes to be in the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecretSource {
    /// Under its name: a Secret, or a SealedSecret or ExternalSecret that makes one.
    Named,
    /// A Secret of kustomize's `secretGenerator` that reaches the cluster under another name (a
    /// hash, a prefix or a suffix added), which the Repository's reference does not follow.
    Renamed { object: ItemIndex, how: Renamed },
}

/// How kustomize's renaming of a generated Secret shows in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Renamed {
    /// As kustomize hands it to a transformer: its plain name, marked to get the hash after.
    WillHash,
    /// The Kustomization in the input, whose entry at this place makes it.
    Entry(usize),
    /// After the build (`kustomize build | stash-autobackup -`): the name with the hash.
    Hashed,
}

struct Generator<'g, 'i, 'a, 'p, 'r> {
    input: &'g Input<'i, 'a>,
    config: &'g Config,
    out: &'g mut Proposals<'p, 'r>,
    /// Targets told that their version comes from the database, and Secrets reported missing:
    /// one note each.
    noted_versions: HashSet<ItemIndex>,
    noted_secrets: HashSet<SecretKey>,
    /// Every blueprint object by name, usable or not (a target names them all).
    blueprint_objects: HashMap<String, Vec<ItemIndex>>,
}

impl<'i> Generator<'_, 'i, '_, '_, '_> {
    fn about(&mut self, severity: Severity, object: ItemIndex, message: String) -> &mut Found {
        self.out.about(severity, object, message)
    }

    fn run(&mut self) {
        let blueprints = self.blueprints();
        let secrets = self.secrets();
        let targets = targets::find(self.input);
        self.note_unsupported(&targets);
        let first = blueprints.values().flatten().map(|b| b.object).min();
        subjects::note_misspelt_annotations(self.input, self.out, Stash.name(), KEYS);
        subjects::note_no_targets(self.input, self.out, first, &[BLUEPRINT_ANNOTATION]);
        for target in &targets {
            self.generate_target(target, &blueprints, &secrets);
        }
    }

    /// The blueprints by name; `None` for a name two blueprints share.
    fn blueprints(&mut self) -> HashMap<String, Option<Blueprint>> {
        let reader = subjects::BlueprintReader {
            family: Stash.name(),
            group: GROUP,
            is_blueprint: blueprint::is_blueprint,
            read: blueprint::read,
            key: |fields| {
                let name = fields.name.text().filter(|n| !n.is_empty())?;
                Some(name.to_owned())
            },
            twice: |name| {
                format!(
                    "two BackupBlueprints are named `{name}`: blueprints are cluster-scoped, \
                     so names must be unique; targets using `{name}` are skipped until one is renamed"
                )
            },
        };
        reader.read_all(self.input, self.out, &mut self.blueprint_objects)
    }

    /// The Secrets the input holds or makes: Secrets, and the Secrets a SealedSecret or an
    /// ExternalSecret makes in the cluster.
    fn secrets(&self) -> HashMap<SecretKey, SecretSource> {
        let tree = self.input.tree;
        let select = [
            Select::Kind("v1", "Secret"),
            Select::Group(SEALED_SECRETS_GROUP),
            Select::Group(EXTERNAL_SECRETS_GROUP),
        ];
        let mut found = HashMap::new();
        let named = self.input.select(&select).filter_map(|(i, fields)| {
            let own = fields.name.text()?;
            let name = match (fields.group(), fields.kind.text()?) {
                (Some(SEALED_SECRETS_GROUP), "SealedSecret") => own,
                (Some(EXTERNAL_SECRETS_GROUP), "ExternalSecret") => fields
                    .spec
                    .and_then(|s| tree.lookup(s, "target"))
                    .and_then(|t| tree.lookup(t, "name"))
                    .and_then(|n| tree.scalar(n))
                    .filter(|n| !n.is_empty())
                    .unwrap_or(own),
                (Some(""), "Secret") => own,
                _ => return None,
            };
            let namespace = fields.namespace.text().unwrap_or_default();
            let source = if kpt::needs_hash_suffix(self.input.object(i)) {
                SecretSource::Renamed {
                    object: i,
                    how: Renamed::WillHash,
                }
            } else {
                SecretSource::Named
            };
            Some(((namespace.to_owned(), name.to_owned()), source))
        });
        // A Secret named as kustomize names a generated one stands for its plain name too, so
        // that a Repository naming that is told why it is not there.
        let hashed = self
            .input
            .select(&[Select::Kind("v1", "Secret")])
            .filter_map(|(i, fields)| {
                let plain = kustomize::unhashed(fields.name.text()?)?;
                let namespace = fields.namespace.text().unwrap_or_default();
                let source = SecretSource::Renamed {
                    object: i,
                    how: Renamed::Hashed,
                };
                Some(((namespace.to_owned(), plain.to_owned()), source))
            });
        let kustomizations =
            kustomize::KINDS.map(|(api_version, kind)| Select::Kind(api_version, kind));
        let generated = self.input.select(&kustomizations).flat_map(|(i, fields)| {
            kustomize::generated_secrets(tree, fields)
                .into_iter()
                .map(move |secret| {
                    let source = if secret.keeps_name {
                        SecretSource::Named
                    } else {
                        SecretSource::Renamed {
                            object: i,
                            how: Renamed::Entry(secret.entry),
                        }
                    };
                    ((secret.namespace, secret.name), source)
                })
        });
        for (key, source) in named.chain(generated).chain(hashed) {
            // A Secret that keeps its name wins over one kustomize renames.
            let slot = found.entry(key).or_insert(source);
            if source == SecretSource::Named {
                *slot = source;
            }
        }
        found
    }

    /// What keeps an object that looks like a target from being one: metadata that cannot be
    /// read, or a blueprint annotation on an object of a kind Stash's auto-backup does not
    /// handle. Each such object is reported here, once.
    fn note_unsupported(&mut self, targets: &[Target]) {
        let in_target: HashSet<ItemIndex> = targets.iter().flat_map(Target::objects).collect();
        let input = self.input;
        let select = [
            targets::SELECT[0],
            targets::SELECT[1],
            Select::Annotated(BLUEPRINT_ANNOTATION),
        ];
        for (i, fields) in input.select(&select) {
            let database = targets::is_database(fields) || targets::is_app_binding(fields);
            if database && fields.metadata_not_map {
                self.about(Severity::Error, i, "metadata must be a mapping".into())
                    .field = Some("metadata".into());
                continue;
            }
            if database && fields.annotations.not_map {
                self.about(
                    Severity::Error,
                    i,
                    "metadata.annotations must be a mapping of strings, so the backup annotations \
                     cannot be read"
                        .into(),
                )
                .field = Some("metadata.annotations".into());
                continue;
            }
            if in_target.contains(&i) || fields.annotations.get(BLUEPRINT_ANNOTATION).is_none() {
                continue;
            }
            if database && fields.name.text().is_none() {
                self.about(Severity::Error, i, "a target needs metadata.name".into())
                    .field = Some("metadata.name".into());
            } else if !database && targets::kind_of(fields).is_none() {
                self.out
                    .info(
                        Info::NotATarget,
                        i,
                        "not a target of stash-autobackup, which handles AppBindings, KubeDB \
                     databases (kubedb.com/v1alpha2 and v1), workloads (Deployment, StatefulSet, \
                     DaemonSet, ReplicaSet, ReplicationController, DeploymentConfig) and \
                     PersistentVolumeClaims; this object's auto-backup is left to the Stash \
                     operator",
                    )
                    .field = Some(annotations::field(BLUEPRINT_ANNOTATION));
            }
        }
    }

    fn generate_target(
        &mut self,
        target: &Target,
        blueprints: &HashMap<String, Option<Blueprint>>,
        secrets: &HashMap<SecretKey, SecretSource>,
    ) {
        let annotated = target.annotated_object();
        let (named, databases) = match target.subject {
            Subject::Database {
                app_binding,
                database,
                second_database,
                ..
            } => (
                database.or(app_binding).unwrap_or(target.position),
                database.zip(second_database),
            ),
            Subject::Object { object, .. } => (object, None),
        };
        let objects = target.objects();
        let checked = subjects::Checked {
            name: &target.name,
            namespace: target.namespace.as_deref(),
            annotated,
            named,
            objects: &objects,
            databases,
        };
        let Some(namespace) =
            subjects::checked_namespace(self.input, self.config, &checked, self.out)
        else {
            return;
        };
        let input = self.input;
        if objects.iter().any(|i| {
            input
                .object(*i)
                .fields()
                .is_some_and(|f| f.annotations.not_map)
        }) {
            // Reported by note_unsupported.
            return;
        }
        let workload = match &target.subject {
            Subject::Object { kind, volumes, .. } if kind.workload => {
                match annotations::workload(target, kind.kind, volumes.as_deref(), self.out) {
                    Some(workload) => Some(workload),
                    None => return,
                }
            }
            _ => None,
        };
        let Some(names) = annotations::blueprint_names(target, self.out) else {
            return;
        };
        let schedule = annotations::schedule_override(target, self.out);
        let params = annotations::params(target, self.out);
        subjects::note_annotation_sources(input, self.out, &target.annotations);
        if !params.is_empty() {
            self.out.detail(None, "params", || {
                let params: Vec<String> = params
                    .iter()
                    .map(|p| format!("`{}={}`", p.name, p.value))
                    .collect();
                params.join(", ")
            });
        }
        for (position, name) in names.iter().enumerate() {
            for &object in self.blueprint_objects.get(name).into_iter().flatten() {
                self.out.uses(object);
            }
            let blueprint = match blueprints.get(name.as_str()) {
                Some(Some(b)) => b,
                Some(None) => continue,
                None => {
                    self.out.protect(name);
                    let severity = match self.config.missing_blueprint {
                        MissingBlueprint::Error => Severity::Error,
                        MissingBlueprint::Warning => Severity::Warning,
                    };
                    let target_ref = ResourceRef::of(self.input.object(annotated));
                    let hint = suggest::closest(name, blueprints.keys().map(String::as_str))
                        .map(|known| format!(" (did you mean `{known}`?)"))
                        .unwrap_or_default();
                    self.about(
                        severity,
                        annotated,
                        format!(
                            "BackupBlueprint `{name}` not found{hint}: add it to the input or fix \
                             the {BLUEPRINT_ANNOTATION} annotation on {target_ref}"
                        ),
                    )
                    .field = Some(annotations::field(BLUEPRINT_ANNOTATION));
                    continue;
                }
            };
            let placement = naming::place(naming::Pair {
                short_kind: target.short_kind(),
                target_name: &target.name,
                target_namespace: &namespace,
                blueprint: &blueprint.name,
                backup_namespace: blueprint.backup_namespace.as_deref(),
                repo_namespace: blueprint.repo_namespace.as_deref(),
                suffixed: position > 0,
            });
            let pair = Pair {
                target,
                namespace: &namespace,
                blueprint,
                placement: &placement,
                workload: workload.as_ref(),
            };
            self.generate_pair(&pair, schedule.as_ref(), &params, secrets);
        }
    }

    fn generate_pair(
        &mut self,
        pair: &Pair<'_>,
        schedule: Option<&Annotation>,
        params: &[Param],
        secrets: &HashMap<SecretKey, SecretSource>,
    ) {
        let Pair {
            target,
            namespace,
            blueprint,
            placement,
            workload,
        } = *pair;
        let annotated = target.annotated_object();
        let target_ref = ResourceRef::of(self.input.object(annotated));
        let vars = Vars::new(target, namespace);
        let mut expander = Expander::new(self.input.tree, &vars);
        let Some(schedule) = self.schedule(&mut expander, pair, schedule, &target_ref) else {
            return;
        };
        let (task_name, task_params) = task(&mut expander, blueprint, params);
        let owner_uid = target
            .uid
            .clone()
            .filter(|_| placement.config_namespace == namespace);

        let file = self.out.new_file(
            target.position,
            FILE_PREFIX,
            &placement.config_namespace,
            &placement.name,
        );
        let repository = render::repository(&mut expander, blueprint, placement);
        let parts = ConfigParts {
            schedule,
            task_name,
            params: task_params,
            owner_uid,
            target_namespace: namespace.to_owned(),
            workload: workload.cloned(),
        };
        let configuration =
            render::backup_configuration(&mut expander, blueprint, target, placement, parts);
        if !expander.errors.is_empty() {
            for e in std::mem::take(&mut expander.errors) {
                self.about(
                    Severity::Error,
                    blueprint.object,
                    format!("{} (while generating for {target_ref})", e.message),
                )
                .field = Some(e.field);
            }
            return;
        }
        subjects::note_variables(self.out, &blueprint.provenance, vars.used());
        let from_database = match &target.subject {
            Subject::Database {
                version_from_database: true,
                app_version,
                ..
            } => app_version.as_deref(),
            _ => None,
        };
        if let Some(version) = from_database
            && vars.used_version()
            && self.noted_versions.insert(target.position)
        {
            self.out.info(
                Info::VersionFromDatabase,
                annotated,
                format!(
                    "TARGET_APP_VERSION is the database's spec.version `{version}`: without its \
                     AppBinding in the input, KubeDB's catalog may name the version differently"
                ),
            )
            .field = Some("spec.version".into());
        }
        if let Some(secret) = storage_secret(&repository) {
            let ns = placement.repository_namespace.clone();
            // One note per missing Secret and namespace: it is one fix, however many use it.
            let key = (ns.clone(), secret.clone());
            let source = secrets.get(&key).copied();
            if source != Some(SecretSource::Named) && self.noted_secrets.insert(key) {
                match source {
                    Some(SecretSource::Renamed { object, how }) => {
                        let (made, field) = match how {
                            Renamed::WillHash => (
                                "kustomize's secretGenerator adds a hash to this Secret's name \
                                 after this function has run"
                                    .to_owned(),
                                "metadata.name".to_owned(),
                            ),
                            Renamed::Entry(entry) => (
                                format!(
                                    "kustomize will make Secret `{secret}` from this \
                                     secretGenerator entry under another name (a hash, or the \
                                     namePrefix or nameSuffix, added)"
                                ),
                                format!("secretGenerator[{entry}].name"),
                            ),
                            Renamed::Hashed => (
                                format!(
                                    "this Secret's name is `{secret}` with the hash kustomize's \
                                     secretGenerator adds"
                                ),
                                "metadata.name".to_owned(),
                            ),
                        };
                        self.about(
                            Severity::Warning,
                            object,
                            format!(
                                "{made}; kustomize does not rename the Repository's \
                                 spec.backend.storageSecretName (blueprint `{}`), so no Secret \
                                 `{secret}` would reach namespace {ns} and backups would fail. \
                                 Give the secretGenerator entry options.disableNameSuffixHash: \
                                 true (and no namePrefix or nameSuffix)",
                                blueprint.name
                            ),
                        )
                        .field = Some(field);
                    }
                    _ => {
                        self.out.info(
                            Info::MissingSecret,
                            annotated,
                            format!(
                                "Secret `{secret}` (spec.backend.storageSecretName of blueprint `{}`) is not \
                                 in the input's namespace {ns}; the Repositories there need it at backup time",
                                blueprint.name
                            ),
                        );
                    }
                }
            }
        }
        let objects = [
            (repository, GENERATED[0], &placement.repository_namespace),
            (configuration, GENERATED[1], &placement.config_namespace),
        ];
        // The target's namespace, which the objects' may not be (backupNamespace, repoNamespace).
        let target_name: Rc<str> =
            render::target_name(target.reference().1, namespace, &target.name).into();
        for (index, (value, kind, object_namespace)) in objects.into_iter().enumerate() {
            self.out.propose(Proposal {
                value,
                key: ObjectKey {
                    group: kind.group,
                    kind: kind.kind,
                    namespace: object_namespace.clone(),
                    name: placement.name.clone(),
                },
                provenance: blueprint.provenance.clone(),
                subject: annotated,
                target: target_name.clone(),
                file: file.clone().map(|file| (file, index as i64)),
            });
        }
    }

    /// The pair's schedule (the target's annotation, else the blueprint's), reported and `None`
    /// when Kubernetes would reject it.
    fn schedule<'t>(
        &mut self,
        expander: &mut Expander<'t, '_, '_>,
        pair: &Pair<'_>,
        annotation: Option<&Annotation>,
        target_ref: &ResourceRef,
    ) -> Option<Value<'t>> {
        let blueprint = pair.blueprint;
        let (value, text, object, field) = match (annotation, blueprint.schedule) {
            (Some(a), _) => (
                Value::str(a.value.clone()),
                a.value.clone(),
                a.object,
                annotations::field(SCHEDULE_ANNOTATION),
            ),
            (None, Some(node)) => {
                let value = expander.copy(node, "spec.schedule");
                let text = value.scalar().unwrap_or_default().into_owned();
                (value, text, blueprint.object, "spec.schedule".to_owned())
            }
            (None, None) => {
                self.about(
                    Severity::Error,
                    pair.target.annotated_object(),
                    format!(
                        "no schedule for blueprint `{}`: set spec.schedule in the blueprint or \
                         the {SCHEDULE_ANNOTATION} annotation here",
                        blueprint.name
                    ),
                )
                .field = Some(annotations::field(SCHEDULE_ANNOTATION));
                return None;
            }
        };
        if !expander.errors.is_empty() {
            // A substitution error in the schedule is reported with the others.
            return Some(value);
        }
        // `H` spreads by the target and the blueprint: two blueprints of one target differ too.
        let target = pair.target;
        let seed = format!("{}/{}/{}", pair.namespace, target.name, blueprint.name);
        let (resolved, problem) = spread::checked(&text, &seed);
        if problem
            .as_ref()
            .is_none_or(|(severity, _)| *severity != Severity::Error)
        {
            let from = if object == blueprint.object {
                "the blueprint's spec.schedule"
            } else {
                "the target's schedule annotation"
            };
            self.out
                .detail(Some(&blueprint.provenance), "schedule", || {
                    match resolved == text {
                        true => format!("`{resolved}` from {from}"),
                        false => format!("`{resolved}` from {from} (`{text}`, spread by H)"),
                    }
                });
        }
        let value = if resolved == text {
            value
        } else {
            Value::str(resolved)
        };
        let Some((severity, mut message)) = problem else {
            return Some(value);
        };
        if object == blueprint.object {
            message = format!("{message} (used by {target_ref})");
        }
        self.about(severity, object, message).field = Some(field);
        (severity != Severity::Error).then_some(value)
    }
}

/// One (target, blueprint) pair and where its objects go.
#[derive(Clone, Copy)]
struct Pair<'p> {
    target: &'p Target,
    /// The target's namespace: its own, or the default one.
    namespace: &'p str,
    blueprint: &'p Blueprint,
    placement: &'p Placement,
    /// A workload's paths and volume mounts.
    workload: Option<&'p Workload>,
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

/// `spec.backend.storageSecretName` of a generated Repository.
fn storage_secret(repository: &Value<'_>) -> Option<String> {
    let secret = repository
        .get("spec")?
        .get("backend")?
        .get("storageSecretName")?;
    Some(secret.scalar().unwrap_or_default().into_owned()).filter(|s| !s.is_empty())
}
