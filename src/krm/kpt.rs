//! kpt's (and kustomize's) annotations: where an object lives in a package, and what is only
//! configuration for the tools.

use super::object::{FileRef, Object};

/// Marked `config.kubernetes.io/local-config: "true"`: read by functions, never applied.
pub const LOCAL_CONFIG: &str = "config.kubernetes.io/local-config";

/// kpt's current and legacy path and index annotations.
pub const PATH: [&str; 2] = [
    "internal.config.kubernetes.io/path",
    "config.kubernetes.io/path",
];
pub const INDEX: [&str; 2] = [
    "internal.config.kubernetes.io/index",
    "config.kubernetes.io/index",
];
/// The package an item belongs to in `kpt fn render` of a package with subpackages (an absolute
/// folder; its path annotation is relative to it). `kpt fn eval` gives paths from the root and no
/// package.
pub const PACKAGE_PATH: &str = "internal.config.kubernetes.io/package-path";

/// kustomize's mark, in what a transformer sees, on an object of a `secretGenerator` or
/// `configMapGenerator` whose name gets a hash suffix after the transformers have run.
pub const NEEDS_HASH_SUFFIX: &str = "internal.config.kubernetes.io/needsHashSuffix";

/// Whether kustomize renames the object after this function (see [`NEEDS_HASH_SUFFIX`]).
pub fn needs_hash_suffix(object: &Object<'_>) -> bool {
    object.annotation(NEEDS_HASH_SUFFIX) == Some("enabled")
}

/// Whether `key` is one of the annotations that say where an item lives.
pub fn is_place_annotation(key: &str) -> bool {
    PATH.contains(&key) || INDEX.contains(&key) || key == PACKAGE_PATH
}

/// An object marked local configuration.
pub fn is_local_config(object: &Object<'_>) -> bool {
    object.annotation(LOCAL_CONFIG) == Some("true")
}

/// Where the object came from: the file a stream read it from, else kpt's current path and
/// index annotations, or the legacy ones older tools write.
pub fn file_of(object: &Object<'_>) -> Option<FileRef> {
    let fields = object.fields()?;
    if let Some(file) = &fields.file {
        return Some(FileRef::clone(file));
    }
    let get = |keys: [&str; 2]| {
        keys.iter()
            .find_map(|k| fields.annotations.text(k))
            .map(str::to_owned)
    };
    let path = get(PATH)?;
    let index = get(INDEX).and_then(|i| i.parse().ok());
    Some(FileRef { path, index })
}

/// Annotations kpt uses to track where an object lives; an object that replaces an earlier one
/// keeps them, so it lands in the same file.
pub fn is_tracking_annotation(key: &str) -> bool {
    // Kubernetes' own limit for an annotation key (a 253-character prefix, a 63-character name);
    // a longer one could not be written back as a key YAML readers accept.
    (key.len() <= 317 && key.starts_with("internal.config.kubernetes.io/"))
        || matches!(
            key,
            "config.kubernetes.io/path" | "config.kubernetes.io/index" | "config.k8s.io/id"
        )
}

/// The tracking annotations of an earlier object, in its order.
pub fn tracking_annotations(object: &Object<'_>) -> Vec<(String, String)> {
    let Some(fields) = object.fields() else {
        return Vec::new();
    };
    fields
        .annotations
        .entries
        .iter()
        .filter(|(k, _)| is_tracking_annotation(k))
        .filter_map(|(k, v)| Some((k.to_string(), v.text()?.to_owned())))
        .collect()
}

/// Where an item lives in a kpt package: its package (render of subpackages), file and index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub package: Option<String>,
    pub path: String,
    pub index: Option<i64>,
}

impl Place {
    /// The place of an input object, from its annotations.
    pub fn of(object: &Object<'_>) -> Option<Place> {
        let fields = object.fields()?;
        let get = |keys: &[&str]| keys.iter().find_map(|k| fields.annotations.text(k));
        Some(Place {
            package: fields.annotations.text(PACKAGE_PATH).map(str::to_owned),
            path: get(&PATH)?.to_owned(),
            index: get(&INDEX).and_then(|i| i.parse().ok()),
        })
    }

    /// Whether two places name one file.
    fn same_file(&self, package: Option<&str>, path: &str) -> bool {
        self.package.as_deref() == package && self.path == path
    }
}

/// kpt's path and index annotations (and the package's, when there is one) for a new object at
/// `index` of `path`.
pub fn new_file_annotations(
    package: Option<&str>,
    path: &str,
    index: i64,
) -> Vec<(String, String)> {
    let mut annotations = vec![
        (PATH[0].to_owned(), path.to_owned()),
        (INDEX[0].to_owned(), index.to_string()),
    ];
    if let Some(package) = package {
        annotations.push((PACKAGE_PATH.to_owned(), package.to_owned()));
    }
    annotations.push((PATH[1].to_owned(), path.to_owned()));
    annotations.push((INDEX[1].to_owned(), index.to_string()));
    annotations
}

/// Who the objects of a new file are: their namespace and name. An item of the input may share
/// a file with new objects only when it is earlier output of the same owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub namespace: String,
    pub name: String,
}

/// An item of the input that holds a file, and whether it is earlier output of `owner`.
#[derive(Debug, Clone)]
pub struct Holder {
    pub place: Place,
    pub owner: Option<Owner>,
}

/// Files for new objects, each beside the item it was generated for, never at a place an input
/// item holds (kpt refuses a package where two items share a path and index, on every later run
/// until someone fixes it by hand).
#[derive(Debug, Default)]
pub struct NewFiles {
    /// The input's items that hold a file new objects may want.
    holders: Vec<Holder>,
    /// Each file handed out in this run, and the owner of its objects.
    used: Vec<(Option<String>, String, Owner)>,
}

impl NewFiles {
    pub fn new(holders: Vec<Holder>) -> Self {
        NewFiles {
            holders,
            used: Vec::new(),
        }
    }

    /// The file for the objects of `owner`, generated for an item at `beside`: in its package
    /// and folder, `<prefix><name>.yaml`, else `<prefix><namespace>-<name>.yaml`, else that with
    /// `-2`, `-3`, … : the first that no input item of another owner holds and that this run has
    /// not given to another owner. The choice depends only on the input, so it is the same on
    /// every run.
    pub fn path(&mut self, beside: &Place, prefix: &str, owner: &Owner) -> Option<String> {
        let dir = match beside.path.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/"),
            None => String::new(),
        };
        let package = beside.package.as_deref();
        let (namespace, name) = (&owner.namespace, &owner.name);
        let candidates = [
            format!("{dir}{prefix}{name}.yaml"),
            format!("{dir}{prefix}{namespace}-{name}.yaml"),
        ]
        .into_iter()
        .chain((2..1000).map(|n| format!("{dir}{prefix}{namespace}-{name}-{n}.yaml")));
        for path in candidates {
            let held_by_another = self
                .holders
                .iter()
                .any(|h| h.place.same_file(package, &path) && h.owner.as_ref() != Some(owner));
            let given_to_another = self
                .used
                .iter()
                .any(|(p, f, o)| p.as_deref() == package && *f == path && o != owner);
            if !held_by_another && !given_to_another {
                self.used
                    .push((package.map(str::to_owned), path.clone(), owner.clone()));
                return Some(path);
            }
        }
        None
    }

    /// The index in `path` for a new object that would be at `wanted`: that one, unless an input
    /// item (earlier output of the same owner) holds it; then the first free one after them all.
    pub fn index(&self, package: Option<&str>, path: &str, wanted: i64) -> i64 {
        let taken: Vec<i64> = self
            .holders
            .iter()
            .filter(|h| h.place.same_file(package, path))
            .filter_map(|h| h.place.index)
            .collect();
        if !taken.contains(&wanted) {
            return wanted;
        }
        taken.iter().max().map_or(wanted, |max| max + 1 + wanted)
    }
}
