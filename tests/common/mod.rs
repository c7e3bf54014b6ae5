//! Helpers shared by the integration tests: the built binary, and the real kubectl as a YAML
//! reader with Kubernetes' own (YAML 1.1, Go yaml.v2) rules.
#![allow(dead_code)]

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
    command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command.spawn().unwrap_or_else(|e| {
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
