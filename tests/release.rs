//! What a release names outside the code agrees with Cargo.toml: the version (`--version`, the
//! image tags in the catalog metadata, Dockerfiles, examples and README, the changelog) and the
//! license. Cargo.toml is the one place the version is set; these tests catch a copy left behind.

mod common;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Files that name the images.
const IMAGE_REFERENCES: &[&str] = &[
    "metadata.yaml",
    "Dockerfile",
    "README.md",
    "examples/kpt/Kptfile",
    "examples/kustomize/stash-autobackup.yaml",
    "examples/argocd/plugin.yaml",
    "examples/argocd/sidecar/Dockerfile",
    "examples/argocd/sidecar/values.yaml",
];

#[test]
fn version_flag_prints_the_crate_version() {
    let out = common::function(&["--version"], b"");
    assert_eq!(out.code, 0);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("stash-autobackup {VERSION}\n")
    );
}

/// Every `stash-autobackup:<tag>` and `stash-autobackup-argocd:<tag>` is this version and is
/// fully qualified (`localhost/…` or `<your-registry>/…`): kpt reads a name without a registry
/// as `gcr.io/kpt-fn/<name>`, which does not exist. Only a line that explains that rewrite
/// (it names gcr.io/kpt-fn) may show the short form.
#[test]
fn image_references_are_qualified_and_follow_the_crate_version() {
    let mut found = 0;
    for file in IMAGE_REFERENCES {
        let text = String::from_utf8(common::read(file)).expect("utf-8");
        for (number, line) in text.lines().enumerate() {
            let at = format!("{file}:{}", number + 1);
            for (start, _) in line.match_indices("stash-autobackup") {
                let rest = &line[start + "stash-autobackup".len()..];
                let rest = rest.strip_prefix("-argocd").unwrap_or(rest);
                let Some(tag) = rest.strip_prefix(':') else {
                    continue;
                };
                let tag: String = tag
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || ".-_<>".contains(*c))
                    .collect();
                let tag = tag.trim_end_matches('.'); // the end of a sentence
                if tag.is_empty() {
                    continue; // "stash-autobackup: 2 targets…", a log line
                }
                found += 1;
                assert_eq!(
                    tag, VERSION,
                    "{at}: an image tag other than Cargo.toml's version"
                );
                let qualified = line[..start].ends_with('/');
                assert!(
                    qualified || line.contains("gcr.io/kpt-fn"),
                    "{at}: name the image with its registry (localhost/ or <your-registry>/): {line}"
                );
            }
        }
    }
    assert!(
        found >= IMAGE_REFERENCES.len(),
        "only {found} image references"
    );
}

#[test]
fn the_changelog_starts_with_this_version() {
    let changelog = String::from_utf8(common::read("CHANGELOG.md")).unwrap();
    let heading = changelog
        .lines()
        .find(|l| l.starts_with("## "))
        .expect("a `## <version>` heading");
    assert!(
        heading.contains(&format!("[{VERSION}]")),
        "CHANGELOG.md's newest entry is {heading:?}, not Cargo.toml's version {VERSION}"
    );
}

/// Cargo.toml says Apache-2.0; LICENSE holds that license's text and metadata.yaml agrees.
#[test]
fn the_license_file_matches_cargo_toml() {
    assert_eq!(env!("CARGO_PKG_LICENSE"), "Apache-2.0");
    let license = String::from_utf8(common::read("LICENSE")).unwrap();
    assert!(
        license.contains("Apache License") && license.contains("Version 2.0, January 2004"),
        "LICENSE is the Apache License 2.0"
    );
    assert!(
        license.contains("END OF TERMS AND CONDITIONS"),
        "the full text"
    );
    let metadata = String::from_utf8(common::read("metadata.yaml")).unwrap();
    assert!(metadata.contains("\nlicense: Apache-2.0\n"), "{metadata}");
}
