//! Checking a generated object against the `openAPIV3Schema` of its CRD, as the API server does
//! before it stores one: types, required fields, enums, bounds, resource quantities, list-map
//! keys, and the fields it would prune because the schema does not know them.
//!
//! The schemas are data: each family ships its CRDs (`crds/` in the repository) compiled into a
//! compact table of distinct schema nodes (`tests/crd.rs` writes the table from the CRDs and
//! fails when it is stale). Only what a structural schema can say is compiled, and the compiler
//! refuses a constraint it does not know, so a CRD that grows a new kind of rule cannot be checked
//! silently less than the server checks it.
//!
//! What the server would prune is left out here too, as the operator leaves it out when it
//! decodes a blueprint into its Go types: an object we write is the object that is stored.

use std::fmt::{self, Write as _};

use serde_json::Value as Json;

use crate::suggest;
use crate::yaml::emit::Value;
use crate::yaml::quote::{self, Resolved};

/// The one `pattern` the shipped CRDs use: Kubernetes' resource quantity (`500m`, `1Gi`).
pub const QUANTITY_PATTERN: &str = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

/// The JSON type a schema node asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Any,
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
    IntOrString,
}

/// How the server tells a list's entries apart (`x-kubernetes-list-type`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum List {
    Atomic,
    /// Entries are unique by these keys.
    Map(Vec<String>),
    /// Entries are unique.
    Set,
}

/// One distinct schema node.
#[derive(Debug, Clone)]
struct Node {
    ty: Type,
    /// Sorted by name.
    properties: Vec<(String, usize)>,
    /// The schema of the values of a map (`additionalProperties`); `Some(None)` for any value.
    additional: Option<Option<usize>>,
    items: Option<usize>,
    required: Vec<String>,
    allowed: Vec<String>,
    minimum: Option<f64>,
    maximum: Option<f64>,
    nullable: bool,
    /// `x-kubernetes-preserve-unknown-fields`, or an object that declares no fields at all
    /// (only `metadata`, which the server checks as ObjectMeta).
    open: bool,
    quantity: bool,
    list: List,
}

/// The compiled schemas of one family's CRDs.
#[derive(Debug)]
pub struct Schemas {
    nodes: Vec<Node>,
    /// (apiVersion, kind) → its root node.
    roots: Vec<((String, String), usize)>,
}

/// A place in a schema: where a value of a generated object is checked.
#[derive(Debug, Clone, Copy)]
pub struct Place<'s> {
    schemas: &'s Schemas,
    /// `None` inside what the schema leaves free (`x-kubernetes-preserve-unknown-fields`):
    /// anything goes there.
    node: Option<usize>,
}

/// The compiled table cannot be read: a build of ours with a broken data file.
#[derive(Debug)]
pub struct BadTable(String);

impl fmt::Display for BadTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the compiled CRD schema table is broken: {}", self.0)
    }
}

fn bad(what: impl Into<String>) -> BadTable {
    BadTable(what.into())
}

impl Schemas {
    /// Reads a table written by `tests/crd.rs`: `{"roots": {"<apiVersion> <kind>": n},
    /// "nodes": [...]}`, each node an `openAPIV3Schema` node whose children are node numbers.
    pub fn parse(text: &str) -> Result<Schemas, BadTable> {
        let json: Json = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        let raw = json["nodes"].as_array().ok_or_else(|| bad("no nodes"))?;
        let nodes = raw
            .iter()
            .map(|n| node(n, raw.len()))
            .collect::<Result<Vec<_>, _>>()?;
        let mut roots = Vec::new();
        for (key, index) in json["roots"].as_object().ok_or_else(|| bad("no roots"))? {
            let (api_version, kind) = key.split_once(' ').ok_or_else(|| bad(key.clone()))?;
            let index = child(index, raw.len())?;
            roots.push(((api_version.to_owned(), kind.to_owned()), index));
        }
        Ok(Schemas { nodes, roots })
    }

    /// The schema of the objects of this apiVersion and kind.
    pub fn root(&self, api_version: &str, kind: &str) -> Option<Place<'_>> {
        self.roots
            .iter()
            .find(|((a, k), _)| a == api_version && k == kind)
            .map(|(_, node)| Place {
                schemas: self,
                node: Some(*node),
            })
    }
}

fn child(value: &Json, len: usize) -> Result<usize, BadTable> {
    value
        .as_u64()
        .map(|n| n as usize)
        .filter(|n| *n < len)
        .ok_or_else(|| bad(format!("{value} is no node")))
}

fn strings(value: &Json) -> Vec<String> {
    let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
    items
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn node(raw: &Json, len: usize) -> Result<Node, BadTable> {
    let flag = |key: &str| raw[key] == Json::Bool(true);
    let ty = match (raw["type"].as_str(), flag("x-kubernetes-int-or-string")) {
        (_, true) => Type::IntOrString,
        (None, false) => Type::Any,
        (Some("object"), _) => Type::Object,
        (Some("array"), _) => Type::Array,
        (Some("string"), _) => Type::String,
        (Some("integer"), _) => Type::Integer,
        (Some("number"), _) => Type::Number,
        (Some("boolean"), _) => Type::Boolean,
        (Some(other), _) => return Err(bad(format!("type {other}"))),
    };
    let mut properties = Vec::new();
    if let Some(map) = raw["properties"].as_object() {
        for (name, index) in map {
            properties.push((name.clone(), child(index, len)?));
        }
    }
    properties.sort_by(|a, b| a.0.cmp(&b.0));
    let additional = match &raw["additionalProperties"] {
        Json::Null => None,
        Json::Bool(true) => Some(None),
        index => Some(Some(child(index, len)?)),
    };
    let items = match &raw["items"] {
        Json::Null => None,
        index => Some(child(index, len)?),
    };
    let list = match raw["x-kubernetes-list-type"].as_str() {
        Some("map") => List::Map(strings(&raw["x-kubernetes-list-map-keys"])),
        Some("set") => List::Set,
        _ => List::Atomic,
    };
    let quantity = match raw["pattern"].as_str() {
        None => false,
        Some(QUANTITY_PATTERN) => true,
        Some(other) => return Err(bad(format!("pattern {other}"))),
    };
    let open = flag("x-kubernetes-preserve-unknown-fields")
        || (ty == Type::Object && properties.is_empty() && additional.is_none());
    Ok(Node {
        ty,
        properties,
        additional,
        items,
        required: strings(&raw["required"]),
        allowed: strings(&raw["enum"]),
        minimum: raw["minimum"].as_f64(),
        maximum: raw["maximum"].as_f64(),
        nullable: flag("nullable"),
        open,
        quantity,
        list,
    })
}

impl<'s> Place<'s> {
    fn node(&self) -> Option<&'s Node> {
        self.node.map(|n| &self.schemas.nodes[n])
    }

    fn at(&self, node: Option<usize>) -> Place<'s> {
        Place {
            schemas: self.schemas,
            node,
        }
    }

    /// The schema of the field `name` of an object here; `None` when the server would prune it.
    pub fn field(&self, name: &str) -> Option<Place<'s>> {
        let Some(node) = self.node() else {
            return Some(*self);
        };
        if let Ok(i) = node
            .properties
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
        {
            return Some(self.at(Some(node.properties[i].1)));
        }
        match node.additional {
            Some(values) => Some(self.at(values)),
            None if node.open || node.ty == Type::Any => Some(self.at(None)),
            None => None,
        }
    }

    /// The schema of the entries of a list here.
    pub fn item(&self) -> Option<Place<'s>> {
        match self.node() {
            None => Some(*self),
            Some(node) => node.items.map(|i| self.at(Some(i))),
        }
    }

    /// The names of the fields an object here may have.
    pub fn fields(&self) -> impl Iterator<Item = &'s str> {
        let properties = self.node().map(|n| n.properties.as_slice());
        properties
            .unwrap_or_default()
            .iter()
            .map(|(n, _)| n.as_str())
    }

    /// Checks `value` against the schema here and leaves out what the server would prune;
    /// `field` is where the value is written (`spec.retentionPolicy`), for the violations.
    pub fn check(&self, value: &mut Value<'_>, field: &str) -> Vec<Violation> {
        let mut out = Vec::new();
        // Paths grow and shrink as the walk goes: one buffer, sized for a deep one.
        let mut path = String::with_capacity(field.len() + 96);
        path.push_str(field);
        self.walk(value, &mut path, &mut out);
        out
    }

    fn walk(&self, value: &mut Value<'_>, path: &mut String, out: &mut Vec<Violation>) {
        let Some(node) = self.node() else {
            return;
        };
        let found = kind_of(value);
        if found == Found::Null {
            // The server prunes a null where it is not allowed, before it validates (as it
            // would an unknown field): nothing to say, and `required` sees it missing.
            return;
        }
        if !fits(node.ty, found) {
            let problem = Problem::Type {
                wanted: node.ty,
                found: shown(value, found),
            };
            out.push(Violation::new(path, problem));
            return;
        }
        self.scalar_rules(value, found, path, out);
        match value {
            Value::Map(entries) => self.walk_map(entries, path, out),
            Value::Seq(items) => self.walk_seq(items, path, out),
            _ => {}
        }
    }

    fn scalar_rules(&self, value: &Value<'_>, found: Found, path: &str, out: &mut Vec<Violation>) {
        let Some(node) = self.node() else {
            return;
        };
        let Some(text) = value.scalar() else {
            return;
        };
        if !node.allowed.is_empty() && !node.allowed.iter().any(|a| *a == text) {
            let problem = Problem::NotAllowed {
                found: text.into_owned(),
                allowed: node.allowed.clone(),
            };
            out.push(Violation::new(path, problem));
            return;
        }
        if node.quantity && found == Found::String && !is_quantity(&text) {
            let problem = Problem::NotQuantity(text.into_owned());
            out.push(Violation::new(path, problem));
            return;
        }
        let bounded = node.minimum.is_some() || node.maximum.is_some();
        if bounded
            && matches!(found, Found::Integer | Found::Number)
            && let Ok(number) = text.replace('_', "").parse::<f64>()
        {
            let (low, high) = (node.minimum, node.maximum);
            let found = text.into_owned();
            if let Some(bound) = low.filter(|m| number < *m) {
                out.push(Violation::new(path, Problem::Below { bound, found }));
            } else if let Some(bound) = high.filter(|m| number > *m) {
                out.push(Violation::new(path, Problem::Above { bound, found }));
            }
        }
    }

    fn walk_map<'v>(
        &self,
        entries: &mut Vec<(Value<'v>, Value<'v>)>,
        path: &mut String,
        out: &mut Vec<Violation>,
    ) {
        let len = path.len();
        entries.retain_mut(|(key, value)| {
            let name = key.scalar().unwrap_or_default();
            path.push('.');
            path.push_str(&name);
            let keep = match self.field(&name) {
                Some(place) => {
                    place.walk(value, path, out);
                    true
                }
                None => {
                    let suggestion = suggest::closest(&name, self.fields()).map(str::to_owned);
                    out.push(Violation::new(path, Problem::Unknown { suggestion }));
                    false
                }
            };
            path.truncate(len);
            keep
        });
        let required = self.node().map(|n| n.required.as_slice());
        for required in required.unwrap_or_default() {
            // A null is pruned unless its field is nullable, and then it is there.
            let nullable = self
                .field(required)
                .and_then(|p| p.node())
                .is_some_and(|n| n.nullable);
            let present = entries.iter().any(|(k, v)| {
                k.scalar().as_deref() == Some(required) && (nullable || kind_of(v) != Found::Null)
            });
            if !present {
                let problem = Problem::Required(required.clone());
                out.push(Violation::new(path, problem));
            }
        }
    }

    fn walk_seq(&self, items: &mut [Value<'_>], path: &mut String, out: &mut Vec<Violation>) {
        let Some(node) = self.node() else {
            return;
        };
        let len = path.len();
        if let Some(place) = self.item() {
            for (i, item) in items.iter_mut().enumerate() {
                let _ = write!(path, "[{i}]");
                place.walk(item, path, out);
                path.truncate(len);
            }
        }
        let identity = |item: &Value<'_>| -> Option<String> {
            match &node.list {
                List::Atomic => None,
                List::Set => Some(identity_of(item)),
                List::Map(keys) => Some(
                    keys.iter()
                        .map(|k| item.get(k).map(identity_of).unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join("\u{0}"),
                ),
            }
        };
        let mut seen = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let Some(id) = identity(item) else {
                return;
            };
            if seen.contains(&id) {
                let keys = match &node.list {
                    List::Map(keys) => keys.join(", "),
                    _ => String::new(),
                };
                path.push_str(&format!("[{i}]"));
                out.push(Violation::new(path, Problem::Duplicate(keys)));
                path.truncate(len);
            } else {
                seen.push(id);
            }
        }
    }
}

/// What a value is, as the API server sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Null,
    Boolean,
    Integer,
    Number,
    String,
    Object,
    Array,
}

fn kind_of(value: &Value<'_>) -> Found {
    let resolved = match value {
        Value::Str(_) => return Found::String,
        Value::Int(_) => return Found::Integer,
        Value::Bool(_) => return Found::Boolean,
        Value::Map(_) => return Found::Object,
        Value::Seq(_) => return Found::Array,
        Value::Plain(text) => quote::resolve_plain(text),
        Value::Tagged { tag, value, plain } => match tag.as_str() {
            "!!str" | "tag:yaml.org,2002:str" => Resolved::Str,
            "!!int" | "tag:yaml.org,2002:int" => Resolved::Int,
            "!!float" | "tag:yaml.org,2002:float" => Resolved::Float,
            "!!bool" | "tag:yaml.org,2002:bool" => Resolved::Bool,
            "!!null" | "tag:yaml.org,2002:null" => Resolved::Null,
            _ if *plain => quote::resolve_plain(value),
            _ => Resolved::Str,
        },
    };
    match resolved {
        Resolved::Null => Found::Null,
        Resolved::Bool => Found::Boolean,
        Resolved::Int => Found::Integer,
        Resolved::Float => Found::Number,
        Resolved::Str => Found::String,
    }
}

fn fits(wanted: Type, found: Found) -> bool {
    match wanted {
        Type::Any => true,
        Type::Object => found == Found::Object,
        Type::Array => found == Found::Array,
        Type::String => found == Found::String,
        Type::Integer => found == Found::Integer,
        Type::Number => matches!(found, Found::Integer | Found::Number),
        Type::Boolean => found == Found::Boolean,
        Type::IntOrString => matches!(found, Found::Integer | Found::String),
    }
}

/// How a message shows a value of the wrong type.
fn shown(value: &Value<'_>, found: Found) -> String {
    let text = value.scalar().unwrap_or_default();
    match found {
        Found::Object => "a mapping".into(),
        Found::Array => "a list".into(),
        Found::String => format!("the string {}", quote::double_quoted(&text)),
        Found::Integer | Found::Number => format!("the number {text}"),
        Found::Boolean => format!("the boolean {text}"),
        Found::Null => "null".into(),
    }
}

/// A value's identity in a set or list map: its scalar text, or its shape for a collection.
fn identity_of(value: &Value<'_>) -> String {
    match value.scalar() {
        Some(text) => format!("{:?}{text}", kind_of(value)),
        None => format!("{value:?}"),
    }
}

/// [`QUANTITY_PATTERN`], matched by hand: a sign, a decimal number, then a binary suffix
/// (`Ki`…`Ei`), a decimal one (`n u m k M G T P E`) or an exponent.
pub fn is_quantity(text: &str) -> bool {
    fn number(s: &str) -> Option<&str> {
        let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
        let whole = digits(s);
        let rest = &s[whole..];
        match rest.strip_prefix('.') {
            Some(fraction) if whole > 0 => Some(&fraction[digits(fraction)..]),
            Some(fraction) => {
                let n = digits(fraction);
                (n > 0).then(|| &fraction[n..])
            }
            None => (whole > 0).then_some(rest),
        }
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let Some(suffix) = number(unsigned) else {
        return false;
    };
    match suffix {
        "" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => true,
        "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E" => true,
        _ => suffix
            .strip_prefix(['e', 'E'])
            .map(|e| e.strip_prefix(['+', '-']).unwrap_or(e))
            .and_then(number)
            .is_some_and(str::is_empty),
    }
}

/// One thing the server would refuse or prune in a generated object.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Where, as written in the generated object or the blueprint (`spec.task.params[0].value`).
    pub field: String,
    pub problem: Problem,
}

impl Violation {
    fn new(path: &str, problem: Problem) -> Self {
        Violation {
            field: path.to_owned(),
            problem,
        }
    }

    /// Whether the server refuses the object for it (else it prunes the field).
    pub fn refuses(&self) -> bool {
        !matches!(self.problem, Problem::Unknown { .. })
    }
}

/// What is wrong at a [`Violation`]'s field.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// A field the schema does not know: pruned, and left out here.
    Unknown {
        suggestion: Option<String>,
    },
    Type {
        wanted: Type,
        found: String,
    },
    /// A required field of the mapping here is missing.
    Required(String),
    NotAllowed {
        found: String,
        allowed: Vec<String>,
    },
    Below {
        bound: f64,
        found: String,
    },
    Above {
        bound: f64,
        found: String,
    },
    NotQuantity(String),
    /// A second entry of a list whose entries are unique (by these keys, for a list map).
    Duplicate(String),
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Any => "any value",
            Type::Object => "a mapping",
            Type::Array => "a list",
            Type::String => "a string",
            Type::Integer => "an integer",
            Type::Number => "a number",
            Type::Boolean => "true or false",
            Type::IntOrString => "an integer or a string",
        })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unknown { suggestion: None } => f.write_str("the CRD has no such field"),
            Problem::Unknown {
                suggestion: Some(s),
            } => write!(f, "the CRD has no such field; did you mean `{s}`?"),
            Problem::Type { wanted, found } => write!(f, "must be {wanted}, not {found}"),
            Problem::Required(name) => write!(f, "the required field `{name}` is missing"),
            Problem::NotAllowed { found, allowed } => {
                write!(f, "`{found}` is not one of {}", allowed.join(", "))
            }
            Problem::Below { bound, found } => write!(f, "must be at least {bound}, not {found}"),
            Problem::Above { bound, found } => write!(f, "must be at most {bound}, not {found}"),
            Problem::NotQuantity(text) => write!(
                f,
                "`{text}` is not a resource quantity (a number with an optional suffix such as \
                 500m, 128Mi or 2Gi, no space)"
            ),
            Problem::Duplicate(keys) if keys.is_empty() => {
                f.write_str("repeats an earlier entry; entries must be unique")
            }
            Problem::Duplicate(keys) => {
                write!(
                    f,
                    "repeats the {keys} of an earlier entry; they must be unique"
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The validator at its boundary: a schema table and a value in, violations and the value
    //! as the server would store it out.

    use super::*;
    use crate::yaml::emit::Value as V;

    fn schemas() -> Schemas {
        let text = r#"{"roots": {"x/v1 Thing": 9}, "nodes": [
            {"type": "string"},
            {"type": "integer", "minimum": 1},
            {"type": "string", "enum": ["Delete", "Retain"]},
            {"x-kubernetes-int-or-string": true, "pattern": "QUANTITY"},
            {"type": "object", "properties": {"name": 0, "port": 1}, "required": ["name"]},
            {"type": "array", "items": 4, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]},
            {"type": "object", "additionalProperties": 3},
            {"type": "boolean"},
            {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
            {"type": "object", "properties": {"policy": 2, "ports": 5, "limits": 6, "prune": 7, "free": 8, "retries": 1}, "required": ["prune"]}
        ]}"#;
        Schemas::parse(&text.replace("QUANTITY", &QUANTITY_PATTERN.replace('\\', "\\\\")))
            .expect("a table")
    }

    fn check(value: &mut V<'_>) -> Vec<String> {
        let schemas = schemas();
        let root = schemas.root("x/v1", "Thing").expect("a root");
        root.check(value, "spec")
            .into_iter()
            .map(|v| format!("{}: {}", v.field, v.problem))
            .collect()
    }

    fn map(entries: Vec<(&'static str, V<'static>)>) -> V<'static> {
        V::Map(entries.into_iter().map(|(k, v)| (V::str(k), v)).collect())
    }

    #[test]
    fn a_valid_value_passes_unchanged() {
        let mut value = map(vec![
            ("prune", V::Plain("yes".into())),
            ("policy", V::str("Delete")),
            ("retries", V::Plain("3".into())),
            ("limits", map(vec![("memory", V::Plain("128Mi".into()))])),
            ("free", map(vec![("anything", V::Seq(vec![]))])),
            (
                "ports",
                V::Seq(vec![map(vec![("name", V::str("a")), ("port", V::Int(1))])]),
            ),
        ]);
        let before = value.clone();
        assert_eq!(check(&mut value), Vec::<String>::new());
        assert_eq!(value, before);
    }

    #[test]
    fn each_rule_is_reported_at_its_field() {
        let cases: Vec<(V<'static>, &str)> = vec![
            (map(vec![]), "spec: the required field `prune` is missing"),
            (
                map(vec![("prune", V::Plain("~".into()))]),
                "spec: the required field `prune` is missing",
            ),
            (
                map(vec![("prune", V::str("true"))]),
                "spec.prune: must be true or false, not the string \"true\"",
            ),
            (
                map(vec![
                    ("prune", V::Bool(true)),
                    ("retries", V::Plain("0".into())),
                ]),
                "spec.retries: must be at least 1, not 0",
            ),
            (
                map(vec![
                    ("prune", V::Bool(true)),
                    ("retries", V::Plain("1.5".into())),
                ]),
                "spec.retries: must be an integer, not the number 1.5",
            ),
            (
                map(vec![("prune", V::Bool(true)), ("policy", V::str("Never"))]),
                "spec.policy: `Never` is not one of Delete, Retain",
            ),
            (
                map(vec![
                    ("prune", V::Bool(true)),
                    ("limits", map(vec![("memory", V::str("1 Gi"))])),
                ]),
                "spec.limits.memory: `1 Gi` is not a resource quantity",
            ),
            (
                map(vec![
                    ("prune", V::Bool(true)),
                    (
                        "ports",
                        V::Seq(vec![
                            map(vec![("name", V::str("a"))]),
                            map(vec![("name", V::str("a"))]),
                        ]),
                    ),
                ]),
                "spec.ports[1]: repeats the name of an earlier entry",
            ),
            (
                map(vec![("prune", V::Bool(true)), ("prnue", V::Bool(true))]),
                "spec.prnue: the CRD has no such field; did you mean `prune`?",
            ),
        ];
        for (mut value, wanted) in cases {
            let found = check(&mut value);
            assert_eq!(found.len(), 1, "{wanted}: {found:?}");
            assert!(found[0].starts_with(wanted), "{wanted}: {found:?}");
        }
    }

    #[test]
    fn unknown_fields_are_left_out() {
        let mut value = map(vec![
            ("prune", V::Bool(true)),
            ("tempalte", map(vec![])),
            (
                "ports",
                V::Seq(vec![map(vec![("name", V::str("a")), ("prot", V::Int(1))])]),
            ),
        ]);
        let found = check(&mut value);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            value,
            map(vec![
                ("prune", V::Bool(true)),
                ("ports", V::Seq(vec![map(vec![("name", V::str("a"))])])),
            ])
        );
    }

    #[test]
    fn quantities_follow_the_pattern() {
        for good in [
            "1", "500m", "1.5Gi", ".5", "1e3", "+2", "-1E-2", "1.", "2Ei",
        ] {
            assert!(is_quantity(good), "{good}");
        }
        for bad in [
            "", "1 Gi", "Gi", "1GB", "1ki", ".", "1e", "e3", "1.5.1", "--1", "1Ki2",
        ] {
            assert!(!is_quantity(bad), "{bad}");
        }
    }

    #[test]
    fn an_unknown_constraint_breaks_the_table() {
        let table = r#"{"roots": {}, "nodes": [{"type": "string", "pattern": "^a$"}]}"#;
        assert!(Schemas::parse(table).is_err());
        let table = r#"{"roots": {"x/v1 T": 3}, "nodes": []}"#;
        assert!(Schemas::parse(table).is_err());
    }
}
