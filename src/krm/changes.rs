//! What a run changes in the input: the items that leave their place, and the objects appended
//! after the input's items.

use std::collections::BTreeSet;

use super::object::ItemIndex;

/// One object appended to the output.
#[derive(Debug, PartialEq, Eq)]
pub enum Appended {
    /// A newly written object, as text for its place in the output.
    Written(String),
    /// An input object (earlier output that is still right), copied from the input as it is.
    Kept(ItemIndex),
}

/// The edits a framing applies to its input.
#[derive(Debug, Default)]
pub struct Changes {
    /// Input objects that leave their place (earlier output that is pruned or appended again).
    pub remove: BTreeSet<ItemIndex>,
    /// Objects appended after the input items, in order.
    pub append: Vec<Appended>,
}
