//! What one input item is, as data: where it lies in the input, and the fields read from it.

use std::borrow::Cow;

use crate::yaml::tree::NodeId;

pub use crate::yaml::Field;

/// The position of an item among the input's objects (a ResourceList's `items`, a stream's
/// documents).
pub type ItemIndex = usize;

/// `metadata.annotations` of an object.
#[derive(Debug, Clone, Default)]
pub struct Annotations<'a> {
    /// `annotations` is there but is not a mapping.
    pub not_map: bool,
    pub entries: Vec<(Cow<'a, str>, Field<'a>)>,
}

impl Annotations<'_> {
    pub fn get(&self, key: &str) -> Option<&Field<'_>> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The text of an annotation that is there and not null.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Field::text)
    }
}

/// One object of the input: an item of a ResourceList or a document of a stream.
///
/// An input may hold tens of thousands of objects, and most are none of the function's
/// business (Services, ConfigMaps): for those only the position is kept, and [`Object::fields`]
/// is `None`. What the readers keep is what the families declared an interest in
/// (`krm::read::Interest`).
#[derive(Debug, Default)]
pub struct Object<'a> {
    /// First byte of the node, its tag and anchor included.
    pub start: usize,
    /// End of its last content byte (a block scalar's span may also cover the blanks after it).
    pub end: usize,
    pub is_mapping: bool,
    /// The item is an alias of another node: it passes through and is not read.
    pub is_alias: bool,
    pub fields: Option<Box<ObjectFields<'a>>>,
}

impl<'a> Object<'a> {
    /// The fields read from the object; `None` when it was not kept.
    pub fn fields(&self) -> Option<&ObjectFields<'a>> {
        self.fields.as_deref()
    }

    /// The text of an annotation of a kept object.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.fields()?.annotations.text(key)
    }
}

/// The fields of an object the function reads.
#[derive(Debug, Default)]
pub struct ObjectFields<'a> {
    pub api_version: Field<'a>,
    pub kind: Field<'a>,
    pub name: Field<'a>,
    pub namespace: Field<'a>,
    pub uid: Field<'a>,
    /// `metadata` is there but is not a mapping.
    pub metadata_not_map: bool,
    pub annotations: Annotations<'a>,
    pub owner_references: Option<NodeId>,
    pub labels: Option<NodeId>,
    /// The captured `spec`, as much of it as an interest asks for.
    pub spec: Option<NodeId>,
    /// Other top-level keys an interest asks for (`krm::read::Interest::top_field`), captured.
    pub tops: Vec<(&'static str, NodeId)>,
    /// Keys besides `apiVersion`, `kind`, `metadata` (`name`, `namespace`, `uid`, `annotations`,
    /// `labels`, `ownerReferences`) and `spec`: an earlier generated object with any of them has
    /// been edited since it was written.
    pub extra_keys: bool,
    /// The families an annotation key concerns, a bit each ([`crate::suggest::Keys::bit`]): a
    /// key one reads, or a stray one (the family says which).
    pub concerning: u8,
    /// The families to which an annotation key is a stray one, a bit each: only their objects
    /// are searched for it again, to say which.
    pub stray: u8,
    /// The first key that appears twice where the function reads (e.g. `metadata.name`).
    pub duplicate_key: Option<Box<str>>,
    /// The file it came from, in stream mode (in a ResourceList, kpt's annotations say it).
    pub file: Option<Box<FileRef>>,
}

impl ObjectFields<'_> {
    /// The captured top-level key `key`.
    pub fn top(&self, key: &str) -> Option<NodeId> {
        self.tops.iter().find(|(k, _)| *k == key).map(|(_, n)| *n)
    }

    /// The API group of `apiVersion` (empty for the core group, `v1`).
    pub fn group(&self) -> Option<&str> {
        self.api_version.text().map(group_of)
    }

    /// The version part of `apiVersion`.
    pub fn version(&self) -> Option<&str> {
        self.api_version.text().map(version_of)
    }
}

/// The API group of an apiVersion: what comes before its last `/`. The core group's
/// apiVersion is the bare version, so `v1` gives `""`, the name Kubernetes gives that group.
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// The version of an apiVersion: what comes after its last `/`, or all of it for the core
/// group (`v1` gives `v1`).
pub fn version_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or(api_version, |(_, v)| v)
}

/// Where an object came from: a file, and its position among the file's objects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FileRef {
    /// The file's path, as kpt or the command line names it.
    pub path: String,
    /// The object's position among the file's objects, when known.
    pub index: Option<i64>,
}

/// The identity of an object the function may generate: API group, kind, namespace, name. The
/// group and kind are those a family declared it generates, so they are never copied.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    pub group: &'static str,
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    /// The key of an input object of the kind `generated`, in the namespace it will be applied
    /// in: its own, else `default` (where `kubectl apply -n` or ArgoCD puts an object without
    /// one), so that it meets the objects generated for that namespace.
    pub fn of(generated: GroupKind, fields: &ObjectFields<'_>, default: Option<&str>) -> Self {
        let own = fields.namespace.text().filter(|n| !n.is_empty());
        ObjectKey {
            group: generated.group,
            kind: generated.kind,
            namespace: own.or(default).unwrap_or_default().to_owned(),
            name: fields.name.text().unwrap_or_default().to_owned(),
        }
    }
}

/// An API group and a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupKind {
    pub group: &'static str,
    pub kind: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_version_splits_at_its_last_slash() {
        for (api_version, group, version) in [
            ("v1", "", "v1"),
            ("apps/v1", "apps", "v1"),
            ("networking.k8s.io/v1", "networking.k8s.io", "v1"),
            ("", "", ""),
            ("/v1", "", "v1"),
            ("apps/", "apps", ""),
            ("a/b/v1", "a/b", "v1"),
        ] {
            assert_eq!(group_of(api_version), group, "group of {api_version:?}");
            assert_eq!(
                version_of(api_version),
                version,
                "version of {api_version:?}"
            );
        }
    }
}
