//! The closing summary of a run: how many targets, how many generated objects the output holds,
//! errors and warnings (or that nothing was done while the options are wrong), and how many infos
//! were silenced.

use std::fmt;

use crate::engine::finding::Found;
use crate::engine::ownership;
use crate::krm::changes::Changes;
use crate::krm::object::Object;
use crate::krm::results::{KrmResult, Severity};

/// What a run did, counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Whether the options could be read (else nothing was generated or pruned).
    pub config_ok: bool,
    /// Whether the run read a stream, whose options come from `--config`, a `StashAutoBackup`
    /// or a Kptfile rather than a ResourceList's functionConfig.
    pub stream: bool,
    pub targets: usize,
    /// Generated objects in the output: appended, or earlier output left in its place.
    pub generated: usize,
    pub errors: usize,
    pub warnings: usize,
    pub silenced: usize,
}

impl Summary {
    /// The summary of a run over `objects` that counted `targets`, made `changes` and found
    /// `findings` (after `silenced` were left out), reading a stream when `stream`.
    pub fn new(
        objects: &[Object<'_>],
        changes: &Changes,
        findings: &[Found],
        targets: usize,
        config_ok: bool,
        silenced: usize,
        stream: bool,
    ) -> Self {
        let count = |severity| findings.iter().filter(|f| f.severity() == severity).count();
        let kept_in_place = objects
            .iter()
            .enumerate()
            .filter(|(i, o)| ownership::marker(o).is_some() && !changes.remove.contains(i))
            .count();
        Summary {
            config_ok,
            stream,
            targets,
            generated: changes.append.len() + kept_in_place,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            silenced,
        }
    }
}

impl Summary {
    /// Its kind, as its result's `tags.class` names it, beside the findings' kinds
    /// ([`crate::engine::finding::Finding::tag`]).
    pub fn tag(&self) -> &'static str {
        "summary"
    }

    /// The closing `info` result.
    pub fn to_result(self) -> KrmResult {
        KrmResult::new(Severity::Info, self.to_string()).tagged("class", self.tag())
    }
}

/// `3 targets`, `1 target`.
struct Plural(usize, &'static str);

impl fmt::Display for Plural {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Plural(n, word) = *self;
        write!(f, "{n} {word}{}", if n == 1 { "" } else { "s" })
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (errors, warnings) = (
            Plural(self.errors, "error"),
            Plural(self.warnings, "warning"),
        );
        // With an error nothing is written: stream mode prints nothing, and kpt and kustomize
        // write nothing when the function fails, so a count "in the output" would promise what
        // never lands.
        if self.config_ok && self.errors > 0 {
            write!(
                f,
                "stash-autobackup: {}, nothing written",
                Plural(self.targets, "target")
            )?;
            if self.generated > 0 {
                write!(
                    f,
                    " ({} held back until the errors are fixed)",
                    Plural(self.generated, "generated object")
                )?;
            }
            write!(f, ", {errors}, {warnings}")?;
        } else if self.config_ok {
            write!(
                f,
                "stash-autobackup: {}, {} in the output, {errors}, {warnings}",
                Plural(self.targets, "target"),
                Plural(self.generated, "generated object"),
            )?;
        } else {
            let options = if self.stream {
                "options are"
            } else {
                "functionConfig is"
            };
            write!(
                f,
                "stash-autobackup: nothing generated or pruned until the {options} fixed, \
                 {errors}, {warnings}"
            )?;
        }
        if self.silenced > 0 {
            write!(f, ", {} silenced", Plural(self.silenced, "info"))?;
        }
        Ok(())
    }
}
