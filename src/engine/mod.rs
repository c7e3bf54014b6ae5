//! What every API family shares: reconciliation of earlier output, ownership, expansion of
//! blueprint values with envsubst, cron, Kubernetes name rules and the function's options.
//!
//! No family's vocabulary lives here. The engine may use itself, the KRM layer and the YAML
//! layer; families depend on it, never the reverse.

pub mod calendar;
pub mod config;
pub mod cron;
pub mod envsubst;
pub mod expand;
pub mod family;
pub mod fields;
pub mod finding;
mod go_unicode;
pub mod k8s_names;
pub mod labels;
pub mod ownership;
pub mod protection;
pub mod reconcile;
pub mod schema;
pub mod spread;
