//! A cursor over the YAML parser's events that keeps byte positions, and captures the subtrees a
//! reader asks for into a [`Tree`].
//!
//! Nothing here knows Kubernetes: the object readers in `krm::read` drive the cursor, deciding
//! which values to capture and which to pass over. Passing over a node builds nothing, except
//! anchored nodes inside it, which an alias elsewhere may name.

use std::borrow::Cow;
use std::ops::Range;

use granit_parser::{Event, Marker, Parser, ScanError, Span, StrInput};

use super::tree::{Mapping, Node, NodeId, TagText, Tree};
use super::{Field, is_merge_key, is_null_scalar, tag_parts};

/// Parser options: anchors are reported (aliases must resolve), comments are not needed.
fn parser(src: &str) -> Parser<'_, StrInput<'_>> {
    Parser::new_from_str_with_options(
        src,
        granit_parser::options! { emit_anchor_events: true, emit_comments: false },
    )
}

/// Captures the whole first document of `src` (a small file such as a `--config`).
pub fn capture_first(src: &str) -> Result<(Tree<'_>, Option<NodeId>), ScanError> {
    let mut walker = Walker::new(src);
    loop {
        let (event, span) = walker.next_event()?;
        match event {
            Event::StreamStart | Event::DocumentStart(..) => {}
            Event::StreamEnd => return Ok((walker.tree, None)),
            _ => {
                let root = walker.capture(event, span)?;
                return Ok((walker.tree, Some(root)));
            }
        }
    }
}

/// The byte range of a span (empty at the start for a span without one).
pub fn range(span: &Span) -> Range<usize> {
    span.byte_range().unwrap_or(0..0)
}

/// The error for an event a reader did not expect where it stands.
pub fn unexpected(span: &Span, wanted: &str) -> ScanError {
    ScanError::new(
        span.start,
        format!("unexpected YAML event, expected {wanted}"),
    )
}

/// The cursor: the parser, one event of lookahead, the captured tree, and where content ends.
pub struct Walker<'a> {
    parser: Parser<'a, StrInput<'a>>,
    peeked: Option<(Event<'a>, Span)>,
    pub tree: Tree<'a>,
    /// The largest end of any content seen so far: at the end of a node, the end of that node.
    pub content_end: usize,
    last: Marker,
    src: &'a str,
}

impl<'a> Walker<'a> {
    pub fn new(src: &'a str) -> Self {
        Walker {
            parser: parser(src),
            peeked: None,
            tree: Tree::default(),
            content_end: 0,
            last: Marker::new(0, 1, 0),
            src,
        }
    }

    pub fn next_event(&mut self) -> Result<(Event<'a>, Span), ScanError> {
        let next = match self.peeked.take() {
            Some(next) => Ok(next),
            None => match self.parser.next() {
                Some(next) => next,
                None => Err(ScanError::new(self.last, "unexpected end of the input")),
            },
        }?;
        let (event, span) = &next;
        self.last = span.end;
        // Block collections end with an empty span at the next token; counting it would move the
        // end of a node onto the line of whatever follows it.
        if let Some(r) = span.byte_range().filter(|r| {
            !r.is_empty()
                && !matches!(
                    event,
                    Event::DocumentStart(..) | Event::DocumentEnd | Event::StreamEnd
                )
        }) {
            self.content_end = self.content_end.max(r.end);
        }
        // An empty scalar has no text, but the indicator that makes it (`key:`, a lone `:`, an
        // empty `- `) is content, or a node could end before the line holding it. An empty
        // scalar can also sit at the next token (`}`, the next line): that one is not.
        if let (Event::Scalar(..), Some(r)) = (event, span.byte_range())
            && r.is_empty()
        {
            let p = r.start;
            let before = &self.src[crate::yaml::splice::line_start(self.src, p)..p];
            if self.src.as_bytes().get(p) == Some(&b':') {
                self.content_end = self.content_end.max(p + 1);
            } else if before.contains(['-', '?', ':'])
                && before
                    .chars()
                    .all(|c| matches!(c, '-' | '?' | ':') || c.is_whitespace())
            {
                self.content_end = self.content_end.max(p);
            }
        }
        // A tag is content too, even on an empty scalar whose own span is empty.
        if let Some(tag) = span.tag_span().and_then(|t| t.byte_range()) {
            self.content_end = self.content_end.max(tag.end);
        }
        Ok(next)
    }

    pub fn peek_is_anchor(&mut self) -> Result<bool, ScanError> {
        if self.peeked.is_none() {
            self.peeked = match self.parser.next() {
                Some(next) => Some(next?),
                None => return Ok(false),
            };
        }
        Ok(matches!(self.peeked, Some((Event::Anchor(..), _))))
    }

    /// Where a node's text starts: its tag or anchor may come before the node's own span.
    /// Consumes the anchor event that follows an anchored node.
    pub fn node_start(&mut self, event: &Event<'a>, span: &Span) -> Result<usize, ScanError> {
        let mut start = range(span).start;
        if let Some(tag) = span.tag_span() {
            start = start.min(range(&tag).start);
        }
        let anchored = matches!(
            event,
            Event::Scalar(_, _, a, _) | Event::SequenceStart(_, a, _) | Event::MappingStart(_, a, _)
                if *a != 0
        );
        if anchored && self.peek_is_anchor()? {
            let (_, anchor_span) = self.next_event()?;
            start = start.min(range(&anchor_span).start);
        }
        Ok(start)
    }

    /// Builds the tree of the node that starts with `event`.
    pub fn capture(&mut self, event: Event<'a>, span: Span) -> Result<NodeId, ScanError> {
        self.node_start(&event, &span)?;
        let id = match event {
            Event::Scalar(value, style, anchor, tag) => {
                let id = self.tree.push(Node::Scalar {
                    value,
                    style,
                    tag: tag.as_ref().map(|t| Box::new(TagText::of(t))),
                });
                self.anchor(anchor, id);
                id
            }
            Event::SequenceStart(_, anchor, _) => {
                let id = self.tree.push(Node::Seq { items: Vec::new() });
                self.anchor(anchor, id);
                let mut items = Vec::new();
                loop {
                    let (event, span) = self.next_event()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.capture(event, span)?);
                }
                if let Node::Seq { items: slot } = self.tree.get_mut(id) {
                    *slot = items;
                }
                id
            }
            Event::MappingStart(_, anchor, _) => {
                let id = self.tree.push(Node::Map {
                    entries: Vec::new(),
                });
                self.anchor(anchor, id);
                let mut entries = Mapping::default();
                loop {
                    let (event, span) = self.next_event()?;
                    if matches!(event, Event::MappingEnd) {
                        break;
                    }
                    let key = self.capture(event, span)?;
                    let (event, span) = self.next_event()?;
                    let value = self.capture(event, span)?;
                    entries.add(&self.tree, key, value);
                }
                if let Node::Map { entries: slot } = self.tree.get_mut(id) {
                    *slot = entries.into_entries();
                }
                id
            }
            Event::Alias(anchor) => self.tree.push(Node::Alias { anchor }),
            _ => return Err(unexpected(&span, "a YAML node")),
        };
        Ok(id)
    }

    /// Captures only the entries `keys` of a mapping (the rest is skipped): a mapping node
    /// holding those, or `None` when the node is not a mapping.
    pub fn capture_fields(
        &mut self,
        event: Event<'a>,
        span: Span,
        keys: &[&str],
    ) -> Result<Option<NodeId>, ScanError> {
        let Event::MappingStart(_, 0, _) = event else {
            // An anchored mapping may be aliased elsewhere: keep it whole.
            let whole = matches!(event, Event::MappingStart(..));
            let id = if whole {
                Some(self.capture(event, span)?)
            } else {
                self.skip(event, span)?;
                None
            };
            return Ok(id);
        };
        let mut entries = Mapping::default();
        loop {
            let (event, span) = self.next_event()?;
            match event {
                Event::MappingEnd => break,
                Event::Scalar(ref key, style, _, ref tag)
                    if keys.contains(&&**key)
                        || is_merge_key(key, style, tag.as_deref().map(tag_parts)) =>
                {
                    let key = self.capture(event, span)?;
                    let (event, span) = self.next_event()?;
                    let value = self.capture(event, span)?;
                    entries.add(&self.tree, key, value);
                }
                other => {
                    self.skip(other, span)?;
                    self.skip_value()?;
                }
            }
        }
        let mut entries = entries.into_entries();
        entries.retain(|(k, _)| self.tree.scalar(*k).is_some_and(|k| keys.contains(&k)));
        Ok(Some(self.tree.push(Node::Map { entries })))
    }

    fn anchor(&mut self, anchor: usize, id: NodeId) {
        if anchor != 0 {
            self.tree.set_anchor(anchor, id);
        }
    }

    /// Passes over the node that starts with `event` without building it, except for anchored
    /// nodes inside: a captured subtree elsewhere may refer to them.
    pub fn skip(&mut self, event: Event<'a>, span: Span) -> Result<(), ScanError> {
        let anchored = matches!(
            event,
            Event::Scalar(_, _, a, _) | Event::SequenceStart(_, a, _) | Event::MappingStart(_, a, _)
                if a != 0
        );
        if anchored {
            // `capture` consumes the anchor event itself.
            self.capture(event, span)?;
            return Ok(());
        }
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let mut depth = 1usize;
                while depth > 0 {
                    let (event, span) = self.next_event()?;
                    match event {
                        Event::SequenceEnd | Event::MappingEnd => depth -= 1,
                        Event::SequenceStart(_, a, _) | Event::MappingStart(_, a, _) if a != 0 => {
                            self.capture(event, span)?;
                        }
                        Event::SequenceStart(..) | Event::MappingStart(..) => depth += 1,
                        Event::Scalar(_, _, a, _) if a != 0 => {
                            self.capture(event, span)?;
                        }
                        _ => {}
                    }
                }
                Ok(())
            }
            Event::Scalar(..) | Event::Alias(_) => Ok(()),
            _ => Err(unexpected(&span, "a YAML node")),
        }
    }

    /// Reads the value node of a scalar field.
    pub fn scalar_field(&mut self, null_is_empty: bool) -> Result<Field<'a>, ScanError> {
        let (event, span) = self.next_event()?;
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let is_null = is_null_scalar(&value, style, tag.as_deref().map(tag_parts));
                if anchor != 0 {
                    self.capture(Event::Scalar(value.clone(), style, anchor, tag), span)?;
                }
                Ok(match (is_null, null_is_empty) {
                    (true, true) => Field::Text(Cow::Borrowed("")),
                    (true, false) => Field::Absent,
                    _ => Field::Text(value),
                })
            }
            Event::Alias(anchor) => Ok(match self.tree.anchor(anchor) {
                Some(id) => self.tree.field(id, null_is_empty),
                None => Field::NotText,
            }),
            other => {
                self.skip(other, span)?;
                Ok(Field::NotText)
            }
        }
    }

    /// Passes over the next node.
    pub fn skip_value(&mut self) -> Result<(), ScanError> {
        let (event, span) = self.next_event()?;
        self.skip(event, span)
    }
}
