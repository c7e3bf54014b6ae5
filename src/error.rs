//! Input that cannot be read at all. Problems with single objects are results, not errors.
//!
//! Each message says what is wrong and what to do about it.

use std::path::PathBuf;

/// Why an input could not be read at all (the run stops; nothing is written to stdout).
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The input is not UTF-8 (YAML and JSON must be).
    #[error("line {line}, column {column}: the input is not valid UTF-8; save it as UTF-8")]
    NotUtf8 {
        /// Where the first byte that is not UTF-8 is (1-based).
        line: usize,
        /// Its column, in characters (1-based).
        column: usize,
    },

    /// The YAML or JSON parser stopped.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        /// Where the parser stopped (1-based).
        line: usize,
        /// Its column (1-based).
        column: usize,
        /// What the parser says is wrong.
        message: String,
    },

    /// Nothing but whitespace or comments.
    #[error("the input is empty: expected a ResourceList or Kubernetes objects in YAML or JSON")]
    Empty,

    /// A ResourceList followed by more documents.
    #[error(
        "line {line}: the ResourceList is followed by another YAML document; send one ResourceList"
    )]
    TrailingDocument {
        /// Where the second document starts (1-based).
        line: usize,
    },

    /// A ResourceList of an apiVersion the KRM function spec does not define.
    #[error("ResourceList apiVersion `{0}` is not supported: use config.kubernetes.io/v1")]
    ApiVersion(String),

    /// A ResourceList whose `items` is null.
    #[error("the ResourceList's `items` is null: send `items: []` for an empty list")]
    ItemsNull,

    /// A ResourceList without `items`.
    #[error("the ResourceList has no `items`: send `items: []` for an empty list")]
    ItemsMissing,

    /// A ResourceList whose `items` is a scalar or a mapping.
    #[error("the ResourceList's `items` must be a sequence of Kubernetes objects")]
    ItemsNotSequence,

    /// `--config` given with a ResourceList, which carries its own options.
    #[error(
        "--config applies to stream mode; a ResourceList carries its options in functionConfig"
    )]
    ConfigWithResourceList,

    /// A ResourceList named as a file: only stdin carries one.
    #[error("a ResourceList was given as a file; pipe it on stdin instead")]
    ResourceListFile,

    /// Stream mode found the options in two places (`--config`, a `StashAutoBackup` object
    /// among the inputs, a package's Kptfile), and uses neither rather than guess.
    #[error(
        "the options are given twice, by {first} and by {second}: keep one (stream mode reads \
         them from --config, a StashAutoBackup object among its inputs, or the Kptfile of a kpt \
         package folder)"
    )]
    OptionsTwice {
        /// The first place, as messages name it: `--config opts.yaml`, a file, a Kptfile's
        /// field.
        first: String,
        /// The second.
        second: String,
    },

    /// A Kptfile whose pipeline runs the function more than once, with options: which of them
    /// a run on the package stands for is unclear.
    #[error(
        "{kptfile}: the pipeline runs stash-autobackup more than once ({first} and {second}) \
         and gives it options, so it is unclear which a run on the package stands for; run it \
         once, or give the folder's files and --config instead"
    )]
    KptfileRunsTwice {
        /// The Kptfile, as the input names it.
        kptfile: String,
        /// The first entry (`pipeline.mutators[0]`).
        first: String,
        /// The second.
        second: String,
    },

    /// A Kptfile's `configPath` that names no file of the input.
    #[error(
        "{kptfile} {field}: `{path}` is not in the input; keep the options file in the \
         package, where kpt reads it from"
    )]
    ConfigPathMissing {
        /// The Kptfile, as the input names it.
        kptfile: String,
        /// The entry's field (`pipeline.mutators[0].configPath`).
        field: String,
        /// The path as the Kptfile writes it.
        path: String,
    },

    /// The files named on the command line hold nothing but whitespace and comments.
    #[error("the files hold no Kubernetes objects")]
    NoObjects,

    /// A file or directory named on the command line could not be read. (The cause is part of
    /// the message, not an error source, so a chain printer says it once.)
    #[error("{}: {error}", path.display())]
    Io {
        /// The path as given.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },

    /// The paths named on the command line hold no YAML or JSON files.
    #[error("no *.yaml, *.yml or *.json files found in {0}")]
    NoFiles(String),

    /// An error in one file of a stream, with the file named.
    #[error("{}: {error}", path.display())]
    InFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        error: Box<InputError>,
    },
}

impl InputError {
    /// The error for a byte offset where UTF-8 decoding failed.
    pub fn not_utf8(bytes: &[u8], offset: usize) -> Self {
        let before = &bytes[..offset.min(bytes.len())];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        InputError::NotUtf8 { line, column }
    }

    /// The error for where the YAML parser stopped.
    pub fn syntax(error: &granit_parser::ScanError) -> Self {
        let message = match error.kind() {
            granit_parser::ErrorKind::RecursionLimitExceeded => {
                "collections nest more than 255 levels deep, which is more than this function reads"
                    .to_owned()
            }
            _ => error.info().to_string(),
        };
        InputError::Syntax {
            line: error.marker().line(),
            column: error.marker().col() + 1,
            message,
        }
    }
}
