//! Namespaces in XML 1.0: the [`Resolver`] that gives every element and attribute name
//! its namespace, processes `xmlns` declarations into scoped bindings, enforces the
//! reserved names and rejects duplicate attributes. The framer drives it once per start
//! tag; the namespace names it stores live in the tree layer's table, which the views
//! read.

mod bindings;
mod duplicates;
mod resolver;

pub(crate) use self::resolver::Resolver;
