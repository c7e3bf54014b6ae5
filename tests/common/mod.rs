//! Helpers shared by the integration tests: the built binary, and the real kubectl as a YAML
//! reader with Kubernetes' own (YAML 1.1, Go yaml.v2) rules.
#![allow(dead_code)]

pub mod image;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub code: i32,
}

/// Runs `program` with `args`, feeding `stdin`.
pub fn run(program: &str, args: &[&str], stdin: &[u8]) -> Output {
    run_in(None, program, args, stdin)
}

/// [`run`] from the folder `dir`.
pub fn run_in(dir: Option<&Path>, program: &str, args: &[&str], stdin: &[u8]) -> Output {
    let mut command = Command::new(program);
    command.args(args);
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    run_command(&mut command, stdin)
}

/// Runs a prepared command, feeding `stdin` and collecting its output.
pub fn run_command(command: &mut Command, stdin: &[u8]) -> Output {
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run `{program}`: {e}; the tests need it on PATH (kpt and kubectl are preinstalled on the project's machines)")
        });
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("stdin writer");
    Output {
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

/// The sub-folders of `dir` (relative to the crate), sorted.
pub fn folders(dir: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The golden scenarios under `dir` (relative to the crate), sorted: a case is a folder holding
/// `input.yaml`, `input.bin` or `case.yaml`; every other folder groups cases (or further groups)
/// and must hold at least one. Files beside the cases of a group are not allowed, except a
/// `README.md`, so that a misspelt input or settings file fails instead of being skipped.
pub fn cases(dir: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let is_case = ["input.yaml", "input.bin", "case.yaml"]
            .iter()
            .any(|f| dir.join(f).is_file());
        if is_case {
            out.push(dir.to_path_buf());
            return;
        }
        let mut groups = 0;
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                groups += 1;
                walk(&path, out);
            } else if path.file_name().is_none_or(|n| n != "README.md") {
                panic!(
                    "{}: a group of cases holds only folders (and a README.md); \
                     a case folder needs input.yaml, input.bin or case.yaml",
                    path.display()
                );
            }
        }
        assert!(
            groups > 0,
            "{}: holds neither a case (input.yaml, input.bin or case.yaml) nor a group of cases",
            dir.display()
        );
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out = Vec::new();
    walk(&root, &mut out);
    out
}

/// The name of a case: its folder relative to `dir`, with `/` between the parts.
pub fn case_name(dir: &str, case: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let relative = case.strip_prefix(&root).unwrap_or(case);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// A file of the crate, relative to its root.
pub fn read(path: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs the function's binary.
pub fn function(args: &[&str], stdin: &[u8]) -> Output {
    run(env!("CARGO_BIN_EXE_stash-autobackup"), args, stdin)
}

/// Reads a YAML stream (or a ResourceList) the way kubectl does and returns the objects as
/// JSON. `kubectl label --local` decodes with sigs.k8s.io/yaml (yaml.v2 rules) and prints the
/// objects back as JSON; removing a label that is not there changes nothing but an empty
/// `metadata.labels`, which is dropped here.
pub fn kubectl_objects(yaml: &[u8]) -> Vec<serde_json::Value> {
    try_kubectl_objects(yaml).unwrap_or_else(|e| panic!("kubectl could not read the YAML: {e}"))
}

/// [`kubectl_objects`], with kubectl's complaint when it refuses the input.
pub fn try_kubectl_objects(yaml: &[u8]) -> Result<Vec<serde_json::Value>, String> {
    let args = [
        "label",
        "--local",
        "-f",
        "-",
        "stash-autobackup-test-",
        "-o",
        "json",
    ];
    let out = run("kubectl", &args, yaml);
    if out.code != 0 {
        return Err(out.stderr);
    }
    Ok(serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<serde_json::Value>()
        .map(|v| {
            let mut v = v.expect("kubectl printed JSON");
            if let Some(meta) = v.get_mut("metadata").and_then(|m| m.as_object_mut())
                && meta
                    .get("labels")
                    .is_some_and(|l| l.as_object().is_some_and(|l| l.is_empty()))
            {
                meta.remove("labels");
            }
            v
        })
        .collect())
}

/// The items of a ResourceList written in block style with its items at two spaces (as every
/// operator-docs example is), as the plain multi-document stream the guide shows; `name` names
/// the case in a failure.
pub fn unwrapped(name: &str, list: &str) -> String {
    let items = list
        .strip_prefix("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
        .unwrap_or_else(|| panic!("{name}: input.yaml starts with a v1 ResourceList's `items:`"));
    let mut out = String::new();
    for (i, line) in items.split_inclusive('\n').enumerate() {
        if let Some(item) = line.strip_prefix("- ") {
            if i > 0 {
                out.push_str("---\n");
            }
            out.push_str(item);
        } else if let Some(rest) = line.strip_prefix("  ") {
            out.push_str(rest);
        } else {
            assert!(
                line.trim().is_empty(),
                "{name}: input.yaml holds only `items`, at two spaces: {line:?}"
            );
            out.push_str(line);
        }
    }
    out
}

/// A fresh, empty folder for one test (under Cargo's temporary directory for tests).
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Copies the folder `from` (relative to the crate) into `to`.
pub fn copy_tree(from: &str, to: &Path) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read_dir") {
            let path = entry.expect("entry").path();
            let target = to.join(path.file_name().expect("name"));
            if path.is_dir() {
                copy(&path, &target);
            } else {
                std::fs::copy(&path, &target).expect("copy");
            }
        }
    }
    copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join(from), to);
}

/// Every file under `dir` with its contents, to tell whether anything changed.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read");
                out.push((path.strip_prefix(dir).expect("prefix").to_path_buf(), bytes));
            }
        }
    }
    out.sort();
    out
}

/// A folder holding only `stash-autobackup` (the binary under test), for PATH.
pub fn bin_dir(name: &str) -> PathBuf {
    let dir = scratch(name);
    std::fs::copy(
        env!("CARGO_BIN_EXE_stash-autobackup"),
        dir.join("stash-autobackup"),
    )
    .expect("copy binary");
    dir
}

/// PATH with `dir` first.
pub fn path_with(dir: &Path) -> String {
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Fails (never skips) a test that needs root; CI runs as root.
pub fn require_root(to: &str) {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    assert!(root, "this test needs root to {to} (CI runs as root)");
}

/// A fresh folder that every user may enter and read, for runs as another user (uid 65534,
/// ArgoCD's 999). It lies under the system's temporary directory rather than in the checkout,
/// whose parents may be private: a clone under `/root` or in a `mktemp -d` folder (mode 0700)
/// would hide anything inside it from other users. Removed when dropped.
pub struct PublicDir(PathBuf);

impl PublicDir {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for PublicDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new [`PublicDir`] named for one test.
pub fn public_scratch(name: &str) -> PublicDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!(
        "stash-autobackup-test-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("public scratch dir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    for parent in dir.ancestors().skip(1) {
        let mode = std::fs::metadata(parent)
            .expect("stat")
            .permissions()
            .mode();
        assert!(
            mode & 0o001 != 0,
            "{} (mode {:o}) is closed to other users, who must reach {}: point TMPDIR at a \
             folder they can enter, such as /tmp",
            parent.display(),
            mode & 0o7777,
            dir.display()
        );
    }
    PublicDir(dir)
}

/// A [`PublicDir`] holding only a copy of `stash-autobackup` (the binary under test), for PATH
/// in runs as another user.
pub fn public_bin_dir(name: &str) -> PublicDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = public_scratch(name);
    let binary = dir.path().join("stash-autobackup");
    std::fs::copy(env!("CARGO_BIN_EXE_stash-autobackup"), &binary).expect("copy binary");
    std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    dir
}

/// A command for the real tool `name`, which must be on PATH: a missing tool fails the test with
/// a message saying so, rather than an obscure spawn error.
pub fn tool(name: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{name}` is not on PATH: the end-to-end tests run the real {name} (preinstalled on the project's machines)"
    );
    Command::new(name)
}

/// Runs the real kpt with `args` in the package `dir`, with `bin` first on PATH (where an
/// `exec:` mutator finds `stash-autobackup`).
pub fn kpt(args: &[&str], dir: &Path, bin: &Path) -> Output {
    let mut command = tool("kpt");
    command
        .args(args)
        .current_dir(dir)
        .env("PATH", path_with(bin));
    run_command(&mut command, b"")
}

/// `kind namespace/name` of each object, to compare with what a test expects.
pub fn ids(objects: &[serde_json::Value]) -> Vec<String> {
    objects
        .iter()
        .map(|o| {
            format!(
                "{} {}/{}",
                o["kind"].as_str().unwrap_or("?"),
                o["metadata"]["namespace"].as_str().unwrap_or(""),
                o["metadata"]["name"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

/// Removes `{}` values (Go zero-value structs), recursively, and what is left empty by that.
pub fn drop_empty(value: &mut serde_json::Value) {
    use serde_json::Value;
    if let Value::Object(map) = value {
        for v in map.values_mut() {
            drop_empty(v);
        }
        map.retain(|_, v| !matches!(v, Value::Object(m) if m.is_empty()));
    } else if let Value::Array(items) = value {
        items.iter_mut().for_each(drop_empty);
    }
}

/// The commands of the README's shell blocks whose info string `info` accepts (`sh`,
/// `sh podman`): every line, comments cut, `\` continuations joined.
pub fn readme_commands(info: impl Fn(&str) -> bool) -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut commands = Vec::new();
    let mut inside = false;
    let mut pending = String::new();
    for line in readme.lines() {
        if !inside {
            inside = line.strip_prefix("```").is_some_and(&info);
            continue;
        }
        if line == "```" {
            inside = false;
            continue;
        }
        let code = match line.find("  #") {
            Some(at) => &line[..at],
            None => line,
        };
        let code = code.trim();
        if code.is_empty() || code.starts_with('#') {
            continue;
        }
        match code.strip_suffix('\\') {
            Some(head) => {
                pending.push_str(head.trim_end());
                pending.push(' ');
            }
            None => {
                pending.push_str(code);
                commands.push(std::mem::take(&mut pending));
            }
        }
    }
    commands
}

/// Every problem the SARIF 2.1.0 schema (tests/fixtures/sarif) finds in `log`, by Python's
/// `jsonschema`.
pub fn sarif_schema_errors(log: &serde_json::Value) -> Vec<String> {
    let program = "import json, sys, jsonschema\n\
                   schema = json.load(open(sys.argv[1]))\n\
                   validator = jsonschema.Draft4Validator(schema)\n\
                   errors = validator.iter_errors(json.load(sys.stdin))\n\
                   print(json.dumps([f'{list(e.path)}: {e.message}' for e in errors]))";
    let schema = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sarif/sarif-schema-2.1.0.json"
    );
    let input = serde_json::to_vec(log).unwrap();
    let out = run("python3", &["-c", program, schema], &input);
    assert_eq!(out.code, 0, "python3 jsonschema: {}", out.stderr);
    serde_json::from_slice(&out.stdout).expect("a list of errors")
}
