//! The `${TARGET_*}` variables a Stash blueprint may use, with their values for one target
//! (docs/spec.md §5): a database's AppBinding has eight, a workload five, a
//! PersistentVolumeClaim four.

use std::cell::Cell;

use super::APPBINDING_API_VERSION;
use super::targets::{App, Target};
use crate::engine::envsubst;
use crate::engine::expand::Variables;
use crate::families::common::subjects::Makeup;
use crate::suggest;

/// The variables of one target.
pub struct Vars {
    values: Vec<(&'static str, String)>,
    /// The kind of target, for the message about an unknown variable.
    kind: &'static str,
    /// A bit per value, set when it was substituted.
    used: Cell<u16>,
}

impl Vars {
    /// The variables of `target` (`app` for a database), whose namespace (its own, or the
    /// default) is `namespace`.
    pub fn new(target: &Target, app: Option<&App>, namespace: &str) -> Self {
        let mut values = Vec::with_capacity(8);
        let kind = match (&target.makeup, app) {
            (Makeup::Database { .. }, app) => {
                let app_type = app.map_or("", |a| a.app_type.as_str());
                let app_version = app.and_then(|a| a.version.as_deref());
                let (group, resource) = match app_type.rsplit_once('/') {
                    Some((g, r)) => (g.to_owned(), r.to_owned()),
                    None => (String::new(), app_type.to_owned()),
                };
                values.extend([
                    ("TARGET_API_VERSION", APPBINDING_API_VERSION.to_owned()),
                    ("TARGET_KIND", "appbinding".to_owned()),
                    ("TARGET_NAME", target.name.clone()),
                    ("TARGET_NAMESPACE", namespace.to_owned()),
                    ("TARGET_APP_TYPE", app_type.to_owned()),
                    ("TARGET_APP_GROUP", group),
                    ("TARGET_APP_RESOURCE", resource),
                    (
                        "TARGET_APP_VERSION",
                        app_version.unwrap_or_default().to_owned(),
                    ),
                ]);
                "AppBinding"
            }
            (Makeup::Object { kind, .. }, _) => {
                values.extend([
                    ("TARGET_API_VERSION", kind.api_version.to_owned()),
                    ("TARGET_KIND", kind.kind.to_lowercase()),
                    ("TARGET_NAME", target.name.clone()),
                    ("TARGET_NAMESPACE", namespace.to_owned()),
                ]);
                if kind.workload {
                    values.push(("TARGET_RESOURCE", kind.resource.to_owned()));
                }
                kind.kind
            }
        };
        Vars {
            values,
            kind,
            used: Cell::new(0),
        }
    }

    /// Whether `TARGET_APP_VERSION` was substituted.
    pub fn used_version(&self) -> bool {
        self.used().any(|(name, _)| name == "TARGET_APP_VERSION")
    }

    /// The variables substituted so far, with their values, in the order of docs/spec.md §5.
    pub fn used(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let used = self.used.get();
        self.values
            .iter()
            .enumerate()
            .filter(move |(i, _)| used & (1 << i) != 0)
            .map(|(_, (name, value))| (*name, value.as_str()))
    }
}

impl Variables for Vars {
    fn get(&self, name: &str) -> Option<String> {
        let i = self.values.iter().position(|(k, _)| *k == name)?;
        self.used.set(self.used.get() | 1 << i);
        Some(self.values[i].1.clone())
    }

    fn unknown(&self, name: &str) -> String {
        let names: Vec<&str> = self.values.iter().map(|(k, _)| *k).collect();
        if self.kind == "AppBinding" {
            return format!("the known ones are {}", names.join(", "));
        }
        let mut message = format!("a {} target has {}", self.kind, names.join(", "));
        if name.starts_with("TARGET_APP_") {
            message
                .push_str(" (the TARGET_APP_* variables exist only for databases and AppBindings)");
        }
        message
    }

    fn unreadable(&self, written: &str) -> Option<String> {
        // `${target-name}` means `${TARGET_NAME}`: the names are fixed and upper-case.
        let meant = envsubst::readable(written).to_uppercase();
        let names = self.values.iter().map(|(k, _)| *k);
        if let Some(name) = names.clone().find(|k| *k == meant) {
            return Some(format!("write ${{{name}}}"));
        }
        if let Some(name) = suggest::closest(&meant, names) {
            return Some(format!("did you mean ${{{name}}}?"));
        }
        // A `-` may be bash's default, which the caller explains; else say what there is.
        (!written.contains('-')).then(|| self.unknown(&meant))
    }
}
