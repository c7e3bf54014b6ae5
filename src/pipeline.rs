//! One run, from input text to output pieces: read → frame → families propose → reconcile →
//! write. The only module that knows every layer.

use std::fmt;

use crate::engine::config::{self, Config};
use crate::engine::family::{Family, FamilyId, Input};
use crate::engine::finding::{Finding, Found};
use crate::engine::k8s_names;
use crate::engine::reconcile::{Finished, Generates, Reconciler, Summary, Writer};
use crate::error::InputError;
use crate::explain::{self, Report};
use crate::families::kubestash::KubeStash;
use crate::families::stash::Stash;
use crate::krm::changes::Changes;
use crate::krm::object::{FileRef, Object};
use crate::krm::read::{self, DocumentRoot, Interest, Read, Root, Spec};
use crate::krm::results::{KrmResult, Severity};
use crate::krm::{self, resource_list, stream};
use crate::yaml::emit::Value;
use crate::yaml::events::capture_first;
use crate::yaml::splice::Pieces;
use crate::yaml::tree::Tree;

/// What kind of output a run produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// A ResourceList (results inside it).
    ResourceList,
    /// A plain stream of objects (results go to stderr).
    Stream,
}

/// The outcome of a run whose input could be read.
#[derive(Debug)]
pub struct Run {
    framing: Framing,
    /// The output, as pieces of the input and generated text.
    pieces: Pieces,
    results: Vec<KrmResult>,
    /// What was decided, target by target, when [`Options::explain`] asked.
    report: Option<Report>,
}

impl Run {
    /// What kind of output the run produced.
    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// The results, in the order the output lists them; the summary last.
    pub fn results(&self) -> &[KrmResult] {
        &self.results
    }

    /// Whether a result is an error (the process then exits 1).
    pub fn has_errors(&self) -> bool {
        self.results.iter().any(|r| r.severity == Severity::Error)
    }

    /// The results to print on stderr, one line each. In a ResourceList only the errors: kpt
    /// and kustomize read the results from the list, and kustomize shows only stderr. In stream
    /// mode all of them: stderr is their only channel.
    pub fn stderr_results(&self) -> impl Iterator<Item = &KrmResult> {
        self.results.iter().filter(move |r| match self.framing {
            Framing::ResourceList => r.severity == Severity::Error,
            Framing::Stream => true,
        })
    }

    /// Whether the output goes to stdout. Stream mode feeds `kubectl apply` and ArgoCD: on
    /// errors it prints nothing rather than a partial set of objects. A ResourceList always
    /// comes back whole, its results saying what is wrong.
    pub fn writes_output(&self) -> bool {
        !(self.framing == Framing::Stream && self.has_errors())
    }

    /// Writes the output: the pieces of `src` (the input the run read) and the generated text.
    pub fn write_output(&self, src: &[u8], out: &mut dyn std::io::Write) -> std::io::Result<()> {
        self.pieces.write_to(src, out)
    }

    /// The output as bytes (see [`Run::write_output`]).
    pub fn output(&self, src: &[u8]) -> Vec<u8> {
        self.pieces.to_vec(src)
    }

    /// The `explain` report, when [`Options::explain`] asked for it.
    pub fn take_explanation(&mut self) -> Option<Report> {
        self.report.take()
    }
}

/// Options that come from the command line rather than the input.
#[derive(Debug, Default)]
pub struct Options<'c> {
    /// The text of a `--config` file (stream mode only).
    pub config: Option<&'c str>,
    /// The namespace ArgoCD gives a config management plugin (`ARGOCD_APP_NAMESPACE`): where
    /// ArgoCD applies objects that have none, so it wins over `defaultNamespace`.
    pub argocd_namespace: Option<&'c str>,
    /// Record what is decided for the `explain` preview, whose next runs count from this time
    /// (Unix seconds).
    pub explain: Option<i64>,
    /// Read JSON with the YAML reader too (tests compare the two readers).
    #[doc(hidden)]
    pub yaml_scanner_only: bool,
}

/// The API families, in the order their objects are generated.
static FAMILIES: [&dyn Family; 2] = [&Stash, &KubeStash];

/// What the readers keep: what the families declared, and the kinds they generate, whole.
pub fn interest() -> Interest {
    FAMILIES
        .iter()
        .fold(Interest::default(), |interest, family| {
            own_interest(*family).union(&interest)
        })
}

/// A family's declared interest and the kinds it generates.
fn own_interest(family: &dyn Family) -> Interest {
    family
        .generated()
        .iter()
        .fold(family.interest(), |interest, generated| {
            interest.group(generated.group, Spec::Whole)
        })
}

/// Runs the function on `src`: a ResourceList, or else a stream of objects. `origin` maps a
/// byte offset of `src` to the file it came from (stream mode over files).
pub fn run(
    src: &str,
    options: &Options<'_>,
    origin: &dyn Fn(usize) -> Option<FileRef>,
) -> Result<Run, InputError> {
    let interest = interest();
    let fast = if options.yaml_scanner_only {
        None
    } else {
        read::json::read(src, &interest)
    };
    let read = match fast {
        Some(read) => read,
        None => read::yaml::read(src, &interest).map_err(|e| InputError::syntax(&e))?,
    };
    let first = read.first().ok_or(InputError::Empty)?;
    if let DocumentRoot::Mapping(root) = &first.root
        && resource_list::is_resource_list(root)
    {
        if options.config.is_some() {
            return Err(InputError::ConfigWithResourceList);
        }
        let frame = resource_list::frame(src, &read, root)?;
        let (config, problems) = config::read(&read.tree, root.function_config);
        let framed = ResourceList { frame, root };
        return Ok(body(src, &read.tree, framed, config, problems, options));
    }
    let (config, problems) = match options.config {
        Some(text) => read_config_file(text)?,
        None => (Config::default(), Vec::new()),
    };
    let Read { tree, documents } = read;
    let framed = Stream(stream::frame(documents, origin));
    Ok(body(src, &tree, framed, config, problems, options))
}

/// What the run needs of a framing: its objects, how it writes new ones, what it finds about
/// its items, and how it turns the changes into output.
trait Framed<'a> {
    const FRAMING: Framing;

    fn objects(&self) -> &[Object<'a>];

    /// Whether new objects get kpt files beside their targets.
    fn kpt_files(&self) -> bool;

    /// A decided object as text for its place in the output, after a comment.
    fn write(&self, value: &Value<'_>, comment: &[&str]) -> String;

    /// What the framing finds about its items, once the options are known to be readable or not.
    fn findings(&mut self, config_ok: bool) -> Vec<Found>;

    /// What it finds about the output as a whole.
    fn check(&self, changes: &Changes, has_errors: bool) -> Option<Found>;

    /// The output: the input with `changes` applied, and the `results`.
    fn apply(&self, src: &str, changes: Changes, results: &[KrmResult]) -> Pieces;
}

/// A ResourceList from kpt, kustomize or a pipe: items in, items out, results inside.
struct ResourceList<'r, 'a> {
    frame: resource_list::Frame<'r, 'a>,
    root: &'r Root<'a>,
}

impl<'a> Framed<'a> for ResourceList<'_, 'a> {
    const FRAMING: Framing = Framing::ResourceList;

    fn objects(&self) -> &[Object<'a>] {
        &self.frame.items.objects
    }

    fn kpt_files(&self) -> bool {
        true
    }

    fn write(&self, value: &Value<'_>, comment: &[&str]) -> String {
        self.frame.layout.write(value, comment)
    }

    fn findings(&mut self, config_ok: bool) -> Vec<Found> {
        if !config_ok {
            return Vec::new();
        }
        krm::not_objects(self.objects(), resource_list::describe)
            .map(Found::new)
            .collect()
    }

    fn check(&self, _: &Changes, _: bool) -> Option<Found> {
        None
    }

    fn apply(&self, src: &str, changes: Changes, results: &[KrmResult]) -> Pieces {
        resource_list::apply(src, &self.frame, self.root, changes, results)
    }
}

/// A plain stream of objects (stream mode): objects out, results on stderr.
struct Stream<'a>(stream::Frame<'a>);

impl<'a> Framed<'a> for Stream<'a> {
    const FRAMING: Framing = Framing::Stream;

    fn objects(&self) -> &[Object<'a>] {
        &self.0.objects
    }

    fn kpt_files(&self) -> bool {
        false
    }

    fn write(&self, value: &Value<'_>, comment: &[&str]) -> String {
        stream::LAYOUT.write(value, comment)
    }

    fn findings(&mut self, _: bool) -> Vec<Found> {
        std::mem::take(&mut self.0.warnings)
            .into_iter()
            .map(Found::new)
            .collect()
    }

    fn check(&self, changes: &Changes, has_errors: bool) -> Option<Found> {
        stream::refuse_empty(&self.0, changes, has_errors).map(Found::new)
    }

    fn apply(&self, src: &str, changes: Changes, _: &[KrmResult]) -> Pieces {
        stream::apply(src, &self.0, changes)
    }
}

/// An item of a ResourceList that is no object.
impl Finding for krm::NotAMapping {
    fn severity(&self) -> Severity {
        Severity::Error
    }
}

/// A document of a stream that is no object: left out, as `kubectl apply` would refuse it.
impl Finding for stream::LeftOut {
    fn severity(&self) -> Severity {
        Severity::Warning
    }
}

/// A stream whose output would be empty, which ArgoCD would take as "delete everything".
impl Finding for stream::NothingToOutput {
    fn severity(&self) -> Severity {
        Severity::Error
    }
}

/// One run over a framed input: the families propose, reconciliation decides, the framing
/// writes; then the summary, the results, and (when asked) the preview.
fn body<'a, F: Framed<'a>>(
    src: &str,
    tree: &Tree<'a>,
    mut framed: F,
    config: Config,
    problems: Vec<Found>,
    options: &Options<'_>,
) -> Run {
    let (config, mut findings) = argocd_namespace(config, problems, options);
    let config_ok = !findings.iter().any(|f| f.severity() == Severity::Error);
    findings.extend(framed.findings(config_ok));
    let objects = framed.objects();
    let mut write = |value: &Value<'_>, comment: &[&str]| framed.write(value, comment);
    let steps = Steps {
        tree,
        objects,
        config: &config,
        kpt_files: framed.kpt_files(),
        record: options.explain.is_some(),
    };
    let mut finished = generate(&steps, findings, &mut write, config_ok);
    let has_errors = finished
        .findings
        .iter()
        .any(|f| f.severity() == Severity::Error);
    if let Some(found) = framed.check(&finished.changes, has_errors) {
        finished.results.push(found.to_result(objects));
        finished.findings.push(found);
    }
    let summary = Summary::new(
        objects,
        &finished.changes,
        &finished.findings,
        finished.targets.len(),
        config_ok,
        finished.silenced,
    );
    let mut results = std::mem::take(&mut finished.results);
    results.push(KrmResult::new(Severity::Info, summary.to_string()));
    let report = options
        .explain
        .map(|now| report(objects, &finished, &results, now));
    let pieces = framed.apply(src, finished.changes, &results);
    Run {
        framing: F::FRAMING,
        pieces,
        results,
        report,
    }
}

/// The explain report of a run's decisions at `now`, with each finding (as its result) and the
/// family that found it.
fn report(objects: &[Object<'_>], finished: &Finished, results: &[KrmResult], now: i64) -> Report {
    let names: Vec<&'static str> = FAMILIES.iter().map(|f| f.name()).collect();
    let preview = explain::preview(objects, &finished.targets, &finished.decisions, &names, now);
    let found = results
        .iter()
        .zip(&finished.findings)
        .map(|(result, found)| {
            let family = found.family.map(|FamilyId(i)| names[i]);
            (result.clone(), family)
        });
    let summary = results
        .last()
        .map(|r| r.message.clone())
        .unwrap_or_default();
    Report::new(preview, found.collect(), summary)
}

/// What one run's families and reconciliation work on.
struct Steps<'s, 'a> {
    tree: &'s Tree<'a>,
    objects: &'s [Object<'a>],
    config: &'s Config,
    kpt_files: bool,
    /// Record decisions and details for a preview.
    record: bool,
}

/// Runs the families over the objects and reconciles what they propose with the earlier output
/// (nothing but reconciliation itself while the options are wrong, `config_ok` false).
fn generate<'r>(
    steps: &Steps<'r, 'r>,
    findings: Vec<Found>,
    write: &'r mut Writer<'r>,
    config_ok: bool,
) -> Finished {
    let generates: Vec<Generates> = FAMILIES
        .iter()
        .map(|f| Generates {
            name: f.name(),
            kinds: f.generated(),
            retained: f.retained(),
            collision_hint: f.collision_hint(),
        })
        .collect();
    let config = steps.config;
    let mut reconciler = Reconciler::new(
        steps.tree,
        steps.objects,
        &generates,
        config,
        steps.kpt_files,
        write,
        findings,
    );
    if steps.record {
        reconciler.record_decisions();
    }
    let inputs: Vec<Input<'_, '_>> = FAMILIES
        .iter()
        .map(|family| Input::new(steps.tree, steps.objects, own_interest(*family)))
        .collect();
    if config_ok {
        for (i, (family, input)) in FAMILIES.iter().zip(&inputs).enumerate() {
            family.propose(input, config, &mut reconciler.proposals(FamilyId(i)));
        }
    }
    reconciler.prune(config_ok, &|FamilyId(family), index| {
        FAMILIES[family].earlier_target(&inputs[family], index, config.default_namespace.as_deref())
    });
    reconciler.finish()
}

/// What the namespace ArgoCD gives a plugin finds.
#[derive(Debug)]
enum ArgoNamespace {
    /// It is no namespace: not used.
    Invalid(String),
    /// It replaces the option `defaultNamespace`, which names another.
    Replaces { option: String, namespace: String },
}

impl fmt::Display for ArgoNamespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgoNamespace::Invalid(namespace) => write!(
                f,
                "ARGOCD_APP_NAMESPACE {namespace:?} is not a valid Kubernetes namespace; it is \
                 not used"
            ),
            ArgoNamespace::Replaces { option, namespace } => write!(
                f,
                "defaultNamespace `{option}` is not used: ArgoCD applies objects without a \
                 namespace to `{namespace}` (ARGOCD_APP_NAMESPACE), so their backups go there too"
            ),
        }
    }
}

impl Finding for ArgoNamespace {
    fn severity(&self) -> Severity {
        Severity::Warning
    }
}

/// The namespace ArgoCD applies objects without one to, which their backups must share: it
/// replaces `defaultNamespace` (with a warning when the two differ).
fn argocd_namespace(
    mut config: Config,
    mut problems: Vec<Found>,
    options: &Options<'_>,
) -> (Config, Vec<Found>) {
    let Some(namespace) = options.argocd_namespace.filter(|n| !n.is_empty()) else {
        return (config, problems);
    };
    if !k8s_names::is_dns_label(namespace) {
        let invalid = ArgoNamespace::Invalid(namespace.to_owned());
        problems.push(Found::new(invalid));
        return (config, problems);
    }
    if let Some(option) = config
        .default_namespace
        .as_deref()
        .filter(|o| *o != namespace)
    {
        let replaces = ArgoNamespace::Replaces {
            option: option.to_owned(),
            namespace: namespace.to_owned(),
        };
        problems.push(Found::new(replaces));
    }
    config.default_namespace = Some(namespace.to_owned());
    (config, problems)
}

/// Reads a `--config` file: one ConfigMap or StashAutoBackup object.
fn read_config_file(text: &str) -> Result<(Config, Vec<Found>), InputError> {
    let (tree, node) = capture_first(text).map_err(|e| InputError::syntax(&e))?;
    Ok(config::read(&tree, node))
}
