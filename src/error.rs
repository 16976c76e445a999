//! The parser's one error type: what rule was broken ([`ErrorKind`]), where (a byte offset
//! from the start of the stream), and which RFC 6120 condition to send ([`Error::condition`]).

use crate::condition::Condition;
use crate::limits::Limit;
use core::fmt;

/// A parse error: the rule broken and the byte offset (counted from the first byte fed
/// since the parser was created or [`reset`](crate::Parser::reset)) where it was detected.
///
/// Errors are sticky: once the parser has returned one, it returns the same error for
/// every later call until [`reset`](crate::Parser::reset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    offset: u64,
}

/// The rule an input broke. The table below says which [`Condition`] each kind maps to.
///
/// | kinds | condition |
/// |---|---|
/// | XML 1.0 and Namespaces syntax errors (everything not listed below) | `not-well-formed` |
/// | [`Comment`](Self::Comment), [`ProcessingInstruction`](Self::ProcessingInstruction), [`Doctype`](Self::Doctype), [`EntityReference`](Self::EntityReference), [`ByteOrderMark`](Self::ByteOrderMark) | `restricted-xml` |
/// | [`InvalidUtf8`](Self::InvalidUtf8), [`UnsupportedEncoding`](Self::UnsupportedEncoding) | `unsupported-encoding` |
/// | [`InvalidStreamRoot`](Self::InvalidStreamRoot) | `invalid-namespace` |
/// | [`LimitExceeded`](Self::LimitExceeded) | `policy-violation` |
/// | [`UnexpectedEof`](Self::UnexpectedEof) | `incomplete` (not an RFC 6120 condition) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A byte that cannot appear at this point of the grammar (e.g. `< a>`, `<a b>`,
    /// `<a/ >`, `</a b>`).
    UnexpectedByte,
    /// A character outside the XML `Char` production (control characters other than TAB,
    /// LF and CR; U+FFFE; U+FFFF).
    InvalidChar,
    /// A character that is not allowed in an XML `Name` at this position.
    InvalidName,
    /// Two attributes not separated by whitespace (`<a x='1'y='2'/>`).
    MissingWhitespace,
    /// A `<` inside an attribute value.
    LtInAttributeValue,
    /// The sequence `]]>` in character data.
    CDataEndInText,
    /// A reference that is not `&Name;`, `&#digits;` or `&#xhex;`.
    MalformedReference,
    /// A character reference to a code point outside the `Char` production.
    InvalidCharReference,
    /// An end tag whose name differs from the open element's (or an end tag with no open
    /// element).
    MismatchedEndTag,
    /// Two attributes with the same qualified name, or (after namespace resolution) with
    /// the same namespace and local name.
    DuplicateAttribute,
    /// Non-whitespace character data, a reference or CDATA before or after the root element.
    TextOutsideRoot,
    /// Non-whitespace character data, a reference or CDATA directly inside the stream
    /// root, between stanzas (only whitespace keepalives may appear there).
    TextAtStreamLevel,
    /// An element after the root element has been closed (or after the stream was closed).
    ContentAfterRoot,
    /// An XML declaration that breaks the `XMLDecl` production.
    MalformedXmlDeclaration,
    /// `<?xml ` anywhere but at the very start of a document.
    MisplacedXmlDeclaration,
    /// A name with more than one colon, or a colon at its start or end.
    InvalidQName,
    /// A prefix with no namespace declaration in scope.
    UnboundPrefix,
    /// The `xmlns` prefix declared or used on an element, or the `xml` prefix bound to
    /// another namespace.
    ReservedPrefix,
    /// The XML or XMLNS namespace bound to a prefix other than its own (or as default).
    ReservedNamespace,
    /// `xmlns:p=''`: un-declaring a prefix, which Namespaces in XML 1.0 forbids.
    EmptyPrefixBinding,
    /// A comment (`<!--`), forbidden by RFC 6120 section 11.1.
    Comment,
    /// A processing instruction other than the XML declaration.
    ProcessingInstruction,
    /// A document type declaration (`<!DOCTYPE`).
    Doctype,
    /// An entity reference other than `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`.
    EntityReference,
    /// A UTF-8 byte order mark at the start of the stream (RFC 6120 section 11.6 says
    /// entities MUST NOT send one; it is reported as `restricted-xml`).
    ByteOrderMark,
    /// Bytes that are not UTF-8: overlong forms, surrogates, code points above U+10FFFF,
    /// stray continuation bytes, or bytes that can never appear in UTF-8.
    InvalidUtf8,
    /// An XML declaration naming an encoding other than UTF-8.
    UnsupportedEncoding,
    /// The root is not `stream` in `http://etherx.jabber.org/streams` (in
    /// [`Mode::Stream`](crate::Mode::Stream)).
    InvalidStreamRoot,
    /// A [`Limits`](crate::Limits) value was passed.
    LimitExceeded(Limit),
    /// The input ended inside the stream header, a stanza, or a document's prolog.
    UnexpectedEof,
}

impl ErrorKind {
    /// The RFC 6120 stream-error condition for this kind (see the table above).
    pub fn condition(self) -> Condition {
        use ErrorKind::*;
        match self {
            Comment | ProcessingInstruction | Doctype | EntityReference | ByteOrderMark => {
                Condition::RestrictedXml
            }
            InvalidUtf8 | UnsupportedEncoding => Condition::UnsupportedEncoding,
            InvalidStreamRoot => Condition::InvalidNamespace,
            LimitExceeded(_) => Condition::PolicyViolation,
            UnexpectedEof => Condition::Incomplete,
            UnexpectedByte
            | InvalidChar
            | InvalidName
            | MissingWhitespace
            | LtInAttributeValue
            | CDataEndInText
            | MalformedReference
            | InvalidCharReference
            | MismatchedEndTag
            | DuplicateAttribute
            | TextOutsideRoot
            | TextAtStreamLevel
            | ContentAfterRoot
            | MalformedXmlDeclaration
            | MisplacedXmlDeclaration
            | InvalidQName
            | UnboundPrefix
            | ReservedPrefix
            | ReservedNamespace
            | EmptyPrefixBinding => Condition::NotWellFormed,
        }
    }

    fn message(self) -> &'static str {
        use ErrorKind::*;
        match self {
            UnexpectedByte => "unexpected byte",
            InvalidChar => "character not allowed in XML",
            InvalidName => "invalid character in a name",
            MissingWhitespace => "attributes must be separated by whitespace",
            LtInAttributeValue => "'<' in an attribute value",
            CDataEndInText => "']]>' in character data",
            MalformedReference => "malformed entity or character reference",
            InvalidCharReference => "character reference to a character not allowed in XML",
            MismatchedEndTag => "end tag does not match the open element",
            DuplicateAttribute => "duplicate attribute",
            TextOutsideRoot => "character data outside the root element",
            TextAtStreamLevel => "character data between stanzas (only whitespace is allowed)",
            ContentAfterRoot => "content after the end of the root element",
            MalformedXmlDeclaration => "malformed XML declaration",
            MisplacedXmlDeclaration => "XML declaration not at the start of the document",
            InvalidQName => "name is not a valid qualified name",
            UnboundPrefix => "namespace prefix is not bound",
            ReservedPrefix => "misuse of the reserved 'xml' or 'xmlns' prefix",
            ReservedNamespace => "misuse of a reserved namespace name",
            EmptyPrefixBinding => "a prefix cannot be bound to the empty namespace name",
            Comment => "comments are not allowed in XMPP (RFC 6120 section 11.1)",
            ProcessingInstruction => {
                "processing instructions are not allowed in XMPP (RFC 6120 section 11.1)"
            }
            Doctype => "document type declarations are not allowed in XMPP (RFC 6120 section 11.1)",
            EntityReference => {
                "only the five predefined entity references are allowed (RFC 6120 section 11.1)"
            }
            ByteOrderMark => "a byte order mark is not allowed (RFC 6120 section 11.6)",
            InvalidUtf8 => "invalid UTF-8",
            UnsupportedEncoding => "only UTF-8 is supported",
            InvalidStreamRoot => {
                "root element is not <stream:stream/> in http://etherx.jabber.org/streams"
            }
            LimitExceeded(Limit::StanzaBytes) => "stanza size limit exceeded",
            LimitExceeded(Limit::HeaderBytes) => "stream header size limit exceeded",
            LimitExceeded(Limit::Depth) => "element nesting depth limit exceeded",
            LimitExceeded(Limit::Attributes) => "attribute count limit exceeded",
            LimitExceeded(Limit::NameBytes) => "name length limit exceeded",
            LimitExceeded(Limit::NamespaceDeclarations) => {
                "namespace declaration count limit exceeded"
            }
            LimitExceeded(Limit::NamespaceBindings) => {
                "limit of namespace prefixes in scope exceeded"
            }
            LimitExceeded(Limit::StanzaNodes) => {
                "limit of elements, attributes and text runs per stanza exceeded"
            }
            UnexpectedEof => "input ended inside the stream header or a stanza",
        }
    }
}

impl Error {
    /// Builds an error of `kind` at byte `offset`.
    pub fn new(kind: ErrorKind, offset: u64) -> Self {
        Error { kind, offset }
    }

    /// The rule that was broken.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Byte offset, from the start of the stream, of the byte where the error was
    /// detected: generally the first byte that makes the input wrong (the `<` of a
    /// comment, the `&` of a bad reference, the first invalid UTF-8 byte, the `<` of a
    /// mismatched end tag, the first byte past a limit, the end of input).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The RFC 6120 stream-error condition to send for this error.
    pub fn condition(&self) -> Condition {
        self.kind.condition()
    }

    /// A short English description of the rule that was broken.
    pub fn message(&self) -> &'static str {
        self.kind.message()
    }

    pub(crate) fn rebase(self, base: u64) -> Self {
        Error {
            kind: self.kind,
            offset: self.offset + base,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at byte {} ({})",
            self.message(),
            self.offset,
            self.condition()
        )
    }
}

impl std::error::Error for Error {}

/// Shorthand used inside the crate: an error at a buffer index, rebased by the parser.
#[inline(never)]
#[cold]
pub(crate) fn err<T>(kind: ErrorKind, at: usize) -> Result<T, Error> {
    Err(Error::new(kind, at as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_follow_the_table() {
        assert_eq!(ErrorKind::Comment.condition(), Condition::RestrictedXml);
        assert_eq!(
            ErrorKind::ByteOrderMark.condition(),
            Condition::RestrictedXml
        );
        assert_eq!(
            ErrorKind::InvalidUtf8.condition(),
            Condition::UnsupportedEncoding
        );
        assert_eq!(
            ErrorKind::InvalidStreamRoot.condition(),
            Condition::InvalidNamespace
        );
        assert_eq!(
            ErrorKind::LimitExceeded(Limit::Depth).condition(),
            Condition::PolicyViolation
        );
        assert_eq!(
            ErrorKind::UnboundPrefix.condition(),
            Condition::NotWellFormed
        );
        assert_eq!(ErrorKind::UnexpectedEof.condition(), Condition::Incomplete);
    }

    #[test]
    fn display_names_offset_and_condition() {
        let e = Error::new(ErrorKind::Comment, 42);
        let s = e.to_string();
        assert!(s.contains("42") && s.contains("restricted-xml"), "{s}");
        assert_eq!(e.rebase(8).offset(), 50);
    }

    #[test]
    fn error_is_small() {
        assert!(core::mem::size_of::<Error>() <= 16);
    }
}
