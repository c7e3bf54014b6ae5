//! The one place both readers turn keys into [`ObjectFields`], so duplicate keys, nulls, merge
//! keys and what to keep are decided once.

use std::borrow::Cow;
use std::collections::HashMap;

use super::interest::{Concern, Interest, Spec};
use crate::krm::kpt::{self, LOCAL_CONFIG};
use crate::krm::object::{Annotations, Field, ObjectFields, group_of};
use crate::yaml::tree::{NodeId, Tree};

/// The keys of an object's top mapping that the readers tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopKey {
    ApiVersion,
    Kind,
    Metadata,
    Spec,
    Other,
}

/// The keys of `metadata` that the readers tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaKey {
    Name,
    Namespace,
    Uid,
    Annotations,
    /// `labels` and `ownerReferences`, captured for the objects of a declared group.
    Captured(Captured),
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Captured {
    Labels,
    OwnerReferences,
}

/// Builds one [`ObjectFields`] from the keys a reader meets, in order. Merge keys (`<<`) are
/// applied where they stand, as kubectl applies them: what they set replaces what was set
/// before, and a later key replaces what they set.
pub struct ObjectBuilder<'i, 'a> {
    interest: &'i Interest,
    fields: ObjectFields<'a>,
    /// Top-level and metadata keys written out so far (bit per [`TopKey`] / [`MetaKey`]).
    seen_top: u8,
    seen_meta: u8,
    /// Each annotation key's position, and whether it was written out (not merged).
    ///
    /// Built only when an object has many annotations: most have a few, and a map per object
    /// would cost every run time and memory for nothing.
    annotation_index: Option<HashMap<Cow<'a, str>, usize>>,
    /// Which annotations were written out rather than set by a merge key; `None` while every
    /// one was written out (no merge key yet, the usual case).
    annotation_written: Option<Vec<bool>>,
    /// The annotations were set as a whole by a merge key in `metadata`.
    annotations_merged: bool,
}

impl<'i, 'a> ObjectBuilder<'i, 'a> {
    pub fn new(interest: &'i Interest) -> Self {
        ObjectBuilder {
            interest,
            fields: ObjectFields::default(),
            seen_top: 0,
            seen_meta: 0,
            annotation_index: None,
            annotation_written: None,
            annotations_merged: false,
        }
    }

    pub fn fields(&mut self) -> &mut ObjectFields<'a> {
        &mut self.fields
    }

    /// Classifies a key of the object's mapping as written out, noting one written twice.
    pub fn top_key(&mut self, key: &str) -> TopKey {
        let (which, bit) = match key {
            "apiVersion" => (TopKey::ApiVersion, 1),
            "kind" => (TopKey::Kind, 2),
            "metadata" => (TopKey::Metadata, 4),
            "spec" => (TopKey::Spec, 8),
            _ => {
                self.fields.extra_keys = true;
                return TopKey::Other;
            }
        };
        if self.seen_top & bit != 0 {
            self.duplicate(|| key.to_owned());
        }
        self.seen_top |= bit;
        which
    }

    /// `key` as a declared top-level key, when the object's group (as far as it is known yet)
    /// declares it; the reader then captures its value into [`ObjectFields::tops`].
    pub fn top_field(&self, key: &str) -> Option<&'static str> {
        let group = match &self.fields.api_version {
            Field::Text(a) => Some(group_of(a)),
            // Not known yet (it may come later): captured, and dropped by `finish` if the
            // group turns out not to declare it.
            _ => None,
        };
        self.interest.declared_top(group, key)
    }

    /// Classifies a key of `metadata` as written out, noting one written twice.
    pub fn meta_key(&mut self, key: &str) -> MetaKey {
        let (which, bit) = match key {
            "name" => (MetaKey::Name, 1),
            "namespace" => (MetaKey::Namespace, 2),
            "annotations" => (MetaKey::Annotations, 4),
            "uid" => (MetaKey::Uid, 8),
            "labels"
                if self
                    .interest
                    .reads_labels(&self.fields.api_version, &self.fields.kind) =>
            {
                (MetaKey::Captured(Captured::Labels), 0)
            }
            "ownerReferences" if self.reads_in_full() => {
                (MetaKey::Captured(Captured::OwnerReferences), 0)
            }
            _ => {
                self.fields.extra_keys = true;
                return MetaKey::Other;
            }
        };
        if self.seen_meta & bit != 0 {
            self.duplicate(|| format!("metadata.{key}"));
        }
        self.seen_meta |= bit;
        if which == MetaKey::Annotations && self.annotations_merged {
            // Annotations written out replace those a merge key set before them.
            self.clear_annotations();
            self.annotations_merged = false;
        }
        which
    }

    fn duplicate(&mut self, key: impl FnOnce() -> String) {
        if self.fields.duplicate_key.is_none() {
            self.fields.duplicate_key = Some(key().into());
        }
    }

    /// Whether the object's group is declared (or not yet known): its labels, owners and every
    /// annotation are kept.
    pub fn reads_in_full(&self) -> bool {
        self.interest.reads_group(&self.fields.api_version)
    }

    /// How much of the spec to capture, by the apiVersion and the annotations read so far.
    pub fn spec(&self) -> Cow<'i, Spec> {
        self.interest
            .spec(&self.fields.api_version, &self.fields.annotations)
    }

    /// Sets a captured metadata field.
    pub fn captured(&mut self, which: Captured, node: NodeId) {
        match which {
            Captured::Labels => self.fields.labels = Some(node),
            Captured::OwnerReferences => self.fields.owner_references = Some(node),
        }
    }

    /// `metadata` is there but is not a mapping (a null is no metadata at all).
    pub fn metadata_not_map(&mut self) {
        self.fields.metadata_not_map = true;
    }

    /// `annotations` is there but is not a mapping of scalars.
    pub fn annotations_not_map(&mut self) {
        self.fields.annotations.not_map = true;
    }

    fn clear_annotations(&mut self) {
        self.fields.annotations = Annotations::default();
        self.annotation_index = None;
        self.annotation_written = None;
    }

    /// The position of the annotation `key`, if it is set.
    fn annotation_position(&mut self, key: &str) -> Option<usize> {
        /// Past this many annotations a map finds them faster than a scan.
        const SCAN: usize = 16;
        let entries = &self.fields.annotations.entries;
        if entries.len() <= SCAN {
            return entries.iter().position(|(k, _)| k == key);
        }
        let index = self.annotation_index.get_or_insert_with(|| {
            let mut index = HashMap::with_capacity(entries.len() * 2);
            for (i, (k, _)) in entries.iter().enumerate() {
                index.entry(k.clone()).or_insert(i);
            }
            index
        });
        index.get(key).copied()
    }

    /// An annotation. `written` is false for one a merge key set: it replaces an earlier value
    /// where a key written out twice is a duplicate.
    pub fn annotation(&mut self, key: Cow<'a, str>, value: Field<'a>, written: bool) {
        match self.annotation_position(&key) {
            Some(i) => {
                let was_written = self.annotation_written.as_ref().is_none_or(|w| w[i]);
                if written && was_written {
                    if self.fields.duplicate_key.is_none() {
                        self.fields.duplicate_key =
                            Some(format!("metadata.annotations[{key}]").into());
                    }
                    return;
                }
                self.fields.annotations.entries[i].1 = value;
                if let Some(flags) = &mut self.annotation_written {
                    flags[i] |= written;
                }
            }
            None => {
                let entries = &mut self.fields.annotations.entries;
                let i = entries.len();
                if let Some(index) = &mut self.annotation_index {
                    index.insert(key.clone(), i);
                }
                if !written && self.annotation_written.is_none() {
                    self.annotation_written = Some(vec![true; i]);
                }
                if let Some(flags) = &mut self.annotation_written {
                    flags.push(written);
                }
                entries.push((key, value));
            }
        }
    }

    /// Applies a merge key in `annotations` whose value is `node`: false when the value is not
    /// a mapping (or list of mappings) of scalars.
    pub fn merge_annotations(&mut self, tree: &Tree<'a>, node: NodeId) -> bool {
        let Some(entries) = merged_entries(tree, node) else {
            return false;
        };
        for (k, v) in entries {
            match tree.scalar(k) {
                Some(key) => {
                    let key = Cow::Owned(key.to_owned());
                    self.annotation(key, tree.field(v, true), false);
                }
                None => return false,
            }
        }
        true
    }

    /// Applies a merge key in `metadata` whose value is `node`: false when it is not a mapping.
    pub fn merge_metadata(&mut self, tree: &Tree<'a>, node: NodeId) -> bool {
        let Some(entries) = merged_entries(tree, node) else {
            return false;
        };
        for (k, v) in entries {
            match tree.scalar(k) {
                Some("name") => self.fields.name = tree.field(v, false),
                Some("namespace") => self.fields.namespace = tree.field(v, false),
                Some("uid") => self.fields.uid = tree.field(v, false),
                Some("annotations") => {
                    self.clear_annotations();
                    self.annotations_from_tree(tree, v);
                    self.annotations_merged = true;
                }
                Some("labels")
                    if self
                        .interest
                        .reads_labels(&self.fields.api_version, &self.fields.kind) =>
                {
                    self.fields.labels = Some(v)
                }
                Some("ownerReferences") if self.reads_in_full() => {
                    self.fields.owner_references = Some(v);
                }
                _ => self.fields.extra_keys = true,
            }
        }
        true
    }

    /// Applies a merge key at the top of the object whose value is `node`: false when it is not
    /// a mapping.
    pub fn merge_object(&mut self, tree: &Tree<'a>, node: NodeId) -> bool {
        let Some(entries) = merged_entries(tree, node) else {
            return false;
        };
        for (k, v) in entries {
            match tree.scalar(k) {
                Some("apiVersion") => self.fields.api_version = tree.field(v, false),
                Some("kind") => self.fields.kind = tree.field(v, false),
                Some("metadata") => self.metadata_from_tree(tree, v),
                Some("spec") => self.fields.spec = Some(v),
                _ => self.fields.extra_keys = true,
            }
        }
        true
    }

    fn metadata_from_tree(&mut self, tree: &Tree<'a>, node: NodeId) {
        if tree.is_null(node) {
            return;
        }
        if !self.merge_metadata(tree, node) {
            self.fields.metadata_not_map = true;
        }
    }

    fn annotations_from_tree(&mut self, tree: &Tree<'a>, node: NodeId) {
        if tree.is_null(node) {
            return;
        }
        if !self.merge_annotations(tree, node) {
            self.fields.annotations.not_map = true;
        }
    }

    /// The object's fields, when the interest keeps them: `keep` forces it (the root of a
    /// document, which may be a ResourceList).
    pub fn finish(mut self, keep: bool, concerns: &mut Concerns) -> Option<Box<ObjectFields<'a>>> {
        let interest = self.interest;
        let fields = &mut self.fields;
        if interest.reads_family_keys() {
            for (key, _) in &fields.annotations.entries {
                let concern = concerns.check(interest, key);
                fields.concerning |= concern.concerning;
                fields.stray |= concern.stray;
            }
        }
        let (Field::Text(api_version), Field::Text(kind)) = (&fields.api_version, &fields.kind)
        else {
            // Too odd to classify: kept, so whoever reads it can say what is wrong.
            return Some(Box::new(self.fields));
        };
        let group = group_of(api_version);
        let group_read = interest.has_group(group);
        if !fields.tops.is_empty() {
            fields
                .tops
                .retain(|(key, _)| interest.declared_top(Some(group), key).is_some());
        }
        let annotated = fields
            .annotations
            .entries
            .iter()
            .any(|(k, _)| interest.has_annotation(k))
            || fields.concerning != 0;
        let holds_file = interest.reads_files()
            && fields.annotations.entries.iter().any(|(k, v)| {
                kpt::PATH.contains(&&**k) && v.text().is_some_and(|p| interest.holds_file(p))
            });
        let kept = keep
            || group_read
            || annotated
            || holds_file
            || interest.has_exact_kind(api_version, kind)
            || fields.annotations.get(LOCAL_CONFIG).is_some();
        if !kept {
            return None;
        }
        if !group_read && !annotated {
            fields.annotations.entries.retain(|(k, _)| {
                k == LOCAL_CONFIG
                    || interest.is_kept_annotation(k)
                    || (holds_file && kpt::is_place_annotation(k))
            });
            fields.annotations.entries.shrink_to_fit();
        }
        Some(Box::new(self.fields))
    }
}

/// Which families each annotation key concerns, each distinct key worked out once: an input
/// repeats a few keys (kpt's, `app.kubernetes.io`'s) on nearly every object.
#[derive(Debug, Default)]
pub struct Concerns(HashMap<Box<str>, Concern>);

impl Concerns {
    fn check(&mut self, interest: &Interest, key: &str) -> Concern {
        if let Some(&concerns) = self.0.get(key) {
            return concerns;
        }
        let concerns = interest.concerns(key);
        self.0.insert(key.into(), concerns);
        concerns
    }
}

/// The entries a merge key's value brings: those of one mapping, or of a list of mappings
/// (the earlier ones winning, as yaml.v2 merges them).
fn merged_entries(tree: &Tree<'_>, node: NodeId) -> Option<Vec<(NodeId, NodeId)>> {
    let mut mapping = crate::yaml::tree::Mapping::default();
    mapping.merge(tree, node).then(|| mapping.into_entries())
}
