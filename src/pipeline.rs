//! One run, from input text to output pieces: read → frame → families propose → reconcile →
//! write. The only module that knows every layer.

use crate::engine::config::{self, Config};
use crate::engine::family::{Family, Input};
use crate::engine::k8s_names;
use crate::engine::reconcile::{self, Finished, Generates, Reconciler, Writer};
use crate::error::InputError;
use crate::explain::{self, Preview, Report};
use crate::families::kubestash::KubeStash;
use crate::families::stash::Stash;
use crate::krm::object::{FileRef, ItemIndex, Object};
use crate::krm::read::{self, DocumentRoot, Interest, Read, Spec};
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
    preview: Option<Preview>,
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

    /// The `explain` report, when [`Options::explain`] asked for it (taken: the preview moves
    /// into it).
    pub fn take_explanation(&mut self) -> Option<Report> {
        let preview = self.preview.take()?;
        Some(Report::new(preview, &self.results))
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
        let (config, problems) = argocd_namespace(config, problems, options);
        let layout = frame.layout;
        let mut write = |value: &Value<'_>, comment: &[&str]| layout.write(value, comment);
        let (finished, config_ok) = generate(
            &read.tree,
            &frame.items.objects,
            &config,
            problems,
            Place::Kpt,
            &mut write,
            options.explain.is_some(),
        );
        let preview = options
            .explain
            .map(|now| preview(&frame.items.objects, &finished, now));
        let mut changes = finished.changes;
        let targets = finished.targets.len();
        reconcile::summarise(
            &mut changes,
            &frame.items.objects,
            targets,
            config_ok,
            finished.silenced,
        );
        let pieces = resource_list::apply(src, &frame, root, &mut changes);
        return Ok(Run {
            framing: Framing::ResourceList,
            pieces,
            results: changes.results,
            preview,
        });
    }
    let (config, problems) = match options.config {
        Some(text) => read_config_file(text)?,
        None => (Config::default(), Vec::new()),
    };
    let (config, problems) = argocd_namespace(config, problems, options);
    let Read { tree, documents } = read;
    let mut frame = stream::frame(documents, origin);
    let mut problems = problems;
    problems.append(&mut frame.warnings);
    let mut write = |value: &Value<'_>, comment: &[&str]| stream::LAYOUT.write(value, comment);
    let (finished, config_ok) = generate(
        &tree,
        &frame.objects,
        &config,
        problems,
        Place::Stream,
        &mut write,
        options.explain.is_some(),
    );
    let preview = options
        .explain
        .map(|now| preview(&frame.objects, &finished, now));
    let mut changes = finished.changes;
    let targets = finished.targets.len();
    stream::refuse_empty(&frame, &mut changes);
    reconcile::summarise(
        &mut changes,
        &frame.objects,
        targets,
        config_ok,
        finished.silenced,
    );
    let pieces = stream::apply(src, &frame, &mut changes);
    Ok(Run {
        framing: Framing::Stream,
        pieces,
        results: changes.results,
        preview,
    })
}

/// What the framing does with new objects and odd items.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// kpt files beside their targets; items named `items[i]`.
    Kpt,
    /// No files; items named `document i`.
    Stream,
}

/// The preview of a run's decisions at `now`, with the families' names.
fn preview(objects: &[Object<'_>], finished: &Finished, now: i64) -> Preview {
    let names: Vec<&'static str> = FAMILIES.iter().map(|f| f.name()).collect();
    explain::preview(objects, &finished.targets, &finished.decisions, &names, now)
}

/// Runs the families over `objects` and reconciles what they propose with the earlier output:
/// what reconciliation leaves (its decisions too when `record`), and whether the options could
/// be read.
fn generate<'r>(
    tree: &'r Tree<'r>,
    objects: &'r [Object<'r>],
    config: &Config,
    problems: Vec<KrmResult>,
    place: Place,
    write: &'r mut Writer<'r>,
    record: bool,
) -> (Finished, bool) {
    let describe: fn(ItemIndex) -> String = match place {
        Place::Kpt => resource_list::describe,
        Place::Stream => stream::describe,
    };
    let generates: Vec<Generates> = FAMILIES
        .iter()
        .map(|f| Generates {
            family: f.name(),
            kinds: f.generated(),
            collision_hint: f.collision_hint(),
        })
        .collect();
    let mut reconciler = Reconciler::new(
        tree,
        objects,
        &generates,
        config,
        place == Place::Kpt,
        write,
        problems,
    );
    if record {
        reconciler.record_decisions();
    }
    let config_ok = !reconciler.has_errors();
    let inputs: Vec<Input<'_, '_>> = FAMILIES
        .iter()
        .map(|family| Input::new(tree, objects, own_interest(*family)))
        .collect();
    if config_ok && place == Place::Kpt {
        reconciler
            .results()
            .extend(krm::not_objects(objects, describe));
    }
    if config_ok {
        for (i, (family, input)) in FAMILIES.iter().zip(&inputs).enumerate() {
            family.propose(input, config, &mut reconciler.proposals(i));
        }
    }
    if config.strict {
        reconciler.strict();
    }
    reconciler.prune(config_ok, &|family, index| {
        FAMILIES[family].earlier_target(&inputs[family], index)
    });
    (reconciler.finish(), config_ok)
}

/// The namespace ArgoCD applies objects without one to, which their backups must share: it
/// replaces `defaultNamespace` (with a warning when the two differ).
fn argocd_namespace(
    mut config: Config,
    mut problems: Vec<KrmResult>,
    options: &Options<'_>,
) -> (Config, Vec<KrmResult>) {
    let Some(namespace) = options.argocd_namespace.filter(|n| !n.is_empty()) else {
        return (config, problems);
    };
    if !k8s_names::is_dns_label(namespace) {
        problems.push(KrmResult::new(
            Severity::Warning,
            format!("ARGOCD_APP_NAMESPACE {namespace:?} is not a valid Kubernetes namespace; it is not used"),
        ));
        return (config, problems);
    }
    if let Some(option) = config
        .default_namespace
        .as_deref()
        .filter(|o| *o != namespace)
    {
        problems.push(KrmResult::new(
            Severity::Warning,
            format!(
                "defaultNamespace `{option}` is not used: ArgoCD applies objects without a namespace \
                 to `{namespace}` (ARGOCD_APP_NAMESPACE), so their backups go there too"
            ),
        ));
    }
    config.default_namespace = Some(namespace.to_owned());
    (config, problems)
}

/// Reads a `--config` file: one ConfigMap or StashAutoBackup object.
fn read_config_file(text: &str) -> Result<(Config, Vec<KrmResult>), InputError> {
    let (tree, node) = capture_first(text).map_err(|e| InputError::syntax(&e))?;
    Ok(config::read(&tree, node))
}
