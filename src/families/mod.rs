//! One folder per API family.

pub mod stash;
