//! Names and namespaces of generated objects.

use crate::engine::k8s_names;
use crate::families::common::kinds;

/// Kubernetes object names of these kinds are at most 63 characters.
const MAX: usize = 63;

/// Where a (target, blueprint) pair's objects go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub name: String,
    pub repository_namespace: String,
    pub config_namespace: String,
    /// The BackupConfiguration is not in the target's namespace.
    pub cross_namespace_target: bool,
    /// The Repository is not in the BackupConfiguration's namespace.
    pub cross_namespace_repository: bool,
}

/// What names a pair's objects.
#[derive(Debug, Clone, Copy)]
pub struct Pair<'p> {
    /// kubectl's short form of the target's kind: `app` (an AppBinding), `deploy`, `sts`, `pvc`…
    pub short_kind: &'p str,
    pub target_name: &'p str,
    pub target_namespace: &'p str,
    pub blueprint: &'p str,
    pub backup_namespace: Option<&'p str>,
    pub repo_namespace: Option<&'p str>,
    /// The blueprint is not the first the target lists: its name goes into the objects' names,
    /// so they stay apart from the first blueprint's (our choice, as the operator's behaviour
    /// there is not documented). The first keeps the one-blueprint name, so adding a blueprint
    /// at the end of the list never renames objects that already exist in a cluster.
    pub suffixed: bool,
}

/// Names the objects of one pair and says where they go.
pub fn place(pair: Pair<'_>) -> Placement {
    let Pair {
        short_kind,
        target_name,
        target_namespace,
        blueprint,
        backup_namespace,
        repo_namespace,
        suffixed,
    } = pair;
    let elsewhere = backup_namespace.map(|_| target_namespace);
    let mut base = kinds::object_name(short_kind, target_name, elsewhere);
    if suffixed {
        base.push('-');
        base.push_str(blueprint);
    }
    let name = if suffixed {
        cut_middle(&base)
    } else {
        trim(base.chars().take(MAX).collect::<String>())
    };
    let config_namespace = backup_namespace.unwrap_or(target_namespace).to_owned();
    let repository_namespace = repo_namespace.unwrap_or(&config_namespace).to_owned();
    Placement {
        name,
        cross_namespace_target: config_namespace != target_namespace,
        cross_namespace_repository: repository_namespace != config_namespace,
        repository_namespace,
        config_namespace,
    }
}

/// Keeps the first 32 and the last 31 characters, so that both the target and the blueprint
/// stay recognisable.
fn cut_middle(s: &str) -> String {
    let count = s.chars().count();
    if count <= MAX {
        return trim(s.to_owned());
    }
    let head: String = s.chars().take(32).collect();
    let tail: String = s.chars().skip(count - 31).collect();
    trim(head + &tail)
}

/// Makes a cut or joined name valid: trims the `-` the operator trims, and the `.`s and `-`s a
/// cut or a join may leave where a name cannot have them (the operator would create an invalid
/// name there; we do not).
fn trim(s: String) -> String {
    k8s_names::repair(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(
        target_name: &str,
        target_namespace: &str,
        blueprint: &str,
        backup_namespace: Option<&str>,
        repo_namespace: Option<&str>,
        suffixed: bool,
    ) -> Placement {
        place(Pair {
            short_kind: "app",
            target_name,
            target_namespace,
            blueprint,
            backup_namespace,
            repo_namespace,
            suffixed,
        })
    }

    #[test]
    fn single_blueprint() {
        let p = named("sample-postgres-1", "demo", "pg", None, None, false);
        assert_eq!(p.name, "app-sample-postgres-1");
        assert_eq!(p.config_namespace, "demo");
        assert_eq!(p.repository_namespace, "demo");
        assert!(!p.cross_namespace_target && !p.cross_namespace_repository);
    }

    #[test]
    fn backup_namespace() {
        let p = named(
            "sample-mysql-1",
            "prod-1",
            "mysql-backup",
            Some("backup"),
            None,
            false,
        );
        assert_eq!(p.name, "prod-1-app-sample-mysql-1");
        assert_eq!(p.config_namespace, "backup");
        assert!(p.cross_namespace_target && !p.cross_namespace_repository);
        let p = named("db", "prod", "b", None, Some("repos"), false);
        assert_eq!(p.repository_namespace, "repos");
        assert!(p.cross_namespace_repository && !p.cross_namespace_target);
    }

    #[test]
    fn long_names_are_cut_and_trimmed() {
        let long = "a".repeat(58) + "-bcdef";
        let p = named(&long, "ns", "x", None, None, false);
        assert_eq!(p.name.len(), 62, "cut to 63 then the trailing '-' trimmed");
        assert!(p.name.starts_with("app-") && !p.name.ends_with('-'));

        let p = named(&"t".repeat(40), "ns", &"b".repeat(40), None, None, true);
        assert_eq!(p.name.len(), 63);
        assert_eq!(p.name, format!("app-{}{}", "t".repeat(28), "b".repeat(31)));
    }

    #[test]
    fn a_cut_never_leaves_a_dot_at_the_end() {
        let name = format!("{}.{}", "a".repeat(58), "b".repeat(10));
        let p = named(&name, "ns", "x", None, None, false);
        assert!(p.name.len() <= 63 && !p.name.ends_with('.'), "{}", p.name);
        assert!(k8s_names::is_dns_subdomain(&p.name));
    }

    #[test]
    fn a_join_never_puts_a_dot_beside_a_dash() {
        // The first 32 characters end in a `.`, the last 31 start with a `-`.
        let target = format!("{}.{}", "a".repeat(27), "b".repeat(40));
        let blueprint = format!("c-{}", "d".repeat(28));
        let p = named(&target, "ns", &blueprint, None, None, true);
        assert!(k8s_names::is_dns_subdomain(&p.name), "{}", p.name);
        assert!(p.name.len() <= 63);
    }

    #[test]
    fn several_blueprints() {
        let p = named("pg", "demo", "daily", None, None, true);
        assert_eq!(p.name, "app-pg-daily");
        let p = named("pg", "demo", "daily", Some("backup"), None, true);
        assert_eq!(p.name, "demo-app-pg-daily");
    }
}
