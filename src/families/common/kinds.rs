//! The workloads and volumes the operators' auto-backup watches besides databases, and how the
//! names of what they generate are made.

use crate::krm::object::{ObjectFields, group_of};

/// A workload or volume kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    pub api_version: &'static str,
    pub kind: &'static str,
    /// kubectl's short name (Stash puts it in generated names).
    pub short: &'static str,
    /// The plural resource (`deployments`).
    pub resource: &'static str,
    /// A workload (with paths and volume mounts to back up), or a volume (a claim).
    pub workload: bool,
}

impl Kind {
    /// Its API group; none for the core group (a claim, a ReplicationController).
    pub fn group(&self) -> Option<&'static str> {
        Some(group_of(self.api_version)).filter(|g| !g.is_empty())
    }
}

/// Every kind either family watches, with kubectl's short forms.
pub const KINDS: [Kind; 7] = [
    workload("apps/v1", "Deployment", "deploy", "deployments"),
    workload("apps/v1", "StatefulSet", "sts", "statefulsets"),
    workload("apps/v1", "DaemonSet", "ds", "daemonsets"),
    workload("apps/v1", "ReplicaSet", "replicaset", "replicasets"),
    workload(
        "v1",
        "ReplicationController",
        "rc",
        "replicationcontrollers",
    ),
    workload(
        "apps.openshift.io/v1",
        "DeploymentConfig",
        "deploymentconfig",
        "deploymentconfigs",
    ),
    Kind {
        api_version: "v1",
        kind: "PersistentVolumeClaim",
        short: "pvc",
        resource: "persistentvolumeclaims",
        workload: false,
    },
];

const fn workload(
    api_version: &'static str,
    kind: &'static str,
    short: &'static str,
    resource: &'static str,
) -> Kind {
    Kind {
        api_version,
        kind,
        short,
        resource,
        workload: true,
    }
}

/// The kind of an object, when it is one of `watched` (kind names of [`KINDS`]).
pub fn kind_of(fields: &ObjectFields<'_>, watched: &[&str]) -> Option<&'static Kind> {
    let (api_version, kind) = (fields.api_version.text()?, fields.kind.text()?);
    KINDS
        .iter()
        .find(|k| k.api_version == api_version && k.kind == kind && watched.contains(&k.kind))
}

/// `Deployments, StatefulSets and PersistentVolumeClaims`: the `watched` kinds, for a message.
pub fn listed(watched: &[&str]) -> String {
    let plural: Vec<String> = watched.iter().map(|k| format!("{k}s")).collect();
    match plural.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The name of a generated object: `<kind>-<name>` for the target `name` of `kind` (as the
/// family spells it), prefixed with the target's namespace when the object lives elsewhere
/// (`<namespace>-<kind>-<name>`), so that targets of one name in two namespaces stay apart.
pub fn object_name(kind: &str, name: &str, elsewhere_from: Option<&str>) -> String {
    match elsewhere_from {
        Some(namespace) => format!("{namespace}-{kind}-{name}"),
        None => format!("{kind}-{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_lists() {
        assert_eq!(object_name("app", "orders", None), "app-orders");
        assert_eq!(
            object_name("appbinding", "orders", Some("shop")),
            "shop-appbinding-orders"
        );
        assert_eq!(listed(&["Deployment"]), "Deployments");
        assert_eq!(
            listed(&["Deployment", "DaemonSet", "PersistentVolumeClaim"]),
            "Deployments, DaemonSets and PersistentVolumeClaims"
        );
        let groups: Vec<_> = KINDS.iter().map(Kind::group).collect();
        assert_eq!(groups[0], Some("apps"));
        assert_eq!(groups[4], None);
    }
}
