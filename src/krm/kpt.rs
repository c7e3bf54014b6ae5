//! kpt's (and kustomize's) annotations: where an object lives in a package, and what is only
//! configuration for the tools.

use std::collections::HashMap;

use super::object::{FileRef, Object};

/// Marked `config.kubernetes.io/local-config: "true"`: read by functions, never applied.
pub const LOCAL_CONFIG: &str = "config.kubernetes.io/local-config";

const PATH: [&str; 2] = [
    "internal.config.kubernetes.io/path",
    "config.kubernetes.io/path",
];
const INDEX: [&str; 2] = [
    "internal.config.kubernetes.io/index",
    "config.kubernetes.io/index",
];

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

/// kpt's current and legacy path and index annotations for a new object in `path`.
pub fn new_file_annotations(path: &str, index: usize) -> Vec<(String, String)> {
    PATH.iter()
        .zip(INDEX)
        .flat_map(|(path_key, index_key)| {
            [
                ((*path_key).to_owned(), path.to_owned()),
                (index_key.to_owned(), index.to_string()),
            ]
        })
        .collect()
}

/// Files for new objects, each beside the item it was generated for.
#[derive(Debug, Default)]
pub struct NewFiles {
    /// Each file handed out, and the (namespace, name) of the objects it holds.
    used: HashMap<String, (String, String)>,
}

impl NewFiles {
    /// The file for the objects named `namespace/name`, generated for an item in `beside`:
    /// `<prefix><name>.yaml` in its folder, qualified by the namespace when objects of another
    /// namespace already took that file.
    pub fn path(&mut self, beside: &FileRef, prefix: &str, namespace: &str, name: &str) -> String {
        let dir = match beside.path.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/"),
            None => String::new(),
        };
        let owner = (namespace.to_owned(), name.to_owned());
        let mut path = format!("{dir}{prefix}{name}.yaml");
        if self.used.get(&path).is_some_and(|o| *o != owner) {
            path = format!("{dir}{prefix}{namespace}-{name}.yaml");
        }
        self.used.insert(path.clone(), owner);
        path
    }
}
