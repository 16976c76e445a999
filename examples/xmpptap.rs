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
//! [`Config::with_implicit_restart`] instead, which reads a new `<stream:stream>` (or XML
//! declaration) between stanzas as a restart.
//!
//! STARTTLS: after the client's `<starttls/>` its next bytes are a TLS handshake (or
//! nothing, if the server refuses), and after the server's `<proceed/>` the server's are;
//! each direction stops parsing there and is forwarded opaquely.
//!
//! Exit status: 2 for bad usage or when the listen address cannot be bound; otherwise the
//! tap runs until it is killed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use xmpp_stream::dump::write_json_str;
use xmpp_stream::{Config, Element, Event, Limits, Parser, XML_NS};

const USAGE: &str = "usage: xmpptap --listen HOST:PORT --upstream HOST:PORT [--log FILE] \
                     [--max-stanza-bytes N]";

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
}

fn parse_args() -> Result<Args, String> {
    let (mut listen, mut upstream, mut log, mut max) = (None, None, None, None);
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
            "-h" | "--help" => return Err(String::new()),
            _ => return Err(format!("unexpected argument {a}")),
        }
    }
    Ok(Args {
        listen: listen.ok_or("--listen is required")?,
        upstream: upstream.ok_or("--upstream is required")?,
        log,
        max_stanza_bytes: max,
    })
}

// ------------------------------------------------------------------------------ log

/// The JSON-lines log: whole lines written under a lock, one `write_all` each, unbuffered.
struct Log {
    out: Mutex<Box<dyn Write + Send>>,
    t0: Instant,
}

impl Log {
    /// Starts a line with `t` and `event`.
    fn line(&self, event: &str) -> Line {
        let mut s = String::with_capacity(256);
        let _ = write!(
            s,
            "{{\"t\":{:.6},\"event\":\"{event}\"",
            self.t0.elapsed().as_secs_f64()
        );
        Line(s)
    }

    fn write(&self, line: Line) {
        let mut s = line.0;
        s.push_str("}\n");
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        // A log that cannot be written must not stop the forwarding.
        let _ = out.write_all(s.as_bytes()).and_then(|()| out.flush());
    }
}

/// One JSON object under construction (without its closing brace).
struct Line(String);

impl Line {
    fn str(mut self, key: &str, value: &str) -> Self {
        let _ = write!(self.0, ",\"{key}\":");
        write_json_str(&mut self.0, value);
        self
    }

    fn opt(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.str(key, v),
            None => self,
        }
    }

    fn num(mut self, key: &str, value: u64) -> Self {
        let _ = write!(self.0, ",\"{key}\":{value}");
        self
    }

    /// `value` must be valid JSON.
    fn json(mut self, key: &str, value: &str) -> Self {
        let _ = write!(self.0, ",\"{key}\":{value}");
        self
    }
}

// ------------------------------------------------------------------------------ checksum

/// FNV-1a, 64 bits: a checksum of everything a direction read and wrote.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn update(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }

    fn hex(self) -> String {
        format!("\"{:016x}\"", self.0)
    }
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
}

impl Conn {
    /// Closes the connection in both directions, on both sockets; the other thread's
    /// blocked read then returns.
    fn abort(&self) {
        self.aborted.store(true, Ordering::SeqCst);
        let _ = self.client.shutdown(Shutdown::Both);
        let _ = self.server.shutdown(Shutdown::Both);
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
             \"kinds\":{},\"clean\":{},\"end\":\"{}\"}}",
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
            self.end
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
            let end = s.offset() + s.raw().len() as u64;
            conn.log.write(
                line.opt("to", e.attr("", "to"))
                    .opt("from", e.attr("", "from"))
                    .opt("id", e.attr("", "id"))
                    .opt("type", e.attr("", "type"))
                    .num("size", s.raw().len() as u64)
                    .num("offset", s.offset()),
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
        _ => After::Nothing,
    }
}

/// Forwards `src` to `dst` until `src` ends, parsing what passes; returns the totals.
fn pump(conn: &Conn, dir: Dir, mut src: &TcpStream, mut dst: &TcpStream) -> DirStats {
    let config = Config::default()
        .with_limits(conn.limits)
        .with_implicit_restart(dir == Dir::C2s);
    let mut parser = Some(Parser::with_config(config));
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
    };
    let mut buf = vec![0u8; READ_BUF];
    let mut detail: Option<String> = None;
    'read: loop {
        let n = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                st.end = if conn.aborted.load(Ordering::SeqCst) {
                    "aborted"
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
        if let Err(e) = dst.write_all(chunk) {
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
                            .num("offset", e.offset())
                            .str("message", e.message()),
                    );
                    st.parsed = e.offset();
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
                    if proceed {
                        conn.log.write(conn.line("tls", Some(dir)).str(
                            "note",
                            "STARTTLS accepted (<proceed/>): the tap cannot see inside TLS; \
                             both directions are forwarded opaquely from here on",
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
            st.parsed = p.offset();
            if let Err(e) = p.finish() {
                st.clean = false;
                detail.get_or_insert_with(|| format!("stream cut short: {e}"));
            }
        }
    }
    if st.end == "eof" && conn.aborted.load(Ordering::SeqCst) {
        st.end = "aborted";
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
    let _ = dst.shutdown(Shutdown::Write);
    st
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
    });
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
    let c2s = pump(&conn, Dir::C2s, &conn.client, &conn.server);
    let s2c = match s2c.map(|h| h.join()) {
        Ok(Ok(st)) => st.json(),
        _ => "null".to_string(),
    };
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
    let mut limits = Limits::default();
    if let Some(n) = args.max_stanza_bytes {
        limits.max_stanza_bytes = n;
    }
    log.write(
        log.line("listening")
            .str("listen", &addr(listener.local_addr()))
            .str("upstream", &args.upstream)
            .num("pid", u64::from(std::process::id())),
    );
    eprintln!(
        "xmpptap: listening on {} -> {}",
        addr(listener.local_addr()),
        args.upstream
    );
    let upstream = Arc::new(upstream);
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
        let (up, lg) = (Arc::clone(&upstream), Arc::clone(&log));
        let spawned = thread::Builder::new()
            .name(format!("conn{id}"))
            .spawn(move || handle(id, client, up, lg, limits));
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
