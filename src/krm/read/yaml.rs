//! One pass over the parser's events, keeping byte positions and only the values we read.
//!
//! Every input item must leave exactly as it came, so nothing here is ever written back: the
//! scanner records where each document, item and interesting key lies in the input, and captures
//! into a [`Tree`] just the subtrees the function reads. Everything else is skipped without
//! building values, which keeps the cost of a run close to the cost of parsing.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;

use granit_parser::{
    Event, Marker, Parser, ScalarStyle, ScanError, Span, StrInput, StructureStyle,
};

use crate::families::stash::targets::BLUEPRINT_ANNOTATION;
use crate::krm::stream::LOCAL_CONFIG;
use crate::yaml::tree::{Node, NodeId, TagText, Tree};

/// A scalar field the function reads (`metadata.name`, an annotation value, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Field<'a> {
    /// The key is not there, or its value is null.
    #[default]
    Absent,
    /// The text of the scalar, as kpt reads it (a plain `no` is the text `no`).
    Text(Cow<'a, str>),
    /// The value is a mapping or a sequence.
    NotText,
}

impl Field<'_> {
    pub fn text(&self) -> Option<&str> {
        match self {
            Field::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// `metadata.annotations` of an object.
#[derive(Debug, Clone, Default)]
pub struct Annotations<'a> {
    /// `annotations` is there but is not a mapping.
    pub not_map: bool,
    pub entries: Vec<(Cow<'a, str>, Field<'a>)>,
}

impl Annotations<'_> {
    pub fn get(&self, key: &str) -> Option<&Field<'_>> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// One object of the input: an item of a ResourceList or a document of a stream.
///
/// An input may hold tens of thousands of objects, and most are none of this function's
/// business (Deployments, Services, ConfigMaps): for those only the position is kept, and the
/// fields read from them ([`Meta`]) are dropped. Reading a field of such an object (through
/// `Deref`) finds it absent.
#[derive(Debug, Default)]
pub struct Object<'a> {
    /// First byte of the node, its tag and anchor included.
    pub start: usize,
    /// End of its last content byte (a block scalar's span may also cover the blanks after it).
    pub end: usize,
    pub is_mapping: bool,
    /// The item is an alias of another node: it passes through and is not read.
    pub is_alias: bool,
    pub meta: Option<Box<Meta<'a>>>,
}

impl<'a> std::ops::Deref for Object<'a> {
    type Target = Meta<'a>;

    fn deref(&self) -> &Meta<'a> {
        self.meta.as_deref().unwrap_or(&NOTHING)
    }
}

static NOTHING: Meta<'static> = Meta {
    api_version: Field::Absent,
    kind: Field::Absent,
    name: Field::Absent,
    namespace: Field::Absent,
    uid: Field::Absent,
    metadata_not_map: false,
    annotations: Annotations {
        not_map: false,
        entries: Vec::new(),
    },
    owner_references: None,
    labels: None,
    spec: None,
    extra_keys: false,
    duplicate_key: None,
    file: None,
};

/// The fields of an object the function reads.
#[derive(Debug, Default)]
pub struct Meta<'a> {
    pub api_version: Field<'a>,
    pub kind: Field<'a>,
    pub name: Field<'a>,
    pub namespace: Field<'a>,
    pub uid: Field<'a>,
    /// `metadata` is there but is not a mapping.
    pub metadata_not_map: bool,
    pub annotations: Annotations<'a>,
    pub owner_references: Option<NodeId>,
    pub labels: Option<NodeId>,
    /// The captured `spec`, for the kinds whose spec the function reads.
    pub spec: Option<NodeId>,
    /// Keys besides `apiVersion`, `kind`, `metadata` (`name`, `namespace`, `uid`, `annotations`,
    /// `labels`, `ownerReferences`) and `spec`: an earlier generated object with any of them has
    /// been edited since we wrote it.
    pub extra_keys: bool,
    /// The first key that appears twice where the function reads (e.g. `metadata.name`).
    pub duplicate_key: Option<Box<str>>,
    /// The file it came from, in stream mode (in a ResourceList, kpt's annotations say it).
    pub file: Option<Box<crate::krm::results::FileRef>>,
}

impl Meta<'_> {
    /// Notes a repeated annotation key, and drops the annotations of an object that is none of
    /// the function's business but for the ones that make it so (or keep it out of stream output).
    pub(crate) fn finish_annotations(&mut self) {
        let mut keys = HashSet::with_capacity(self.annotations.entries.len());
        if let Some((key, _)) = self
            .annotations
            .entries
            .iter()
            .find(|(k, _)| !keys.insert(&**k))
            && self.duplicate_key.is_none()
        {
            self.duplicate_key = Some(format!("metadata.annotations[{key}]").into());
        }
        let relevant = match &self.api_version {
            Field::Text(a) => is_relevant(a),
            _ => true,
        };
        if !relevant && self.annotations.get(BLUEPRINT_ANNOTATION).is_none() {
            self.annotations.entries.retain(|(k, _)| k == LOCAL_CONFIG);
            self.annotations.entries.shrink_to_fit();
        }
    }

    /// Whether the function may need this object's fields: anything of the groups it reads, a
    /// Secret (a Repository may need it), an object carrying the backup annotation or marked
    /// local-config, or one too odd to classify.
    pub(crate) fn worth_keeping(&self) -> bool {
        let (Field::Text(api_version), Field::Text(kind)) = (&self.api_version, &self.kind) else {
            return true;
        };
        is_relevant(api_version)
            || (kind == "Secret" && api_version == "v1")
            || self.annotations.get(BLUEPRINT_ANNOTATION).is_some()
            || self.annotations.get(LOCAL_CONFIG).is_some()
    }
}

/// The root mapping of a document, with the ResourceList parts it may have.
#[derive(Debug, Default)]
pub struct Root<'a> {
    pub object: Object<'a>,
    pub flow: bool,
    pub items: Option<ItemsValue<'a>>,
    pub function_config: Option<NodeId>,
    /// From the `results` key to the end of its value.
    pub results: Option<Range<usize>>,
    /// End of the last entry's content, before a flow mapping's `}`.
    pub last_entry_end: usize,
    /// Where the mapping's own content starts, after any tag or anchor on a line of their own:
    /// its column is the column of the keys.
    pub content_start: usize,
}

#[derive(Debug)]
pub enum ItemsValue<'a> {
    Seq(Items<'a>),
    Null,
    Other,
}

/// The `items` sequence of a ResourceList.
#[derive(Debug, Default)]
pub struct Items<'a> {
    /// End of the `items` key: where the search for the first item's `-` starts.
    pub key_end: usize,
    pub flow: bool,
    /// For a flow sequence, the `[` and the `]`.
    pub open: usize,
    pub close: usize,
    pub objects: Vec<Object<'a>>,
}

#[derive(Debug)]
pub enum DocumentRoot<'a> {
    Mapping(Box<Root<'a>>),
    /// A document holding only comments, or an explicit null.
    Empty,
    /// A scalar or a sequence at the top of a document.
    Other,
}

#[derive(Debug)]
pub struct Document<'a> {
    /// The `---` marker, when the document has one.
    pub marker: Option<Range<usize>>,
    pub start: usize,
    pub end: usize,
    pub root: DocumentRoot<'a>,
}

#[derive(Debug, Default)]
pub struct Scanned<'a> {
    pub tree: Tree<'a>,
    pub documents: Vec<Document<'a>>,
}

/// How much of an object's `spec` the function reads.
pub(crate) enum SpecInterest {
    /// Blueprints and earlier output are read whole; of an unknown kind's spec nothing can be
    /// dropped yet.
    Whole,
    /// Of a database or an AppBinding only these fields are read.
    Fields(&'static [&'static str]),
    Nothing,
}

pub(crate) fn spec_interest(api_version: &Field<'_>) -> SpecInterest {
    let Field::Text(api_version) = api_version else {
        return SpecInterest::Whole;
    };
    match api_version.rsplit_once('/').map_or("", |(g, _)| g) {
        "stash.appscode.com" => SpecInterest::Whole,
        "kubedb.com" | "appcatalog.appscode.com" => SpecInterest::Fields(&["type", "version"]),
        _ => SpecInterest::Nothing,
    }
}

/// The API groups whose objects the function reads in full.
pub fn is_relevant(api_version: &str) -> bool {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    matches!(
        group,
        "stash.appscode.com" | "appcatalog.appscode.com" | "kubedb.com"
    )
}

/// Parses `src` once and returns what the function needs from it.
pub fn scan(src: &str) -> Result<Scanned<'_>, ScanError> {
    let options = granit_parser::options! {
        emit_anchor_events: true,
        emit_comments: false,
    };
    let mut walker = Walker {
        parser: Parser::new_from_str_with_options(src, options),
        peeked: None,
        tree: Tree::default(),
        content_end: 0,
        last: Marker::new(0, 1, 0),
        src,
    };
    let mut documents = Vec::new();
    loop {
        let (event, span) = walker.next()?;
        match event {
            Event::StreamStart => {}
            Event::StreamEnd => break,
            Event::DocumentStart(explicit, _) => {
                let marker = explicit.then(|| range(&span));
                walker.content_end = marker.as_ref().map_or(walker.content_end, |m| m.end);
                let (event, span) = walker.next()?;
                let start = walker.node_start(&event, &span)?;
                let root = match event {
                    Event::MappingStart(style, _, _) => {
                        let mut root = walker.walk_mapping(start, style, true)?;
                        root.content_start = range(&span).start;
                        DocumentRoot::Mapping(Box::new(root))
                    }
                    Event::Scalar(ref v, ScalarStyle::Plain, _, None)
                        if matches!(&**v, "" | "~" | "null") =>
                    {
                        DocumentRoot::Empty
                    }
                    other => {
                        walker.skip(other, span)?;
                        DocumentRoot::Other
                    }
                };
                let end = walker.content_end;
                match walker.next()? {
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
    Ok(Scanned {
        tree: walker.tree,
        documents,
    })
}

/// Captures the whole first document of `src` (a small file such as a `--config`).
pub fn capture_first(src: &str) -> Result<(Tree<'_>, Option<NodeId>), ScanError> {
    let mut walker = Walker {
        parser: Parser::new_from_str_with_options(
            src,
            granit_parser::options! { emit_anchor_events: true, emit_comments: false },
        ),
        peeked: None,
        tree: Tree::default(),
        content_end: 0,
        last: Marker::new(0, 1, 0),
        src,
    };
    loop {
        let (event, span) = walker.next()?;
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

fn range(span: &Span) -> Range<usize> {
    span.byte_range().unwrap_or(0..0)
}

fn unexpected(span: &Span, wanted: &str) -> ScanError {
    ScanError::new(
        span.start,
        format!("unexpected YAML event, expected {wanted}"),
    )
}

struct Walker<'a> {
    parser: Parser<'a, StrInput<'a>>,
    peeked: Option<(Event<'a>, Span)>,
    tree: Tree<'a>,
    /// The largest end of any content seen so far: at the end of a node, the end of that node.
    content_end: usize,
    last: Marker,
    src: &'a str,
}

impl<'a> Walker<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), ScanError> {
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

    fn peek_is_anchor(&mut self) -> Result<bool, ScanError> {
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
    fn node_start(&mut self, event: &Event<'a>, span: &Span) -> Result<usize, ScanError> {
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
            let (_, anchor_span) = self.next()?;
            start = start.min(range(&anchor_span).start);
        }
        Ok(start)
    }

    /// Builds the tree of the node that starts with `event`.
    fn capture(&mut self, event: Event<'a>, span: Span) -> Result<NodeId, ScanError> {
        self.node_start(&event, &span)?;
        let id = match event {
            Event::Scalar(value, style, anchor, tag) => {
                let id = self.tree.push(Node::Scalar {
                    value,
                    style,
                    tag: tag.map(|t| {
                        Box::new(TagText {
                            handle: t.handle().to_owned(),
                            suffix: t.suffix().to_owned(),
                        })
                    }),
                });
                self.anchor(anchor, id);
                id
            }
            Event::SequenceStart(_, anchor, _) => {
                let id = self.tree.push(Node::Seq { items: Vec::new() });
                self.anchor(anchor, id);
                let mut items = Vec::new();
                loop {
                    let (event, span) = self.next()?;
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
                let mut entries = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::MappingEnd) {
                        break;
                    }
                    let key = self.capture(event, span)?;
                    let (event, span) = self.next()?;
                    let value = self.capture(event, span)?;
                    entries.push((key, value));
                }
                if let Node::Map { entries: slot } = self.tree.get_mut(id) {
                    *slot = entries;
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
    fn capture_fields(
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
        let mut entries = Vec::new();
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::MappingEnd => break,
                Event::Scalar(ref key, ..) if keys.contains(&&**key) => {
                    let key = self.capture(event, span)?;
                    let (event, span) = self.next()?;
                    entries.push((key, self.capture(event, span)?));
                }
                other => {
                    self.skip(other, span)?;
                    self.skip_value()?;
                }
            }
        }
        Ok(Some(self.tree.push(Node::Map { entries })))
    }

    fn anchor(&mut self, anchor: usize, id: NodeId) {
        if anchor != 0 {
            self.tree.set_anchor(anchor, id);
        }
    }

    /// Passes over the node that starts with `event` without building it, except for anchored
    /// nodes inside: a captured subtree elsewhere may refer to them.
    fn skip(&mut self, event: Event<'a>, span: Span) -> Result<(), ScanError> {
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
                    let (event, span) = self.next()?;
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
    fn text_field(&mut self, null_is_empty: bool) -> Result<Field<'a>, ScanError> {
        let (event, span) = self.next()?;
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                let is_null = style == ScalarStyle::Plain
                    && tag.is_none()
                    && matches!(&*value, "" | "~" | "null" | "Null" | "NULL");
                if anchor != 0 {
                    self.capture(Event::Scalar(value.clone(), style, anchor, tag), span)?;
                }
                Ok(match (is_null, null_is_empty) {
                    (true, true) => Field::Text(Cow::Borrowed("")),
                    (true, false) => Field::Absent,
                    _ => Field::Text(value),
                })
            }
            Event::Alias(anchor) => Ok(self
                .tree
                .anchor(anchor)
                .and_then(|id| self.tree.scalar(id))
                .map_or(Field::NotText, |t| Field::Text(Cow::Owned(t.to_owned())))),
            other => {
                self.skip(other, span)?;
                Ok(Field::NotText)
            }
        }
    }

    /// Walks a mapping that is an object (an item, a document root), reading the fields the
    /// function uses. `root` also looks for the ResourceList keys.
    fn walk_mapping(
        &mut self,
        start: usize,
        style: StructureStyle,
        root: bool,
    ) -> Result<Root<'a>, ScanError> {
        let mut out = Root {
            flow: style == StructureStyle::Flow,
            ..Root::default()
        };
        let mut meta = Meta::default();
        let obj = &mut meta;
        let mut seen = [false; 4];
        loop {
            let before = self.content_end;
            let (event, span) = self.next()?;
            let key = match event {
                Event::MappingEnd => {
                    out.last_entry_end = before;
                    break;
                }
                Event::Scalar(ref key, _, anchor, _) => {
                    let key = key.clone();
                    if anchor != 0 {
                        // An alias elsewhere may name the key.
                        self.capture(event, span)?;
                    }
                    key
                }
                other => {
                    self.skip(other, span)?;
                    self.skip_value()?;
                    obj.extra_keys = true;
                    continue;
                }
            };
            let slot = match &*key {
                "apiVersion" => Some(0),
                "kind" => Some(1),
                "metadata" => Some(2),
                "spec" => Some(3),
                _ => None,
            };
            if let Some(i) = slot {
                if seen[i] && obj.duplicate_key.is_none() {
                    obj.duplicate_key = Some(key.to_string().into());
                }
                seen[i] = true;
            }
            match &*key {
                "apiVersion" => obj.api_version = self.text_field(false)?,
                "kind" => obj.kind = self.text_field(false)?,
                "metadata" => self.walk_metadata(obj)?,
                "spec" => {
                    let (event, span) = self.next()?;
                    obj.spec = match spec_interest(&obj.api_version) {
                        SpecInterest::Whole => Some(self.capture(event, span)?),
                        SpecInterest::Fields(keys) => self.capture_fields(event, span, keys)?,
                        SpecInterest::Nothing => {
                            self.skip(event, span)?;
                            None
                        }
                    };
                }
                "items" if root => out.items = Some(self.walk_items(range(&span).end)?),
                "functionConfig" if root => {
                    let (event, span) = self.next()?;
                    out.function_config = Some(self.capture(event, span)?);
                }
                "results" if root => {
                    let key_start = range(&span).start;
                    self.skip_value()?;
                    out.results = Some(key_start..self.content_end);
                }
                _ => {
                    obj.extra_keys = true;
                    self.skip_value()?;
                }
            }
        }
        out.object = Object {
            start,
            // A node without content (`?`, an empty value) still ends where it starts.
            end: self.content_end.max(start),
            is_mapping: true,
            is_alias: false,
            meta: (root || meta.worth_keeping()).then(|| Box::new(meta)),
        };
        Ok(out)
    }

    fn skip_value(&mut self) -> Result<(), ScanError> {
        let (event, span) = self.next()?;
        self.skip(event, span)
    }

    fn walk_metadata(&mut self, obj: &mut Meta<'a>) -> Result<(), ScanError> {
        let (event, span) = self.next()?;
        // Consumes the anchor event of an anchored mapping.
        self.node_start(&event, &span)?;
        if !matches!(event, Event::MappingStart(..)) {
            obj.metadata_not_map = !matches!(event, Event::Scalar(ref v, ScalarStyle::Plain, _, None) if matches!(&**v, "" | "~" | "null"));
            return self.skip(event, span);
        }
        let relevant = match (&obj.api_version, &obj.kind) {
            (Field::Text(a), _) => is_relevant(a),
            _ => true,
        };
        let mut seen = [false; 4];
        loop {
            let (event, span) = self.next()?;
            let key = match event {
                Event::MappingEnd => break,
                Event::Scalar(key, _, 0, _) => key,
                other => {
                    self.skip(other, span)?;
                    self.skip_value()?;
                    obj.extra_keys = true;
                    continue;
                }
            };
            let slot = match &*key {
                "name" => Some(0),
                "namespace" => Some(1),
                "annotations" => Some(2),
                "uid" => Some(3),
                _ => None,
            };
            if let Some(i) = slot {
                if seen[i] && obj.duplicate_key.is_none() {
                    obj.duplicate_key = Some(format!("metadata.{key}").into());
                }
                seen[i] = true;
            }
            match &*key {
                "name" => obj.name = self.text_field(false)?,
                "namespace" => obj.namespace = self.text_field(false)?,
                "uid" => obj.uid = self.text_field(false)?,
                "annotations" => self.walk_annotations(obj)?,
                "ownerReferences" | "labels" if relevant => {
                    let (event, span) = self.next()?;
                    let id = self.capture(event, span)?;
                    if &*key == "labels" {
                        obj.labels = Some(id);
                    } else {
                        obj.owner_references = Some(id);
                    }
                }
                _ => {
                    obj.extra_keys = true;
                    self.skip_value()?;
                }
            }
        }
        Ok(())
    }

    fn walk_annotations(&mut self, obj: &mut Meta<'a>) -> Result<(), ScanError> {
        let (event, span) = self.next()?;
        // Consumes the anchor event of an anchored mapping.
        self.node_start(&event, &span)?;
        if !matches!(event, Event::MappingStart(..)) {
            let null = matches!(&event, Event::Scalar(v, ScalarStyle::Plain, _, None) if matches!(&**v, "" | "~" | "null"));
            obj.annotations.not_map = !null;
            return self.skip(event, span);
        }
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::MappingEnd => break,
                Event::Scalar(key, _, 0, _) => {
                    let value = self.text_field(true)?;
                    obj.annotations.entries.push((key, value));
                }
                other => {
                    self.skip(other, span)?;
                    self.skip_value()?;
                    obj.annotations.not_map = true;
                }
            }
        }
        obj.finish_annotations();
        Ok(())
    }

    fn walk_items(&mut self, key_end: usize) -> Result<ItemsValue<'a>, ScanError> {
        let (event, span) = self.next()?;
        self.node_start(&event, &span)?;
        let style = match event {
            Event::SequenceStart(style, _, _) => style,
            Event::Scalar(ref v, ScalarStyle::Plain, _, None)
                if matches!(&**v, "" | "~" | "null" | "Null" | "NULL") =>
            {
                return Ok(ItemsValue::Null);
            }
            other => {
                self.skip(other, span)?;
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
            let (event, span) = self.next()?;
            let start = self.node_start(&event, &span)?;
            match event {
                Event::SequenceEnd => {
                    items.close = range(&span).start;
                    break;
                }
                Event::MappingStart(style, _, _) => {
                    let root = self.walk_mapping(start, style, false)?;
                    items.objects.push(root.object);
                }
                other => {
                    let is_alias = matches!(other, Event::Alias(_));
                    self.skip(other, span)?;
                    items.objects.push(Object {
                        start,
                        end: self.content_end.max(start),
                        is_alias,
                        ..Object::default()
                    });
                }
            }
        }
        Ok(ItemsValue::Seq(items))
    }
}
