//! The core shared by [`Reader`](super::Reader) and [`AsyncReader`](super::AsyncReader):
//! the parser and the reading state, the driver loop's step ([`Core::next`]), where a
//! read goes and what it did ([`Core::read_buf`], [`Core::commit`]), and the methods both
//! drivers offer ([`driver_methods!`]). The drivers add only the read itself.

use crate::error::Error;
use crate::parser::{Event, Parser, MIN_READ};
use core::fmt;

/// What the driver loop does next.
pub(super) enum Next {
    /// An event is ready: hand it out with [`Core::event`].
    Event,
    /// The input ended cleanly.
    End,
    /// Read into [`Core::read_buf`], then [`Core::commit`] what was read.
    Read,
}

/// The parser and the reading state of a driver.
pub(super) struct Core {
    pub(super) parser: Parser,
    /// `Some(n)`: hand the parser exactly `n` bytes per chunk (fewer only at the end).
    chunk: Option<usize>,
    /// Bytes of the current chunk still to arrive before the parser may scan (0: no chunk
    /// under way).
    chunk_left: usize,
    eof: bool,
    bytes_read: u64,
    /// [`Config::idle_release`](crate::Config::idle_release) of the parser.
    idle_release: Option<usize>,
}

/// Size of the stack buffer reads go through while the parser's buffer is released.
pub(super) const STACK_READ: usize = MIN_READ;

impl Core {
    pub(super) fn new(parser: Parser) -> Self {
        Core {
            idle_release: parser.config().idle_release(),
            parser,
            chunk: None,
            chunk_left: 0,
            eof: false,
            bytes_read: 0,
        }
    }

    /// One turn of the driver loop: scans what the parser holds (unless a chunk is still
    /// arriving) and says whether an event is ready, the input has ended (after checking
    /// that it ended cleanly, [`Parser::finish`]), or more must be read.
    #[inline]
    pub(super) fn next(&mut self) -> Result<Next, Error> {
        if self.chunk_left == 0 {
            if self.parser.advance()? {
                return Ok(Next::Event);
            }
            if self.eof {
                self.parser.finish()?;
                return Ok(Next::End);
            }
            self.chunk_left = self.chunk.unwrap_or(0);
        }
        Ok(Next::Read)
    }

    /// The event [`next`](Self::next) found ready.
    #[inline]
    pub(super) fn event(&mut self) -> Option<Event<'_>> {
        self.parser.take_event()
    }

    /// Where the next read goes: the parser's spare capacity, or exactly the rest of the
    /// current chunk.
    pub(super) fn read_buf(&mut self) -> &mut [u8] {
        match self.chunk_left {
            0 => self.parser.spare_capacity(),
            left => &mut self.parser.spare_capacity_for(left)[..left],
        }
    }

    /// Whether the next read goes into [`read_buf`](Self::read_buf) (else into a stack
    /// buffer of [`STACK_READ`] bytes handed to [`feed`](Self::feed)): with idle release
    /// on, a parser holding nothing and without the room for a whole read is not grown
    /// for one; the bytes that arrive are copied in, and it grows only by what a
    /// half-read stanza keeps.
    #[inline]
    pub(super) fn reads_direct(&self) -> bool {
        self.idle_release.is_none()
            || self.chunk_left != 0
            || self.parser.buffered() != 0
            || self.parser.room() >= MIN_READ
    }

    /// The reader is about to wait for the peer: with nothing buffered and more than the
    /// idle release threshold held, the parser gives its grown buffers back
    /// (`Parser::release_over`).
    pub(super) fn idle(&mut self) {
        if let Some(threshold) = self.idle_release {
            if self.chunk_left == 0 {
                self.parser.release_over(threshold);
            }
        }
    }

    /// Records a read of `bytes` into a stack buffer (empty: end of input).
    pub(super) fn feed(&mut self, bytes: &[u8]) {
        self.parser.feed(bytes);
        self.counted(bytes.len());
    }

    /// Records a read of `n` bytes into [`read_buf`](Self::read_buf) (0: end of input).
    pub(super) fn commit(&mut self, n: usize) {
        self.parser.commit(n);
        self.counted(n);
    }

    fn counted(&mut self, n: usize) {
        self.bytes_read += n as u64;
        if n == 0 {
            self.eof = true;
            self.chunk_left = 0;
        } else {
            self.chunk_left = self.chunk_left.saturating_sub(n);
        }
    }

    pub(super) fn set_chunk(&mut self, n: usize) {
        self.chunk = (n > 0).then_some(n);
    }

    pub(super) fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    pub(super) fn is_eof(&self) -> bool {
        self.eof
    }

    /// The `Debug` output of a driver named `name`.
    pub(super) fn debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("parser", &self.parser)
            .field("chunk", &self.chunk)
            .field("eof", &self.eof)
            .field("bytes_read", &self.bytes_read)
            .finish_non_exhaustive()
    }
}

/// The methods both drivers offer, written once: constructors, `chunk_size`, `restart`,
/// counters and access to the parser and the underlying reader. Expanded inside
/// `impl<R: ...> $driver<R>` of a struct with fields `inner: R` and `core: Core`.
macro_rules! driver_methods {
    ($driver:ident) => {
        /// A reader with a default stream parser ([`Parser::new`]).
        pub fn new(inner: R) -> Self {
            $driver::with_parser(inner, Parser::new())
        }

        /// A reader with a parser built from `config` (limits, mode, implicit restarts).
        pub fn with_config(inner: R, config: Config) -> Self {
            $driver::with_parser(inner, Parser::with_config(config))
        }

        /// A reader feeding an existing parser (which may already hold input).
        pub fn with_parser(inner: R, parser: Parser) -> Self {
            $driver {
                inner,
                core: Core::new(parser),
            }
        }

        /// Hands the parser exactly `n` bytes at a time (fewer only at end of input),
        /// reading until `n` bytes have arrived before the parser looks at them: for
        /// tests and tools that exercise chunk boundaries (`xmppdump --chunk N`). `0`
        /// restores the default (the parser sees whatever each read returned). A server
        /// should keep the default: waiting for `n` bytes would delay stanzas.
        pub fn chunk_size(mut self, n: usize) -> Self {
            self.core.set_chunk(n);
            self
        }

        /// Begins a new stream after STARTTLS or SASL success ([`Parser::restart`]);
        /// bytes already read are kept for it.
        pub fn restart(&mut self) {
            self.core.parser.restart();
        }

        /// Changes the parser's limits from the next stanza on ([`Parser::set_limits`]:
        /// a stanza half-read is finished under the limits it started with).
        pub fn set_limits(&mut self, limits: crate::Limits) {
            self.core.parser.set_limits(limits);
        }

        /// Total bytes read from the reader.
        pub fn bytes_read(&self) -> u64 {
            self.core.bytes_read()
        }

        /// Whether the reader has reported end of input.
        pub fn is_eof(&self) -> bool {
            self.core.is_eof()
        }

        /// The parser (its header, offset, error, memory use).
        pub fn parser(&self) -> &Parser {
            &self.core.parser
        }

        /// The parser, mutably (to call [`Parser::release_memory`] on an idle
        /// connection, say). Feeding it directly interleaves with what the reader reads.
        pub fn parser_mut(&mut self) -> &mut Parser {
            &mut self.core.parser
        }

        /// The underlying reader.
        pub fn get_ref(&self) -> &R {
            &self.inner
        }

        /// The underlying reader, mutably. Reading from it directly takes those bytes
        /// away from the parser.
        pub fn get_mut(&mut self) -> &mut R {
            &mut self.inner
        }

        /// The underlying reader and the parser (with whatever input it still holds).
        pub fn into_parts(self) -> (R, Parser) {
            (self.inner, self.core.parser)
        }

        /// The underlying reader.
        pub fn into_inner(self) -> R {
            self.inner
        }
    };
}

pub(super) use driver_methods;
