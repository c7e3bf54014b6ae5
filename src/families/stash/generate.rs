//! Deciding what the output holds: which objects to generate, which earlier ones to keep, update
//! or prune, and what to tell the user. Pure: objects in, a [`Plan`] out.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, HashSet};

use crate::engine::config::{Config, MissingBlueprint};
use crate::engine::cron::{self, Accepted};
use crate::engine::ownership;
use crate::families::stash::blueprint::{self, Blueprint};
use crate::families::stash::naming::{self, Placement};
use crate::families::stash::render::{self, ConfigParts, Copier, Vars};
use crate::families::stash::targets::{
    self, BLUEPRINT_ANNOTATION, PARAM_PREFIX, SCHEDULE_ANNOTATION, Target,
};
use crate::krm::read::yaml::Object;
use crate::krm::results::{self, FileRef, KrmResult, ResourceRef, Severity};
use crate::yaml::emit::{Layout, Value};
use crate::yaml::tree::Tree;

/// One object of the output that this function is responsible for.
#[derive(Debug)]
pub enum Emit {
    /// A newly written object, as text for its place in the output.
    New(String),
    /// An earlier object of ours that is still right: copied from the input as it is.
    Keep(usize),
}

#[derive(Debug, Default)]
pub struct Plan {
    /// Input objects that leave their place (earlier output that is pruned or re-emitted).
    pub remove: BTreeSet<usize>,
    /// Objects appended after the input items, in order.
    pub append: Vec<Emit>,
    pub results: Vec<KrmResult>,
}

impl Plan {
    pub fn has_errors(&self) -> bool {
        self.results.iter().any(|r| r.severity == Severity::Error)
    }
}

/// Where a plan is going: kpt-style path annotations only make sense in a ResourceList.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    ResourceList,
    Stream,
}

const KINDS: [&str; 2] = ["Repository", "BackupConfiguration"];

#[derive(Debug)]
struct Existing {
    index: usize,
    ours: bool,
}

/// Plans the output for `objects` (the input items, in order).
pub fn plan<'a>(
    tree: &Tree<'a>,
    objects: &[Object<'a>],
    config: &Config,
    config_problems: Vec<KrmResult>,
    mode: Mode,
    layout: Layout,
) -> Plan {
    let mut planner = Planner {
        tree,
        objects,
        config,
        mode,
        layout,
        plan: Plan {
            results: config_problems,
            ..Plan::default()
        },
        generated: HashMap::new(),
        missing: HashSet::new(),
        used_paths: HashMap::new(),
        noted_versions: HashSet::new(),
        noted_secrets: HashSet::new(),
    };
    let config_ok = !planner.plan.has_errors();
    let (targets, existing) = if config_ok {
        planner.generate()
    } else {
        (0, HashMap::new())
    };
    planner.prune(config_ok, &existing);
    if mode == Mode::Stream {
        planner.refuse_empty_stream();
    }
    planner.summarise(targets, config_ok);
    planner.plan
}

struct Planner<'p, 't, 'a> {
    tree: &'t Tree<'a>,
    objects: &'p [Object<'a>],
    config: &'p Config,
    mode: Mode,
    layout: Layout,
    plan: Plan,
    /// (kind, namespace, name) of every object generated so far, with the pair that made it
    /// (the target's reported object and the blueprint's name).
    generated: HashMap<(String, String, String), (usize, Box<str>)>,
    /// Blueprints that targets name but the input lacks: their earlier output is kept.
    missing: HashSet<String>,
    /// Files of generated objects, and the (namespace, name) that took each.
    used_paths: HashMap<String, (String, String)>,
    /// Targets told that their version comes from the database, and (namespace, Secret) pairs
    /// reported missing: one note each.
    noted_versions: HashSet<usize>,
    noted_secrets: HashSet<(String, String)>,
}

impl<'t> Planner<'_, 't, '_> {
    fn error(&mut self, object: usize, message: String) -> &mut KrmResult {
        self.result(Severity::Error, object, message)
    }

    fn result(&mut self, severity: Severity, object: usize, message: String) -> &mut KrmResult {
        self.plan
            .results
            .push(KrmResult::about(severity, &self.objects[object], message));
        let last = self.plan.results.len() - 1;
        &mut self.plan.results[last]
    }

    fn blueprints(&mut self) -> HashMap<String, Option<Blueprint>> {
        let mut found: HashMap<String, Option<Blueprint>> = HashMap::new();
        for (i, object) in self.objects.iter().enumerate() {
            if !blueprint::is_blueprint(object) {
                continue;
            }
            let read = blueprint::read(self.tree, object, i, &mut self.plan.results);
            let Some(name) = object.name.text().filter(|n| !n.is_empty()) else {
                continue;
            };
            match found.get_mut(name) {
                Some(slot) => {
                    *slot = None;
                    self.error(
                        i,
                        format!(
                            "two BackupBlueprints are named `{name}`: blueprints are cluster-scoped, \
                             so names must be unique; targets using `{name}` are skipped until one is renamed"
                        ),
                    )
                    .field = Some("metadata.name".into());
                }
                None => {
                    found.insert(name.to_owned(), read);
                }
            }
        }
        found
    }

    fn existing(&self) -> HashMap<(String, String, String), Existing> {
        let mut map = HashMap::new();
        for (i, object) in self.objects.iter().enumerate() {
            let (Some(kind), Some(api_version)) = (object.kind.text(), object.api_version.text())
            else {
                continue;
            };
            if !KINDS.contains(&kind) || !api_version.starts_with("stash.appscode.com/") {
                continue;
            }
            let key = (
                kind.to_owned(),
                object.namespace.text().unwrap_or_default().to_owned(),
                object.name.text().unwrap_or_default().to_owned(),
            );
            let this = Existing {
                index: i,
                ours: ownership::marker(object).is_some(),
            };
            // A hand-written object wins over our earlier one of the same name, wherever each
            // stands in the input. Of several earlier ones, the last wins: the one a run re-emits
            // goes to the end, so the next run picks it again (the first would flip each run).
            match map.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(this);
                }
                Entry::Occupied(mut slot) if slot.get().ours => {
                    slot.insert(this);
                }
                Entry::Occupied(_) => {}
            }
        }
        map
    }

    fn secrets(&self) -> HashSet<(String, String)> {
        self.objects
            .iter()
            .filter(|o| o.kind.text() == Some("Secret") && o.api_version.text() == Some("v1"))
            .filter_map(|o| {
                let name = o.name.text()?.to_owned();
                Some((o.namespace.text().unwrap_or_default().to_owned(), name))
            })
            .collect()
    }

    /// Generates every pair; returns the number of targets.
    /// Returns the number of targets and the Stash objects found in the input.
    fn generate(&mut self) -> (usize, HashMap<(String, String, String), Existing>) {
        for (i, object) in self.objects.iter().enumerate() {
            if !object.is_mapping && !object.is_alias {
                let what = match self.mode {
                    Mode::ResourceList => format!("items[{i}]"),
                    Mode::Stream => format!("document {}", i + 1),
                };
                self.plan.results.push(KrmResult::new(
                    Severity::Error,
                    format!("{what} is not a mapping: every item must be a Kubernetes object"),
                ));
            }
        }
        let blueprints = self.blueprints();
        let existing = self.existing();
        let secrets = self.secrets();
        let targets = targets::find(self.tree, self.objects);
        self.note_unsupported(&targets);
        for target in &targets {
            self.generate_target(target, &blueprints, &existing, &secrets);
        }
        (targets.len(), existing)
    }

    /// Objects that carry the blueprint annotation but are not targets we handle.
    fn note_unsupported(&mut self, targets: &[Target]) {
        let in_target: HashSet<usize> = targets
            .iter()
            .flat_map(|t| [t.app_binding, t.database])
            .flatten()
            .collect();
        for (i, object) in self.objects.iter().enumerate() {
            let database = targets::is_database(object) || targets::is_app_binding(object);
            if database && object.metadata_not_map {
                self.error(i, "metadata must be a mapping".into()).field = Some("metadata".into());
                continue;
            }
            if database && object.annotations.not_map {
                self.error(
                    i,
                    "metadata.annotations must be a mapping of strings, so the backup annotations \
                     cannot be read"
                        .into(),
                )
                .field = Some("metadata.annotations".into());
                continue;
            }
            if in_target.contains(&i) || !targets::has_blueprint_annotation(object) {
                continue;
            }
            if database && object.name.text().is_none() {
                self.error(i, "a target needs metadata.name".into()).field =
                    Some("metadata.name".into());
            } else if !database {
                self.result(
                    Severity::Info,
                    i,
                    "not a target of stash-autobackup, which handles AppBindings and KubeDB \
                     databases (kubedb.com/v1alpha2 and v1); this object's auto-backup is left to \
                     the Stash operator"
                        .into(),
                )
                .field = Some(annotation_field(BLUEPRINT_ANNOTATION));
            }
        }
    }

    fn generate_target(
        &mut self,
        target: &Target,
        blueprints: &HashMap<String, Option<Blueprint>>,
        existing: &HashMap<(String, String, String), Existing>,
        secrets: &HashSet<(String, String)>,
    ) {
        let reported = target.reported_object();
        let Some(namespace) = target.namespace.clone() else {
            self.result(
                Severity::Warning,
                reported,
                "no metadata.namespace: nothing is generated for this target; set the namespace \
                 before this function runs (kustomize `namespace:` or kpt set-namespace)"
                    .into(),
            )
            .field = Some("metadata.namespace".into());
            return;
        };
        for index in [target.app_binding, target.database].into_iter().flatten() {
            let object = &self.objects[index];
            if let Some(key) = &object.duplicate_key {
                let key = key.clone();
                self.error(index, format!("key `{key}` appears twice: remove one"))
                    .field = Some(key.to_string());
                return;
            }
            if object.annotations.not_map {
                self.error(
                    index,
                    "metadata.annotations must be a mapping of strings".into(),
                )
                .field = Some("metadata.annotations".into());
                return;
            }
        }

        // A name Kubernetes would refuse is refused here, before it becomes part of other names.
        let object = target
            .database
            .or(target.app_binding)
            .unwrap_or(target.position);
        if !naming::is_dns_subdomain(&target.name) {
            let name = target.name.clone();
            self.error(
                object,
                format!(
                    "metadata.name {name:?} is not a valid Kubernetes name ({}); nothing is generated for it",
                    naming::NAME_RULE
                ),
            )
            .field = Some("metadata.name".into());
            return;
        }
        if !naming::is_dns_label(&namespace) {
            self.error(
                object,
                format!(
                    "metadata.namespace {namespace:?} is not a valid Kubernetes namespace (at most 63 \
                     lower-case letters, digits and '-', starting and ending with a letter or digit); \
                     nothing is generated for it"
                ),
            )
            .field = Some("metadata.namespace".into());
            return;
        }
        let Some(names) = self.blueprint_names(target) else {
            return;
        };
        let schedule = self.schedule_override(target);
        let params = self.annotation_params(target);
        let several = names.len() > 1;
        for name in &names {
            let blueprint = match blueprints.get(name.as_str()) {
                Some(Some(b)) => b,
                Some(None) => continue,
                None => {
                    self.missing.insert(name.clone());
                    let severity = match self.config.missing_blueprint {
                        MissingBlueprint::Error => Severity::Error,
                        MissingBlueprint::Warning => Severity::Warning,
                    };
                    let target_ref = ResourceRef::of(&self.objects[reported]);
                    self.result(
                        severity,
                        reported,
                        format!(
                            "BackupBlueprint `{name}` not found: add it to the input or fix the \
                             {BLUEPRINT_ANNOTATION} annotation on {target_ref}"
                        ),
                    )
                    .field = Some(annotation_field(BLUEPRINT_ANNOTATION));
                    continue;
                }
            };
            let placement = naming::place(
                &target.name,
                &namespace,
                &blueprint.name,
                blueprint.backup_namespace.as_deref(),
                blueprint.repo_namespace.as_deref(),
                several,
            );
            self.generate_pair(
                target,
                &namespace,
                blueprint,
                &placement,
                schedule.as_ref(),
                &params,
                existing,
                secrets,
            );
        }
    }

    /// The blueprint list of the annotation; `None` (with an error) when it names none.
    fn blueprint_names(&mut self, target: &Target) -> Option<Vec<String>> {
        let annotation = target.annotation(BLUEPRINT_ANNOTATION)?.clone();
        let mut names: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        let field = annotation_field(BLUEPRINT_ANNOTATION);
        let mut empty = false;
        for part in annotation.value.split(',') {
            let name = part.trim();
            if name.is_empty() {
                empty = true;
            } else if !seen.insert(name) {
                self.result(
                    Severity::Warning,
                    annotation.object,
                    format!("blueprint `{name}` is listed twice; it is used once"),
                )
                .field = Some(field.clone());
            } else {
                names.push(name.to_owned());
            }
        }
        if names.is_empty() {
            self.error(
                annotation.object,
                format!(
                    "{BLUEPRINT_ANNOTATION} names no blueprint: give one or more BackupBlueprint \
                     names separated by commas, or remove the annotation"
                ),
            )
            .field = Some(field);
            return None;
        }
        if empty {
            self.result(
                Severity::Warning,
                annotation.object,
                format!("{BLUEPRINT_ANNOTATION} has an empty entry; it is ignored"),
            )
            .field = Some(field);
        }
        Some(names)
    }

    /// The schedule annotation, when it is set and not empty.
    fn schedule_override(&mut self, target: &Target) -> Option<targets::Annotation> {
        let annotation = target.annotation(SCHEDULE_ANNOTATION)?.clone();
        if annotation.value.trim().is_empty() {
            self.result(
                Severity::Warning,
                annotation.object,
                format!("{SCHEDULE_ANNOTATION} is empty; the blueprint's schedule is used"),
            )
            .field = Some(annotation_field(SCHEDULE_ANNOTATION));
            return None;
        }
        Some(annotation)
    }

    /// `params.stash.appscode.com/<name>` annotations, sorted by name.
    fn annotation_params(&mut self, target: &Target) -> Vec<(String, String)> {
        let mut params = Vec::new();
        for (key, annotation) in &target.annotations {
            let Some(name) = key.strip_prefix(PARAM_PREFIX) else {
                continue;
            };
            if name.is_empty() {
                self.result(
                    Severity::Warning,
                    annotation.object,
                    format!("{key} has no parameter name after the prefix; it is ignored"),
                )
                .field = Some(annotation_field(key));
                continue;
            }
            params.push((name.to_owned(), annotation.value.clone()));
        }
        params.sort();
        params
    }

    #[allow(clippy::too_many_arguments)]
    fn generate_pair(
        &mut self,
        target: &Target,
        namespace: &str,
        blueprint: &Blueprint,
        placement: &Placement,
        schedule: Option<&targets::Annotation>,
        params: &[(String, String)],
        existing: &HashMap<(String, String, String), Existing>,
        secrets: &HashSet<(String, String)>,
    ) {
        let reported = target.reported_object();
        let target_ref = ResourceRef::of(&self.objects[reported]);
        let vars = Vars::new(target, namespace);
        let mut copier = Copier::new(self.tree, &vars);
        let Some(schedule) = self.schedule(&mut copier, target, blueprint, schedule, &target_ref)
        else {
            return;
        };
        let (task_name, task_params) = task(&mut copier, blueprint, params);
        let owner_uid = target
            .uid
            .clone()
            .filter(|_| placement.config_namespace == namespace);

        let file = self.file_path(target, placement);
        let keys = [
            ("Repository", placement.repository_namespace.clone()),
            ("BackupConfiguration", placement.config_namespace.clone()),
        ]
        .map(|(kind, ns)| (kind.to_owned(), ns, placement.name.clone()));
        // An object that replaces earlier output of ours keeps kpt's tracking annotations, so
        // it stays in its file; a new one gets `stash-<name>.yaml` beside its target.
        let annotations = |i: usize| {
            let tracking = match existing.get(&keys[i]) {
                Some(e) if e.ours => ownership::tracking_annotations(&self.objects[e.index]),
                _ => file
                    .as_deref()
                    .map_or_else(Vec::new, |path| new_file_annotations(path, i)),
            };
            render::metadata_annotations(&blueprint.name, self.config.mark_generated, &tracking)
        };
        let repository = render::repository(&mut copier, blueprint, placement, annotations(0));
        let parts = ConfigParts {
            schedule,
            task_name,
            params: task_params,
            owner_uid,
        };
        let configuration = render::backup_configuration(
            &mut copier,
            blueprint,
            target,
            placement,
            parts,
            annotations(1),
        );
        if !copier.errors.is_empty() {
            for e in std::mem::take(&mut copier.errors) {
                self.error(
                    blueprint.object,
                    format!("{} (while generating for {target_ref})", e.message),
                )
                .field = Some(e.field);
            }
            return;
        }
        if vars.used_version.get()
            && target.version_from_database
            && self.noted_versions.insert(target.position)
        {
            self.result(
                Severity::Info,
                reported,
                format!(
                    "TARGET_APP_VERSION is the database's spec.version `{}`: without its AppBinding in \
                     the input, KubeDB's catalog may name the version differently",
                    target.app_version.as_deref().unwrap_or_default()
                ),
            )
            .field = Some("spec.version".into());
        }
        if let Some(secret) = storage_secret(&repository) {
            let ns = placement.repository_namespace.clone();
            // One note per missing Secret and namespace: it is one fix, however many use it.
            if !secrets.contains(&(ns.clone(), secret.clone()))
                && self.noted_secrets.insert((ns.clone(), secret.clone()))
            {
                self.result(
                    Severity::Info,
                    reported,
                    format!(
                        "Secret `{secret}` (spec.backend.storageSecretName of blueprint `{}`) is not \
                         in the input's namespace {ns}; the Repositories there need it at backup time",
                        blueprint.name
                    ),
                );
            }
        }
        for (key, out) in keys.into_iter().zip([repository, configuration]) {
            self.emit(key, out, reported, &blueprint.name, existing);
        }
    }

    /// The pair's schedule (the target's annotation, else the blueprint's), reported and `None`
    /// when Kubernetes would reject it.
    fn schedule(
        &mut self,
        copier: &mut Copier<'t, '_, '_>,
        target: &Target,
        blueprint: &Blueprint,
        annotation: Option<&targets::Annotation>,
        target_ref: &ResourceRef,
    ) -> Option<Value<'t>> {
        let (out, text, object, field) = match (annotation, blueprint.schedule) {
            (Some(a), _) => (
                Value::str(a.value.clone()),
                a.value.clone(),
                a.object,
                annotation_field(SCHEDULE_ANNOTATION),
            ),
            (None, Some(node)) => {
                let out = copier.copy(node, "spec.schedule");
                let text = scalar_text(&out);
                (out, text, blueprint.object, "spec.schedule".to_owned())
            }
            (None, None) => {
                self.error(
                    target.reported_object(),
                    format!(
                        "no schedule for blueprint `{}`: set spec.schedule in the blueprint or \
                         the {SCHEDULE_ANNOTATION} annotation here",
                        blueprint.name
                    ),
                )
                .field = Some(annotation_field(SCHEDULE_ANNOTATION));
                return None;
            }
        };
        if !copier.errors.is_empty() {
            // A substitution error in the schedule is reported with the others.
            return Some(out);
        }
        let Some((severity, mut message)) = schedule_problem(&text) else {
            return Some(out);
        };
        if object == blueprint.object {
            message = format!("{message} (used by {target_ref})");
        }
        self.result(severity, object, message).field = Some(field);
        (severity != Severity::Error).then_some(out)
    }

    /// Puts one generated object in the plan: new, or replacing (or keeping) our earlier one,
    /// unless another pair already made it or a hand-written object is in its place.
    fn emit(
        &mut self,
        key: (String, String, String),
        out: Value<'t>,
        reported: usize,
        blueprint: &str,
        existing: &HashMap<(String, String, String), Existing>,
    ) {
        let (kind, ns, name) = &key;
        let pair = |object: usize, blueprint: &str| {
            format!(
                "{} with blueprint `{blueprint}`",
                ResourceRef::of(&self.objects[object])
            )
        };
        if let Some((other, other_blueprint)) = self.generated.get(&key) {
            let message = format!(
                "{kind} {ns}/{name} would be generated twice, for {} and for {}: \
                 rename one target, or give the blueprints different backupNamespaces",
                pair(*other, other_blueprint),
                pair(reported, blueprint),
            );
            self.error(reported, message);
            return;
        }
        self.generated
            .insert(key.clone(), (reported, blueprint.into()));
        match existing.get(&key) {
            Some(e) if !e.ours => {
                self.result(
                    Severity::Warning,
                    e.index,
                    format!(
                        "this {kind} was not generated by stash-autobackup (it has no {} \
                         annotation), so it is left alone and nothing is generated in its place \
                         for {}; delete it to let the function generate it",
                        render::MARKER,
                        pair(reported, blueprint),
                    ),
                );
            }
            Some(e) => {
                self.plan.remove.insert(e.index);
                if ownership::unchanged(self.tree, &self.objects[e.index], &out) {
                    self.plan.append.push(Emit::Keep(e.index));
                } else {
                    self.result(
                        Severity::Info,
                        e.index,
                        format!("updated: regenerated from blueprint `{blueprint}`"),
                    );
                    self.plan.append.push(Emit::New(self.layout.write(&out)));
                }
            }
            None => self.plan.append.push(Emit::New(self.layout.write(&out))),
        }
    }

    /// The file for a pair's new objects in kpt: `stash-<name>.yaml` in its target's folder
    /// (qualified by namespace when two pairs of one folder share a name).
    fn file_path(&mut self, target: &Target, placement: &Placement) -> Option<String> {
        if self.mode != Mode::ResourceList {
            return None;
        }
        let file = FileRef::of(&self.objects[target.position])?;
        let dir = match file.path.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/"),
            None => String::new(),
        };
        let owner = (placement.config_namespace.clone(), placement.name.clone());
        let mut path = format!("{dir}stash-{}.yaml", placement.name);
        if self.used_paths.get(&path).is_some_and(|o| *o != owner) {
            path = format!(
                "{dir}stash-{}-{}.yaml",
                placement.config_namespace, placement.name
            );
        }
        self.used_paths.insert(path.clone(), owner);
        Some(path)
    }

    fn prune(&mut self, config_ok: bool, existing: &HashMap<(String, String, String), Existing>) {
        let errors = self.plan.has_errors();
        for (i, object) in self.objects.iter().enumerate() {
            let Some(blueprint) = ownership::marker(object) else {
                continue;
            };
            let kind = object.kind.text().unwrap_or_default();
            let ours = KINDS.contains(&kind)
                && object
                    .api_version
                    .text()
                    .is_some_and(|a| a.starts_with("stash.appscode.com/"));
            // Objects already in `remove` are re-emitted by this run.
            if !ours || self.plan.remove.contains(&i) {
                continue;
            }
            // Pruning deletes a backup configuration: only when sure it is no longer wanted.
            if !config_ok || errors || self.missing.contains(blueprint) {
                continue;
            }
            self.plan.remove.insert(i);
            let key = (
                kind.to_owned(),
                object.namespace.text().unwrap_or_default().to_owned(),
                object.name.text().unwrap_or_default().to_owned(),
            );
            // Still asked for, but another object of the same name holds its place.
            let why = match existing.get(&key) {
                _ if !self.generated.contains_key(&key) => {
                    "no target asks for it any more".to_owned()
                }
                Some(e) if e.ours => format!(
                    "the input holds this {kind} more than once and only the last copy is kept"
                ),
                _ => format!("a hand-written {kind} of the same name takes its place"),
            };
            let blueprint = blueprint.to_owned();
            self.result(
                Severity::Info,
                i,
                format!("pruned: generated earlier from blueprint `{blueprint}`, but {why}"),
            );
        }
    }

    /// Empty output with success would tell ArgoCD (with prune) that the app has no objects.
    fn refuse_empty_stream(&mut self) {
        let empty = self.plan.append.is_empty()
            && self.objects.iter().enumerate().all(|(i, o)| {
                crate::krm::stream::is_local_config(o) || self.plan.remove.contains(&i)
            });
        if empty && !self.plan.has_errors() {
            self.plan.results.push(KrmResult::new(
                Severity::Error,
                "nothing to output: every object is local configuration and nothing was generated; \
                 refusing to print an empty set",
            ));
        }
    }

    fn summarise(&mut self, targets: usize, config_ok: bool) {
        let errors = results::count(&self.plan.results, Severity::Error);
        let warnings = results::count(&self.plan.results, Severity::Warning);
        let kept_in_place = self
            .objects
            .iter()
            .enumerate()
            .filter(|(i, o)| ownership::marker(o).is_some() && !self.plan.remove.contains(i))
            .count();
        let generated = self.plan.append.len() + kept_in_place;
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        if !config_ok {
            self.plan.results.push(KrmResult::new(
                Severity::Info,
                format!(
                    "stash-autobackup: nothing generated or pruned until the functionConfig is fixed, \
                     {}, {}",
                    plural(errors, "error"),
                    plural(warnings, "warning"),
                ),
            ));
            return;
        }
        self.plan.results.push(KrmResult::new(
            Severity::Info,
            format!(
                "stash-autobackup: {}, {} in the output, {}, {}",
                plural(targets, "target"),
                plural(generated, "generated object"),
                plural(errors, "error"),
                plural(warnings, "warning"),
            ),
        ));
    }
}

/// What Kubernetes would say about a CronJob `schedule`, and how to fix it.
fn schedule_problem(schedule: &str) -> Option<(Severity, String)> {
    match cron::validate(schedule) {
        Ok(Accepted::Cron) => None,
        Ok(Accepted::Every { nanos }) if nanos > 0 => Some((
            Severity::Warning,
            format!(
                "schedule `{schedule}` uses @every, which Kubernetes accepts but does not document; \
                 prefer a cron expression"
            ),
        )),
        Ok(Accepted::Every { .. }) => Some((
            Severity::Error,
            format!("schedule `{schedule}`: the @every interval must be positive"),
        )),
        Err(e) if schedule.contains("TZ") => Some((
            Severity::Error,
            format!(
                "schedule `{schedule}` is not valid for a Kubernetes CronJob: {e}; Kubernetes 1.29 \
                 and later reject TZ= and CRON_TZ= in schedules, so write the schedule in the \
                 cluster's time zone (UTC unless configured otherwise)"
            ),
        )),
        Err(e) => Some((
            Severity::Error,
            format!(
                "schedule `{schedule}` is not valid for a Kubernetes CronJob: {e}; use five fields \
                 (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, \
                 @monthly, @yearly"
            ),
        )),
    }
}

/// The task name and params: the blueprint's params first, an annotation param replacing the
/// value of a blueprint param of its name in place, new ones appended (already sorted).
type TaskParts<'t> = (Option<Value<'t>>, Vec<(Value<'t>, Value<'t>)>);

fn task<'t>(
    copier: &mut Copier<'t, '_, '_>,
    blueprint: &Blueprint,
    params: &[(String, String)],
) -> TaskParts<'t> {
    let name = blueprint
        .task_name
        .map(|n| copier.copy(n, "spec.task.name"));
    let mut list: Vec<(Value<'t>, Value<'t>)> = blueprint
        .params
        .iter()
        .enumerate()
        .map(|(i, (n, v))| {
            (
                copier.copy(*n, &format!("spec.task.params[{i}].name")),
                copier.copy(*v, &format!("spec.task.params[{i}].value")),
            )
        })
        .collect();
    for (name, value) in params {
        match list.iter_mut().find(|(n, _)| scalar_text(n) == *name) {
            Some((_, slot)) => *slot = Value::str(value.clone()),
            None => list.push((Value::str(name.clone()), Value::str(value.clone()))),
        }
    }
    (name, list)
}

/// kpt's current and legacy path and index annotations for a new object in `path`.
fn new_file_annotations(path: &str, index: usize) -> Vec<(String, String)> {
    ["internal.config.kubernetes.io/", "config.kubernetes.io/"]
        .into_iter()
        .flat_map(|prefix| {
            [
                (format!("{prefix}path"), path.to_owned()),
                (format!("{prefix}index"), index.to_string()),
            ]
        })
        .collect()
}

fn annotation_field(key: &str) -> String {
    format!("metadata.annotations[{key}]")
}

fn scalar_text(out: &Value<'_>) -> String {
    match out {
        Value::Str(s) | Value::Plain(s) => s.to_string(),
        Value::Tagged { value, .. } => value.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Map(_) | Value::Seq(_) => String::new(),
    }
}

/// `spec.backend.storageSecretName` of a generated Repository.
fn storage_secret(repository: &Value<'_>) -> Option<String> {
    let backend = child(child(repository, "spec")?, "backend")?;
    Some(scalar_text(child(backend, "storageSecretName")?)).filter(|s| !s.is_empty())
}

fn child<'o, 'a>(out: &'o Value<'a>, key: &str) -> Option<&'o Value<'a>> {
    let Value::Map(entries) = out else {
        return None;
    };
    entries
        .iter()
        .find(|(k, _)| scalar_text(k) == key)
        .map(|(_, v)| v)
}
