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

use object::{ItemIndex, Object};
use results::{KrmResult, Severity};

/// An error for each item that is not a mapping (a scalar, a list): every item must be an
/// object. `describe` names an item as the framing does (`items[3]`, `document 4`).
pub fn not_objects(objects: &[Object<'_>], describe: fn(ItemIndex) -> String) -> Vec<KrmResult> {
    objects
        .iter()
        .enumerate()
        .filter(|(_, o)| !o.is_mapping && !o.is_alias)
        .map(|(i, _)| {
            KrmResult::new(
                Severity::Error,
                format!(
                    "{} is not a mapping: every item must be a Kubernetes object",
                    describe(i)
                ),
            )
        })
        .collect()
}
