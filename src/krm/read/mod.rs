//! Reading input documents into objects.

pub mod json;
pub mod yaml;
