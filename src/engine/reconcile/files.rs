//! Where a generated object lands in a kpt package: a new object gets a file beside its target
//! (kpt writes each item to the file its annotations name), and one that replaces our earlier
//! output stays in that output's file.

use crate::engine::ownership;
use crate::krm::kpt::{self, Holder, NewFiles, Owner, Place};
use crate::krm::object::Object;

/// A file chosen for new objects: its package (kpt render of subpackages) and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    pub package: Option<String>,
    pub path: String,
}

/// The kpt files of a run's objects; none in a stream, whose objects have no files.
#[derive(Debug)]
pub struct Files {
    files: Option<NewFiles>,
}

impl Files {
    /// New objects get files beside their targets when `kpt` (a ResourceList from kpt).
    pub fn new(objects: &[Object<'_>], kpt: bool) -> Self {
        Files {
            files: kpt.then(|| NewFiles::new(holders(objects))),
        }
    }

    /// The file for new objects named `namespace/name` generated for `beside`, when new objects
    /// get one: `<prefix><name>.yaml` in its package and folder, unless an input item holds that
    /// file (see [`NewFiles::path`]).
    pub fn new_file(
        &mut self,
        beside: &Object<'_>,
        prefix: &str,
        namespace: &str,
        name: &str,
    ) -> Option<NewFile> {
        let beside = Place::of(beside)?;
        let owner = Owner {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        };
        let path = self.files.as_mut()?.path(&beside, prefix, &owner)?;
        Some(NewFile {
            package: beside.package,
            path,
        })
    }

    /// kpt's annotations for an object: those of our earlier copy, so that it stays in its file;
    /// else, for a new object, those of the file it was given at the index it wants.
    pub fn annotations(
        &self,
        earlier: Option<&Object<'_>>,
        file: Option<(NewFile, i64)>,
    ) -> Vec<(String, String)> {
        match (earlier, &self.files, file) {
            (Some(earlier), _, _) => kpt::tracking_annotations(earlier),
            (None, Some(files), Some((file, wanted))) => {
                let package = file.package.as_deref();
                let index = files.index(package, &file.path, wanted);
                kpt::new_file_annotations(package, &file.path, index)
            }
            _ => Vec::new(),
        }
    }
}

/// The input's items that hold a file (kept by the readers for their place), each with its owner
/// when it is earlier output of ours.
fn holders(objects: &[Object<'_>]) -> Vec<Holder> {
    objects
        .iter()
        .filter_map(|object| {
            let place = Place::of(object)?;
            let owner = ownership::marker(object).and_then(|_| {
                let fields = object.fields()?;
                Some(Owner {
                    namespace: fields.namespace.text().unwrap_or_default().to_owned(),
                    name: fields.name.text()?.to_owned(),
                })
            });
            Some(Holder { place, owner })
        })
        .collect()
}
