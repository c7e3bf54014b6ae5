//! Stream mode: a plain YAML stream of Kubernetes objects in, the same objects (minus local
//! configuration) and the generated ones out, for ArgoCD plugins and shell pipelines.

use super::changes::{Appended, Changes};
use super::kpt::is_local_config;
use super::object::{FileRef, Object};
use super::read::{Document, DocumentRoot};
use std::fmt;

use crate::yaml::emit::{Layout, Style};
use crate::yaml::splice::{self, Pieces};

/// Generated objects are documents of their own.
pub const LAYOUT: Layout = Layout {
    style: Style::Document,
    eol: "\n",
};

/// The objects of a stream, each with its document's span.
#[derive(Debug)]
pub struct Frame<'a> {
    pub objects: Vec<Object<'a>>,
    /// Where each object's document starts and ends, for copying it.
    spans: Vec<(usize, usize)>,
    /// Documents that are no Kubernetes object (a Helm `values.yaml` in an app folder): left
    /// out of the output, which `kubectl apply` and ArgoCD would refuse.
    left_out: Vec<bool>,
    /// A warning for each of them.
    pub warnings: Vec<LeftOut>,
    /// Documents that hold the run's options (a `StashAutoBackup` object, a package's
    /// Kptfile): read, never printed, like local configuration.
    options: Vec<bool>,
}

/// A document that is no Kubernetes object, left out of the output.
#[derive(Debug)]
pub struct LeftOut {
    /// The document and its file (`document 3 (app/values.yaml)`).
    pub document: String,
    /// What it is (`is not a mapping`).
    pub what: &'static str,
}

impl fmt::Display for LeftOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}, so it is not a Kubernetes object, which kubectl apply and ArgoCD would \
             refuse: it is left out of the output (keep such files out of the folders given to \
             silence this)",
            self.document, self.what
        )
    }
}

/// A stream whose output would be empty.
#[derive(Debug)]
pub struct NothingToOutput;

impl fmt::Display for NothingToOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "nothing to output: every object is local configuration (or no Kubernetes object) \
             and nothing was generated; refusing to print an empty set",
        )
    }
}

/// How a result names a document that is not an object.
pub fn describe(index: usize) -> String {
    format!("document {}", index + 1)
}

/// The objects of `documents` (empty documents are no objects). `origin` names the file each
/// document came from.
pub fn frame<'a>(
    documents: Vec<Document<'a>>,
    origin: &dyn Fn(usize) -> Option<FileRef>,
) -> Frame<'a> {
    let mut spans = Vec::new();
    let mut objects: Vec<Object<'_>> = Vec::new();
    let mut left_out = Vec::new();
    let mut warnings = Vec::new();
    for document in documents {
        let Document {
            start, end, root, ..
        } = document;
        let mut object = match root {
            DocumentRoot::Empty => continue,
            DocumentRoot::Mapping(root) => root.object,
            DocumentRoot::Other => Object {
                start,
                end,
                ..Object::default()
            },
        };
        let file = origin(start);
        let what = match object.fields() {
            _ if object.is_alias => None,
            None if !object.is_mapping => Some("is not a mapping"),
            Some(f) if f.api_version.text().is_none() || f.kind.text().is_none() => {
                Some("has no apiVersion and kind")
            }
            _ => None,
        };
        if let Some(what) = what {
            let mut name = describe(objects.len());
            if let Some(file) = &file {
                name.push_str(&format!(" ({})", file.path));
            }
            warnings.push(LeftOut {
                document: name,
                what,
            });
        }
        left_out.push(what.is_some());
        // Only objects the function reads can be the subject of a result.
        if let Some(fields) = object.fields.as_mut() {
            fields.file = file.map(Box::new);
        }
        objects.push(object);
        spans.push((start, end));
    }
    let options = vec![false; objects.len()];
    Frame {
        objects,
        spans,
        left_out,
        warnings,
        options,
    }
}

impl Frame<'_> {
    /// Takes the object at `index` out of the output: it holds the run's options.
    pub fn take_options(&mut self, index: usize) {
        self.options[index] = true;
    }

    /// Whether the item at `index` goes to the output as it is (not local configuration, not
    /// the options, not left out).
    fn copied(&self, index: usize) -> bool {
        !self.left_out[index] && !self.options[index] && !is_local_config(&self.objects[index])
    }
}

/// Empty output with success would tell ArgoCD (with prune) that the app has no objects: an
/// error instead, unless the run has one already (`has_errors`).
pub fn refuse_empty(
    frame: &Frame<'_>,
    changes: &Changes,
    has_errors: bool,
) -> Option<NothingToOutput> {
    let empty = changes.append.is_empty()
        && (0..frame.objects.len()).all(|i| !frame.copied(i) || changes.remove.contains(&i));
    (empty && !has_errors).then_some(NothingToOutput)
}

/// The output: the kept documents, then the generated objects, separated by `---`.
pub fn apply(src: &str, frame: &Frame<'_>, changes: Changes) -> Pieces {
    let Changes { remove, append } = changes;
    let remove = &remove;
    let region = |(start, end): (usize, usize)| splice::lines_of(src, start, end);
    let mut pieces = Pieces::default();
    let mut first = true;
    let mut separate = |pieces: &mut Pieces| {
        if !first {
            pieces.text("---\n".into());
        }
        first = false;
    };
    let copy = |pieces: &mut Pieces, span: (usize, usize)| {
        let r = region(span);
        let ends_line = src[..r.end].ends_with('\n');
        pieces.input(r);
        if !ends_line {
            pieces.text("\n".into());
        }
    };
    for (i, span) in frame.spans.iter().enumerate() {
        if !frame.copied(i) || remove.contains(&i) {
            continue;
        }
        separate(&mut pieces);
        copy(&mut pieces, *span);
    }
    for appended in append {
        separate(&mut pieces);
        match appended {
            Appended::Written(text) => pieces.text(text),
            Appended::Kept(i) => copy(&mut pieces, frame.spans[i]),
        }
    }
    pieces
}
