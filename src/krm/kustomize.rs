//! kustomize's own objects in an input: the Secrets a Kustomization's `secretGenerator` makes
//! when kustomize builds it (a kpt package is often a kustomize base too, and kpt hands the
//! `kustomization.yaml` to functions as an item).

use super::object::ObjectFields;
use super::read::{Interest, Spec};
use crate::yaml::tree::Tree;

pub const GROUP: &str = "kustomize.config.k8s.io";
/// The kinds whose `secretGenerator` makes Secrets.
pub const KINDS: [(&str, &str); 2] = [
    ("kustomize.config.k8s.io/v1beta1", "Kustomization"),
    ("kustomize.config.k8s.io/v1alpha1", "Component"),
];
/// The top-level keys that decide a generated Secret's name and namespace.
const KEYS: [&str; 5] = [
    "secretGenerator",
    "generatorOptions",
    "namespace",
    "namePrefix",
    "nameSuffix",
];

/// What the readers must keep to know the Secrets kustomize generates: the group's objects
/// whole (few, and their kpt annotations say which file a finding is about).
pub fn interest(interest: Interest) -> Interest {
    let interest = interest.group(GROUP, Spec::Nothing);
    KEYS.iter().fold(interest, |i, key| i.top_field(GROUP, key))
}

/// The name a generator gave before kustomize added its hash, when `name` ends like that: a
/// `-` and ten characters of the hash's alphabet (kustomize encodes the hash's hex digits,
/// writing `0 1 3 a e` as `g h k m t` so that no word and no number comes out).
pub fn unhashed(name: &str) -> Option<&str> {
    const HASH: &[u8] = b"2456789bcdfghkmt";
    let (plain, hash) = name.rsplit_once('-')?;
    (!plain.is_empty() && hash.len() == 10 && hash.bytes().all(|b| HASH.contains(&b)))
        .then_some(plain)
}

/// A Secret a `secretGenerator` entry makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedSecret {
    /// The name the entry gives (before any hash, prefix or suffix).
    pub name: String,
    /// The Kustomization's `namespace`, else the entry's; empty for none.
    pub namespace: String,
    /// The entry's place in `secretGenerator`.
    pub entry: usize,
    /// The Secret reaches the cluster under `name`: no hash suffix (the entry's or the
    /// Kustomization's `disableNameSuffixHash: true`) and no `namePrefix` or `nameSuffix`.
    pub keeps_name: bool,
}

/// The Secrets the Kustomization (or Component) `fields` generates.
pub fn generated_secrets(tree: &Tree<'_>, fields: &ObjectFields<'_>) -> Vec<GeneratedSecret> {
    let is_kustomize = KINDS.iter().any(|(api_version, kind)| {
        fields.api_version.text() == Some(*api_version) && fields.kind.text() == Some(*kind)
    });
    let Some(entries) = fields
        .top("secretGenerator")
        .filter(|_| is_kustomize)
        .and_then(|node| tree.items(node))
    else {
        return Vec::new();
    };
    let scalar = |node: Option<_>| node.and_then(|n| tree.scalar(n)).filter(|s| !s.is_empty());
    let no_hash = |options: Option<_>| {
        scalar(options.and_then(|o| tree.lookup(o, "disableNameSuffixHash"))) == Some("true")
    };
    let namespace = scalar(fields.top("namespace"));
    let renamed_all =
        scalar(fields.top("namePrefix")).is_some() || scalar(fields.top("nameSuffix")).is_some();
    let no_hash_all = no_hash(fields.top("generatorOptions"));
    entries
        .iter()
        .enumerate()
        .filter_map(|(entry, node)| {
            let name = scalar(tree.lookup(*node, "name"))?;
            let own_namespace = scalar(tree.lookup(*node, "namespace"));
            let no_hash = no_hash_all || no_hash(tree.lookup(*node, "options"));
            Some(GeneratedSecret {
                name: name.to_owned(),
                namespace: namespace.or(own_namespace).unwrap_or_default().to_owned(),
                entry,
                keeps_name: no_hash && !renamed_all,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::krm::read::{json, yaml};

    /// The generated Secrets of the one item of a ResourceList holding `item`, read by both
    /// readers (which must agree).
    fn secrets(item: &str) -> Vec<(String, String, usize, bool)> {
        let interest = interest(Interest::default());
        let list = format!(
            "{{\"apiVersion\": \"config.kubernetes.io/v1\", \"kind\": \"ResourceList\", \"items\": [{item}]}}"
        );
        let read_yaml = yaml::read(&list, &interest).expect("YAML");
        let read_json = json::read(&list, &interest).expect("plain JSON");
        let mut found = Vec::new();
        for read in [&read_yaml, &read_json] {
            let objects = read.items();
            let fields = objects[0].fields().expect("kept");
            found.push(
                generated_secrets(&read.tree, fields)
                    .into_iter()
                    .map(|s| (s.namespace, s.name, s.entry, s.keeps_name))
                    .collect::<Vec<_>>(),
            );
        }
        assert_eq!(found[0], found[1], "the readers agree");
        found.swap_remove(0)
    }

    const KUSTOMIZATION: &str =
        r#""apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization""#;

    #[test]
    fn each_entry_is_a_secret_with_its_namespace_and_whether_it_keeps_its_name() {
        let item = format!(
            r#"{{"secretGenerator": [
                {{"name": "a", "namespace": "shop"}},
                {{"name": "b", "options": {{"disableNameSuffixHash": true}}}},
                {{"namespace": "no-name"}},
                {{"name": "c", "namespace": "billing", "options": {{"disableNameSuffixHash": false}}}}
            ], {KUSTOMIZATION}}}"#
        );
        assert_eq!(
            secrets(&item),
            [
                ("shop".into(), "a".into(), 0, false),
                (String::new(), "b".into(), 1, true),
                ("billing".into(), "c".into(), 3, false),
            ]
        );
    }

    #[test]
    fn the_kustomization_decides_namespace_hash_and_affixes_for_every_entry() {
        let all = format!(
            r#"{{{KUSTOMIZATION}, "namespace": "prod", "generatorOptions": {{"disableNameSuffixHash": true}},
                "secretGenerator": [{{"name": "a", "namespace": "shop"}}]}}"#
        );
        assert_eq!(secrets(&all), [("prod".into(), "a".into(), 0, true)]);
        let prefixed = format!(
            r#"{{{KUSTOMIZATION}, "namePrefix": "p-", "generatorOptions": {{"disableNameSuffixHash": true}},
                "secretGenerator": [{{"name": "a"}}]}}"#
        );
        assert_eq!(secrets(&prefixed), [(String::new(), "a".into(), 0, false)]);
        let component = r#"{"apiVersion": "kustomize.config.k8s.io/v1alpha1", "kind": "Component",
            "secretGenerator": [{"name": "a", "options": {"disableNameSuffixHash": true}}]}"#;
        assert_eq!(secrets(component), [(String::new(), "a".into(), 0, true)]);
        // Another kind of the group, or a scalar where the list goes, makes none.
        let other = r#"{"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Other",
            "secretGenerator": [{"name": "a"}]}"#;
        assert_eq!(secrets(other), []);
        let scalar = format!(r#"{{{KUSTOMIZATION}, "secretGenerator": "a"}}"#);
        assert_eq!(secrets(&scalar), []);
    }

    #[test]
    fn a_hashed_name_gives_the_generators_name() {
        // Recorded from kubectl kustomize.
        assert_eq!(
            unhashed("s3-backup-credentials-4dc5f89cgc"),
            Some("s3-backup-credentials")
        );
        for name in [
            "s3-backup-credentials",
            "app-0123456789",
            "app-4dc5f89cg",
            "app-4dc5f89cgcc",
            "-4dc5f89cgc",
            "app-4DC5F89CGC",
        ] {
            assert_eq!(unhashed(name), None, "{name}");
        }
    }

    #[test]
    fn a_key_before_the_api_version_is_read_too() {
        let late = r#"{"secretGenerator": [{"name": "a", "namespace": "n"}],
            "kind": "Kustomization", "apiVersion": "kustomize.config.k8s.io/v1beta1"}"#;
        assert_eq!(secrets(late), [("n".into(), "a".into(), 0, false)]);
    }
}
