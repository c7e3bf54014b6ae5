//! Reading the options of either form through the option table.

use granit_parser::ScalarStyle;

use super::options::{SETTINGS, Setting, Values, summary};
use super::{Config, TYPED_API_VERSION, TYPED_KIND, policies};
use crate::engine::fields::{FieldProblem, Fields, Problem, Problems};
use crate::engine::finding::Found;
use crate::engine::finding::Info;
use crate::engine::k8s_names;
use crate::krm::results::ResourceRef;
use crate::suggest;
use crate::yaml::tree::{Node, NodeId, Tree};

/// The two forms of `functionConfig`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// What `kpt fn eval -- key=value` builds: the options in `data`, every value a string.
    ConfigMap,
    /// `kind: StashAutoBackup`: the options at the top level, with YAML types.
    Typed,
}

impl Form {
    /// The field that holds the form's options (none: the top level).
    fn holder(self) -> &'static str {
        match self {
            Form::ConfigMap => "data",
            Form::Typed => "",
        }
    }
}

/// Reads the options; problems come back as findings about the functionConfig, and the
/// defaults stand in.
pub fn read(tree: &Tree<'_>, node: Option<NodeId>) -> (Config, Vec<Found>) {
    let mut config = Config::default();
    let Some(node) = node.filter(|n| !tree.is_null(*n)) else {
        return (config, Vec::new());
    };
    let object = Problems::default();
    // Problems of single options, whose fields are their names wherever the form keeps them.
    let options = Problems::default();
    let root = Fields::new(tree, node, "", &object);
    let reference = ResourceRef::new(
        root.text("apiVersion").unwrap_or_default(),
        root.text("kind").unwrap_or_default(),
        "",
        root.at("metadata")
            .and_then(|metadata| metadata.text("name"))
            .unwrap_or_default(),
    );
    let form = read_options(&mut config, &root, &options);
    let holder = form.map_or("", Form::holder);
    let mut results: Vec<Found> = object
        .into_vec()
        .into_iter()
        .map(|problem| {
            let field = problem.field.clone();
            Found::new(problem).at(field)
        })
        .collect();
    results.extend(found_at(options, holder));
    for found in &mut results {
        found.reference = Some(reference.clone());
    }
    (config, results)
}

/// Reads the options of a mapping that holds them as a ConfigMap's `data` does (every value a
/// string): a Kptfile's `configMap`, which kpt turns into one. Their problems are at
/// `<field>.<option>`.
pub fn read_data(tree: &Tree<'_>, node: NodeId, field: &str) -> (Config, Vec<Found>) {
    let mut config = Config::default();
    let options = Problems::default();
    let reader = Fields::new(tree, node, "", &options);
    read_entries(&mut config, &reader, Form::ConfigMap);
    (config, found_at(options, field).collect())
}

/// Reads the option `name` given as one string, as a ConfigMap's `data` gives it, into `config`:
/// an ArgoCD Application's parameter, which is such a string (ArgoCD hands every parameter to
/// a plugin as text). The problem is worded with the option's name.
pub fn read_string(config: &mut Config, name: &str, value: &str) -> Result<(), Box<FieldProblem>> {
    let mut tree = Tree::default();
    let node = tree.push(Node::Scalar {
        value: value.into(),
        style: ScalarStyle::DoubleQuoted,
        tag: None,
    });
    read_option(config, name, &tree, node, Form::ConfigMap).map_err(|problem| {
        Box::new(FieldProblem {
            field: name.to_owned(),
            problem,
        })
    })
}

/// The options a functionConfig of either form sets: those of the keys holding its options
/// that the table knows (what [`read()`] reads; its other keys are [`read()`]'s problems).
pub fn set_in(tree: &Tree<'_>, node: Option<NodeId>) -> Vec<&'static str> {
    let Some(node) = node.filter(|n| tree.entries(*n).is_some()) else {
        return Vec::new();
    };
    // Problems are `read()`'s to report; here they only mean that nothing holds options.
    let ignored = Problems::default();
    let root = Fields::new(tree, node, "", &ignored);
    let holder = match form(&root) {
        Some(Form::Typed) => Some(node),
        Some(Form::ConfigMap) => tree.lookup(node, "data"),
        None => None,
    };
    holder.map_or_else(Vec::new, |holder| set_in_data(tree, holder))
}

/// The options a mapping of them sets, as a ConfigMap's `data` holds them (a Kptfile's
/// `configMap`): its keys that the table knows.
pub fn set_in_data(tree: &Tree<'_>, node: NodeId) -> Vec<&'static str> {
    let entries = tree.entries(node).unwrap_or_default();
    let keys: Vec<&str> = entries
        .iter()
        .filter_map(|(k, _)| tree.scalar(*k))
        .collect();
    SETTINGS
        .iter()
        .map(|setting| setting.name)
        .filter(|name| keys.contains(name))
        .collect()
}

/// The problems of single options as findings at `<holder>.<option>` (an empty field is the
/// mapping that holds them, `holder` itself).
fn found_at(options: Problems, holder: &str) -> impl Iterator<Item = Found> + use<'_> {
    options.into_vec().into_iter().map(move |problem| {
        let field = match (problem.field.as_str(), holder) {
            ("", _) => holder.to_owned(),
            (name, "") => name.to_owned(),
            (name, holder) => format!("{holder}.{name}"),
        };
        Found::new(problem).at(field)
    })
}

/// Reads the options of `root` into `config`, their problems into `options`; the form, when
/// `root` is one that holds options.
fn read_options(config: &mut Config, root: &Fields<'_, '_>, options: &Problems) -> Option<Form> {
    let tree = root.tree();
    let entries = tree.entries(root.id());
    // An empty mapping holds no options, like an absent functionConfig.
    if entries.is_some_and(<[_]>::is_empty) {
        return None;
    }
    if entries.is_none() {
        root.report_here(Problem::Custom(
            "functionConfig must be a ConfigMap or a StashAutoBackup object".into(),
        ));
        return None;
    }
    let form = form(root)?;
    let holder = match form {
        Form::Typed => root.id(),
        Form::ConfigMap => configmap_data(root)?,
    };
    let reader = Fields::new(tree, holder, "", options);
    read_entries(config, &reader, form);
    Some(form)
}

/// Reads each option `reader`'s mapping holds into `config`.
fn read_entries(config: &mut Config, reader: &Fields<'_, '_>, form: Form) {
    let tree = reader.tree();
    for (key, value) in reader.entries() {
        let name = tree.scalar(*key);
        if form == Form::Typed && matches!(name, Some("apiVersion" | "kind" | "metadata")) {
            continue;
        }
        let Some(name) = name else {
            reader.report_here(Problem::Custom("option names must be strings".into()));
            continue;
        };
        if let Err(problem) = read_option(config, name, tree, *value, form) {
            reader.report(name, problem);
        }
    }
}

/// The form of `root`, by its apiVersion and kind.
fn form(root: &Fields<'_, '_>) -> Option<Form> {
    let api_version = root.text("apiVersion").unwrap_or_default();
    let kind = root.text("kind").unwrap_or_default();
    match (api_version, kind) {
        ("v1", "ConfigMap") => Some(Form::ConfigMap),
        (TYPED_API_VERSION, TYPED_KIND) => Some(Form::Typed),
        _ => {
            root.report(
                "kind",
                Problem::Custom(
                    format!(
                        "functionConfig {kind} ({api_version}) is not supported: use a ConfigMap \
                         with options in data, or apiVersion {TYPED_API_VERSION} kind {TYPED_KIND}"
                    )
                    .into(),
                ),
            );
            None
        }
    }
}

/// The ConfigMap's `data`, when it holds options: every other key is an error, since an option
/// anywhere else would be ignored.
fn configmap_data(root: &Fields<'_, '_>) -> Option<NodeId> {
    let tree = root.tree();
    for (key, _) in root.entries() {
        let key = tree.scalar(*key);
        if !matches!(key, Some("apiVersion" | "kind" | "metadata" | "data")) {
            let key = key.unwrap_or("?");
            let message =
                format!("unexpected key `{key}` in the ConfigMap: options go under `data`");
            root.report(key, Problem::Custom(message.into()));
        }
    }
    let shape = Problem::Expected("a mapping of option names to strings");
    root.mapping_or("data", shape).map(|data| data.id())
}

/// Reads the option `name` into `config`.
fn read_option(
    config: &mut Config,
    name: &str,
    tree: &Tree<'_>,
    value: NodeId,
    form: Form,
) -> Result<(), Problem> {
    match SETTINGS.iter().find(|setting| setting.name == name) {
        Some(setting) => read_value(config, setting, tree, value, form),
        // A value of the wrong shape is reported first, as for a known option.
        None if scalar(tree, value).is_none() => Err(not_scalar(name)),
        None => {
            let names = SETTINGS.iter().map(|setting| setting.name);
            let hint = suggest::closest(name, names)
                .map(|meant| format!("did you mean `{meant}`? "))
                .unwrap_or_default();
            let options = summary();
            let message = format!("unknown option `{name}`; {hint}the options are {options}");
            Err(Problem::Custom(message.into()))
        }
    }
}

/// Reads `value` into `config` as `setting` takes it.
fn read_value(
    config: &mut Config,
    setting: &Setting,
    tree: &Tree<'_>,
    value: NodeId,
    form: Form,
) -> Result<(), Problem> {
    let scalar = || scalar(tree, value).ok_or_else(|| not_scalar(setting.name));
    match setting.values {
        Values::OneOf(choices) => {
            let (text, _) = scalar()?;
            match choices.iter().find(|(word, _)| *word == text) {
                Some((_, set)) => {
                    set(config);
                    Ok(())
                }
                None => Err(Problem::NotOneOf {
                    value: text.to_owned(),
                    allowed: setting.values.words(),
                }),
            }
        }
        Values::Bool(set) => {
            let (text, plain) = scalar()?;
            boolean(text, plain, form).map(|b| set(config, b))
        }
        Values::Namespace(set) => {
            let (text, _) = scalar()?;
            if !k8s_names::is_dns_label(text) {
                return Err(Problem::NotNamespace(text.to_owned()));
            }
            set(config, text.to_owned());
            Ok(())
        }
        Values::InfoClasses(set) => {
            classes(setting.name, tree, value, form).map(|classes| set(config, classes))
        }
        Values::Policies(set) => {
            let read = match (tree.scalar(value), form) {
                (Some(text), _) => policies::read_text(text, setting.name),
                (None, Form::Typed) => policies::read(tree, value, setting.name),
                (None, Form::ConfigMap) => Err(format!(
                    "{} must be one string holding the YAML list (a ConfigMap holds only strings)",
                    setting.name
                )),
            };
            read.map(|policies| set(config, policies))
                .map_err(|message| Problem::Custom(message.into()))
        }
    }
}

/// A scalar's text, and whether it is plain and untagged (a YAML boolean can be only that).
fn scalar<'a>(tree: &'a Tree<'_>, node: NodeId) -> Option<(&'a str, bool)> {
    match tree.resolve(node).map(|node| tree.get(node)) {
        Some(Node::Scalar { value, style, tag }) => Some((
            value.as_ref(),
            *style == ScalarStyle::Plain && tag.is_none(),
        )),
        _ => None,
    }
}

fn not_scalar(name: &str) -> Problem {
    Problem::Custom(format!("option `{name}` must be a scalar").into())
}

/// A boolean option: the typed form takes a YAML boolean, the ConfigMap form only the strings.
fn boolean(text: &str, plain: bool, form: Form) -> Result<bool, Problem> {
    match (text, form) {
        ("true" | "false", Form::ConfigMap) => Ok(text == "true"),
        ("true" | "false", Form::Typed) if plain => Ok(text == "true"),
        ("true" | "false", Form::Typed) => Err(Problem::QuotedBoolean(text.to_owned())),
        (other, Form::Typed) => Err(Problem::NotBoolean(other.to_owned())),
        (other, Form::ConfigMap) => Err(Problem::NotBooleanString(other.to_owned())),
    }
}

/// The classes an option of [`Values::InfoClasses`] names: one string of names separated by
/// commas, or in the typed form a list of names.
fn classes(
    name: &'static str,
    tree: &Tree<'_>,
    node: NodeId,
    form: Form,
) -> Result<Vec<Info>, Problem> {
    let written = tree.scalar(node);
    let names: Vec<&str> = match (written, tree.items(node)) {
        (Some(text), _) => text
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect(),
        (None, Some(items)) if form == Form::Typed => items
            .iter()
            .map(|item| tree.scalar(*item))
            .collect::<Option<_>>()
            .ok_or(Problem::Expected("a list of info classes"))?,
        _ => {
            return Err(Problem::Expected(match form {
                Form::Typed => "a list of, or a string of, info classes separated by commas",
                Form::ConfigMap => "a string of info classes separated by commas",
            }));
        }
    };
    let mut classes = Vec::new();
    for class in names {
        match Info::named(class) {
            Some(info) if !classes.contains(&info) => classes.push(info),
            Some(_) => {}
            None => return Err(unknown_class(name, class, written)),
        }
    }
    Ok(classes)
}

fn unknown_class(option: &'static str, class: &str, written: Option<&str>) -> Problem {
    let known = Info::ALL.map(Info::name);
    Problem::UnknownClass {
        option,
        class: class.to_owned(),
        meant: suggest::closest(class, known),
        known: known.to_vec(),
        written: written.map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::config::MissingBlueprint;
    use crate::krm::read::{DocumentRoot, Interest, yaml};
    use crate::yaml::events::capture_first;

    /// The options of a ResourceList whose functionConfig is `config` (YAML flow mapping).
    fn options(config: &str) -> (Config, Vec<String>) {
        let (config, results) = results(config);
        (config, results.iter().map(Found::message).collect())
    }

    fn results(config: &str) -> (Config, Vec<Found>) {
        let src = format!(
            "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: {config}\nitems: []\n"
        );
        let parsed = yaml::read(&src, &Interest::default()).expect("YAML");
        let DocumentRoot::Mapping(root) = &parsed.documents[0].root else {
            panic!("a mapping");
        };
        read(&parsed.tree, root.function_config)
    }

    const MAP: &str = "{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {silence: ";
    const TYPED: &str = "{apiVersion: autobackup.stash.appscode.com/v1alpha1, kind: StashAutoBackup, metadata: {name: c}, silence: ";

    #[test]
    fn silence_takes_names_separated_by_commas_or_a_typed_list() {
        let (config, problems) = options(&format!("{MAP}' pruned,updated , ,pruned'}}}}"));
        assert_eq!(config.silence, [Info::Pruned, Info::Updated]);
        assert!(problems.is_empty(), "{problems:?}");
        let (config, problems) = options(&format!("{TYPED}[cluster-default, not-a-target]}}"));
        assert_eq!(config.silence, [Info::ClusterDefault, Info::NotATarget]);
        assert!(problems.is_empty(), "{problems:?}");
        let (config, _) = options(&format!("{MAP}''}}}}"));
        assert!(config.silence.is_empty());
    }

    /// A misspelt class in a string of classes gets the string with that class replaced as its
    /// proposed value; in a typed list, where each class is an item, the result proposes none.
    #[test]
    fn a_misspelt_class_in_a_string_proposes_the_string_fixed() {
        let (_, found) = results(&format!("{MAP}'updated,  prune'}}}}"));
        let result = found[0].to_result(&[], None);
        assert_eq!(result.field.as_deref(), Some("data.silence"));
        assert_eq!(result.current_value.as_deref(), Some("updated,  prune"));
        assert_eq!(result.proposed_value.as_deref(), Some("updated,  pruned"));
        assert_eq!(result.tag("class"), Some("unknown-info-class"));
        let (_, found) = results(&format!("{TYPED}'prune, updated'}}"));
        let result = found[0].to_result(&[], None);
        assert_eq!(result.proposed_value.as_deref(), Some("pruned, updated"));
        let (_, found) = results(&format!("{TYPED}[updated, prune]}}"));
        let result = found[0].to_result(&[], None);
        assert_eq!((result.current_value, result.proposed_value), (None, None));
        // Far from every class: no guess, no value.
        let (_, found) = results(&format!("{MAP}warnings}}}}"));
        assert_eq!(found[0].to_result(&[], None).proposed_value, None);
    }

    #[test]
    fn silence_refuses_what_it_cannot_read() {
        for (config, wanted) in [
            (
                format!("{MAP}[pruned]}}}}"),
                "silence must be a string of info classes",
            ),
            (
                format!("{TYPED}{{a: b}}}}"),
                "silence must be a list of, or a string of,",
            ),
            (
                format!("{TYPED}[[pruned]]}}"),
                "silence must be a list of info classes",
            ),
            (
                format!("{TYPED}[prune]}}"),
                "silence: `prune` is no class of info; did you mean `pruned`?",
            ),
            (
                format!("{TYPED}[warnings]}}"),
                "silence: `warnings` is no class of info; the classes are",
            ),
        ] {
            let (read, problems) = options(&config);
            assert!(read.silence.is_empty(), "{config}");
            assert!(
                problems.len() == 1 && problems[0].starts_with(wanted),
                "{config}: {problems:?}"
            );
        }
    }

    /// `name: value` as a ConfigMap's data and as the typed form.
    fn both_forms(name: &str, map_value: &str, typed_value: &str) -> [(String, String); 2] {
        [
            (
                format!(
                    "{{apiVersion: v1, kind: ConfigMap, metadata: {{name: c}}, data: {{{name}: {map_value}}}}}"
                ),
                format!("data.{name}"),
            ),
            (
                format!(
                    "{{apiVersion: {TYPED_API_VERSION}, kind: {TYPED_KIND}, metadata: {{name: c}}, {name}: {typed_value}}}"
                ),
                name.to_owned(),
            ),
        ]
    }

    /// Values each option takes, as written in the typed form (quoted for a ConfigMap).
    fn good_values(values: &Values) -> Vec<&'static str> {
        match values {
            Values::OneOf(_) | Values::Bool(_) => values.words(),
            Values::Namespace(_) => vec!["shop", "backups"],
            Values::InfoClasses(_) => vec!["pruned", "updated, not-a-target"],
            Values::Policies(_) => vec![
                "[{name: p, require: {backup: true}}]",
                "[{name: p, select: {kinds: [deploy]}, require: {maxInterval: 1h}}]",
            ],
        }
    }

    fn bad_value(values: &Values) -> &'static str {
        match values {
            Values::OneOf(_) | Values::Bool(_) => "maybe",
            Values::Namespace(_) => "Not_A_Namespace",
            Values::InfoClasses(_) => "no-such-class",
            Values::Policies(_) => "maybe",
        }
    }

    /// Every option of the table, through both forms: each good value is taken (and changes the
    /// options exactly when it is not the table's default), a bad one is an error naming the
    /// key and leaves the default.
    #[test]
    fn every_option_reads_in_both_forms() {
        for setting in &SETTINGS {
            let mut seen: Vec<Config> = Vec::new();
            for value in good_values(&setting.values) {
                let quoted = format!("'{value}'");
                // Only a boolean must be plain in the typed form; the rest are strings.
                let typed_value = match setting.values {
                    Values::Bool(_) => value,
                    _ => &quoted,
                };
                let [(map, _), (typed, _)] = both_forms(setting.name, &quoted, typed_value);
                let (from_map, problems) = options(&map);
                assert!(problems.is_empty(), "{map}: {problems:?}");
                let (from_typed, problems) = options(&typed);
                assert!(problems.is_empty(), "{typed}: {problems:?}");
                assert_eq!(from_map, from_typed, "{}: {value}", setting.name);
                let is_default = setting.default == Some(value);
                assert_eq!(
                    from_map == Config::default(),
                    is_default,
                    "{}: {value}",
                    setting.name
                );
                assert!(
                    !seen.contains(&from_map),
                    "{}: {value} is taken",
                    setting.name
                );
                seen.push(from_map);
            }
            let bad = bad_value(&setting.values);
            for (config, field) in both_forms(setting.name, bad, bad) {
                let (read, results) = results(&config);
                assert_eq!(read, Config::default(), "{config}");
                assert_eq!(results.len(), 1, "{config}: {results:?}");
                assert_eq!(results[0].field.as_deref(), Some(field.as_str()));
                assert!(
                    results[0].message().contains(setting.name),
                    "{:?}",
                    results[0]
                );
            }
            for (config, _) in both_forms(setting.name, "{a: b}", "[[a]]") {
                let (_, problems) = options(&config);
                assert!(
                    problems.len() == 1 && problems[0].contains(setting.name),
                    "{config}"
                );
            }
        }
    }

    #[test]
    fn typed_booleans_refuse_strings() {
        let booleans = SETTINGS
            .iter()
            .filter(|setting| matches!(setting.values, Values::Bool(_)));
        for setting in booleans {
            for value in ["'true'", "\"false\"", "!!str true"] {
                let [_, (typed, _)] = both_forms(setting.name, value, value);
                let (_, problems) = options(&typed);
                assert_eq!(problems.len(), 1, "{typed}");
                assert!(problems[0].ends_with("remove the quotes"), "{problems:?}");
            }
            let [(map, _), _] = both_forms(setting.name, "true", "true");
            assert!(
                options(&map).1.is_empty(),
                "a ConfigMap takes a plain true: {map}"
            );
        }
    }

    #[test]
    fn an_unknown_option_lists_every_option_in_order() {
        let [(map, _), (typed, _)] = both_forms("dryRun", "'true'", "true");
        for config in [map, typed] {
            let (_, problems) = options(&config);
            assert_eq!(problems.len(), 1, "{problems:?}");
            let mut rest = problems[0]
                .strip_prefix("unknown option `dryRun`; the options are ")
                .expect("the option named");
            for setting in &SETTINGS {
                let listed = format!("{} ({})", setting.name, setting.values);
                let at = rest.find(&listed).expect("listed, in order");
                rest = &rest[at + listed.len()..];
            }
        }
    }

    #[test]
    fn a_misspelt_option_gets_the_one_meant() {
        for (written, meant) in [
            ("strcit", "strict"),
            ("missingBluprint", "missingBlueprint"),
        ] {
            let [(map, _), (typed, _)] = both_forms(written, "'true'", "true");
            for config in [map, typed] {
                let (_, problems) = options(&config);
                let hint =
                    format!("unknown option `{written}`; did you mean `{meant}`? the options");
                assert!(problems[0].starts_with(&hint), "{problems:?}");
            }
        }
    }

    /// An option given as one string (an ArgoCD Application's parameter) reads as that string
    /// in a ConfigMap's `data` does, and a bad one is the same problem, worded alike.
    #[test]
    fn an_option_given_as_a_string_reads_as_configmap_data() {
        for setting in &SETTINGS {
            let values = good_values(&setting.values).into_iter();
            for value in values.chain([bad_value(&setting.values)]) {
                let [(map, _), _] = both_forms(setting.name, &format!("'{value}'"), value);
                let (from_map, problems) = options(&map);
                let mut from_string = Config::default();
                let read = read_string(&mut from_string, setting.name, value);
                assert_eq!(from_string, from_map, "{}: {value}", setting.name);
                match read {
                    Ok(()) => assert!(problems.is_empty(), "{map}: {problems:?}"),
                    Err(problem) => assert_eq!([problem.to_string()], *problems, "{map}"),
                }
            }
        }
        let mut config = Config::default();
        let unknown = read_string(&mut config, "dryRun", "true").unwrap_err();
        assert_eq!(unknown.field, "dryRun");
        assert!(
            unknown
                .to_string()
                .starts_with("unknown option `dryRun`; the options are ")
        );
        assert_eq!(config, Config::default());
    }

    /// What a place sets, which an ArgoCD parameter must not contradict: the keys holding its
    /// options that the table knows, in either form and in a Kptfile's `configMap`.
    #[test]
    fn the_options_a_place_sets_are_its_keys_the_table_knows() {
        for text in [
            format!("{TYPED}[pruned], strict: true, dryRun: x}}"),
            format!("{MAP}pruned, strict: 'true'}}}}"),
        ] {
            let (tree, node) = capture_first(&text).expect("YAML");
            assert_eq!(set_in(&tree, node), ["strict", "silence"], "{text}");
        }
        for text in [
            "{apiVersion: v1, kind: Secret, data: {strict: 'true'}}",
            "[strict]",
            "{}",
        ] {
            let (tree, node) = capture_first(text).expect("YAML");
            assert!(set_in(&tree, node).is_empty(), "{text}");
        }
        let (tree, node) = capture_first("{missingBlueprint: warning, x: y}").expect("YAML");
        assert_eq!(set_in_data(&tree, node.unwrap()), ["missingBlueprint"]);
    }

    /// `silence` is a set: naming its classes in another order sets the same.
    #[test]
    fn configs_are_the_same_whatever_order_silence_names_its_classes_in() {
        let (one, _) = options(&format!("{MAP}'pruned,updated'}}}}"));
        let (other, _) = options(&format!("{MAP}'updated,pruned'}}}}"));
        assert_ne!(one, other);
        assert!(one.same_as(&other));
        assert!(!one.same_as(&Config::default()));
    }

    /// A Kptfile's `configMap` reads as a ConfigMap's `data`, its problems at its own fields.
    #[test]
    fn a_mapping_of_options_reads_as_configmap_data() {
        let text = "{missingBlueprint: warning, strict: true, silence: 'pruned'}";
        let (tree, node) = capture_first(text).expect("YAML");
        let (config, found) = read_data(&tree, node.unwrap(), "pipeline.mutators[0].configMap");
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(config.missing_blueprint, MissingBlueprint::Warning);
        assert!(config.strict);
        assert_eq!(config.silence, [Info::Pruned]);
        let (tree, node) = capture_first("{strict: maybe, dryRun: 'true'}").expect("YAML");
        let (config, found) = read_data(&tree, node.unwrap(), "pipeline.mutators[0].configMap");
        assert_eq!(config, Config::default());
        let fields: Vec<_> = found.iter().map(|f| f.field.as_deref()).collect();
        assert_eq!(
            fields,
            [
                Some("pipeline.mutators[0].configMap.strict"),
                Some("pipeline.mutators[0].configMap.dryRun"),
            ]
        );
        assert!(
            found[0]
                .message()
                .starts_with("strict must be \"true\" or \"false\"")
        );
    }

    #[test]
    fn problems_of_the_object_name_its_fields() {
        for (config, field, wanted) in [
            (
                "[a]",
                "",
                "functionConfig must be a ConfigMap or a StashAutoBackup object",
            ),
            (
                "{apiVersion: v1, kind: Secret}",
                "kind",
                "functionConfig Secret (v1) is not supported",
            ),
            (
                "{apiVersion: v1, kind: ConfigMap, strict: 'true'}",
                "strict",
                "unexpected key `strict` in the ConfigMap",
            ),
            (
                "{apiVersion: v1, kind: ConfigMap, data: [a]}",
                "data",
                "data must be a mapping of option names to strings",
            ),
            (
                "{apiVersion: v1, kind: ConfigMap, data: {[a]: b}}",
                "data",
                "option names must be strings",
            ),
            (
                "{apiVersion: v1, kind: ConfigMap, data: {strict: [a]}}",
                "data.strict",
                "option `strict` must be a scalar",
            ),
        ] {
            let (read, results) = results(config);
            assert_eq!(read, Config::default());
            assert_eq!(results.len(), 1, "{config}: {results:?}");
            assert_eq!(results[0].field.as_deref(), Some(field), "{config}");
            assert!(
                results[0].message().starts_with(wanted),
                "{config}: {results:?}"
            );
        }
        for empty in ["{}", "null"] {
            assert!(results(empty).1.is_empty());
        }
    }
}
