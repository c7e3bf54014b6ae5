//! Lossless YAML and JSON.

pub mod emit;
pub mod quote;
pub mod splice;
pub mod tree;
