//! Our own earlier output: recognising it, and telling whether it is still what we would generate.
//!
//! A run on its own output must change nothing, so an earlier object that still matches is kept
//! byte for byte. "Matches" is judged on meaning, not on spelling: kpt writes the objects to files
//! in its own style and reads them back, and that must not count as a change.

use granit_parser::ScalarStyle;

use crate::krm::kpt;
use crate::krm::object::{Field, Object};
use crate::yaml::emit::Value;
use crate::yaml::quote;
use crate::yaml::tree::{Node, NodeId, Tree};

/// The annotation every generated object carries (unless `markGenerated: false`): its value
/// names what made the object (a blueprint). It is how a later run recognises its own output.
pub const MARKER: &str = "autobackup.stash.appscode.com/blueprint";

/// The label every marked generated object carries, always `"true"`: what a kpt selector can
/// name to pass the function its own earlier output (kpt matches labels and annotations by exact
/// value, and the marker's value is a blueprint's name). A later run recognises its output by
/// the marker, not by this label.
pub const LABEL: (&str, &str) = ("autobackup.stash.appscode.com/generated", "true");

/// The blueprint named by our marker, when the object carries it. An object with duplicate keys
/// is never taken for ours, whatever it carries: it was not written by this function, and
/// updating or pruning it could delete what someone meant to keep.
pub fn marker<'o>(object: &'o Object<'_>) -> Option<&'o str> {
    let fields = object.fields()?;
    if fields.duplicate_key.is_some() {
        return None;
    }
    fields.annotations.text(MARKER)
}

/// Adds to a generated object's `metadata.labels` and `metadata.annotations` (after `name` and
/// `namespace`, in kubectl's order), leaving out the empty ones. Entries the family set win over
/// these of the same key.
pub fn set_metadata(
    object: &mut Value<'_>,
    labels: Vec<(String, String)>,
    annotations: Vec<(String, String)>,
) {
    let Value::Map(top) = object else { return };
    let Some((_, Value::Map(metadata))) = top
        .iter_mut()
        .find(|(k, _)| matches!(k, Value::Str(s) if s == "metadata"))
    else {
        return;
    };
    let mut at = metadata
        .iter()
        .position(|(k, _)| !matches!(k, Value::Str(s) if s == "name" || s == "namespace"))
        .unwrap_or(metadata.len());
    for (key, entries) in [("labels", labels), ("annotations", annotations)] {
        let existing = metadata
            .iter()
            .position(|(k, _)| matches!(k, Value::Str(s) if s == key));
        let entries = entries
            .into_iter()
            .map(|(k, v)| (Value::str(k), Value::str(v)));
        match existing {
            Some(i) => {
                if let Value::Map(set) = &mut metadata[i].1 {
                    for (k, v) in entries {
                        if !set.iter().any(|(s, _)| *s == k) {
                            set.push((k, v));
                        }
                    }
                }
                at = at.max(i + 1);
            }
            None => {
                let entries: Vec<_> = entries.collect();
                if entries.is_empty() {
                    continue;
                }
                metadata.insert(at, (Value::str(key), Value::Map(entries)));
                at += 1;
            }
        }
    }
}

/// What others added to our earlier `object`'s metadata, which a new copy keeps: its labels but
/// for our [`LABEL`] (the family's own win over them) and its annotations but for our marker and
/// kpt's tracking ones. Labels that are not a mapping of scalars (Kubernetes would refuse them)
/// are not kept.
pub fn foreign_metadata(tree: &Tree<'_>, object: &Object<'_>) -> Foreign {
    let Some(fields) = object.fields() else {
        return Foreign::default();
    };
    let mut labels = fields
        .labels
        .and_then(|node| tree.string_map(node))
        .unwrap_or_default();
    labels.retain(|(k, _)| k != LABEL.0);
    let annotations = fields
        .annotations
        .entries
        .iter()
        .filter(|(k, _)| *k != MARKER && !kpt::is_tracking_annotation(k))
        .filter_map(|(k, v)| Some((k.to_string(), v.text()?.to_owned())))
        .collect();
    Foreign {
        labels,
        annotations,
    }
}

/// Metadata others added to an object of ours.
#[derive(Debug, Default)]
pub struct Foreign {
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
}

/// Marks earlier output the function keeps and never changes again (a Repository, whose
/// deletion may delete the backups it holds): the value names the target whose backups they are.
pub const RETAINED: &str = "autobackup.stash.appscode.com/retained";

/// The target an object of ours is retained for, when it is.
pub fn retained<'o>(object: &'o Object<'_>) -> Option<&'o str> {
    marker(object)?;
    object.fields()?.annotations.text(RETAINED)
}

/// Our earlier `object` as it is, marked retained for `target`; `None` when it holds what the
/// function never writes (keys besides apiVersion, kind, metadata and spec; an odd tree), which a
/// copy would lose.
pub fn retained_copy(tree: &Tree<'_>, object: &Object<'_>, target: &str) -> Option<Value<'static>> {
    let fields = object.fields()?;
    if fields.extra_keys || fields.duplicate_key.is_some() || fields.annotations.not_map {
        return None;
    }
    let text = |field: &Field<'_>| Some(Value::str(field.text()?.to_owned()));
    let mut metadata = Value::map([("name", text(&fields.name)?)]);
    if let Some(namespace) = text(&fields.namespace) {
        metadata.push("namespace", namespace);
    }
    if let Some(labels) = fields.labels {
        metadata.push("labels", copied(tree, labels, 0)?);
    }
    let mut annotations: Vec<(Value<'static>, Value<'static>)> = Vec::new();
    for (key, value) in &fields.annotations.entries {
        annotations.push((Value::str(key.to_string()), text(value)?));
    }
    annotations.push((Value::str(RETAINED), Value::str(target.to_owned())));
    metadata.push("annotations", Value::Map(annotations));
    if let Some(owners) = fields.owner_references {
        metadata.push("ownerReferences", copied(tree, owners, 0)?);
    }
    let mut copy = Value::map([
        ("apiVersion", text(&fields.api_version)?),
        ("kind", text(&fields.kind)?),
        ("metadata", metadata),
    ]);
    if let Some(spec) = fields.spec {
        copy.push("spec", copied(tree, spec, 0)?);
    }
    Some(copy)
}

/// The subtree at `id` as a value that writes it back as it was: plain scalars stay plain
/// (so they keep their meaning), tags stay. `None` for a key that is no scalar, or aliases that
/// nest too deep (the function never writes either).
fn copied(tree: &Tree<'_>, id: NodeId, depth: usize) -> Option<Value<'static>> {
    const DEEPEST: usize = 64;
    if depth > DEEPEST {
        return None;
    }
    let id = tree.resolve(id)?;
    Some(match tree.get(id) {
        Node::Scalar { value, style, tag } => {
            let value = std::borrow::Cow::Owned(value.to_string());
            match tag {
                Some(tag) if !tag.is_core_str() => Value::Tagged {
                    tag: tag.render(),
                    value,
                    plain: *style == ScalarStyle::Plain,
                },
                None if *style == ScalarStyle::Plain => Value::Plain(value),
                _ => Value::Str(value),
            }
        }
        Node::Seq { items } => Value::Seq(
            items
                .iter()
                .map(|i| copied(tree, *i, depth + 1))
                .collect::<Option<_>>()?,
        ),
        Node::Map { entries } => Value::Map(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = Value::str(tree.scalar(*k)?.to_owned());
                    Some((key, copied(tree, *v, depth + 1)?))
                })
                .collect::<Option<_>>()?,
        ),
        Node::Alias { .. } => return None,
    })
}

/// True when the earlier `object` means exactly what `new` means.
pub fn unchanged(tree: &Tree<'_>, object: &Object<'_>, new: &Value<'_>) -> bool {
    let Some(object) = object.fields() else {
        return false;
    };
    if object.extra_keys
        || object.uid != Field::Absent
        || object.duplicate_key.is_some()
        || object.annotations.not_map
    {
        return false;
    }
    let Value::Map(top) = new else {
        return false;
    };
    let text_is = |field: &Field<'_>, out: Option<&Value<'_>>| match (field, out) {
        (Field::Text(t), Some(Value::Str(s))) => t == s,
        (Field::Absent, None) => true,
        _ => false,
    };
    let Some(Value::Map(meta)) = get(top, "metadata") else {
        return false;
    };
    let annotations_match = match get(meta, "annotations") {
        Some(Value::Map(entries)) => {
            entries.len() == object.annotations.entries.len()
                && entries.iter().all(|(k, v)| match (k, v) {
                    (Value::Str(k), Value::Str(v)) => {
                        object.annotations.get(k).and_then(Field::text) == Some(v)
                    }
                    _ => false,
                })
        }
        None => object.annotations.entries.is_empty(),
        Some(_) => false,
    };
    let labels_match = match (get(meta, "labels"), object.labels) {
        (None, None) => true,
        (Some(out), Some(node)) => same(tree, node, out),
        _ => false,
    };
    let owners_match = match (get(meta, "ownerReferences"), object.owner_references) {
        (None, None) => true,
        (Some(out), Some(node)) => same(tree, node, out),
        _ => false,
    };
    let spec_match = match (get(top, "spec"), object.spec) {
        (Some(out), Some(node)) => same(tree, node, out),
        _ => false,
    };
    text_is(&object.api_version, get(top, "apiVersion"))
        && text_is(&object.kind, get(top, "kind"))
        && text_is(&object.name, get(meta, "name"))
        && text_is(&object.namespace, get(meta, "namespace"))
        && meta.len()
            == 2 + usize::from(get(meta, "annotations").is_some())
                + usize::from(get(meta, "labels").is_some())
                + usize::from(get(meta, "ownerReferences").is_some())
        && labels_match
        && annotations_match
        && owners_match
        && spec_match
}

fn get<'o, 'a>(map: &'o [(Value<'a>, Value<'a>)], key: &str) -> Option<&'o Value<'a>> {
    map.iter()
        .find(|(k, _)| matches!(k, Value::Str(s) if s == key))
        .map(|(_, v)| v)
}

/// What a scalar means to a reader: a string, or a literal (number, boolean, null) spelled so,
/// or a tagged value.
#[derive(PartialEq, Eq)]
enum Meaning<'s> {
    Str(&'s str),
    Literal(String),
    Tagged(String, &'s str),
}

fn out_meaning<'s>(out: &'s Value<'_>) -> Option<Meaning<'s>> {
    Some(match out {
        Value::Str(s) => Meaning::Str(s),
        Value::Plain(s) => plain_meaning(s),
        Value::Tagged { tag, value, .. } => Meaning::Tagged(tag.clone(), value),
        Value::Int(i) => Meaning::Literal(i.to_string()),
        Value::Bool(b) => Meaning::Literal(b.to_string()),
        Value::Map(_) | Value::Seq(_) => return None,
    })
}

fn plain_meaning(s: &str) -> Meaning<'_> {
    if crate::yaml::is_null_word(s) {
        // One null however it is spelled: JSON output writes `null` for a blueprint's `~`.
        Meaning::Literal("null".to_owned())
    } else if quote::resolves_to_non_string(s) {
        Meaning::Literal(s.to_owned())
    } else {
        Meaning::Str(s)
    }
}

fn node_meaning<'s>(tree: &'s Tree<'_>, id: NodeId) -> Option<Meaning<'s>> {
    match tree.get(id) {
        Node::Scalar { value, style, tag } => Some(match tag {
            Some(t) if t.is_core_str() => Meaning::Str(value),
            Some(t) => Meaning::Tagged(t.render(), value),
            None if *style == ScalarStyle::Plain => plain_meaning(value),
            None => Meaning::Str(value),
        }),
        _ => None,
    }
}

/// Compares a captured input node with an output node by meaning (mapping order aside).
fn same(tree: &Tree<'_>, node: NodeId, out: &Value<'_>) -> bool {
    let Some(node) = tree.resolve(node) else {
        return false;
    };
    match (tree.get(node), out) {
        (Node::Map { entries }, Value::Map(outs)) => {
            entries.len() == outs.len()
                && outs.iter().all(|(k, v)| {
                    let key = out_meaning(k);
                    entries.iter().any(|(ik, iv)| {
                        key.is_some()
                            && tree.resolve(*ik).and_then(|ik| node_meaning(tree, ik)) == key
                            && same(tree, *iv, v)
                    })
                })
        }
        (Node::Seq { items }, Value::Seq(outs)) => {
            items.len() == outs.len() && items.iter().zip(outs).all(|(i, o)| same(tree, *i, o))
        }
        (Node::Scalar { .. }, out) => {
            let m = out_meaning(out);
            m.is_some() && node_meaning(tree, node) == m
        }
        _ => false,
    }
}
