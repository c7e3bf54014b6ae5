//! One folder per API family. A family may use the engine, the KRM layer and the YAML layer,
//! never another family and never a framing.

pub mod stash;
