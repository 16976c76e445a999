//! The tree layer: everything about one framed tree (a stanza, the stream header, or a
//! document's root).
//!
//! - Records (`records.rs`): flat records of elements, text runs and attributes, with
//!   offsets relative to the tree's first byte, and the namespace-name table
//!   (`names.rs`) their ids refer to.
//! - [`Builder`]: what the framer drives to append and link records.
//! - [`StoredTree`]: a tree copied out of the input buffer (the stream header a parser
//!   keeps for its stanzas); `block.rs`: the one heap block an [`OwnedStanza`] lives in,
//!   and [`Store`], what views read records and names from (a parser's, or a block).
//! - The views over records ([`Element`], [`Attribute`], [`Text`], ...), [`Stanza`] with
//!   its in-scope context, [`OwnedStanza`] and the [`Arena`] views decode into.
//!
//! It imports neither the framer, the parser nor the XMPP layer; the layers above read
//! trees only through the views and the `pub(crate)` API here, never through the raw
//! records.

mod arena;
// The one-block layout of owned stanzas: typed slices over regions of one allocation.
#[allow(unsafe_code)]
mod block;
mod builder;
mod names;
mod owned;
mod records;
mod reduced;
mod stanza;
mod stored;
mod view;

pub use self::arena::Arena;
pub(crate) use self::block::Store;
pub(crate) use self::builder::Builder;
pub(crate) use self::names::{NsTable, NS_NONE, NS_XML};
pub use self::names::{STREAMS_NS, XMLNS_NS, XML_NS};
pub use self::owned::{OwnedStanza, OwnedView};
pub(crate) use self::records::{AttrRec, NodeRec};
pub(crate) use self::stanza::Context;
pub use self::stanza::Stanza;
pub(crate) use self::stored::StoredTree;
pub(crate) use self::view::TreeRef;
pub use self::view::{Attribute, Attributes, Element, Node, Nodes, Text};
