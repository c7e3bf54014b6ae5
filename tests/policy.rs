//! Backup policies end to end (issue 24): the README's worked example prints what the README
//! shows, through the built binary.

mod common;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The README's "Backup policy" command, and the warnings and errors it shows under it.
fn readme_example() -> (String, Vec<String>) {
    let readme = std::fs::read_to_string(format!("{ROOT}/README.md")).unwrap();
    let section = readme
        .split("\n## Backup policy\n")
        .nth(1)
        .expect("a Backup policy section");
    let block = |info: &str| -> String {
        let start = section.find(&format!("```{info}\n")).expect(info) + info.len() + 4;
        let end = section[start..].find("```").unwrap() + start;
        section[start..end].to_owned()
    };
    let command = block("sh").trim().to_owned();
    let shown = block("text").lines().map(str::to_owned).collect();
    (command, shown)
}

#[test]
fn the_readme_policy_example_prints_what_the_readme_shows() {
    let (command, shown) = readme_example();
    let args: Vec<&str> = command
        .strip_prefix("stash-autobackup ")
        .expect("the function")
        .split(' ')
        .collect();
    let dir = std::path::Path::new(ROOT);
    let out = common::run_in(
        Some(dir),
        env!("CARGO_BIN_EXE_stash-autobackup"),
        &args,
        b"",
    );
    assert_eq!(
        out.code, 1,
        "the policy error fails the run: {}",
        out.stderr
    );
    assert!(
        out.stdout.is_empty(),
        "stream mode prints nothing on errors"
    );
    let printed: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:") || l.starts_with("warning:"))
        .collect();
    assert_eq!(printed, shown, "run from {ROOT}");
}
