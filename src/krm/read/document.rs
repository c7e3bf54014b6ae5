//! What a reader hands on: the documents of an input, where their parts lie, and their items.

use std::ops::Range;

use crate::krm::object::Object;
use crate::yaml::tree::{NodeId, Tree};

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

/// What a reader found in an input: its documents, and the values it captured.
#[derive(Debug, Default)]
pub struct Read<'a> {
    pub tree: Tree<'a>,
    pub documents: Vec<Document<'a>>,
}

impl Read<'_> {
    /// The first document that is not empty.
    pub fn first(&self) -> Option<&Document<'_>> {
        self.documents
            .iter()
            .find(|d| !matches!(d.root, DocumentRoot::Empty))
    }
}

#[cfg(test)]
impl<'a> Read<'a> {
    /// The items of the ResourceList a test read (it panics on anything else).
    pub fn items(&self) -> &[Object<'a>] {
        let DocumentRoot::Mapping(root) = &self.documents[0].root else {
            panic!("a ResourceList, not {:?}", self.documents[0].root);
        };
        let Some(ItemsValue::Seq(items)) = &root.items else {
            panic!("a ResourceList with items");
        };
        &items.objects
    }
}
