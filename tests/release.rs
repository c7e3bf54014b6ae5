//! What a release names outside the code agrees with Cargo.toml: the version (`--version`, the
//! image tags in the catalog metadata, Dockerfiles, examples and README, the changelog) and the
//! license. Cargo.toml is the one place the version is set; these tests catch a copy left behind.
//! The catalog metadata also stays current: it names both families and what they back up, and
//! every example package, each of which exists.

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

/// The top-level fields of metadata.yaml, each with its values: one for a scalar or a folded
/// scalar (`>-`, its lines joined by spaces), one per item for a list. Read by lines: the file
/// is flat, as the catalog's are.
fn metadata() -> Vec<(String, Vec<String>)> {
    let text = String::from_utf8(common::read("metadata.yaml")).unwrap();
    let mut fields: Vec<(String, Vec<String>)> = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        if let Some(item) = line.strip_prefix("  - ") {
            fields
                .last_mut()
                .expect("a key")
                .1
                .push(item.trim().to_owned());
        } else if let Some(more) = line.strip_prefix("  ") {
            let (_, values) = fields.last_mut().expect("a key");
            let folded = values.last_mut().expect("a folded scalar");
            folded.push(' ');
            folded.push_str(more.trim());
        } else {
            let (key, value) = line.split_once(':').expect("key: value");
            let value = value.trim();
            let values = match value {
                "" => vec![],
                ">-" => vec![String::new()],
                _ => vec![value.to_owned()],
            };
            fields.push((key.to_owned(), values));
        }
    }
    for (_, values) in &mut fields {
        values.iter_mut().for_each(|v| *v = v.trim().to_owned());
    }
    fields
}

fn field(fields: &[(String, Vec<String>)], key: &str) -> Vec<String> {
    let found = fields.iter().find(|(k, _)| k == key);
    found
        .unwrap_or_else(|| panic!("metadata.yaml has no {key}"))
        .1
        .clone()
}

/// The catalog metadata is current: its description names both families and the kinds of
/// targets, its tags say what kpt runs it as, and its example packages are every folder of
/// examples/, each of which exists.
#[test]
fn the_catalog_metadata_describes_the_function_as_it_is() {
    let fields = metadata();
    let description = field(&fields, "description").concat();
    let words: Vec<&str> = description
        .split(|c: char| !c.is_ascii_alphanumeric())
        .collect();
    for word in [
        "Stash",
        "KubeStash",
        "KubeDB",
        "AppBindings",
        "workloads",
        "PersistentVolumeClaims",
    ] {
        assert!(
            words.contains(&word),
            "the description names {word}: {description}"
        );
    }
    let tags = field(&fields, "tags");
    for tag in ["mutator", "validator"] {
        assert!(tags.iter().any(|t| t == tag), "tags: {tags:?} lack {tag}");
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = field(&fields, "examplePackageURLs");
    for url in &listed {
        assert!(
            root.join(url).is_dir(),
            "examplePackageURLs: {url} is no folder"
        );
    }
    let mut examples: Vec<String> = std::fs::read_dir(root.join("examples"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .map(|path| format!("examples/{}", path.file_name().unwrap().to_string_lossy()))
        .collect();
    examples.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(
        sorted, examples,
        "examplePackageURLs lists every example package"
    );
}

/// The repository has no public address yet, so metadata.yaml names its source by a path from
/// its root, as it names the examples, rather than an invented URL: the crate is there. When it
/// is published, sourceURL becomes that address, and this test checks it instead.
#[test]
fn the_catalog_metadata_names_the_source_by_its_path() {
    let source = field(&metadata(), "sourceURL").concat();
    assert!(
        !source.contains("://"),
        "sourceURL {source}: no public address exists yet; update this test with it"
    );
    let crate_root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(&source);
    assert!(
        crate_root.join("Cargo.toml").is_file() && crate_root.join("src/lib.rs").is_file(),
        "sourceURL {source} is the crate's folder"
    );
}
