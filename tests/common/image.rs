//! The function's container image, built once per test process with `scripts/build-image` and
//! run by a real container engine (podman), for the tests that start it as kpt, kustomize and
//! ArgoCD do (`tests/container.rs`, `tests/kustomize_overlays.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const VERSION: &str = env!("CARGO_PKG_VERSION");

pub const INSTALL_PODMAN: &str = "podman is not installed, and the container tests need a real \
    engine to build the image and run it as kpt and kustomize do. Install it: \
    `apt-get install -y podman` (Debian/Ubuntu; .ci/run does this on a fresh machine)";

/// The function's image, built for this test run, and the engine's settings on this machine.
pub struct Image {
    /// What `scripts/engine-env` printed: settings this machine's engine needs, if any.
    pub env: Vec<(String, String)>,
    pub tag: String,
    /// Held until the test process ends: see [`lock_the_tags`].
    _lock: std::fs::File,
}

impl Image {
    /// The engine's command, with this machine's settings.
    pub fn podman(&self) -> Command {
        let mut command = Command::new("podman");
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Runs podman with `args`, feeding `stdin`.
    pub fn run(&self, args: &[&str], stdin: &[u8]) -> super::Output {
        let mut command = self.podman();
        command.args(args);
        super::run_command(&mut command, stdin)
    }

    /// A tool (kpt, kubectl) that starts containers itself, with the engine's settings.
    pub fn tool(&self, name: &str) -> Command {
        let mut command = Command::new(name);
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }
}

static IMAGE: OnceLock<Result<Image, String>> = OnceLock::new();

/// The image, built by the first test that asks; a failed build fails every test with its cause.
pub fn image() -> &'static Image {
    match IMAGE.get_or_init(build_image) {
        Ok(image) => image,
        Err(why) => panic!("{why}"),
    }
}

/// The tags are the same for every checkout on the machine (`localhost/stash-autobackup:<version>`),
/// so a second test run at the same time (another clone or worktree) would build over the image
/// this run is testing. Runs take turns: the lock is held until the test process ends.
fn lock_the_tags() -> Result<std::fs::File, String> {
    let path = std::env::temp_dir().join("stash-autobackup-container-tests.lock");
    let file = std::fs::File::create(&path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    if file.try_lock().is_err() {
        eprintln!(
            "waiting for another test run's container tests to finish ({})",
            path.display()
        );
        file.lock()
            .map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
    }
    Ok(file)
}

fn build_image() -> Result<Image, String> {
    let podman = Command::new("podman").arg("--version").output();
    if !podman.is_ok_and(|o| o.status.success()) {
        return Err(INSTALL_PODMAN.to_owned());
    }
    let lock = lock_the_tags()?;
    let settings = Command::new(format!("{ROOT}/scripts/engine-env"))
        .env("ENGINE", "podman")
        .output()
        .map_err(|e| format!("cannot run scripts/engine-env: {e}"))?;
    if !settings.status.success() {
        return Err(format!(
            "scripts/engine-env failed:\n{}",
            String::from_utf8_lossy(&settings.stderr)
        ));
    }
    let env: Vec<(String, String)> = String::from_utf8_lossy(&settings.stdout)
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let build = Command::new(format!("{ROOT}/scripts/build-image"))
        .env("ENGINE", "podman")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .map_err(|e| format!("cannot run scripts/build-image: {e}"))?;
    let log = String::from_utf8_lossy(&build.stderr);
    if !build.status.success() {
        return Err(format!("scripts/build-image failed:\n{log}"));
    }
    let tag = String::from_utf8_lossy(&build.stdout).trim().to_owned();
    let expected = format!("localhost/stash-autobackup:{VERSION}");
    if tag != expected {
        return Err(format!(
            "scripts/build-image printed `{tag}`, not the tag of Cargo.toml's version, \
             `{expected}`:\n{log}"
        ));
    }
    Ok(Image {
        env,
        tag,
        _lock: lock,
    })
}

/// Puts a `name` command in `dir` that records each call's arguments (a line in the returned
/// log) and hands them to the real podman. kustomize calls nothing but `docker`; for kpt it shows
/// how kpt started the image. It stands in for the engine's command line, never for the image.
pub fn recording_engine(dir: &Path, name: &str) -> PathBuf {
    let which = super::run("sh", &["-c", "command -v podman"], b"");
    assert_eq!(which.code, 0, "podman is on PATH");
    let podman = String::from_utf8(which.stdout).unwrap().trim().to_owned();
    let log = dir.join(format!("{name}.log"));
    let script = dir.join(name);
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\nexec '{podman}' \"$@\"\n",
            log.display()
        ),
    )
    .unwrap();
    let status = Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    assert!(status.success());
    log
}

/// The calls that started `tag`, from a [`recording_engine`]'s log.
pub fn runs_of(log: &Path, tag: &str) -> Vec<String> {
    let calls = std::fs::read_to_string(log).unwrap_or_default();
    calls
        .lines()
        .filter(|call| call.starts_with("run ") && call.ends_with(tag))
        .map(str::to_owned)
        .collect()
}
