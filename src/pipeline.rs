//! One run, from input text to output pieces: read → frame → families propose → reconcile →
//! write. The only module that knows every layer.

use std::fmt;
use std::path::Path;

use crate::engine::config::policies::human;
use crate::engine::config::{self, Config, kptfile};
use crate::engine::family::{Family, FamilyId, Input};
use crate::engine::fields::{FieldProblem, Problems};
use crate::engine::finding::{Finding, Found};
use crate::engine::k8s_names;
use crate::engine::reconcile::{Finished, Generates, Reconciler, Summary, Writer};
use crate::error::InputError;
use crate::explain::{self, PolicyPart, Report};
use crate::families::common::protection;
use crate::families::kubestash::KubeStash;
use crate::families::stash::Stash;
use crate::krm::changes::Changes;
use crate::krm::object::{FileRef, Object};
use crate::krm::read::{self, DocumentRoot, Interest, Read, Root, Spec};
use crate::krm::results::{KrmResult, ResourceRef, Severity};
use crate::krm::{self, kpt, resource_list, stream};
use crate::policy::Depth;
use crate::policy::check::{self, Coverage};
use crate::policy::gap::Gap;
use crate::review::{Seen, Side};
use crate::yaml::emit::Value;
use crate::yaml::events::capture_first;
use crate::yaml::splice::{self, Pieces};
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
    /// What protects each subject, when [`Options::review`] asked.
    protection: Option<Side>,
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

    /// What protects each subject, when [`Options::review`] asked for it.
    pub fn take_protection(&mut self) -> Option<Side> {
        self.protection.take()
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
    /// The `--config` file's path as given, for messages (`--config FILE` without it).
    pub config_path: Option<&'c str>,
    /// The namespace ArgoCD gives a config management plugin (`ARGOCD_APP_NAMESPACE`): where
    /// ArgoCD applies objects that have none, so it wins over `defaultNamespace`.
    pub argocd_namespace: Option<&'c str>,
    /// The parameters an ArgoCD Application gives its config management plugin
    /// (`spec.source.plugin.parameters`), by name, each value one string as a ConfigMap's
    /// `data` holds it. They are read over the options the input or `--config` gives; one that
    /// sets an option those set, to another value, is an error naming both.
    pub parameters: &'c [(String, String)],
    /// Record what is decided for the `explain` preview, whose next runs count from this time
    /// (Unix seconds).
    pub explain: Option<i64>,
    /// Describe what protects every subject ([`Run::take_protection`]), for `explain --base`.
    pub review: bool,
    /// Read JSON with the YAML reader too (tests compare the two readers).
    #[doc(hidden)]
    pub yaml_scanner_only: bool,
}

/// The API families, in the order their objects are generated.
pub(crate) static FAMILIES: [&dyn Family; 2] = [&Stash, &KubeStash];

/// What the readers keep: what the families declared, the kinds they generate, whole, and what
/// holds options besides `functionConfig` (a typed options object, a Kptfile's pipeline).
pub fn interest() -> Interest {
    FAMILIES
        .iter()
        .fold(Interest::default(), |interest, family| {
            own_interest(*family).union(&interest)
        })
        .kind(config::TYPED_API_VERSION, config::TYPED_KIND)
        .group(kptfile::GROUP, Spec::Nothing)
        .top_field(kptfile::GROUP, kptfile::PIPELINE)
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

/// Whether the run's options may hold backup policies: then the readers keep every object a
/// policy may select (workloads and claims without annotations too). Looked for before the
/// input is read, as the word anywhere, so that a run without policies keeps what it always
/// kept and costs what it always cost; keeping more than the policies need changes nothing
/// else (the families select what they read).
fn may_hold_policies(src: &str, options: &Options<'_>) -> bool {
    const OPTION: &str = "policies";
    src.contains(OPTION)
        || options.config.is_some_and(|c| c.contains(OPTION))
        || options.parameters.iter().any(|(name, _)| name == OPTION)
}

/// Runs the function on `src`: a ResourceList, or else a stream of objects. `origin` maps a
/// byte offset of `src` to the file it came from (stream mode over files).
pub fn run(
    src: &str,
    options: &Options<'_>,
    origin: &dyn Fn(usize) -> Option<FileRef>,
) -> Result<Run, InputError> {
    let interest = match options.review || may_hold_policies(src, options) {
        true => interest().union(&protection::interest()),
        false => interest(),
    };
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
        let given = match root.function_config {
            Some(node) if !read.tree.is_null(node) => {
                let (config, found) = config::read(&read.tree, Some(node));
                let sets = config::set_in(&read.tree, Some(node));
                Given::from(config, found, sets).at("the functionConfig".to_owned())
            }
            _ => list_kptfile_config(src, &read.tree, &frame.items.objects)?,
        };
        let framed = ResourceList { frame, root };
        return Ok(body(src, &read.tree, framed, given, options));
    }
    let Read { tree, documents } = read;
    let mut frame = stream::frame(documents, origin);
    let given = stream_config(src, &tree, &mut frame, options, origin)?;
    Ok(body(src, &tree, Stream(frame), given, options))
}

/// The options as the input or `--config` gives them, before ArgoCD's parameters and namespace
/// are read over them.
#[derive(Debug, Default)]
struct Given {
    config: Config,
    /// What reading them found.
    found: Vec<Found>,
    /// Where they come from, as messages name it (empty: nowhere, the defaults).
    place: String,
    /// The options that place sets, which an ArgoCD parameter must not contradict.
    sets: Vec<&'static str>,
}

impl Given {
    fn from(config: Config, found: Vec<Found>, sets: Vec<&'static str>) -> Self {
        Given {
            config,
            found,
            place: String::new(),
            sets,
        }
    }

    /// The same options, from `place`.
    fn at(self, place: String) -> Self {
        Given { place, ..self }
    }
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

    fn tag(&self) -> &'static str {
        "not-an-object"
    }
}

/// A document of a stream that is no object: left out, as `kubectl apply` would refuse it.
impl Finding for stream::LeftOut {
    fn severity(&self) -> Severity {
        Severity::Warning
    }

    fn tag(&self) -> &'static str {
        "left-out"
    }
}

/// A stream whose output would be empty, which ArgoCD would take as "delete everything".
impl Finding for stream::NothingToOutput {
    fn severity(&self) -> Severity {
        Severity::Error
    }

    fn tag(&self) -> &'static str {
        "nothing-to-output"
    }
}

/// One run over a framed input: the families propose, reconciliation decides, the framing
/// writes; then the summary, the results, and (when asked) the preview.
fn body<'a, F: Framed<'a>>(
    src: &str,
    tree: &Tree<'a>,
    mut framed: F,
    given: Given,
    options: &Options<'_>,
) -> Run {
    let (config, problems) = parameters(given, options.parameters);
    let (config, mut findings) = argocd_namespace(config, problems, options);
    let config_ok = !findings.iter().any(|f| f.severity() == Severity::Error);
    findings.extend(framed.findings(config_ok));
    let objects = framed.objects();
    // A review reads what protects each subject, never the output: nothing is written.
    let review = options.review;
    let mut write = |value: &Value<'_>, comment: &[&str]| match review {
        true => String::new(),
        false => framed.write(value, comment),
    };
    let steps = Steps {
        tree,
        objects,
        config: &config,
        kpt_files: framed.kpt_files(),
        record: options.explain.is_some(),
        review: options.review,
    };
    let (mut finished, coverage) = generate(&steps, findings, &mut write, config_ok);
    let has_errors = finished
        .findings
        .iter()
        .any(|f| f.severity() == Severity::Error);
    if let Some(found) = framed.check(&finished.changes, has_errors) {
        finished.results.push(found.to_result(objects, None));
        finished.findings.push(found);
    }
    let summary = Summary::new(
        objects,
        &finished.changes,
        &finished.findings,
        finished.targets.len(),
        config_ok,
        finished.silenced,
        F::FRAMING == Framing::Stream,
    );
    let mut results = std::mem::take(&mut finished.results);
    results.push(summary.to_result());
    // Nothing is written while there are errors: stream mode prints nothing, and kpt and
    // kustomize write nothing when the function fails.
    let written = summary.errors == 0;
    let report = options
        .explain
        .map(|now| report(objects, &finished, &results, &coverage, now, written));
    let protection = options.review.then(|| review_side(objects, &coverage));
    let pieces = framed.apply(src, finished.changes, &results);
    Run {
        framing: F::FRAMING,
        pieces,
        results,
        report,
        protection,
    }
}

/// The explain report of a run's decisions at `now`, with each finding (as its result) and the
/// family that found it.
fn report(
    objects: &[Object<'_>],
    finished: &Finished,
    results: &[KrmResult],
    coverage: &[Coverage],
    now: i64,
    written: bool,
) -> Report {
    let names = names();
    let preview = explain::preview(objects, &finished.targets, &finished.decisions, &names, now);
    let found = results
        .iter()
        .zip(&finished.findings)
        .map(|(result, found)| {
            let family = found.family.map(|FamilyId(i)| names[i]);
            (result.clone(), family)
        });
    // Each result with where its object starts in the input, for SARIF's lines.
    let located = results
        .iter()
        .zip(&finished.findings)
        .map(|(result, found)| (result.clone(), found.object.map(|i| objects[i].start)))
        .collect();
    let policies = (coverage.iter())
        .map(|c| policy_part(objects, c, &names))
        .collect();
    let summary = results
        .last()
        .map(|r| r.message.clone())
        .unwrap_or_default();
    Report::new(preview, found.collect(), summary, written)
        .with_policies(policies)
        .with_locations(located)
}

/// Every subject's protection, as a review compares two runs' (by what each subject is, not
/// where it stands in the input).
fn review_side(objects: &[Object<'_>], coverage: &[Coverage]) -> Side {
    let subjects = coverage
        .iter()
        .map(|c| {
            let object = &objects[c.object];
            Seen {
                coverage: c.clone(),
                file: kpt::file_of(object).map(|f| f.path),
                at: object.start,
            }
        })
        .collect();
    Side::new(subjects, names())
}

/// A subject's coverage as the preview shows it.
fn policy_part(objects: &[Object<'_>], coverage: &Coverage, names: &[&'static str]) -> PolicyPart {
    let object = &objects[coverage.object];
    PolicyPart {
        subject: ResourceRef::of(object),
        file: kpt::file_of(object),
        backups: (coverage.backups.iter())
            .map(|b| (names[b.family.0], b.object.clone()))
            .collect(),
        opt_out: coverage.opt_out.clone(),
        gap: coverage.gap_text(),
        depth: coverage.depth_text(),
        copies: coverage.copies.clone(),
        verdicts: (coverage.verdicts.iter())
            .map(|v| (v.policy.clone(), v.requirement.clone(), v.holds))
            .collect(),
        dual_run: dual_run(coverage, names),
    }
}

/// For a subject both Stash and KubeStash back up (the dual run of a migration, docs/migrate.md
/// decision 14): how long both must run before the Stash backups can go. The KubeStash history
/// must reach back as far as the Stash retention does, which takes that retention's restore
/// depth (exact, at its shallowest in steady state) plus the wait for the first KubeStash backup
/// (at most its longest gap).
fn dual_run(coverage: &Coverage, names: &[&'static str]) -> Option<String> {
    let of = |family: &str| {
        (coverage.by_family.iter()).find(|(FamilyId(i), ..)| names.get(*i).copied() == Some(family))
    };
    let ((_, _, stash_depth), (_, gap, kubestash_depth)) = (of("Stash")?, of("KubeStash")?);
    let wait = match (stash_depth, gap) {
        (_, Gap::Never) => "the KubeStash schedules never fire: keep the Stash backups".to_owned(),
        (Depth::Bounded(depth), Gap::Longest(gap)) => format!(
            "keep the Stash backups until the KubeStash ones have run for {} (Stash's restore \
             depth {}, plus up to {} until the first KubeStash backup)",
            human(depth.seconds() + gap.seconds()),
            human(depth.seconds()),
            human(gap.seconds())
        ),
        (Depth::Unbounded, _) => "keep the Stash backups until you decide to retire them: their \
                                  retention never removes a snapshot"
            .to_owned(),
        (Depth::Unknown(why), _) => format!(
            "how long to keep the Stash backups cannot be known: {}",
            check::unknowable(why)
        ),
    };
    let shallower = match (stash_depth, kubestash_depth) {
        (Depth::Bounded(stash), Depth::Bounded(kubestash)) => kubestash.seconds() < stash.seconds(),
        (Depth::Unbounded, Depth::Bounded(_)) => true,
        _ => false,
    };
    let warning = match shallower {
        true => "; the KubeStash retention reaches back less far than the Stash one: removing \
                 Stash loses restore depth"
            .to_owned(),
        false => String::new(),
    };
    Some(format!(
        "Stash and KubeStash both back it up: {wait}{warning}"
    ))
}

/// The families' names, as the preview shows them, in [`FamilyId`] order.
fn names() -> Vec<&'static str> {
    FAMILIES.iter().map(|f| f.name()).collect()
}

/// What one run's families and reconciliation work on.
struct Steps<'s, 'a> {
    tree: &'s Tree<'a>,
    objects: &'s [Object<'a>],
    config: &'s Config,
    kpt_files: bool,
    /// Record decisions and details for a preview.
    record: bool,
    /// Describe what protects every subject, for the review of a change.
    review: bool,
}

/// Runs the families over the objects and reconciles what they propose with the earlier output
/// (nothing but reconciliation itself while the options are wrong, `config_ok` false), and checks
/// the backup policies: with their coverage of each subject when the run records a preview.
fn generate<'r>(
    steps: &Steps<'r, 'r>,
    findings: Vec<Found>,
    write: &'r mut Writer<'r>,
    config_ok: bool,
) -> (Finished, Vec<Coverage>) {
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
    // A preview describes protection too: it shows a subject that two families back up (a
    // migration's dual run) whether or not a policy selects it.
    let check_policies = config_ok && (!config.policies.is_empty() || steps.review || steps.record);
    if check_policies {
        reconciler.describe_protection();
    }
    if config_ok {
        for (i, (family, input)) in FAMILIES.iter().zip(&inputs).enumerate() {
            family.propose(input, config, &mut reconciler.proposals(FamilyId(i)));
        }
    }
    reconciler.prune(config_ok, &|FamilyId(family), index| {
        FAMILIES[family].earlier_target(&inputs[family], index, config.default_namespace.as_deref())
    });
    let mut coverage = Vec::new();
    if check_policies {
        let default = config.default_namespace.as_deref();
        let subjects = protection::subjects(steps.tree, steps.objects, default);
        let report = match (steps.review, steps.record) {
            (true, _) => check::Report::Every,
            (false, true) => check::Report::Selected,
            (false, false) => check::Report::Nothing,
        };
        let checked = check::check(&config.policies, &subjects, reconciler.backups(), report);
        checked.found.into_iter().for_each(|f| reconciler.report(f));
        coverage = checked.coverage;
    }
    (reconciler.finish(), coverage)
}

/// What an ArgoCD Application's parameter finds. No object of the input holds it, so the
/// message names it.
#[derive(Debug)]
enum Parameter {
    /// The option reader's problem with its value, or its name.
    Unreadable(FieldProblem),
    /// It sets an option that the input's options (`place`) set to something else.
    Disagrees {
        name: String,
        value: String,
        place: String,
    },
}

impl fmt::Display for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Parameter::Unreadable(problem) => {
                write!(f, "ArgoCD parameter `{}`: {problem}", problem.field)
            }
            Parameter::Disagrees { name, value, place } => write!(
                f,
                "ArgoCD parameter `{name}` is {value:?}, but {place} sets {name} otherwise: \
                 set it in one of the two (a parameter for this Application alone, the options \
                 for every run on the folder)"
            ),
        }
    }
}

impl Finding for Parameter {
    fn severity(&self) -> Severity {
        Severity::Error
    }

    fn tag(&self) -> &'static str {
        match self {
            Parameter::Unreadable(_) => "argocd-parameter",
            Parameter::Disagrees { .. } => "argocd-parameter-disagrees",
        }
    }
}

/// The options with an ArgoCD Application's parameters read over them (docs/spec.md §6.1). A
/// parameter sets its option as a ConfigMap's `data` would. One that sets an option the
/// input's options set, to another value, is an error and is not taken: either place, read
/// alone, would then say something else than what runs (the folder's options are also what
/// `explain` and CI runs on the folder read), so the two must agree; an option set in one place
/// only is taken from there.
fn parameters(given: Given, parameters: &[(String, String)]) -> (Config, Vec<Found>) {
    let Given {
        mut config,
        mut found,
        place,
        sets,
    } = given;
    for (name, value) in parameters {
        let before = config.clone();
        match config::read_string(&mut config, name, value) {
            Err(problem) => found.push(Found::new(Parameter::Unreadable(*problem))),
            Ok(()) if sets.contains(&name.as_str()) && !config.same_as(&before) => {
                let disagrees = Parameter::Disagrees {
                    name: name.clone(),
                    value: value.clone(),
                    place: place.clone(),
                };
                found.push(Found::new(disagrees));
                config = before;
            }
            Ok(()) => {}
        }
    }
    (config, found)
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

    fn tag(&self) -> &'static str {
        match self {
            ArgoNamespace::Invalid(_) => "argocd-namespace-invalid",
            ArgoNamespace::Replaces { .. } => "argocd-namespace-replaces",
        }
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
fn read_config_file(text: &str) -> Result<Given, InputError> {
    let (tree, node) = capture_first(text).map_err(|e| InputError::syntax(&e))?;
    let (config, found) = config::read(&tree, node);
    Ok(Given::from(config, found, config::set_in(&tree, node)))
}

/// Reads the options `object` of `src` holds (one ConfigMap or StashAutoBackup object), with
/// its findings on it when the readers kept it (so that results name its file).
fn read_config_object(
    src: &str,
    objects: &[Object<'_>],
    index: usize,
) -> Result<Given, InputError> {
    let object = &objects[index];
    // On its own, its first line keeps its column, so a block mapping keeps its indentation.
    let column = " ".repeat(splice::column(src, object.start));
    let given = read_config_file(&format!("{column}{}", &src[object.start..object.end]))?;
    let kept = object.fields().is_some();
    let found = on_object(given.found, kept.then_some(index));
    Ok(Given { found, ..given })
}

/// `found`, about the input object `index` when there is one.
fn on_object(found: Vec<Found>, index: Option<usize>) -> Vec<Found> {
    match index {
        Some(index) => found.into_iter().map(|f| f.on(index)).collect(),
        None => found,
    }
}

/// Where a stream's options come from (docs/spec.md §1.2): at most one of these.
enum OptionsSource {
    /// `--config FILE`.
    Flag(String),
    /// A `StashAutoBackup` object among the documents.
    Object(usize),
    /// A package's Kptfile (the document `kptfile`) and its entry that runs the function, with
    /// the options in its `configMap`, or in the document its `configPath` names.
    Kptfile {
        kptfile: usize,
        entry: kptfile::Entry,
        file: Option<usize>,
    },
}

/// The options of a stream: from `--config`, a `StashAutoBackup` object among its documents, or
/// the Kptfile of a package folder given (a document read from a file named `Kptfile`); more
/// than one is an error naming two. Such objects and Kptfiles are taken out of the output.
fn stream_config(
    src: &str,
    tree: &Tree<'_>,
    frame: &mut stream::Frame<'_>,
    options: &Options<'_>,
    origin: &dyn Fn(usize) -> Option<FileRef>,
) -> Result<Given, InputError> {
    let file = |object: &Object<'_>| origin(object.start).map(|f| f.path);
    let mut sources = Vec::new();
    if options.config.is_some() {
        let path = options.config_path.unwrap_or("FILE");
        sources.push(OptionsSource::Flag(format!("--config {path}")));
    }
    let typed = |(_, o): &(usize, &Object<'_>)| o.fields().is_some_and(config::is_typed);
    let objects = frame.objects.iter().enumerate();
    sources.extend(objects.filter(typed).map(|(i, _)| OptionsSource::Object(i)));
    let kptfiles: Vec<usize> = (0..frame.objects.len())
        .filter(|&i| {
            let object = &frame.objects[i];
            let named = file(object).is_some_and(|f| Path::new(&f).ends_with(kptfile::FILE));
            named && object.fields().is_some_and(kptfile::is_kptfile)
        })
        .collect();
    let mut found = Vec::new();
    for &index in &kptfiles {
        let Some(source) = kptfile_source(tree, &frame.objects, index, &file, &mut found)? else {
            continue;
        };
        // The Kptfile's options file and a StashAutoBackup object among the files: one source.
        if let OptionsSource::Kptfile { file: Some(at), .. } = source {
            sources.retain(|s| !matches!(s, OptionsSource::Object(i) if *i == at));
        }
        sources.push(source);
    }
    // Neither is ever printed: a StashAutoBackup object, used or not, is no Kubernetes object
    // to apply.
    let typed = sources.iter().filter_map(|s| match s {
        OptionsSource::Object(i) => Some(*i),
        OptionsSource::Kptfile { file, .. } => *file,
        OptionsSource::Flag(_) => None,
    });
    let typed: Vec<usize> = typed
        .filter(|&i| frame.objects[i].fields().is_some_and(config::is_typed))
        .collect();
    for index in kptfiles.into_iter().chain(typed) {
        frame.take_options(index);
    }
    if let [first, second, ..] = sources.as_slice() {
        return Err(InputError::OptionsTwice {
            first: source_name(first, &frame.objects, &file),
            second: source_name(second, &frame.objects, &file),
        });
    }
    let given = match sources.pop() {
        None => Given::default(),
        Some(source) => {
            let place = source_name(&source, &frame.objects, &file);
            read_source(src, tree, frame, source, options)?.at(place)
        }
    };
    found.extend(given.found);
    Ok(Given { found, ..given })
}

/// Where the stream's Kptfile `index` gives the options (its problems into `found`): none when
/// its pipeline gives this function none.
fn kptfile_source(
    tree: &Tree<'_>,
    objects: &[Object<'_>],
    index: usize,
    file: &dyn Fn(&Object<'_>) -> Option<String>,
    found: &mut Vec<Found>,
) -> Result<Option<OptionsSource>, InputError> {
    let name = file(&objects[index]).unwrap_or_default();
    let problems = Problems::default();
    let fields = objects[index].fields().expect("a Kptfile is kept");
    let entries = kptfile::entries(tree, fields, &problems);
    found.extend(on_object(found_of(problems), Some(index)));
    let Some(entry) = one_entry(&name, entries)? else {
        return Ok(None);
    };
    let file = match &entry.options {
        kptfile::EntryOptions::Path(path) => {
            let wanted = kptfile::resolve(&name, path);
            let named =
                |o: &Object<'_>| file(o).is_some_and(|f| kptfile::parts(f.as_ref()) == wanted);
            match objects.iter().position(named) {
                Some(at) => Some(at),
                None => return Err(config_path_missing(&name, &entry, path)),
            }
        }
        _ => None,
    };
    Ok(Some(OptionsSource::Kptfile {
        kptfile: index,
        entry,
        file,
    }))
}

/// The problems of a reader, as findings at their fields.
fn found_of(problems: Problems) -> Vec<Found> {
    problems.into_vec().into_iter().map(Found::from).collect()
}

/// The entry of a Kptfile's pipeline whose options a run on the package uses: none when no
/// entry runs the function or none gives options; an error when several do and one gives
/// options, as the run cannot stand for both.
fn one_entry(
    kptfile: &str,
    entries: Vec<kptfile::Entry>,
) -> Result<Option<kptfile::Entry>, InputError> {
    let defaults = |e: &kptfile::Entry| e.options == kptfile::EntryOptions::Defaults;
    if entries.iter().all(defaults) {
        return Ok(None);
    }
    match <[kptfile::Entry; 1]>::try_from(entries) {
        Ok([entry]) => Ok(Some(entry)),
        Err(entries) => Err(InputError::KptfileRunsTwice {
            kptfile: kptfile.to_owned(),
            first: entries[0].field.clone(),
            second: entries[1].field.clone(),
        }),
    }
}

fn config_path_missing(kptfile: &str, entry: &kptfile::Entry, path: &str) -> InputError {
    InputError::ConfigPathMissing {
        kptfile: kptfile.to_owned(),
        field: entry.options_field(),
        path: path.to_owned(),
    }
}

/// How messages name where options come from: `--config FILE`, an object and its file, a
/// Kptfile and its field.
fn source_name(
    source: &OptionsSource,
    objects: &[Object<'_>],
    file: &dyn Fn(&Object<'_>) -> Option<String>,
) -> String {
    let object_name = |index: usize| {
        let object = &objects[index];
        let name = object
            .fields()
            .and_then(|f| f.name.text())
            .unwrap_or_default();
        let place = file(object).unwrap_or_else(|| stream::describe(index));
        format!("{} `{name}` ({place})", config::TYPED_KIND)
    };
    match source {
        OptionsSource::Flag(name) => name.clone(),
        OptionsSource::Object(index) => object_name(*index),
        OptionsSource::Kptfile { kptfile, entry, .. } => {
            let place = file(&objects[*kptfile]).unwrap_or_else(|| stream::describe(*kptfile));
            format!("{place} ({})", entry.options_field())
        }
    }
}

/// Reads the options from where they come from.
fn read_source(
    src: &str,
    tree: &Tree<'_>,
    frame: &stream::Frame<'_>,
    source: OptionsSource,
    options: &Options<'_>,
) -> Result<Given, InputError> {
    match source {
        OptionsSource::Flag(_) => read_config_file(options.config.unwrap_or_default()),
        OptionsSource::Object(index) => read_config_object(src, &frame.objects, index),
        OptionsSource::Kptfile {
            kptfile,
            entry,
            file,
            ..
        } => read_entry(src, tree, &frame.objects, kptfile, &entry, file),
    }
}

/// Reads the options a Kptfile's entry gives: its `configMap`, or the object its `configPath`
/// names (`file`).
fn read_entry(
    src: &str,
    tree: &Tree<'_>,
    objects: &[Object<'_>],
    kptfile: usize,
    entry: &kptfile::Entry,
    file: Option<usize>,
) -> Result<Given, InputError> {
    match (&entry.options, file) {
        (kptfile::EntryOptions::Map(node), _) => {
            let (config, found) = config::read_data(tree, *node, &entry.options_field());
            let sets = config::set_in_data(tree, *node);
            Ok(Given::from(config, on_object(found, Some(kptfile)), sets))
        }
        (kptfile::EntryOptions::Path(_), Some(index)) => read_config_object(src, objects, index),
        _ => Ok(Given::default()),
    }
}

/// The options of a ResourceList without `functionConfig` (what `kpt fn source` prints, and
/// what `kpt fn render` sends an entry without options): those the package's Kptfile among the
/// items gives this function, when exactly one entry of its pipeline runs it (with several, the
/// list cannot say which one it is for, and the defaults stand, as before).
fn list_kptfile_config(
    src: &str,
    tree: &Tree<'_>,
    objects: &[Object<'_>],
) -> Result<Given, InputError> {
    let none = Given::default();
    let Some(index) = root_kptfile(objects) else {
        return Ok(none);
    };
    let fields = objects[index].fields().expect("a Kptfile is kept");
    let problems = Problems::default();
    let entries = kptfile::entries(tree, fields, &problems);
    let [entry] = entries.as_slice() else {
        return Ok(none);
    };
    let found = on_object(found_of(problems), Some(index));
    let given = match &entry.options {
        kptfile::EntryOptions::Path(path) => {
            let wanted = kptfile::resolve(kptfile::FILE, path);
            let package = objects[index].annotation(kpt::PACKAGE_PATH);
            let Some(at) = list_item_at(src, &wanted, package)? else {
                return Err(config_path_missing(kptfile::FILE, entry, path));
            };
            read_config_object(src, objects, at)?
        }
        _ => read_entry(src, tree, objects, index, entry, None)?,
    };
    let found = found.into_iter().chain(given.found).collect();
    let place = format!("the {} ({})", kptfile::FILE, entry.options_field());
    Ok(Given { found, ..given }.at(place))
}

/// The package's own Kptfile among a list's items: at kpt's path `Kptfile` (or without a path),
/// of the package nearest the root when `kpt fn render` marks packages.
fn root_kptfile(objects: &[Object<'_>]) -> Option<usize> {
    objects
        .iter()
        .enumerate()
        .filter(|(_, o)| o.fields().is_some_and(kptfile::is_kptfile))
        .filter(|(_, o)| kpt::file_of(o).is_none_or(|f| f.path == kptfile::FILE))
        .min_by_key(|(_, o)| o.annotation(kpt::PACKAGE_PATH).map_or(0, str::len))
        .map(|(i, _)| i)
}

/// The index of the item of the list `src` whose kpt path is `wanted` (in the package
/// `package`, when kpt marks packages). The readers keep no item for its path alone, so this
/// reads the list again, keeping only paths: only for a Kptfile's `configPath`.
fn list_item_at(
    src: &str,
    wanted: &[String],
    package: Option<&str>,
) -> Result<Option<usize>, InputError> {
    let interest = kpt::PATH
        .iter()
        .fold(Interest::default(), |i, key| i.annotation(key))
        .annotation(kpt::PACKAGE_PATH);
    let read = read::yaml::read(src, &interest).map_err(|e| InputError::syntax(&e))?;
    let Some(DocumentRoot::Mapping(root)) = read.first().map(|d| &d.root) else {
        return Ok(None);
    };
    let Some(read::ItemsValue::Seq(items)) = &root.items else {
        return Ok(None);
    };
    Ok(items.objects.iter().position(|o| {
        o.annotation(kpt::PACKAGE_PATH) == package
            && kpt::file_of(o).is_some_and(|f| kptfile::parts(f.path.as_ref()) == wanted)
    }))
}
