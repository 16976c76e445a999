//! The parser core behind one Lua `lxp` parser object: an `xmpp_stream::Parser` in
//! [`Mode::AnyRoot`] (any root element: its start tag, each complete depth-1 element, its
//! end tag), the stream bookkeeping that turns events into lua-expat callback records
//! with byte counts, and positions for errors. lxp.lua drives it and calls the callbacks.
//!
//! Byte counts: every byte from the root's start tag to its end tag is counted by
//! exactly one record (whitespace between depth-1 elements by a `CharacterData` record,
//! as expat reports it), so the counts Prosody adds up equal the bytes it fed; the XML
//! declaration is counted by its `XmlDecl` record when there is one.

use crate::position::Pos;
use crate::records::{self, Names, Out, Wants};
use crate::xmldecl;
use memchr::memrchr;
use mlua::{Lua, Result, String as LuaString, Table, UserData, UserDataMethods, Value};
use xmpp_stream::{Condition, Config, Error, ErrorKind, Event, Limits, Mode, Parser};

/// The default limits of a module parser: the crate's, but for stanzas of up to 1 MiB
/// (Prosody's own default stanza size limit in util/xmppstream.lua) with up to 128 Ki
/// index entries (Prosody's c2s child-element quota is 25 000 elements, each with
/// attributes and text), so that Prosody's configured limits, which it checks after
/// each `parse()`, stay the ones that apply to any stanza it would take.
pub(crate) fn default_limits() -> Limits {
    let mut l = Limits::default();
    l.max_stanza_bytes = 1024 * 1024;
    l.max_stanza_nodes = 128 * 1024;
    l
}

/// Above this many heap bytes, a parser gives its grown buffers back after a stanza
/// (one large stanza must not keep a connection's memory high for its lifetime).
const RELEASE_ABOVE: usize = 256 * 1024;

/// Largest piece of a chunk given to the parser at once.
const PIECE: usize = 64 * 1024;

/// Records handed to Lua at once, in bytes (roughly: an event is never split).
const BATCH: usize = 128 * 1024;

/// A parse error as lua-expat reports it.
#[derive(Debug, Clone)]
struct Failure {
    /// What `parse` returns as the message: the crate's message, but
    /// `"stanza-too-large"` for a limit (condition `policy-violation`), the string
    /// Prosody's util/xmppstream.lua returns for its own size limit, so that mod_c2s and
    /// mod_s2s answer a limit with `policy-violation` as they do for theirs.
    message: String,
    /// The crate's message (which rule or limit, and where).
    detail: String,
    condition: &'static str,
    pos: Pos,
    offset: u64,
}

/// See the module docs.
pub(crate) struct Core {
    parser: Parser,
    st: State,
    /// The records being written (the buffer is reused).
    out: Out,
}

/// Everything but the parser, so that both can be borrowed at once.
struct State {
    wants: Wants,
    names: Names,
    /// The chunk being parsed, and the stream offset of its first byte: whitespace
    /// between depth-1 elements is read from it for `CharacterData` records.
    chunk: Option<LuaString>,
    chunk_start: u64,
    /// Bytes given to the parser so far (the chunk goes in by pieces of at most
    /// `PIECE` bytes, each once the parser needs more, so that a parser never holds more
    /// than its limit plus one piece, however large the chunk).
    fed: u64,
    /// Every byte before this stream offset has been counted by a record (or lies in the
    /// prolog or epilog, which expat reports to no counted callback but `XmlDecl`).
    counted: u64,
    /// Inside the root element (after its start tag, before its end tag).
    in_root: bool,
    /// The root element has started.
    root_started: bool,
    /// The last whitespace reported between stanzas ended with CR (a LF right after it
    /// belongs to the same line end).
    after_cr: bool,
    /// Records handed to Lua so far, and records to drop (see `reread_as_document`).
    emitted: usize,
    skip: usize,
    /// Reading the input as one document (`reread_as_document`).
    document: bool,
    /// The input before the root's name is known, not yet given to the parser. A root
    /// `<stream:stream>` makes a parser that reads a new stream header between stanzas
    /// as a new stream: after a stream restart Prosody replaces the parser from inside a
    /// callback, and with expat the old parser goes on with the rest of the chunk,
    /// delivering the new header's `StartElement` (and what follows) to the same
    /// handlers; a pipelined `<auth/><stream:stream ...>` in one read then works the same.
    undecided: Option<Vec<u8>>,
    limits: Limits,
    /// The bytes before the root's start tag, kept (up to the header limit) only when
    /// there is an `XmlDecl` callback and only until the root starts.
    prolog: Vec<u8>,
    prolog_cap: usize,
    /// Line and column at the start of the current chunk and after it.
    pos_chunk: Pos,
    pos_end: Pos,
    failure: Option<Failure>,
}

/// The fields of `Limits`, by the names `lxp.limits` uses (the Rust field names).
pub(crate) fn limit_fields(l: &mut Limits) -> [(&'static str, &mut usize); 8] {
    [
        ("max_stanza_bytes", &mut l.max_stanza_bytes),
        ("max_header_bytes", &mut l.max_header_bytes),
        ("max_depth", &mut l.max_depth),
        ("max_attributes", &mut l.max_attributes),
        ("max_name_bytes", &mut l.max_name_bytes),
        (
            "max_namespace_declarations",
            &mut l.max_namespace_declarations,
        ),
        ("max_namespace_bindings", &mut l.max_namespace_bindings),
        ("max_stanza_nodes", &mut l.max_stanza_nodes),
    ]
}

fn limits_from(t: Option<Table>) -> Result<Limits> {
    let mut l = default_limits();
    let Some(t) = t else { return Ok(l) };
    for (name, slot) in limit_fields(&mut l) {
        if let Some(v) = t.get::<Option<i64>>(name)? {
            if v <= 0 {
                return Err(mlua::Error::runtime(format!(
                    "lxp limit {name} must be a positive integer"
                )));
            }
            *slot = v as usize;
        }
    }
    Ok(l)
}

/// What is left to do once an event is released (it borrows the parser).
enum After {
    /// The root's start tag (`len` bytes) was read.
    Root {
        len: usize,
    },
    /// A stanza ended at this stream offset.
    Counted(u64),
    Close,
}

impl Core {
    pub(crate) fn new(sep: Option<u8>, wants: u32, limits: Option<Table>) -> Result<Core> {
        let limits = limits_from(limits)?;
        Ok(Core {
            parser: Parser::with_config(
                Config::default()
                    .with_mode(Mode::AnyRoot)
                    .with_limits(limits),
            ),
            st: State {
                wants: Wants::from_bits(wants),
                names: Names::new(sep),
                chunk: None,
                chunk_start: 0,
                fed: 0,
                counted: 0,
                in_root: false,
                root_started: false,
                after_cr: false,
                emitted: 0,
                skip: 0,
                document: false,
                undecided: Some(Vec::new()),
                limits,
                prolog: Vec::new(),
                prolog_cap: limits.max_header_bytes,
                pos_chunk: Pos::default(),
                pos_end: Pos::default(),
                failure: None,
            },
            out: Out::default(),
        })
    }

    fn feed(&mut self, data: LuaString) {
        let st = &mut self.st;
        let bytes = data.as_bytes();
        st.pos_chunk = st.pos_end;
        st.pos_end = st.pos_end.after(&bytes);
        st.chunk_start = st.fed;
        if st.wants.xml_decl && !st.root_started && st.prolog.len() < st.prolog_cap {
            let room = st.prolog_cap - st.prolog.len();
            st.prolog.extend_from_slice(&bytes[..bytes.len().min(room)]);
        }
        drop(bytes);
        st.chunk = Some(data);
    }

    /// Gives the parser the next piece of the chunk; false when all of it was given.
    fn feed_piece(&mut self) -> bool {
        let st = &mut self.st;
        let Some(c) = &st.chunk else { return false };
        let b = c.as_bytes();
        let at = (st.fed - st.chunk_start) as usize;
        if at >= b.len() {
            return false;
        }
        let end = b.len().min(at + PIECE);
        st.fed += (end - at) as u64;
        let Some(pending) = &mut st.undecided else {
            self.parser.feed(&b[at..end]);
            return true;
        };
        pending.extend_from_slice(&b[at..end]);
        let kind = root_kind(pending);
        if kind.is_none() && pending.len() <= st.prolog_cap {
            return true;
        }
        // A `<stream:stream>` root: a new stream header between stanzas starts a new
        // stream (see `State::undecided`).
        let config = Config::default()
            .with_mode(Mode::AnyRoot)
            .with_limits(st.limits)
            .with_implicit_restart(kind == Some(true));
        self.parser = Parser::with_config(config);
        self.parser.feed(pending);
        st.undecided = None;
        true
    }

    /// Ends the input: true if the document was complete (else `error()` tells).
    fn finish(&mut self) -> bool {
        if self.st.failure.is_some() {
            return false;
        }
        match self.parser.finish() {
            // expat: a document ends with its root element ("no element found").
            Ok(()) if self.st.in_root || !self.st.root_started => {
                self.st
                    .fail(Error::new(ErrorKind::UnexpectedEof, self.st.fed));
                false
            }
            Ok(()) => true,
            Err(e) => {
                self.st.fail(e);
                false
            }
        }
    }

    /// The records of the events read from the input fed so far, as one string
    /// (records.rs; nil when there are none), and a status: 0 when the parser needs more
    /// input, 1 when there are more records to take (`next()` again: a batch holds at
    /// most about `BATCH` bytes), -1 on a parse error (`error()` tells; the records
    /// before the error come first).
    fn next(&mut self, lua: &Lua) -> Result<(Value, i64)> {
        let mut status = -1;
        self.out.buf.clear();
        self.out.records = 0;
        if self.st.failure.is_none() {
            self.out.skip = self.st.skip;
            status = loop {
                match self.next_into() {
                    1 if self.out.buf.len() < BATCH => continue,
                    s => break s,
                }
            };
            self.st.skip = self.out.skip;
            self.st.emitted += self.out.records;
        }
        let records = if self.out.records > 0 {
            Value::String(lua.create_string(&self.out.buf)?)
        } else {
            Value::Nil
        };
        Ok((records, status))
    }

    /// Text directly inside the root (`<a>text<b/></a>`) is not a stream, but lua-expat
    /// takes it, and util/xml.lua parses such documents. When the whole input so far
    /// is the current chunk (one `parse(document)` call, as util/xml.lua makes), it is
    /// read again as one document (`Mode::Document`: the root is one complete event),
    /// dropping the records already handed out. Returns whether it switched.
    fn reread_as_document(&mut self, e: &Error) -> bool {
        let st = &mut self.st;
        let Some(chunk) = st.chunk.clone() else {
            return false;
        };
        if e.kind() != ErrorKind::TextAtStreamLevel || st.document || st.chunk_start != 0 {
            return false;
        }
        let limits = *self.parser.config().limits();
        self.parser = Parser::with_config(
            Config::default()
                .with_mode(Mode::Document)
                .with_limits(limits),
        );
        // The chunk goes in again from its start, by pieces.
        st.fed = 0;
        let bytes = chunk.as_bytes();
        st.prolog = bytes[..bytes.len().min(st.prolog_cap)].to_vec();
        st.document = true;
        st.in_root = false;
        st.counted = 0;
        // Every record made so far (handed out, or in `out`) comes again: drop those.
        self.out.skip = st.emitted + self.out.records;
        true
    }

    /// Adds the records of the next event to `out`; returns 1 when it read an event, 0
    /// when the parser needs more input, -1 on a parse error.
    fn next_into(&mut self) -> i64 {
        loop {
            let Core { parser, st, out } = self;
            let wants = st.wants;
            let names = &st.names;
            let after = match parser.next_event() {
                Err(e) => {
                    if self.reread_as_document(&e) {
                        continue;
                    }
                    self.st.fail(e);
                    // Records made before the error still go out first.
                    return -1;
                }
                Ok(None) => {
                    if self.feed_piece() {
                        continue;
                    }
                    let Core { parser, st, out } = self;
                    // Whitespace read up to the bytes the parser still holds.
                    let held = st.fed - parser.buffered() as u64;
                    st.gap(out, held);
                    return 0;
                }
                Ok(Some(Event::Header(root))) => {
                    if wants.xml_decl {
                        if let Some(d) = xmldecl::parse(&st.prolog) {
                            out.xml_decl(&d);
                        }
                        st.prolog = Vec::new();
                    }
                    let len = root.raw().len();
                    out.start(wants, names, &root, len);
                    After::Root { len }
                }
                Ok(Some(Event::Stanza(s))) => {
                    let at = s.offset();
                    if st.document {
                        if wants.xml_decl {
                            if let Some(d) = xmldecl::parse(&st.prolog) {
                                out.xml_decl(&d);
                            }
                            st.prolog = Vec::new();
                        }
                        st.root_started = true;
                    }
                    st.gap(out, at);
                    records::element_tree(out, wants, &st.names, s.root(), s.raw());
                    After::Counted(at + s.raw().len() as u64)
                }
                Ok(Some(Event::Close)) => After::Close,
                // `Event` is `#[non_exhaustive]`: a kind lua-expat has no callback for.
                Ok(Some(_)) => continue,
            };
            match after {
                After::Root { len } => {
                    let end = parser.offset();
                    debug_assert!(end >= len as u64);
                    st.in_root = true;
                    st.root_started = true;
                    st.counted = end;
                }
                After::Counted(end) => {
                    st.counted = end;
                    if parser.heap_bytes() > RELEASE_ABOVE {
                        parser.release_memory();
                    }
                }
                After::Close => {
                    let end = parser.offset();
                    // The end tag starts at the last '<' before `end` (in this chunk).
                    let tag_start = st.last_lt(st.counted, end).unwrap_or(st.counted);
                    st.gap(out, tag_start);
                    st.in_root = false;
                    if let Some(root) = parser.header() {
                        out.end(wants, &st.names, &root, None, (end - tag_start) as usize);
                    }
                    st.counted = end;
                }
            }
            return 1;
        }
    }
}

impl State {
    /// Position of stream offset `at`: exact inside the current chunk, else the chunk's
    /// start.
    fn pos_at(&self, at: u64) -> Pos {
        match (&self.chunk, self.chunk_range(self.chunk_start, at)) {
            (Some(c), Some((lo, hi))) => self.pos_chunk.after(&c.as_bytes()[lo..hi]),
            _ => self.pos_chunk,
        }
    }

    /// Indexes into the current chunk of the bytes between two stream offsets (clamped
    /// to the chunk).
    fn chunk_range(&self, from: u64, to: u64) -> Option<(usize, usize)> {
        let len = self.chunk.as_ref()?.as_bytes().len() as u64;
        let lo = (from.max(self.chunk_start) - self.chunk_start).min(len) as usize;
        let hi = (to.max(self.chunk_start) - self.chunk_start).min(len) as usize;
        Some((lo.min(hi), hi))
    }

    /// The current chunk's bytes between two stream offsets.
    fn chunk_bytes(&self, from: u64, to: u64) -> Vec<u8> {
        match (&self.chunk, self.chunk_range(from, to)) {
            (Some(c), Some((lo, hi))) => c.as_bytes()[lo..hi].to_vec(),
            _ => Vec::new(),
        }
    }

    /// Stream offset of the last `<` between two offsets, if the current chunk holds it.
    fn last_lt(&self, from: u64, to: u64) -> Option<u64> {
        let c = self.chunk.as_ref()?;
        let (lo, hi) = self.chunk_range(from, to)?;
        let i = memrchr(b'<', &c.as_bytes()[lo..hi])?;
        Some(self.chunk_start + (lo + i) as u64)
    }

    fn fail(&mut self, e: Error) {
        if self.failure.is_none() {
            let detail = e.to_string();
            let message = if e.condition() == Condition::PolicyViolation {
                "stanza-too-large".to_string()
            } else {
                detail.clone()
            };
            self.failure = Some(Failure {
                message,
                detail,
                condition: e.condition().as_str(),
                pos: self.pos_at(e.offset()),
                offset: e.offset(),
            });
        }
    }

    /// A `CharacterData` record for the whitespace between depth-1 elements, from the
    /// last counted byte up to stream offset `upto`, read from the current chunk.
    fn gap(&mut self, out: &mut Out, upto: u64) {
        if upto <= self.counted {
            return;
        }
        let count = (upto - self.counted) as usize;
        if self.in_root && self.wants.chars {
            let mut raw = self.chunk_bytes(self.counted, upto);
            if self.after_cr && raw.first() == Some(&b'\n') {
                raw.remove(0);
            }
            self.after_cr = raw.last() == Some(&b'\r');
            out.chars(&normalize_line_ends(raw), count);
        }
        self.counted = upto;
    }
}

impl UserData for Core {
    fn add_methods<M: UserDataMethods<Self>>(m: &mut M) {
        // parse(chunk): feeds it and returns what next() returns.
        m.add_method_mut("parse", |lua, this, data: LuaString| {
            this.feed(data);
            this.next(lua)
        });
        m.add_method_mut("finish", |_, this, ()| Ok(this.finish()));
        m.add_method_mut("next", |lua, this, ()| this.next(lua));
        // Nothing, or message, line, column (from 1), byte position (from 1), the RFC 6120
        // condition, and the detailed message.
        m.add_method("error", |lua, this, ()| {
            let Some(f) = &this.st.failure else {
                return Ok(mlua::MultiValue::new());
            };
            let vals: [Value; 6] = [
                Value::String(lua.create_string(&f.message)?),
                Value::Integer(f.pos.line as i64),
                Value::Integer(f.pos.col as i64 + 1),
                Value::Integer(f.offset as i64 + 1),
                Value::String(lua.create_string(f.condition)?),
                Value::String(lua.create_string(&f.detail)?),
            ];
            Ok(vals.into_iter().collect())
        });
        // Line, column (from 1) and byte position (from 1) of the end of the input fed.
        m.add_method("pos", |_, this, ()| {
            let p = this.st.pos_end;
            Ok((p.line as i64, p.col as i64 + 1, this.st.fed as i64 + 1))
        });
        m.add_method_mut("set_triplet", |_, this, on: bool| {
            this.st.names.triplet = on;
            Ok(())
        });
        // Bytes of input the parser holds (a partial stanza), and its heap bytes, for
        // tests.
        m.add_method("buffered", |_, this, ()| Ok(this.parser.buffered()));
        m.add_method("heap_bytes", |_, this, ()| Ok(this.parser.heap_bytes()));
    }
}

/// CR LF and lone CR become LF, as XML 1.0 section 2.11 says (whitespace between
/// stanzas is not read by the parser's text decoder).
fn normalize_line_ends(mut b: Vec<u8>) -> Vec<u8> {
    if memchr::memchr(b'\r', &b).is_none() {
        return b;
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\r' {
            out.push(b'\n');
            if b.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            out.push(b[i]);
        }
        i += 1;
    }
    b.clear();
    out
}

/// Whether the root start tag at the start of `prolog` is a stream root (local name
/// `stream`, as `<stream:stream`), once that is known: `None` while the prolog may
/// still continue (XML declaration, whitespace, a name cut short).
fn root_kind(prolog: &[u8]) -> Option<bool> {
    let mut i = 0;
    loop {
        while prolog.get(i).is_some_and(|b| b" \t\r\n".contains(b)) {
            i += 1;
        }
        if *prolog.get(i)? != b'<' {
            return Some(false);
        }
        match *prolog.get(i + 1)? {
            b'?' => {
                let end = memchr::memmem::find(&prolog[i..], b"?>")?;
                i += end + 2;
            }
            b'!' => return Some(false),
            _ => {
                let name = &prolog[i + 1..];
                let len = name.iter().position(|b| b" \t\r\n/>".contains(b))?;
                let qname = &name[..len];
                let local = match memchr::memchr(b':', qname) {
                    Some(c) => &qname[c + 1..],
                    None => qname,
                };
                return Some(local == b"stream");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_kind_reads_the_root_name() {
        assert_eq!(
            root_kind(b"<?xml version='1.0'?>\n<stream:stream xmlns="),
            Some(true)
        );
        assert_eq!(root_kind(b"<stream:stream>"), Some(true));
        assert_eq!(
            root_kind(b"<body xmlns='http://jabber.org/protocol/httpbind'/>"),
            Some(false)
        );
        assert_eq!(root_kind(b"<open/>"), Some(false));
        assert_eq!(root_kind(b"<!-- c -->"), Some(false));
        assert_eq!(root_kind(b"x"), Some(false));
        assert_eq!(root_kind(b"<?xml version='1.0'?><stream:str"), None);
        assert_eq!(root_kind(b"<?xml version="), None);
        assert_eq!(root_kind(b"  "), None);
    }
}
