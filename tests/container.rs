//! The container image's binary needs nothing but itself. There is no docker engine on the
//! project's machines, so this builds the binary exactly as the Dockerfile does
//! (`scripts/build-static`) and runs it the way kpt runs the image (`docker run --rm -i
//! --network none --user nobody --security-opt=no-new-privileges`): an empty environment, no
//! network, no new privileges, uid 65534, in a root folder that holds only the binary.

mod common;

use std::process::Command;

/// True when the ELF64 file names a program interpreter (a dynamic loader).
fn has_interpreter(elf: &[u8]) -> bool {
    const PT_INTERP: u32 = 3;
    assert_eq!(&elf[..4], b"\x7fELF", "an ELF file");
    let u16_at = |at: usize| u16::from_le_bytes([elf[at], elf[at + 1]]) as usize;
    let offset = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let (size, count) = (u16_at(0x36), u16_at(0x38));
    (0..count).any(|i| {
        let at = offset + i * size;
        u32::from_le_bytes(elf[at..at + 4].try_into().unwrap()) == PT_INTERP
    })
}

#[test]
fn the_image_binary_runs_alone_in_an_empty_root_as_nobody() {
    common::require_root("chroot and switch to uid 65534");
    let build = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/build-static"))
        .env(
            "CARGO_TARGET_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/target/static"),
        )
        .output()
        .expect("run scripts/build-static");
    assert!(
        build.status.success(),
        "scripts/build-static failed:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let binary = String::from_utf8(build.stdout)
        .expect("path")
        .trim()
        .to_owned();
    let bytes = std::fs::read(&binary).expect("static binary");
    assert!(
        bytes.len() <= 5 * 1024 * 1024,
        "the image holds only the binary, which must stay within 5 MB (it is {} bytes)",
        bytes.len()
    );
    assert!(
        !has_interpreter(&bytes),
        "the binary asks for a dynamic loader (ELF PT_INTERP): it is not static"
    );

    let root = common::scratch("empty-root");
    std::fs::copy(&binary, root.join("stash-autobackup")).expect("copy");
    let input = common::read("examples/resource-list.yaml");
    let expected = common::function(&[], &input);
    assert_eq!(expected.code, 0);

    for extra_env in [
        &[][..],
        &["LOG_TO_STDERR=true", "STRUCTURED_RESULTS=true"][..],
    ] {
        let mut command = Command::new("env");
        command
            .arg("-i")
            .args(extra_env)
            .args([
                "/usr/bin/unshare",
                "--net",
                "/usr/bin/setpriv",
                "--no-new-privs",
            ])
            .args(["/usr/sbin/chroot", "--userspec=65534:65534"])
            .arg(&root)
            .arg("/stash-autobackup")
            .env_clear();
        let out = common::run_command(&mut command, &input);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(
            out.stdout == expected.stdout,
            "in the empty root the output differs from the normal build's"
        );
    }
}
