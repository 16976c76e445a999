//! A `tokio_util::codec` codec (feature `tokio`): [`XmppCodec`] decodes a byte stream
//! into owned events ([`OwnedEvent`]: the header, stanzas, the close) and encodes
//! stream headers, stanzas, raw XML and closes, so that an XMPP stream drops into
//! `FramedRead`, `FramedWrite` or `Framed` pipelines. Encoding takes [`Packet`]s.
//!
//! Decoding copies each chunk that `Framed` read into the parser, then copies every
//! stanza out of it into an [`OwnedStanza`] (a reference-counted block: clone it to
//! route one stanza to many sessions without copying). The codec recycles the blocks of
//! stanzas its caller has dropped: it keeps a handle on the last 8 it returned and
//! refills one that no one else holds any more, so that in steady state decoding
//! allocates nothing per stanza unless the caller keeps more than 8 stanzas alive.
//! Where even the copies matter, [`AsyncReader`](crate::io::AsyncReader) reads straight
//! into the parser and lends zero-copy views instead.
//!
//! Limits follow the session: [`XmppCodec::set_limits`] (small before SASL, larger
//! after). Memory idles small: when a decode ends with nothing buffered, the codec gives
//! back what holds more than the [idle release
//! threshold](crate::Config::with_idle_release): its parser's grown buffers, recycled
//! stanzas (it keeps one, if that one is small, so that request-response traffic still
//! reuses it), its encoding scratch, and `Framed`'s read buffer (which it regrows to
//! 8 KiB once a read fills it).
//!
//! The stream restarts after STARTTLS and SASL success: call [`XmppCodec::restart`]
//! (through `Framed::codec_mut` or `FramedRead::decoder_mut`) after reading, or writing,
//! the `<proceed/>` or `<success/>`, before polling the stream again. Bytes already read
//! are kept for the new stream.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! use futures_util::{SinkExt, StreamExt};
//! use tokio_util::codec::{FramedRead, FramedWrite};
//! use xmpp_stream::codec::{Packet, XmppCodec};
//! use xmpp_stream::xmpp::{HeaderSpec, Kind, StreamHeader};
//! use xmpp_stream::OwnedEvent;
//!
//! let (client, server) = tokio::io::duplex(1024);
//! let mut tx = FramedWrite::new(client, XmppCodec::new());
//! tx.send(Packet::Header(HeaderSpec { to: Some("example.com"), ..HeaderSpec::default() }))
//!     .await?;
//! tx.send(Packet::Raw(b"<message to='juliet@example.com'><body>hi</body></message>"))
//!     .await?;
//! tx.send(Packet::Close).await?;
//! drop(tx);
//!
//! let mut rx = FramedRead::new(server, XmppCodec::new());
//! let Some(OwnedEvent::Header(h)) = rx.next().await.transpose()? else { panic!() };
//! assert_eq!(StreamHeader::new(h.view().header()).to(), Some("example.com"));
//! let Some(OwnedEvent::Stanza(m)) = rx.next().await.transpose()? else { panic!() };
//! assert_eq!(m.view().stanza().kind(), Kind::Message);
//! assert!(matches!(rx.next().await.transpose()?, Some(OwnedEvent::Close)));
//! assert!(rx.next().await.is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

use crate::condition::Condition;
use crate::io::ReadError;
use crate::limits::Limits;
use crate::owned_event::OwnedEvent;
use crate::parser::{Config, Event, Parser, MIN_READ};
use crate::tree::{OwnedStanza, Stanza};
use crate::xmpp::{
    write_close, write_header, write_stanza, write_stream_error, HeaderSpec, Target,
};
use bytes::BytesMut;
use core::fmt;
use smallvec::SmallVec;
use tokio_util::codec::{Decoder, Encoder};

/// How many returned stanzas the codec keeps a handle on, for reuse once dropped.
const RECYCLE: usize = 8;

/// Decodes an XMPP stream into [`OwnedEvent`]s and encodes [`Packet`]s with the
/// crate's writer. See the [module docs](self).
pub struct XmppCodec {
    parser: Parser,
    scratch: Vec<u8>,
    recycled: Recycler,
    idle_release: Option<usize>,
}

/// Handles on the last stanzas the codec returned; one no one else holds is refilled.
#[derive(Default)]
struct Recycler {
    slots: SmallVec<[OwnedStanza; RECYCLE]>,
    /// The slot the next new stanza replaces once all are taken.
    next: usize,
}

impl Recycler {
    /// `stanza` as an owned stanza, in recycled storage when there is some.
    fn owned(&mut self, stanza: &Stanza<'_>) -> OwnedStanza {
        if let Some(slot) = self.slots.iter_mut().find(|o| o.is_unique()) {
            slot.assign(stanza);
            return slot.clone();
        }
        let o = OwnedStanza::new(stanza);
        if self.slots.len() < RECYCLE {
            self.slots.push(o.clone());
        } else {
            self.slots[self.next] = o.clone();
            self.next = (self.next + 1) % RECYCLE;
        }
        o
    }

    /// Keeps at most one stanza for reuse, and only one holding at most `threshold`
    /// heap bytes.
    fn trim(&mut self, threshold: usize) {
        let keep = self
            .slots
            .iter()
            .position(|o| o.is_unique() && o.heap_bytes() <= threshold);
        let kept = keep.map(|k| self.slots.swap_remove(k));
        self.slots.clear();
        self.slots.extend(kept);
        self.next = 0;
    }

    /// Heap bytes of the stanzas only the codec holds.
    fn heap_bytes(&self) -> usize {
        self.slots
            .iter()
            .filter(|o| o.is_unique())
            .map(OwnedStanza::heap_bytes)
            .sum()
    }
}

impl fmt::Debug for XmppCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XmppCodec")
            .field("parser", &self.parser)
            .finish_non_exhaustive()
    }
}

impl Default for XmppCodec {
    fn default() -> Self {
        XmppCodec::new()
    }
}

impl XmppCodec {
    /// A codec with a default stream parser.
    pub fn new() -> Self {
        XmppCodec::with_parser(Parser::new())
    }

    /// A codec whose parser is built from `config` (limits, implicit restarts, idle
    /// release).
    pub fn with_config(config: Config) -> Self {
        XmppCodec::with_parser(Parser::with_config(config))
    }

    /// A codec decoding with an existing parser (its configuration's idle release
    /// threshold applies).
    pub fn with_parser(parser: Parser) -> Self {
        XmppCodec {
            idle_release: parser.config().idle_release(),
            parser,
            scratch: Vec::new(),
            recycled: Recycler::default(),
        }
    }

    /// Changes the parser's limits from the next stanza on ([`Parser::set_limits`]: a
    /// stanza half-read is finished under the limits it started with).
    pub fn set_limits(&mut self, limits: Limits) {
        self.parser.set_limits(limits);
    }

    /// Heap bytes the codec holds: its parser's, the recycled stanzas' (those only it
    /// holds) and its encoding scratch (not `Framed`'s buffers).
    pub fn heap_bytes(&self) -> usize {
        self.parser.heap_bytes() + self.recycled.heap_bytes() + self.scratch.capacity()
    }

    /// Gives grown buffers back: the parser's ([`Parser::release_memory`]), the
    /// recycled stanzas and the encoding scratch. Decoding does this by itself (see the
    /// [module docs](self)).
    pub fn release_memory(&mut self) {
        self.parser.release_memory();
        self.recycled = Recycler::default();
        self.scratch = Vec::new();
    }

    /// A decode ended with nothing to return: if nothing is buffered either, the codec
    /// is about to wait for the peer, and gives back what is above the threshold.
    fn idle(&mut self, src: &mut BytesMut) {
        let Some(threshold) = self.idle_release else {
            return;
        };
        if self.parser.buffered() != 0 {
            return;
        }
        self.parser.release_over(threshold);
        if self.scratch.capacity() > threshold {
            self.scratch = Vec::new();
        }
        self.recycled.trim(threshold);
        if src.is_empty() && src.capacity() > threshold {
            // `Framed` reserves again before its next read (a few bytes: `decode`
            // regrows the buffer once a read fills it).
            *src = BytesMut::new();
        }
    }

    /// Begins a new stream after STARTTLS or SASL success ([`Parser::restart`]).
    pub fn restart(&mut self) {
        self.parser.restart();
    }

    /// Clears the parser, as for a new connection ([`Parser::reset`]).
    pub fn reset(&mut self) {
        self.parser.reset();
    }

    /// The decoding parser (its header, offset, error).
    pub fn parser(&self) -> &Parser {
        &self.parser
    }

    /// The decoding parser, mutably.
    pub fn parser_mut(&mut self) -> &mut Parser {
        &mut self.parser
    }
}

impl Decoder for XmppCodec {
    type Item = OwnedEvent;
    type Error = ReadError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<OwnedEvent>, ReadError> {
        if !src.is_empty() {
            let full = src.len() == src.capacity();
            self.parser.feed(src);
            src.clear();
            if full && src.capacity() < MIN_READ {
                // The read filled a buffer shrunk while idle: room for whole reads again.
                src.reserve(MIN_READ);
            }
        }
        let event = match self.parser.next_event()? {
            None => None,
            Some(Event::Stanza(s)) => Some(OwnedEvent::Stanza(self.recycled.owned(&s))),
            Some(e) => Some(OwnedEvent::new(&e)),
        };
        if event.is_none() {
            self.idle(src);
        }
        Ok(event)
    }

    /// At end of input: the events still buffered, then `Ok(None)` if the stream ended
    /// cleanly, or the `incomplete` error ([`Parser::finish`]).
    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<OwnedEvent>, ReadError> {
        if let Some(e) = self.decode(src)? {
            return Ok(Some(e));
        }
        self.parser.finish()?;
        Ok(None)
    }
}

/// What [`XmppCodec`] writes. (One `Encoder` item type, so that `SinkExt::flush` and
/// `close` on a `FramedWrite<_, XmppCodec>` need no type annotations.)
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Packet<'a> {
    /// A stream header ([`write_header`]).
    Header(HeaderSpec<'a>),
    /// An owned stanza, written as the target says ([`write_stanza`]).
    Stanza(&'a OwnedStanza, Target<'a>),
    /// Pre-serialised XML, written as is (for example the output of
    /// [`Writer`](crate::xmpp::Writer)).
    Raw(&'a [u8]),
    /// A `<stream:error/>` with an optional text ([`write_stream_error`]).
    StreamError(Condition, Option<&'a str>),
    /// The stream close, `</stream:stream>`.
    Close,
}

impl<'a> Packet<'a> {
    /// An owned stanza written [standalone](Target::Standalone): with the namespace
    /// declarations (and `xml:lang`) it inherited from its stream header, so that it means
    /// the same on any stream.
    pub fn stanza(stanza: &'a OwnedStanza) -> Self {
        Packet::Stanza(stanza, Target::Standalone)
    }
}

impl Encoder<Packet<'_>> for XmppCodec {
    type Error = std::io::Error;

    fn encode(&mut self, item: Packet<'_>, dst: &mut BytesMut) -> std::io::Result<()> {
        if let Packet::Raw(bytes) = item {
            dst.extend_from_slice(bytes);
            return Ok(());
        }
        let out = &mut self.scratch;
        out.clear();
        match item {
            Packet::Header(spec) => write_header(out, &spec),
            Packet::Stanza(stanza, target) => write_stanza(out, &stanza.view().stanza(), target),
            Packet::StreamError(condition, text) => write_stream_error(out, condition, text),
            Packet::Close => write_close(out),
            Packet::Raw(_) => {}
        }
        dst.extend_from_slice(out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xmpp::{Kind, StreamHeader};
    use crate::ErrorKind;
    use crate::OwnedHeader;

    const STREAM: &[u8] = b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams' xml:lang='en'>\
        <message><body>a &lt; b</body></message><presence/></stream:stream>";

    fn decode_all(codec: &mut XmppCodec, chunks: &[&[u8]]) -> Result<Vec<OwnedEvent>, ReadError> {
        let mut out = Vec::new();
        let mut buf = BytesMut::new();
        for c in chunks {
            buf.extend_from_slice(c);
            while let Some(e) = codec.decode(&mut buf)? {
                out.push(e);
            }
            assert!(buf.is_empty());
        }
        while let Some(e) = codec.decode_eof(&mut buf)? {
            out.push(e);
        }
        Ok(out)
    }

    #[test]
    fn decodes_any_chunking() {
        for size in [1, 2, 13, STREAM.len()] {
            let chunks: Vec<&[u8]> = STREAM.chunks(size).collect();
            let events = decode_all(&mut XmppCodec::new(), &chunks).unwrap();
            assert_eq!(events.len(), 4, "size {size}");
            let OwnedEvent::Stanza(m) = &events[1] else {
                panic!()
            };
            let v = m.view();
            assert_eq!(v.stanza().lang(), Some("en"));
            assert_eq!(
                v.root().child("jabber:client", "body").unwrap().text(),
                "a < b"
            );
            assert!(matches!(events[3], OwnedEvent::Close));
        }
    }

    #[test]
    fn eof_inside_a_stanza_is_incomplete() {
        let err = decode_all(&mut XmppCodec::new(), &[&STREAM[..STREAM.len() - 40]]).unwrap_err();
        assert_eq!(err.parse_error().unwrap().kind(), ErrorKind::UnexpectedEof);
    }

    #[test]
    fn encodes_what_it_decodes() {
        let events = decode_all(&mut XmppCodec::new(), &[STREAM]).unwrap();
        let mut codec = XmppCodec::new();
        let mut out = BytesMut::new();
        codec
            .encode(
                Packet::Header(HeaderSpec {
                    lang: Some("en"),
                    ..HeaderSpec::default()
                }),
                &mut out,
            )
            .unwrap();
        for e in &events {
            if let OwnedEvent::Stanza(s) = e {
                codec.encode(Packet::stanza(s), &mut out).unwrap();
                codec
                    .encode(Packet::Stanza(s, Target::AsIs), &mut out)
                    .unwrap();
            }
        }
        codec.encode(Packet::Raw(b"<presence/>"), &mut out).unwrap();
        codec
            .encode(
                Packet::StreamError(Condition::PolicyViolation, None),
                &mut out,
            )
            .unwrap();
        codec.encode(Packet::Close, &mut out).unwrap();
        let again = decode_all(&mut XmppCodec::new(), &[&out]).unwrap();
        let kinds: Vec<String> = again
            .iter()
            .map(|e| match e {
                OwnedEvent::Header(h) => {
                    format!("header {:?}", StreamHeader::new(h.view().header()).lang())
                }
                OwnedEvent::Stanza(s) => s.view().stanza().kind().to_string(),
                OwnedEvent::Close => "close".into(),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "header Some(\"en\")",
                "message",
                "message",
                "presence",
                "presence",
                "presence",
                "stream-error",
                "close"
            ]
        );
        let OwnedEvent::Stanza(m) = &again[1] else {
            panic!()
        };
        assert!(m.raw().starts_with(b"<message xmlns='jabber:client'"));
        assert_eq!(m.view().stanza().kind(), Kind::Message);
    }

    #[test]
    fn restart_between_decodes() {
        let mut codec = XmppCodec::new();
        let mut buf = BytesMut::from(
            &b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\
               <success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>\
               <stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='2'>"[..],
        );
        assert!(matches!(
            codec.decode(&mut buf).unwrap(),
            Some(OwnedEvent::Header(_))
        ));
        let Some(OwnedEvent::Stanza(s)) = codec.decode(&mut buf).unwrap() else {
            panic!()
        };
        assert!(s.view().stanza().kind().restarts_stream());
        codec.restart();
        let Some(OwnedEvent::Header(h)) = codec.decode(&mut buf).unwrap() else {
            panic!()
        };
        let _: &OwnedHeader = &h;
        assert_eq!(h.view().header().attr("", "id"), Some("2"));
    }
}
