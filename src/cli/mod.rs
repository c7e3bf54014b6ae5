//! The binary's own parts: the command line, reading files and ArgoCD's parameters. Nothing in
//! the library depends on them.

pub mod argocd;
pub mod args;
pub mod files;
