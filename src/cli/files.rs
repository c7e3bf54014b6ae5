//! Reading the files and directories named on the command line (stream mode).
//!
//! All files are read into one buffer, each starting a new YAML document, so the whole input is
//! parsed once and every object can be traced back to its file.

use std::fs;
use std::path::{Path, PathBuf};

use stash_autobackup::error::InputError;
use stash_autobackup::krm::object::FileRef;

/// The contents of the named files, one after another.
#[derive(Debug, Default)]
pub struct Loaded {
    pub text: String,
    /// Where each file starts in `text`.
    pub starts: Vec<(usize, PathBuf)>,
}

impl Loaded {
    /// The file holding byte `offset` of `text`.
    pub fn origin(&self, offset: usize) -> Option<FileRef> {
        let i = self.starts.partition_point(|(start, _)| *start <= offset);
        let (_, path) = self.starts.get(i.checked_sub(1)?)?;
        Some(FileRef {
            path: path.display().to_string(),
            index: None,
        })
    }
}

/// Reads `paths`: files as they are, directories recursively (`*.yaml`, `*.yml`, `*.json`,
/// skipping `Kptfile`, kustomization files and hidden entries), in sorted order.
pub fn load(paths: &[PathBuf]) -> Result<Loaded, InputError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = fs::metadata(path).map_err(|source| InputError::Io {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            walk(path, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    if files.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(InputError::NoFiles(names.join(", ")));
    }
    let mut loaded = Loaded::default();
    for file in files {
        let bytes = fs::read(&file).map_err(|source| InputError::Io {
            path: file.clone(),
            source,
        })?;
        let text = stash_autobackup::text(&bytes).map_err(|e| InputError::InFile {
            path: file.clone(),
            source: Box::new(e),
        })?;
        if !loaded.text.is_empty() {
            if !loaded.text.ends_with('\n') {
                loaded.text.push('\n');
            }
            // `...` ends the previous document, so the next file may start with directives.
            loaded.text.push_str("...\n");
        }
        loaded.starts.push((loaded.text.len(), file));
        loaded
            .text
            .push_str(text.strip_prefix('\u{feff}').unwrap_or(text));
    }
    Ok(loaded)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), InputError> {
    let io = |source| InputError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(&path, files)?;
        } else if !matches!(
            name,
            "Kptfile" | "kustomization.yaml" | "kustomization.yml" | "Kustomization"
        ) && [".yaml", ".yml", ".json"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            files.push(path);
        }
    }
    Ok(())
}
