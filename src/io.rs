//! Drivers that read a byte stream straight into a [`Parser`]'s buffer and hand out its
//! events: [`Reader`] over any [`std::io::Read`] (a `TcpStream`, a file, stdin) and, with
//! the `tokio` feature, [`AsyncReader`] over any `tokio::io::AsyncRead`.
//!
//! Both lend their events the way [`Parser::next_event`] does: an event borrows the
//! reader until the next call, so the loop is `while let Some(event) =
//! reader.next_event()? { ... }`, and restarting the stream (after STARTTLS or SASL
//! success) is a call to [`Reader::restart`] once the event that asked for it is no
//! longer used. No byte is copied between the reader and the parser: each read goes into
//! the parser's spare capacity ([`Parser::spare_capacity`]).
//!
//! Errors are one [`ReadError`]: an I/O error from the reader, or a parse [`Error`]
//! (sticky, like the parser's) including the `incomplete` error of a stream that ended
//! inside its header or a stanza.
//!
//! ```
//! use xmpp_stream::io::Reader;
//! use xmpp_stream::Event;
//!
//! let input: &[u8] = b"<stream:stream xmlns='jabber:client' \
//!     xmlns:stream='http://etherx.jabber.org/streams'>\
//!     <message><body>hi</body></message></stream:stream>";
//! let mut reader = Reader::new(input);
//! let mut seen = Vec::new();
//! while let Some(event) = reader.next_event()? {
//!     seen.push(match event {
//!         Event::Header(_) => "header".to_string(),
//!         Event::Stanza(s) => s.root().child("jabber:client", "body").unwrap().text().into(),
//!         Event::Close => "close".to_string(),
//!         _ => "other".to_string(), // `Event` is `#[non_exhaustive]`
//!     });
//! }
//! assert_eq!(seen, ["header", "hi", "close"]);
//! assert_eq!(reader.bytes_read(), input.len() as u64);
//! # Ok::<(), xmpp_stream::io::ReadError>(())
//! ```
//!
#![cfg_attr(not(feature = "tokio"), doc = "[`AsyncReader`]: crate#feature-flags")]

use crate::error::Error;
use crate::parser::{Config, Event, Parser};
use core::fmt;
use std::io::{self, Read};

/// What can go wrong reading a stream: the reader failed, or the bytes are not a valid
/// stream.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReadError {
    /// The underlying reader (or writer, for codecs) failed. `Interrupted` is retried by
    /// the drivers and never reported; `WouldBlock` from a non-blocking reader is
    /// reported, and the call can be repeated later.
    Io(io::Error),
    /// The input broke a rule ([`Error::condition`] says which stream error to send), or
    /// ended inside the stream header or a stanza ([`ErrorKind::UnexpectedEof`](crate::ErrorKind::UnexpectedEof)).
    /// Sticky: every later call returns it again.
    Parse(Error),
}

impl ReadError {
    /// The parse error, if this is one.
    pub fn parse_error(&self) -> Option<Error> {
        match self {
            ReadError::Parse(e) => Some(*e),
            ReadError::Io(_) => None,
        }
    }

    /// The I/O error, if this is one.
    pub fn io_error(&self) -> Option<&io::Error> {
        match self {
            ReadError::Io(e) => Some(e),
            ReadError::Parse(_) => None,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "read error: {e}"),
            ReadError::Parse(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io(e) => Some(e),
            ReadError::Parse(e) => Some(e),
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

impl From<Error> for ReadError {
    fn from(e: Error) -> Self {
        ReadError::Parse(e)
    }
}

/// Parse errors become [`io::ErrorKind::InvalidData`] with the [`Error`] inside.
impl From<ReadError> for io::Error {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io(e) => e,
            ReadError::Parse(e) => io::Error::new(io::ErrorKind::InvalidData, e),
        }
    }
}

/// A [`Parser`] reading from a blocking [`Read`]er.
///
/// Each read goes straight into the parser's buffer; [`next_event`](Self::next_event)
/// reads only when the parser needs more bytes, and at end of input checks that the
/// stream ended cleanly ([`Parser::finish`]). The reader is not buffered further: wrap
/// it in a `BufReader` only if it is expensive to read from in small pieces (the parser
/// asks for at least 8 KiB per read anyway).
///
/// A server reading a client over TCP (writes go to a clone of the socket):
///
/// ```no_run
/// use std::io::Write;
/// use std::net::TcpListener;
/// use xmpp_stream::io::Reader;
/// use xmpp_stream::xmpp::{write_header, HeaderSpec, Kind};
/// use xmpp_stream::Event;
///
/// let listener = TcpListener::bind("127.0.0.1:5222")?;
/// let (socket, _) = listener.accept()?;
/// let mut out = socket.try_clone()?;
/// let mut reader = Reader::new(socket);
/// while let Some(event) = reader.next_event()? {
///     let mut reply = Vec::new();
///     let mut restart = false;
///     match event {
///         Event::Header(_) => write_header(&mut reply, &HeaderSpec {
///             from: Some("example.com"), id: Some("s1"), ..HeaderSpec::default()
///         }),
///         Event::Stanza(s) if s.kind() == Kind::SaslAuth => {
///             reply.extend_from_slice(b"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
///             restart = true;
///         }
///         Event::Stanza(_) => {}
///         Event::Close => reply.extend_from_slice(b"</stream:stream>"),
///         _ => {}
///     }
///     out.write_all(&reply)?;
///     if restart {
///         reader.restart();
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Reader<R> {
    inner: R,
    parser: Parser,
    /// `Some(n)`: hand the parser exactly `n` bytes per read (fewer only at the end).
    chunk: Option<usize>,
    eof: bool,
    bytes_read: u64,
}

impl<R> fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("parser", &self.parser)
            .field("chunk", &self.chunk)
            .field("eof", &self.eof)
            .field("bytes_read", &self.bytes_read)
            .finish_non_exhaustive()
    }
}

impl<R: Read> Reader<R> {
    /// A reader with a default stream parser ([`Parser::new`]).
    pub fn new(inner: R) -> Self {
        Reader::with_parser(inner, Parser::new())
    }

    /// A reader with a parser built from `config` (limits, mode, implicit restarts).
    pub fn with_config(inner: R, config: Config) -> Self {
        Reader::with_parser(inner, Parser::with_config(config))
    }

    /// A reader feeding an existing parser (which may already hold input).
    pub fn with_parser(inner: R, parser: Parser) -> Self {
        Reader {
            inner,
            parser,
            chunk: None,
            eof: false,
            bytes_read: 0,
        }
    }

    /// Hands the parser exactly `n` bytes per read (fewer only at end of input),
    /// repeating short reads until `n` bytes have arrived: for tests and tools that
    /// exercise chunk boundaries (`xmppdump --chunk N`). `0` restores the default (each
    /// read gives the parser whatever the reader returned). A server should keep the
    /// default: waiting for `n` bytes would delay stanzas.
    pub fn chunk_size(mut self, n: usize) -> Self {
        self.chunk = (n > 0).then_some(n);
        self
    }

    /// The next event; `Ok(None)` once the input has ended cleanly (after the stream
    /// close, between stanzas, or before anything but whitespace). Reads as often as
    /// needed: blocks until an event is complete.
    ///
    /// The event borrows the reader until the next call.
    pub fn next_event(&mut self) -> Result<Option<Event<'_>>, ReadError> {
        loop {
            if self.parser.advance()? {
                return Ok(self.parser.take_event());
            }
            if self.eof {
                self.parser.finish()?;
                return Ok(None);
            }
            self.fill()?;
        }
    }

    /// Reads once (or, with [`chunk_size`](Self::chunk_size), until the chunk is full
    /// or the input ends) into the parser.
    fn fill(&mut self) -> io::Result<()> {
        let Some(size) = self.chunk else {
            let n = loop {
                match self.parser.read_from(&mut self.inner) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            self.bytes_read += n as u64;
            self.eof = n == 0;
            return Ok(());
        };
        let buf = &mut self.parser.spare_capacity_for(size)[..size];
        let mut n = 0;
        let mut result = Ok(());
        while n < size {
            match self.inner.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        // Bytes read before an error are kept (the next call reads on).
        self.parser.commit(n);
        self.bytes_read += n as u64;
        if result.is_ok() {
            self.eof = n < size;
        }
        result
    }

    /// Begins a new stream after STARTTLS or SASL success ([`Parser::restart`]); bytes
    /// already read are kept for it.
    pub fn restart(&mut self) {
        self.parser.restart();
    }

    /// Total bytes read from the reader.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Whether the reader has reported end of input.
    pub fn is_eof(&self) -> bool {
        self.eof
    }

    /// The parser (its header, offset, error, memory use).
    pub fn parser(&self) -> &Parser {
        &self.parser
    }

    /// The parser, mutably (to call [`Parser::release_memory`] on an idle connection,
    /// say). Feeding it directly interleaves with what the reader reads.
    pub fn parser_mut(&mut self) -> &mut Parser {
        &mut self.parser
    }

    /// The underlying reader.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The underlying reader, mutably. Reading from it directly takes those bytes away
    /// from the parser.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The underlying reader and the parser (with whatever input it still holds).
    pub fn into_parts(self) -> (R, Parser) {
        (self.inner, self.parser)
    }

    /// The underlying reader.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

#[cfg(feature = "tokio")]
pub use self::tokio_reader::AsyncReader;

#[cfg(feature = "tokio")]
mod tokio_reader {
    use super::ReadError;
    use crate::parser::{Config, Event, Parser};
    use core::fmt;
    use core::pin::Pin;
    use core::task::Poll;
    use tokio::io::{AsyncRead, ReadBuf};

    /// A [`Parser`] reading from a `tokio::io::AsyncRead` (a `TcpStream` or its read
    /// half, a TLS stream, a `DuplexStream`): the async twin of
    /// [`Reader`](super::Reader). Each read goes straight into the parser's buffer.
    ///
    /// [`next_event`](Self::next_event) is cancel-safe: dropping its future (in a
    /// `tokio::select!` branch that lost, say) loses no input, since bytes read are
    /// handed to the parser in the same poll that reads them.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use xmpp_stream::io::AsyncReader;
    /// use xmpp_stream::Event;
    ///
    /// let (mut client, server) = tokio::io::duplex(64);
    /// tokio::spawn(async move {
    ///     use tokio::io::AsyncWriteExt;
    ///     client.write_all(b"<stream:stream xmlns='jabber:client' \
    ///         xmlns:stream='http://etherx.jabber.org/streams'><presence/>").await.unwrap();
    ///     client.write_all(b"<message><body>hi</body></message></stream:stream>").await.unwrap();
    /// });
    /// let mut reader = AsyncReader::new(server);
    /// let mut kinds = Vec::new();
    /// while let Some(event) = reader.next_event().await? {
    ///     if let Event::Stanza(s) = event {
    ///         kinds.push(s.kind().to_string());
    ///     }
    /// }
    /// assert_eq!(kinds, ["presence", "message"]);
    /// # Ok::<(), xmpp_stream::io::ReadError>(())
    /// # }).unwrap();
    /// ```
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub struct AsyncReader<R> {
        inner: R,
        parser: Parser,
        eof: bool,
        bytes_read: u64,
    }

    impl<R> fmt::Debug for AsyncReader<R> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("AsyncReader")
                .field("parser", &self.parser)
                .field("eof", &self.eof)
                .field("bytes_read", &self.bytes_read)
                .finish_non_exhaustive()
        }
    }

    impl<R: AsyncRead + Unpin> AsyncReader<R> {
        /// A reader with a default stream parser.
        pub fn new(inner: R) -> Self {
            AsyncReader::with_parser(inner, Parser::new())
        }

        /// A reader with a parser built from `config`.
        pub fn with_config(inner: R, config: Config) -> Self {
            AsyncReader::with_parser(inner, Parser::with_config(config))
        }

        /// A reader feeding an existing parser.
        pub fn with_parser(inner: R, parser: Parser) -> Self {
            AsyncReader {
                inner,
                parser,
                eof: false,
                bytes_read: 0,
            }
        }

        /// The next event; `Ok(None)` once the input has ended cleanly. The event
        /// borrows the reader until the next call. Cancel-safe.
        pub async fn next_event(&mut self) -> Result<Option<Event<'_>>, ReadError> {
            loop {
                if self.parser.advance()? {
                    return Ok(self.parser.take_event());
                }
                if self.eof {
                    self.parser.finish()?;
                    return Ok(None);
                }
                let (parser, inner) = (&mut self.parser, &mut self.inner);
                let n = core::future::poll_fn(|cx| {
                    let mut buf = ReadBuf::new(parser.spare_capacity());
                    match Pin::new(&mut *inner).poll_read(cx, &mut buf) {
                        Poll::Ready(Ok(())) => {
                            let n = buf.filled().len();
                            parser.commit(n);
                            Poll::Ready(Ok(n))
                        }
                        Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                        Poll::Pending => Poll::Pending,
                    }
                })
                .await;
                match n {
                    Ok(n) => {
                        self.bytes_read += n as u64;
                        self.eof = n == 0;
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }

        /// Begins a new stream after STARTTLS or SASL success ([`Parser::restart`]).
        pub fn restart(&mut self) {
            self.parser.restart();
        }

        /// Total bytes read.
        pub fn bytes_read(&self) -> u64 {
            self.bytes_read
        }

        /// Whether the reader has reported end of input.
        pub fn is_eof(&self) -> bool {
            self.eof
        }

        /// The parser.
        pub fn parser(&self) -> &Parser {
            &self.parser
        }

        /// The parser, mutably.
        pub fn parser_mut(&mut self) -> &mut Parser {
            &mut self.parser
        }

        /// The underlying reader.
        pub fn get_ref(&self) -> &R {
            &self.inner
        }

        /// The underlying reader, mutably.
        pub fn get_mut(&mut self) -> &mut R {
            &mut self.inner
        }

        /// The underlying reader and the parser.
        pub fn into_parts(self) -> (R, Parser) {
            (self.inner, self.parser)
        }

        /// The underlying reader.
        pub fn into_inner(self) -> R {
            self.inner
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    /// A reader returning at most `max` bytes per call, with an `Interrupted` error
    /// before every other read.
    struct Trickle<'a> {
        data: &'a [u8],
        max: usize,
        interrupt: bool,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = self.max.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    const STREAM: &[u8] = b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams'><presence/> \
        <message><body>caf\xc3\xa9 &amp; cr\xc3\xa8me</body></message></stream:stream>";

    fn collect<R: Read>(mut r: Reader<R>) -> (Vec<String>, Option<ReadError>) {
        let mut out = Vec::new();
        loop {
            match r.next_event() {
                Ok(Some(ev)) => {
                    let mut s = String::new();
                    crate::dump::write_event(&mut s, &ev);
                    out.push(s);
                }
                Ok(None) => return (out, None),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    #[test]
    fn any_chunking_gives_the_same_events() {
        let (whole, err) = collect(Reader::new(STREAM));
        assert!(err.is_none());
        assert_eq!(whole.len(), 4);
        for max in [1, 2, 3, 7, 64] {
            let t = Trickle {
                data: STREAM,
                max,
                interrupt: false,
            };
            assert_eq!(collect(Reader::new(t)).0, whole, "max {max}");
            for chunk in [1, 5, 100, 10_000] {
                let t = Trickle {
                    data: STREAM,
                    max,
                    interrupt: false,
                };
                let (ev, err) = collect(Reader::new(t).chunk_size(chunk));
                assert!(err.is_none());
                assert_eq!(ev, whole, "max {max} chunk {chunk}");
            }
        }
    }

    #[test]
    fn chunks_are_exact() {
        struct Spy<'a>(&'a [u8]);
        impl Read for Spy<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(self.0.len()).min(3);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut r = Reader::new(Spy(STREAM)).chunk_size(10);
        assert!(matches!(r.next_event(), Ok(Some(Event::Header(_)))));
        // The header is complete within the first chunk that holds its '>'.
        let header_end = STREAM.iter().position(|&b| b == b'>').unwrap() + 1;
        let header_end = header_end
            + STREAM[header_end..]
                .iter()
                .position(|&b| b == b'>')
                .unwrap()
            + 1;
        assert_eq!(r.bytes_read(), header_end.div_ceil(10) as u64 * 10);
    }

    #[test]
    fn truncated_input_is_incomplete_and_errors_are_sticky() {
        let cut = &STREAM[..STREAM.len() - 30];
        let mut r = Reader::new(cut);
        let (events, err) = {
            let mut n = 0;
            loop {
                match r.next_event() {
                    Ok(Some(_)) => n += 1,
                    Ok(None) => break (n, None),
                    Err(e) => break (n, Some(e)),
                }
            }
        };
        assert_eq!(events, 2);
        let e = err.unwrap().parse_error().unwrap();
        assert_eq!(e.kind(), ErrorKind::UnexpectedEof);
        assert_eq!(e.offset(), cut.len() as u64);
        assert_eq!(r.next_event().unwrap_err().parse_error(), Some(e));
        let io: io::Error = r.next_event().unwrap_err().into();
        assert_eq!(io.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn io_errors_pass_through_and_reading_resumes() {
        struct Flaky<'a> {
            data: &'a [u8],
            fail: bool,
        }
        impl Read for Flaky<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.fail = !self.fail;
                if self.fail {
                    return Err(io::ErrorKind::WouldBlock.into());
                }
                let n = buf.len().min(self.data.len()).min(20);
                buf[..n].copy_from_slice(&self.data[..n]);
                self.data = &self.data[n..];
                Ok(n)
            }
        }
        let mut r = Reader::new(Flaky {
            data: STREAM,
            fail: false,
        });
        let mut events = 0;
        let mut blocked = 0;
        loop {
            match r.next_event() {
                Ok(Some(_)) => events += 1,
                Ok(None) => break,
                Err(ReadError::Io(e)) => {
                    assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
                    blocked += 1;
                }
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(events, 4);
        assert!(blocked > 5);
        assert!(r.is_eof());
    }

    #[test]
    fn restart_keeps_bytes_already_read() {
        let input: &[u8] = b"<stream:stream xmlns='jabber:client' \
            xmlns:stream='http://etherx.jabber.org/streams'>\
            <success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>\
            <stream:stream xmlns='jabber:client' \
            xmlns:stream='http://etherx.jabber.org/streams' id='2'><presence/>";
        let mut r = Reader::new(input);
        let mut log = Vec::new();
        while let Some(ev) = r.next_event().unwrap() {
            let restart = match ev {
                Event::Header(h) => {
                    log.push(format!("header {:?}", h.attr("", "id")));
                    false
                }
                Event::Stanza(s) => {
                    log.push(s.kind().to_string());
                    s.kind().restarts_stream()
                }
                Event::Close => false,
            };
            if restart {
                r.restart();
            }
        }
        assert_eq!(
            log,
            [
                "header None",
                "sasl-success",
                "header Some(\"2\")",
                "presence"
            ]
        );
        let (_, parser) = r.into_parts();
        assert!(parser.header().is_some());
    }
}
