//! The binary's own parts: nothing below the library's facade depends on them.

pub mod files;
