//! The contract between the engine and an API family: what a family reads, what it generates,
//! and how it hands its objects and findings to reconciliation.

use super::config::Config;
pub use super::finding::FamilyId;
use super::reconcile::Proposals;
pub use super::reconcile::{Doubt, EarlierTarget};
use super::schema::Schemas;
use crate::krm::object::{GroupKind, ItemIndex, Object, ObjectFields};
use crate::krm::read::Interest;
use crate::suggest::Keys;
use crate::yaml::tree::Tree;

/// One API family (a folder under `families/`): its blueprints and target annotations, the objects it
/// generates from them.
pub trait Family: Sync {
    /// The family's name, as the explain preview shows it.
    fn name(&self) -> &'static str;

    /// What the readers must keep for this family. The kinds it generates are kept in full
    /// without being declared here.
    fn interest(&self) -> Interest;

    /// The kinds it generates: earlier output of these kinds that carries the marker is this
    /// family's to keep, update or prune.
    fn generated(&self) -> &'static [GroupKind];

    /// What to do when two targets would generate one object (appended to the error).
    fn collision_hint(&self) -> &'static str;

    /// Reads its blueprints and targets from `input`, proposes the objects they yield and
    /// reports what is wrong, through `out`.
    fn propose(&self, input: &Input<'_, '_>, config: &Config, out: &mut Proposals<'_, '_>);

    /// The target an earlier generated object at `index` was made for, when the object says,
    /// and what stands for it in the input now (objects without a namespace are where `default`
    /// applies them).
    fn earlier_target(
        &self,
        input: &Input<'_, '_>,
        index: ItemIndex,
        default: Option<&str>,
    ) -> Option<EarlierTarget>;

    /// The schemas of its CRDs: the objects it generates, and its blueprints.
    fn schemas(&self) -> &'static Schemas;

    /// The kinds whose earlier output stays when nothing asks for it any more (a Repository
    /// holds the backups: deleting it may delete them), marked retained instead of pruned.
    fn retained(&self) -> &'static [GroupKind] {
        &[]
    }
}

/// Which objects a family asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    /// Every object of an API group.
    Group(&'static str),
    /// Objects of one apiVersion and kind.
    Kind(&'static str, &'static str),
    /// Objects carrying an annotation.
    Annotated(&'static str),
    /// Objects carrying an annotation these keys concern (one the family reads, or a stray one).
    Concerning(Keys),
}

impl Select {
    fn matches(self, fields: &ObjectFields<'_>) -> bool {
        match self {
            Select::Group(group) => fields.group() == Some(group),
            Select::Kind(api_version, kind) => {
                fields.api_version.text() == Some(api_version) && fields.kind.text() == Some(kind)
            }
            Select::Annotated(key) => fields.annotations.get(key).is_some(),
            Select::Concerning(keys) => fields.concerning & keys.bit != 0,
        }
    }
}

/// The input as one family sees it: the objects it declared an interest in.
pub struct Input<'i, 'a> {
    pub tree: &'i Tree<'a>,
    objects: &'i [Object<'a>],
    interest: Interest,
}

impl<'i, 'a> Input<'i, 'a> {
    pub fn new(tree: &'i Tree<'a>, objects: &'i [Object<'a>], interest: Interest) -> Self {
        Input {
            tree,
            objects,
            interest,
        }
    }

    /// The input object at `index` (one [`Input::select`] gave).
    pub fn object(&self, index: ItemIndex) -> &'i Object<'a> {
        &self.objects[index]
    }

    /// The objects matching any of `what`, in input order.
    ///
    /// Asking for what the family did not declare in [`Family::interest`] is a bug that would
    /// silently find nothing in a real run (the readers dropped those objects): debug builds,
    /// and so the tests, stop on it.
    pub fn select(
        &self,
        what: &[Select],
    ) -> impl Iterator<Item = (ItemIndex, &'i ObjectFields<'a>)> + use<'i, 'a> {
        for selector in what {
            let declared = match *selector {
                Select::Group(group) => self.interest.has_group(group),
                Select::Kind(api_version, kind) => self.interest.has_kind(api_version, kind),
                Select::Annotated(key) => self.interest.has_annotation(key),
                Select::Concerning(ref keys) => self.interest.has_family_keys(keys),
            };
            debug_assert!(
                declared,
                "a family selects {selector:?} without declaring it in its interest"
            );
        }
        let what = what.to_vec();
        let objects: &'i [Object<'a>] = self.objects;
        objects.iter().enumerate().filter_map(move |(i, object)| {
            let fields = object.fields()?;
            what.iter()
                .any(|s| s.matches(fields))
                .then_some((i, fields))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::krm::read::yaml;

    const LIST: &str = "\
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- {apiVersion: v1, kind: Secret, metadata: {name: s, namespace: n}}
- {apiVersion: example.com/v1, kind: Thing, metadata: {name: t, annotations: {a: b}}}
";

    fn with_input(interest: Interest, f: impl FnOnce(&Input<'_, '_>)) {
        let read = yaml::read(LIST, &interest).unwrap();
        let objects = read.items();
        f(&Input::new(&read.tree, objects, interest.clone()));
    }

    #[test]
    fn a_family_sees_what_it_declared() {
        let interest = Interest::default().kind("v1", "Secret").annotation("a");
        with_input(interest, |input| {
            let secrets: Vec<_> = input.select(&[Select::Kind("v1", "Secret")]).collect();
            assert_eq!(secrets.len(), 1);
            let annotated: Vec<_> = input.select(&[Select::Annotated("a")]).collect();
            assert_eq!(annotated.len(), 1);
        });
    }

    /// The readers drop what no family declared; a family asking for it anyway would find
    /// nothing in a real run, so the tests stop it instead.
    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "without declaring it in its interest")]
    fn a_family_that_reads_what_it_did_not_declare_fails() {
        with_input(Interest::default(), |input| {
            let _ = input.select(&[Select::Kind("v1", "Secret")]).count();
        });
    }
}
