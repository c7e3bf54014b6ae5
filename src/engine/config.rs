//! The function's options, read from `functionConfig` (or `--config` in stream mode).
//!
//! Two forms are accepted: the `ConfigMap` kpt builds from `kpt fn eval -- key=value` (every value
//! a string) and the typed `StashAutoBackup` kind. Anything else is an error naming the key, so a
//! typo never silently falls back to a default.

use super::k8s_names::{self, NAMESPACE_RULE};
use crate::krm::results::{KrmResult, ResourceRef, Severity};
use crate::suggest;
use crate::yaml::tree::{Node, NodeId, Tree};
use granit_parser::ScalarStyle;

pub const TYPED_API_VERSION: &str = "autobackup.stash.appscode.com/v1alpha1";
pub const TYPED_KIND: &str = "StashAutoBackup";

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
}

/// The classes of `info` results, which a team may silence (`silence: missing-secret`).
/// Warnings and errors have none: each asks for a fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Info {
    /// Earlier output regenerated.
    Updated,
    /// Earlier output removed.
    Pruned,
    /// An annotated object of a kind the family does not back up.
    NotATarget,
    /// A storage Secret the generated objects need is not in the input.
    MissingSecret,
    /// A variable's value taken from the database's own version.
    VersionFromDatabase,
    /// A blueprint relies on the cluster's default storage or retention policy.
    ClusterDefault,
}

impl Info {
    pub const ALL: [Info; 6] = [
        Info::Updated,
        Info::Pruned,
        Info::NotATarget,
        Info::MissingSecret,
        Info::VersionFromDatabase,
        Info::ClusterDefault,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Info::Updated => "updated",
            Info::Pruned => "pruned",
            Info::NotATarget => "not-a-target",
            Info::MissingSecret => "missing-secret",
            Info::VersionFromDatabase => "version-from-database",
            Info::ClusterDefault => "cluster-default",
        }
    }

    fn named(name: &str) -> Option<Info> {
        Info::ALL.into_iter().find(|info| info.name() == name)
    }
}

/// The namespace of a generated object whose template names none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConfigurationNamespace {
    #[default]
    Blueprint,
    Target,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            missing_blueprint: MissingBlueprint::Error,
            mark_generated: true,
            default_namespace: None,
            configuration_namespace: ConfigurationNamespace::Blueprint,
            strict: false,
            silence: Vec::new(),
        }
    }
}

const OPTIONS: &str = "missingBlueprint (error|warning), markGenerated (true|false), \
     defaultNamespace (a namespace), configurationNamespace (blueprint|target), strict (true|false), \
     silence (info classes, comma-separated)";

/// The classes `silence` names: one string of names separated by commas (the only form a
/// ConfigMap can hold), or in the typed form a list of names.
fn silence(tree: &Tree<'_>, node: NodeId, typed: bool) -> Result<Vec<Info>, String> {
    let names: Vec<&str> = match (tree.scalar(node), tree.items(node)) {
        (Some(text), _) => text
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect(),
        (None, Some(items)) if typed => items
            .iter()
            .map(|item| tree.scalar(*item))
            .collect::<Option<_>>()
            .ok_or("silence must be a list of info classes")?,
        _ => {
            return Err(format!(
                "silence must be {}info classes separated by commas",
                if typed {
                    "a list of, or a string of, "
                } else {
                    "a string of "
                }
            ));
        }
    };
    let mut classes = Vec::new();
    for name in names {
        match Info::named(name) {
            Some(class) if !classes.contains(&class) => classes.push(class),
            Some(_) => {}
            None => {
                let known = Info::ALL.map(Info::name);
                let hint = suggest::closest(name, known)
                    .map(|meant| format!("did you mean `{meant}`? "))
                    .unwrap_or_default();
                return Err(format!(
                    "silence: `{name}` is no class of info; {hint}the classes are {}",
                    known.join(", ")
                ));
            }
        }
    }
    Ok(classes)
}

/// Reads the options; problems come back as error results and the defaults stand in.
pub fn read(tree: &Tree<'_>, node: Option<NodeId>) -> (Config, Vec<KrmResult>) {
    let mut config = Config::default();
    let mut problems = Vec::new();
    let Some(node) = node.filter(|n| !tree.is_null(*n)) else {
        return (config, problems);
    };
    let text = |key: &str| tree.lookup(node, key).and_then(|v| tree.scalar(v));
    let api_version = text("apiVersion").unwrap_or_default();
    let kind = text("kind").unwrap_or_default();
    let name = tree
        .lookup(node, "metadata")
        .and_then(|m| tree.lookup(m, "name"))
        .and_then(|n| tree.scalar(n))
        .unwrap_or_default();
    let reference = ResourceRef::new(api_version, kind, "", name);
    let mut error = |field: String, message: String| {
        problems.push(KrmResult {
            resource_ref: Some(reference.clone()),
            field: Some(field),
            ..KrmResult::new(Severity::Error, message)
        });
    };
    // An empty mapping holds no options, like an absent functionConfig.
    if tree.entries(node).is_some_and(<[_]>::is_empty) {
        return (config, problems);
    }
    let Some(entries) = tree.entries(node) else {
        error(
            String::new(),
            "functionConfig must be a ConfigMap or a StashAutoBackup object".into(),
        );
        return (config, problems);
    };

    let typed = match (api_version, kind) {
        ("v1", "ConfigMap") => false,
        (TYPED_API_VERSION, TYPED_KIND) => true,
        _ => {
            error(
                "kind".into(),
                format!(
                    "functionConfig {kind} ({api_version}) is not supported: use a ConfigMap with \
                     options in data, or apiVersion {TYPED_API_VERSION} kind {TYPED_KIND}"
                ),
            );
            return (config, problems);
        }
    };

    let options: Vec<(NodeId, NodeId)> = if typed {
        entries
            .iter()
            .copied()
            .filter(|(k, _)| !matches!(tree.scalar(*k), Some("apiVersion" | "kind" | "metadata")))
            .collect()
    } else {
        for (k, _) in entries {
            if !matches!(
                tree.scalar(*k),
                Some("apiVersion" | "kind" | "metadata" | "data")
            ) {
                let key = tree.scalar(*k).unwrap_or("?");
                error(
                    key.to_owned(),
                    format!("unexpected key `{key}` in the ConfigMap: options go under `data`"),
                );
            }
        }
        match tree.lookup(node, "data") {
            Some(data) if tree.is_null(data) => Vec::new(),
            Some(data) => match tree.entries(data) {
                Some(entries) => entries.to_vec(),
                None => {
                    error(
                        "data".into(),
                        "`data` must be a mapping of option names to strings".into(),
                    );
                    Vec::new()
                }
            },
            None => Vec::new(),
        }
    };
    let prefix = if typed { "" } else { "data." };

    for (k, v) in options {
        let Some(key) = tree.scalar(k) else {
            error(
                prefix.trim_end_matches('.').into(),
                "option names must be strings".into(),
            );
            continue;
        };
        let field = format!("{prefix}{key}");
        if key == "silence" {
            match silence(tree, v, typed) {
                Ok(classes) => config.silence = classes,
                Err(message) => error(field, message),
            }
            continue;
        }
        let value = tree.resolve(v).map(|v| tree.get(v));
        let (text, plain) = match value {
            Some(Node::Scalar { value, style, tag }) => (
                value.as_ref(),
                *style == ScalarStyle::Plain && tag.is_none(),
            ),
            _ => {
                error(field, format!("option `{key}` must be a scalar"));
                continue;
            }
        };
        match key {
            "missingBlueprint" => match text {
                "error" => config.missing_blueprint = MissingBlueprint::Error,
                "warning" => config.missing_blueprint = MissingBlueprint::Warning,
                other => error(
                    field,
                    format!("missingBlueprint must be `error` or `warning`, not `{other}`"),
                ),
            },
            "markGenerated" | "strict" => {
                // The typed form takes a YAML boolean; the ConfigMap form can only hold strings.
                let wants_plain = typed;
                match text {
                    "true" | "false" if plain == wants_plain || !typed => {
                        let slot = if key == "strict" {
                            &mut config.strict
                        } else {
                            &mut config.mark_generated
                        };
                        *slot = text == "true";
                    }
                    other => error(
                        field,
                        if typed && matches!(other, "true" | "false") {
                            format!(
                                "{key} must be the boolean true or false, not the string \"{other}\": \
                                 remove the quotes"
                            )
                        } else if typed {
                            format!("{key} must be the boolean true or false, not `{other}`")
                        } else {
                            format!("{key} must be \"true\" or \"false\", not `{other}`")
                        },
                    ),
                }
            }
            "configurationNamespace" => match text {
                "blueprint" => config.configuration_namespace = ConfigurationNamespace::Blueprint,
                "target" => config.configuration_namespace = ConfigurationNamespace::Target,
                other => error(
                    field,
                    format!(
                        "configurationNamespace must be `blueprint` or `target`, not `{other}`"
                    ),
                ),
            },
            "defaultNamespace" => {
                if k8s_names::is_dns_label(text) {
                    config.default_namespace = Some(text.to_owned());
                } else {
                    error(
                        field,
                        format!(
                            "defaultNamespace {text:?} is not a valid Kubernetes namespace ({NAMESPACE_RULE})"
                        ),
                    );
                }
            }
            other => error(
                field,
                format!("unknown option `{other}`; the options are {OPTIONS}"),
            ),
        }
    }
    (config, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::krm::read::{DocumentRoot, Interest, yaml};

    /// The options of a ResourceList whose functionConfig is `config` (YAML flow mapping).
    fn options(config: &str) -> (Config, Vec<String>) {
        let src = format!(
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: {config}\nitems: []\n"
        );
        let parsed = yaml::read(&src, &Interest::default()).expect("YAML");
        let DocumentRoot::Mapping(root) = &parsed.documents[0].root else {
            panic!("a mapping");
        };
        let (config, problems) = read(&parsed.tree, root.function_config);
        (config, problems.into_iter().map(|p| p.message).collect())
    }

    const MAP: &str = "{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {silence: ";
    const TYPED: &str = "{apiVersion: autobackup.stash.appscode.com/v1alpha1, kind: StashAutoBackup, metadata: {name: c}, silence: ";

    #[test]
    fn silence_takes_names_separated_by_commas_or_a_typed_list() {
        let (config, problems) = options(&format!("{MAP}' pruned,updated , ,pruned'}}}}"));
        assert_eq!(config.silence, [Info::Pruned, Info::Updated]);
        assert!(problems.is_empty(), "{problems:?}");
        let (config, problems) = options(&format!("{TYPED}[cluster-default, not-a-target]}}"));
        assert_eq!(config.silence, [Info::ClusterDefault, Info::NotATarget]);
        assert!(problems.is_empty(), "{problems:?}");
        let (config, _) = options(&format!("{MAP}''}}}}"));
        assert!(config.silence.is_empty());
    }

    #[test]
    fn silence_refuses_what_it_cannot_read() {
        for (config, wanted) in [
            (
                format!("{MAP}[pruned]}}}}"),
                "silence must be a string of info classes",
            ),
            (
                format!("{TYPED}{{a: b}}}}"),
                "silence must be a list of, or a string of,",
            ),
            (
                format!("{TYPED}[[pruned]]}}"),
                "silence must be a list of info classes",
            ),
            (
                format!("{TYPED}[prune]}}"),
                "silence: `prune` is no class of info; did you mean `pruned`?",
            ),
            (
                format!("{TYPED}[warnings]}}"),
                "silence: `warnings` is no class of info; the classes are",
            ),
        ] {
            let (read, problems) = options(&config);
            assert!(read.silence.is_empty(), "{config}");
            assert!(
                problems.len() == 1 && problems[0].starts_with(wanted),
                "{config}: {problems:?}"
            );
        }
    }
}
