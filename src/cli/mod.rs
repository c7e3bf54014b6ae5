//! The binary's own parts: the command line and reading files. Nothing in the library depends
//! on them.

pub mod args;
pub mod files;
