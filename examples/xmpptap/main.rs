//! xmpptap: a transparent TCP proxy for plaintext XMPP that logs what passes through it,
//! like a protocol analyser.
//!
//! ```text
//! cargo run --release --example xmpptap -- --listen 127.0.0.1:5223 --upstream 127.0.0.1:5222 \
//!     [--log FILE] [--max-stanza-bytes N]
//! ```
//!
//! Every accepted client connection gets its own connection to the upstream server and two
//! threads, one per direction. Each thread reads into a fixed 64 KiB buffer, writes what it
//! read to the other socket at once (nothing is held back waiting for a stanza to
//! complete), and only then feeds the same bytes to an [`xmpp_stream::Parser`]. The parser
//! keeps at most the current incomplete stanza, bounded by its [`Limits`], so memory per
//! connection is bounded.
//!
//! The log (FILE, or stdout) gets one JSON object per line, written with one `write` call
//! and flushed per line, so a SIGTERM loses nothing already logged. Every line has `t`
//! (seconds since start) and `event`; connection events have `conn` (1, 2, ...) and
//! stream events `dir` (`c2s` or `s2c`):
//!
//! - `listening`: `listen`, `upstream`, `pid`;
//! - `connect`: `client` (its address), `upstream`, `upstream_local` (our end of the
//!   upstream connection), or `error` when the upstream could not be reached;
//! - `header`: a stream header, `stream` (1, then 2 after the SASL restart, ...), `to`,
//!   `from`, `id`, `version`, `lang`, `xmlns`, `size`;
//! - `stanza`: `kind` (`message`, `presence`, `iq`, or `other` for nonzas such as
//!   `<stream:features/>` and SASL elements), `name`, `ns` (for `other`), `to`, `from`,
//!   `id`, `type` (absent attributes are left out), `size` (raw bytes) and `offset`;
//! - `close`: `</stream:stream>`;
//! - `tls`: the server accepted STARTTLS (`<proceed/>`): the tap cannot see inside TLS and
//!   forwards both directions opaquely from then on (logged once per connection);
//! - `error`: a parse error with `condition`, `offset` and `message`; the tap closes that
//!   connection (both sockets) and no other;
//! - `eof`: one direction ended (`end`: `eof`, `reset`, `aborted`, `write-error`,
//!   `parse-error`); the tap then shuts down writing on the other socket (half-close);
//! - `disconnect`: both directions ended; per direction `bytes` (read), `forwarded`
//!   (written), `fnv1a64_in` / `fnv1a64_out` (FNV-1a 64 of those bytes), `parsed` (bytes
//!   the parser consumed), `opaque_bytes` (forwarded unparsed after STARTTLS), `headers`,
//!   `stanzas`, `closes`, `kinds` (stanza counts by kind: `message`, `presence`, `iq`,
//!   `other:NAME`), `clean` (the parser saw no error and the direction ended between
//!   stanzas), `end`.
//!
//! Stream restarts: the server-to-client parser calls [`Parser::restart`] right after the
//! server's `<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`, the point where the
//! server's next bytes are a new stream. The client-to-server parser cannot do the same:
//! the client restarts when it *receives* `<success/>`, which the tap forwards before its
//! other thread has parsed it, so there is no ordering to rely on; it uses
//! [`Config::implicit_restart`] instead, which reads a new `<stream:stream>` (or XML
//! declaration) between stanzas as a restart.
//!
//! STARTTLS: after the client's `<starttls/>` its next bytes are a TLS handshake (or
//! nothing, if the server refuses), and after the server's `<proceed/>` the server's are;
//! each direction stops parsing there and is forwarded opaquely.
//!
//! Exit status: 2 for bad usage or when the listen address cannot be bound; otherwise the
//! tap runs until it is killed.

mod log;
mod tls;

use log::{Fnv, Line, Log};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use tls::{Link, Tls, TlsArgs};
use xmpp_stream::dump::write_json_str;
use xmpp_stream::{Config, Element, Event, Limits, Parser, XML_NS};

const USAGE: &str = "usage: xmpptap --listen HOST:PORT --upstream HOST:PORT [--log FILE] \
                     [--max-stanza-bytes N] [--tls-name NAME... | --cert FILE --key FILE] \
                     [--cert-out FILE] [--ca FILE | --insecure] [--upstream-name NAME] \
                     [--direct-tls] [--plaintext-dir DIR]";

/// Size of each direction's read buffer (the only per-connection buffer besides the
/// parser's, which the limits bound).
const READ_BUF: usize = 64 * 1024;

const SASL_NS: &str = "urn:ietf:params:xml:ns:xmpp-sasl";
const TLS_NS: &str = "urn:ietf:params:xml:ns:xmpp-tls";
const STANZA_NS: [&str; 3] = ["jabber:client", "jabber:server", "jabber:component:accept"];

struct Args {
    listen: String,
    upstream: String,
    log: Option<String>,
    max_stanza_bytes: Option<usize>,
    tls: TlsArgs,
    plaintext_dir: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let (mut listen, mut upstream, mut log, mut max) = (None, None, None, None);
    let mut tls = TlsArgs::default();
    let mut plaintext_dir = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--listen" => listen = Some(value()?),
            "--upstream" => upstream = Some(value()?),
            "--log" => log = Some(value()?),
            "--max-stanza-bytes" => {
                let v = value()?;
                match v.parse::<usize>() {
                    Ok(n) if n > 0 => max = Some(n),
                    _ => return Err(format!("--max-stanza-bytes: not a positive number: {v}")),
                }
            }
            "--tls-name" => tls.names.push(value()?),
            "--cert" => tls.cert = Some(value()?),
            "--key" => tls.key = Some(value()?),
            "--cert-out" => tls.cert_out = Some(value()?),
            "--ca" => tls.ca = Some(value()?),
            "--insecure" => tls.insecure = true,
            "--upstream-name" => tls.upstream_name = Some(value()?),
            "--direct-tls" => tls.direct = true,
            "--plaintext-dir" => plaintext_dir = Some(value()?),
            "-h" | "--help" => return Err(String::new()),
            _ => return Err(format!("unexpected argument {a}")),
        }
    }
    Ok(Args {
        listen: listen.ok_or("--listen is required")?,
        upstream: upstream.ok_or("--upstream is required")?,
        log,
        max_stanza_bytes: max,
        tls,
        plaintext_dir,
    })
}

// ------------------------------------------------------------------------------ connections

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    C2s,
    S2c,
}

impl Dir {
    fn name(self) -> &'static str {
        match self {
            Dir::C2s => "c2s",
            Dir::S2c => "s2c",
        }
    }
}

/// What both threads of one connection share.
struct Conn {
    id: u64,
    log: Arc<Log>,
    limits: Limits,
    client: TcpStream,
    server: TcpStream,
    /// Set when the connection is being torn down (parse error, broken socket).
    aborted: AtomicBool,
    /// TLS configuration, when the tap decrypts.
    tls: Option<Arc<Tls>>,
    /// Where STARTTLS stands, and the wake-up of the thread waiting for it.
    switch: Mutex<Switch>,
    switched: Condvar,
    /// The `to` of the client's first stream header: the name to verify the server by.
    stream_to: Mutex<Option<String>>,
    /// `--plaintext-dir`: where each direction's bytes as parsed (decrypted) are written.
    plaintext_dir: Option<Arc<str>>,
}

/// STARTTLS between the two threads of a connection.
enum Switch {
    /// Not asked for (or not yet answered).
    None,
    /// TLS is up: the session towards the client and the one towards the server.
    Up(Arc<Link>, Arc<Link>),
    /// The server refused or the connection ended first.
    Failed,
}

/// One side of a direction: a plain socket or a TLS session over it.
enum End<'a> {
    Plain(&'a TcpStream),
    Tls(Arc<Link>),
}

impl Conn {
    /// Closes the connection in both directions, on both sockets; the other thread's
    /// blocked read then returns.
    fn abort(&self) {
        self.aborted.store(true, Ordering::SeqCst);
        let _ = self.client.shutdown(Shutdown::Both);
        let _ = self.server.shutdown(Shutdown::Both);
        self.set_switch(Switch::Failed);
    }

    /// Records the STARTTLS outcome (the first one wins) and wakes the waiting thread.
    fn set_switch(&self, to: Switch) {
        let mut s = self.switch.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(*s, Switch::None) {
            *s = to;
        }
        self.switched.notify_all();
    }

    /// Waits (at most 30 s) until the other thread decided; the links if TLS is up.
    fn wait_switch(&self) -> Option<(Arc<Link>, Arc<Link>)> {
        let mut s = self.switch.lock().unwrap_or_else(|e| e.into_inner());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match &*s {
                Switch::Up(c, sv) => return Some((Arc::clone(c), Arc::clone(sv))),
                Switch::Failed => return None,
                Switch::None => {}
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            s = self
                .switched
                .wait_timeout(s, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Logs a finished handshake of the session towards `side`.
    fn log_handshake(&self, dir: Dir, n: tls::Negotiated) {
        let tls = self.tls.as_deref();
        let names = |v: &[String]| {
            let mut s = String::from("[");
            for (i, n) in v.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                write_json_str(&mut s, n);
            }
            s.push(']');
            s
        };
        let own = names(tls.map(|t| &t.own_names[..]).unwrap_or(&[]));
        let peer = n.peer_names.as_deref().map(names);
        let (side, presented_by_tap, presented_by_peer) = match dir {
            // the c2s thread reads the client's TLS: the tap is the server there
            Dir::C2s => ("client", Some(own.as_str()), peer.as_deref()),
            Dir::S2c => ("server", None, peer.as_deref()),
        };
        let mut l = self
            .line("tls-handshake", Some(dir))
            .str("side", side)
            .str("version", &n.version)
            .str("cipher", &n.cipher)
            .opt("sni", n.sni.as_deref())
            .json("peer_cert_names", presented_by_peer.unwrap_or("null"));
        if let Some(p) = presented_by_tap {
            l = l.json("tap_cert_names", p);
        }
        if dir == Dir::S2c {
            l = l.str("verify", tls.map(|t| t.verify).unwrap_or("?"));
        }
        self.log.write(l);
    }

    fn line(&self, event: &str, dir: Option<Dir>) -> Line {
        let l = self.log.line(event).num("conn", self.id);
        match dir {
            Some(d) => l.str("dir", d.name()),
            None => l,
        }
    }
}

/// One direction's totals, reported at `disconnect`.
struct DirStats {
    bytes: u64,
    forwarded: u64,
    fnv_in: Fnv,
    fnv_out: Fnv,
    parsed: u64,
    opaque_bytes: u64,
    headers: u64,
    stanzas: u64,
    closes: u64,
    kinds: BTreeMap<String, u64>,
    clean: bool,
    end: &'static str,
    /// Plaintext offset where TLS began on this direction (`None`: never).
    tls_at: Option<u64>,
    /// TLS bytes read from the source socket and written to the destination socket.
    tls_in: u64,
    tls_out: u64,
    /// Offset of the current parser's first byte (a fresh parser starts after STARTTLS).
    base: u64,
}

impl DirStats {
    fn json(&self) -> String {
        let mut kinds = String::from("{");
        for (i, (k, n)) in self.kinds.iter().enumerate() {
            if i > 0 {
                kinds.push(',');
            }
            write_json_str(&mut kinds, k);
            let _ = write!(kinds, ":{n}");
        }
        kinds.push('}');
        format!(
            "{{\"bytes\":{},\"forwarded\":{},\"fnv1a64_in\":{},\"fnv1a64_out\":{},\
             \"parsed\":{},\"opaque_bytes\":{},\"headers\":{},\"stanzas\":{},\"closes\":{},\
             \"kinds\":{},\"clean\":{},\"end\":\"{}\",\"tls_at\":{},\"tls_in\":{},\"tls_out\":{}}}",
            self.bytes,
            self.forwarded,
            self.fnv_in.hex(),
            self.fnv_out.hex(),
            self.parsed,
            self.opaque_bytes,
            self.headers,
            self.stanzas,
            self.closes,
            kinds,
            self.clean,
            self.end,
            self.tls_at.map_or("null".to_string(), |n| n.to_string()),
            self.tls_in,
            self.tls_out
        )
    }
}

/// What the event loop decided to do once the event borrowing the parser is released.
enum After {
    Nothing,
    /// The server's `<success/>`: its next bytes open a new stream.
    Restart,
    /// STARTTLS: the bytes after this offset are not XML.
    Opaque {
        from: u64,
        proceed: bool,
    },
}

/// Whether `e` is a message, presence or iq stanza (rather than a nonza such as
/// `<stream:features/>` or `<auth/>`).
fn is_stanza(e: &Element<'_>) -> bool {
    matches!(e.local_name(), "message" | "presence" | "iq") && STANZA_NS.contains(&e.ns())
}

/// Logs one event of direction `dir`; returns what to do next.
fn on_event(conn: &Conn, dir: Dir, ev: &Event<'_>, st: &mut DirStats) -> After {
    match ev {
        Event::Header(h) => {
            st.headers += 1;
            if dir == Dir::C2s {
                let mut to = conn.stream_to.lock().unwrap_or_else(|e| e.into_inner());
                if to.is_none() {
                    *to = h.attr("", "to").map(str::to_string);
                }
            }
            let xmlns = h.ns_decls().find(|(p, _)| p.is_none()).map(|(_, u)| u);
            conn.log.write(
                conn.line("header", Some(dir))
                    .num("stream", st.headers)
                    .opt("to", h.attr("", "to"))
                    .opt("from", h.attr("", "from"))
                    .opt("id", h.attr("", "id"))
                    .opt("version", h.attr("", "version"))
                    .opt("lang", h.attr(XML_NS, "lang"))
                    .opt("xmlns", xmlns)
                    .num("size", h.raw().len() as u64),
            );
            After::Nothing
        }
        Event::Stanza(s) => {
            let e = s.root();
            let (name, ns) = (e.local_name(), e.ns());
            st.stanzas += 1;
            let mut line = conn.line("stanza", Some(dir));
            let key = if is_stanza(&e) {
                line = line.str("kind", name).str("name", name);
                name.to_string()
            } else {
                line = line.str("kind", "other").str("name", name).str("ns", ns);
                format!("other:{name}")
            };
            *st.kinds.entry(key).or_insert(0) += 1;
            let end = st.base + s.offset() + s.raw().len() as u64;
            conn.log.write(
                line.opt("to", e.attr("", "to"))
                    .opt("from", e.attr("", "from"))
                    .opt("id", e.attr("", "id"))
                    .opt("type", e.attr("", "type"))
                    .num("size", s.raw().len() as u64)
                    .num("offset", st.base + s.offset()),
            );
            match (dir, ns, name) {
                (Dir::S2c, SASL_NS, "success") => After::Restart,
                (Dir::C2s, TLS_NS, "starttls") => After::Opaque {
                    from: end,
                    proceed: false,
                },
                (Dir::S2c, TLS_NS, "proceed") => After::Opaque {
                    from: end,
                    proceed: true,
                },
                _ => After::Nothing,
            }
        }
        Event::Close => {
            st.closes += 1;
            conn.log.write(conn.line("close", Some(dir)));
            After::Nothing
        }
    }
}

/// Forwards one direction until its source ends, parsing what passes; returns the totals.
fn pump(conn: &Conn, dir: Dir, src_sock: &TcpStream, dst_sock: &TcpStream) -> DirStats {
    let config = Config::default()
        .limits(conn.limits)
        .implicit_restart(dir == Dir::C2s);
    let mut parser = Some(Parser::with_config(config.clone()));
    let mut st = DirStats {
        bytes: 0,
        forwarded: 0,
        fnv_in: Fnv::new(),
        fnv_out: Fnv::new(),
        parsed: 0,
        opaque_bytes: 0,
        headers: 0,
        stanzas: 0,
        closes: 0,
        kinds: BTreeMap::new(),
        clean: true,
        end: "eof",
        tls_at: None,
        tls_in: 0,
        tls_out: 0,
        base: 0,
    };
    let (mut src, mut dst) = (End::Plain(src_sock), End::Plain(dst_sock));
    if conn.tls.as_ref().is_some_and(|t| t.direct) {
        match conn.wait_switch() {
            Some(links) => {
                (src, dst) = ends(dir, links);
                st.tls_at = Some(0);
            }
            None => {
                st.end = "aborted";
                st.clean = false;
            }
        }
    }
    let mut buf = vec![0u8; READ_BUF];
    let mut detail: Option<String> = None;
    let mut record = conn.plaintext_dir.as_deref().and_then(|d| {
        std::fs::File::create(format!("{d}/conn{}.{}.bin", conn.id, dir.name())).ok()
    });
    'read: loop {
        if st.end != "eof" {
            break;
        }
        let got = match &src {
            End::Plain(s) => {
                let mut s: &TcpStream = s;
                s.read(&mut buf)
            }
            End::Tls(l) => l.read(&mut buf, &mut |n| conn.log_handshake(dir, n)),
        };
        let n = match got {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                st.end = if conn.aborted.load(Ordering::SeqCst) {
                    "aborted"
                } else if matches!(src, End::Tls(_)) && e.kind() == io::ErrorKind::InvalidData {
                    conn.log.write(
                        conn.line("tls-error", Some(dir))
                            .str("side", if dir == Dir::C2s { "client" } else { "server" })
                            .str("message", &e.to_string()),
                    );
                    conn.abort();
                    "tls-error"
                } else {
                    "reset"
                };
                detail = Some(e.to_string());
                break;
            }
        };
        let chunk = &buf[..n];
        st.bytes += n as u64;
        st.fnv_in.update(chunk);
        // Forward first, parse second: the peer never waits for the parser.
        let sent = match &dst {
            End::Plain(s) => {
                let mut s: &TcpStream = s;
                s.write_all(chunk)
            }
            End::Tls(l) => l.write(chunk),
        };
        if let Err(e) = sent {
            st.end = if conn.aborted.load(Ordering::SeqCst) {
                "aborted"
            } else {
                "write-error"
            };
            detail = Some(e.to_string());
            conn.abort();
            break;
        }
        st.forwarded += n as u64;
        st.fnv_out.update(chunk);
        if let Some(f) = record.as_mut() {
            let _ = f.write_all(chunk);
        }

        let Some(p) = parser.as_mut() else {
            st.opaque_bytes += n as u64;
            continue;
        };
        p.feed(chunk);
        loop {
            let after = match p.next_event() {
                Ok(None) => break,
                Ok(Some(ev)) => on_event(conn, dir, &ev, &mut st),
                Err(e) => {
                    conn.log.write(
                        conn.line("error", Some(dir))
                            .str("condition", e.condition().as_str())
                            .num("offset", st.base + e.offset())
                            .str("message", e.message()),
                    );
                    st.parsed = st.base + e.offset();
                    st.clean = false;
                    st.end = "parse-error";
                    conn.abort();
                    break 'read;
                }
            };
            match after {
                After::Nothing => {}
                After::Restart => p.restart(),
                After::Opaque { from, proceed } => {
                    if conn.tls.is_some() {
                        if let Some(links) = start_tls(conn, dir, proceed) {
                            // what followed the element in clear (go-sendxmpp: a newline)
                            // was forwarded already; whitespace is the old stream's
                            let rest = &chunk[n - (st.bytes - from) as usize..];
                            if rest.iter().all(|b| b" \t\r\n".contains(b)) {
                                st.base = st.bytes;
                                *p = Parser::with_config(config.clone());
                            } else {
                                conn.log.write(conn.line("error", Some(dir)).str(
                                    "message",
                                    "bytes other than whitespace after the STARTTLS element \
                                     were forwarded in clear",
                                ));
                                p.restart();
                            }
                            (src, dst) = ends(dir, links);
                            st.tls_at = Some(st.bytes);
                            continue 'read;
                        }
                        if st.end != "eof" {
                            break 'read;
                        }
                    } else if proceed {
                        conn.log.write(conn.line("tls", Some(dir)).str(
                            "note",
                            "STARTTLS accepted (<proceed/>): the tap cannot see inside TLS \
                             (start it with --tls-name or --cert to decrypt); both directions \
                             are forwarded opaquely from here on",
                        ));
                    }
                    st.parsed = from;
                    st.opaque_bytes = st.bytes - from;
                    parser = None;
                    continue 'read;
                }
            }
        }
    }
    if let Some(p) = parser.as_mut() {
        if st.end != "parse-error" {
            st.parsed = st.base + p.offset();
            if let Err(e) = p.finish() {
                st.clean = false;
                detail.get_or_insert_with(|| format!("stream cut short: {e}"));
            }
        }
    }
    if st.end == "eof" && conn.aborted.load(Ordering::SeqCst) {
        st.end = "aborted";
    }
    if dir == Dir::S2c {
        // the server's side ended without <proceed/>: a waiting c2s thread goes on in clear
        conn.set_switch(Switch::Failed);
    }
    let mut line = conn
        .line("eof", Some(dir))
        .str("end", st.end)
        .num("bytes", st.bytes)
        .num("parsed", st.parsed)
        .json("clean", if st.clean { "true" } else { "false" });
    if let Some(d) = &detail {
        line = line.str("detail", d);
    }
    conn.log.write(line);
    // Half-close: the other side learns that this side has no more to say.
    if let End::Tls(l) = &dst {
        l.close();
    }
    let _ = dst_sock.shutdown(Shutdown::Write);
    st
}

/// The (source, destination) ends of direction `dir` once TLS is up.
fn ends<'a>(dir: Dir, (to_client, to_server): (Arc<Link>, Arc<Link>)) -> (End<'a>, End<'a>) {
    match dir {
        Dir::C2s => (End::Tls(to_client), End::Tls(to_server)),
        Dir::S2c => (End::Tls(to_server), End::Tls(to_client)),
    }
}

/// STARTTLS reached `dir`: the server's `<proceed/>` (s2c) makes both TLS sessions; the
/// client's `<starttls/>` (c2s) waits for that. `None`: go on without decrypting.
fn start_tls(conn: &Conn, dir: Dir, proceed: bool) -> Option<(Arc<Link>, Arc<Link>)> {
    let tls = conn.tls.as_ref()?;
    if dir == Dir::C2s || !proceed {
        return conn.wait_switch();
    }
    let name = conn
        .stream_to
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone()
        .unwrap_or_else(|| tls.default_upstream_name.clone());
    match tls.links(&conn.client, &conn.server, &name) {
        Ok((c, s)) => {
            conn.log.write(
                conn.line("tls", Some(dir))
                    .str("mode", "starttls")
                    .str("upstream_name", &name)
                    .str(
                        "note",
                        "STARTTLS accepted (<proceed/>): decrypting both legs from here on",
                    ),
            );
            conn.set_switch(Switch::Up(Arc::clone(&c), Arc::clone(&s)));
            Some((c, s))
        }
        Err(e) => {
            conn.log.write(
                conn.line("tls-error", Some(dir))
                    .str("side", "server")
                    .str("message", &e),
            );
            conn.abort();
            None
        }
    }
}

fn addr(a: io::Result<SocketAddr>) -> String {
    a.map(|a| a.to_string())
        .unwrap_or_else(|e| format!("?({e})"))
}

fn handle(
    id: u64,
    client: TcpStream,
    upstream: Arc<Vec<SocketAddr>>,
    log: Arc<Log>,
    limits: Limits,
    tls: Option<Arc<Tls>>,
    plaintext_dir: Option<Arc<str>>,
) {
    let peer = addr(client.peer_addr());
    let server = match connect(&upstream) {
        Ok(s) => s,
        Err(e) => {
            log.write(
                log.line("connect")
                    .num("conn", id)
                    .str("client", &peer)
                    .str("error", &format!("upstream: {e}")),
            );
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    log.write(
        log.line("connect")
            .num("conn", id)
            .str("client", &peer)
            .str("upstream", &addr(server.peer_addr()))
            .str("upstream_local", &addr(server.local_addr())),
    );
    let started = Instant::now();
    let conn = Arc::new(Conn {
        id,
        log,
        limits,
        client,
        server,
        aborted: AtomicBool::new(false),
        tls,
        switch: Mutex::new(Switch::None),
        switched: Condvar::new(),
        stream_to: Mutex::new(None),
        plaintext_dir,
    });
    if let Some(t) = conn.tls.as_ref().filter(|t| t.direct) {
        // XEP-0368: TLS from the first byte on both legs
        match t.links(&conn.client, &conn.server, &t.default_upstream_name) {
            Ok((c, s)) => {
                conn.log.write(
                    conn.line("tls", None)
                        .str("mode", "direct")
                        .str("upstream_name", &t.default_upstream_name),
                );
                conn.set_switch(Switch::Up(c, s));
            }
            Err(e) => {
                conn.log
                    .write(conn.line("tls-error", None).str("message", &e));
                conn.abort();
            }
        }
    }
    let c = Arc::clone(&conn);
    let s2c = thread::Builder::new()
        .name(format!("conn{id}-s2c"))
        .spawn(move || pump(&c, Dir::S2c, &c.server, &c.client));
    if let Err(e) = &s2c {
        conn.log.write(
            conn.line("error", None)
                .str("condition", "internal-server-error")
                .str("message", &format!("cannot start a thread: {e}")),
        );
        conn.abort();
    }
    let mut c2s = pump(&conn, Dir::C2s, &conn.client, &conn.server);
    let mut s2c = match s2c.map(|h| h.join()) {
        Ok(Ok(st)) => Some(st),
        _ => None,
    };
    // TLS bytes per socket, counted once both directions are done with them
    if let Switch::Up(to_client, to_server) =
        &*conn.switch.lock().unwrap_or_else(|e| e.into_inner())
    {
        c2s.tls_in = to_client.raw_in.load(Ordering::Relaxed);
        c2s.tls_out = to_server.raw_out.load(Ordering::Relaxed);
        if let Some(s) = s2c.as_mut() {
            s.tls_in = to_server.raw_in.load(Ordering::Relaxed);
            s.tls_out = to_client.raw_out.load(Ordering::Relaxed);
        }
    }
    let s2c = s2c.map_or("null".to_string(), |s| s.json());
    conn.log.write(
        conn.line("disconnect", None)
            .json(
                "duration_s",
                &format!("{:.6}", started.elapsed().as_secs_f64()),
            )
            .json("c2s", &c2s.json())
            .json("s2c", &s2c),
    );
}

fn connect(addrs: &[SocketAddr]) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
    for a in addrs {
        match TcpStream::connect_timeout(a, Duration::from_secs(10)) {
            Ok(s) => return Ok(s),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("xmpptap: {msg}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let upstream: Vec<SocketAddr> = match args.upstream.to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(e) => {
            eprintln!("xmpptap: upstream {}: {e}", args.upstream);
            return ExitCode::from(2);
        }
    };
    let out: Box<dyn Write + Send> = match &args.log {
        None => Box::new(io::stdout()),
        Some(path) => match OpenOptions::new().create(true).append(true).open(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("xmpptap: {path}: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let listener = match TcpListener::bind(&args.listen) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("xmpptap: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(2);
        }
    };
    let log = Arc::new(Log {
        out: Mutex::new(out),
        t0: Instant::now(),
    });
    let tls = if args.tls.enabled() {
        match Tls::new(&args.tls) {
            Ok(t) => Some(Arc::new(t)),
            Err(e) => {
                eprintln!("xmpptap: TLS: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };
    let mut limits = Limits::default();
    if let Some(n) = args.max_stanza_bytes {
        limits.max_stanza_bytes = n;
    }
    log.write(
        log.line("listening")
            .str("listen", &addr(listener.local_addr()))
            .str("upstream", &args.upstream)
            .num("pid", u64::from(std::process::id()))
            .opt(
                "tls",
                tls.as_deref()
                    .map(|t| if t.direct { "direct" } else { "starttls" }),
            )
            .opt("tls_verify", tls.as_deref().map(|t| t.verify)),
    );
    eprintln!(
        "xmpptap: listening on {} -> {}",
        addr(listener.local_addr()),
        args.upstream
    );
    let upstream = Arc::new(upstream);
    let plaintext_dir: Option<Arc<str>> = args.plaintext_dir.as_deref().map(Arc::from);
    let next_id = AtomicU64::new(1);
    for incoming in listener.incoming() {
        let client = match incoming {
            Ok(c) => c,
            Err(e) => {
                // e.g. out of file descriptors: log, back off, keep serving.
                log.write(log.line("accept-error").str("error", &e.to_string()));
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        let id = next_id.fetch_add(1, Ordering::SeqCst);
        let (up, lg, tl, pd) = (
            Arc::clone(&upstream),
            Arc::clone(&log),
            tls.clone(),
            plaintext_dir.clone(),
        );
        let spawned = thread::Builder::new()
            .name(format!("conn{id}"))
            .spawn(move || handle(id, client, up, lg, limits, tl, pd));
        if let Err(e) = spawned {
            log.write(
                log.line("accept-error")
                    .num("conn", id)
                    .str("error", &format!("thread: {e}")),
            );
        }
    }
    ExitCode::SUCCESS
}
