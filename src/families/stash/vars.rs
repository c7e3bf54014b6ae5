//! The `${TARGET_*}` variables a Stash blueprint may use, with their values for one target.

use std::cell::Cell;

use super::APPBINDING_API_VERSION;
use super::targets::Target;
use crate::engine::expand::Variables;

/// The variables of one target.
pub struct Vars {
    values: [(&'static str, String); 8],
    /// Set when `TARGET_APP_VERSION` was substituted.
    pub used_version: Cell<bool>,
}

impl Vars {
    pub fn new(target: &Target, namespace: &str) -> Self {
        let app_type = target.app_type.clone();
        let (group, resource) = match app_type.rsplit_once('/') {
            Some((g, r)) => (g.to_owned(), r.to_owned()),
            None => (String::new(), app_type.clone()),
        };
        Vars {
            values: [
                ("TARGET_API_VERSION", APPBINDING_API_VERSION.to_owned()),
                ("TARGET_KIND", "appbinding".to_owned()),
                ("TARGET_NAME", target.name.clone()),
                ("TARGET_NAMESPACE", namespace.to_owned()),
                ("TARGET_APP_TYPE", app_type),
                ("TARGET_APP_GROUP", group),
                ("TARGET_APP_RESOURCE", resource),
                (
                    "TARGET_APP_VERSION",
                    target.app_version.clone().unwrap_or_default(),
                ),
            ],
            used_version: Cell::new(false),
        }
    }
}

impl Variables for Vars {
    fn get(&self, name: &str) -> Option<String> {
        if name == "TARGET_APP_VERSION" {
            self.used_version.set(true);
        }
        self.values
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    }

    fn known(&self) -> String {
        let names: Vec<&str> = self.values.iter().map(|(k, _)| *k).collect();
        format!("the known ones are {}", names.join(", "))
    }
}
