//! One folder per API family. A family may use the engine, the KRM layer, the YAML layer and
//! [`subjects`] (what the families back up, shared), never another family and never a framing.

pub mod kubestash;
pub mod stash;
pub mod subjects;
