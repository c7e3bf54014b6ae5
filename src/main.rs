//! The command line: read the input, run the function, write the output, set the exit code.

mod cli;

use std::io::{self, Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use cli::argocd;
use cli::args::{self, Command, HELP};
use cli::files;
use stash_autobackup::error::InputError;
use stash_autobackup::{Format, Framing, KrmResult, Options, Severity, run, text};

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

/// `explain --base OLD NEW…`: runs both versions and prints what the change does to backups.
/// The exit status is 1 when the new version's run has errors, or when `fail_on_weakens` and the
/// change weakens protection.
fn review_change(
    base: &std::path::Path,
    paths: Vec<std::path::PathBuf>,
    options: &Options<'_>,
    format: Format,
    fail_on_weakens: bool,
) -> anyhow::Result<ExitCode> {
    let base_source = files::Source::of(base.to_path_buf());
    let new_sources: Vec<files::Source> = match paths.is_empty() {
        true => vec![files::Source::Stdin],
        false => paths.into_iter().map(files::Source::of).collect(),
    };
    if base_source == files::Source::Stdin && new_sources.contains(&files::Source::Stdin) {
        anyhow::bail!("only one of --base and the new version can be read from stdin (-)");
    }
    let mut sides = Vec::new();
    let mut new_errors = false;
    let mut loaded = files::Loaded::default();
    for (which, sources) in [
        ("the base version", vec![base_source]),
        ("the new version", new_sources),
    ] {
        let roots = sources.iter().map(files::Source::name).collect();
        loaded = files::load(&sources, &mut io::stdin())?;
        if loaded.text.trim().is_empty() {
            return Err(anyhow::Error::from(InputError::NoObjects).context(which));
        }
        let mut outcome = run(&loaded.text, options, &|offset| loaded.origin(offset))
            .with_context(|| format!("reading {which}"))?;
        new_errors = outcome.has_errors();
        // A version whose run has errors (other than failed policies, which the review shows)
        // generates less than it means to: the review would read that as backups removed or
        // added, so it says so.
        let policy = |r: &KrmResult| r.tag("class").is_some_and(|c| c.starts_with("policy-"));
        let errors: Vec<&KrmResult> = (outcome.stderr_results())
            .filter(|r| r.severity == Severity::Error && !policy(r))
            .collect();
        for result in &errors {
            eprintln!("{which}: {result}");
        }
        if !errors.is_empty() {
            eprintln!(
                "stash-autobackup: {which} has errors, so it generates less than it means to: \
                 the review compares what each version generates"
            );
        }
        let side = outcome.take_protection().unwrap_or_default();
        sides.push(side.read_from(roots));
    }
    let review = stash_autobackup::compare(&sides[0], &sides[1]);
    // Results are located in the new version's files, which `loaded` holds now.
    let text = match format {
        Format::Sarif => review.sarif(&|offset| loaded.line(offset)),
        _ => review.render(format),
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("writing stdout")?;
    let fails = new_errors || (fail_on_weakens && review.weakens());
    Ok(if fails {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn real_main() -> anyhow::Result<ExitCode> {
    let (config_path, paths, explain, review) =
        match args::parse().map_err(|e| anyhow::anyhow!("{e}; see --help"))? {
            Command::Help => {
                print!("{HELP}");
                return Ok(ExitCode::SUCCESS);
            }
            Command::Version => {
                println!("stash-autobackup {}", env!("CARGO_PKG_VERSION"));
                return Ok(ExitCode::SUCCESS);
            }
            Command::Run { config, paths } => (config, paths, None, None),
            Command::Explain {
                config,
                paths,
                format,
                base,
                fail_on_weakens,
            } => {
                let review = base.map(|base| (base, fail_on_weakens));
                (config, paths, Some(format), review)
            }
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
        explain: match (explain, &review) {
            (Some(_), None) => Some(now()?),
            _ => None,
        },
        review: review.is_some(),
        ..Options::default()
    };
    if let (Some((base, fail_on_weakens)), Some(format)) = (review, explain) {
        return review_change(&base, paths, &options, format, fail_on_weakens);
    }

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
