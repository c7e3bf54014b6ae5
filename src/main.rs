//! The command line: read the input, run the function, write the output, set the exit code.

mod cli;

use std::io::{self, Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use cli::argocd;
use cli::args::{self, Command, HELP};
use cli::files;
use stash_autobackup::error::InputError;
use stash_autobackup::{Format, Framing, Options, run, text};

fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("stash-autobackup: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The time explain counts next runs from: `STASH_AUTOBACKUP_NOW` (Unix seconds or
/// `2026-12-01T00:00:00Z`, for reproducible reports), else the clock.
fn now() -> anyhow::Result<i64> {
    if let Ok(text) = std::env::var("STASH_AUTOBACKUP_NOW") {
        return stash_autobackup::parse_time(&text).with_context(|| {
            format!("STASH_AUTOBACKUP_NOW={text:?} is no time: give Unix seconds or 2026-12-01T00:00:00Z")
        });
    }
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the clock is before 1970")?;
    Ok(i64::try_from(since.as_secs()).unwrap_or(i64::MAX))
}

fn real_main() -> anyhow::Result<ExitCode> {
    let (config_path, paths, explain) =
        match args::parse().map_err(|e| anyhow::anyhow!("{e}; see --help"))? {
            Command::Help => {
                print!("{HELP}");
                return Ok(ExitCode::SUCCESS);
            }
            Command::Version => {
                println!("stash-autobackup {}", env!("CARGO_PKG_VERSION"));
                return Ok(ExitCode::SUCCESS);
            }
            Command::Run { config, paths } => (config, paths, None),
            Command::Explain {
                config,
                paths,
                format,
            } => (config, paths, Some(format)),
        };
    let config_text = match &config_path {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .with_context(|| format!("reading --config {}", p.display()))?,
        ),
        None => None,
    };
    let config_name = config_path.as_ref().map(|p| p.display().to_string());
    // ArgoCD gives a config management plugin its app's destination namespace, and the
    // parameters the Application sets.
    let argocd_namespace = std::env::var("ARGOCD_APP_NAMESPACE").ok();
    let parameters = argocd::parameters(std::env::vars_os())?;
    let options = Options {
        config: config_text.as_deref(),
        config_path: config_name.as_deref(),
        argocd_namespace: argocd_namespace.as_deref(),
        parameters: &parameters,
        explain: match explain {
            Some(_) => Some(now()?),
            None => None,
        },
        ..Options::default()
    };

    let mut loaded = files::Loaded::default();
    let stdin_bytes;
    let (src, mut outcome) = if paths.is_empty() {
        let mut buf = Vec::new();
        io::stdin().read_to_end(&mut buf).context("reading stdin")?;
        stdin_bytes = buf;
        let src = text(&stdin_bytes)?;
        (src, run(src, &options, &|_| None)?)
    } else {
        let sources: Vec<files::Source> = paths.into_iter().map(files::Source::of).collect();
        loaded = files::load(&sources, &mut io::stdin())?;
        if loaded.text.trim().is_empty() {
            return Err(InputError::NoObjects.into());
        }
        let outcome = run(&loaded.text, &options, &|offset| loaded.origin(offset))?;
        // `-` alone is stdin, which may carry a ResourceList (`kpt fn source | … explain -`).
        let only_stdin = sources.iter().all(|s| *s == files::Source::Stdin);
        if outcome.framing() == Framing::ResourceList && !only_stdin {
            return Err(InputError::ResourceListFile.into());
        }
        (loaded.text.as_str(), outcome)
    };

    let code = if outcome.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    };
    if let Some(format) = explain
        && let Some(report) = outcome.take_explanation()
    {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        // SARIF locates results at the line of their object in the files read (a ResourceList
        // names its items' files, not their lines).
        let located = match (format, outcome.framing()) {
            (Format::Sarif, Framing::Stream) => report.sarif(&|offset| loaded.line(offset)),
            _ => report.render(format),
        };
        out.write_all(located.as_bytes())
            .and_then(|()| out.flush())
            .context("writing stdout")?;
        return Ok(code);
    }

    let stderr = io::stderr();
    let mut err = stderr.lock();
    for result in outcome.stderr_results() {
        let _ = writeln!(err, "{result}");
    }
    if outcome.writes_output() {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        outcome
            .write_output(src.as_bytes(), &mut out)
            .and_then(|()| out.flush())
            .context("writing stdout")?;
    }
    Ok(code)
}
