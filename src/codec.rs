//! A `tokio_util::codec` codec (feature `tokio`): [`XmppCodec`] decodes a byte stream
//! into owned events ([`OwnedEvent`]: the header, stanzas, the close) and encodes
//! stream headers, stanzas, raw XML and closes, so that an XMPP stream drops into
//! `FramedRead`, `FramedWrite` or `Framed` pipelines. Encoding takes [`Packet`]s.
//!
//! Decoding copies each chunk that `Framed` read into the parser, then copies every
//! stanza out of it (an [`OwnedStanza`] is five heap blocks). Where that matters,
//! [`AsyncReader`](crate::io::AsyncReader) reads straight into the parser and lends
//! zero-copy views instead.
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
use crate::owned_event::OwnedEvent;
use crate::parser::{Config, Parser};
use crate::tree::OwnedStanza;
use crate::xmpp::{
    write_close, write_header, write_stanza, write_stream_error, HeaderSpec, Target,
};
use bytes::BytesMut;
use core::fmt;
use tokio_util::codec::{Decoder, Encoder};

/// Decodes an XMPP stream into [`OwnedEvent`]s and encodes [`Packet`]s with the
/// crate's writer. See the [module docs](self).
pub struct XmppCodec {
    parser: Parser,
    scratch: Vec<u8>,
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

    /// A codec whose parser is built from `config` (limits, implicit restarts).
    pub fn with_config(config: Config) -> Self {
        XmppCodec::with_parser(Parser::with_config(config))
    }

    /// A codec decoding with an existing parser.
    pub fn with_parser(parser: Parser) -> Self {
        XmppCodec {
            parser,
            scratch: Vec::new(),
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
            self.parser.feed(src);
            src.clear();
        }
        Ok(self.parser.next_event()?.map(|e| OwnedEvent::new(&e)))
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
