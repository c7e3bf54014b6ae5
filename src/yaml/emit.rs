//! Writing the objects this function generates (and its `results`) as YAML or JSON text.
//!
//! Input items are never written from here: they are copied from the input bytes. What is
//! written here is built as a [`Value`] tree, whose scalars remember where they came from, so a
//! plain `0777` copied from a blueprint stays a plain `0777` while a name we produce is quoted
//! whenever a reader could take it for something other than a string (see `crate::yaml::quote`).

use std::borrow::Cow;

use crate::yaml::quote;

/// A value to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// A string: written plain when that is safe, otherwise quoted.
    Str(Cow<'a, str>),
    /// A plain scalar copied from the input, written as it was so that it keeps its meaning.
    Plain(Cow<'a, str>),
    /// A scalar copied from the input with an explicit tag (`!!int "5"`).
    Tagged {
        /// The tag as written (`!!int`).
        tag: String,
        /// The scalar's text.
        value: Cow<'a, str>,
        /// Whether it was plain (else it is written quoted).
        plain: bool,
    },
    /// An integer we produce (a kpt file index).
    Int(i64),
    /// A boolean we produce.
    Bool(bool),
    /// A mapping, keys in the order they are written.
    Map(Vec<(Value<'a>, Value<'a>)>),
    /// A sequence.
    Seq(Vec<Value<'a>>),
}

impl<'a> Value<'a> {
    /// A string (see [`Value::Str`]).
    pub fn str(s: impl Into<Cow<'a, str>>) -> Self {
        Value::Str(s.into())
    }

    /// A mapping with string keys.
    pub fn map<const N: usize>(entries: [(&'a str, Value<'a>); N]) -> Self {
        Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (Value::Str(Cow::Borrowed(k)), v))
                .collect(),
        )
    }

    /// Appends an entry to a mapping (nothing for other values).
    pub fn push(&mut self, key: &'a str, value: Value<'a>) {
        if let Value::Map(entries) = self {
            entries.push((Value::Str(Cow::Borrowed(key)), value));
        }
    }

    /// The value under the string key `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        let Value::Map(entries) = self else {
            return None;
        };
        entries
            .iter()
            .find(|(k, _)| k.scalar().as_deref() == Some(key))
            .map(|(_, v)| v)
    }

    /// The value under the string key `key` of a mapping, to change.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value<'a>> {
        let Value::Map(entries) = self else {
            return None;
        };
        entries
            .iter_mut()
            .find(|(k, _)| k.scalar().as_deref() == Some(key))
            .map(|(_, v)| v)
    }

    /// The text of a scalar (a tagged one's without its tag); `None` for a collection.
    pub fn scalar(&self) -> Option<Cow<'_, str>> {
        Some(match self {
            Value::Str(s) | Value::Plain(s) => Cow::Borrowed(&**s),
            Value::Tagged { value, .. } => Cow::Borrowed(&**value),
            Value::Int(i) => Cow::Owned(i.to_string()),
            Value::Bool(b) => Cow::Owned(b.to_string()),
            Value::Map(_) | Value::Seq(_) => return None,
        })
    }

    fn is_scalar(&self) -> bool {
        !matches!(self, Value::Map(_) | Value::Seq(_))
    }

    fn is_empty_collection(&self) -> bool {
        matches!(self, Value::Map(m) if m.is_empty())
            || matches!(self, Value::Seq(s) if s.is_empty())
    }
}

/// Where generated objects go, which decides how they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// An entry of a block sequence whose `-` is at this column.
    BlockItem(usize),
    /// A document of a YAML stream.
    Document,
    /// An entry of a flow sequence (or JSON): compact JSON.
    Json,
}

/// [`Style`] and the line ending of the surrounding text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// How objects are written.
    pub style: Style,
    /// The line ending of the text they are written into.
    pub eol: &'static str,
}

impl Layout {
    /// `node` as text for its place, after `comment` (lines of a comment) when it is an item
    /// of a block sequence: JSON cannot hold one, and stream mode keeps no comment above a
    /// document, so one there would be gone after the next run. Objects are written as soon as they are decided, so that a run
    /// never holds the trees of all generated objects at once.
    pub fn write(self, node: &Value<'_>, comment: &[&str]) -> String {
        let mut text = String::new();
        match (self.style, node) {
            (Style::BlockItem(indent), Value::Map(entries))
                if !comment.is_empty() && !entries.is_empty() =>
            {
                // kpt writes a head comment of an item after the `-`, and reads a file's
                // comment back to there: so it round-trips unchanged.
                pad(&mut text, indent);
                text.push_str("- ");
                comment_lines(&mut text, comment, indent + 2);
                pad(&mut text, indent + 2);
                block_map_entries(&mut text, entries, indent + 2);
            }
            (Style::BlockItem(indent), _) => {
                block_seq_items(&mut text, std::slice::from_ref(node), indent)
            }
            (Style::Document, Value::Map(entries)) => block_map_entries(&mut text, entries, 0),
            (Style::Document | Style::Json, _) => json(&mut text, node),
        }
        let mut text = crate::yaml::splice::with_line_ending(text, self.eol);
        // The text is kept until the output is written, beside thousands of others: without
        // the slack a growing string leaves (up to half of it), they take a third less room.
        text.shrink_to_fit();
        text
    }
}

/// Writes `lines` as comment lines, the first where the text stands (after a `- `) and the
/// others at column `indent`. Whatever a YAML reader could take for a line break or that is no text (a control
/// character) becomes a space: the comment stays one comment per line, whatever the names in it.
fn comment_lines(out: &mut String, lines: &[&str], indent: usize) {
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push_str("# ");
        out.extend(line.chars().map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') {
                ' '
            } else {
                c
            }
        }));
        out.push('\n');
    }
}

/// Writes `items` as entries of a block sequence whose `-` is at column `indent`.
pub fn block_seq_items(out: &mut String, items: &[Value<'_>], indent: usize) {
    for item in items {
        pad(out, indent);
        out.push_str("- ");
        inline_block(out, item, indent + 2);
    }
}

/// Writes the entries of a block mapping at column `indent`.
pub fn block_map_entries(out: &mut String, entries: &[(Value<'_>, Value<'_>)], indent: usize) {
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        key_text(out, key);
        out.push(':');
        if value.is_empty_collection() || value.is_scalar() {
            out.push(' ');
            scalar_or_empty(out, value, indent + 2);
        } else {
            out.push('\n');
            match value {
                Value::Map(entries) => {
                    pad(out, indent + 2);
                    block_map_entries(out, entries, indent + 2);
                }
                Value::Seq(items) => block_seq_items(out, items, indent),
                _ => {}
            }
        }
    }
}

/// Writes a node that starts on a line already holding text (after `- `); its own further lines
/// are at column `indent`.
fn inline_block(out: &mut String, node: &Value<'_>, indent: usize) {
    match node {
        Value::Map(entries) if !entries.is_empty() => block_map_entries(out, entries, indent),
        Value::Seq(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    pad(out, indent);
                }
                out.push_str("- ");
                inline_block(out, item, indent + 2);
            }
        }
        _ => scalar_or_empty(out, node, indent),
    }
}

fn scalar_or_empty(out: &mut String, node: &Value<'_>, indent: usize) {
    match node {
        Value::Map(_) => out.push_str("{}\n"),
        Value::Seq(_) => out.push_str("[]\n"),
        Value::Str(s) => {
            if !quote::needs_quotes(s) {
                out.push_str(s);
            } else if let Some(chomp) = quote::literal_chomp(s) {
                out.push('|');
                out.push_str(chomp);
                out.push('\n');
                let body = s.strip_suffix('\n').unwrap_or(s);
                for line in body.split('\n') {
                    if !line.is_empty() {
                        pad(out, indent);
                        out.push_str(line);
                    }
                    out.push('\n');
                }
                return;
            } else {
                out.push_str(&quote::double_quoted(s));
            }
            out.push('\n');
        }
        other => {
            scalar_text(out, other, false);
            out.push('\n');
        }
    }
}

/// The most characters `key` takes as a mapping key, in block style or in JSON: YAML readers
/// take at most 1024 for a key written without `?` (libyaml, and so kubectl, as well as ours).
pub fn key_width(key: &Value<'_>) -> usize {
    let mut block = String::new();
    key_text(&mut block, key);
    let mut flow = String::new();
    json_key(&mut flow, key);
    block.chars().count().max(flow.chars().count())
}

/// A mapping key. Keys are scalars: the copier refuses collection keys.
fn key_text(out: &mut String, key: &Value<'_>) {
    match key {
        Value::Str(s) if quote::needs_quotes(s) => out.push_str(&quote::double_quoted(s)),
        other => scalar_text(out, other, false),
    }
}

/// A scalar on one line. `json` asks for JSON spelling where the value allows it.
fn scalar_text(out: &mut String, node: &Value<'_>, json: bool) {
    match node {
        Value::Str(s) => {
            if json {
                out.push_str(&quote::json_string(s));
            } else if quote::needs_quotes(s) {
                out.push_str(&quote::double_quoted(s));
            } else {
                out.push_str(s);
            }
        }
        Value::Plain(s) => plain_text(out, s, json),
        Value::Tagged { tag, value, plain } => {
            out.push_str(tag);
            out.push(' ');
            // The tag decides the type, so quoting the value keeps its meaning; in flow context
            // a plain value could run into the `:` or `,` that follows it.
            if *plain && !json && quote::plain_syntax_ok(value) {
                out.push_str(value);
            } else if json {
                out.push_str(&quote::json_string(value));
            } else {
                out.push_str(&quote::double_quoted(value));
            }
        }
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Map(_) | Value::Seq(_) => {}
    }
}

/// A plain scalar from the input. Written as it was whenever that is valid where it goes; a value
/// that cannot be written plain there is a string to every reader (no number or boolean contains
/// the characters that forbid it), so quoting it keeps its meaning.
fn plain_text(out: &mut String, s: &str, json: bool) {
    if json {
        if matches!(s, "" | "~" | "Null" | "NULL") {
            out.push_str("null");
        } else if quote::is_json_literal(s) {
            out.push_str(s);
        } else if quote::looks_like_non_string(s) && flow_plain_ok(s) {
            // A YAML-only literal such as `0777` or `yes` in YAML input whose `items` is a flow
            // sequence: the output is YAML, and the literal keeps its YAML meaning.
            out.push_str(s);
        } else {
            out.push_str(&quote::json_string(s));
        }
    } else if matches!(s, "" | "~") {
        out.push('~');
    } else if quote::plain_syntax_ok(s) {
        out.push_str(s);
    } else {
        out.push_str(&quote::double_quoted(s));
    }
}

fn flow_plain_ok(s: &str) -> bool {
    quote::plain_syntax_ok(s) && !s.contains([',', '[', ']', '{', '}'])
}

/// Writes `node` as compact JSON (which is also YAML flow style).
pub fn json(out: &mut String, node: &Value<'_>) {
    match node {
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_key(out, k);
                out.push(':');
                json(out, v);
            }
            out.push('}');
        }
        Value::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json(out, item);
            }
            out.push(']');
        }
        scalar => scalar_text(out, scalar, true),
    }
}

fn json_key(out: &mut String, key: &Value<'_>) {
    match key {
        Value::Str(s) | Value::Plain(s) => out.push_str(&quote::json_string(s)),
        other => json(out, other),
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj() -> Value<'static> {
        Value::map([
            ("apiVersion", Value::str("v1")),
            (
                "metadata",
                Value::map([("name", Value::str("y")), ("namespace", Value::str("no"))]),
            ),
            (
                "spec",
                Value::map([
                    (
                        "list",
                        Value::Seq(vec![
                            Value::str("a"),
                            Value::map([("k", Value::Int(1)), ("l", Value::Bool(true))]),
                        ]),
                    ),
                    ("empty", Value::Map(vec![])),
                    ("mode", Value::Plain("0777".into())),
                    ("text", Value::str("line1\nline2\n")),
                ]),
            ),
        ])
    }

    #[test]
    fn a_comment_heads_a_block_item_and_nothing_else() {
        let layout = |style| Layout { style, eol: "\n" };
        let small = Value::map([("kind", Value::str("K"))]);
        // A line break (of any YAML version) or a control character in a name cannot end the
        // comment early and turn the rest into YAML.
        let comment = ["made for a\nkind: Evil\r\u{85}\u{2028}", "edit the source"];
        assert_eq!(
            layout(Style::BlockItem(2)).write(&small, &comment),
            "  - # made for a kind: Evil   \n    # edit the source\n    kind: K\n"
        );
        assert_eq!(
            layout(Style::BlockItem(0)).write(&small, &[]),
            "- kind: K\n"
        );
        // A stream's documents and JSON hold no comment (see Layout::write).
        assert_eq!(layout(Style::Document).write(&small, &comment), "kind: K\n");
        assert_eq!(
            layout(Style::Json).write(&small, &comment),
            "{\"kind\":\"K\"}"
        );
    }

    #[test]
    fn block_style_is_kubectl_like() {
        let mut out = String::new();
        block_seq_items(&mut out, &[obj()], 0);
        assert_eq!(
            out,
            "- apiVersion: v1\n  metadata:\n    name: \"y\"\n    namespace: \"no\"\n  spec:\n    list:\n    - a\n    - k: 1\n      l: true\n    empty: {}\n    mode: 0777\n    text: |\n      line1\n      line2\n"
        );
    }

    #[test]
    fn json_style() {
        let mut out = String::new();
        json(&mut out, &obj());
        assert_eq!(
            out,
            r#"{"apiVersion":"v1","metadata":{"name":"y","namespace":"no"},"spec":{"list":["a",{"k":1,"l":true}],"empty":{},"mode":0777,"text":"line1\nline2\n"}}"#
        );
    }

    #[test]
    fn key_width_counts_the_tag_and_the_quotes() {
        let tagged = Value::Tagged {
            tag: "!t".into(),
            value: Cow::Borrowed(""),
            plain: true,
        };
        assert_eq!(key_width(&tagged), 5); // !t ""
        assert_eq!(key_width(&Value::str("a")), 3); // "a" in JSON
        assert_eq!(key_width(&Value::str("a\tb")), 6); // "a\tb"
    }
}
