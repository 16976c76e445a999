//! xmpptap: a transparent TCP proxy for XMPP that logs what passes through it, like a
//! protocol analyser; with a certificate of its own it also sees inside TLS.
//!
//! ```text
//! cargo run --release --example xmpptap -- --listen 127.0.0.1:5223 --upstream 127.0.0.1:5222 \
//!     [--log FILE] [--max-stanza-bytes N] [--plaintext-dir DIR]
//!     [--tls-name NAME ... | --cert FILE --key FILE] [--cert-out FILE]
//!     [--ca FILE | --insecure] [--upstream-name NAME] [--direct-tls]
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
//! - `tls`: TLS begins: with TLS options, `mode` (`starttls` after the server's
//!   `<proceed/>`, or `direct`) and `upstream_name` (the name the server's certificate is
//!   verified for: the `to` of the client's stream header, else `--upstream-name`); without
//!   them, a `note` that the rest is forwarded opaquely;
//! - `tls-handshake`: one per side once its handshake completed: `side` (`client`: the
//!   tap's session with the client, `server`: with the server), `version`, `cipher`, `sni`
//!   (what the client asked for), `peer_cert_names` (DNS names of the certificate that side
//!   presented, `null` for none), `tap_cert_names` (client side: the tap's own), `verify`
//!   (server side: `ca` or `insecure`);
//! - `tls-error`: a handshake or record failed (`side`, `message`: rustls' reason, e.g. an
//!   untrusted server certificate, or a client that hung up on the tap's); the tap closes
//!   that connection;
//! - `error`: a parse error with `condition`, `offset` and `message`; the tap closes that
//!   connection (both sockets) and no other;
//! - `eof`: one direction ended (`end`: `eof`, `reset`, `aborted`, `write-error`,
//!   `parse-error`); the tap then shuts down writing on the other socket (half-close);
//! - `disconnect`: both directions ended; per direction `bytes` (read), `forwarded`
//!   (written), `fnv1a64_in` / `fnv1a64_out` (FNV-1a 64 of those bytes), `parsed` (bytes
//!   the parser consumed), `opaque_bytes` (forwarded unparsed after STARTTLS), `headers`,
//!   `stanzas`, `closes`, `kinds` (stanza counts by kind: `message`, `presence`, `iq`,
//!   `other:NAME`), `clean` (the parser saw no error and the direction ended between
//!   stanzas), `end`, and for TLS `tls_at` (the byte where TLS began, `null` if never),
//!   `tls_in` / `tls_out` (TLS bytes read from the source socket / written to the
//!   destination socket). With TLS all other counts are of the decrypted bytes.
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
//! nothing, if the server refuses), and after the server's `<proceed/>` the server's are.
//! Without TLS options each direction stops parsing there and is forwarded opaquely. With
//! them (`--tls-name` makes a self-signed certificate for those names at start, written
//! to `--cert-out` for clients to trust; or `--cert/--key`), the server-to-client thread,
//! having forwarded `<proceed/>`, opens TLS to the server (verified against `--ca`, or
//! not with `--insecure`: a wrong certificate fails the handshake) and accepts TLS from
//! the client with the tap's certificate; the client-to-server thread waits for that and
//! both go on forwarding and parsing the decrypted streams, each with a fresh parser
//! (whitespace the client sent in clear after `<starttls/>`, as go-sendxmpp does, belongs
//! to the old stream). `--direct-tls` (XEP-0368) does TLS on both legs from the first
//! byte. `--plaintext-dir DIR` writes each connection's bytes as parsed to
//! `DIR/connN.c2s.bin` / `.s2c.bin`. TLS is rustls (ring), in tls.rs.
//!
//! Exit status: 2 for bad usage or when the listen address cannot be bound; otherwise the
//! tap runs until it is killed.

mod log;
mod pump;
mod tls;

use log::{Fnv, Line, Log};
use pump::pump;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use tls::{Link, Tls, TlsArgs};
use xmpp_stream::dump::write_json_str;
use xmpp_stream::Limits;

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
