//! Building the Repository and the BackupConfiguration of one (target, blueprint) pair.
//!
//! Values are copied from the blueprint's captured tree into [`Value`] trees. Every string value
//! (and key) goes through `${…}` substitution first; a value that substitution did not change
//! is copied with its original spelling, so it means what it meant in the blueprint.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashSet;

use granit_parser::ScalarStyle;

use crate::engine::envsubst::{self, VarError};
use crate::families::stash::blueprint::Blueprint;
use crate::families::stash::naming::Placement;
use crate::families::stash::targets::{APPBINDING_API_VERSION, Target};
use crate::yaml::emit::Value;
use crate::yaml::tree::{Node, NodeId, Tree};

pub const REPOSITORY_API_VERSION: &str = "stash.appscode.com/v1alpha1";
pub const CONFIG_API_VERSION: &str = "stash.appscode.com/v1beta1";
pub const MARKER: &str = "autobackup.stash.appscode.com/blueprint";

/// How many nodes one target's generated objects may copy, aliases expanded: an alias bomb in a
/// blueprint gives an error, not an exhausted machine.
const COPY_BUDGET: usize = 100_000;
/// How many bytes of text one target's objects may copy, aliases expanded: a long string behind
/// aliases would otherwise multiply into gigabytes. Kubernetes stores objects of at most 1.5 MiB
/// (etcd's request limit), and a target's Repository and BackupConfiguration are two.
const COPY_BYTES: usize = 3 << 20;
/// Deeper than any YAML the parser accepts, so only a self-referencing alias reaches it.
const MAX_DEPTH: usize = 600;

/// The `${TARGET_*}` variables of one target.
pub struct Vars {
    values: [(&'static str, String); 8],
    /// Set when `TARGET_APP_VERSION` was substituted.
    pub used_version: Cell<bool>,
}

impl Vars {
    pub fn new(target: &Target, namespace: &str) -> Self {
        let app_type = target.app_type.clone();
        let (group, resource) = match app_type.rsplit_once('/') {
            Some((g, r)) => (g.to_owned(), r.to_owned()),
            None => (String::new(), app_type.clone()),
        };
        Vars {
            values: [
                ("TARGET_API_VERSION", APPBINDING_API_VERSION.to_owned()),
                ("TARGET_KIND", "appbinding".to_owned()),
                ("TARGET_NAME", target.name.clone()),
                ("TARGET_NAMESPACE", namespace.to_owned()),
                ("TARGET_APP_TYPE", app_type),
                ("TARGET_APP_GROUP", group),
                ("TARGET_APP_RESOURCE", resource),
                (
                    "TARGET_APP_VERSION",
                    target.app_version.clone().unwrap_or_default(),
                ),
            ],
            used_version: Cell::new(false),
        }
    }

    fn get(&self, name: &str) -> Option<String> {
        if name == "TARGET_APP_VERSION" {
            self.used_version.set(true);
        }
        self.values
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    }
}

/// A problem found while copying from the blueprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    /// Path of the field in the blueprint (`spec.backend.gcs.prefix`).
    pub field: String,
    pub message: String,
}

/// Copies blueprint subtrees into output trees.
pub struct Copier<'t, 'v, 'a> {
    tree: &'t Tree<'a>,
    vars: &'v Vars,
    budget: usize,
    bytes_left: usize,
    depth: usize,
    /// Nodes already reported: aliases can reach one node through thousands of paths, and its
    /// problem is reported once, at the first.
    failed: HashSet<NodeId>,
    pub errors: Vec<RenderError>,
}

impl<'t, 'v, 'a> Copier<'t, 'v, 'a> {
    pub fn new(tree: &'t Tree<'a>, vars: &'v Vars) -> Self {
        Copier {
            tree,
            vars,
            budget: COPY_BUDGET,
            bytes_left: COPY_BYTES,
            depth: 0,
            failed: HashSet::new(),
            errors: Vec::new(),
        }
    }

    /// Substitutes variables in one string, reporting errors against `field`.
    pub fn substitute<'s>(
        &mut self,
        text: &'s str,
        field: &dyn Fn() -> String,
    ) -> Option<Cow<'s, str>> {
        let vars = self.vars;
        match envsubst::substitute(text, &mut |name| vars.get(name)) {
            Ok(v) => Some(v),
            Err(e) => {
                let message = match &e {
                    VarError::Unknown { name } => format!(
                        "unknown variable ${{{name}}}; the known ones are TARGET_API_VERSION, TARGET_KIND, \
                         TARGET_NAME, TARGET_NAMESPACE, TARGET_APP_TYPE, TARGET_APP_GROUP, \
                         TARGET_APP_RESOURCE, TARGET_APP_VERSION (write $${{...}} for a literal ${{...}})"
                    ),
                    VarError::Malformed { .. } => format!(
                        "{e} in {text:?}: a variable is written ${{NAME}} (write $$ for a literal $)"
                    ),
                };
                self.errors.push(RenderError {
                    field: field(),
                    message,
                });
                None
            }
        }
    }

    /// Copies the subtree at `node`; `path` names it for error messages.
    pub fn copy(&mut self, node: NodeId, path: &str) -> Value<'t> {
        self.copy_at(node, &|out: &mut String| out.push_str(path))
    }

    fn fail(&mut self, node: NodeId, path: &dyn Fn(&mut String), message: String) {
        if !self.failed.insert(node) {
            return;
        }
        self.errors.push(RenderError {
            field: field_path(path),
            message,
        });
    }

    /// `path` writes the field's path; it is only called when there is an error to report.
    fn copy_at(&mut self, node: NodeId, path: &dyn Fn(&mut String)) -> Value<'t> {
        // After an error that stops the copy, nothing more is copied or reported.
        if self.budget == 0 {
            return Value::Map(Vec::new());
        }
        if self.depth >= MAX_DEPTH {
            self.fail(
                node,
                path,
                format!(
                    "values nest more than {MAX_DEPTH} deep here (an alias that contains itself?)"
                ),
            );
            self.budget = 0;
            return Value::Map(Vec::new());
        }
        self.budget -= 1;
        if self.budget == 0 {
            self.fail(
                node,
                path,
                format!(
                    "expanding YAML aliases here gives more than {COPY_BUDGET} values; write the value out"
                ),
            );
            return Value::Map(Vec::new());
        }
        let Some(id) = self.tree.resolve(node) else {
            self.fail(
                node,
                path,
                "alias refers to an anchor that is not defined before it".into(),
            );
            return Value::Map(Vec::new());
        };
        self.depth += 1;
        let out = self.copy_node(id, path);
        self.depth -= 1;
        out
    }

    fn copy_node(&mut self, id: NodeId, path: &dyn Fn(&mut String)) -> Value<'t> {
        let tree: &'t Tree<'a> = self.tree;
        match tree.get(id) {
            Node::Scalar { value, style, tag } => {
                if self.failed.contains(&id) {
                    return Value::Str(Cow::Borrowed(""));
                }
                let Some(text) = self.substitute(value, &|| field_path(path)) else {
                    self.failed.insert(id);
                    return Value::Str(Cow::Borrowed(""));
                };
                let Some(left) = self.bytes_left.checked_sub(text.len()) else {
                    self.fail(
                        id,
                        path,
                        format!(
                            "the text copied for this target comes to more than {} MiB here \
                             (aliases expanded), more than Kubernetes stores in an object; \
                             shorten the value or repeat it fewer times",
                            COPY_BYTES >> 20
                        ),
                    );
                    self.budget = 0;
                    return Value::Str(Cow::Borrowed(""));
                };
                self.bytes_left = left;
                let changed = matches!(text, Cow::Owned(_));
                match tag {
                    Some(tag) if !tag.is_core_str() => Value::Tagged {
                        tag: tag.render(),
                        value: text,
                        plain: *style == ScalarStyle::Plain,
                    },
                    Some(_) => Value::Str(text),
                    None if *style == ScalarStyle::Plain && !changed => Value::Plain(text),
                    None => Value::Str(text),
                }
            }
            Node::Seq { items } => Value::Seq(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        self.copy_at(*item, &|s: &mut String| {
                            path(s);
                            s.push_str(&format!("[{i}]"));
                        })
                    })
                    .collect(),
            ),
            Node::Map { entries } => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| {
                        let Some(key_text) = tree.scalar(*k) else {
                            // No generated field has one; the emitter only writes scalar keys.
                            self.fail(
                                *k,
                                path,
                                "a mapping or sequence used as a mapping key is not supported"
                                    .into(),
                            );
                            return (Value::Str(Cow::Borrowed("")), Value::Map(Vec::new()));
                        };
                        let here = |s: &mut String| {
                            path(s);
                            s.push('.');
                            s.push_str(key_text);
                        };
                        let key = self.copy_at(*k, &here);
                        if crate::yaml::emit::key_width(&key) > 1000 {
                            let what = if matches!(key, Value::Tagged { .. }) {
                                "a mapping key longer than 1000 characters with its tag"
                            } else {
                                "a mapping key longer than 1000 characters"
                            };
                            self.fail(
                                *k,
                                path,
                                format!(
                                    "{what} cannot be written as a YAML key that Kubernetes tools \
                                     read; shorten it"
                                ),
                            );
                            return (Value::Str(Cow::Borrowed("")), Value::Map(Vec::new()));
                        }
                        (key, self.copy_at(*v, &here))
                    })
                    .collect(),
            ),
            Node::Alias { .. } => Value::Map(Vec::new()),
        }
    }
}

/// A field path for a message, cut short when an alias made it absurdly long.
fn field_path(path: &dyn Fn(&mut String)) -> String {
    let mut field = String::new();
    path(&mut field);
    if field.len() > 200 {
        let cut = (0..=200)
            .rev()
            .find(|i| field.is_char_boundary(*i))
            .unwrap_or(0);
        field.truncate(cut);
        field.push('…');
    }
    field
}

/// Annotations every generated object carries.
pub fn metadata_annotations<'t>(
    blueprint: &str,
    mark: bool,
    file: &[(String, String)],
) -> Option<Value<'t>> {
    let mut entries = Vec::new();
    if mark {
        entries.push((Value::str(MARKER), Value::str(blueprint.to_owned())));
    }
    for (k, v) in file {
        entries.push((Value::str(k.clone()), Value::str(v.clone())));
    }
    (!entries.is_empty()).then_some(Value::Map(entries))
}

fn metadata<'t>(name: &str, namespace: &str, annotations: Option<Value<'t>>) -> Value<'t> {
    let mut meta = Value::map([
        ("name", Value::str(name.to_owned())),
        ("namespace", Value::str(namespace.to_owned())),
    ]);
    if let Some(a) = annotations {
        meta.push("annotations", a);
    }
    meta
}

/// The Repository of a pair.
pub fn repository<'t>(
    copier: &mut Copier<'t, '_, '_>,
    blueprint: &Blueprint,
    placement: &Placement,
    annotations: Option<Value<'t>>,
) -> Value<'t> {
    let mut spec = Value::map([("backend", copier.copy(blueprint.backend, "spec.backend"))]);
    if blueprint.wipe_out {
        spec.push("wipeOut", Value::Bool(true));
    }
    if let Some(policy) = blueprint.usage_policy {
        spec.push("usagePolicy", copier.copy(policy, "spec.usagePolicy"));
    }
    Value::map([
        ("apiVersion", Value::str(REPOSITORY_API_VERSION)),
        ("kind", Value::str("Repository")),
        (
            "metadata",
            metadata(
                &placement.name,
                &placement.repository_namespace,
                annotations,
            ),
        ),
        ("spec", spec),
    ])
}

/// What a BackupConfiguration needs beyond the blueprint.
pub struct ConfigParts<'t> {
    pub schedule: Value<'t>,
    pub task_name: Option<Value<'t>>,
    pub params: Vec<(Value<'t>, Value<'t>)>,
    pub owner_uid: Option<String>,
}

/// The BackupConfiguration of a pair.
pub fn backup_configuration<'t>(
    copier: &mut Copier<'t, '_, '_>,
    blueprint: &Blueprint,
    target: &Target,
    placement: &Placement,
    parts: ConfigParts<'t>,
    annotations: Option<Value<'t>>,
) -> Value<'t> {
    let mut meta = metadata(&placement.name, &placement.config_namespace, annotations);
    if let Some(uid) = parts.owner_uid {
        meta.push(
            "ownerReferences",
            Value::Seq(vec![Value::map([
                ("apiVersion", Value::str(APPBINDING_API_VERSION)),
                ("kind", Value::str("AppBinding")),
                ("name", Value::str(target.name.clone())),
                ("uid", Value::str(uid)),
                ("controller", Value::Bool(true)),
                ("blockOwnerDeletion", Value::Bool(true)),
            ])]),
        );
    }
    let mut repository = Value::map([("name", Value::str(placement.name.clone()))]);
    if placement.cross_namespace_target || placement.cross_namespace_repository {
        repository.push(
            "namespace",
            Value::str(placement.repository_namespace.clone()),
        );
    }
    let mut reference = Value::map([
        ("apiVersion", Value::str(APPBINDING_API_VERSION)),
        ("kind", Value::str("AppBinding")),
        ("name", Value::str(target.name.clone())),
    ]);
    if let Some(ns) = target
        .namespace
        .as_ref()
        .filter(|_| placement.cross_namespace_target)
    {
        reference.push("namespace", Value::str(ns.clone()));
    }
    let mut spec = Value::map([
        ("repository", repository),
        ("target", Value::map([("ref", reference)])),
        ("schedule", parts.schedule),
    ]);
    let mut task = Value::Map(Vec::new());
    if let Some(name) = parts.task_name {
        task.push("name", name);
    }
    if !parts.params.is_empty() {
        let params = parts
            .params
            .into_iter()
            .map(|(n, v)| Value::Map(vec![(Value::str("name"), n), (Value::str("value"), v)]))
            .collect();
        task.push("params", Value::Seq(params));
    }
    if matches!(&task, Value::Map(e) if !e.is_empty()) {
        spec.push("task", task);
    }
    for (field, node) in &blueprint.copied {
        let value = copier.copy(*node, &format!("spec.{field}"));
        spec.push(field, value);
    }
    Value::map([
        ("apiVersion", Value::str(CONFIG_API_VERSION)),
        ("kind", Value::str("BackupConfiguration")),
        ("metadata", meta),
        ("spec", spec),
    ])
}
