//! Lossless YAML and JSON: reading with byte positions, capturing the values a reader asks for,
//! splicing output from input bytes and generated text, and spelling scalars so that every
//! reader takes them as meant.
//!
//! This layer knows YAML, not Kubernetes: nothing here names an API group, a kind or an
//! annotation. It may use only itself and its parsers (granit-parser, serde_json).

pub mod emit;
pub mod events;
pub mod json;
pub mod quote;
pub mod splice;
pub mod tree;

use std::borrow::Cow;

use granit_parser::ScalarStyle;

/// The core schema's tag prefix (`!!x` is `tag:yaml.org,2002:x`).
pub const CORE_TAG: &str = "tag:yaml.org,2002:";

/// The spellings of null that Go's YAML readers (kubectl) and YAML 1.2 share, for a plain
/// scalar: empty, `~`, `null`, `Null`, `NULL`.
pub fn is_null_word(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// A tag as its resolved handle and suffix (`!!null` is `("tag:yaml.org,2002:", "null")`).
pub type TagParts<'t> = (&'t str, &'t str);

/// A scalar that a reader takes for null: a plain null word without a tag, or anything tagged
/// `!!null`.
pub fn is_null_scalar(text: &str, style: ScalarStyle, tag: Option<TagParts<'_>>) -> bool {
    match tag {
        None => style == ScalarStyle::Plain && is_null_word(text),
        Some(tag) => tag == (CORE_TAG, "null"),
    }
}

/// A YAML merge key, as Go's yaml.v2 (kubectl) recognises one: `<<` written plain without a
/// tag, or with the tag `!!merge` or `!` in any style. A quoted `"<<"` without a tag is an
/// ordinary key (checked against kubectl 1.3x).
pub fn is_merge_key(text: &str, style: ScalarStyle, tag: Option<TagParts<'_>>) -> bool {
    text == "<<"
        && match tag {
            None => style == ScalarStyle::Plain,
            Some(tag) => tag == (CORE_TAG, "merge") || tag == ("!", ""),
        }
}

/// The parts of a parser tag.
pub fn tag_parts(tag: &granit_parser::Tag) -> TagParts<'_> {
    (tag.handle(), tag.suffix())
}

/// A scalar field as a reader reads it (`metadata.name`, an annotation value, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Field<'a> {
    /// The key is not there, or its value is null.
    #[default]
    Absent,
    /// The text of the scalar, as kpt reads it (a plain `no` is the text `no`).
    Text(Cow<'a, str>),
    /// The value is a mapping or a sequence.
    NotText,
}

impl Field<'_> {
    pub fn text(&self) -> Option<&str> {
        match self {
            Field::Text(t) => Some(t),
            _ => None,
        }
    }
}
