//! A kpt package's Kptfile as a source of the options: the pipeline entry that runs this
//! function, and the options it gives it (`configMap`, or a file named by `configPath`), so that
//! a run on the package's folder, or on `kpt fn source`'s list, uses what `kpt fn render` would
//! (docs/spec.md §1.2).

use std::path::{Component, Path};

use crate::engine::fields::{Fields, Problem, Problems};
use crate::krm::object::ObjectFields;
use crate::yaml::tree::{NodeId, Tree};

/// The API group of kpt's own objects.
pub const GROUP: &str = "kpt.dev";
/// The Kptfile's kind.
pub const KIND: &str = "Kptfile";
/// The file a package's Kptfile is kept in (and its kpt path annotation in a package's list).
pub const FILE: &str = "Kptfile";
/// The Kptfile's key that holds the functions.
pub const PIPELINE: &str = "pipeline";
/// The name this function runs under: an `exec:` path ending in it, an `image:` holding it.
pub const FUNCTION: &str = "stash-autobackup";

/// Whether `fields` are those of a Kptfile.
pub fn is_kptfile(fields: &ObjectFields<'_>) -> bool {
    fields.group() == Some(GROUP) && fields.kind.text() == Some(KIND)
}

/// An entry of the pipeline that runs this function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Where it is: `pipeline.mutators[0]`.
    pub field: String,
    /// What options it gives.
    pub options: EntryOptions,
}

/// The options a pipeline entry gives the function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryOptions {
    /// None: the defaults.
    Defaults,
    /// `configMap`: the mapping kpt makes a ConfigMap's `data` of.
    Map(NodeId),
    /// `configPath`: a file, relative to the Kptfile's folder.
    Path(String),
}

impl Entry {
    /// The entry's field that gives the options (`pipeline.mutators[0].configMap`), for
    /// messages; the entry itself when it gives none.
    pub fn options_field(&self) -> String {
        match &self.options {
            EntryOptions::Defaults => self.field.clone(),
            EntryOptions::Map(_) => format!("{}.configMap", self.field),
            EntryOptions::Path(_) => format!("{}.configPath", self.field),
        }
    }
}

/// The entries of the Kptfile's pipeline (mutators, then validators) that run this function;
/// what cannot be read of them goes to `problems`.
pub fn entries(tree: &Tree<'_>, kptfile: &ObjectFields<'_>, problems: &Problems) -> Vec<Entry> {
    let Some(pipeline) = kptfile.top(PIPELINE) else {
        return Vec::new();
    };
    let pipeline = Fields::new(tree, pipeline, PIPELINE, problems);
    let mut found = Vec::new();
    for list in ["mutators", "validators"] {
        for (i, entry) in pipeline.items(list).iter().enumerate() {
            if runs_this_function(entry) {
                found.push(Entry {
                    field: format!("{PIPELINE}.{list}[{i}]"),
                    options: options(entry),
                });
            }
        }
    }
    found
}

/// Whether a pipeline entry runs this function.
fn runs_this_function(entry: &Fields<'_, '_>) -> bool {
    let exec = entry.text("exec").is_some_and(|path| {
        Path::new(path.trim())
            .file_name()
            .is_some_and(|name| name.to_string_lossy().ends_with(FUNCTION))
    });
    let image = entry
        .text("image")
        .is_some_and(|image| image.contains(FUNCTION));
    exec || image
}

/// The options an entry gives: kpt refuses an entry with both `configMap` and `configPath`, and
/// so does this reader.
fn options(entry: &Fields<'_, '_>) -> EntryOptions {
    let map = entry.lookup("configMap").is_some();
    let path = entry.lookup("configPath").is_some();
    if map && path {
        entry.report_here(Problem::Custom(
            "give configMap or configPath, not both (kpt refuses the entry)".into(),
        ));
        return EntryOptions::Defaults;
    }
    if let Some(data) = entry.at("configMap") {
        if entry.tree().entries(data.id()).is_none() {
            data.report_here(Problem::Expected("a mapping of option names to strings"));
            return EntryOptions::Defaults;
        }
        return EntryOptions::Map(data.id());
    }
    match entry.optional_string("configPath") {
        Some(path) if !path.is_empty() => EntryOptions::Path(path.to_owned()),
        _ => EntryOptions::Defaults,
    }
}

/// The path of the file `relative` names from the Kptfile at `kptfile` (both as a run names
/// them), as a list of its parts with `.` and `..` worked out, to compare with other paths.
pub fn resolve(kptfile: &str, relative: &str) -> Vec<String> {
    let folder = Path::new(kptfile).parent().unwrap_or(Path::new(""));
    parts(&folder.join(relative))
}

/// The parts of `path` with `.` and `..` worked out (lexically: a run reads no file system).
pub fn parts(path: &Path) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if parts.last().is_some_and(|p| p != "..") => {
                parts.pop();
            }
            other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::events::capture_first;

    /// The entries of the Kptfile `text`, and the messages of its problems.
    fn read(text: &str) -> (Vec<(String, String)>, Vec<String>) {
        let (tree, node) = capture_first(text).expect("YAML");
        let node = node.expect("a document");
        let mut fields = ObjectFields::default();
        if let Some(pipeline) = tree.lookup(node, PIPELINE) {
            fields.tops.push((PIPELINE, pipeline));
        }
        let problems = Problems::default();
        let entries = entries(&tree, &fields, &problems)
            .into_iter()
            .map(|entry| {
                let options = match &entry.options {
                    EntryOptions::Defaults => "defaults".to_owned(),
                    EntryOptions::Map(node) => {
                        format!("map of {}", tree.entries(*node).map_or(0, <[_]>::len))
                    }
                    EntryOptions::Path(path) => format!("path {path}"),
                };
                (entry.field, options)
            })
            .collect();
        let problems = problems
            .into_vec()
            .iter()
            .map(ToString::to_string)
            .collect();
        (entries, problems)
    }

    #[test]
    fn the_entries_that_run_this_function_and_their_options() {
        let (entries, problems) = read(
            "pipeline:
  mutators:
  - image: gcr.io/kpt-fn/set-namespace:v0.4
    configMap: {namespace: shop}
  - exec: stash-autobackup
    configMap: {missingBlueprint: warning, strict: 'true'}
  - image: localhost/stash-autobackup:0.1.0
    configPath: fn-config.yaml
  validators:
  - exec: ./bin/stash-autobackup
  - exec: stash-autobackup-wrapper
",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let want = [
            ("pipeline.mutators[1]", "map of 2"),
            ("pipeline.mutators[2]", "path fn-config.yaml"),
            ("pipeline.validators[0]", "defaults"),
        ];
        let got: Vec<(&str, &str)> = entries
            .iter()
            .map(|(f, o)| (f.as_str(), o.as_str()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn entries_it_cannot_read_are_problems_at_their_fields() {
        let (entries, problems) = read(
            "pipeline:
  mutators:
  - exec: stash-autobackup
    configMap: [a]
  - exec: stash-autobackup
    configMap: {a: b}
    configPath: x.yaml
  - exec: stash-autobackup
    configPath: {a: b}
",
        );
        assert_eq!(entries.len(), 3);
        assert!(entries.iter().all(|(_, options)| options == "defaults"));
        assert_eq!(
            problems,
            [
                "pipeline.mutators[0].configMap must be a mapping of option names to strings",
                "give configMap or configPath, not both (kpt refuses the entry)",
                "pipeline.mutators[2].configPath must be a string",
            ]
        );
    }

    #[test]
    fn a_kptfile_without_a_pipeline_runs_nothing() {
        for text in [
            "metadata: {name: p}\n",
            "pipeline: {}\n",
            "pipeline: {mutators: 3}\n",
        ] {
            assert_eq!(read(text), (Vec::new(), Vec::new()), "{text}");
        }
    }

    #[test]
    fn config_paths_resolve_from_the_kptfiles_folder() {
        assert_eq!(resolve("Kptfile", "fn-config.yaml"), ["fn-config.yaml"]);
        assert_eq!(
            resolve("./pkg/Kptfile", "./config//fn.yaml"),
            ["pkg", "config", "fn.yaml"]
        );
        assert_eq!(resolve("pkg/Kptfile", "../other.yaml"), ["other.yaml"]);
        assert_eq!(resolve("Kptfile", "../up.yaml"), ["..", "up.yaml"]);
        assert_eq!(
            parts(Path::new("pkg/config/fn.yaml")),
            ["pkg", "config", "fn.yaml"]
        );
    }
}
