//! `stash-autobackup`: Stash's auto-backup, done before the cluster sees the objects.
//!
//! The Stash operator watches for databases (and AppBindings) annotated with
//! `stash.appscode.com/backup-blueprint` and creates a `Repository` and a `BackupConfiguration`
//! for each from a `BackupBlueprint`, inside the cluster, where nobody reviews them. This crate
//! does the same job as a KRM function: it reads a `ResourceList` (or a plain stream of objects),
//! finds the blueprints and the annotated targets, and writes the list back with the generated
//! objects added, exactly as the operator would create them.
//!
//! # The model
//!
//! * [`scan`] parses the input once with byte positions, and captures only the values the
//!   function reads (a blueprint's spec, a target's annotations) into a small [`tree`]; plain
//!   JSON takes a faster road to the same result ([`json`]).
//! * [`plan`] decides what the output holds: it finds [`blueprint`]s and [`target`]s, names the
//!   objects ([`naming`]), substitutes variables ([`vars`]), validates schedules ([`schedule`]),
//!   builds the objects ([`render`]), and recognises its own earlier output ([`earlier`]) so a
//!   second run changes nothing and a removed annotation prunes what it generated.
//! * [`resource_list`] and [`stream`] turn a plan into output: ranges of the input copied byte for
//!   byte ([`splice`]) and generated text ([`emit`], quoted by the rules in [`quote`]). No input
//!   item is ever re-serialised, so comments, quoting, key order, anchors and line endings
//!   survive, and no YAML library's reading of a value can change its meaning.
//!
//! Problems with single objects are KRM [`results`]; input that cannot be read at all is an
//! [`error::InputError`].

pub mod engine;
pub mod error;
pub mod families;
pub mod krm;
mod pipeline;
pub mod yaml;

use error::InputError;
use krm::object::FileRef;
use krm::results::{KrmResult, Severity};
use yaml::splice::Pieces;

/// What kind of output a run produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// A ResourceList (results inside it).
    ResourceList,
    /// A plain stream of objects (results go to stderr).
    Stream,
}

/// The outcome of a run whose input could be read.
#[derive(Debug)]
pub struct Run {
    pub framing: Framing,
    /// The output, as pieces of the input and generated text.
    pub pieces: Pieces,
    pub results: Vec<KrmResult>,
}

impl Run {
    pub fn has_errors(&self) -> bool {
        self.results.iter().any(|r| r.severity == Severity::Error)
    }

    /// The results to print on stderr, one line each. In a ResourceList only the errors: kpt
    /// and kustomize read the results from the list, and kustomize shows only stderr. In stream
    /// mode all of them: stderr is their only channel.
    pub fn stderr_results(&self) -> impl Iterator<Item = &KrmResult> {
        self.results.iter().filter(move |r| match self.framing {
            Framing::ResourceList => r.severity == Severity::Error,
            Framing::Stream => true,
        })
    }

    /// Whether the output goes to stdout. Stream mode feeds `kubectl apply` and ArgoCD: on
    /// errors it prints nothing rather than a partial set of objects. A ResourceList always
    /// comes back whole, its results saying what is wrong.
    pub fn writes_output(&self) -> bool {
        !(self.framing == Framing::Stream && self.has_errors())
    }
}

/// Options that come from the command line rather than the input.
#[derive(Debug, Default)]
pub struct Options<'c> {
    /// The text of a `--config` file (stream mode only).
    pub config: Option<&'c str>,
    /// Read JSON with the YAML reader too (tests compare the two readers).
    #[doc(hidden)]
    pub yaml_scanner_only: bool,
}

/// Checks that `input` is UTF-8 and returns it as text.
pub fn text(input: &[u8]) -> Result<&str, InputError> {
    std::str::from_utf8(input).map_err(|e| InputError::not_utf8(input, e.valid_up_to()))
}

/// What the readers keep of an input for the function's families (benchmarks measure reading
/// with it).
pub fn interest() -> krm::read::Interest {
    pipeline::interest()
}

/// Runs the function on `src`: a ResourceList, or else a stream of objects. `origin` maps a
/// byte offset of `src` to the file it came from (stream mode over files).
pub fn run(
    src: &str,
    options: &Options<'_>,
    origin: &dyn Fn(usize) -> Option<FileRef>,
) -> Result<Run, InputError> {
    pipeline::run(src, options, origin)
}
