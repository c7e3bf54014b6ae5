//! The grammar of the annotations on a Stash target: the blueprint list, the schedule override,
//! the task params, and a workload's paths and volume mounts. Each reader reports what it cannot use and returns what it can.

use std::collections::HashSet;
use std::fmt;

use super::targets::{self, Annotation, Target};
use super::{
    BLUEPRINT_ANNOTATION, PARAM_PREFIX, SCHEDULE_ANNOTATION, TARGET_PATHS_ANNOTATION,
    VOLUME_MOUNTS_ANNOTATION,
};
use crate::engine::finding::Finding;
use crate::engine::reconcile::Proposals;
use crate::families::common::checks;
use crate::krm::results::Severity;

pub use crate::krm::results::annotation_field as field;

/// The blueprint list of the annotation; `None` (with an error) when it names none.
pub fn blueprint_names(target: &Target, out: &mut Proposals<'_, '_>) -> Option<Vec<String>> {
    let annotation = target.annotation(BLUEPRINT_ANNOTATION)?;
    let mut names: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    let mut empty = false;
    for part in annotation.value.split(',') {
        let name = part.trim();
        if name.is_empty() {
            empty = true;
        } else if !seen.insert(name) {
            let twice = AnnotationFinding::BlueprintListedTwice {
                name: name.to_owned(),
            };
            out.found(annotation.object, twice).field = Some(field(BLUEPRINT_ANNOTATION));
        } else {
            names.push(name.to_owned());
        }
    }
    if names.is_empty() {
        out.found(annotation.object, AnnotationFinding::NoBlueprintListed)
            .field = Some(field(BLUEPRINT_ANNOTATION));
        return None;
    }
    if empty {
        out.found(annotation.object, AnnotationFinding::EmptyBlueprintEntry)
            .field = Some(field(BLUEPRINT_ANNOTATION));
    }
    Some(names)
}

/// The schedule annotation, when it is set and not empty.
pub fn schedule_override(target: &Target, out: &mut Proposals<'_, '_>) -> Option<Annotation> {
    let annotation = target.annotation(SCHEDULE_ANNOTATION)?;
    if annotation.value.trim().is_empty() {
        out.found(annotation.object, AnnotationFinding::EmptySchedule)
            .field = Some(field(SCHEDULE_ANNOTATION));
        return None;
    }
    Some(annotation.clone())
}

/// A task param given by a `params.stash.appscode.com/<name>` annotation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Param {
    pub name: String,
    pub value: String,
}

/// `params.stash.appscode.com/<name>` annotations, sorted by name.
pub fn params(target: &Target, out: &mut Proposals<'_, '_>) -> Vec<Param> {
    let mut params = Vec::new();
    for (key, annotation) in &target.annotations {
        let Some(name) = key.strip_prefix(PARAM_PREFIX) else {
            continue;
        };
        if name.is_empty() {
            let empty = AnnotationFinding::EmptyParamName { key: key.clone() };
            out.found(annotation.object, empty).field = Some(field(key));
            continue;
        }
        params.push(Param {
            name: name.to_owned(),
            value: annotation.value.clone(),
        });
    }
    params.sort();
    params
}

/// A volume the backup sidecar mounts: `name:mountPath` or `name:mountPath:subPath`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeMount {
    pub name: String,
    pub mount_path: String,
    pub sub_path: Option<String>,
}

/// What a workload target backs up: the paths, and the volumes that hold them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    pub paths: Vec<String>,
    pub mounts: Vec<VolumeMount>,
}

/// A workload carrying the paths or the volume mounts but no blueprint annotation: reported
/// with what it lacks (nothing is generated for it).
pub fn workload_without_blueprint(
    target: &Target,
    kind: &'static str,
    out: &mut Proposals<'_, '_>,
) {
    let keys = [
        BLUEPRINT_ANNOTATION,
        TARGET_PATHS_ANNOTATION,
        VOLUME_MOUNTS_ANNOTATION,
    ];
    let missing: Vec<&'static str> = keys
        .into_iter()
        .filter(|key| target.annotation(key).is_none())
        .collect();
    if missing.len() == keys.len() {
        checks::orphaned(target, BLUEPRINT_ANNOTATION, super::KEYS, out);
        return;
    }
    let field = Some(field(missing[0]));
    let missing = AnnotationFinding::WorkloadAnnotationsMissing { kind, missing };
    out.found(targets::annotated(target), missing).field = field;
}

/// The workload annotations of `target` (a workload): `None`, with a result saying why, when
/// nothing can be generated for it. The operator backs a workload up only when it carries all
/// three annotations; items are split on `,` (and a mount on `:`) and kept as written, as the
/// operator does not trim them.
pub fn workload(
    target: &Target,
    kind: &'static str,
    volumes: Option<&[String]>,
    out: &mut Proposals<'_, '_>,
) -> Option<Workload> {
    let missing: Vec<&'static str> = [TARGET_PATHS_ANNOTATION, VOLUME_MOUNTS_ANNOTATION]
        .into_iter()
        .filter(|key| target.annotation(key).is_none())
        .collect();
    if let Some(first) = missing.first() {
        let field = Some(field(first));
        let missing = AnnotationFinding::WorkloadAnnotationsMissing { kind, missing };
        out.found(targets::annotated(target), missing).field = field;
        return None;
    }
    let paths = paths(target, out)?;
    let mounts = mounts(target, kind, volumes, out)?;
    Some(Workload { paths, mounts })
}

/// The paths of the target-paths annotation, split on `,` and kept as written.
fn paths(target: &Target, out: &mut Proposals<'_, '_>) -> Option<Vec<String>> {
    let paths_annotation = target.annotation(TARGET_PATHS_ANNOTATION)?;
    let mut paths = Vec::new();
    let mut empty = false;
    for path in paths_annotation.value.split(',') {
        if path.is_empty() {
            empty = true;
        } else {
            paths.push(path.to_owned());
        }
    }
    let object = paths_annotation.object;
    if paths.is_empty() {
        out.found(object, AnnotationFinding::NoPaths).field = Some(field(TARGET_PATHS_ANNOTATION));
        return None;
    }
    if empty {
        out.found(object, AnnotationFinding::EmptyPath).field =
            Some(field(TARGET_PATHS_ANNOTATION));
    }
    Some(paths)
}

/// The volume mounts of the volume-mounts annotation, each checked against the `volumes` the
/// workload's pod template declares (when the input shows them).
fn mounts(
    target: &Target,
    kind: &'static str,
    volumes: Option<&[String]>,
    out: &mut Proposals<'_, '_>,
) -> Option<Vec<VolumeMount>> {
    let mounts_annotation = target.annotation(VOLUME_MOUNTS_ANNOTATION)?;
    let object = mounts_annotation.object;
    let mut mounts = Vec::new();
    let mut bad = false;
    for item in mounts_annotation.value.split(',') {
        let parts: Vec<&str> = item.split(':').collect();
        let mount = match parts[..] {
            [name, path] => Some((name, path, None)),
            [name, path, sub] => Some((name, path, Some(sub))),
            _ => None,
        };
        match mount {
            Some((name, path, sub)) if !name.is_empty() && !path.is_empty() => {
                mounts.push(VolumeMount {
                    name: name.to_owned(),
                    mount_path: path.to_owned(),
                    sub_path: sub.map(str::to_owned),
                });
            }
            _ => {
                bad = true;
                let item = item.to_owned();
                out.found(object, AnnotationFinding::BadVolumeMount { item })
                    .field = Some(field(VOLUME_MOUNTS_ANNOTATION));
            }
        }
    }
    if bad {
        return None;
    }
    for mount in &mounts {
        let Some(volumes) = volumes.filter(|v| !v.contains(&mount.name)) else {
            continue;
        };
        let unknown = AnnotationFinding::UnknownVolume {
            name: mount.name.clone(),
            kind,
            declared: volumes.to_vec(),
        };
        out.found(object, unknown).field = Some(field(VOLUME_MOUNTS_ANNOTATION));
    }
    Some(mounts)
}

/// What reading a Stash target's annotations finds.
#[derive(Debug)]
pub enum AnnotationFinding {
    BlueprintListedTwice {
        name: String,
    },
    NoBlueprintListed,
    EmptyBlueprintEntry,
    EmptySchedule,
    EmptyParamName {
        key: String,
    },
    /// A workload with one or two of the three annotations it needs.
    WorkloadAnnotationsMissing {
        kind: &'static str,
        missing: Vec<&'static str>,
    },
    NoPaths,
    EmptyPath,
    BadVolumeMount {
        item: String,
    },
    UnknownVolume {
        name: String,
        kind: &'static str,
        declared: Vec<String>,
    },
}

impl fmt::Display for AnnotationFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use AnnotationFinding::*;
        match self {
            BlueprintListedTwice { name } => {
                write!(f, "blueprint `{name}` is listed twice; it is used once")
            }
            NoBlueprintListed => write!(
                f,
                "{BLUEPRINT_ANNOTATION} names no blueprint: give one or more BackupBlueprint \
                 names separated by commas, or remove the annotation"
            ),
            EmptyBlueprintEntry => {
                write!(
                    f,
                    "{BLUEPRINT_ANNOTATION} has an empty entry; it is ignored"
                )
            }
            EmptySchedule => write!(
                f,
                "{SCHEDULE_ANNOTATION} is empty; the blueprint's schedule is used"
            ),
            EmptyParamName { key } => write!(
                f,
                "{key} has no parameter name after the prefix; it is ignored"
            ),
            WorkloadAnnotationsMissing { kind, missing } => write!(
                f,
                "a {kind} is backed up only with all three of {BLUEPRINT_ANNOTATION}, \
                 {TARGET_PATHS_ANNOTATION} and {VOLUME_MOUNTS_ANNOTATION}; add {}: nothing is \
                 generated for it until then",
                missing.join(" and ")
            ),
            NoPaths => write!(
                f,
                "{TARGET_PATHS_ANNOTATION} names no path: give the paths to back up, separated \
                 by commas (/data,/config)"
            ),
            EmptyPath => write!(
                f,
                "{TARGET_PATHS_ANNOTATION} has an empty entry; it is ignored"
            ),
            BadVolumeMount { item } => write!(
                f,
                "{VOLUME_MOUNTS_ANNOTATION} item {item:?} is not `volName:mountPath` or \
                 `volName:mountPath:subPath`; separate items with commas"
            ),
            UnknownVolume {
                name,
                kind,
                declared,
            } => {
                let declared = if declared.is_empty() {
                    "declares none".to_owned()
                } else {
                    format!("declares {}", declared.join(", "))
                };
                write!(
                    f,
                    "volume `{name}` is not a volume of this {kind}'s pod template (it \
                     {declared}): the backup cannot mount it; fix {VOLUME_MOUNTS_ANNOTATION}"
                )
            }
        }
    }
}

impl Finding for AnnotationFinding {
    fn severity(&self) -> Severity {
        use AnnotationFinding::*;
        match self {
            NoBlueprintListed | NoPaths | BadVolumeMount { .. } => Severity::Error,
            _ => Severity::Warning,
        }
    }

    fn tag(&self) -> &'static str {
        use AnnotationFinding::*;
        match self {
            BlueprintListedTwice { .. } => "blueprint-listed-twice",
            NoBlueprintListed => "no-blueprint-listed",
            EmptyBlueprintEntry => "empty-blueprint-entry",
            EmptySchedule => "empty-schedule",
            EmptyParamName { .. } => "empty-param-name",
            WorkloadAnnotationsMissing { .. } => "workload-annotations-missing",
            NoPaths => "no-paths",
            EmptyPath => "empty-path",
            BadVolumeMount { .. } => "bad-volume-mount",
            UnknownVolume { .. } => "unknown-volume",
        }
    }
}
