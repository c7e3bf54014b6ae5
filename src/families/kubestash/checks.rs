//! The checks KubeStash's admission webhook makes of a BackupConfiguration, made here before
//! the cluster does (K6): its backends and sessions, and what two targets' configurations may
//! not share; and what a blueprint leaves to the cluster's defaults.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::rc::Rc;

use super::blueprint::Blueprint;
use super::{STORAGE_GROUP, TEMPLATE};
use crate::engine::family::{Input, Select};
use crate::engine::finding::{Finding, Info};
use crate::engine::k8s_names::{self, NAME_RULE};
use crate::engine::reconcile::Proposals;
use crate::krm::object::ItemIndex;
use crate::krm::results::Severity;
use crate::yaml::emit::Value;

fn text<'v>(value: &'v Value<'_>, path: &[&str]) -> Option<Cow<'v, str>> {
    let mut node = value;
    for key in path {
        node = node.get(key)?;
    }
    node.scalar().filter(|t| !t.is_empty())
}

fn items<'v, 't>(value: Option<&'v Value<'t>>) -> &'v [Value<'t>] {
    match value {
        Some(Value::Seq(list)) => list,
        _ => &[],
    }
}

/// What KubeStash's admission webhook would refuse in a BackupConfiguration's backends and
/// sessions (each session with its index in the blueprint): each with the blueprint field it
/// comes from.
pub fn refusals(
    backends: Option<&Value<'_>>,
    sessions: &[(usize, Value<'_>)],
) -> Vec<(String, Refusal)> {
    let mut refusals = Vec::new();
    if sessions.is_empty() {
        refusals.push((format!("{TEMPLATE}.sessions"), Refusal::NoSessions));
    }
    let backend_names: Vec<String> = items(backends)
        .iter()
        .filter_map(|b| text(b, &["name"]).map(Cow::into_owned))
        .collect();
    let mut session_names = HashSet::new();
    for (i, session) in sessions {
        let at = format!("{TEMPLATE}.sessions[{i}]");
        if let Some(name) = text(session, &["name"])
            && !session_names.insert(name.clone())
        {
            let name = name.into_owned();
            refusals.push((format!("{at}.name"), Refusal::SessionNamedTwice { name }));
        }
        let required = [
            (
                text(session, &["scheduler", "schedule"]).is_none(),
                "scheduler.schedule",
                Refusal::NoSchedule,
            ),
            (
                text(session, &["addon", "name"]).is_none(),
                "addon.name",
                Refusal::NoAddon,
            ),
            (
                items(session.get("addon").and_then(|a| a.get("tasks"))).is_empty(),
                "addon.tasks",
                Refusal::NoTask,
            ),
            (
                items(session.get("repositories")).is_empty(),
                "repositories",
                Refusal::NoRepository,
            ),
        ];
        for (missing, field, refusal) in required {
            if missing {
                refusals.push((format!("{at}.{field}"), refusal));
            }
        }
        let mut seen = HashSet::new();
        for (j, repository) in items(session.get("repositories")).iter().enumerate() {
            let at = format!("{at}.repositories[{j}]");
            refusals.extend(repository_refusals(
                repository,
                &at,
                &backend_names,
                &mut seen,
            ));
        }
    }
    refusals
}

/// What the webhook refuses in one repository of a session (`seen`: the session's names).
fn repository_refusals(
    repository: &Value<'_>,
    at: &str,
    backends: &[String],
    seen: &mut HashSet<String>,
) -> Vec<(String, Refusal)> {
    let mut refusals = Vec::new();
    let name_field = format!("{at}.name");
    match text(repository, &["name"]) {
        None => refusals.push((name_field, Refusal::RepositoryUnnamed)),
        Some(name) if !k8s_names::is_dns_subdomain(&name) => {
            let name = name.into_owned();
            refusals.push((name_field, Refusal::RepositoryNameInvalid { name }));
        }
        Some(name) if !seen.insert(name.to_string()) => {
            let name = name.into_owned();
            refusals.push((name_field, Refusal::RepositoryNamedTwice { name }));
        }
        Some(_) => {}
    }
    match text(repository, &["backend"]) {
        None => refusals.push((format!("{at}.backend"), Refusal::NoBackend)),
        Some(backend) if !backends.is_empty() && !backends.iter().any(|b| *b == backend) => {
            let unknown = Refusal::UnknownBackend {
                backend: backend.into_owned(),
                have: backends.to_vec(),
            };
            refusals.push((format!("{at}.backend"), unknown));
        }
        Some(_) => {}
    }
    if text(repository, &["directory"]).is_none() {
        refusals.push((format!("{at}.directory"), Refusal::NoDirectory));
    }
    refusals
}

/// What two targets' BackupConfigurations may not share (K6): a repository name in a namespace,
/// or a storage and directory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Claim {
    Repository { namespace: String, name: String },
    Directory { storage: String, directory: String },
}

/// The repository names and storage directories a BackupConfiguration in `namespace` uses.
fn claims(
    namespace: &str,
    backends: Option<&Value<'_>>,
    sessions: &[(usize, Value<'_>)],
) -> Vec<Claim> {
    let storage_of = |backend: &str| {
        let found = items(backends)
            .iter()
            .find(|b| text(b, &["name"]).as_deref() == Some(backend))?;
        let name = text(found, &["storageRef", "name"])?;
        let storage_namespace = text(found, &["storageRef", "namespace"])
            .map_or_else(|| namespace.to_owned(), Cow::into_owned);
        Some(format!("{storage_namespace}/{name}"))
    };
    let mut claims = Vec::new();
    for (_, session) in sessions {
        for repository in items(session.get("repositories")) {
            if let Some(name) = text(repository, &["name"]) {
                claims.push(Claim::Repository {
                    namespace: namespace.to_owned(),
                    name: name.into_owned(),
                });
            }
            let storage = text(repository, &["backend"]).and_then(|b| storage_of(&b));
            if let (Some(storage), Some(directory)) = (storage, text(repository, &["directory"])) {
                claims.push(Claim::Directory {
                    storage,
                    directory: directory.into_owned(),
                });
            }
        }
    }
    claims
}

/// What earlier targets' BackupConfigurations use, and the target using it.
#[derive(Debug, Default)]
pub struct Claims {
    taken: HashMap<Claim, Rc<str>>,
}

impl Claims {
    /// Takes the repository names and directories of `target`'s BackupConfiguration in
    /// `namespace`; when another target took one already, reports it on `annotated` and takes
    /// nothing.
    pub fn take(
        &mut self,
        out: &mut Proposals<'_, '_>,
        annotated: ItemIndex,
        target: &Rc<str>,
        (namespace, backends, sessions): (&str, Option<&Value<'_>>, &[(usize, Value<'_>)]),
    ) -> bool {
        let claims = claims(namespace, backends, sessions);
        let mut clear = true;
        for claim in &claims {
            let Some(holder) = self.taken.get(claim).filter(|h| *h != target) else {
                continue;
            };
            let what = match claim {
                Claim::Repository { namespace, name } => {
                    format!("repository `{name}` in namespace {namespace}")
                }
                Claim::Directory { storage, directory } => {
                    format!("directory `{directory}` of BackupStorage {storage}")
                }
            };
            let holder = holder.clone();
            out.found(annotated, CheckFinding::Claimed { holder, what });
            clear = false;
        }
        if clear {
            for claim in claims {
                self.taken.entry(claim).or_insert_with(|| target.clone());
            }
        }
        clear
    }
}

/// Whether the input holds a `default: true` BackupStorage and RetentionPolicy, which fill in
/// what a blueprint's backends leave out; and the blueprints told already that it does not.
#[derive(Debug, Default)]
pub struct Defaults {
    storage: bool,
    retention: bool,
    noted: HashSet<ItemIndex>,
}

impl Defaults {
    pub fn of(input: &Input<'_, '_>) -> Self {
        let tree = input.tree;
        let mut defaults = Defaults::default();
        for (_, fields) in input.select(&[Select::Group(STORAGE_GROUP)]) {
            let default = fields
                .spec
                .and_then(|s| tree.lookup(s, "default"))
                .and_then(|v| tree.scalar(v))
                == Some("true");
            match fields.kind.text() {
                Some("BackupStorage") => defaults.storage |= default,
                Some("RetentionPolicy") => defaults.retention |= default,
                _ => {}
            }
        }
        defaults
    }

    /// An info (once per blueprint) when the backends leave something to a `default: true`
    /// BackupStorage or RetentionPolicy that the input does not hold (it may be in the cluster).
    pub fn note(
        &mut self,
        out: &mut Proposals<'_, '_>,
        blueprint: &Blueprint,
        backends: Option<&Value<'_>>,
    ) {
        let list = items(backends);
        let storage = list.is_empty() && !self.storage;
        let retention = !self.retention
            && (list.is_empty() || list.iter().any(|b| b.get("retentionPolicy").is_none()));
        let missing = match (storage, retention) {
            (true, true) => "a BackupStorage and a RetentionPolicy",
            (true, false) => "a BackupStorage",
            (false, true) => "a RetentionPolicy",
            (false, false) => return,
        };
        if !self.noted.insert(blueprint.object) {
            return;
        }
        let note = CheckFinding::ClusterDefault {
            blueprint: blueprint.provenance.clone(),
            missing,
        };
        out.found(blueprint.object, note).field = Some(format!("{TEMPLATE}.backends"));
    }
}

/// What KubeStash's webhook refuses in a BackupConfiguration's backends and sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoSessions,
    SessionNamedTwice { name: String },
    NoSchedule,
    NoAddon,
    NoTask,
    NoRepository,
    RepositoryUnnamed,
    RepositoryNameInvalid { name: String },
    RepositoryNamedTwice { name: String },
    NoBackend,
    UnknownBackend { backend: String, have: Vec<String> },
    NoDirectory,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Refusal::*;
        match self {
            NoSessions => f.write_str("there are no sessions; a BackupConfiguration needs one"),
            SessionNamedTwice { name } => write!(f, "a second session is named `{name}`"),
            NoSchedule => f.write_str("the session has no schedule"),
            NoAddon => f.write_str("the session names no addon"),
            NoTask => f.write_str("the session's addon has no task"),
            NoRepository => f.write_str("the session has no repository"),
            RepositoryUnnamed => f.write_str("the repository has no name"),
            RepositoryNameInvalid { name } => write!(
                f,
                "repository name `{name}` is not a valid Kubernetes name ({NAME_RULE}): KubeStash \
                 creates a Repository of that name"
            ),
            RepositoryNamedTwice { name } => {
                write!(f, "a second repository of the session is named `{name}`")
            }
            NoBackend => f.write_str("the repository names no backend"),
            UnknownBackend { backend, have } => write!(
                f,
                "backend `{backend}` is not one of {TEMPLATE}.backends ({})",
                have.join(", ")
            ),
            NoDirectory => f.write_str("the repository has no directory"),
        }
    }
}

/// What the webhook's checks and the cluster's defaults find.
#[derive(Debug)]
pub enum CheckFinding {
    Refused {
        field: String,
        blueprint: Rc<str>,
        refusal: Refusal,
    },
    ClusterDefault {
        blueprint: Rc<str>,
        missing: &'static str,
    },
    Claimed {
        holder: Rc<str>,
        what: String,
    },
}

impl fmt::Display for CheckFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckFinding::Refused {
                field,
                blueprint,
                refusal,
            } => write!(
                f,
                "{field} of BackupBlueprint {blueprint}: {refusal}; KubeStash would refuse the \
                 BackupConfiguration"
            ),
            CheckFinding::ClusterDefault { blueprint, missing } => write!(
                f,
                "the backends of BackupBlueprint {blueprint} leave {missing} to the cluster's \
                 default (`default: true`), which the input does not hold; make sure the cluster \
                 has it"
            ),
            CheckFinding::Claimed { holder, what } => write!(
                f,
                "{holder} already backs up to {what}: KubeStash refuses a second \
                 BackupConfiguration using it; give the repository a name or directory per target \
                 (a variables.kubestash.com/ annotation in the blueprint's template)"
            ),
        }
    }
}

impl Finding for CheckFinding {
    fn severity(&self) -> Severity {
        match self {
            CheckFinding::ClusterDefault { .. } => Severity::Info,
            _ => Severity::Error,
        }
    }

    fn class(&self) -> Option<Info> {
        matches!(self, CheckFinding::ClusterDefault { .. }).then_some(Info::ClusterDefault)
    }
}
