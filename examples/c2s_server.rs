//! c2s_server: a tiny XMPP client-to-server server on 127.0.0.1, built on the `tokio`
//! feature (`FramedRead` + `XmppCodec` to read, `FramedWrite` + `Packet` to write), that
//! real clients can log in to and chat through.
//!
//! ```text
//! cargo run --features tokio --example c2s_server -- [--port N] [--domain D] [--user NAME:PASSWORD]...
//! ```
//!
//! Prints `PORT=n` on stdout once it listens (`--port 0`, the default, picks a free
//! port), then serves until killed. Plaintext TCP only (no STARTTLS, no TLS): a test
//! and teaching server, never one to expose.
//!
//! What it does, per RFC 6120 and RFC 6121 (the parts a client needs to chat):
//!
//! - checks each stream header (`jabber:client`, version 1.x, `to` = the domain) and
//!   answers with its own header and features;
//! - SASL PLAIN: any password for any user, or with `--user` only the accounts given;
//!   then the stream restart (`XmppCodec::restart`);
//! - resource binding (a clashing resource gets a suffix), the legacy session;
//! - the roster (always empty; roster sets are acknowledged), disco#info of the domain,
//!   XEP-0199 pings;
//! - presence: every available resource sees every other one's broadcast presence (as
//!   if everyone were subscribed to everyone), a newly available resource gets the others'
//!   current presence, subscription requests and answers are routed to the contact's
//!   resources, and unavailable presence is broadcast when a session ends;
//! - messages and iqs between users, with `from` stamped as the sender's full JID;
//!   messages to the domain itself are echoed back to the sender; a message to nobody gets
//!   a `service-unavailable` error;
//! - `</stream:stream>` is answered with `</stream:stream>`; a parse error with the
//!   stream error its [`Condition`] names.

use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::codec::{FramedRead, FramedWrite};
use xmpp_stream::codec::{Packet, XmppCodec};
use xmpp_stream::io::ReadError;
use xmpp_stream::xmpp::{
    ns, HeaderCheck, HeaderSpec, IqType, Kind, PresenceType, StanzaType, StreamHeader, Writer,
};
use xmpp_stream::{Condition, Node, OwnedEvent, OwnedHeader, OwnedStanza, Stanza};

const USAGE: &str = "usage: c2s_server [--port N] [--domain D] [--user NAME:PASSWORD]...";
const ROSTER: &str = "jabber:iq:roster";
const DISCO_INFO: &str = "http://jabber.org/protocol/disco#info";
const PING: &str = "urn:xmpp:ping";

/// What a connection's writer task writes.
enum Out {
    /// Our stream header (with this stream id).
    Header(String),
    /// Serialised XML.
    Xml(Vec<u8>),
    /// A stream error, then the stream close; then the writer shuts the socket down.
    StreamError(Condition),
    /// `</stream:stream>`; then the writer shuts the socket down.
    Close,
}

type Tx = mpsc::UnboundedSender<Out>;

/// A bound resource.
struct Session {
    tx: Tx,
    /// The last broadcast available presence (stamped), while the resource is available.
    presence: Option<Vec<u8>>,
}

/// One direction of a presence subscription (RFC 6121 section 3): whether the user
/// receives the contact's presence, or has asked to.
#[derive(Default, Clone, Copy)]
struct Subscription {
    to: bool,
    pending_out: bool,
}

struct Server {
    domain: String,
    /// (user, contact) bare JIDs -> the user's subscription to the contact. Only used to
    /// answer subscription stanzas as RFC 6121 says (presence itself goes to everyone).
    subscriptions: Mutex<HashMap<(String, String), Subscription>>,
    /// `None`: any user with any password.
    accounts: Option<HashMap<String, String>>,
    /// Full JID -> session.
    sessions: Mutex<HashMap<String, Session>>,
    ids: AtomicU64,
}

impl Server {
    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn bare(jid: &str) -> &str {
    jid.split_once('/').map_or(jid, |(b, _)| b)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let mut port = 0u16;
    let mut domain = "localhost".to_string();
    let mut accounts: Option<HashMap<String, String>> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = args.next();
        let ok = match (a.as_str(), value) {
            ("--port", Some(v)) => v.parse().map(|p| port = p).is_ok(),
            ("--domain", Some(v)) => {
                domain = v;
                true
            }
            ("--user", Some(v)) => match v.split_once(':') {
                Some((u, p)) => {
                    accounts
                        .get_or_insert_with(HashMap::new)
                        .insert(u.to_string(), p.to_string());
                    true
                }
                None => false,
            },
            _ => false,
        };
        if !ok {
            eprintln!("{USAGE}");
            return std::process::ExitCode::from(2);
        }
    }
    let listener = match TcpListener::bind(("127.0.0.1", port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("c2s_server: bind 127.0.0.1:{port}: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    println!("PORT={port}");
    let _ = std::io::stdout().flush();
    eprintln!("c2s_server: listening on 127.0.0.1:{port}, domain {domain}");
    let server = Arc::new(Server {
        domain,
        accounts,
        subscriptions: Mutex::new(HashMap::new()),
        sessions: Mutex::new(HashMap::new()),
        ids: AtomicU64::new(1),
    });
    loop {
        match listener.accept().await {
            Ok((socket, peer)) => {
                let n = server.ids.fetch_add(1, Ordering::Relaxed);
                eprintln!("c2s_server: conn {n}: accepted from {peer}");
                tokio::spawn(connection(server.clone(), socket, n));
            }
            Err(e) => eprintln!("c2s_server: accept: {e}"),
        }
    }
}

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
enum Stage {
    /// Before SASL success.
    Auth,
    /// Authenticated, after the restart: resource binding.
    Bind,
    /// A resource is bound.
    Bound,
}

struct Conn {
    server: Arc<Server>,
    n: u64,
    tx: Tx,
    stage: Stage,
    header_sent: bool,
    user: String,
    /// The bound full JID.
    jid: String,
    available: bool,
}

/// What the read loop does after a stanza.
enum Next {
    Continue,
    Restart,
    Stop,
}

async fn connection(server: Arc<Server>, socket: TcpStream, n: u64) {
    let _ = socket.set_nodelay(true);
    let (read, write) = socket.into_split();
    let (tx, rx) = mpsc::unbounded_channel();
    let writer = tokio::spawn(write_loop(write, rx, server.domain.clone()));
    let mut frames = FramedRead::new(read, XmppCodec::new());
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
            // The client's next bytes are a new stream header.
            Next::Restart => frames.decoder_mut().restart(),
            Next::Stop => break,
        }
    }
    c.end_session();
    drop(c);
    let _ = writer.await;
}

impl Conn {
    fn log(&self, what: &str) {
        let who = if self.jid.is_empty() { "-" } else { &self.jid };
        eprintln!("c2s_server: conn {} ({who}): {what}", self.n);
    }

    fn send(&self, out: Out) {
        let _ = self.tx.send(out);
    }

    fn send_xml(&self, xml: Vec<u8>) {
        self.send(Out::Xml(xml));
    }

    fn stream_error(&mut self, condition: Condition) {
        if !self.header_sent {
            self.send(Out::Header(self.new_stream_id()));
            self.header_sent = true;
        }
        self.send(Out::StreamError(condition));
    }

    fn new_stream_id(&self) -> String {
        format!("s{}", self.server.ids.fetch_add(1, Ordering::Relaxed))
    }

    fn on_header(&mut self, h: &OwnedHeader) -> Next {
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
        w.end();
        self.send_xml(xml);
        Next::Continue
    }

    fn on_stanza(&mut self, owned: &OwnedStanza) -> Next {
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

    fn sasl_failure(&self, condition: &str) {
        let mut xml = Vec::new();
        let mut w = Writer::new(&mut xml);
        w.start("failure").xmlns(None, ns::SASL);
        w.start(condition).end();
        w.end();
        self.send_xml(xml);
    }

    /// SASL PLAIN (RFC 4616): `[authzid] NUL authcid NUL password`, base64.
    fn plain(&mut self, text: &str) -> Next {
        let text = text.trim();
        if text.is_empty() {
            // No initial response: ask for it with an empty challenge.
            self.send_xml(format!("<challenge xmlns='{}'/>", ns::SASL).into_bytes());
            return Next::Continue;
        }
        let creds = base64_decode(text).and_then(|b| String::from_utf8(b).ok());
        let parts: Vec<&str> = creds.as_deref().map_or(vec![], |c| c.split('\0').collect());
        let ok = match parts[..] {
            [authzid, user, password] => {
                let valid_user = !user.is_empty()
                    && !user.contains(['@', '/', '"', '&', '\'', ':', '<', '>', ' '])
                    && (authzid.is_empty()
                        || authzid == user
                        || authzid == format!("{user}@{}", self.server.domain));
                let valid_password = match &self.server.accounts {
                    None => true,
                    Some(a) => a.get(user).is_some_and(|p| p == password),
                };
                if valid_user && valid_password {
                    self.user = user.to_string();
                }
                valid_user && valid_password
            }
            _ => false,
        };
        if !ok {
            self.log("SASL PLAIN: not authorized");
            self.sasl_failure("not-authorized");
            return Next::Continue;
        }
        self.log(&format!("authenticated as {}", self.user));
        self.send_xml(format!("<success xmlns='{}'/>", ns::SASL).into_bytes());
        self.stage = Stage::Bind;
        Next::Restart
    }

    fn bind(&mut self, s: &Stanza<'_>) {
        if s.type_() != Some(StanzaType::Iq(IqType::Set)) {
            self.reply_error(s, "modify", "bad-request");
            return;
        }
        let bind = s.child(ns::BIND, "bind");
        let wanted = bind
            .and_then(|b| b.child(ns::BIND, "resource"))
            .map(|r| r.text().trim().to_string())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| format!("r{}", self.n));
        let base = format!("{}@{}/{}", self.user, self.server.domain, wanted);
        {
            let mut sessions = self.server.sessions();
            let mut jid = base.clone();
            let mut k = 1;
            while sessions.contains_key(&jid) {
                jid = format!("{base}-{k}");
                k += 1;
            }
            sessions.insert(
                jid.clone(),
                Session {
                    tx: self.tx.clone(),
                    presence: None,
                },
            );
            self.jid = jid;
        }
        self.stage = Stage::Bound;
        self.log("bound");
        let mut xml = Vec::new();
        let mut w = Writer::new(&mut xml);
        w.start("iq").attr("type", "result");
        if let Some(id) = s.id() {
            w.attr("id", id);
        }
        w.start("bind").xmlns(None, ns::BIND);
        w.start("jid").text(&self.jid).end();
        w.finish();
        self.send_xml(xml);
    }

    /// Answers an iq addressed to the server (or to the user's own bare JID).
    fn iq(&mut self, s: &Stanza<'_>) {
        let to = s.to();
        let own_bare = format!("{}@{}", self.user, self.server.domain);
        let for_server = match to {
            None => true,
            Some(t) => t == self.server.domain || t == own_bare,
        };
        if !for_server {
            self.route(s, to.unwrap_or_default());
            return;
        }
        let Some(StanzaType::Iq(t)) = s.type_() else {
            return self.reply_error(s, "modify", "bad-request");
        };
        if !t.is_request() {
            return; // a result or error for us: nothing to do
        }
        let payload = s.children().next();
        let ns_name = payload.map(|p| (p.ns(), p.local_name()));
        let from = to.unwrap_or(&self.server.domain).to_string();
        let mut xml = Vec::new();
        let mut w = Writer::new(&mut xml);
        w.start("iq")
            .attr("type", "result")
            .attr("from", &from)
            .attr("to", &self.jid);
        if let Some(id) = s.id() {
            w.attr("id", id);
        }
        match (t, ns_name) {
            (IqType::Get, Some((ROSTER, "query"))) => {
                w.start("query").xmlns(None, ROSTER).end(); // an empty roster
            }
            (IqType::Set, Some((ROSTER, "query"))) => {}
            (IqType::Set, Some((ns::SESSION, "session"))) => {}
            (IqType::Get, Some((PING, "ping"))) => {}
            (IqType::Get, Some((DISCO_INFO, "query"))) if from == self.server.domain => {
                w.start("query").xmlns(None, DISCO_INFO);
                w.start("identity")
                    .attr("category", "server")
                    .attr("type", "im")
                    .attr("name", "xmpp-stream c2s_server example")
                    .end();
                for f in [DISCO_INFO, PING, ROSTER, ns::SESSION] {
                    w.start("feature").attr("var", f).end();
                }
                w.end();
            }
            _ => {
                drop(w);
                return self.reply_error(s, "cancel", "service-unavailable");
            }
        }
        w.finish();
        self.send_xml(xml);
    }

    fn message(&mut self, s: &Stanza<'_>) {
        let own_bare = format!("{}@{}", self.user, self.server.domain);
        let to = s.to().unwrap_or(&own_bare).to_string();
        if to == self.server.domain {
            // The echo service: the message comes back from the domain.
            let domain = self.server.domain.clone();
            let xml = stamp(s, &domain, Some(&self.jid));
            self.send_xml(xml);
            return;
        }
        self.route(s, &to);
    }

    /// Delivers a stanza from this session to `to` (a full or bare JID), `from` stamped;
    /// errors come back for requests and messages nobody can receive.
    fn route(&mut self, s: &Stanza<'_>, to: &str) {
        let xml = stamp(s, &self.jid, None);
        let delivered = {
            let sessions = self.server.sessions();
            let targets: Vec<&Session> = match sessions.get(to) {
                Some(one) => vec![one],
                // An iq to a full JID goes nowhere else.
                None if s.kind() == Kind::Iq => vec![],
                None => {
                    let all: Vec<&Session> = sessions
                        .iter()
                        .filter(|(jid, _)| bare(jid) == bare(to))
                        .map(|(_, sess)| sess)
                        .collect();
                    let available: Vec<&Session> = all
                        .iter()
                        .copied()
                        .filter(|s| s.presence.is_some())
                        .collect();
                    if available.is_empty() {
                        all
                    } else {
                        available
                    }
                }
            };
            for t in &targets {
                let _ = t.tx.send(Out::Xml(xml.clone()));
            }
            !targets.is_empty()
        };
        let is_error = s.type_().is_some_and(|t| t.is_error());
        let wants_answer = match s.kind() {
            Kind::Message => true,
            Kind::Iq => matches!(s.type_(), Some(StanzaType::Iq(t)) if t.is_request()),
            _ => false,
        };
        if !delivered && !is_error && wants_answer {
            self.reply_error(s, "cancel", "service-unavailable");
        }
    }

    fn presence(&mut self, s: &Stanza<'_>) {
        let Some(StanzaType::Presence(t)) = s.type_() else {
            return; // unknown type: ignore
        };
        let to = s.to().map(str::to_string);
        match (t, to) {
            (PresenceType::Available | PresenceType::Unavailable, None) => {
                let xml = stamp(s, &self.jid, None);
                let initial = t == PresenceType::Available && !self.available;
                self.available = t == PresenceType::Available;
                let mut sessions = self.server.sessions();
                if let Some(me) = sessions.get_mut(&self.jid) {
                    me.presence = self.available.then(|| xml.clone());
                }
                for (jid, sess) in sessions.iter() {
                    if sess.presence.is_some() || *jid == self.jid {
                        let _ = sess.tx.send(Out::Xml(xml.clone()));
                    }
                    if initial && *jid != self.jid {
                        if let Some(p) = &sess.presence {
                            self.send(Out::Xml(p.clone()));
                        }
                    }
                }
            }
            (PresenceType::Probe, Some(to)) => {
                let sessions = self.server.sessions();
                for (jid, sess) in sessions.iter() {
                    if bare(jid) == bare(&to) {
                        if let Some(p) = &sess.presence {
                            self.send(Out::Xml(p.clone()));
                        }
                    }
                }
            }
            (
                PresenceType::Subscribe
                | PresenceType::Subscribed
                | PresenceType::Unsubscribe
                | PresenceType::Unsubscribed,
                Some(to),
            ) => self.subscription(s, t, bare(&to)),
            (_, Some(to)) => self.route(s, &to),
            (_, None) => {}
        }
    }

    /// A subscription stanza from this user to `contact` (RFC 6121 sections 3.1-3.3,
    /// without roster pushes): requests and answers that change nothing are answered or
    /// dropped by the server, so that clients which re-subscribe whenever they approve a
    /// request (slixmpp's default) do not ping-pong forever.
    fn subscription(&mut self, s: &Stanza<'_>, t: PresenceType, contact: &str) {
        let user = format!("{}@{}", self.user, self.server.domain);
        let contact = contact.to_string();
        let deliver = {
            let mut subs = self
                .server
                .subscriptions
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            match t {
                PresenceType::Subscribe => {
                    let sub = subs.entry((user.clone(), contact.clone())).or_default();
                    if sub.to {
                        // Already approved: the server answers for the contact.
                        let mut xml = Vec::new();
                        Writer::new(&mut xml)
                            .start("presence")
                            .attr("type", "subscribed")
                            .attr("from", &contact)
                            .attr("to", &user)
                            .end();
                        self.send_xml(xml);
                        false
                    } else {
                        sub.pending_out = true;
                        true
                    }
                }
                PresenceType::Subscribed => {
                    // The contact of this approval is the user who asked.
                    let sub = subs.entry((contact.clone(), user.clone())).or_default();
                    let approves = sub.pending_out;
                    if approves {
                        *sub = Subscription {
                            to: true,
                            pending_out: false,
                        };
                    }
                    approves
                }
                PresenceType::Unsubscribe => {
                    subs.remove(&(user.clone(), contact.clone()));
                    true
                }
                _ => {
                    let had = subs.remove(&(contact.clone(), user.clone()));
                    had.is_some_and(|s| s.to || s.pending_out)
                }
            }
        };
        if !deliver {
            return;
        }
        // Subscription stanzas carry bare JIDs (RFC 6121 section 3).
        let xml = stamp(s, &user, None);
        let sessions = self.server.sessions();
        for (jid, sess) in sessions.iter() {
            if bare(jid) == contact {
                let _ = sess.tx.send(Out::Xml(xml.clone()));
                if t == PresenceType::Subscribed {
                    // The approved user now receives this user's presence.
                    for (mine, me) in sessions.iter() {
                        if bare(mine) == user {
                            if let Some(p) = &me.presence {
                                let _ = sess.tx.send(Out::Xml(p.clone()));
                            }
                        }
                    }
                }
            }
        }
    }

    /// Answers `s` with a stanza error of `type_` and `condition`.
    fn reply_error(&self, s: &Stanza<'_>, type_: &str, condition: &str) {
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
    fn end_session(&mut self) {
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

/// The stanza, standalone (with the namespace declarations it inherits from the stream
/// header), with `from` replaced by `from` (and `to` by `to`, when given).
fn stamp(s: &Stanza<'_>, from: &str, to: Option<&str>) -> Vec<u8> {
    let root = s.root();
    let mut xml = Vec::with_capacity(s.raw().len() + 64);
    let mut w = Writer::new(&mut xml);
    w.start(root.qname());
    for (prefix, uri) in s.inherited_namespaces() {
        w.xmlns(prefix, uri);
    }
    for a in root.raw_attrs() {
        let replaced = a.prefix().is_none()
            && (a.local_name() == "from" || (to.is_some() && a.local_name() == "to"));
        if !replaced {
            w.attr(a.qname(), a.value());
        }
    }
    w.attr("from", from);
    if let Some(to) = to {
        w.attr("to", to);
    }
    for node in root.nodes() {
        match node {
            Node::Text(t) => {
                w.text(t.as_str());
            }
            Node::Element(e) => {
                w.element(&e);
            }
        }
    }
    w.end();
    xml
}

/// Standard base64 (RFC 4648), padding optional; `None` if malformed.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64() {
        assert_eq!(
            super::base64_decode("AGp1bGlldAByMG0zMG15cjBtMzA=").unwrap(),
            b"\0juliet\0r0m30myr0m30"
        );
        assert_eq!(super::base64_decode("YQ").unwrap(), b"a");
        assert!(super::base64_decode("a*b").is_none());
    }
}
