//! AFL++ target: the whole function (parse, plan, splice, emit) on arbitrary bytes.
//!
//! Beyond "never panics", it checks what must hold for every input the function accepts: a
//! successful run never has empty output, its own output is readable, and running again reaches
//! a fixed point at once (a run on output that already went through the function changes
//! nothing).

use stash_autobackup::{Framing, Options, run, text};

fn once(src: &str) -> Option<(Vec<u8>, Framing, bool)> {
    let run = run(src, &Options::default(), &|_| None).ok()?;
    Some((
        run.output(src.as_bytes()),
        run.framing(),
        run.has_errors(),
    ))
}

fn main() {
    afl::fuzz!(|data: &[u8]| {
        let Ok(src) = text(data) else { return };
        let Some((first, format, failed)) = once(src) else {
            return;
        };
        // Success with nothing to say would make kpt delete a package, ArgoCD prune an app.
        assert!(failed || !first.is_empty(), "exit 0 with empty output");
        let first = String::from_utf8(first).expect("output is UTF-8");
        if format != Framing::ResourceList {
            return;
        }
        let (second, _, _) = once(&first).expect("the function reads its own output");
        let second = String::from_utf8(second).expect("output is UTF-8");
        let (third, _, _) = once(&second).expect("the function reads its own output");
        assert!(
            second.as_bytes() == third.as_slice(),
            "no fixed point:\n{second}\n---\n{}",
            String::from_utf8_lossy(&third)
        );
    });
}
