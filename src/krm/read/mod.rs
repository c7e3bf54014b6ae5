//! Turning an input document into items and [`Object`]s, keeping what an [`Interest`] asks for.
//!
//! Two readers produce the same [`Read`]: [`yaml`] walks the YAML parser's events, and [`json`]
//! takes a faster road for plain JSON. Both hand every key they meet to one [`ObjectBuilder`],
//! so the rules for duplicate keys, nulls, merge keys and what to keep exist once.

pub mod json;
pub mod yaml;

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use super::kpt::{self, LOCAL_CONFIG};
use super::object::{Annotations, Field, Object, ObjectFields};
use crate::suggest::Keys;
use crate::yaml::tree::{NodeId, Tree};

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

/// What the readers keep: a family declares the objects it reads, and the readers drop the
/// fields of every other object (most of an input is none of the function's business).
///
/// An object is kept when its API group is declared, when its exact apiVersion and kind are,
/// when it carries a declared annotation (or a misspelling of a family's key), when it is local
/// configuration, or when it is too odd to classify (no apiVersion or kind as text). Of a
/// declared group's objects, every annotation, `labels` and `ownerReferences` are kept, and the
/// `spec` as declared; of other kept objects, all annotations when one of them is declared (or
/// misspelt), else only `LOCAL_CONFIG` and those [`Interest::keep_annotation`] names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interest {
    groups: Vec<(&'static str, Spec)>,
    kinds: Vec<(&'static str, &'static str)>,
    annotations: Vec<&'static str>,
    /// Objects carrying an annotation whose spec is read (as far as the spec says).
    annotated_specs: Vec<(&'static str, Spec)>,
    files: Vec<&'static str>,
    /// The annotation keys the families read, to keep objects carrying a misspelling of one.
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

    /// Any object carrying an annotation whose key is a misspelling of one of `keys` (for the
    /// family to say so: the key does nothing).
    pub fn misspelt_annotations(mut self, keys: Keys) -> Self {
        if !self.keys.contains(&keys) {
            self.keys.push(keys);
        }
        self
    }

    /// Whether objects carrying misspellings of `keys` are kept.
    pub fn has_misspelt(&self, keys: &Keys) -> bool {
        self.keys.contains(keys)
    }

    /// Whether `key` is a misspelling of a key some family reads.
    fn misspelt(&self, key: &str) -> bool {
        self.keys.iter().any(|keys| keys.is_misspelt(key))
    }

    /// Whether an item at `path` lives in a file a family may write to.
    fn holds_file(&self, path: &str) -> bool {
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
            self = self.misspelt_annotations(*keys);
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
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        self.has_group(group) || self.kinds.contains(&(api_version, kind))
    }

    /// Whether objects carrying the annotation `key` are kept.
    pub fn has_annotation(&self, key: &str) -> bool {
        self.annotations.contains(&key)
    }

    /// The spec to capture for an object of `api_version`: the whole spec while the
    /// apiVersion is unknown (it may come after the spec, or be odd).
    fn spec(&self, api_version: &Field<'_>) -> Cow<'_, Spec> {
        let Field::Text(api_version) = api_version else {
            return Cow::Owned(Spec::Whole);
        };
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        match self.groups.iter().find(|(g, _)| *g == group) {
            Some((_, spec)) => Cow::Borrowed(spec),
            None => Cow::Owned(Spec::Nothing),
        }
    }

    /// Whether an object of `api_version` is read in full (annotations, labels, owners).
    fn reads_group(&self, api_version: &Field<'_>) -> bool {
        match api_version {
            Field::Text(a) => self.has_group(a.rsplit_once('/').map_or("", |(g, _)| g)),
            _ => true,
        }
    }

    /// Whether the labels of an object of `api_version` and `kind` are read.
    fn reads_labels(&self, api_version: &Field<'_>, kind: &Field<'_>) -> bool {
        self.reads_group(api_version)
            || matches!((api_version, kind), (Field::Text(a), Field::Text(k))
                if self.kinds.contains(&(&**a, &**k)))
    }
}

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
            Field::Text(a) => Some(a.rsplit_once('/').map_or("", |(g, _)| g)),
            // Not known yet (it may come later): captured, and dropped by `finish` if the
            // group turns out not to declare it.
            _ => None,
        };
        self.interest
            .tops
            .iter()
            .find(|(g, k)| *k == key && group.is_none_or(|group| group == *g))
            .map(|(_, k)| *k)
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
        let mut spec = self.interest.spec(&self.fields.api_version);
        for (key, wanted) in &self.interest.annotated_specs {
            if *spec != Spec::Whole && self.fields.annotations.get(key).is_some() {
                spec.to_mut().union(wanted);
            }
        }
        spec
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
    pub fn finish(
        mut self,
        keep: bool,
        misspellings: &mut Misspellings,
    ) -> Option<Box<ObjectFields<'a>>> {
        let interest = self.interest;
        let fields = &mut self.fields;
        fields.misspelt = !interest.keys.is_empty()
            && fields
                .annotations
                .entries
                .iter()
                .any(|(k, _)| misspellings.check(interest, k));
        let (Field::Text(api_version), Field::Text(kind)) = (&fields.api_version, &fields.kind)
        else {
            // Too odd to classify: kept, so whoever reads it can say what is wrong.
            return Some(Box::new(self.fields));
        };
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let group_read = interest.has_group(group);
        if !fields.tops.is_empty() {
            fields
                .tops
                .retain(|(key, _)| interest.tops.contains(&(group, *key)));
        }
        let annotated = fields
            .annotations
            .entries
            .iter()
            .any(|(k, _)| interest.has_annotation(k))
            || fields.misspelt;
        let holds_file = !interest.files.is_empty()
            && fields.annotations.entries.iter().any(|(k, v)| {
                kpt::PATH.contains(&&**k) && v.text().is_some_and(|p| interest.holds_file(p))
            });
        let kept = keep
            || group_read
            || annotated
            || holds_file
            || interest.kinds.contains(&(&**api_version, &**kind))
            || fields.annotations.get(LOCAL_CONFIG).is_some();
        if !kept {
            return None;
        }
        if !group_read && !annotated {
            fields.annotations.entries.retain(|(k, _)| {
                k == LOCAL_CONFIG
                    || interest.kept_annotations.contains(&&**k)
                    || (holds_file && kpt::is_place_annotation(k))
            });
            fields.annotations.entries.shrink_to_fit();
        }
        Some(Box::new(self.fields))
    }
}

/// Which annotation keys misspell a family's, each distinct key worked out once: an input
/// repeats a few keys (kpt's, `app.kubernetes.io`'s) on nearly every object.
#[derive(Debug, Default)]
pub struct Misspellings(HashMap<Box<str>, bool>);

impl Misspellings {
    fn check(&mut self, interest: &Interest, key: &str) -> bool {
        if let Some(&misspelt) = self.0.get(key) {
            return misspelt;
        }
        let misspelt = interest.misspelt(key);
        self.0.insert(key.into(), misspelt);
        misspelt
    }
}

/// The entries a merge key's value brings: those of one mapping, or of a list of mappings
/// (the earlier ones winning, as yaml.v2 merges them).
fn merged_entries(tree: &Tree<'_>, node: NodeId) -> Option<Vec<(NodeId, NodeId)>> {
    let mut mapping = crate::yaml::tree::Mapping::default();
    mapping.merge(tree, node).then(|| mapping.into_entries())
}

/// The root mapping of a document, with the ResourceList parts it may have.
#[derive(Debug, Default)]
pub struct Root<'a> {
    pub object: Object<'a>,
    pub flow: bool,
    pub items: Option<ItemsValue<'a>>,
    pub function_config: Option<NodeId>,
    /// From the `results` key to the end of its value.
    pub results: Option<Range<usize>>,
    /// End of the last entry's content, before a flow mapping's `}`.
    pub last_entry_end: usize,
    /// Where the mapping's own content starts, after any tag or anchor on a line of their own:
    /// its column is the column of the keys.
    pub content_start: usize,
}

#[derive(Debug)]
pub enum ItemsValue<'a> {
    Seq(Items<'a>),
    Null,
    Other,
}

/// The `items` sequence of a ResourceList.
#[derive(Debug, Default)]
pub struct Items<'a> {
    /// End of the `items` key: where the search for the first item's `-` starts.
    pub key_end: usize,
    pub flow: bool,
    /// For a flow sequence, the `[` and the `]`.
    pub open: usize,
    pub close: usize,
    pub objects: Vec<Object<'a>>,
}

#[derive(Debug)]
pub enum DocumentRoot<'a> {
    Mapping(Box<Root<'a>>),
    /// A document holding only comments, or an explicit null.
    Empty,
    /// A scalar or a sequence at the top of a document.
    Other,
}

#[derive(Debug)]
pub struct Document<'a> {
    /// The `---` marker, when the document has one.
    pub marker: Option<Range<usize>>,
    pub start: usize,
    pub end: usize,
    pub root: DocumentRoot<'a>,
}

/// What a reader found in an input: its documents, and the values it captured.
#[derive(Debug, Default)]
pub struct Read<'a> {
    pub tree: Tree<'a>,
    pub documents: Vec<Document<'a>>,
}

impl Read<'_> {
    /// The first document that is not empty.
    pub fn first(&self) -> Option<&Document<'_>> {
        self.documents
            .iter()
            .find(|d| !matches!(d.root, DocumentRoot::Empty))
    }
}
