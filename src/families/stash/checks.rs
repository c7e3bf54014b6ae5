//! The Secrets a Repository needs: whether the input holds the storage Secret a blueprint names
//! (or makes it: a SealedSecret, an ExternalSecret, kustomize's secretGenerator), and whether
//! kustomize will rename it after this function, where the Repository would not follow.

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::{EXTERNAL_SECRETS_GROUP, SEALED_SECRETS_GROUP};
use crate::engine::family::{Input, Select};
use crate::engine::finding::{Finding, Info};
use crate::engine::reconcile::Proposals;
use crate::krm::object::{ItemIndex, ObjectFields};
use crate::krm::results::Severity;
use crate::krm::{kpt, kustomize};
use crate::yaml::emit::Value;
use crate::yaml::tree::Tree;

/// A Secret's namespace and name.
type SecretKey = (String, String);

/// How a storage Secret comes to be in the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecretSource {
    /// Under its name: a Secret, or a SealedSecret or ExternalSecret that makes one.
    Named,
    /// A Secret of kustomize's `secretGenerator` that reaches the cluster under another name (a
    /// hash, a prefix or a suffix added), which the Repository's reference does not follow.
    Renamed { object: ItemIndex, how: Renamed },
}

/// The Secrets the input holds or makes, and those already reported.
pub struct Secrets {
    found: HashMap<SecretKey, SecretSource>,
    /// One note per Secret and namespace: it is one fix, however many Repositories use it.
    noted: HashSet<SecretKey>,
}

impl Secrets {
    /// The Secrets of `input`: Secrets, and the Secrets a SealedSecret, an ExternalSecret or a
    /// Kustomization's secretGenerator makes in the cluster.
    /// Secrets without a namespace are where `default` applies them.
    pub fn of(input: &Input<'_, '_>, default: Option<&str>) -> Self {
        let mut found = HashMap::new();
        let sources = named(input, default)
            .chain(generated(input))
            .chain(hashed(input, default));
        for (key, source) in sources {
            // A Secret that keeps its name wins over one kustomize renames.
            let slot = found.entry(key).or_insert(source);
            if source == SecretSource::Named {
                *slot = source;
            }
        }
        Secrets {
            found,
            noted: HashSet::new(),
        }
    }

    /// Reports the storage Secret of `repository` (generated from `blueprint` for the target
    /// annotated at `annotated`) when it will not be in `namespace` under its name.
    pub fn check(
        &mut self,
        out: &mut Proposals<'_, '_>,
        repository: &Value<'_>,
        namespace: &str,
        blueprint: &str,
        annotated: ItemIndex,
    ) {
        let Some(secret) = storage_secret(repository) else {
            return;
        };
        let key = (namespace.to_owned(), secret.clone());
        let source = self.found.get(&key).copied();
        if source == Some(SecretSource::Named) || !self.noted.insert(key) {
            return;
        }
        let (blueprint, namespace) = (blueprint.to_owned(), namespace.to_owned());
        match source {
            Some(SecretSource::Renamed { object, how }) => {
                let field = match how {
                    Renamed::Entry(entry) => format!("secretGenerator[{entry}].name"),
                    Renamed::WillHash | Renamed::Hashed => "metadata.name".to_owned(),
                };
                let renamed = SecretFinding::Renamed {
                    how,
                    secret,
                    blueprint,
                    namespace,
                };
                out.found(object, renamed).field = Some(field);
            }
            _ => {
                let missing = SecretFinding::Missing {
                    secret,
                    blueprint,
                    namespace,
                };
                out.found(annotated, missing);
            }
        }
    }
}

/// Secrets under their own name, SealedSecrets, and the Secrets ExternalSecrets name.
fn named<'i>(
    input: &'i Input<'_, '_>,
    default: Option<&'i str>,
) -> impl Iterator<Item = (SecretKey, SecretSource)> + use<'i> {
    let select = [
        Select::Kind("v1", "Secret"),
        Select::Group(SEALED_SECRETS_GROUP),
        Select::Group(EXTERNAL_SECRETS_GROUP),
    ];
    let tree = input.tree;
    input.select(&select).filter_map(move |(i, fields)| {
        let name = secret_name(tree, fields)?;
        let namespace = applied_namespace(fields, default);
        let source = if kpt::needs_hash_suffix(input.object(i)) {
            SecretSource::Renamed {
                object: i,
                how: Renamed::WillHash,
            }
        } else {
            SecretSource::Named
        };
        Some(((namespace.to_owned(), name.to_owned()), source))
    })
}

/// The name of the Secret an object is or makes: a Secret's or a SealedSecret's own, an
/// ExternalSecret's `spec.target.name` (else its own).
fn secret_name<'f>(tree: &'f Tree<'_>, fields: &'f ObjectFields<'_>) -> Option<&'f str> {
    let own = fields.name.text()?;
    match (fields.group(), fields.kind.text()?) {
        (Some(SEALED_SECRETS_GROUP), "SealedSecret") => Some(own),
        (Some(EXTERNAL_SECRETS_GROUP), "ExternalSecret") => Some(
            fields
                .spec
                .and_then(|s| tree.lookup(s, "target"))
                .and_then(|t| tree.lookup(t, "name"))
                .and_then(|n| tree.scalar(n))
                .filter(|n| !n.is_empty())
                .unwrap_or(own),
        ),
        (Some(""), "Secret") => Some(own),
        _ => None,
    }
}

/// The Secrets a Kustomization's secretGenerator makes.
fn generated<'i>(
    input: &'i Input<'_, '_>,
) -> impl Iterator<Item = (SecretKey, SecretSource)> + use<'i> {
    let kustomizations =
        kustomize::KINDS.map(|(api_version, kind)| Select::Kind(api_version, kind));
    let tree = input.tree;
    input.select(&kustomizations).flat_map(move |(i, fields)| {
        kustomize::generated_secrets(tree, fields)
            .into_iter()
            .map(move |secret| {
                let source = if secret.keeps_name {
                    SecretSource::Named
                } else {
                    SecretSource::Renamed {
                        object: i,
                        how: Renamed::Entry(secret.entry),
                    }
                };
                ((secret.namespace, secret.name), source)
            })
    })
}

/// A Secret named as kustomize names a generated one stands for its plain name too, so that a
/// Repository naming that is told why it is not there.
fn hashed<'i>(
    input: &'i Input<'_, '_>,
    default: Option<&'i str>,
) -> impl Iterator<Item = (SecretKey, SecretSource)> + use<'i> {
    input
        .select(&[Select::Kind("v1", "Secret")])
        .filter_map(move |(i, fields)| {
            let plain = kustomize::unhashed(fields.name.text()?)?;
            let namespace = applied_namespace(fields, default);
            let source = SecretSource::Renamed {
                object: i,
                how: Renamed::Hashed,
            };
            Some(((namespace.to_owned(), plain.to_owned()), source))
        })
}

/// The namespace an object will be applied in: its own, else `default`.
fn applied_namespace<'f>(fields: &'f ObjectFields<'_>, default: Option<&'f str>) -> &'f str {
    let own = fields.namespace.text().filter(|n| !n.is_empty());
    own.or(default).unwrap_or_default()
}

/// `spec.backend.storageSecretName` of a generated Repository.
fn storage_secret(repository: &Value<'_>) -> Option<String> {
    let secret = repository
        .get("spec")?
        .get("backend")?
        .get("storageSecretName")?;
    Some(secret.scalar().unwrap_or_default().into_owned()).filter(|s| !s.is_empty())
}

/// How kustomize's renaming of a generated Secret shows in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renamed {
    /// As kustomize hands it to a transformer: its plain name, marked to get the hash after.
    WillHash,
    /// The Kustomization in the input, whose entry at this place makes it.
    Entry(usize),
    /// After the build (`kustomize build | stash-autobackup -`): the name with the hash.
    Hashed,
}

/// A storage Secret a Repository will not find.
#[derive(Debug)]
pub enum SecretFinding {
    /// One kustomize will rename after this function.
    Renamed {
        how: Renamed,
        secret: String,
        blueprint: String,
        namespace: String,
    },
    /// One the input does not hold.
    Missing {
        secret: String,
        blueprint: String,
        namespace: String,
    },
}

impl fmt::Display for SecretFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretFinding::Renamed {
                how,
                secret,
                blueprint,
                namespace,
            } => {
                renamed(f, *how, secret)?;
                write!(
                    f,
                    "; kustomize does not rename the Repository's spec.backend.storageSecretName \
                     (blueprint `{blueprint}`), so no Secret `{secret}` would reach namespace \
                     {namespace} and backups would fail. Give the secretGenerator entry \
                     options.disableNameSuffixHash: true (and no namePrefix or nameSuffix)"
                )?;
                if *how != Renamed::Hashed {
                    // kustomize renames after the function here, and follows what it is told.
                    f.write_str(
                        ", or add the name references this function ships (the Component \
                         kustomize/ of its repository, README: kustomize)",
                    )?;
                }
                Ok(())
            }
            SecretFinding::Missing {
                secret,
                blueprint,
                namespace,
            } => write!(
                f,
                "Secret `{secret}` (spec.backend.storageSecretName of blueprint `{blueprint}`) is \
                 not in the input's namespace {namespace}; the Repositories there need it at \
                 backup time"
            ),
        }
    }
}

/// How kustomize renames the Secret `secret`.
fn renamed(f: &mut fmt::Formatter<'_>, how: Renamed, secret: &str) -> fmt::Result {
    match how {
        Renamed::WillHash => f.write_str(
            "kustomize's secretGenerator adds a hash to this Secret's name after this function \
             has run",
        ),
        Renamed::Entry(_) => write!(
            f,
            "kustomize will make Secret `{secret}` from this secretGenerator entry under another \
             name (a hash, or the namePrefix or nameSuffix, added)"
        ),
        Renamed::Hashed => write!(
            f,
            "this Secret's name is `{secret}` with the hash kustomize's secretGenerator adds"
        ),
    }
}

impl Finding for SecretFinding {
    fn severity(&self) -> Severity {
        match self {
            SecretFinding::Renamed { .. } => Severity::Warning,
            SecretFinding::Missing { .. } => Severity::Info,
        }
    }

    fn class(&self) -> Option<Info> {
        matches!(self, SecretFinding::Missing { .. }).then_some(Info::MissingSecret)
    }

    fn tag(&self) -> &'static str {
        match self {
            SecretFinding::Renamed { .. } => "renamed-secret",
            SecretFinding::Missing { .. } => "missing-secret",
        }
    }
}
