//! The variables of a KubeStash target: only its `variables.kubestash.com/<name>` annotations,
//! verbatim (SPEC-kubestash K4); there are no built-in ones.

use super::VARIABLE_PREFIX;
use super::targets::Target;
use crate::engine::envsubst;
use crate::engine::expand::Variables;

pub struct Vars<'t> {
    values: Vec<(&'t str, &'t str)>,
}

impl<'t> Vars<'t> {
    pub fn new(target: &'t Target) -> Self {
        let values = target
            .annotations
            .iter()
            .filter_map(|(key, a)| Some((key.strip_prefix(VARIABLE_PREFIX)?, a.value.as_str())))
            .collect();
        Vars { values }
    }

    /// The variables no `${…}` can name: the envsubst library reads a name as a run of letters,
    /// digits, `_` and `-` (see `engine::envsubst`), so `${my.var}` is malformed.
    pub fn unreachable(&self) -> impl Iterator<Item = &'t str> + '_ {
        self.values
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| !envsubst::is_name(name))
    }
}

impl Variables for Vars<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }

    fn unknown(&self, name: &str) -> String {
        format!(
            "the target has no {VARIABLE_PREFIX}{name} annotation, and the blueprint gives no \
             default (`${{{name}:=value}}`)"
        )
    }
}
