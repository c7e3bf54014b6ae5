//! One folder per API family. A family may use the engine, the KRM layer, the YAML layer and
//! [`common`] (what the families back up and the steps they share), never another family and
//! never a framing.

pub mod common;
pub mod kubestash;
pub mod stash;
