//! Namespaces in XML 1.0: the well-known namespace names, the storage that tree records
//! refer to (a namespace-name table and the in-scope bindings), and the [`Resolver`] that
//! gives every element and attribute name its namespace, enforces the reserved names and
//! rejects duplicate attributes. The framer drives the resolver once per start tag.

mod duplicates;
mod resolver;
mod table;

pub(crate) use self::resolver::Resolver;
pub(crate) use self::table::NsTable;

/// `http://www.w3.org/XML/1998/namespace`, bound to the `xml` prefix.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// `http://www.w3.org/2000/xmlns/`, the namespace of `xmlns` declarations.
pub const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
/// `http://etherx.jabber.org/streams`, the namespace of the stream root.
pub const STREAMS_NS: &str = "http://etherx.jabber.org/streams";

/// Namespace id of "no namespace".
pub(crate) const NS_NONE: u32 = 0;
/// Namespace id of [`XML_NS`].
pub(crate) const NS_XML: u32 = 1;
