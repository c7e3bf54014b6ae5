//! Turning an input document into items and [`Object`]s, keeping what an [`Interest`] asks for.
//!
//! Two readers produce the same [`Read`]: [`yaml`] walks the YAML parser's events, and [`json`]
//! takes a faster road for plain JSON. Both hand every key they meet to one [`ObjectBuilder`],
//! so the rules for duplicate keys, nulls, merge keys and what to keep exist once.
//!
//! [`Object`]: crate::krm::object::Object

mod builder;
mod document;
mod interest;
pub mod json;
pub mod yaml;

pub use builder::{Concerns, MetaKey, ObjectBuilder, TopKey};
pub use document::{Document, DocumentRoot, Items, ItemsValue, Read, Root};
pub use interest::{Interest, Spec};
