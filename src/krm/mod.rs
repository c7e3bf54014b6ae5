//! The Kubernetes Resource Model: objects and where they lie in the input, the two framings
//! (a `ResourceList`, a stream of documents), kpt's annotations, kustomize's Kustomizations,
//! and results.
//!
//! This layer knows Kubernetes, kpt and kustomize, not Stash: nothing here names an API family's group or
//! annotation. It may use itself and the YAML layer.

pub mod changes;
pub mod kpt;
pub mod kustomize;
pub mod object;
pub mod read;
pub mod resource_list;
pub mod results;
pub mod stream;

use std::fmt;

use object::{ItemIndex, Object};

/// An item that is not a mapping (a scalar, a list): every item must be an object.
#[derive(Debug)]
pub struct NotAMapping {
    /// The item, as the framing names it (`items[3]`, `document 4`).
    pub item: String,
}

impl fmt::Display for NotAMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not a mapping: every item must be a Kubernetes object",
            self.item
        )
    }
}

/// The items that are not mappings. `describe` names an item as the framing does.
pub fn not_objects(
    objects: &[Object<'_>],
    describe: fn(ItemIndex) -> String,
) -> impl Iterator<Item = NotAMapping> {
    objects
        .iter()
        .enumerate()
        .filter(|(_, o)| !o.is_mapping && !o.is_alias)
        .map(move |(i, _)| NotAMapping { item: describe(i) })
}
