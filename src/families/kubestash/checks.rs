//! The checks KubeStash's admission webhook makes of a BackupConfiguration, made here before
//! the cluster does (K6): its backends and sessions, the usage policies of what they name, and
//! what two targets' configurations may not share; and what a blueprint leaves to the cluster's
//! defaults.
//!
//! The webhook is `webhooks/core/v1alpha1/backupconfiguration.go` of kubestash/apimachinery; each
//! check names the function it stands for. `ValidateUpdate` runs `ValidateCreate`'s checks on the
//! new object and compares nothing with the old one, so one set of checks serves both. The
//! webhook stops at its first refusal; these report every one, so that one run shows all there
//! is to fix.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::rc::Rc;

use super::TEMPLATE;
use super::blueprint::Blueprint;
use super::referenced::{Kind, NotAllowed, Referenced};
use super::usage::NAME_LABEL;
use crate::engine::finding::{Finding, Info};
use crate::engine::k8s_names::{self, NAME_RULE};
use crate::engine::reconcile::Proposals;
use crate::krm::object::ItemIndex;
use crate::krm::results::Severity;
use crate::yaml::emit::Value;
use crate::yaml::is_null_word;

/// A BackupConfiguration's namespace, backends and sessions (each session with its index in the
/// blueprint).
pub type Uses<'u, 't> = (&'u str, Option<&'u Value<'t>>, &'u [(usize, Value<'t>)]);

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

/// The scalar `key` of `value` as Go reads it: empty when it is absent.
fn written<'v>(value: &'v Value<'_>, key: &str) -> Cow<'v, str> {
    value.get(key).and_then(Value::scalar).unwrap_or_default()
}

/// The field `key` of `value`, unless it is null: Go reads a null as a field left out.
fn present<'v, 't>(value: &'v Value<'t>, key: &str) -> Option<&'v Value<'t>> {
    value
        .get(key)
        .filter(|v| !matches!(v, Value::Plain(t) if is_null_word(t)))
}

/// What KubeStash's admission webhook would refuse in a BackupConfiguration, judged with what the
/// input holds of the objects it names (`ValidateCreate`): each with the blueprint field it
/// comes from.
pub fn refusals(uses: Uses<'_, '_>, referenced: &Referenced) -> Vec<(String, Refusal)> {
    let (namespace, backends, sessions) = uses;
    let mut refusals = backend_refusals(namespace, backends, referenced);
    if sessions.is_empty() {
        refusals.push((format!("{TEMPLATE}.sessions"), Refusal::NoSessions));
    }
    // `backendMatched` compares names as written, an empty one too.
    let backend_names: Vec<String> = items(backends)
        .iter()
        .map(|b| written(b, "name").into_owned())
        .collect();
    let mut session_names = HashSet::new();
    for (i, session) in sessions {
        let per_session = session_refusals(*i, session, &backend_names, &mut session_names);
        refusals.extend(per_session);
    }
    refusals.extend(directory_refusals(sessions));
    refusals.extend(hook_refusals(uses, referenced));
    refusals
}

/// `validateBackends` and `validateBackendsAgainstUsagePolicy`, once the defaulter (`Default`)
/// filled in what it could: backends left out, and a RetentionPolicy left out, are its to fill
/// in from the cluster's defaults (which [`Defaults`] notes), and pass.
fn backend_refusals(
    namespace: &str,
    backends: Option<&Value<'_>>,
    referenced: &Referenced,
) -> Vec<(String, Refusal)> {
    let mut refusals = Vec::new();
    let mut names = HashSet::new();
    for (i, backend) in items(backends).iter().enumerate() {
        let at = format!("{TEMPLATE}.backends[{i}]");
        // validateBackendNameUnique: as written, so two backends without a name are two of one.
        let name = written(backend, "name");
        if !names.insert(name.clone()) {
            let name = name.into_owned();
            refusals.push((format!("{at}.name"), Refusal::BackendNamedTwice { name }));
        }
        let references = [
            ("storageRef", Kind::BackupStorage),
            ("retentionPolicy", Kind::RetentionPolicy),
        ];
        for (field, kind) in references {
            let Some(reference) = present(backend, field) else {
                // validateBackendReferences; the defaulter fills in a RetentionPolicy only.
                if kind == Kind::BackupStorage {
                    refusals.push((format!("{at}.{field}"), Refusal::NoStorage));
                }
                continue;
            };
            // The CRD requires the name (its absence is the CRD check's to report); an empty
            // one names nothing.
            let Some(name) = text(reference, &["name"]) else {
                if reference.get("name").is_some() {
                    let refusal = Refusal::ReferenceUnnamed { kind };
                    refusals.push((format!("{at}.{field}.name"), refusal));
                }
                continue;
            };
            // getBackupStorage, getRetentionPolicy: the namespace defaults to the
            // BackupConfiguration's.
            let home = text(reference, &["namespace"]).unwrap_or(Cow::Borrowed(namespace));
            if let Some(why) = referenced.refuses(kind, &home, &name, namespace) {
                let refusal = Refusal::NotAllowed {
                    kind,
                    object: format!("{home}/{name}"),
                    namespace: namespace.to_owned(),
                    why,
                };
                refusals.push((format!("{at}.{field}"), refusal));
            }
        }
    }
    refusals
}

/// For the session at `index` of the blueprint: `validateSessionNameUnique` (`names`: the
/// sessions' before it), `validateRepositoryNameUnique`, `validateSessionConfig`,
/// `validateAddonInfo` and `validateRepositories` (`backends`: the backends' names).
fn session_refusals(
    index: usize,
    session: &Value<'_>,
    backends: &[String],
    names: &mut HashSet<String>,
) -> Vec<(String, Refusal)> {
    let mut refusals = Vec::new();
    let at = format!("{TEMPLATE}.sessions[{index}]");
    match text(session, &["name"]) {
        // The blueprint names every session; a variable can empty the name.
        None => refusals.push((format!("{at}.name"), Refusal::SessionUnnamed)),
        Some(name) if !names.insert(name.to_string()) => {
            let name = name.into_owned();
            refusals.push((format!("{at}.name"), Refusal::SessionNamedTwice { name }));
        }
        Some(_) => {}
    }
    let tasks = items(session.get("addon").and_then(|a| a.get("tasks")));
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
        (tasks.is_empty(), "addon.tasks", Refusal::NoTask),
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
    for (k, task) in tasks.iter().enumerate() {
        if text(task, &["name"]).is_none() {
            refusals.push((format!("{at}.addon.tasks[{k}].name"), Refusal::TaskUnnamed));
        }
    }
    let mut seen = HashSet::new();
    for (j, repository) in items(session.get("repositories")).iter().enumerate() {
        let at = format!("{at}.repositories[{j}]");
        refusals.extend(repository_refusals(repository, &at, backends, &mut seen));
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
        // getRepository looks the Repository up by this name; KubeStash creates one of it.
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
    let backend = text(repository, &["backend"]).unwrap_or_default();
    // Without backends, the defaulter adds the default BackupStorage as one backend without a
    // name, which a repository without `backend` names; with backends, it adds none.
    let defaulted = backend.is_empty() && backends.is_empty();
    if !defaulted && !backends.iter().any(|b| *b == backend) {
        let mut have: Vec<String> = Vec::new();
        for name in backends.iter().filter(|b| !b.is_empty()) {
            if !have.contains(name) {
                have.push(name.clone());
            }
        }
        let refusal = match backend.is_empty() {
            true => Refusal::BackendLeftOut { have },
            false => Refusal::UnknownBackend {
                backend: backend.into_owned(),
                have,
            },
        };
        refusals.push((format!("{at}.backend"), refusal));
    }
    if text(repository, &["directory"]).is_none() {
        refusals.push((format!("{at}.directory"), Refusal::NoDirectory));
    }
    refusals
}

/// `validateRepoDirectories`: the webhook keeps, per directory, the backend and name of the
/// repository using it, and refuses another repository there. Its map holds one backend per
/// directory, so another backend's repository in the same directory is refused too; a
/// repository that sessions share (name, backend and directory alike) is one.
fn directory_refusals(sessions: &[(usize, Value<'_>)]) -> Vec<(String, Refusal)> {
    let mut refusals = Vec::new();
    let mut holders: HashMap<Cow<'_, str>, (Cow<'_, str>, Cow<'_, str>)> = HashMap::new();
    for (i, session) in sessions {
        for (j, repository) in items(session.get("repositories")).iter().enumerate() {
            // Without a name or a directory, it is refused already.
            let (Some(name), Some(directory)) = (
                text(repository, &["name"]),
                text(repository, &["directory"]),
            ) else {
                continue;
            };
            let backend = text(repository, &["backend"]).unwrap_or_default();
            let Some((held_backend, holder)) = holders.get(&directory) else {
                holders.insert(directory, (backend, name));
                continue;
            };
            if (held_backend, holder) == (&backend, &name) {
                continue;
            }
            let refusal = Refusal::DirectoryShared {
                directory: directory.into_owned(),
                holder: holder.to_string(),
                backend: (*held_backend != backend).then(|| held_backend.to_string()),
            };
            let field = format!("{TEMPLATE}.sessions[{i}].repositories[{j}].directory");
            refusals.push((field, refusal));
        }
    }
    refusals
}

/// `validateHookTemplatesAgainstUsagePolicy`. A hook's HookTemplate is looked up as written: one
/// without a namespace is not found (the webhook does not default it) and so not checked.
fn hook_refusals(uses: Uses<'_, '_>, referenced: &Referenced) -> Vec<(String, Refusal)> {
    let (namespace, _, sessions) = uses;
    let mut refusals = Vec::new();
    for (i, session) in sessions {
        for phase in ["preBackup", "postBackup"] {
            let hooks = session.get("hooks").and_then(|h| h.get(phase));
            for (k, hook) in items(hooks).iter().enumerate() {
                let (Some(name), Some(home)) = (
                    text(hook, &["hookTemplate", "name"]),
                    text(hook, &["hookTemplate", "namespace"]),
                ) else {
                    continue;
                };
                let kind = Kind::HookTemplate;
                let Some(why) = referenced.refuses(kind, &home, &name, namespace) else {
                    continue;
                };
                let refusal = Refusal::NotAllowed {
                    kind,
                    object: format!("{home}/{name}"),
                    namespace: namespace.to_owned(),
                    why,
                };
                let field = format!("{TEMPLATE}.sessions[{i}].hooks.{phase}[{k}].hookTemplate");
                refusals.push((field, refusal));
            }
        }
    }
    refusals
}

/// What two targets' BackupConfigurations may not share (K6): a repository name in a namespace,
/// or a storage and directory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Claim {
    Repository { namespace: String, name: String },
    Directory { storage: Storage, directory: String },
}

/// The BackupStorage a repository is in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Storage {
    /// `<namespace>/<name>`, as a backend's `storageRef` names it.
    Named(String),
    /// The default of a namespace, which the defaulter fills in: the same one for every
    /// BackupConfiguration of the namespace, whichever it is.
    DefaultOf(String),
}

impl fmt::Display for Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Storage::Named(storage) => write!(f, "BackupStorage {storage}"),
            Storage::DefaultOf(namespace) => {
                write!(f, "the default BackupStorage of namespace {namespace}")
            }
        }
    }
}

/// The repository names and storage directories a BackupConfiguration uses.
fn claims((namespace, backends, sessions): Uses<'_, '_>) -> Vec<Claim> {
    let storage_of = |backend: Option<Cow<'_, str>>| {
        let Some(backend) = backend else {
            return items(backends)
                .is_empty()
                .then(|| Storage::DefaultOf(namespace.to_owned()));
        };
        let found = items(backends)
            .iter()
            .find(|b| text(b, &["name"]).as_deref() == Some(&*backend))?;
        let name = text(found, &["storageRef", "name"])?;
        let storage_namespace = text(found, &["storageRef", "namespace"])
            .map_or_else(|| namespace.to_owned(), Cow::into_owned);
        Some(Storage::Named(format!("{storage_namespace}/{name}")))
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
            let storage = storage_of(text(repository, &["backend"]));
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
    /// Takes the repository names and directories of `target`'s BackupConfiguration; when
    /// another target took one already, reports it on `annotated` and takes nothing.
    pub fn take(
        &mut self,
        out: &mut Proposals<'_, '_>,
        annotated: ItemIndex,
        target: &Rc<str>,
        uses: Uses<'_, '_>,
    ) -> bool {
        let claims = claims(uses);
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
                    format!("directory `{directory}` of {storage}")
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

/// The blueprints and namespaces told already that the input holds no default their
/// BackupConfigurations can be given.
#[derive(Debug, Default)]
pub struct Defaults {
    noted: HashSet<(ItemIndex, String)>,
}

impl Defaults {
    /// An info (once per blueprint and namespace) when a BackupConfiguration's backends leave a
    /// BackupStorage or a RetentionPolicy to KubeStash's defaulter and the input holds no
    /// `default: true` one it would find for the namespace (the cluster may hold one).
    pub fn note(
        &mut self,
        out: &mut Proposals<'_, '_>,
        referenced: &Referenced,
        blueprint: &Blueprint,
        (namespace, backends, _): Uses<'_, '_>,
    ) {
        let list = items(backends);
        // Default: a default BackupStorage only when there are no backends at all; a default
        // RetentionPolicy for each backend without one.
        let storage = list.is_empty() && !referenced.has_default(Kind::BackupStorage, namespace);
        let retention = !referenced.has_default(Kind::RetentionPolicy, namespace)
            && (list.is_empty() || list.iter().any(|b| present(b, "retentionPolicy").is_none()));
        let missing = match (storage, retention) {
            (true, true) => "a BackupStorage and a RetentionPolicy",
            (true, false) => "a BackupStorage",
            (false, true) => "a RetentionPolicy",
            (false, false) => return,
        };
        if !self.noted.insert((blueprint.object, namespace.to_owned())) {
            return;
        }
        let note = CheckFinding::ClusterDefault {
            blueprint: blueprint.provenance.clone(),
            missing,
            namespace: namespace.to_owned(),
        };
        out.found(blueprint.object, note).field = Some(format!("{TEMPLATE}.backends"));
    }
}

/// What KubeStash's webhook refuses in a BackupConfiguration's backends and sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    BackendNamedTwice {
        name: String,
    },
    NoStorage,
    ReferenceUnnamed {
        kind: Kind,
    },
    NotAllowed {
        kind: Kind,
        /// `<namespace>/<name>`.
        object: String,
        namespace: String,
        why: NotAllowed,
    },
    NoSessions,
    SessionUnnamed,
    SessionNamedTwice {
        name: String,
    },
    NoSchedule,
    NoAddon,
    NoTask,
    TaskUnnamed,
    NoRepository,
    RepositoryUnnamed,
    RepositoryNameInvalid {
        name: String,
    },
    RepositoryNamedTwice {
        name: String,
    },
    /// A repository without `backend` beside backends: the webhook lets it pass, but no backend
    /// is the repository's.
    BackendLeftOut {
        have: Vec<String>,
    },
    UnknownBackend {
        backend: String,
        have: Vec<String>,
    },
    NoDirectory,
    /// `backend`: the holder's, when it is another than this repository's.
    DirectoryShared {
        directory: String,
        holder: String,
        backend: Option<String>,
    },
}

impl Refusal {
    /// What follows: most are refused at admission.
    fn outcome(&self) -> &'static str {
        match self {
            Refusal::BackendLeftOut { .. } => {
                "; KubeStash's webhook lets the BackupConfiguration through, but the repository \
                 would refer to no storage"
            }
            _ => "; KubeStash would refuse the BackupConfiguration",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Refusal::*;
        match self {
            BackendNamedTwice { name } => write!(f, "a second backend is named `{name}`"),
            NoStorage => f.write_str("the backend has no storageRef (the BackupStorage it uses)"),
            ReferenceUnnamed { kind } => write!(f, "the reference names no {}", kind.name()),
            NotAllowed {
                kind,
                object,
                namespace,
                why,
            } => not_allowed(f, kind.name(), object, namespace, why),
            NoSessions => f.write_str("there are no sessions; a BackupConfiguration needs one"),
            SessionUnnamed => f.write_str("the session's name is empty"),
            SessionNamedTwice { name } => write!(f, "a second session is named `{name}`"),
            NoSchedule => f.write_str("the session has no schedule"),
            NoAddon => f.write_str("the session names no addon"),
            NoTask => f.write_str("the session's addon has no task"),
            TaskUnnamed => f.write_str("the addon's task has no name"),
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
            BackendLeftOut { have } => write!(
                f,
                "the repository names no backend, and KubeStash fills in its default \
                 BackupStorage only for a BackupConfiguration without backends: name one of \
                 {TEMPLATE}.backends ({})",
                have.join(", ")
            ),
            UnknownBackend { backend, have } if have.is_empty() => write!(
                f,
                "backend `{backend}` is not one of {TEMPLATE}.backends, which lists none: KubeStash \
                 then fills in its default BackupStorage as a backend without a name, which a \
                 repository uses by leaving `backend` out"
            ),
            UnknownBackend { backend, have } => write!(
                f,
                "backend `{backend}` is not one of {TEMPLATE}.backends ({})",
                have.join(", ")
            ),
            NoDirectory => f.write_str("the repository has no directory"),
            DirectoryShared {
                directory,
                holder,
                backend,
            } => {
                write!(
                    f,
                    "repository `{holder}` uses directory `{directory}` already"
                )?;
                match backend {
                    Some(backend) => write!(
                        f,
                        " (on backend `{backend}`: KubeStash allows one repository per directory, \
                         whatever its backend)"
                    ),
                    None => Ok(()),
                }
            }
        }
    }
}

/// Why `namespace` may not use `kind` `object`.
fn not_allowed(
    f: &mut fmt::Formatter<'_>,
    kind: &str,
    object: &str,
    namespace: &str,
    why: &NotAllowed,
) -> fmt::Result {
    match why {
        NotAllowed::Same => write!(
            f,
            "{kind} {object} allows only its own namespace (its usagePolicy, from: Same), not \
             {namespace}"
        ),
        NotAllowed::Selector { labels_known } => {
            write!(
                f,
                "the usagePolicy of {kind} {object} (from: Selector) does not select namespace \
                 {namespace}"
            )?;
            match labels_known {
                true => Ok(()),
                false => write!(
                    f,
                    " (the input holds no Namespace {namespace}, so only its {NAME_LABEL} label is \
                     known)"
                ),
            }
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
        namespace: String,
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
                "{field} of BackupBlueprint {blueprint}: {refusal}{}",
                refusal.outcome()
            ),
            CheckFinding::ClusterDefault {
                blueprint,
                missing,
                namespace,
            } => write!(
                f,
                "the backends of BackupBlueprint {blueprint} leave {missing} to the cluster's \
                 default for namespace {namespace} (`default: true`, with a usagePolicy that \
                 allows {namespace}), which the input does not hold; make sure the cluster has it"
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

    fn tag(&self) -> &'static str {
        match self {
            // Every refusal of the admission webhook: the message says which check.
            CheckFinding::Refused { .. } => "webhook-refused",
            CheckFinding::ClusterDefault { .. } => "cluster-default",
            CheckFinding::Claimed { .. } => "repository-shared",
        }
    }
}

#[cfg(test)]
mod tests {
    //! The webhook's rules at their boundary: a template and the input's other objects in, the
    //! refusals (field, message) out.

    use super::*;
    use crate::engine::expand::{Expander, Variables};
    use crate::engine::family::{Family, Input};
    use crate::families::kubestash::KubeStash;
    use crate::krm::read::yaml;

    struct NoVariables;

    impl Variables for NoVariables {
        fn get(&self, _: &str) -> Option<String> {
            None
        }

        fn unknown(&self, name: &str) -> String {
            format!("no variable {name}")
        }

        fn unreadable(&self, _: &str) -> Option<String> {
            None
        }
    }

    /// A backend, a session and a repository the webhook accepts, to vary.
    const BACKEND: &str = "{name: s3, storageRef: {namespace: backup, name: s3}, retentionPolicy: {namespace: backup, name: keep}}";
    const TASK: &str = "tasks: [{name: logical-backup}]";

    fn session(repositories: &str) -> String {
        format!(
            "{{name: nightly, scheduler: {{schedule: '0 2 * * *'}}, addon: {{name: postgres-addon, {TASK}}}, repositories: [{repositories}]}}"
        )
    }

    /// Runs `f` on the backends and sessions of `template` (flow mapping entries), as a
    /// BackupConfiguration in namespace `shop` has them, with `objects` (flow mappings) in the
    /// input beside the blueprint.
    fn with_template<R>(
        template: &str,
        objects: &[&str],
        f: impl FnOnce(Uses<'_, '_>, &Referenced) -> R,
    ) -> R {
        let mut src = format!(
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {{apiVersion: core.kubestash.com/v1alpha1, kind: BackupBlueprint, metadata: {{name: daily, namespace: backup}}, spec: {{backupConfigurationTemplate: {{{template}}}}}}}\n"
        );
        for object in objects {
            src.push_str(&format!("- {object}\n"));
        }
        let interest = KubeStash.interest();
        let read = yaml::read(&src, &interest).expect("YAML");
        let input = Input::new(&read.tree, read.items(), interest.clone());
        let referenced = Referenced::of(&input, None);
        let tree = &read.tree;
        let spec = read.items()[0].fields().and_then(|f| f.spec).expect("spec");
        let template = tree.lookup(spec, "backupConfigurationTemplate").unwrap();
        let mut expander = Expander::new(tree, &NoVariables);
        let backends = tree
            .lookup(template, "backends")
            .map(|n| expander.copy(n, "backends"));
        let nodes = tree
            .lookup(template, "sessions")
            .and_then(|n| tree.items(n));
        let sessions: Vec<(usize, Value<'_>)> = (nodes.unwrap_or_default().iter().enumerate())
            .map(|(i, n)| (i, expander.copy(*n, "sessions")))
            .collect();
        f(("shop", backends.as_ref(), &sessions), &referenced)
    }

    /// The refusals, each as its field (after the template's) and message.
    fn refused(template: &str, objects: &[&str]) -> Vec<(String, String)> {
        with_template(template, objects, |uses, referenced| {
            let prefix = format!("{TEMPLATE}.");
            (refusals(uses, referenced).into_iter())
                .map(|(field, refusal)| {
                    let field = field.strip_prefix(&prefix).unwrap_or(&field).to_owned();
                    (field, format!("{refusal}{}", refusal.outcome()))
                })
                .collect()
        })
    }

    /// Each case: what it shows, the template, the fields refused (none: accepted).
    fn check(cases: &[(&str, String, &[&str])], objects: &[&str]) {
        for (what, template, fields) in cases {
            let got = refused(template, objects);
            let got_fields: Vec<&str> = got.iter().map(|(f, _)| f.as_str()).collect();
            assert_eq!(&got_fields, fields, "{what}: {got:?}");
        }
    }

    #[test]
    fn backends() {
        let repository = "{name: repo, backend: s3, directory: /repo}";
        let sessions = format!("sessions: [{}]", session(repository));
        let cases: &[(&str, String, &[&str])] = &[
            (
                "a good template",
                format!("backends: [{BACKEND}], {sessions}"),
                &[],
            ),
            (
                "validateBackendNameUnique",
                format!("backends: [{BACKEND}, {BACKEND}], {sessions}"),
                &["backends[1].name"],
            ),
            (
                "validateBackendReferences: no storageRef",
                format!("backends: [{{name: s3, retentionPolicy: {{name: keep}}}}], {sessions}"),
                &["backends[0].storageRef"],
            ),
            (
                "a null storageRef is none",
                format!("backends: [{{name: s3, storageRef: ~}}], {sessions}"),
                &["backends[0].storageRef"],
            ),
            (
                "a reference with an empty name (one without is the CRD check's)",
                format!(
                    "backends: [{{name: s3, storageRef: {{name: ''}}, retentionPolicy: {{namespace: backup}}}}], {sessions}"
                ),
                &["backends[0].storageRef.name"],
            ),
            (
                "validateBackendReferences: a RetentionPolicy left out is the defaulter's",
                format!(
                    "backends: [{{name: s3, storageRef: {{name: s3}}, retentionPolicy: null}}], {sessions}"
                ),
                &[],
            ),
        ];
        check(cases, &[]);
    }

    #[test]
    fn sessions_and_addons() {
        let repository = "{name: repo, backend: s3, directory: /repo}";
        let with = |session: String| format!("backends: [{BACKEND}], sessions: [{session}]");
        let cases: &[(&str, String, &[&str])] = &[
            (
                "no sessions",
                format!("backends: [{BACKEND}]"),
                &["sessions"],
            ),
            (
                "validateSessionNameUnique: an empty name",
                with(session(repository).replace("name: nightly", "name: ''")),
                &["sessions[0].name"],
            ),
            (
                "validateSessionNameUnique: a name twice",
                with(format!("{}, {}", session(repository), session(repository))),
                &["sessions[1].name"],
            ),
            (
                "validateSessionConfig",
                with(session(repository).replace("scheduler: {schedule: '0 2 * * *'}", "x: y")),
                &["sessions[0].scheduler.schedule"],
            ),
            (
                "validateAddonInfo: no addon name, no tasks",
                with(session(repository).replace(&format!("name: postgres-addon, {TASK}"), "")),
                &["sessions[0].addon.name", "sessions[0].addon.tasks"],
            ),
            (
                "validateAddonInfo: a task without a name",
                with(session(repository).replace(TASK, "tasks: [{name: a}, {params: {}}]")),
                &["sessions[0].addon.tasks[1].name"],
            ),
            (
                "validateRepositories: no repositories",
                with(session("")),
                &["sessions[0].repositories"],
            ),
        ];
        check(cases, &[]);
    }

    #[test]
    fn repositories() {
        let with_backends = |repositories: &str| {
            format!(
                "backends: [{BACKEND}], sessions: [{}]",
                session(repositories)
            )
        };
        let without_backends =
            |repositories: &str| format!("sessions: [{}]", session(repositories));
        let cases: &[(&str, String, &[&str])] = &[
            (
                "validateRepositoryNameUnique, and a name Kubernetes refuses",
                with_backends(
                    "{name: a, backend: s3, directory: /a}, {name: a, backend: s3, directory: /b}, {name: A, backend: s3, directory: /c}",
                ),
                &[
                    "sessions[0].repositories[1].name",
                    "sessions[0].repositories[2].name",
                ],
            ),
            (
                "validateRepositories: an unknown backend, no directory",
                with_backends("{name: a, backend: gcs}"),
                &[
                    "sessions[0].repositories[0].backend",
                    "sessions[0].repositories[0].directory",
                ],
            ),
            (
                "the default backend: no backends, no backend named",
                without_backends("{name: a, directory: /a}"),
                &[],
            ),
            (
                "validateRepositories after Default: the default backend has no name",
                without_backends("{name: a, backend: default, directory: /a}"),
                &["sessions[0].repositories[0].backend"],
            ),
            (
                "no backend named beside backends: no default is filled in",
                with_backends("{name: a, directory: /a}"),
                &["sessions[0].repositories[0].backend"],
            ),
            (
                "getRepository: no name",
                with_backends("{backend: s3, directory: /a}"),
                &["sessions[0].repositories[0].name"],
            ),
        ];
        check(cases, &[]);
        let messages = refused(
            &without_backends("{name: a, backend: default, directory: /a}"),
            &[],
        );
        assert!(
            messages[0].1.contains("leaving `backend` out"),
            "{messages:?}"
        );
        let messages = refused(&with_backends("{name: a, directory: /a}"), &[]);
        assert!(
            messages[0].1.contains("(s3)")
                && messages[0]
                    .1
                    .contains("lets the BackupConfiguration through"),
            "{messages:?}"
        );
    }

    #[test]
    fn directories() {
        let gcs = "{name: gcs, storageRef: {name: gcs}}";
        let two = |a: &str, b: &str| {
            format!(
                "backends: [{BACKEND}, {gcs}], sessions: [{}, {}]",
                session(a),
                session(b).replace("nightly", "weekly")
            )
        };
        let cases: &[(&str, String, &[&str])] = &[
            (
                "validateRepoDirectories: two repositories in one directory",
                two(
                    "{name: a, backend: s3, directory: /x}",
                    "{name: b, backend: s3, directory: /x}",
                ),
                &["sessions[1].repositories[0].directory"],
            ),
            (
                "validateRepoDirectories: one directory of two backends is refused too",
                two(
                    "{name: a, backend: s3, directory: /x}",
                    "{name: a, backend: gcs, directory: /x}",
                ),
                &["sessions[1].repositories[0].directory"],
            ),
            (
                "one repository that two sessions share",
                two(
                    "{name: a, backend: s3, directory: /x}",
                    "{name: a, backend: s3, directory: /x}",
                ),
                &[],
            ),
            (
                "directories compare as written",
                two(
                    "{name: a, backend: s3, directory: /x}",
                    "{name: b, backend: s3, directory: /x/}",
                ),
                &[],
            ),
        ];
        check(cases, &[]);
        let template = two(
            "{name: a, backend: s3, directory: /x}",
            "{name: a, backend: gcs, directory: /x}",
        );
        let message = &refused(&template, &[])[0].1;
        assert!(message.contains("on backend `s3`"), "{message}");
    }

    /// Objects of the input that the backends and hooks name, with their usage policies.
    const STORAGES: [&str; 5] = [
        "{apiVersion: storage.kubestash.com/v1alpha1, kind: BackupStorage, metadata: {name: same, namespace: backup}, spec: {default: true}}",
        "{apiVersion: storage.kubestash.com/v1alpha1, kind: BackupStorage, metadata: {name: all, namespace: backup}, spec: {usagePolicy: {allowedNamespaces: {from: All}}}}",
        "{apiVersion: storage.kubestash.com/v1alpha1, kind: RetentionPolicy, metadata: {name: teams, namespace: backup}, spec: {usagePolicy: {allowedNamespaces: {from: Selector, selector: {matchLabels: {team: db}}}}}}",
        "{apiVersion: core.kubestash.com/v1alpha1, kind: HookTemplate, metadata: {name: notify, namespace: backup}, spec: {}}",
        "{apiVersion: storage.kubestash.com/v1alpha1, kind: BackupStorage, metadata: {name: odd, namespace: backup}, spec: {usagePolicy: {allowedNamespaces: {from: Elsewhere}}}}",
    ];

    #[test]
    fn usage_policies_of_what_is_named() {
        let repository = "{name: a, backend: b, directory: /a}";
        let backend = |storage: &str, retention: &str| {
            format!(
                "backends: [{{name: b, storageRef: {storage}, retentionPolicy: {retention}}}], sessions: [{}]",
                session(repository)
            )
        };
        let hook = |template: &str| {
            let repository = "{name: a, backend: s3, directory: /a}";
            let session = session(repository).replace(
                "name: nightly,",
                &format!(
                    "name: nightly, hooks: {{postBackup: [{{name: h, hookTemplate: {template}}}]}},"
                ),
            );
            format!("backends: [{BACKEND}], sessions: [{session}]")
        };
        let cases: &[(&str, String, &[&str])] = &[
            (
                "validateStorageUsagePolicy: from Same, another namespace",
                backend(
                    "{namespace: backup, name: same}",
                    "{namespace: backup, name: keep}",
                ),
                &["backends[0].storageRef"],
            ),
            (
                "from All; a RetentionPolicy the input does not hold",
                backend("{namespace: backup, name: all}", "{name: elsewhere}"),
                &[],
            ),
            (
                "a storage without namespace is looked up in the BackupConfiguration's",
                backend("{name: same}", "{namespace: backup, name: keep}"),
                &[],
            ),
            (
                "a policy KubeStash's CRD refuses is judged by no one here",
                backend(
                    "{namespace: backup, name: odd}",
                    "{namespace: backup, name: keep}",
                ),
                &[],
            ),
            (
                "validateRetentionPolicyUsagePolicy: a selector",
                backend(
                    "{namespace: backup, name: all}",
                    "{namespace: backup, name: teams}",
                ),
                &["backends[0].retentionPolicy"],
            ),
            (
                "validateHookTemplatesAgainstUsagePolicy: no usagePolicy is Same",
                hook("{namespace: backup, name: notify}"),
                &["sessions[0].hooks.postBackup[0].hookTemplate"],
            ),
            (
                "a HookTemplate without namespace is not found by the webhook",
                hook("{name: notify}"),
                &[],
            ),
        ];
        check(cases, &STORAGES);
        let selected =
            "{apiVersion: v1, kind: Namespace, metadata: {name: shop, labels: {team: db}}}";
        let mut objects = STORAGES.to_vec();
        objects.push(selected);
        let template = backend(
            "{namespace: backup, name: all}",
            "{namespace: backup, name: teams}",
        );
        assert_eq!(
            refused(&template, &objects),
            [],
            "the Namespace's labels are selected"
        );
        let message = &refused(&template, &STORAGES)[0].1;
        assert!(message.contains("holds no Namespace shop"), "{message}");
    }

    #[test]
    fn defaults_a_namespace_may_use() {
        let template = format!("sessions: [{}]", session("{name: a, directory: /a}"));
        with_template(&template, &STORAGES, |_, referenced| {
            // `same` serves only backup; nothing is a default RetentionPolicy.
            assert!(referenced.has_default(Kind::BackupStorage, "backup"));
            assert!(!referenced.has_default(Kind::BackupStorage, "shop"));
            assert!(!referenced.has_default(Kind::RetentionPolicy, "backup"));
        });
    }

    #[test]
    fn claims_of_the_default_backend() {
        let template = format!("sessions: [{}]", session("{name: a, directory: /a}"));
        let found = with_template(&template, &[], |uses, _| claims(uses));
        let directory = Claim::Directory {
            storage: Storage::DefaultOf("shop".into()),
            directory: "/a".into(),
        };
        assert!(found.contains(&directory), "{found:?}");
        // A repository naming no backend beside backends is in no storage anyone knows.
        let template = format!(
            "backends: [{BACKEND}], sessions: [{}]",
            session("{name: a, directory: /a}")
        );
        let found = with_template(&template, &[], |uses, _| claims(uses));
        assert!(
            !found.iter().any(|c| matches!(c, Claim::Directory { .. })),
            "{found:?}"
        );
    }
}
