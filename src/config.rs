//! [`Config`]: how a [`Parser`](crate::Parser) reads its input (limits, mode, implicit
//! restarts), and how the readers and the codec built on it hand memory back when idle.

use crate::frame::Mode;
use crate::limits::Limits;

/// How a [`Parser`](crate::Parser) reads its input.
///
/// ```
/// use xmpp_stream::{Config, Limits, Mode, Parser};
/// let parser = Parser::with_config(
///     Config::default()
///         .with_limits(Limits::default())
///         .with_mode(Mode::Stream)
///         .with_implicit_restart(true),
/// );
/// assert!(parser.config().implicit_restart());
/// assert_eq!(parser.config().mode(), Mode::Stream);
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) limits: Limits,
    pub(crate) mode: Mode,
    pub(crate) implicit_restart: bool,
    /// See `Framer::rebind_default` (set by the BOSH reader).
    pub(crate) rebind_default: Option<(&'static str, &'static str)>,
    pub(crate) idle_release: Option<usize>,
}

/// The default of [`Config::with_idle_release`]: readers and the codec give memory back
/// when they wait with more than 1 KiB of heap held.
pub const DEFAULT_IDLE_RELEASE: usize = 1024;

impl Default for Config {
    fn default() -> Self {
        Config {
            limits: Limits::default(),
            mode: Mode::default(),
            implicit_restart: false,
            rebind_default: None,
            idle_release: Some(DEFAULT_IDLE_RELEASE),
        }
    }
}

impl Config {
    /// Sets the limits. Default: [`Limits::default`].
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the mode. Default: [`Mode::Stream`].
    pub fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Whether a new stream header between stanzas restarts the stream by itself: an XML
    /// declaration, or a start tag with the same qualified name as the current stream root
    /// (`<stream:stream`), is read as the header of a new stream, exactly as if
    /// [`Parser::restart`](crate::Parser::restart) had been called just before it. Useful for tools that read one
    /// direction of a connection without knowing when SASL succeeded (such as the
    /// `xmppdump` example). Default: `false` (servers and clients call
    /// [`Parser::restart`](crate::Parser::restart) themselves).
    pub fn with_implicit_restart(mut self, yes: bool) -> Self {
        self.implicit_restart = yes;
        self
    }

    /// Memory that idles small: the readers ([`io::Reader`](crate::io::Reader),
    /// [`io::AsyncReader`](crate::io::AsyncReader)) and the codec
    /// ([`codec::XmppCodec`](crate::codec::XmppCodec)) built on this configuration
    /// give grown buffers back by themselves ([`Parser::release_memory`](crate::Parser::release_memory))
    /// when they are about to wait for the peer with nothing buffered and more than
    /// `threshold` heap bytes held ([`Parser::heap_bytes`](crate::Parser::heap_bytes)),
    /// so that the growth a large stanza caused does not outlive it. While the parser's
    /// buffer is released, a read goes through an 8 KiB stack buffer and is copied into
    /// the parser, which grows only as far as a half-read stanza needs; reads that
    /// end inside a stanza go straight into the parser's buffer as usual.
    ///
    /// "About to wait" is exact for the async reader (the read returned `Pending`); the
    /// codec releases when a decode ends with nothing buffered; the blocking reader
    /// cannot tell a read that would block, so it releases before any read made with
    /// nothing buffered. `None` turns it off (the parser keeps its grown buffers until
    /// [`Parser::release_memory`](crate::Parser::release_memory)). A parser used
    /// directly never releases on its own. Default:
    /// `Some(`[`DEFAULT_IDLE_RELEASE`]`)`.
    ///
    /// What is released: the input buffer first; if the rest still holds more than the
    /// threshold, everything [`Parser::release_memory`](crate::Parser::release_memory)
    /// gives back (the index, namespace state beyond the stream header's, the arena).
    /// The price is paid when traffic resumes: the first stanza after a release regrows
    /// what it needs. In request-response traffic (every read one stanza, the connection
    /// idle after each) the codec then allocates about 8 times per stanza with the
    /// default threshold, and not at all with `None` or a threshold above what the
    /// traffic holds (`tests/it/codec_alloc.rs`); idle connections hold about 1.4 KiB
    /// with the default and whatever their largest stanza grew without.
    pub fn with_idle_release(mut self, threshold: Option<usize>) -> Self {
        self.idle_release = threshold;
        self
    }

    /// The idle release threshold (see [`with_idle_release`](Self::with_idle_release)).
    pub fn idle_release(&self) -> Option<usize> {
        self.idle_release
    }

    /// The configured limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The configured mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Whether implicit restarts are on (see
    /// [`with_implicit_restart`](Self::with_implicit_restart)).
    pub fn implicit_restart(&self) -> bool {
        self.implicit_restart
    }
}
