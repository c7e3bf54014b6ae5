//! Writes a benchmark ResourceList to stdout (see `generate.rs`).
//!
//!     cargo run --release --example gen-resource-list -- 10000 yaml > list.yaml   # about 9 MB
//!     cargo run --release --example gen-resource-list -- 10000 json > list.json
//!     cargo run --release --example gen-resource-list -- 10000 yaml policies > policies.yaml

use std::io::Write as _;

mod generate;

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let json = args.next().as_deref() == Some("json");
    let mut text = generate::resource_list(count, json);
    if args.next().as_deref() == Some("policies") {
        text = generate::with_policies(text, json);
    }
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .expect("stdout");
}
