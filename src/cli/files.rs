//! Reading the files and directories named on the command line (stream mode), and stdin when
//! one of them is `-`.
//!
//! All sources are read into one buffer, each starting a new YAML document, so the whole input
//! is parsed once and every object can be traced back to its file.

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use stash_autobackup::FileRef;
use stash_autobackup::error::InputError;

/// Where stdin's objects say they come from.
pub const STDIN: &str = "stdin";

/// A kpt package's file of its own, which names the functions of its pipeline.
const KPTFILE: &str = "Kptfile";

/// One command-line source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `-`: standard input (e.g. `kustomize build . | stash-autobackup - blueprints/`).
    Stdin,
    Path(PathBuf),
}

impl Source {
    pub fn of(arg: PathBuf) -> Self {
        if arg.as_os_str() == "-" {
            Source::Stdin
        } else {
            Source::Path(arg)
        }
    }

    /// The name its files' paths start with.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => STDIN.to_owned(),
            Source::Path(path) => path.display().to_string(),
        }
    }
}

/// The contents of the named files, one after another.
#[derive(Debug, Default)]
pub struct Loaded {
    pub text: String,
    /// Where each file starts in `text`.
    pub starts: Vec<(usize, String)>,
}

impl Loaded {
    /// Where the file holding byte `offset` of `text` starts, and its name.
    fn file_at(&self, offset: usize) -> Option<&(usize, String)> {
        let i = self.starts.partition_point(|(start, _)| *start <= offset);
        self.starts.get(i.checked_sub(1)?)
    }

    /// The file holding byte `offset` of `text`.
    pub fn origin(&self, offset: usize) -> Option<FileRef> {
        let (_, path) = self.file_at(offset)?;
        Some(FileRef {
            path: path.clone(),
            index: None,
        })
    }

    /// The file holding byte `offset` of `text`, and the line (from 1) it is on there.
    pub fn line(&self, offset: usize) -> Option<(String, usize)> {
        let (start, path) = self.file_at(offset)?;
        let before = self.text.get(*start..offset)?;
        Some((
            path.clone(),
            1 + before.bytes().filter(|b| *b == b'\n').count(),
        ))
    }

    fn push(&mut self, name: String, text: &str) {
        if !self.text.is_empty() {
            if !self.text.ends_with('\n') {
                self.text.push('\n');
            }
            // `...` ends the previous document, so the next file may start with directives.
            self.text.push_str("...\n");
        }
        self.starts.push((self.text.len(), name));
        self.text
            .push_str(text.strip_prefix('\u{feff}').unwrap_or(text));
    }
}

/// Reads `sources` in order: stdin for `-` (once), files as they are, directories recursively
/// (`*.yaml`, `*.yml`, `*.json`, skipping `Kptfile`, kustomization files and hidden entries, in
/// sorted order). Symbolic links are followed, but every file and folder is read once, however
/// many ways lead to it: a link to a parent folder does not read the tree again.
///
/// The `Kptfile` of a folder named among the sources (a kpt package) comes last, after every
/// other file, so that the run can take the options its pipeline gives the function
/// (docs/spec.md §1.2) without renumbering the documents before it; the run never prints it.
/// Kptfiles of subpackages are not read, as `kpt fn render` runs their pipelines on their own
/// files.
pub fn load(sources: &[Source], stdin: &mut dyn Read) -> Result<Loaded, InputError> {
    let mut seen = Seen::default();
    let mut loaded = Loaded::default();
    let mut read_stdin = false;
    let mut any = false;
    let mut kptfiles = Vec::new();
    for source in sources {
        match source {
            Source::Stdin => {
                if std::mem::replace(&mut read_stdin, true) {
                    continue;
                }
                any = true;
                let mut bytes = Vec::new();
                stdin
                    .read_to_end(&mut bytes)
                    .map_err(|error| InputError::Io {
                        path: PathBuf::from("-"),
                        error,
                    })?;
                let text = stash_autobackup::text(&bytes).map_err(|e| InputError::InFile {
                    path: PathBuf::from(STDIN),
                    error: Box::new(e),
                })?;
                loaded.push(STDIN.to_owned(), text);
            }
            Source::Path(path) => {
                let meta = fs::metadata(path).map_err(|error| InputError::Io {
                    path: path.clone(),
                    error,
                })?;
                let mut files = Vec::new();
                if meta.is_dir() {
                    let kptfile = path.join(KPTFILE);
                    if kptfile.is_file() && seen.first(&kptfile) {
                        kptfiles.push(kptfile);
                    }
                    walk(path, &mut files, &mut seen)?;
                } else if seen.first(path) {
                    files.push(path.clone());
                }
                for file in files {
                    any = true;
                    read_file(&file, &mut loaded)?;
                }
            }
        }
    }
    if !any {
        let names: Vec<String> = sources
            .iter()
            .map(|s| match s {
                Source::Stdin => "-".to_owned(),
                Source::Path(p) => p.display().to_string(),
            })
            .collect();
        return Err(InputError::NoFiles(names.join(", ")));
    }
    for kptfile in kptfiles {
        read_file(&kptfile, &mut loaded)?;
    }
    Ok(loaded)
}

fn read_file(file: &Path, loaded: &mut Loaded) -> Result<(), InputError> {
    let bytes = fs::read(file).map_err(|error| InputError::Io {
        path: file.to_path_buf(),
        error,
    })?;
    let text = stash_autobackup::text(&bytes).map_err(|e| InputError::InFile {
        path: file.to_path_buf(),
        error: Box::new(e),
    })?;
    loaded.push(file.display().to_string(), text);
    Ok(())
}

/// Files and folders already read, by their real path.
#[derive(Default)]
struct Seen(HashSet<PathBuf>);

impl Seen {
    /// True the first time `path` (or another way to the same file or folder) comes.
    fn first(&mut self, path: &Path) -> bool {
        let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.0.insert(real)
    }
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>, seen: &mut Seen) -> Result<(), InputError> {
    if !seen.first(dir) {
        return Ok(());
    }
    let io = |error| InputError::Io {
        path: dir.to_path_buf(),
        error,
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
            walk(&path, files, seen)?;
        } else if !matches!(
            name,
            KPTFILE | "kustomization.yaml" | "kustomization.yml" | "Kustomization"
        ) && [".yaml", ".yml", ".json"]
            .iter()
            .any(|ext| name.ends_with(ext))
            && seen.first(&path)
        {
            files.push(path);
        }
    }
    Ok(())
}
