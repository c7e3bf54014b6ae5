//! Stash v1beta1.

pub mod blueprint;
pub mod generate;
pub mod naming;
pub mod render;
pub mod targets;
