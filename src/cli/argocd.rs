//! An ArgoCD Application's parameters (`spec.source.plugin.parameters`), as ArgoCD hands them
//! to a config management plugin's commands, turned into the options they name: each value one
//! string, as a ConfigMap's `data` holds it, which the library reads as it reads any options.
//!
//! For every command of a plugin, ArgoCD's repo-server sets (`Environ` of
//! `ApplicationSourcePluginParameters` in `pkg/apis/application/v1alpha1/types.go`, the same
//! since v2.6; documented in "Config Management Plugins", "Using environment variables in your
//! plugin"):
//!
//! * `ARGOCD_APP_PARAMETERS`: the parameters as one JSON list, `[{"name": "strict", "string":
//!   "true"}]`, with `"array": [...]` or `"map": {...}` in place of `"string"` for the other
//!   kinds of value. It is `null` when the Application's `plugin` has no parameters, and unset
//!   when the Application has no `plugin` at all.
//! * `PARAM_<NAME>=<value>` for each, NAME being the name upper-cased with every character other
//!   than `A-Z`, `0-9` and `_` made `_` (`missingBlueprint`: `PARAM_MISSINGBLUEPRINT`); an
//!   array's items as `PARAM_<NAME>_<index>`, a map's entries as `PARAM_<NAME>_<KEY>`.
//!
//! The list is what is read: it has the names as they are written, while the variables' names
//! lose case and can collide (`PARAM_A_B` is the parameter `a-b`, `a_b`, or the key `b` of the map
//! `a`). The variables are checked against it, so that one ArgoCD did not make from the list
//! (set on the sidecar by hand, say, as if it were a default) is an error rather than a setting
//! silently ignored. That check runs only where ArgoCD runs the plugin (`ARGOCD_APP_NAME` or
//! `ARGOCD_APP_PARAMETERS` set): elsewhere a `PARAM_` variable is somebody else's.
//!
//! The Application's `env` entries (`ARGOCD_ENV_<name>`) are not read: they are free-form
//! variables for plugin scripts, which ArgoCD neither announces nor shows as settings, and the
//! options have their one channel in the parameters, which the UI lists with their values.

use std::collections::HashMap;
use std::ffi::OsString;

use serde_json::Value;

/// The variable ArgoCD puts the parameters in, as JSON.
pub const PARAMETERS: &str = "ARGOCD_APP_PARAMETERS";

/// Set by ArgoCD for every command of a plugin: the Application's name.
const APP_NAME: &str = "ARGOCD_APP_NAME";

/// The prefix of the variables ArgoCD makes from each parameter.
const PARAM: &str = "PARAM_";

/// Why the parameters ArgoCD gave cannot be read. Each names the parameter or the variable.
#[derive(Debug, thiserror::Error)]
pub enum ParameterError {
    #[error("{PARAMETERS} is not UTF-8")]
    NotUtf8,

    #[error("{PARAMETERS} is no JSON list of parameters: {0}")]
    NotJson(String),

    #[error(
        "{PARAMETERS}: item {index} is no parameter: expected {{\"name\": ..., \"string\": ...}}"
    )]
    NotParameter { index: usize },

    #[error("{PARAMETERS}: item {index} has no name")]
    NoName { index: usize },

    #[error(
        "ArgoCD parameter `{name}` is {given}: each of stash-autobackup's parameters takes one \
         string (`string:` in the Application's spec.source.plugin.parameters)"
    )]
    NotString { name: String, given: &'static str },

    #[error("ArgoCD parameter `{name}` is given twice: give it once")]
    Twice { name: String },

    #[error(
        "{variable} is set, but no parameter in {PARAMETERS} makes it: ArgoCD makes the PARAM_ \
         variables from the Application's parameters, so set it there \
         (spec.source.plugin.parameters)"
    )]
    StrayVariable { variable: String },

    #[error(
        "{variable} is not what ArgoCD makes of parameter `{name}` in {PARAMETERS} (the two \
         differ): set the parameter in the Application, not the variable"
    )]
    VariableDiffers { variable: String, name: String },
}

/// The parameters in the environment `vars`, by name, in the Application's order: none outside
/// ArgoCD, or when the Application sets none.
pub fn parameters(
    vars: impl IntoIterator<Item = (OsString, OsString)>,
) -> Result<Vec<(String, String)>, ParameterError> {
    let vars: Vec<(OsString, OsString)> = vars.into_iter().collect();
    let var = |name: &str| vars.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v);
    if var(APP_NAME).is_none() && var(PARAMETERS).is_none() {
        return Ok(Vec::new());
    }
    let list = match var(PARAMETERS) {
        Some(text) => list(text.to_str().ok_or(ParameterError::NotUtf8)?)?,
        None => Vec::new(),
    };
    check_variables(&vars, &list)?;
    Ok(list)
}

/// The parameters of ARGOCD_APP_PARAMETERS's JSON.
fn list(text: &str) -> Result<Vec<(String, String)>, ParameterError> {
    let json: Value =
        serde_json::from_str(text).map_err(|e| ParameterError::NotJson(e.to_string()))?;
    let items = match json {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        _ => return Err(ParameterError::NotJson("not a list".to_owned())),
    };
    let mut list: Vec<(String, String)> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let (name, value) = parameter(index, item)?;
        if list.iter().any(|(seen, _)| *seen == name) {
            return Err(ParameterError::Twice { name });
        }
        list.push((name, value));
    }
    Ok(list)
}

/// One parameter of the list: its name and its string. ArgoCD writes `name` and the value's
/// kind (`string`, `array` or `map`); anything else is no parameter of its making.
fn parameter(index: usize, item: &Value) -> Result<(String, String), ParameterError> {
    let not_parameter = ParameterError::NotParameter { index };
    let Value::Object(fields) = item else {
        return Err(not_parameter);
    };
    let known = ["name", "string", "array", "map"];
    if fields.keys().any(|key| !known.contains(&key.as_str())) {
        return Err(not_parameter);
    }
    let name = match fields.get("name") {
        Some(Value::String(name)) if !name.is_empty() => name.clone(),
        None | Some(Value::String(_)) => return Err(ParameterError::NoName { index }),
        Some(_) => return Err(not_parameter),
    };
    let not_string = |given| ParameterError::NotString {
        name: name.clone(),
        given,
    };
    match (fields.get("string"), fields.get("array"), fields.get("map")) {
        (Some(Value::String(value)), None, None) => Ok((name, value.clone())),
        (Some(_), None, None) => Err(not_string("no string")),
        (None, Some(_), None) => Err(not_string("an array")),
        (None, None, Some(_)) => Err(not_string("a map")),
        (None, None, None) => Err(not_string("given without a value")),
        _ => Err(not_string("given more than one value")),
    }
}

/// ArgoCD's name for a parameter's variable: `PARAM_`, then the name upper-cased with every
/// character other than `A-Z`, `0-9` and `_` made `_` (Go's `strings.ToUpper`, then the
/// regular expression `[^A-Z0-9_]` over characters).
fn variable(name: &str) -> String {
    let escaped = name.chars().map(|c| {
        let mut upper = c.to_uppercase();
        match (upper.next(), upper.next()) {
            (Some(u @ ('A'..='Z' | '0'..='9' | '_')), None) => u,
            _ => '_',
        }
    });
    PARAM.chars().chain(escaped).collect()
}

/// Every `PARAM_` variable is one ArgoCD makes from `list`, with its value. (Were two
/// parameters to make one variable, ArgoCD sets the last one's value, as here.)
fn check_variables(
    vars: &[(OsString, OsString)],
    list: &[(String, String)],
) -> Result<(), ParameterError> {
    let made: HashMap<String, (&str, &str)> = list
        .iter()
        .map(|(name, value)| (variable(name), (name.as_str(), value.as_str())))
        .collect();
    for (key, value) in vars {
        let key = key.to_string_lossy();
        if !key.starts_with(PARAM) {
            continue;
        }
        match made.get(key.as_ref()) {
            None => {
                let variable = key.into_owned();
                return Err(ParameterError::StrayVariable { variable });
            }
            Some((name, made)) if value.to_str() != Some(*made) => {
                return Err(ParameterError::VariableDiffers {
                    variable: key.into_owned(),
                    name: (*name).to_owned(),
                });
            }
            Some(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        vars.iter().map(|(k, v)| (k.into(), v.into())).collect()
    }

    fn read(vars: &[(&str, &str)]) -> Result<Vec<(String, String)>, String> {
        parameters(env(vars)).map_err(|e| e.to_string())
    }

    fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_list_is_the_parameters_in_its_order() {
        let list =
            r#"[{"name":"strict","string":"true"},{"name":"silence","string":"pruned,updated"}]"#;
        let read = read(&[
            ("ARGOCD_APP_NAME", "shop"),
            (PARAMETERS, list),
            ("PARAM_STRICT", "true"),
            ("PARAM_SILENCE", "pruned,updated"),
        ]);
        assert_eq!(
            read.unwrap(),
            pairs(&[("strict", "true"), ("silence", "pruned,updated")])
        );
    }

    /// ArgoCD sets `null` for a `plugin` without parameters, and nothing without a `plugin`.
    #[test]
    fn no_parameters() {
        for vars in [
            &[("ARGOCD_APP_NAME", "shop"), (PARAMETERS, "null")][..],
            &[(PARAMETERS, "[]")],
            &[("ARGOCD_APP_NAME", "shop")],
            &[],
            // Outside ArgoCD a PARAM_ variable is somebody else's.
            &[("PARAM_STRICT", "true")],
        ] {
            assert_eq!(read(vars), Ok(Vec::new()), "{vars:?}");
        }
    }

    #[test]
    fn what_argocd_would_not_write_names_what_is_wrong() {
        for (list, wanted) in [
            ("", "ARGOCD_APP_PARAMETERS is no JSON list of parameters"),
            ("{", "ARGOCD_APP_PARAMETERS is no JSON list of parameters"),
            (
                r#"{"strict":"true"}"#,
                "is no JSON list of parameters: not a list",
            ),
            (r#"["strict"]"#, "item 0 is no parameter"),
            (
                r#"[{"name":"strict","value":"true"}]"#,
                "item 0 is no parameter",
            ),
            (r#"[{"string":"true"}]"#, "item 0 has no name"),
            (
                r#"[{"name":"silence","array":["pruned"]}]"#,
                "ArgoCD parameter `silence` is an array: each of stash-autobackup's parameters takes one string",
            ),
            (r#"[{"name":"strict","map":{}}]"#, "`strict` is a map"),
            (
                r#"[{"name":"strict","string":true}]"#,
                "`strict` is no string",
            ),
            (
                r#"[{"name":"strict"}]"#,
                "`strict` is given without a value",
            ),
            (
                r#"[{"name":"strict","string":"true","array":[]}]"#,
                "`strict` is given more than one value",
            ),
            (
                r#"[{"name":"strict","string":"true"},{"name":"strict","string":"false"}]"#,
                "ArgoCD parameter `strict` is given twice",
            ),
        ] {
            let error = read(&[(PARAMETERS, list)]).unwrap_err();
            assert!(error.contains(wanted), "{list}: {error}");
        }
    }

    /// Unknown names pass: the library's reader refuses them with the list of options.
    #[test]
    fn names_are_the_readers_to_judge() {
        let list = r#"[{"name":"dry-run","string":"x"}]"#;
        let read = read(&[(PARAMETERS, list), ("PARAM_DRY_RUN", "x")]);
        assert_eq!(read.unwrap(), pairs(&[("dry-run", "x")]));
    }

    #[test]
    fn variable_names_follow_argocd() {
        for (name, wanted) in [
            ("missingBlueprint", "PARAM_MISSINGBLUEPRINT"),
            ("some-string-param", "PARAM_SOME_STRING_PARAM"),
            ("a.b_c9", "PARAM_A_B_C9"),
            ("straße", "PARAM_STRA_E"),
        ] {
            assert_eq!(variable(name), wanted);
        }
    }

    /// A PARAM_ variable ArgoCD did not make from the list is an error naming it.
    #[test]
    fn variables_must_be_the_lists() {
        let list = r#"[{"name":"strict","string":"true"}]"#;
        for (vars, wanted) in [
            (
                &[
                    (PARAMETERS, list),
                    ("PARAM_STRICT", "true"),
                    ("PARAM_SILENCE", "pruned"),
                ][..],
                "PARAM_SILENCE is set, but no parameter in ARGOCD_APP_PARAMETERS makes it",
            ),
            (
                &[("ARGOCD_APP_NAME", "shop"), ("PARAM_STRICT", "true")],
                "PARAM_STRICT is set, but no parameter",
            ),
            (
                &[(PARAMETERS, "null"), ("PARAM_STRICT", "true")],
                "PARAM_STRICT is set, but no parameter",
            ),
            (
                &[(PARAMETERS, list), ("PARAM_STRICT", "false")],
                "PARAM_STRICT is not what ArgoCD makes of parameter `strict`",
            ),
        ] {
            let error = read(vars).unwrap_err();
            assert!(error.starts_with(wanted), "{vars:?}: {error}");
        }
    }
}
