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

/// Runs `explain --format sarif` with `args` from `dir`, and the log it writes.
fn sarif(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["explain", "--format", "sarif"];
    all.extend(args);
    let out = common::run_in(Some(dir), env!("CARGO_BIN_EXE_stash-autobackup"), &all, b"");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stderr))
}

/// `explain --format sarif` writes SARIF 2.1.0 that the official schema accepts, on a package of
/// files (each result at its file and line) and on a ResourceList (at the file kpt names), and
/// a broken log is refused, so the check can fail.
#[test]
fn the_sarif_log_is_valid_sarif_2_1_0() {
    let case = std::path::Path::new(ROOT).join("testdata/explain/policy-sarif");
    let log = sarif(&case, &["--config", "config.yaml", "pkg"]);
    assert_eq!(common::sarif_schema_errors(&log), Vec::<String>::new());
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() >= 3, "{log}");
    for result in results {
        let place = &result["locations"][0]["physicalLocation"];
        assert!(
            place["region"]["startLine"].as_u64().unwrap() >= 1,
            "{result}"
        );
        let rule = result["ruleIndex"].as_u64().unwrap() as usize;
        let rules = &log["runs"][0]["tool"]["driver"]["rules"];
        assert_eq!(rules[rule]["id"], result["ruleId"]);
    }
    let root = std::path::Path::new(ROOT);
    let examples = sarif(
        root,
        &[
            "--config",
            "fn-config/policies.yaml",
            "examples/kpt/blueprints",
            "examples/kpt/databases",
        ],
    );
    assert_eq!(common::sarif_schema_errors(&examples), Vec::<String>::new());
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    broken["version"] = "2.2".into();
    assert_eq!(
        common::sarif_schema_errors(&broken).len(),
        2,
        "the schema catches a broken log"
    );
}

/// The README's kpt form of the example: `kpt fn eval --exec … --fn-config
/// fn-config/policies.yaml` fails the real kpt on the policy error, reports both results on the
/// database, and leaves the package as it was (kpt writes nothing when a function fails).
#[test]
fn kpt_fn_eval_reports_the_policies_and_writes_nothing_on_an_error() {
    let pkg = common::scratch("policy-kpt");
    common::copy_tree("examples/kpt", &pkg);
    let before = common::snapshot(&pkg);
    let bin = common::bin_dir("policy-kpt-bin");
    let function = bin.join("stash-autobackup");
    let config = format!("{ROOT}/fn-config/policies.yaml");
    let args = [
        "fn",
        "eval",
        "--exec",
        function.to_str().unwrap(),
        "--fn-config",
        &config,
        "--truncate-output=false",
        ".",
    ];
    let out = common::kpt(&args, &pkg, &bin);
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), out.stderr);
    assert_ne!(out.code, 0, "the policy error fails kpt: {printed}");
    for wanted in [
        "[error] kubedb.com/v1alpha2/Postgres/shop/orders: policy `production-databases` wants \
         restores to reach back 14d",
        "[warning] kubedb.com/v1alpha2/Postgres/shop/orders: policy `offsite-copies` wants 2 copies",
    ] {
        assert!(printed.contains(wanted), "{wanted}:\n{printed}");
    }
    assert!(
        common::snapshot(&pkg) == before,
        "kpt wrote nothing into the package"
    );
}
