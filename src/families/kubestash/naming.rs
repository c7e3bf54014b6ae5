//! Where a target's BackupConfiguration goes and what it is named (K5): the template's
//! namespace, else the blueprint's or the target's as the options say (warning once per
//! blueprint when the two readings differ); `<kind>-<target>`, prefixed with the target's
//! namespace when it lives elsewhere.

use std::collections::HashSet;
use std::fmt;

use super::TEMPLATE;
use super::blueprint::Blueprint;
use super::targets::{self, Target};
use crate::engine::config::{Config, ConfigurationNamespace};
use crate::engine::family::Input;
use crate::engine::finding::Finding;
use crate::engine::k8s_names::{self, NAME_RULE, NAMESPACE_RULE};
use crate::engine::reconcile::Proposals;
use crate::families::common::kinds;
use crate::krm::object::ItemIndex;
use crate::krm::results::{ResourceRef, Severity};
use crate::yaml::emit::Value;

/// Kubernetes names CronJobs and Jobs after the BackupConfiguration; over this, it refuses them.
const LABEL_MAX: usize = 63;

/// Blueprints already told that the two readings of their namespace differ.
#[derive(Debug, Default)]
pub struct Naming {
    noted_readings: HashSet<ItemIndex>,
}

/// A target's part in where its BackupConfiguration goes.
pub struct Placed<'p> {
    pub annotated: ItemIndex,
    /// The target's namespace: its own, or the default one.
    pub namespace: &'p str,
    pub blueprint: &'p Blueprint,
}

impl Naming {
    /// The BackupConfiguration's namespace: the template's (`written`, substituted), else the
    /// blueprint's or the target's as configured; `None` when the template's is no namespace.
    pub fn namespace(
        &mut self,
        input: &Input<'_, '_>,
        config: &Config,
        placed: &Placed<'_>,
        written: Option<&Value<'_>>,
        out: &mut Proposals<'_, '_>,
    ) -> Option<String> {
        let Placed {
            annotated,
            namespace,
            blueprint,
        } = *placed;
        let written = written.and_then(Value::scalar).filter(|ns| !ns.is_empty());
        if let Some(ns) = written {
            if !k8s_names::is_dns_label(&ns) {
                let invalid = NamingFinding::TemplateNamespaceInvalid {
                    namespace: ns.into_owned(),
                    target: ResourceRef::of(input.object(annotated)),
                };
                out.found(blueprint.object, invalid).field = Some(format!("{TEMPLATE}.namespace"));
                return None;
            }
            return Some(ns.into_owned());
        }
        if blueprint.namespace == namespace {
            return Some(namespace.to_owned());
        }
        let readings = readings(config, &blueprint.namespace, namespace);
        let chosen = readings.chosen.clone();
        // One warning per blueprint: the fix is one field of it.
        if self.noted_readings.insert(blueprint.object) {
            let readings = Readings {
                target: ResourceRef::of(input.object(annotated)),
                ..readings
            };
            out.found(blueprint.object, NamingFinding::ReadingsDiffer(readings))
                .field = Some(format!("{TEMPLATE}.namespace"));
        }
        Some(chosen)
    }
}

/// The two readings of where a BackupConfiguration goes when its template names no namespace,
/// the configured one first.
fn readings(config: &Config, blueprint: &str, target: &str) -> Readings {
    let (blueprint, target) = (blueprint.to_owned(), target.to_owned());
    match config.configuration_namespace {
        ConfigurationNamespace::Blueprint => Readings {
            target: ResourceRef::default(),
            reading: "the blueprint's, as KubeStash's API documentation says,",
            chosen: blueprint,
            other_reading: "the target's",
            other: target,
            option: "configurationNamespace: target",
        },
        ConfigurationNamespace::Target => Readings {
            target: ResourceRef::default(),
            reading: "the target's, as the configurationNamespace option asks,",
            chosen: target,
            other_reading: "the blueprint's",
            other: blueprint,
            option: "configurationNamespace: blueprint",
        },
    }
}

/// The BackupConfiguration's name, for the target whose namespace is `namespace`, when it goes
/// to `config_namespace`; `None` when Kubernetes would refuse it (reported), a warning when
/// the operator's CronJobs and Jobs could not carry it.
pub fn name(
    target: &Target,
    namespace: &str,
    config_namespace: &str,
    annotated: ItemIndex,
    out: &mut Proposals<'_, '_>,
) -> Option<String> {
    let kind = targets::watched_kind(target);
    let elsewhere = (config_namespace != namespace).then_some(namespace);
    let name = kinds::object_name(&kind, &target.name, elsewhere);
    if !k8s_names::is_dns_subdomain(&name) {
        out.found(annotated, NamingFinding::NameTooLong { name })
            .field = Some("metadata.name".into());
        return None;
    }
    if name.len() > LABEL_MAX {
        let over = NamingFinding::NameOver63 { name: name.clone() };
        out.found(annotated, over).field = Some("metadata.name".into());
    }
    Some(name)
}

/// Where the BackupConfiguration of a blueprint whose template names no namespace goes.
#[derive(Debug)]
pub struct Readings {
    /// The first target in another namespace.
    pub target: ResourceRef,
    /// The reading chosen, worded (`the blueprint's, as KubeStash's API documentation says,`).
    pub reading: &'static str,
    pub chosen: String,
    pub other_reading: &'static str,
    pub other: String,
    /// The option that chooses the other reading.
    pub option: &'static str,
}

/// What naming and placing a BackupConfiguration finds.
#[derive(Debug)]
pub enum NamingFinding {
    TemplateNamespaceInvalid {
        namespace: String,
        target: ResourceRef,
    },
    ReadingsDiffer(Readings),
    NameTooLong {
        name: String,
    },
    NameOver63 {
        name: String,
    },
}

impl fmt::Display for NamingFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NamingFinding::TemplateNamespaceInvalid { namespace, target } => write!(
                f,
                "{TEMPLATE}.namespace is {namespace:?} for {target}, which is not a namespace \
                 ({NAMESPACE_RULE})"
            ),
            NamingFinding::ReadingsDiffer(r) => write!(
                f,
                "the template names no namespace and targets in other namespaces use this \
                 blueprint ({} first): their BackupConfigurations go to {} namespace ({} for \
                 this one); KubeStash's operator notes also read it as {} ({}). Set \
                 {TEMPLATE}.namespace to decide, or give the option {}",
                r.target, r.reading, r.chosen, r.other_reading, r.other, r.option
            ),
            NamingFinding::NameTooLong { name } => write!(
                f,
                "the BackupConfiguration's name `{name}` would be longer than Kubernetes allows \
                 ({NAME_RULE}); shorten the target's name"
            ),
            NamingFinding::NameOver63 { name } => write!(
                f,
                "the BackupConfiguration's name `{name}` has {} characters: the operator names \
                 CronJobs and Jobs after it, and Kubernetes refuses those over 63 (52 for a \
                 CronJob); shorten the target's name",
                name.len()
            ),
        }
    }
}

impl Finding for NamingFinding {
    fn severity(&self) -> Severity {
        match self {
            NamingFinding::ReadingsDiffer(_) | NamingFinding::NameOver63 { .. } => {
                Severity::Warning
            }
            _ => Severity::Error,
        }
    }

    fn tag(&self) -> &'static str {
        match self {
            NamingFinding::TemplateNamespaceInvalid { .. } => "invalid-template-namespace",
            NamingFinding::ReadingsDiffer(_) => "namespace-readings-differ",
            NamingFinding::NameTooLong { .. } => "name-too-long",
            NamingFinding::NameOver63 { .. } => "name-over-63",
        }
    }
}
