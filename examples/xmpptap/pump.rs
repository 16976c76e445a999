//! One direction of a connection: read, forward, parse, log; and the STARTTLS switch.

use crate::log::Fnv;
use crate::tls::Link;
use crate::{Conn, Dir, DirStats, End, Switch, READ_BUF, SASL_NS, STANZA_NS, TLS_NS};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use xmpp_stream::{Config, Element, Event, Parser, XML_NS};

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
        _ => After::Nothing,
    }
}

/// Forwards one direction until its source ends, parsing what passes; returns the totals.
pub fn pump(conn: &Conn, dir: Dir, src_sock: &TcpStream, dst_sock: &TcpStream) -> DirStats {
    let config = Config::default()
        .with_limits(conn.limits)
        .with_implicit_restart(dir == Dir::C2s);
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
                            let after = (st.bytes.saturating_sub(from)).min(n as u64) as usize;
                            let rest = &chunk[n - after..];
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
