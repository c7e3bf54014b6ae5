//! A fast path for JSON input: the same [`Scanned`] as [`crate::krm::read::yaml`], read with serde_json.
//!
//! JSON is YAML, so the YAML scanner reads it correctly, but a YAML parser spends most of its
//! time on what JSON cannot contain. serde_json's `RawValue` gives each value as a slice of the
//! input, so positions come for free and a value the function does not read is skipped without
//! being built. Anything that is not plain JSON (comments, trailing commas, several documents, a
//! byte order mark, nesting deeper than serde_json's limit) falls back to the YAML scanner, and the
//! two must agree: a property test runs both on the same JSON.

use std::borrow::Cow;
use std::fmt;

use granit_parser::ScalarStyle;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::krm::read::yaml::{
    Annotations, Document, DocumentRoot, Field, Items, ItemsValue, Meta, Object, Root, Scanned,
    SpecInterest, is_relevant, spec_interest,
};
use crate::yaml::tree::{Node, NodeId, Tree};

/// A string, borrowed from the input when it holds no escapes.
struct Str<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// The entries of a JSON object in their order, values unread.
struct Entries<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de>, A::Error> {
                let mut entries = Vec::new();
                while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
                    entries.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(V)
    }
}

fn entries(raw: &RawValue) -> Option<Vec<(Cow<'_, str>, &RawValue)>> {
    serde_json::from_str::<Entries<'_>>(raw.get())
        .ok()
        .map(|e| e.0)
}

fn elements(raw: &RawValue) -> Option<Vec<&RawValue>> {
    serde_json::from_str(raw.get()).ok()
}

/// Reads `src` if it is one JSON object; `None` sends it to the YAML scanner.
pub fn scan(src: &str) -> Option<Scanned<'_>> {
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
    };
    let root = reader.root(root)?;
    let document = Document {
        marker: None,
        start: root.object.start,
        end: root.object.end,
        root: DocumentRoot::Mapping(Box::new(root)),
    };
    Some(Scanned {
        tree: reader.tree,
        documents: vec![document],
    })
}

struct Reader<'a> {
    src: &'a str,
    tree: Tree<'a>,
}

impl<'a> Reader<'a> {
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
        let meta = self.meta(rest)?;
        root.object = Object {
            start,
            end,
            is_mapping: true,
            is_alias: false,
            meta: Some(Box::new(meta)),
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
                let meta = self.meta(entries(element)?)?;
                Object {
                    start,
                    end,
                    is_mapping: true,
                    is_alias: false,
                    meta: meta.worth_keeping().then(|| Box::new(meta)),
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

    /// The fields the function reads from an object's entries, as the YAML scanner reads them.
    fn meta(&mut self, entries: Vec<(Cow<'a, str>, &'a RawValue)>) -> Option<Meta<'a>> {
        let mut meta = Meta::default();
        let mut seen = [false; 4];
        let mut spec = None;
        for (key, value) in entries {
            let slot = match &*key {
                "apiVersion" => 0,
                "kind" => 1,
                "metadata" => 2,
                "spec" => 3,
                _ => {
                    meta.extra_keys = true;
                    continue;
                }
            };
            if std::mem::replace(&mut seen[slot], true) && meta.duplicate_key.is_none() {
                meta.duplicate_key = Some(key.clone().into_owned().into());
            }
            match slot {
                0 => meta.api_version = text(value, false)?,
                1 => meta.kind = text(value, false)?,
                2 => self.metadata(value, &mut meta)?,
                _ => spec = Some(value),
            }
        }
        // JSON keys come in any order: the kind is known before the spec is read.
        if let Some(value) = spec {
            meta.spec = match spec_interest(&meta.api_version) {
                SpecInterest::Whole => Some(self.node(value)?),
                SpecInterest::Fields(keys) => self.fields(value, keys)?,
                SpecInterest::Nothing => None,
            };
        }
        Some(meta)
    }

    fn metadata(&mut self, raw: &'a RawValue, meta: &mut Meta<'a>) -> Option<()> {
        if !raw.get().starts_with('{') {
            meta.metadata_not_map = raw.get() != "null";
            return Some(());
        }
        let relevant = match &meta.api_version {
            Field::Text(a) => is_relevant(a),
            _ => true,
        };
        let mut seen = [false; 4];
        for (key, value) in entries(raw)? {
            if let Some(slot) = ["name", "namespace", "annotations", "uid"]
                .iter()
                .position(|k| *k == key)
                && std::mem::replace(&mut seen[slot], true)
                && meta.duplicate_key.is_none()
            {
                meta.duplicate_key = Some(format!("metadata.{key}").into());
            }
            match &*key {
                "name" => meta.name = text(value, false)?,
                "namespace" => meta.namespace = text(value, false)?,
                "uid" => meta.uid = text(value, false)?,
                "annotations" => meta.annotations = annotations(value)?,
                "ownerReferences" if relevant => meta.owner_references = Some(self.node(value)?),
                "labels" if relevant => meta.labels = Some(self.node(value)?),
                _ => meta.extra_keys = true,
            }
        }
        meta.finish_annotations();
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

/// A scalar as the YAML scanner reads it: a string's value, another literal's text, null absent
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

fn annotations(raw: &RawValue) -> Option<Annotations<'_>> {
    let mut out = Annotations::default();
    match raw.get().as_bytes().first()? {
        b'{' => {
            for (key, value) in entries(raw)? {
                out.entries.push((key, text(value, true)?));
            }
        }
        _ => out.not_map = raw.get() != "null",
    }
    Some(out)
}

/// Where the key of the value at `value_start` starts: back over `:` and blanks to the key's
/// closing quote, then to its opening quote (not one escaped inside the key).
fn key_start(src: &str, value_start: usize) -> Option<usize> {
    let bytes = src.as_bytes();
    let mut i = value_start;
    let blank = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    while i > 0 && blank(bytes[i - 1]) {
        i -= 1;
    }
    if i == 0 || bytes[i - 1] != b':' {
        return None;
    }
    i -= 1;
    while i > 0 && blank(bytes[i - 1]) {
        i -= 1;
    }
    if i == 0 || bytes[i - 1] != b'"' {
        return None;
    }
    i -= 1;
    loop {
        let quote = src[..i].rfind('"')?;
        let backslashes = bytes[..quote]
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return Some(quote);
        }
        i = quote;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_before_their_values() {
        let src = r#"{"a": 1, "results" : [], "k\"ey":2}"#;
        assert_eq!(key_start(src, src.find('[').unwrap()), Some(9));
        assert_eq!(key_start(src, src.rfind('2').unwrap()), Some(25));
    }

    #[test]
    fn not_json_goes_to_the_yaml_scanner() {
        for src in [
            "a: 1",
            "[1]",
            "{\"a\": 1,}",
            "{\"a\": 1} {}",
            "{a: 1}",
            "\u{feff}{}",
        ] {
            assert!(scan(src).is_none(), "{src}");
        }
        assert!(scan(" {\"a\": 1}\n").is_some());
    }
}
