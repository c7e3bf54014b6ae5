//! `stash-autobackup`: Stash's and KubeStash's auto-backup, done before the cluster sees the
//! objects.
//!
//! The Stash operator watches for databases (and AppBindings), workloads and claims annotated
//! with `stash.appscode.com/backup-blueprint` and creates a `Repository` and a
//! `BackupConfiguration` for each from a `BackupBlueprint`, inside the cluster, where nobody
//! reviews them; KubeStash does the same with its own blueprints and annotations. This crate
//! does the same job as a KRM function: it reads a `ResourceList` (or a plain stream of objects),
//! finds the blueprints and the annotated targets, and writes the list back with the generated
//! objects added, exactly as the operators would create them.
//!
//! # The layers
//!
//! Five layers, each a folder; every import points down, and a test (`tests/layers.rs`) holds
//! the rule from the sources:
//!
//! ```text
//!  pipeline    read → frame → families propose → reconcile → write        (pipeline.rs;
//!     │        and the explain report of a run's decisions                  explain.rs)
//!     │
//!  families    stash/, kubestash/: blueprints, targets, annotations,      (one folder each,
//!     │        naming, checks, render; common/: the toolkit both take       never each other)
//!     │        their shared steps from, and what both back up
//!     │
//!  engine      findings, reconcile, ownership (the marker), the field reader, options,
//!     │        expand + envsubst, cron, H spreading, k8s names
//!     │
//!  krm         objects, readers (Interest + one ObjectBuilder), kpt annotations, the Secrets
//!     │        a Kustomization generates, results,
//!     │        the two framings: ResourceList, stream
//!  yaml        events with byte positions, captured trees, splice, quoting, emit;
//!              suggest: did-you-mean, beside it
//! ```
//!
//! # The data flow
//!
//! * The families declare what they read (`krm::read::Interest`); the pipeline hands the
//!   union to a reader, which parses the input once with byte positions and keeps only that:
//!   `krm::read::yaml` over the parser's events, or `krm::read::json` for plain JSON. Both
//!   feed one `krm::read::ObjectBuilder`, so duplicate keys, nulls and merge keys are read
//!   one way.
//! * A framing (`krm::resource_list` or `krm::stream`) says where the items are.
//! * Each family (`families::stash`, `families::kubestash`) reads its blueprints and targets
//!   through an `engine::family::Input`, taking the steps both share from `families::common`,
//!   and proposes objects to `engine::reconcile`, which decides
//!   against the earlier output in the input (kept, updated, pruned, blocked by a hand-written
//!   object) and hands each decided object to the framing's writer at once.
//! * The framing applies the `krm::changes::Changes`: ranges of the input copied byte for
//!   byte (`yaml::splice`) and generated text (`yaml::emit`, quoted by `yaml::quote`). No
//!   input item is ever re-serialised, so comments, quoting, key order, anchors and line endings
//!   survive, and no YAML library's reading of a value can change its meaning.
//!
//! Problems with single objects are typed findings (`engine::finding`), which become KRM
//! results (`krm::results`) at the end of a run; input that cannot be read at all is an
//! [`error::InputError`]. The maintainers' map is `docs/architecture.md`. The library does no I/O: the binary reads stdin and
//! files and writes stdout and stderr.

#![deny(clippy::print_stdout, clippy::print_stderr)]
#![deny(missing_docs)]

// The layers are the crate's own: what the binary, the tests, the benchmarks and the fuzz target
// use is re-exported below, and nothing else is public.
pub(crate) mod engine;
pub mod error;
pub(crate) mod explain;
pub(crate) mod families;
pub(crate) mod krm;
mod pipeline;
pub(crate) mod policy;
pub(crate) mod review;
pub(crate) mod suggest;
pub(crate) mod yaml;

pub use explain::{Format, Report};
pub use krm::object::FileRef;
pub use krm::results::{KrmResult, ResourceRef, Severity};
pub use pipeline::{Framing, Options, Run};
pub use review::{Review, Side, compare};

use error::InputError;

/// Checks that `input` is UTF-8 and returns it as text.
pub fn text(input: &[u8]) -> Result<&str, InputError> {
    std::str::from_utf8(input).map_err(|e| InputError::not_utf8(input, e.valid_up_to()))
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

/// A UTC time as `explain` takes it (`STASH_AUTOBACKUP_NOW`): Unix seconds, or
/// `2026-12-01T00:00:00Z`.
pub fn parse_time(text: &str) -> Option<i64> {
    engine::calendar::parse_utc(text)
}

/// The options of `functionConfig` as `--help` lists them: for each, `name: values`, then what
/// it does and its default, wrapped in two columns (38 and 100 characters), each line indented
/// and ending in a newline. The one table of options makes them, as it makes the reader.
pub fn option_help() -> String {
    engine::config::help()
}

/// The JSON Schema of `functionConfig` in both forms (`fn-config/stash-autobackup.schema.json`
/// holds it), made from the same option table as the reader and `--help`.
pub fn config_schema() -> String {
    engine::config::json_schema()
}

/// What the benchmarks measure beside a whole run: reading alone, with the interest the
/// families declare, and the emitter the input generator writes with. Not an API.
#[doc(hidden)]
pub mod internals {
    pub use crate::krm::read::Interest;
    pub use crate::krm::read::yaml::read as read_yaml;
    pub use crate::yaml::emit;

    /// The policy measures (the gap between backups, the depth a retention policy keeps), which
    /// the backup-policy check compares: `tests/policy_measures.rs` holds them to their
    /// properties and to the real restic binary.
    pub mod policy {
        pub use crate::engine::calendar::{Schedule, format_utc, parse_utc};
        pub use crate::policy::*;
    }

    /// What the readers keep of an input for the function's families.
    pub fn interest() -> Interest {
        crate::pipeline::interest()
    }

    /// What the run-time CRD check finds in `object` (`path: problem`, paths from the root
    /// as `.spec.x`), or `None` when no family ships the schema of its kind; `tests/crd.rs`
    /// holds it against its own reading of the CRDs.
    pub fn crd_violations(object: &serde_json::Value) -> Option<Vec<String>> {
        let (api_version, kind) = (object["apiVersion"].as_str()?, object["kind"].as_str()?);
        let mut families = crate::pipeline::FAMILIES.iter();
        let root = families.find_map(|f| f.schemas().root(api_version, kind))?;
        let mut value = from_json(object);
        let violations = root.check(&mut value, "");
        Some(
            violations
                .into_iter()
                .map(|v| format!("{}: {}", v.field, v.problem))
                .collect(),
        )
    }

    /// Whether `text` is a resource quantity, as the run-time check decides.
    pub fn is_quantity(text: &str) -> bool {
        crate::engine::schema::is_quantity(text)
    }

    /// A JSON value as the objects we write hold it: numbers, `null` and booleans as the
    /// plain scalars kubectl would read them from.
    fn from_json(json: &serde_json::Value) -> emit::Value<'static> {
        use serde_json::Value as J;
        match json {
            J::Null => emit::Value::Plain("null".into()),
            J::Bool(b) => emit::Value::Bool(*b),
            J::Number(n) => emit::Value::Plain(n.to_string().into()),
            J::String(s) => emit::Value::Str(s.clone().into()),
            J::Array(items) => emit::Value::Seq(items.iter().map(from_json).collect()),
            J::Object(map) => emit::Value::Map(
                map.iter()
                    .map(|(k, v)| (emit::Value::Str(k.clone().into()), from_json(v)))
                    .collect(),
            ),
        }
    }
}
