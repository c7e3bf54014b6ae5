//! The function's options, read from `functionConfig` (or `--config` in stream mode).
//!
//! Two forms are accepted: the `ConfigMap` kpt builds from `kpt fn eval -- key=value` (every value
//! a string) and the typed `StashAutoBackup` kind. Anything else is an error naming the key, so a
//! typo never silently falls back to a default.
//!
//! Every option is declared once, in the table of [`options`]; the reader ([`read()`]), the list
//! of options in its "unknown option" error and the options' lines of `--help` ([`help()`]) are
//! made from it, and a test holds the README's table to it.

pub mod kptfile;
mod options;
pub mod policies;
mod read;

pub use options::{help, json_schema};

use super::finding::Info;
use crate::krm::object::ObjectFields;
pub use read::{read, read_data, read_string, set_in, set_in_data};

pub const TYPED_API_VERSION: &str = "autobackup.stash.appscode.com/v1alpha1";
pub const TYPED_KIND: &str = "StashAutoBackup";

/// Whether `fields` are those of the typed form, `kind: StashAutoBackup` (in stream mode, such
/// an object among the input's is the run's options).
pub fn is_typed(fields: &ObjectFields<'_>) -> bool {
    fields.api_version.text() == Some(TYPED_API_VERSION) && fields.kind.text() == Some(TYPED_KIND)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingBlueprint {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Severity of a target naming a blueprint the input does not hold.
    pub missing_blueprint: MissingBlueprint,
    /// Put `autobackup.stash.appscode.com/blueprint` on generated objects, so that later runs can
    /// update and prune them.
    pub mark_generated: bool,
    /// The namespace of a target that has none (ArgoCD and `kubectl apply -n` put such objects
    /// in one namespace); `None` leaves such targets without backups, with a warning.
    pub default_namespace: Option<String>,
    /// Where a generated object goes when its blueprint's template names no namespace: the
    /// blueprint's (the API documentation's reading) or the target's.
    pub configuration_namespace: ConfigurationNamespace,
    /// Warnings count as errors: in CI or ArgoCD, a target that gets nothing fails the render.
    pub strict: bool,
    /// The classes of `info` results left out.
    pub silence: Vec<Info>,
    /// The backup policies to check (docs/policy.md).
    pub policies: Vec<policies::Policy>,
}

impl Config {
    /// Whether the two set every option alike: `silence` is a set of classes, so the order it
    /// names them in is no difference.
    pub fn same_as(&self, other: &Config) -> bool {
        let sorted = |config: &Config| {
            let mut config = config.clone();
            config
                .silence
                .sort_by_key(|class| Info::ALL.iter().position(|c| c == class));
            config
        };
        sorted(self) == sorted(other)
    }
}

/// The namespace of a generated object whose template names none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConfigurationNamespace {
    #[default]
    Blueprint,
    Target,
}

/// The defaults the option table states (a test of the reader holds the two together).
impl Default for Config {
    fn default() -> Self {
        Config {
            missing_blueprint: MissingBlueprint::Error,
            mark_generated: true,
            default_namespace: None,
            configuration_namespace: ConfigurationNamespace::Blueprint,
            strict: false,
            silence: Vec::new(),
            policies: Vec::new(),
        }
    }
}
