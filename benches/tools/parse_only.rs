//! The reference the function is measured against: a pure parse of the same input with the YAML
//! parser the function uses (granit-parser, same options), events only, no output.
//!
//!     cargo run --release --example parse-only < list.yaml

use std::io::Read as _;

fn main() {
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input).expect("stdin");
    let text = std::str::from_utf8(&input).expect("UTF-8");
    let options = granit_parser::options! { emit_anchor_events: true, emit_comments: false };
    let mut events = 0usize;
    for event in granit_parser::Parser::new_from_str_with_options(text, options) {
        event.expect("valid YAML");
        events += 1;
    }
    eprintln!("{events} events");
}
