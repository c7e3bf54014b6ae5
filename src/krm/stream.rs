//! Stream mode: a plain YAML stream of Kubernetes objects in, the same objects (minus local
//! configuration) and the generated ones out, for ArgoCD plugins and shell pipelines.

use crate::engine::config::Config;
use crate::families::stash::generate::{self, Emit, Mode};
use crate::krm::read::yaml::{Document, DocumentRoot, Object, Scanned};
use crate::krm::results::KrmResult;
use crate::yaml::emit::{Layout, Style};
use crate::yaml::splice::{self, Pieces};

/// Marked `config.kubernetes.io/local-config: "true"`: read, but not part of the output.
pub fn is_local_config(object: &Object<'_>) -> bool {
    object.annotations.get(LOCAL_CONFIG).and_then(|f| f.text()) == Some("true")
}

pub const LOCAL_CONFIG: &str = "config.kubernetes.io/local-config";

/// The output of a run in stream mode.
#[derive(Debug)]
pub struct Rendered {
    pub pieces: Pieces,
    pub results: Vec<KrmResult>,
}

/// Runs the function on the documents of `src`. `origin` names the file each document came from.
pub fn render(
    src: &str,
    scanned: Scanned<'_>,
    config: &Config,
    config_problems: Vec<KrmResult>,
    origin: &dyn Fn(usize) -> Option<crate::krm::results::FileRef>,
) -> Rendered {
    let Scanned { tree, documents } = scanned;
    // (start, end) of each object's document, for copying it.
    let mut spans = Vec::new();
    let mut objects: Vec<Object<'_>> = Vec::new();
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
        // Only objects the function reads can be the subject of a result.
        if let Some(meta) = object.meta.as_mut() {
            meta.file = origin(start).map(Box::new);
        }
        objects.push(object);
        spans.push((start, end));
    }
    let layout = Layout {
        style: Style::Document,
        eol: "\n",
    };
    let mut plan = generate::plan(
        &tree,
        &objects,
        config,
        config_problems,
        Mode::Stream,
        layout,
    );

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
    for (i, (span, object)) in spans.iter().zip(&objects).enumerate() {
        if is_local_config(object) || plan.remove.contains(&i) {
            continue;
        }
        separate(&mut pieces);
        copy(&mut pieces, *span);
    }
    for emit in std::mem::take(&mut plan.append) {
        separate(&mut pieces);
        match emit {
            Emit::New(text) => pieces.text(text),
            Emit::Keep(i) => copy(&mut pieces, spans[i]),
        }
    }
    Rendered {
        pieces,
        results: plan.results,
    }
}
