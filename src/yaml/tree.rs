//! The parts of the input this function reads, kept as a small tree.
//!
//! Only the subtrees the function needs (a blueprint's `spec`, a target's `spec`, an earlier
//! generated object, the functionConfig, anchored nodes) are captured. Scalars keep their text,
//! style and tag, because a value copied from a blueprint has to mean to a Go YAML reader exactly
//! what it meant in the blueprint, and that depends on how it was written, not only on its text.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashMap;

use granit_parser::{ScalarStyle, Tag};

use super::Field;

/// Index of a node in a [`Tree`].
pub type NodeId = u32;

/// An explicit tag as the parser resolved it (`!!str` is handle `tag:yaml.org,2002:`, suffix `str`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagText {
    pub handle: String,
    pub suffix: String,
}

impl TagText {
    const CORE: &'static str = super::CORE_TAG;

    /// The parser's tag, kept.
    pub fn of(tag: &Tag) -> Self {
        TagText {
            handle: tag.handle().to_owned(),
            suffix: tag.suffix().to_owned(),
        }
    }

    fn parts(&self) -> super::TagParts<'_> {
        (&self.handle, &self.suffix)
    }

    /// The tag written back in its shortest form.
    pub fn render(&self) -> String {
        if self.handle == Self::CORE {
            format!("!!{}", self.suffix)
        } else if self.handle == "!" {
            format!("!{}", self.suffix)
        } else {
            format!("!<{}{}>", self.handle, self.suffix)
        }
    }

    /// `!!str`: the scalar is a string whatever it looks like.
    pub fn is_core_str(&self) -> bool {
        self.handle == Self::CORE && self.suffix == "str"
    }
}

#[derive(Debug, Clone)]
pub enum Node<'a> {
    Scalar {
        value: Cow<'a, str>,
        style: ScalarStyle,
        tag: Option<Box<TagText>>,
    },
    Seq {
        items: Vec<NodeId>,
    },
    Map {
        entries: Vec<(NodeId, NodeId)>,
    },
    /// A reference to an anchored node, resolved through [`Tree::anchor`] when it is used, so
    /// that an alias bomb costs nothing unless its expansion is copied into output.
    Alias {
        anchor: usize,
    },
}

/// How many entries merge keys may copy in one input, all mappings together. A merge copies
/// the merged mappings' entries (not their values), so a chain of merges could otherwise
/// multiply like an alias bomb; past the budget a merge key stays as it is written, and a reader
/// that needs the mapping reports it.
const MERGE_BUDGET: usize = 1_000_000;

/// An arena of captured nodes for one input document.
#[derive(Debug, Default)]
pub struct Tree<'a> {
    nodes: Vec<Node<'a>>,
    anchors: HashMap<usize, NodeId>,
    /// Entries copied by merge keys so far.
    merged: Cell<usize>,
}

impl<'a> Tree<'a> {
    pub fn push(&mut self, node: Node<'a>) -> NodeId {
        let id = NodeId::try_from(self.nodes.len()).unwrap_or(NodeId::MAX);
        self.nodes.push(node);
        id
    }

    pub fn get(&self, id: NodeId) -> &Node<'a> {
        &self.nodes[id as usize]
    }

    pub fn get_mut(&mut self, id: NodeId) -> &mut Node<'a> {
        &mut self.nodes[id as usize]
    }

    pub fn set_anchor(&mut self, anchor: usize, id: NodeId) {
        self.anchors.insert(anchor, id);
    }

    pub fn anchor(&self, anchor: usize) -> Option<NodeId> {
        self.anchors.get(&anchor).copied()
    }

    /// Follows aliases (a chain of them, or a cycle, ends in `None`).
    pub fn resolve(&self, mut id: NodeId) -> Option<NodeId> {
        for _ in 0..64 {
            match self.get(id) {
                Node::Alias { anchor } => id = self.anchor(*anchor)?,
                _ => return Some(id),
            }
        }
        None
    }

    /// The text of a scalar, following aliases; `None` for collections.
    pub fn scalar(&self, id: NodeId) -> Option<&str> {
        match self.get(self.resolve(id)?) {
            Node::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// True for a scalar a reader takes for null (see [`super::is_null_scalar`]).
    pub fn is_null(&self, id: NodeId) -> bool {
        match self.resolve(id).map(|id| self.get(id)) {
            Some(Node::Scalar { value, style, tag }) => {
                super::is_null_scalar(value, *style, tag.as_ref().map(|t| t.parts()))
            }
            _ => false,
        }
    }

    /// True for a merge key (`<<`, see [`super::is_merge_key`]) that is still in a mapping:
    /// one whose value could not be merged.
    pub fn is_merge_key(&self, id: NodeId) -> bool {
        match self.get(id) {
            Node::Scalar { value, style, tag } => {
                super::is_merge_key(value, *style, tag.as_ref().map(|t| t.parts()))
            }
            _ => false,
        }
    }

    /// A captured value read as a scalar field: its text, absent when null (or empty text when
    /// `null_is_empty`), not text when a collection.
    pub fn field(&self, id: NodeId, null_is_empty: bool) -> Field<'a> {
        if self.is_null(id) {
            return if null_is_empty {
                Field::Text(Cow::Borrowed(""))
            } else {
                Field::Absent
            };
        }
        match self.resolve(id).map(|id| self.get(id)) {
            Some(Node::Scalar { value, .. }) => Field::Text(value.clone()),
            _ => Field::NotText,
        }
    }

    /// The mappings a merge key's value names, in the order their entries apply (a later one
    /// overrides an earlier one): the mapping itself, or the mappings of a list, last first,
    /// as yaml.v2 takes them. `None` when the value is anything else.
    fn merge_sources(&self, value: NodeId) -> Option<Vec<NodeId>> {
        let value = self.resolve(value)?;
        match self.get(value) {
            Node::Map { .. } => Some(vec![value]),
            Node::Seq { items } => items
                .iter()
                .rev()
                .map(|item| self.resolve(*item).filter(|i| self.entries(*i).is_some()))
                .collect(),
            _ => None,
        }
    }

    /// Entries of a mapping (following aliases); `None` when the node is not a mapping.
    pub fn entries(&self, id: NodeId) -> Option<&[(NodeId, NodeId)]> {
        match self.get(self.resolve(id)?) {
            Node::Map { entries } => Some(entries),
            _ => None,
        }
    }

    /// A mapping of scalars to scalars (labels), as owned pairs; `None` when the node is not
    /// one.
    pub fn string_map(&self, id: NodeId) -> Option<Vec<(String, String)>> {
        self.entries(id)?
            .iter()
            .map(|(k, v)| Some((self.scalar(*k)?.to_owned(), self.scalar(*v)?.to_owned())))
            .collect()
    }

    /// Items of a sequence (following aliases); `None` when the node is not a sequence.
    pub fn items(&self, id: NodeId) -> Option<&[NodeId]> {
        match self.get(self.resolve(id)?) {
            Node::Seq { items } => Some(items),
            _ => None,
        }
    }

    /// The value under a scalar key of a mapping (the first one, if the key is repeated).
    pub fn lookup(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.entries(map)?
            .iter()
            .find(|(k, _)| self.scalar(*k) == Some(key))
            .map(|(_, v)| *v)
    }
}

/// The entries of a mapping as a reader adds them, with merge keys applied as Go's yaml.v2
/// (kubectl) applies them: in order, a merge key sets every key of the merged mappings
/// (replacing a value set before it), and a later key replaces a merged one. Repeated keys
/// written out stay repeated, for the readers that report them.
#[derive(Debug, Default)]
pub struct Mapping {
    entries: Vec<(NodeId, NodeId)>,
    /// Set at the first merge key: the position of each key's text, and whether a merge put it
    /// there.
    index: Option<HashMap<String, (usize, bool)>>,
}

impl Mapping {
    /// Adds an entry as written in the mapping.
    pub fn add(&mut self, tree: &Tree<'_>, key: NodeId, value: NodeId) {
        if tree.is_merge_key(key) && self.merge(tree, value) {
            return;
        }
        if let (Some(index), Some(text)) = (&mut self.index, tree.scalar(key)) {
            match index.get_mut(text) {
                Some((i, merged)) if *merged => {
                    self.entries[*i] = (key, value);
                    *merged = false;
                    return;
                }
                Some(_) => {}
                None => {
                    index.insert(text.to_owned(), (self.entries.len(), false));
                }
            }
        }
        self.entries.push((key, value));
    }

    /// Applies a merge key whose value is `value`: false, changing nothing, when the value is
    /// not a mapping or a list of mappings, or when the input's merge budget is spent.
    pub fn merge(&mut self, tree: &Tree<'_>, value: NodeId) -> bool {
        let Some(sources) = tree.merge_sources(value) else {
            return false;
        };
        let count: usize = sources
            .iter()
            .map(|s| tree.entries(*s).map_or(0, <[_]>::len))
            .sum();
        let used = tree.merged.get();
        if used.saturating_add(count) > MERGE_BUDGET {
            return false;
        }
        tree.merged.set(used + count);
        let entries = &mut self.entries;
        let index = self.index.get_or_insert_with(|| {
            let mut index = HashMap::new();
            for (i, (k, _)) in entries.iter().enumerate() {
                if let Some(text) = tree.scalar(*k) {
                    index.entry(text.to_owned()).or_insert((i, false));
                }
            }
            index
        });
        for source in sources {
            for (k, v) in tree.entries(source).unwrap_or_default() {
                let Some(text) = tree.scalar(*k) else {
                    entries.push((*k, *v));
                    continue;
                };
                match index.get_mut(text) {
                    Some((i, merged)) => {
                        entries[*i] = (*k, *v);
                        *merged = true;
                    }
                    None => {
                        index.insert(text.to_owned(), (entries.len(), true));
                        entries.push((*k, *v));
                    }
                }
            }
        }
        true
    }

    pub fn into_entries(self) -> Vec<(NodeId, NodeId)> {
        self.entries
    }
}
