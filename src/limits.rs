//! Resource limits: the one place that bounds what a peer can make the parser buffer or do.

/// Bounds on what one stream may contain. Exceeding any of them is an
/// [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) error (condition
/// `policy-violation`), raised as soon as the limit is passed, before more than the limit's
/// worth of bytes has been buffered.
///
/// ```
/// let mut limits = xmpp_stream::Limits::default();
/// limits.max_stanza_bytes = 64 * 1024;
/// let parser = xmpp_stream::Parser::with_config(xmpp_stream::Config::default().with_limits(limits));
/// # drop(parser);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest stanza (one depth-1 element, from its `<` to its final `>`), in bytes.
    /// In [`Mode::Document`](crate::Mode::Document) it bounds the root element instead.
    /// Default: 262 144 (256 KiB, Prosody's default stanza size limit). Values above
    /// `u32::MAX` are treated as `u32::MAX`.
    pub max_stanza_bytes: usize,
    /// Largest stream header, from the first `<` of the stream (the XML declaration if
    /// there is one) to the `>` ending the `<stream:stream>` start tag. In
    /// [`Mode::Document`](crate::Mode::Document) it bounds the XML declaration. Default:
    /// 16 384.
    pub max_header_bytes: usize,
    /// Deepest element nesting inside a stanza; the stanza element itself is at depth 1.
    /// Default: 128.
    pub max_depth: usize,
    /// Most attributes on one element, namespace declarations included. Default: 128.
    pub max_attributes: usize,
    /// Longest element or attribute name (prefix, colon and local part) and longest
    /// entity or character reference body, in bytes. Default: 1024.
    pub max_name_bytes: usize,
    /// Most namespace declarations (`xmlns`, `xmlns:p`) on one element. Default: 32.
    pub max_namespace_declarations: usize,
    /// Most prefix bindings (`xmlns:p` declarations) in scope at once, the stream header's
    /// included. Resolving a prefix looks through them, so this bounds the work per
    /// prefixed name. Default: 64.
    pub max_namespace_bindings: usize,
    /// Most entries in one stanza's index: elements, attributes and runs of character
    /// data together. Each costs a record of 28 to 44 bytes, so this bounds the index of
    /// a stanza made of tiny elements (`<a/><a/>...`), which would otherwise take ~10
    /// times its own size. Default: 16 384 (the largest stanza of the bundled corpus, a
    /// roster, has about 1 200).
    pub max_stanza_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_stanza_bytes: 256 * 1024,
            max_header_bytes: 16 * 1024,
            max_depth: 128,
            max_attributes: 128,
            max_name_bytes: 1024,
            max_namespace_declarations: 32,
            max_namespace_bindings: 64,
            max_stanza_nodes: 16 * 1024,
        }
    }
}

impl Limits {
    /// Limits large enough for whole documents (conformance suites, files): 1 GiB per
    /// element tree, depth 10 000, 10 000 attributes and declarations, 100 000 bindings,
    /// 64 KiB names.
    pub fn generous() -> Self {
        Limits {
            max_stanza_bytes: 1 << 30,
            max_header_bytes: 1 << 30,
            max_depth: 10_000,
            max_attributes: 10_000,
            max_name_bytes: 64 * 1024,
            max_namespace_declarations: 10_000,
            max_namespace_bindings: 100_000,
            max_stanza_nodes: 100_000_000,
        }
    }

    pub(crate) fn stanza_bytes(&self) -> usize {
        self.max_stanza_bytes.min(u32::MAX as usize)
    }

    pub(crate) fn header_bytes(&self) -> usize {
        self.max_header_bytes.min(u32::MAX as usize)
    }
}

/// Names the limit that an [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded)
/// error tripped; each variant corresponds to one field of [`Limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Limit {
    /// [`Limits::max_stanza_bytes`].
    StanzaBytes,
    /// [`Limits::max_header_bytes`].
    HeaderBytes,
    /// [`Limits::max_depth`].
    Depth,
    /// [`Limits::max_attributes`].
    Attributes,
    /// [`Limits::max_name_bytes`].
    NameBytes,
    /// [`Limits::max_namespace_declarations`].
    NamespaceDeclarations,
    /// [`Limits::max_namespace_bindings`].
    NamespaceBindings,
    /// [`Limits::max_stanza_nodes`].
    StanzaNodes,
}

impl Limit {
    /// The name of the [`Limits`] field, e.g. `"max_stanza_bytes"`.
    pub fn field_name(self) -> &'static str {
        match self {
            Limit::StanzaBytes => "max_stanza_bytes",
            Limit::HeaderBytes => "max_header_bytes",
            Limit::Depth => "max_depth",
            Limit::Attributes => "max_attributes",
            Limit::NameBytes => "max_name_bytes",
            Limit::NamespaceDeclarations => "max_namespace_declarations",
            Limit::NamespaceBindings => "max_namespace_bindings",
            Limit::StanzaNodes => "max_stanza_nodes",
        }
    }
}
