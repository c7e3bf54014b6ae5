//! What both API families back up, as KubeDB and Kubernetes define it: KubeDB's databases and the
//! AppBindings KubeDB makes for them. Not a family: families share it, and it uses no family.

use crate::engine::family::Select;
use crate::krm::object::ObjectFields;

/// KubeDB's databases: every kind of the group (Postgres, MySQL, …), versions v1alpha2 and v1.
pub const KUBEDB_GROUP: &str = "kubedb.com";
/// KubeDB's AppBindings, one per database, of its name and namespace.
pub const APPBINDING_GROUP: &str = "appcatalog.appscode.com";
pub const APPBINDING_API_VERSION: &str = "appcatalog.appscode.com/v1alpha1";

/// The objects a database target can be made of.
pub const DATABASES: [Select; 2] = [Select::Group(KUBEDB_GROUP), Select::Group(APPBINDING_GROUP)];

pub fn is_app_binding(fields: &ObjectFields<'_>) -> bool {
    fields.kind.text() == Some("AppBinding") && fields.group() == Some(APPBINDING_GROUP)
}

/// A KubeDB database kind (any kind of the `kubedb.com` group, versions v1alpha2 and v1).
pub fn is_database(fields: &ObjectFields<'_>) -> bool {
    fields.group() == Some(KUBEDB_GROUP)
        && matches!(fields.version(), Some("v1alpha2" | "v1"))
        && fields.kind.text().is_some_and(|k| !k.is_empty())
}
