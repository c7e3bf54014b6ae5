//! What the families ask the readers to keep.

use std::borrow::Cow;

use crate::krm::object::{Annotations, Field, group_of};
use crate::suggest::Keys;

/// How much of an object's `spec` to capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    Nothing,
    /// Only these top-level fields.
    Fields(Vec<&'static str>),
    Whole,
}

impl Spec {
    fn union(&mut self, other: &Spec) {
        match (&mut *self, other) {
            (Spec::Whole, _) | (_, Spec::Nothing) => {}
            (Spec::Fields(mine), Spec::Fields(theirs)) => {
                for field in theirs {
                    if !mine.contains(field) {
                        mine.push(field);
                    }
                }
            }
            (_, other) => *self = other.clone(),
        }
    }
}

/// Which families an annotation key concerns, a bit each ([`Keys::bit`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Concern {
    /// Families that read the key, or to which it is a stray key.
    pub concerning: u8,
    /// Families to which it is a stray key (a misspelling, or unknown in their domain).
    pub stray: u8,
}

/// What the readers keep: a family declares the objects it reads, and the readers drop the
/// fields of every other object (most of an input is none of the function's business).
///
/// An object is kept when its API group is declared, when its exact apiVersion and kind are,
/// when it carries a declared annotation (or any key a family's annotation keys concern), when it is local
/// configuration, or when it is too odd to classify (no apiVersion or kind as text). Of a
/// declared group's objects, every annotation, `labels` and `ownerReferences` are kept, and the
/// `spec` as declared; of other kept objects, all annotations when one of them is declared (or
/// concerns a family), else only `LOCAL_CONFIG` and those [`Interest::keep_annotation`] names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interest {
    groups: Vec<(&'static str, Spec)>,
    kinds: Vec<(&'static str, &'static str)>,
    annotations: Vec<&'static str>,
    /// Objects carrying an annotation whose spec is read (as far as the spec says).
    annotated_specs: Vec<(&'static str, Spec)>,
    files: Vec<&'static str>,
    /// The annotation keys of the families, to keep objects carrying one they read or a stray
    /// one.
    keys: Vec<Keys>,
    /// Annotations kept on every object kept for another reason.
    kept_annotations: Vec<&'static str>,
    /// Top-level keys besides the four every object has, by API group, captured whole.
    tops: Vec<(&'static str, &'static str)>,
}

impl Interest {
    /// Objects of an API group, with as much of their spec as `spec` says.
    pub fn group(mut self, group: &'static str, spec: Spec) -> Self {
        match self.groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, mine)) => mine.union(&spec),
            None => self.groups.push((group, spec)),
        }
        self
    }

    /// Objects of one apiVersion and kind (their metadata, labels included).
    pub fn kind(mut self, api_version: &'static str, kind: &'static str) -> Self {
        if !self.kinds.contains(&(api_version, kind)) {
            self.kinds.push((api_version, kind));
        }
        self
    }

    /// Any object carrying this annotation.
    pub fn annotation(mut self, key: &'static str) -> Self {
        if !self.annotations.contains(&key) {
            self.annotations.push(key);
        }
        self
    }

    /// Of any object carrying the annotation `key` (when its metadata comes before its spec, as
    /// every tool writes it), the spec as far as `spec` says: without the annotation, nothing of
    /// the spec is kept, however many such objects the input holds.
    pub fn annotated_spec(mut self, key: &'static str, spec: Spec) -> Self {
        match self.annotated_specs.iter_mut().find(|(k, _)| *k == key) {
            Some((_, mine)) => mine.union(&spec),
            None => self.annotated_specs.push((key, spec)),
        }
        self
    }

    /// Any object living in a kpt file whose name starts with `prefix` (where new files would
    /// go): kept with its place annotations, so that a new file never lands where an input item
    /// is.
    pub fn file_prefix(mut self, prefix: &'static str) -> Self {
        if !self.files.contains(&prefix) {
            self.files.push(prefix);
        }
        self
    }

    /// The top-level `key` of the objects of `group` (kinds without a `spec`, such as a
    /// Kustomization), captured whole.
    pub fn top_field(mut self, group: &'static str, key: &'static str) -> Self {
        if !self.tops.contains(&(group, key)) {
            self.tops.push((group, key));
        }
        self
    }

    /// The annotation `key` of every object kept for another reason (declared by kind, say),
    /// which alone keeps no object.
    pub fn keep_annotation(mut self, key: &'static str) -> Self {
        if !self.kept_annotations.contains(&key) {
            self.kept_annotations.push(key);
        }
        self
    }

    /// Any object carrying an annotation `keys` concern (one the family reads, a misspelling of
    /// one, another key in its domain), with all its annotations: whether it still asks for a
    /// backup, or says so with a mistake, is the family's to tell.
    pub fn family_annotations(mut self, keys: Keys) -> Self {
        debug_assert!(
            keys.bit.count_ones() == 1 && self.keys.iter().all(|k| k == &keys || k.bit != keys.bit),
            "each family's keys have a bit of their own"
        );
        if !self.keys.contains(&keys) {
            self.keys.push(keys);
        }
        self
    }

    /// Whether objects carrying keys `keys` concern are kept.
    pub fn has_family_keys(&self, keys: &Keys) -> bool {
        self.keys.contains(keys)
    }

    /// The bits ([`Keys::bit`]) of the families `key` concerns, and of those to which it is a
    /// stray key.
    pub(super) fn concerns(&self, key: &str) -> Concern {
        let mut concern = Concern::default();
        for keys in &self.keys {
            if keys.reads(key) {
                concern.concerning |= keys.bit;
            } else if keys.stray(key).is_some() {
                concern.concerning |= keys.bit;
                concern.stray |= keys.bit;
            }
        }
        concern
    }

    /// Whether an item at `path` lives in a file a family may write to.
    pub(super) fn holds_file(&self, path: &str) -> bool {
        let name = path.rsplit_once('/').map_or(path, |(_, name)| name);
        self.files.iter().any(|prefix| name.starts_with(prefix))
    }

    /// What either interest asks for.
    pub fn union(mut self, other: &Interest) -> Self {
        for (group, spec) in &other.groups {
            self = self.group(group, spec.clone());
        }
        for (api_version, kind) in &other.kinds {
            self = self.kind(api_version, kind);
        }
        for key in &other.annotations {
            self = self.annotation(key);
        }
        for prefix in &other.files {
            self = self.file_prefix(prefix);
        }
        for (key, spec) in &other.annotated_specs {
            self = self.annotated_spec(key, spec.clone());
        }
        for keys in &other.keys {
            self = self.family_annotations(*keys);
        }
        for key in &other.kept_annotations {
            self = self.keep_annotation(key);
        }
        for (group, key) in &other.tops {
            self = self.top_field(group, key);
        }
        self
    }

    /// Whether objects of `group` are declared.
    pub fn has_group(&self, group: &str) -> bool {
        self.groups.iter().any(|(g, _)| *g == group)
    }

    /// Whether objects of `api_version` and `kind` are kept (by their group or by their kind).
    pub fn has_kind(&self, api_version: &str, kind: &str) -> bool {
        let group = group_of(api_version);
        self.has_group(group) || self.has_exact_kind(api_version, kind)
    }

    /// Whether objects carrying the annotation `key` are kept.
    pub fn has_annotation(&self, key: &str) -> bool {
        self.annotations.contains(&key)
    }

    /// The spec to capture for an object of `api_version` carrying `annotations` (those read
    /// so far): the whole spec while the apiVersion is unknown (it may come after the spec, or
    /// be odd).
    pub(super) fn spec(
        &self,
        api_version: &Field<'_>,
        annotations: &Annotations<'_>,
    ) -> Cow<'_, Spec> {
        let mut spec = self.group_spec(api_version);
        for (key, wanted) in &self.annotated_specs {
            if *spec != Spec::Whole && annotations.get(key).is_some() {
                spec.to_mut().union(wanted);
            }
        }
        spec
    }

    fn group_spec(&self, api_version: &Field<'_>) -> Cow<'_, Spec> {
        let Field::Text(api_version) = api_version else {
            return Cow::Owned(Spec::Whole);
        };
        let group = group_of(api_version);
        match self.groups.iter().find(|(g, _)| *g == group) {
            Some((_, spec)) => Cow::Borrowed(spec),
            None => Cow::Owned(Spec::Nothing),
        }
    }

    /// The declared top-level key `key` of the objects of `group`, or of any group while the
    /// object's group is not known (`None`).
    pub(super) fn declared_top(&self, group: Option<&str>, key: &str) -> Option<&'static str> {
        self.tops
            .iter()
            .find(|(g, k)| *k == key && group.is_none_or(|group| group == *g))
            .map(|(_, k)| *k)
    }

    /// Whether objects of exactly `api_version` and `kind` are declared (not by their group).
    pub(super) fn has_exact_kind(&self, api_version: &str, kind: &str) -> bool {
        self.kinds.contains(&(api_version, kind))
    }

    /// Whether any family has annotation keys: when none does, no key is checked.
    pub(super) fn reads_family_keys(&self) -> bool {
        !self.keys.is_empty()
    }

    /// Whether any family writes files: when none does, no object's place is looked at.
    pub(super) fn reads_files(&self) -> bool {
        !self.files.is_empty()
    }

    /// Whether the annotation `key` is kept on every kept object.
    pub(super) fn is_kept_annotation(&self, key: &str) -> bool {
        self.kept_annotations.contains(&key)
    }

    /// Whether an object of `api_version` is read in full (annotations, labels, owners).
    pub(super) fn reads_group(&self, api_version: &Field<'_>) -> bool {
        match api_version {
            Field::Text(a) => self.has_group(group_of(a)),
            _ => true,
        }
    }

    /// Whether the labels of an object of `api_version` and `kind` are read.
    pub(super) fn reads_labels(&self, api_version: &Field<'_>, kind: &Field<'_>) -> bool {
        self.reads_group(api_version)
            || matches!((api_version, kind), (Field::Text(a), Field::Text(k))
                if self.has_exact_kind(a, k))
    }
}
