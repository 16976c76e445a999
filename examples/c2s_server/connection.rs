//! One client connection: the read loop (`FramedRead` + `XmppCodec`), the writer task
//! (`FramedWrite` + `Packet`), our stream headers and features, and the dispatch of each
//! stanza by stage and kind to the SASL, binding, iq, presence and routing handlers.

use crate::server::{Out, Server, Tx};
use futures_util::{SinkExt, StreamExt};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_util::codec::{FramedRead, FramedWrite};
use xmpp_stream::codec::{Packet, XmppCodec};
use xmpp_stream::io::ReadError;
use xmpp_stream::xmpp::{
    ns, HeaderCheck, HeaderSpec, Kind, StreamHeader, StreamLimitsSpec, Writer,
};
use xmpp_stream::{
    Condition, Config, ErrorKind, Limits, OwnedEvent, OwnedHeader, OwnedStanza, Stanza,
};

/// Largest stanza a client may send before it has authenticated (SASL exchanges are
/// small), and after (message bodies, vCards, roster pushes). Advertised in the stream
/// features with XEP-0478 `<limits/>` and enforced by the codec (`set_limits` at the
/// restart after SASL success).
const UNAUTHENTICATED_STANZA_BYTES: usize = 16 * 1024;
const AUTHENTICATED_STANZA_BYTES: usize = 256 * 1024;

/// Writes what the connection (and other connections routing to it) queue.
async fn write_loop(
    socket: tokio::net::tcp::OwnedWriteHalf,
    mut rx: mpsc::UnboundedReceiver<Out>,
    domain: String,
) {
    let mut sink = FramedWrite::new(socket, XmppCodec::new());
    while let Some(out) = rx.recv().await {
        let (result, last) = match &out {
            Out::Header(id) => {
                let spec = HeaderSpec {
                    from: Some(&domain),
                    id: Some(id),
                    lang: Some("en"),
                    ..HeaderSpec::default()
                };
                (sink.feed(Packet::Header(spec)).await, false)
            }
            Out::Xml(xml) => (sink.feed(Packet::Raw(xml)).await, false),
            Out::StreamError(c) => {
                let r = sink.feed(Packet::StreamError(*c, None)).await;
                (r.and(sink.feed(Packet::Close).await), true)
            }
            Out::Close => (sink.feed(Packet::Close).await, true),
        };
        if result.is_err() || last {
            break;
        }
        // Flush once the queue is drained: many small stanzas share a write.
        if rx.is_empty() && sink.flush().await.is_err() {
            break;
        }
    }
    // Flushes and shuts the write side down (the peer reads end of stream).
    let _ = sink.close().await;
}

#[derive(PartialEq)]
pub(crate) enum Stage {
    /// Before SASL success.
    Auth,
    /// Authenticated, after the restart: resource binding.
    Bind,
    /// A resource is bound.
    Bound,
}

pub(crate) struct Conn {
    pub(crate) server: Arc<Server>,
    pub(crate) n: u64,
    pub(crate) tx: Tx,
    pub(crate) stage: Stage,
    pub(crate) header_sent: bool,
    pub(crate) user: String,
    /// The bound full JID.
    pub(crate) jid: String,
    pub(crate) available: bool,
}

/// The limits a client is held to at `stage`.
fn limits(stage: &Stage) -> Limits {
    let mut limits = Limits::default();
    limits.max_stanza_bytes = match stage {
        Stage::Auth => UNAUTHENTICATED_STANZA_BYTES,
        Stage::Bind | Stage::Bound => AUTHENTICATED_STANZA_BYTES,
    };
    limits
}

/// What the read loop does after a stanza.
pub(crate) enum Next {
    Continue,
    Restart,
    Stop,
}

/// Serves one client until its stream ends.
pub(crate) async fn run(server: Arc<Server>, socket: TcpStream, n: u64) {
    let _ = socket.set_nodelay(true);
    let (read, write) = socket.into_split();
    let (tx, rx) = mpsc::unbounded_channel();
    let writer = tokio::spawn(write_loop(write, rx, server.domain.clone()));
    let config = Config::default().with_limits(limits(&Stage::Auth));
    let mut frames = FramedRead::new(read, XmppCodec::with_config(config));
    let mut c = Conn {
        server,
        n,
        tx,
        stage: Stage::Auth,
        header_sent: false,
        user: String::new(),
        jid: String::new(),
        available: false,
    };
    loop {
        let event = match frames.next().await {
            None => {
                c.log("end of input");
                c.send(Out::Close);
                break;
            }
            Some(Ok(event)) => event,
            // The client's TCP stream ended before `</stream:stream>` (it aborted, or its
            // network did): nothing it sent was malformed, and no one is left to read a
            // stream error.
            Some(Err(ReadError::Parse(e))) if e.kind() == ErrorKind::UnexpectedEof => {
                c.log(&format!(
                    "connection lost before the stream was closed: {e}"
                ));
                break;
            }
            Some(Err(ReadError::Parse(e))) => {
                c.log(&format!("parse error: {e}"));
                c.stream_error(e.condition());
                break;
            }
            Some(Err(e)) => {
                c.log(&format!("{e}"));
                break;
            }
        };
        let next = match event {
            OwnedEvent::Header(h) => c.on_header(&h),
            OwnedEvent::Stanza(s) => c.on_stanza(&s),
            OwnedEvent::Close => {
                c.log("stream closed by the client");
                c.send(Out::Close);
                Next::Stop
            }
            _ => Next::Continue,
        };
        match next {
            Next::Continue => {}
            // The client's next bytes are a new stream header, read (as the stream's
            // stanzas) under the limits of the new stage.
            Next::Restart => {
                let codec = frames.decoder_mut();
                codec.set_limits(limits(&c.stage));
                codec.restart();
            }
            Next::Stop => break,
        }
    }
    c.end_session();
    drop(c);
    let _ = writer.await;
}

impl Conn {
    pub(crate) fn log(&self, what: &str) {
        let who = if self.jid.is_empty() { "-" } else { &self.jid };
        eprintln!("c2s_server: conn {} ({who}): {what}", self.n);
    }

    pub(crate) fn send(&self, out: Out) {
        let _ = self.tx.send(out);
    }

    pub(crate) fn send_xml(&self, xml: Vec<u8>) {
        self.send(Out::Xml(xml));
    }

    pub(crate) fn stream_error(&mut self, condition: Condition) {
        if !self.header_sent {
            self.send(Out::Header(self.new_stream_id()));
            self.header_sent = true;
        }
        self.send(Out::StreamError(condition));
    }

    pub(crate) fn new_stream_id(&self) -> String {
        format!("s{}", self.server.ids.fetch_add(1, Ordering::Relaxed))
    }

    pub(crate) fn on_header(&mut self, h: &OwnedHeader) -> Next {
        let view = h.view();
        let header = StreamHeader::new(view.header());
        let domain = self.server.domain.as_str();
        if let Err(condition) = header.check(&HeaderCheck::client().hosts(&[domain])) {
            self.log(&format!("bad header: {condition}"));
            self.stream_error(condition);
            return Next::Stop;
        }
        self.send(Out::Header(self.new_stream_id()));
        self.header_sent = true;
        let mut xml = Vec::new();
        let mut w = Writer::new(&mut xml);
        w.start("stream:features");
        match self.stage {
            Stage::Auth => {
                w.start("mechanisms").xmlns(None, ns::SASL);
                w.start("mechanism").text("PLAIN").end();
                w.end();
            }
            Stage::Bind | Stage::Bound => {
                w.start("bind").xmlns(None, ns::BIND).end();
                // Offered without <optional/>: the client establishes the session.
                w.start("session").xmlns(None, ns::SESSION).end();
            }
        }
        // XEP-0478: the limit this stream's stanzas are read under.
        let max = limits(&self.stage).max_stanza_bytes;
        StreamLimitsSpec {
            max_bytes: u32::try_from(max).ok().and_then(core::num::NonZeroU32::new),
            idle_seconds: None,
        }
        .write(&mut w);
        w.end();
        self.send_xml(xml);
        Next::Continue
    }

    pub(crate) fn on_stanza(&mut self, owned: &OwnedStanza) -> Next {
        let view = owned.view();
        let s = view.stanza();
        match (&self.stage, s.kind()) {
            (Stage::Auth, Kind::SaslAuth) => {
                if s.attr("", "mechanism") != Some("PLAIN") {
                    self.sasl_failure("invalid-mechanism");
                    return Next::Continue;
                }
                self.plain(s.root().text())
            }
            (Stage::Auth, Kind::SaslResponse) => self.plain(s.root().text()),
            (Stage::Auth, Kind::SaslAbort) => {
                self.sasl_failure("aborted");
                Next::Continue
            }
            (Stage::Auth, _) => {
                self.log(&format!("{} before authentication", s.kind()));
                self.stream_error(Condition::NotAuthorized);
                Next::Stop
            }
            (Stage::Bind, Kind::Iq) if s.child(ns::BIND, "bind").is_some() => {
                self.bind(&s);
                Next::Continue
            }
            (Stage::Bind, Kind::Iq) => {
                self.reply_error(&s, "cancel", "not-allowed");
                Next::Continue
            }
            (Stage::Bound, Kind::Message) => {
                self.message(&s);
                Next::Continue
            }
            (Stage::Bound, Kind::Presence) => {
                self.presence(&s);
                Next::Continue
            }
            (Stage::Bound, Kind::Iq) => {
                self.iq(&s);
                Next::Continue
            }
            (_, kind) => {
                self.log(&format!("unsupported element {kind}"));
                self.stream_error(Condition::UnsupportedStanzaType);
                Next::Stop
            }
        }
    }

    /// Answers `s` with a stanza error of `type_` and `condition`.
    pub(crate) fn reply_error(&self, s: &Stanza<'_>, type_: &str, condition: &str) {
        let mut xml = Vec::new();
        let mut w = Writer::new(&mut xml);
        w.start(s.root().local_name()).attr("type", "error");
        if let Some(id) = s.id() {
            w.attr("id", id);
        }
        w.attr("from", s.to().unwrap_or(&self.server.domain));
        if !self.jid.is_empty() {
            w.attr("to", &self.jid);
        }
        w.start("error").attr("type", type_);
        w.start(condition).xmlns(None, ns::STANZAS).end();
        w.finish();
        self.send_xml(xml);
    }

    /// Removes the session and tells the others it is gone.
    pub(crate) fn end_session(&mut self) {
        if self.jid.is_empty() {
            return;
        }
        let mut sessions = self.server.sessions();
        sessions.remove(&self.jid);
        if self.available {
            let mut xml = Vec::new();
            Writer::new(&mut xml)
                .start("presence")
                .attr("from", &self.jid)
                .attr("type", "unavailable")
                .end();
            for sess in sessions.values().filter(|s| s.presence.is_some()) {
                let _ = sess.tx.send(Out::Xml(xml.clone()));
            }
        }
        self.log("session ended");
    }
}
