//! The KRM `ResourceList` framing: where the items are, and how the output differs from the input.
//!
//! The output is the input with three kinds of edits: earlier generated objects leave their place,
//! generated objects are appended to `items` (in the sequence's own style, block or flow), and
//! `results` is set. Everything else is copied byte for byte.

use std::collections::BTreeSet;
use std::ops::Range;

use super::changes::{Appended, Changes};
use super::read::{DocumentRoot, Items, ItemsValue, Read, Root};
use super::results::KrmResult;
use crate::error::InputError;
use crate::yaml::emit::{self, Layout, Style};
use crate::yaml::splice::{self, Edit, Piece, Pieces};

pub const KIND: &str = "ResourceList";
const API_VERSIONS: [&str; 2] = ["config.kubernetes.io/v1", "config.kubernetes.io/v1alpha1"];

pub fn is_resource_list(root: &Root<'_>) -> bool {
    root.object
        .fields()
        .is_some_and(|f| f.kind.text() == Some(KIND))
}

/// Where a ResourceList's items are, and how new items are written.
#[derive(Debug)]
pub struct Frame<'r, 'a> {
    pub items: &'r Items<'a>,
    /// For a block sequence, each item's lines.
    regions: Vec<Range<usize>>,
    pub layout: Layout,
}

/// How a result names an item that is not an object.
pub fn describe(index: usize) -> String {
    format!("items[{index}]")
}

/// Checks that `root` is a ResourceList the function can answer, and finds its items.
pub fn frame<'r, 'a>(
    src: &str,
    read: &'r Read<'a>,
    root: &'r Root<'a>,
) -> Result<Frame<'r, 'a>, InputError> {
    let mut documents = read
        .documents
        .iter()
        .filter(|d| !matches!(d.root, DocumentRoot::Empty));
    if let Some(extra) = documents.nth(1) {
        let line = src[..extra.start.min(src.len())].matches('\n').count() + 1;
        return Err(InputError::TrailingDocument { line });
    }
    let api_version = root
        .object
        .fields()
        .and_then(|f| f.api_version.text())
        .unwrap_or_default();
    if !API_VERSIONS.contains(&api_version) {
        return Err(InputError::ApiVersion(api_version.to_owned()));
    }
    let items = match &root.items {
        Some(ItemsValue::Seq(items)) => items,
        Some(ItemsValue::Null) => return Err(InputError::ItemsNull),
        Some(ItemsValue::Other) => return Err(InputError::ItemsNotSequence),
        None => return Err(InputError::ItemsMissing),
    };
    let eol = splice::line_ending(src);
    let regions = if items.flow {
        Vec::new()
    } else {
        block_regions(src, items)
    };
    let style = match regions.first() {
        // New entries line up with the first entry's `-`.
        Some(first) => Style::BlockItem(splice::column(
            src,
            splice::entry_dash(src, first.start, items.objects[0].start).unwrap_or(first.start),
        )),
        None => Style::Json,
    };
    Ok(Frame {
        items,
        regions,
        layout: Layout { style, eol },
    })
}

/// The output: the input with `changes` applied to the items and `results` set.
pub fn apply(
    src: &str,
    frame: &Frame<'_, '_>,
    root: &Root<'_>,
    changes: Changes,
    results: &[KrmResult],
) -> Pieces {
    let Changes { remove, append } = changes;
    let remove = &remove;
    let eol = frame.layout.eol;
    let mut edits = if frame.items.flow {
        flow_item_edits(src, frame.items, remove, append)
    } else {
        block_item_edits(
            src,
            frame.items.key_end,
            &frame.regions,
            remove,
            append,
            eol,
        )
    };
    edits.push(results_edit(src, root, results, eol));
    splice::apply(src, edits)
}

/// Byte ranges of the items of a block sequence: from the line of the entry's `-` to the end of
/// the line holding its last content.
fn block_regions(src: &str, items: &Items<'_>) -> Vec<Range<usize>> {
    let mut gap_start = items.key_end;
    items
        .objects
        .iter()
        .map(|o| {
            let dash = splice::entry_dash(src, gap_start, o.start).unwrap_or(o.start);
            gap_start = o.end;
            splice::lines_of(src, dash, o.end)
        })
        .collect()
}

fn block_item_edits(
    src: &str,
    items_key_end: usize,
    regions: &[Range<usize>],
    remove: &BTreeSet<usize>,
    append: Vec<Appended>,
    eol: &str,
) -> Vec<Edit> {
    let mut edits: Vec<Edit> = remove
        .iter()
        .map(|i| Edit {
            range: regions[*i].clone(),
            with: Vec::new(),
        })
        .collect();
    let Some(last) = regions.last() else {
        return edits;
    };
    if append.is_empty() {
        if remove.len() == regions.len() {
            // Every item leaves: `items:` must not be left null.
            let colon = src[items_key_end..]
                .find(':')
                .map_or(items_key_end, |i| items_key_end + i + 1);
            edits.push(Edit {
                range: colon..colon,
                with: vec![Piece::Text(" []".into())],
            });
        }
        return edits;
    }
    let at = last.end;
    let mut with = Vec::new();
    if at == src.len() && !src.ends_with('\n') {
        with.push(Piece::Text(eol.to_owned()));
    }
    for appended in append {
        match appended {
            Appended::Written(text) => with.push(Piece::Text(text)),
            Appended::Kept(i) => {
                let region = regions[i].clone();
                let ends_line = src[..region.end].ends_with('\n');
                with.push(Piece::Input(region));
                if !ends_line {
                    with.push(Piece::Text(eol.to_owned()));
                }
            }
        }
    }
    edits.push(Edit {
        range: at..at,
        with,
    });
    edits
}

/// A flow sequence (JSON) is rebuilt from the kept items' own bytes, their original
/// separators, and the appended items.
fn flow_item_edits(
    src: &str,
    items: &Items<'_>,
    remove: &BTreeSet<usize>,
    append: Vec<Appended>,
) -> Vec<Edit> {
    if remove.is_empty() && append.is_empty() {
        return Vec::new();
    }
    let objects = &items.objects;
    // An entry ends after a dangling `:`, but never after the next entry starts.
    let end = |i: usize| {
        let next = objects.get(i + 1).map_or(items.close, |o| o.start);
        splice::flow_entry_end(src, objects[i].end)
            .min(next)
            .max(objects[i].start)
    };
    let inner_start = items.open + 1;
    let mut with = Vec::new();
    let first_start = objects.first().map_or(items.close, |o| o.start);
    with.push(Piece::Input(inner_start..first_start));
    let separator = |i: usize| end(i - 1)..objects[i].start;
    // New entries are separated like the list's own entries (a pretty-printed JSON list stays
    // one entry a line), unless that separator holds a comment, which is not ours to repeat.
    let new_separator = match objects.len() {
        0 | 1 => Piece::Text(", ".into()),
        _ if src[separator(1)].contains('#') => Piece::Text(", ".into()),
        _ => Piece::Input(separator(1)),
    };
    let mut count = 0;
    for (i, object) in objects.iter().enumerate() {
        if remove.contains(&i) {
            continue;
        }
        if count > 0 {
            with.push(Piece::Input(separator(i)));
        }
        with.push(Piece::Input(object.start..end(i)));
        count += 1;
    }
    for appended in append {
        if count > 0 {
            with.push(new_separator.clone());
        }
        match appended {
            Appended::Written(text) => with.push(Piece::Text(text)),
            Appended::Kept(i) => with.push(Piece::Input(objects[i].start..end(i))),
        }
        count += 1;
    }
    let tail_start = objects.len().checked_sub(1).map_or(items.close, end);
    if src[tail_start..].starts_with('#') {
        // A comment right after the last entry must stay apart from what now precedes it.
        with.push(Piece::Text(" ".into()));
    }
    with.push(Piece::Input(tail_start..items.close));
    vec![Edit {
        range: inner_start..items.close,
        with,
    }]
}

/// Sets `results`: replaces the key's value where it is, or adds the key at the end.
fn results_edit(src: &str, root: &Root<'_>, results: &[KrmResult], eol: &str) -> Edit {
    if root.flow {
        let mut text = String::from("\"results\":[");
        for (i, result) in results.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            emit::json(&mut text, &result.to_value());
        }
        text.push(']');
        return match &root.results {
            Some(range) => Edit {
                range: range.clone(),
                with: vec![Piece::Text(text)],
            },
            None => {
                let at = splice::flow_entry_end(src, root.last_entry_end);
                let space = if src[at..].starts_with('#') { " " } else { "" };
                Edit {
                    range: at..at,
                    with: vec![Piece::Text(format!(",{text}{space}"))],
                }
            }
        };
    }
    let column = splice::column(src, root.content_start);
    let mut text = " ".repeat(column);
    text.push_str("results:\n");
    // One result's tree at a time: a run may report on thousands of objects.
    for result in results {
        emit::block_seq_items(&mut text, std::slice::from_ref(&result.to_value()), column);
    }
    let text = splice::with_line_ending(text, eol);
    match &root.results {
        Some(range) => Edit {
            range: splice::line_start(src, range.start)..splice::after_line(src, range.end),
            with: vec![Piece::Text(text)],
        },
        None => {
            let at = splice::after_line(src, root.object.end);
            let mut with = Vec::new();
            if at == src.len() && !src.ends_with('\n') {
                with.push(Piece::Text(eol.to_owned()));
            }
            with.push(Piece::Text(text));
            Edit {
                range: at..at,
                with,
            }
        }
    }
}
