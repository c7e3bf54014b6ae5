//! A fast path for JSON input: the same [`Read`] as [`super::yaml`], read with serde_json.
//!
//! JSON is YAML, so the YAML reader reads it correctly, but a YAML parser spends most of its
//! time on what JSON cannot contain. serde_json's `RawValue` gives each value as a slice of the
//! input, so positions come for free and a value the function does not read is passed over
//! without being built. Anything that is not plain JSON (comments, trailing commas, several
//! documents, a byte order mark, nesting deeper than serde_json's limit) falls back to the YAML
//! reader, and the two must agree: a property test runs both on the same JSON. JSON has no merge
//! keys: kubectl reads a JSON `"<<"` as an ordinary key, and so does this reader.

use std::borrow::Cow;

use granit_parser::ScalarStyle;
use serde::de::Deserialize;
use serde_json::value::RawValue;

use super::{
    Concerns, Document, DocumentRoot, Interest, Items, ItemsValue, MetaKey, ObjectBuilder, Read,
    Root, Spec, TopKey,
};
use crate::krm::object::{Field, Object};
use crate::yaml::json::{Str, elements, entries, key_start};
use crate::yaml::tree::{Node, NodeId, Tree};

/// Reads `src` if it is one JSON object; `None` sends it to the YAML reader.
pub fn read<'a>(src: &'a str, interest: &Interest) -> Option<Read<'a>> {
    let body = src.trim_start_matches([' ', '\t', '\n', '\r']);
    if !body.starts_with('{') {
        return None;
    }
    let mut deserializer = serde_json::Deserializer::from_str(src);
    let root: &RawValue = Deserialize::deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    let mut reader = Reader {
        src,
        tree: Tree::default(),
        interest,
        concerns: Concerns::default(),
    };
    let root = reader.root(root)?;
    let document = Document {
        marker: None,
        start: root.object.start,
        end: root.object.end,
        root: DocumentRoot::Mapping(Box::new(root)),
    };
    Some(Read {
        tree: reader.tree,
        documents: vec![document],
    })
}

struct Reader<'a, 'i> {
    src: &'a str,
    tree: Tree<'a>,
    interest: &'i Interest,
    concerns: Concerns,
}

impl<'a> Reader<'a, '_> {
    fn offset(&self, raw: &RawValue) -> usize {
        raw.get().as_ptr() as usize - self.src.as_ptr() as usize
    }

    fn range(&self, raw: &RawValue) -> (usize, usize) {
        let start = self.offset(raw);
        (start, start + raw.get().len())
    }

    fn root(&mut self, raw: &'a RawValue) -> Option<Root<'a>> {
        let entries = entries(raw)?;
        let (start, end) = self.range(raw);
        let mut root = Root {
            flow: true,
            last_entry_end: entries.last().map_or(start + 1, |(_, v)| self.range(v).1),
            ..Root::default()
        };
        let mut rest = Vec::new();
        for (key, value) in entries {
            match &*key {
                "items" => root.items = Some(self.items(value)?),
                "functionConfig" => root.function_config = Some(self.node(value)?),
                "results" => {
                    let (value_start, value_end) = self.range(value);
                    root.results = Some(key_start(self.src, value_start)?..value_end);
                }
                _ => rest.push((key, value)),
            }
        }
        root.object = Object {
            start,
            end,
            is_mapping: true,
            is_alias: false,
            fields: self.object(rest, true)?,
        };
        Some(root)
    }

    fn items(&mut self, raw: &'a RawValue) -> Option<ItemsValue<'a>> {
        match raw.get().as_bytes().first() {
            Some(b'n') => return Some(ItemsValue::Null),
            Some(b'[') => {}
            _ => return Some(ItemsValue::Other),
        }
        let (open, end) = self.range(raw);
        let mut objects = Vec::new();
        for element in elements(raw)? {
            let (start, end) = self.range(element);
            let object = if element.get().starts_with('{') {
                Object {
                    start,
                    end,
                    is_mapping: true,
                    is_alias: false,
                    fields: self.object(entries(element)?, false)?,
                }
            } else {
                Object {
                    start,
                    end,
                    ..Object::default()
                }
            };
            objects.push(object);
        }
        Some(ItemsValue::Seq(Items {
            key_end: open,
            flow: true,
            open,
            close: end - 1,
            objects,
        }))
    }

    /// The fields of an object's entries, as the YAML reader reads them.
    fn object(
        &mut self,
        entries: Vec<(Cow<'a, str>, &'a RawValue)>,
        root: bool,
    ) -> Option<Option<Box<crate::krm::object::ObjectFields<'a>>>> {
        let interest = self.interest;
        let mut builder = ObjectBuilder::new(interest);
        let mut spec = None;
        let mut tops = Vec::new();
        for (key, value) in entries {
            match builder.top_key(&key) {
                TopKey::ApiVersion => builder.fields().api_version = text(value, false)?,
                TopKey::Kind => builder.fields().kind = text(value, false)?,
                TopKey::Metadata => self.metadata(value, &mut builder)?,
                TopKey::Spec => spec = Some(value),
                TopKey::Other if interest.declared_top(None, &key).is_some() => {
                    tops.push((key, value));
                }
                TopKey::Other => {}
            }
        }
        // As for the spec: the apiVersion is known by now, whatever the keys' order.
        for (key, value) in tops {
            if let Some(key) = builder.top_field(&key) {
                let node = self.node(value)?;
                builder.fields().tops.push((key, node));
            }
        }
        // JSON keys come in any order: the kind is known before the spec is read.
        if let Some(value) = spec {
            let spec = match &*builder.spec() {
                Spec::Whole => Some(self.node(value)?),
                Spec::Fields(keys) => self.fields(value, keys)?,
                Spec::Nothing => None,
            };
            builder.fields().spec = spec;
        }
        Some(builder.finish(root, &mut self.concerns))
    }

    fn metadata(&mut self, raw: &'a RawValue, builder: &mut ObjectBuilder<'_, 'a>) -> Option<()> {
        if !raw.get().starts_with('{') {
            if raw.get() != "null" {
                builder.metadata_not_map();
            }
            return Some(());
        }
        for (key, value) in entries(raw)? {
            match builder.meta_key(&key) {
                MetaKey::Name => builder.fields().name = text(value, false)?,
                MetaKey::Namespace => builder.fields().namespace = text(value, false)?,
                MetaKey::Uid => builder.fields().uid = text(value, false)?,
                MetaKey::Annotations => match value.get().as_bytes().first()? {
                    b'{' => {
                        for (key, value) in entries(value)? {
                            builder.annotation(key, text(value, true)?, true);
                        }
                    }
                    _ if value.get() == "null" => {}
                    _ => builder.annotations_not_map(),
                },
                MetaKey::Captured(which) => {
                    let node = self.node(value)?;
                    builder.captured(which, node);
                }
                MetaKey::Other => {}
            }
        }
        Some(())
    }

    /// A value as a tree node: strings double-quoted, other scalars plain, as they are in JSON.
    fn node(&mut self, raw: &'a RawValue) -> Option<NodeId> {
        let text = raw.get();
        let node = match text.as_bytes().first()? {
            b'{' => {
                let id = self.tree.push(Node::Map {
                    entries: Vec::new(),
                });
                let mut list = Vec::new();
                for (key, value) in entries(raw)? {
                    let key = self.tree.push(Node::Scalar {
                        value: key,
                        style: ScalarStyle::DoubleQuoted,
                        tag: None,
                    });
                    list.push((key, self.node(value)?));
                }
                if let Node::Map { entries } = self.tree.get_mut(id) {
                    *entries = list;
                }
                return Some(id);
            }
            b'[' => {
                let id = self.tree.push(Node::Seq { items: Vec::new() });
                let mut list = Vec::new();
                for element in elements(raw)? {
                    list.push(self.node(element)?);
                }
                if let Node::Seq { items } = self.tree.get_mut(id) {
                    *items = list;
                }
                return Some(id);
            }
            b'"' => Node::Scalar {
                value: serde_json::from_str::<Str<'a>>(text).ok()?.0,
                style: ScalarStyle::DoubleQuoted,
                tag: None,
            },
            _ => Node::Scalar {
                value: Cow::Borrowed(text),
                style: ScalarStyle::Plain,
                tag: None,
            },
        };
        Some(self.tree.push(node))
    }

    /// Only the entries `keys` of an object, as a mapping node (`None` when not an object).
    fn fields(&mut self, raw: &'a RawValue, keys: &[&str]) -> Option<Option<NodeId>> {
        if !raw.get().starts_with('{') {
            return Some(None);
        }
        let mut list = Vec::new();
        for (key, value) in entries(raw)? {
            if keys.contains(&&*key) {
                let key = self.tree.push(Node::Scalar {
                    value: key,
                    style: ScalarStyle::DoubleQuoted,
                    tag: None,
                });
                list.push((key, self.node(value)?));
            }
        }
        Some(Some(self.tree.push(Node::Map { entries: list })))
    }
}

/// A scalar as the YAML reader reads it: a string's value, another literal's text, null absent
/// (or empty, for annotation values), collections not text.
fn text(raw: &RawValue, null_is_empty: bool) -> Option<Field<'_>> {
    let text = raw.get();
    Some(match text.as_bytes().first()? {
        b'"' => Field::Text(serde_json::from_str::<Str<'_>>(text).ok()?.0),
        b'{' | b'[' => Field::NotText,
        _ if text == "null" => {
            if null_is_empty {
                Field::Text(Cow::Borrowed(""))
            } else {
                Field::Absent
            }
        }
        _ => Field::Text(Cow::Borrowed(text)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_json_goes_to_the_yaml_reader() {
        let interest = Interest::default();
        for src in [
            "a: 1",
            "[1]",
            "{\"a\": 1,}",
            "{\"a\": 1} {}",
            "{a: 1}",
            "\u{feff}{}",
        ] {
            assert!(read(src, &interest).is_none(), "{src}");
        }
        assert!(read(" {\"a\": 1}\n", &interest).is_some());
    }
}
