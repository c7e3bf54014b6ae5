//! The command line: read the input, run the function, write the output, set the exit code.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use stash_autobackup::{Format, Options, run, text};

mod cli;
use cli::files;

const HELP: &str = "\
stash-autobackup: generate Stash Repository and BackupConfiguration objects for databases
annotated with stash.appscode.com/backup-blueprint, as Stash's auto-backup would.

USAGE:
    stash-autobackup < resource-list.yaml    KRM function (kpt, kustomize): ResourceList in and out
    stash-autobackup < objects.yaml          stream mode: YAML objects in, objects + generated out
    stash-autobackup [--config FILE] PATH... stream mode over files and directories

OPTIONS:
    --config FILE   options for stream mode (a ConfigMap or StashAutoBackup object)
    -h, --help      print this help
    -V, --version   print the version

ANNOTATIONS (on a KubeDB database or an AppBinding):
    stash.appscode.com/backup-blueprint: a,b      blueprints to use (required)
    stash.appscode.com/schedule: \"0 2 * * *\"      overrides the blueprint's schedule
    params.stash.appscode.com/<name>: <value>     adds or overrides a task parameter

OPTIONS IN functionConfig (ConfigMap data, or kind StashAutoBackup):
    missingBlueprint: error|warning   severity of a blueprint name with no blueprint (default error)
    markGenerated: true|false         mark generated objects so later runs update and prune them

EXIT STATUS:
    0  no errors         1  errors (in results; one line each on stderr) or unreadable input

Documentation: see README.md of stash-autobackup.
";

fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("stash-autobackup: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn real_main() -> anyhow::Result<ExitCode> {
    let mut config_path: Option<PathBuf> = None;
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        use lexopt::prelude::*;
        match arg {
            Short('h') | Long("help") => {
                print!("{HELP}");
                return Ok(ExitCode::SUCCESS);
            }
            Short('V') | Long("version") => {
                println!("stash-autobackup {}", env!("CARGO_PKG_VERSION"));
                return Ok(ExitCode::SUCCESS);
            }
            Long("config") => config_path = Some(parser.value()?.into()),
            Value(path) => paths.push(path.into()),
            _ => bail!("{}; see --help", arg.unexpected()),
        }
    }
    let config_text = match &config_path {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .with_context(|| format!("reading --config {}", p.display()))?,
        ),
        None => None,
    };
    let options = Options {
        config: config_text.as_deref(),
        ..Options::default()
    };

    let loaded;
    let stdin_bytes;
    let (src, outcome) = if paths.is_empty() {
        let mut buf = Vec::new();
        io::stdin().read_to_end(&mut buf).context("reading stdin")?;
        stdin_bytes = buf;
        let src = text(&stdin_bytes)?;
        (src, run(src, &options, &|_| None)?)
    } else {
        loaded = files::load(&paths)?;
        if loaded.text.trim().is_empty() {
            bail!("the files hold no Kubernetes objects");
        }
        let outcome = run(&loaded.text, &options, &|offset| loaded.origin(offset))?;
        if outcome.format == Format::ResourceList {
            bail!("a ResourceList was given as a file; pipe it on stdin instead");
        }
        (loaded.text.as_str(), outcome)
    };

    let failed = outcome.has_errors();
    let stderr = io::stderr();
    let mut err = stderr.lock();
    for result in &outcome.results {
        let shown = match outcome.format {
            // kpt and kustomize read results from the ResourceList; kustomize shows only stderr.
            Format::ResourceList => {
                result.severity == stash_autobackup::krm::results::Severity::Error
            }
            Format::Stream => true,
        };
        if shown {
            let _ = writeln!(err, "{result}");
        }
    }
    // Stream mode feeds `kubectl apply` and ArgoCD: on errors, print nothing rather than a
    // partial set of objects.
    if !(failed && outcome.format == Format::Stream) {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        outcome
            .pieces
            .write_to(src.as_bytes(), &mut out)
            .and_then(|()| out.flush())
            .context("writing stdout")?;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
