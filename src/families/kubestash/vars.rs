//! The variables of a KubeStash target: only its `variables.kubestash.com/<name>` annotations,
//! verbatim (docs/spec-kubestash.md K4); there are no built-in ones.

use std::cell::Cell;

use super::VARIABLE_PREFIX;
use super::targets::Target;
use crate::engine::envsubst;
use crate::engine::expand::Variables;

pub struct Vars<'t> {
    values: Vec<(&'t str, &'t str)>,
    /// Which values were substituted.
    used: Vec<Cell<bool>>,
}

impl<'t> Vars<'t> {
    pub fn new(target: &'t Target) -> Self {
        let values = target
            .annotations
            .iter()
            .filter_map(|(key, a)| Some((key.strip_prefix(VARIABLE_PREFIX)?, a.value.as_str())))
            .collect::<Vec<_>>();
        let used = vec![Cell::new(false); values.len()];
        Vars { values, used }
    }

    /// The variables substituted so far, with their values, in the annotations' order.
    pub fn used(&self) -> impl Iterator<Item = (&'t str, &'t str)> + '_ {
        self.values
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| used.get())
            .map(|(value, _)| *value)
    }

    /// The variables no `${…}` can name: the envsubst library reads a name as a run of letters,
    /// digits and `_` (see `engine::envsubst`), so `${my.var}` and `${target-name}` are malformed.
    pub fn unreachable(&self) -> impl Iterator<Item = &'t str> + '_ {
        self.values
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| !envsubst::is_name(name))
    }
}

impl Variables for Vars<'_> {
    fn get(&self, name: &str) -> Option<String> {
        let i = self.values.iter().position(|(k, _)| *k == name)?;
        self.used[i].set(true);
        Some(self.values[i].1.to_owned())
    }

    fn unknown(&self, name: &str) -> String {
        format!(
            "the target has no {VARIABLE_PREFIX}{name} annotation, and the blueprint gives no \
             default (`${{{name}:=value}}`)"
        )
    }

    fn unreadable(&self, written: &str) -> Option<String> {
        let meant = envsubst::readable(written);
        if self.values.iter().any(|(k, _)| *k == written) {
            Some(format!(
                "the target's {VARIABLE_PREFIX}{written} annotation can never be used: rename \
                 it {VARIABLE_PREFIX}{meant} and write ${{{meant}}}"
            ))
        } else if self.values.iter().any(|(k, _)| *k == meant) {
            Some(format!("write ${{{meant}}}"))
        } else {
            None
        }
    }
}
