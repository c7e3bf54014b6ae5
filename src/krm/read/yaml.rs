//! Reading YAML: one pass over the parser's events, keeping byte positions and only the values an
//! [`Interest`] asks for.
//!
//! Every input item must leave exactly as it came, so nothing here is ever written back: the
//! reader records where each document, item and interesting key lies in the input, and captures
//! into a [`Tree`] just the subtrees the function reads. Everything else is passed over without
//! building values, which keeps the cost of a run close to the cost of parsing.

use std::borrow::Cow;

use granit_parser::{Event, ScanError, Span, StructureStyle};

use super::{
    Concerns, Document, DocumentRoot, Interest, Items, ItemsValue, MetaKey, ObjectBuilder, Read,
    Root, Spec, TopKey,
};
use crate::krm::object::Object;
use crate::yaml::events::{Walker, range, unexpected};
use crate::yaml::tree::{NodeId, Tree};
use crate::yaml::{is_merge_key, is_null_scalar, tag_parts};

/// Parses `src` once and returns what `interest` asks of it.
pub fn read<'a>(src: &'a str, interest: &Interest) -> Result<Read<'a>, ScanError> {
    let mut reader = Reader {
        walker: Walker::new(src),
        interest,
        concerns: Concerns::default(),
    };
    let mut documents = Vec::new();
    loop {
        let (event, span) = reader.walker.next_event()?;
        match event {
            Event::StreamStart => {}
            Event::StreamEnd => break,
            Event::DocumentStart(explicit, _) => {
                let walker = &mut reader.walker;
                let marker = explicit.then(|| range(&span));
                walker.content_end = marker.as_ref().map_or(walker.content_end, |m| m.end);
                let (event, span) = walker.next_event()?;
                let start = walker.node_start(&event, &span)?;
                let root = match event {
                    Event::MappingStart(style, _, _) => {
                        let mut root = reader.object(start, style, true)?;
                        root.content_start = range(&span).start;
                        DocumentRoot::Mapping(Box::new(root))
                    }
                    Event::Scalar(ref v, style, _, ref tag)
                        if is_null_scalar(v, style, tag.as_deref().map(tag_parts)) =>
                    {
                        DocumentRoot::Empty
                    }
                    other => {
                        walker.skip(other, span)?;
                        DocumentRoot::Other
                    }
                };
                let walker = &mut reader.walker;
                let end = walker.content_end;
                match walker.next_event()? {
                    (Event::DocumentEnd, _) => {}
                    (_, span) => return Err(unexpected(&span, "the end of the document")),
                }
                documents.push(Document {
                    marker,
                    start,
                    end,
                    root,
                });
            }
            _ => return Err(unexpected(&span, "a document")),
        }
    }
    Ok(Read {
        tree: reader.walker.tree,
        documents,
    })
}

/// A mapping key: its text, or that it is a merge key (`<<`), or neither (a collection, an
/// alias).
enum Key<'a> {
    Text(Cow<'a, str>),
    Merge,
    Other,
}

struct Reader<'a, 'i> {
    walker: Walker<'a>,
    interest: &'i Interest,
    concerns: Concerns,
}

impl<'a> Reader<'a, '_> {
    /// Reads a mapping key. An anchored key is captured (an alias elsewhere may name it); a key
    /// that is not a scalar is passed over with its value.
    fn key(&mut self, event: Event<'a>, span: Span) -> Result<Key<'a>, ScanError> {
        match event {
            Event::Scalar(ref text, style, anchor, ref tag) => {
                let key = if is_merge_key(text, style, tag.as_deref().map(tag_parts)) {
                    Key::Merge
                } else {
                    Key::Text(text.clone())
                };
                if anchor != 0 {
                    self.walker.capture(event, span)?;
                }
                Ok(key)
            }
            other => {
                self.walker.skip(other, span)?;
                self.walker.skip_value()?;
                Ok(Key::Other)
            }
        }
    }

    /// Captures the next node (an alias only refers to its anchored node, captured before).
    fn capture_value(&mut self) -> Result<NodeId, ScanError> {
        let (event, span) = self.walker.next_event()?;
        self.walker.capture(event, span)
    }

    /// Reads a mapping that is an object (an item, a document root). `root` also looks for the
    /// ResourceList keys.
    fn object(
        &mut self,
        start: usize,
        style: StructureStyle,
        root: bool,
    ) -> Result<Root<'a>, ScanError> {
        let mut out = Root {
            flow: style == StructureStyle::Flow,
            ..Root::default()
        };
        let mut builder = ObjectBuilder::new(self.interest);
        loop {
            let before = self.walker.content_end;
            let (event, span) = self.walker.next_event()?;
            if matches!(event, Event::MappingEnd) {
                out.last_entry_end = before;
                break;
            }
            let key_span = range(&span);
            let key = match self.key(event, span)? {
                Key::Text(key) => key,
                Key::Merge => {
                    let node = self.capture_value()?;
                    if !builder.merge_object(&self.walker.tree, node) {
                        builder.fields().extra_keys = true;
                    }
                    continue;
                }
                Key::Other => {
                    builder.fields().extra_keys = true;
                    continue;
                }
            };
            match &*key {
                "items" if root => out.items = Some(self.items(key_span.end)?),
                "functionConfig" if root => out.function_config = Some(self.capture_value()?),
                "results" if root => {
                    self.walker.skip_value()?;
                    out.results = Some(key_span.start..self.walker.content_end);
                }
                _ => match builder.top_key(&key) {
                    TopKey::ApiVersion => {
                        builder.fields().api_version = self.walker.scalar_field(false)?
                    }
                    TopKey::Kind => builder.fields().kind = self.walker.scalar_field(false)?,
                    TopKey::Metadata => self.metadata(&mut builder)?,
                    TopKey::Spec => {
                        let (event, span) = self.walker.next_event()?;
                        let spec = match &*builder.spec() {
                            Spec::Whole => Some(self.walker.capture(event, span)?),
                            Spec::Fields(keys) => self.walker.capture_fields(event, span, keys)?,
                            Spec::Nothing => {
                                self.walker.skip(event, span)?;
                                None
                            }
                        };
                        builder.fields().spec = spec;
                    }
                    TopKey::Other => match builder.top_field(&key) {
                        Some(key) => {
                            let node = self.capture_value()?;
                            builder.fields().tops.push((key, node));
                        }
                        None => self.walker.skip_value()?,
                    },
                },
            }
        }
        out.object = Object {
            start,
            // A node without content (`?`, an empty value) still ends where it starts.
            end: self.walker.content_end.max(start),
            is_mapping: true,
            is_alias: false,
            fields: builder.finish(root, &mut self.concerns),
        };
        Ok(out)
    }

    /// Starts reading a mapping the builder reads key by key (`metadata`, `annotations`): true
    /// when its entries follow. A null is no mapping at all; an alias, or an anchored mapping
    /// (an alias elsewhere may name it), is read whole through the tree with `merge`; anything
    /// else is `not_map`.
    fn open_mapping<'b>(
        &mut self,
        builder: &mut ObjectBuilder<'b, 'a>,
        merge: fn(&mut ObjectBuilder<'b, 'a>, &Tree<'a>, NodeId) -> bool,
        not_map: fn(&mut ObjectBuilder<'b, 'a>),
    ) -> Result<bool, ScanError> {
        let (event, span) = self.walker.next_event()?;
        match event {
            Event::MappingStart(_, anchor, _) if anchor != 0 => {
                let node = self.walker.capture(event, span)?;
                if !merge(builder, &self.walker.tree, node) {
                    not_map(builder);
                }
                Ok(false)
            }
            Event::MappingStart(..) => {
                self.walker.node_start(&event, &span)?;
                Ok(true)
            }
            Event::Scalar(ref v, style, _, ref tag)
                if is_null_scalar(v, style, tag.as_deref().map(tag_parts)) =>
            {
                self.walker.skip(event, span)?;
                Ok(false)
            }
            Event::Alias(anchor) => {
                let tree = &self.walker.tree;
                match tree.anchor(anchor) {
                    Some(node) if tree.is_null(node) => {}
                    Some(node) if merge(builder, tree, node) => {}
                    _ => not_map(builder),
                }
                Ok(false)
            }
            other => {
                not_map(builder);
                self.walker.skip(other, span)?;
                Ok(false)
            }
        }
    }

    fn metadata(&mut self, builder: &mut ObjectBuilder<'_, 'a>) -> Result<(), ScanError> {
        if !self.open_mapping(
            builder,
            ObjectBuilder::merge_metadata,
            ObjectBuilder::metadata_not_map,
        )? {
            return Ok(());
        }
        loop {
            let (event, span) = self.walker.next_event()?;
            if matches!(event, Event::MappingEnd) {
                break;
            }
            let key = match self.key(event, span)? {
                Key::Text(key) => key,
                Key::Merge => {
                    let node = self.capture_value()?;
                    if !builder.merge_metadata(&self.walker.tree, node) {
                        builder.fields().extra_keys = true;
                    }
                    continue;
                }
                Key::Other => {
                    builder.fields().extra_keys = true;
                    continue;
                }
            };
            match builder.meta_key(&key) {
                MetaKey::Name => builder.fields().name = self.walker.scalar_field(false)?,
                MetaKey::Namespace => {
                    builder.fields().namespace = self.walker.scalar_field(false)?;
                }
                MetaKey::Uid => builder.fields().uid = self.walker.scalar_field(false)?,
                MetaKey::Annotations => self.annotations(builder)?,
                MetaKey::Captured(which) => {
                    let (event, span) = self.walker.next_event()?;
                    let node = self.walker.capture(event, span)?;
                    builder.captured(which, node);
                }
                MetaKey::Other => self.walker.skip_value()?,
            }
        }
        Ok(())
    }

    fn annotations(&mut self, builder: &mut ObjectBuilder<'_, 'a>) -> Result<(), ScanError> {
        if !self.open_mapping(
            builder,
            ObjectBuilder::merge_annotations,
            ObjectBuilder::annotations_not_map,
        )? {
            return Ok(());
        }
        loop {
            let (event, span) = self.walker.next_event()?;
            if matches!(event, Event::MappingEnd) {
                break;
            }
            match self.key(event, span)? {
                Key::Text(key) => {
                    let value = self.walker.scalar_field(true)?;
                    builder.annotation(key, value, true);
                }
                Key::Merge => {
                    let node = self.capture_value()?;
                    if !builder.merge_annotations(&self.walker.tree, node) {
                        builder.annotations_not_map();
                    }
                }
                Key::Other => builder.annotations_not_map(),
            }
        }
        Ok(())
    }

    fn items(&mut self, key_end: usize) -> Result<ItemsValue<'a>, ScanError> {
        let (event, span) = self.walker.next_event()?;
        self.walker.node_start(&event, &span)?;
        let style = match event {
            Event::SequenceStart(style, _, _) => style,
            Event::Scalar(ref v, style, _, ref tag)
                if is_null_scalar(v, style, tag.as_deref().map(tag_parts)) =>
            {
                return Ok(ItemsValue::Null);
            }
            other => {
                self.walker.skip(other, span)?;
                return Ok(ItemsValue::Other);
            }
        };
        let mut items = Items {
            key_end,
            flow: style == StructureStyle::Flow,
            open: range(&span).start,
            ..Items::default()
        };
        loop {
            let (event, span) = self.walker.next_event()?;
            let start = self.walker.node_start(&event, &span)?;
            match event {
                Event::SequenceEnd => {
                    items.close = range(&span).start;
                    break;
                }
                Event::MappingStart(style, _, _) => {
                    let root = self.object(start, style, false)?;
                    items.objects.push(root.object);
                }
                other => {
                    let is_alias = matches!(other, Event::Alias(_));
                    self.walker.skip(other, span)?;
                    items.objects.push(Object {
                        start,
                        end: self.walker.content_end.max(start),
                        is_alias,
                        ..Object::default()
                    });
                }
            }
        }
        Ok(ItemsValue::Seq(items))
    }
}
