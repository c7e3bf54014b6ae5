//! The command line: flags and paths, and the help text.

use std::fmt;
use std::path::PathBuf;

pub use stash_autobackup::Format;

/// The help text. Its options of `functionConfig` come from the library's table of them, so it
/// is a value that writes itself rather than a constant string.
pub const HELP: Help = Help;

/// See [`HELP`].
pub struct Help;

impl fmt::Display for Help {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{BEFORE_OPTIONS}{}{AFTER_OPTIONS}",
            stash_autobackup::option_help()
        )
    }
}

const BEFORE_OPTIONS: &str = "\
stash-autobackup: generate the backup objects that Stash's and KubeStash's auto-backup would
create for annotated databases, AppBindings, workloads and PersistentVolumeClaims.

USAGE:
    stash-autobackup < resource-list.yaml    KRM function (kpt, kustomize): ResourceList in and out
    stash-autobackup explain [--format text|markdown|json|sarif] [PATH...]
                                             what a run would do, target by target (same
                                             inputs; the exit status is the function's)
    stash-autobackup explain --base OLD [--fail-on weakens] [--format F] [PATH...]
                                             what the change from OLD (a file, folder or -)
                                             to PATH... does to backups, subject by subject:
                                             each difference weakens, strengthens or is
                                             neutral; --fail-on weakens exits 1 on a weakening
    stash-autobackup < objects.yaml          stream mode: YAML objects in, objects + generated out
    stash-autobackup [--config FILE] PATH... stream mode over files and directories;
                                             a PATH of - reads stdin there:
                                             kustomize build . | stash-autobackup - blueprints/

OPTIONS:
    --config FILE   options for stream mode (a ConfigMap or StashAutoBackup object); without
                    it, a StashAutoBackup object among the inputs, or the Kptfile of a kpt
                    package folder given, holds them (two of these are an error)
    -h, --help      print this help
    -V, --version   print the version

STASH (stash.appscode.com; a Repository and a BackupConfiguration per target and blueprint):
    stash.appscode.com/backup-blueprint: a,b      blueprints to use (required)
    stash.appscode.com/schedule: \"0 2 * * *\"      overrides the blueprint's schedule
    params.stash.appscode.com/<name>: <value>     adds or overrides a task parameter
    stash.appscode.com/target-paths: /a,/b        a workload's paths (required on workloads)
    stash.appscode.com/volume-mounts: v:/a        a workload's volumes (required on workloads)

KUBESTASH (core.kubestash.com; a BackupConfiguration per target):
    blueprint.kubestash.com/name: <name>          the blueprint to use (required)
    blueprint.kubestash.com/namespace: <ns>       the blueprint's namespace (required)
    blueprint.kubestash.com/session-names: a,b    only these sessions of the blueprint
    variables.kubestash.com/<var>: <value>        the value of ${<var>} in the blueprint

OPTIONS IN functionConfig (ConfigMap data, or kind StashAutoBackup):
";

const AFTER_OPTIONS: &str = "
EXIT STATUS:
    0  no errors         1  errors (in results; one line each on stderr) or unreadable input

Documentation: see README.md of stash-autobackup.
";

/// What the command line asks for.
#[derive(Debug, Default)]
pub enum Command {
    #[default]
    Help,
    Version,
    /// Run the function: on stdin when `paths` is empty.
    Run {
        config: Option<PathBuf>,
        paths: Vec<PathBuf>,
    },
    /// Run the function and print what it decided instead of its output.
    Explain {
        config: Option<PathBuf>,
        paths: Vec<PathBuf>,
        format: Format,
        /// Review the change from this version (`--base`) instead.
        base: Option<PathBuf>,
        /// Exit 1 when the change weakens protection (`--fail-on weakens`).
        fail_on_weakens: bool,
    },
}

/// Parses the process's arguments.
pub fn parse() -> Result<Command, lexopt::Error> {
    let mut config: Option<PathBuf> = None;
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut explain = false;
    let mut format: Option<Format> = None;
    let mut base: Option<PathBuf> = None;
    let mut fail_on_weakens = false;
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        use lexopt::prelude::*;
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            Long("config") => config = Some(parser.value()?.into()),
            Long("format") if explain => {
                let value = parser.value()?;
                format = Some(match value.to_str() {
                    Some("text") => Format::Text,
                    Some("markdown") => Format::Markdown,
                    Some("json") => Format::Json,
                    Some("sarif") => Format::Sarif,
                    _ => {
                        return Err(lexopt::Error::UnexpectedValue {
                            option: "--format (text, markdown, json or sarif)".into(),
                            value,
                        });
                    }
                });
            }
            Long("base") if explain => base = Some(parser.value()?.into()),
            Long("fail-on") if explain => {
                let value = parser.value()?;
                if value != "weakens" {
                    return Err(lexopt::Error::UnexpectedValue {
                        option: "--fail-on (weakens)".into(),
                        value,
                    });
                }
                fail_on_weakens = true;
            }
            // `explain` only as the first word: a file of that name is `./explain`.
            Value(word)
                if word == "explain" && !explain && paths.is_empty() && config.is_none() =>
            {
                explain = true;
            }
            Value(path) => paths.push(path.into()),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(if explain {
        if fail_on_weakens && base.is_none() {
            return Err(lexopt::Error::Custom(
                "--fail-on weakens compares two versions: give the base with --base OLD".into(),
            ));
        }
        Command::Explain {
            config,
            paths,
            format: format.unwrap_or_default(),
            base,
            fail_on_weakens,
        }
    } else {
        Command::Run { config, paths }
    })
}
