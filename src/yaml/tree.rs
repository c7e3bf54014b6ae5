//! The parts of the input this function reads, kept as a small tree.
//!
//! Only the subtrees the function needs (a blueprint's `spec`, a target's `spec`, an earlier
//! generated object, the functionConfig, anchored nodes) are captured. Scalars keep their text,
//! style and tag, because a value copied from a blueprint has to mean to a Go YAML reader exactly
//! what it meant in the blueprint, and that depends on how it was written, not only on its text.

use std::borrow::Cow;
use std::collections::HashMap;

use granit_parser::ScalarStyle;

/// Index of a node in a [`Tree`].
pub type NodeId = u32;

/// An explicit tag as the parser resolved it (`!!str` is handle `tag:yaml.org,2002:`, suffix `str`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagText {
    pub handle: String,
    pub suffix: String,
}

impl TagText {
    const CORE: &'static str = "tag:yaml.org,2002:";

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

/// An arena of captured nodes for one input document.
#[derive(Debug, Default)]
pub struct Tree<'a> {
    nodes: Vec<Node<'a>>,
    anchors: HashMap<usize, NodeId>,
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

    /// True for a plain `~`, `null` (any case the YAML readers accept) or an empty plain scalar.
    pub fn is_null(&self, id: NodeId) -> bool {
        match self.resolve(id).map(|id| self.get(id)) {
            Some(Node::Scalar {
                value,
                style: ScalarStyle::Plain,
                tag: None,
            }) => matches!(&**value, "" | "~" | "null" | "Null" | "NULL"),
            Some(Node::Scalar { tag: Some(tag), .. }) => {
                tag.handle == "tag:yaml.org,2002:" && tag.suffix == "null"
            }
            _ => false,
        }
    }

    /// Entries of a mapping (following aliases); `None` when the node is not a mapping.
    pub fn entries(&self, id: NodeId) -> Option<&[(NodeId, NodeId)]> {
        match self.get(self.resolve(id)?) {
            Node::Map { entries } => Some(entries),
            _ => None,
        }
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
