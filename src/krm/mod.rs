//! The Kubernetes Resource Model.

pub mod read;
pub mod resource_list;
pub mod results;
pub mod stream;
