//! The option table: each option of `functionConfig` once, with what it takes, its default, its
//! line of help and where its value goes.

use std::fmt;

use super::policies::Policy;
use super::{Config, ConfigurationNamespace, MissingBlueprint};
use crate::engine::finding::Info;

/// One option of `functionConfig`.
pub struct Setting {
    /// The key in `data` (ConfigMap) or at the top level (typed form).
    pub name: &'static str,
    pub values: Values,
    /// The default as the option would be written; `None`: unset.
    pub default: Option<&'static str>,
    /// What it does, in a line of `--help`.
    pub help: &'static str,
}

/// A word a choice takes, and what it sets.
pub type Choice = (&'static str, fn(&mut Config));

/// What an option takes, with the setter its value goes to (so a kind of value and its setter
/// cannot disagree).
pub enum Values {
    /// One of these words, each with what it sets.
    OneOf(&'static [Choice]),
    /// `true` or `false`: a string in a ConfigMap, a YAML boolean in the typed form.
    Bool(fn(&mut Config, bool)),
    /// A namespace.
    Namespace(fn(&mut Config, String)),
    /// Classes of `info`: one string of names separated by commas (all a ConfigMap can hold),
    /// or in the typed form also a list of names.
    InfoClasses(fn(&mut Config, Vec<Info>)),
    /// Backup policies: a list (typed form), or YAML holding the list in one string (a
    /// ConfigMap, an ArgoCD parameter).
    Policies(fn(&mut Config, Vec<Policy>)),
}

impl Values {
    /// The words a choice or a boolean takes; none for free text.
    pub fn words(&self) -> Vec<&'static str> {
        match self {
            Values::OneOf(choices) => choices.iter().map(|(word, _)| *word).collect(),
            Values::Bool(_) => vec!["true", "false"],
            Values::Namespace(_) | Values::InfoClasses(_) | Values::Policies(_) => Vec::new(),
        }
    }
}

/// The values in a few words (`error|warning`, `a namespace`), as the "unknown option" error
/// and `--help` give them.
impl fmt::Display for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Values::OneOf(_) | Values::Bool(_) => write!(f, "{}", self.words().join("|")),
            Values::Namespace(_) => write!(f, "a namespace"),
            Values::InfoClasses(_) => write!(f, "info classes, comma-separated"),
            Values::Policies(_) => write!(f, "a list of backup policies"),
        }
    }
}

/// Every option, in the order `--help`, the "unknown option" error and the README list them.
pub const SETTINGS: [Setting; 7] = [
    Setting {
        name: "missingBlueprint",
        values: Values::OneOf(&[
            ("error", |c| c.missing_blueprint = MissingBlueprint::Error),
            ("warning", |c| {
                c.missing_blueprint = MissingBlueprint::Warning
            }),
        ]),
        default: Some("error"),
        help: "severity of a blueprint name with no blueprint",
    },
    Setting {
        name: "markGenerated",
        values: Values::Bool(|c, mark| c.mark_generated = mark),
        default: Some("true"),
        help: "mark generated objects so later runs update and prune them",
    },
    Setting {
        name: "defaultNamespace",
        values: Values::Namespace(|c, namespace| c.default_namespace = Some(namespace)),
        default: None,
        help: "namespace of targets that have none (ARGOCD_APP_NAMESPACE, set by ArgoCD for \
               plugins, wins over it)",
    },
    Setting {
        name: "configurationNamespace",
        values: Values::OneOf(&[
            ("blueprint", |c| {
                c.configuration_namespace = ConfigurationNamespace::Blueprint;
            }),
            ("target", |c| {
                c.configuration_namespace = ConfigurationNamespace::Target;
            }),
        ]),
        default: Some("blueprint"),
        help: "where a BackupConfiguration goes when its blueprint's template names no namespace",
    },
    Setting {
        name: "strict",
        values: Values::Bool(|c, strict| c.strict = strict),
        default: Some("false"),
        help: "every warning is an error: a target that gets nothing fails the run",
    },
    Setting {
        name: "silence",
        values: Values::InfoClasses(|c, classes| c.silence = classes),
        default: None,
        help: "info classes to leave out",
    },
    Setting {
        name: "policies",
        values: Values::Policies(|c, policies| c.policies = policies),
        default: None,
        help: "what every backup must give, checked: coverage, longest gap, restore depth, \
               copies (docs/policy.md)",
    },
];

/// The options with their values, as the "unknown option" error lists them.
pub fn summary() -> String {
    let options: Vec<String> = SETTINGS
        .iter()
        .map(|setting| format!("{} ({})", setting.name, setting.values))
        .collect();
    options.join(", ")
}

/// A DNS-1123 label as a JSON Schema pattern (the length is `maxLength`).
const LABEL_PATTERN: &str = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

/// The JSON Schema (draft-07) of `functionConfig` in both forms, made from the option table so
/// that editors validate and complete what the reader takes: `fn-config/` files name it with a
/// `yaml-language-server: $schema=` comment, and a test holds the shipped file to this.
pub fn json_schema() -> String {
    use serde_json::{Map, Value, json};
    let classes = Info::ALL.map(Info::name);
    // `a, b`: names separated by commas, blanks around them allowed, as the reader splits them.
    let class = format!("({})", classes.join("|"));
    let class_list = format!("^\\s*({class}\\s*(,\\s*{class}\\s*)*)?$");
    let mut typed = Map::new();
    let mut data = Map::new();
    for setting in &SETTINGS {
        let (as_typed, as_string) = match setting.values {
            Values::OneOf(_) => {
                let words = json!({"enum": setting.values.words()});
                (words.clone(), words)
            }
            Values::Bool(_) => (
                json!({"type": "boolean"}),
                json!({"enum": ["true", "false"]}),
            ),
            Values::Namespace(_) => {
                let label = json!({"type": "string", "pattern": LABEL_PATTERN, "maxLength": 63});
                (label.clone(), label)
            }
            Values::InfoClasses(_) => {
                let text = json!({"type": "string", "pattern": class_list});
                let list = json!({"type": "array", "items": {"enum": classes}});
                (json!({"anyOf": [text.clone(), list]}), text)
            }
            Values::Policies(_) => {
                let text = json!({"type": "string"});
                (json!({"anyOf": [text.clone(), policies_schema()]}), text)
            }
        };
        for (schema, holder) in [(as_typed, &mut typed), (as_string, &mut data)] {
            let mut schema = schema;
            let default = setting.default.unwrap_or("none");
            let description = format!("{} (default {default})", setting.help);
            schema["description"] = Value::String(description);
            holder.insert(setting.name.to_owned(), schema);
        }
    }
    typed.insert(
        "apiVersion".into(),
        json!({"const": super::TYPED_API_VERSION}),
    );
    typed.insert("kind".into(), json!({"const": super::TYPED_KIND}));
    typed.insert("metadata".into(), json!({"type": "object"}));
    let schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "stash-autobackup functionConfig",
        "description": "The options of stash-autobackup: a ConfigMap with the options in data \
                        (every value a string), or the typed StashAutoBackup object. Written from \
                        the function's option table; see the README's FunctionConfig section.",
        "oneOf": [
            {
                "title": "StashAutoBackup",
                "type": "object",
                "required": ["apiVersion", "kind"],
                "properties": typed,
                "additionalProperties": false
            },
            {
                "title": "ConfigMap",
                "type": "object",
                "required": ["apiVersion", "kind"],
                "properties": {
                    "apiVersion": {"const": "v1"},
                    "kind": {"const": "ConfigMap"},
                    "metadata": {"type": "object"},
                    "data": {"type": "object", "properties": data, "additionalProperties": false}
                },
                "additionalProperties": false
            }
        ]
    });
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON Schema of the typed form's list of policies, as `policies::read` takes it.
fn policies_schema() -> serde_json::Value {
    use serde_json::json;
    let strings = json!({"type": "array", "items": {"type": "string", "minLength": 1}});
    let namespaces = json!({"type": "array", "items": {"type": "string", "pattern": LABEL_PATTERN, "maxLength": 63}});
    let duration = json!({"type": "string", "pattern": "^\\+?(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h|d|w))+$"});
    let expression = json!({
        "type": "object",
        "required": ["key", "operator"],
        "properties": {
            "key": {"type": "string", "minLength": 1},
            "operator": {"enum": ["In", "NotIn", "Exists", "DoesNotExist"]},
            "values": strings
        },
        "additionalProperties": false
    });
    json!({
        "type": "array",
        "items": {
            "type": "object",
            "required": ["name", "require"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "select": {
                    "type": "object",
                    "properties": {
                        "kinds": strings,
                        "namespaces": namespaces,
                        "labelSelector": {
                            "type": "object",
                            "properties": {
                                "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
                                "matchExpressions": {"type": "array", "items": expression}
                            },
                            "additionalProperties": false
                        }
                    },
                    "additionalProperties": false
                },
                "require": {
                    "type": "object",
                    "minProperties": 1,
                    "properties": {
                        "backup": {"type": "boolean"},
                        "maxInterval": duration,
                        "minRetention": duration,
                        "minCopies": {"type": "integer", "minimum": 1}
                    },
                    "additionalProperties": false
                },
                "severity": {"enum": ["error", "warning"]}
            },
            "additionalProperties": false
        }
    })
}

/// Where the help of an option starts, and where lines end.
const COLUMN: usize = 38;
const WIDTH: usize = 100;

/// The options' lines of `--help`: `name: values`, then the help and the default, wrapped.
pub fn help() -> String {
    let mut out = String::new();
    for setting in &SETTINGS {
        let mut help = setting.help.to_owned();
        if let Values::InfoClasses(_) = setting.values {
            help = format!("{help}: {}", Info::ALL.map(Info::name).join(", "));
        }
        let mut words: Vec<String> = help.split_whitespace().map(str::to_owned).collect();
        // One word, so that the default is never cut from its option.
        words.push(format!("(default {})", setting.default.unwrap_or("none")));
        wrap(
            &format!("    {}: {}", setting.name, setting.values),
            &words,
            &mut out,
        );
    }
    out
}

/// `head`, then `words` from [`COLUMN`] on (on a line of their own when `head` reaches it).
fn wrap(head: &str, words: &[String], out: &mut String) {
    let mut line = head.to_owned();
    if line.chars().count() + 2 > COLUMN {
        out.push_str(&line);
        out.push('\n');
        line.clear();
    }
    let mut empty = true;
    for word in words {
        let used = line.chars().count().max(COLUMN);
        if !empty && used + 1 + word.chars().count() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line.clear();
            empty = true;
        }
        let pad = COLUMN.saturating_sub(line.chars().count());
        line.push_str(&" ".repeat(pad));
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::tree::NodeId;

    /// Each option's lines of `help()`: from its `name: values` to the next option's.
    fn help_of(help: &str, setting: &Setting) -> String {
        let head = format!("    {}: {}", setting.name, setting.values);
        let start = help
            .find(&head)
            .unwrap_or_else(|| panic!("--help lists {head}"));
        let rest = &help[start + head.len()..];
        let end = SETTINGS
            .iter()
            .filter_map(|other| rest.find(&format!("\n    {}: ", other.name)))
            .min()
            .unwrap_or(rest.len());
        rest[..end].split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn help_lists_every_option_with_its_values_and_default() {
        let help = help();
        for setting in &SETTINGS {
            let lines = help_of(&help, setting);
            let default = format!("(default {})", setting.default.unwrap_or("none"));
            assert!(lines.starts_with(setting.help), "{lines}");
            assert!(lines.ends_with(&default), "{lines}");
        }
        assert!(
            help.lines().all(|line| line.chars().count() <= WIDTH),
            "{help}"
        );
        for class in Info::ALL {
            assert!(
                help.contains(class.name()),
                "--help names the class {}",
                class.name()
            );
        }
    }

    /// The title ArgoCD's UI shows for an option: its name in words (`missingBlueprint`:
    /// "Missing blueprint").
    fn title(name: &str) -> String {
        let mut title = String::new();
        for c in name.chars() {
            match (title.is_empty(), c.is_ascii_uppercase()) {
                (true, _) => title.push(c.to_ascii_uppercase()),
                (false, true) => {
                    title.push(' ');
                    title.push(c.to_ascii_lowercase());
                }
                (false, false) => title.push(c),
            }
        }
        title
    }

    /// What the ArgoCD plugin announces of an option (`spec.parameters.static`): its name, a
    /// title, its values, what it does and its default as the tooltip, and the default as the
    /// announced value. Every value is one string (a ConfigMap's, as `kpt fn eval -- k=v`
    /// gives), so the collection is a string; a boolean says so for the UI. Strings are JSON,
    /// which YAML reads alike and which no reader takes for a boolean.
    fn announcement(setting: &Setting) -> String {
        let quote = |text: &str| serde_json::to_string(text).expect("a string");
        let mut tooltip = format!("{}: {}", setting.values, setting.help);
        if let Values::InfoClasses(_) = setting.values {
            let classes = Info::ALL.map(Info::name).join(", ");
            tooltip.push_str(&format!(" ({classes})"));
        }
        tooltip.push_str(&format!("; default {}", setting.default.unwrap_or("none")));
        let item_type = match setting.values {
            Values::Bool(_) => "boolean",
            _ => "string",
        };
        let mut yaml = format!(
            "    - name: {}\n      title: {}\n      tooltip: {}\n      collectionType: string\n      \
             itemType: {item_type}\n",
            quote(setting.name),
            quote(&title(setting.name)),
            quote(&tooltip),
        );
        if let Some(default) = setting.default {
            yaml.push_str(&format!("      string: {}\n", quote(default)));
        }
        yaml
    }

    /// The ArgoCD plugin announces every option as a parameter, as the table has it, and
    /// nothing else: its `parameters` are the ones made from the table (the failure prints
    /// them, to paste into examples/argocd/plugin.yaml).
    #[test]
    fn the_argocd_plugin_announces_every_option() {
        let plugin = include_str!("../../../examples/argocd/plugin.yaml");
        let items: String = SETTINGS.iter().map(announcement).collect();
        let wanted = format!("  parameters:\n    static:\n{items}");
        assert!(
            plugin.contains(&wanted),
            "examples/argocd/plugin.yaml must announce:\n{wanted}"
        );
        let (tree, root) = crate::yaml::events::capture_first(plugin).expect("YAML");
        let at = |node: Option<NodeId>, key: &str| node.and_then(|n| tree.lookup(n, key));
        let parameters = at(at(root, "spec"), "parameters");
        let keys: Vec<&str> = parameters
            .and_then(|p| tree.entries(p))
            .unwrap_or_default()
            .iter()
            .filter_map(|(key, _)| tree.scalar(*key))
            .collect();
        assert_eq!(keys, ["static"], "no dynamic announcements");
        let names: Vec<&str> = at(parameters, "static")
            .and_then(|s| tree.items(s))
            .unwrap_or_default()
            .iter()
            .filter_map(|item| at(Some(*item), "name").and_then(|n| tree.scalar(n)))
            .collect();
        let options: Vec<&str> = SETTINGS.iter().map(|setting| setting.name).collect();
        assert_eq!(names, options, "the announced parameters");
    }

    /// The README's "FunctionConfig" table: one row per option, in the table's order, with the
    /// table's values and default.
    #[test]
    fn the_readme_table_is_the_option_table() {
        let readme = include_str!("../../../README.md");
        let section = readme
            .split("\n## FunctionConfig\n")
            .nth(1)
            .expect("a FunctionConfig section");
        let rows: Vec<Vec<&str>> = section
            .lines()
            .skip_while(|line| !line.starts_with('|'))
            .take_while(|line| line.starts_with('|'))
            .skip(2) // the header and its rule
            .map(|line| line.trim_matches('|').split(" | ").map(str::trim).collect())
            .collect();
        let names: Vec<&str> = rows.iter().map(|row| row[0].trim_matches('`')).collect();
        let options: Vec<&str> = SETTINGS.iter().map(|setting| setting.name).collect();
        assert_eq!(names, options, "the README's options");
        for (row, setting) in rows.iter().zip(&SETTINGS) {
            let words = setting.values.words();
            let values = match words.is_empty() {
                true => setting.values.to_string(),
                false => words
                    .iter()
                    .map(|w| format!("`{w}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let default = setting
                .default
                .map_or("none".to_owned(), |d| format!("`{d}`"));
            assert_eq!(row[1], values, "the README's values of {}", setting.name);
            assert_eq!(row[2], default, "the README's default of {}", setting.name);
        }
    }
}
