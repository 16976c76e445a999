//! component: a small gateway built on the tokio codec, connected to a server as an
//! external component (XEP-0114, `jabber:component:accept`).
//!
//! ```text
//! cargo run --features tokio --example component -- --port N --domain gw.example.com \
//!     --secret S [--host 127.0.0.1] [--reconnects N]
//! ```
//!
//! It connects to the server's component port, sends a stream header to its domain,
//! checks the server's reply ([`HeaderCheck::component_reply`]), answers with the
//! `<handshake/>` (hex SHA-1 of the stream id and the secret), and once the server
//! accepts it prints `CONNECTED <domain>` on stdout. Then it:
//!
//! - answers disco#info on its domain (identity `gateway/echo`, the disco and ping
//!   features) and on its users (`client/pc`);
//! - answers pings (`urn:xmpp:ping`) with an empty result;
//! - echoes every message with a body sent to `anything@<domain>` back to the sender,
//!   from that address, with the body reversed and prefixed `echo: ` (so a test can tell
//!   the echo from the original);
//! - answers other iq get/set with `service-unavailable`, ignores presence.
//!
//! A `<stream:error/>` from the server is printed as `STREAM-ERROR <condition>` on
//! stdout; `not-authorized` (a wrong secret) ends the program with status 3, the
//! configuration errors (`host-unknown`, `conflict`, `invalid-namespace`,
//! `invalid-from`, `bad-format`) with status 4. After other stream errors (such as
//! `system-shutdown`), and when the server closes the stream or the connection drops,
//! the component closes its side and reconnects after a second, up to `--reconnects`
//! times in a row (default 5), printing `RECONNECT n`. Every log line goes to stderr.

use futures_util::{SinkExt, StreamExt};
use sha1::{Digest, Sha1};
use std::process::ExitCode;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_util::codec::{FramedRead, FramedWrite};
use xmpp_stream::codec::{Packet, XmppCodec};
use xmpp_stream::xmpp::{
    ns, HeaderCheck, HeaderSpec, IqType, Kind, MessageType, StanzaType, StreamHeader, Writer,
};
use xmpp_stream::{Condition, OwnedEvent, Stanza};

const DISCO_INFO: &str = "http://jabber.org/protocol/disco#info";
const PING: &str = "urn:xmpp:ping";
const USAGE: &str = "usage: component --port N --domain D --secret S [--host H] [--reconnects N]";

struct Args {
    host: String,
    port: u16,
    domain: String,
    secret: String,
    reconnects: u32,
}

fn parse_args() -> Result<Args, String> {
    let (mut host, mut port, mut domain, mut secret, mut reconnects) =
        ("127.0.0.1".to_string(), None, None, None, 5);
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--host" => host = value()?,
            "--port" => port = Some(value()?.parse().map_err(|e| format!("--port: {e}"))?),
            "--domain" => domain = Some(value()?),
            "--secret" => secret = Some(value()?),
            "--reconnects" => {
                reconnects = value()?.parse().map_err(|e| format!("--reconnects: {e}"))?
            }
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    Ok(Args {
        host,
        port: port.ok_or("--port is required")?,
        domain: domain.ok_or("--domain is required")?,
        secret: secret.ok_or("--secret is required")?,
        reconnects,
    })
}

/// The XEP-0114 handshake: lowercase hex of SHA-1(stream id + secret).
fn handshake(id: &str, secret: &str) -> String {
    let digest = Sha1::new()
        .chain_update(id.as_bytes())
        .chain_update(secret.as_bytes())
        .finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// How one connection ended.
enum End {
    /// The server closed the stream or the connection: reconnect.
    Closed,
    /// A stream error: stop with this condition.
    StreamError(Option<Condition>),
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("component: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async move {
        let mut attempt = 0;
        loop {
            let mut connected = false;
            match connect_once(&args, &mut connected).await {
                Ok(End::StreamError(c)) => {
                    let name = c.map_or("undefined-condition", |c| c.as_str());
                    println!("STREAM-ERROR {name}");
                    match c {
                        Some(Condition::NotAuthorized) => return ExitCode::from(3),
                        // Configuration errors: reconnecting would not help.
                        Some(
                            Condition::HostUnknown
                            | Condition::Conflict
                            | Condition::InvalidNamespace
                            | Condition::InvalidFrom
                            | Condition::BadFormat,
                        ) => return ExitCode::from(4),
                        // system-shutdown, connection-timeout, reset, ...: try again.
                        _ => {}
                    }
                }
                Ok(End::Closed) => eprintln!("component: stream closed by the server"),
                Err(e) => eprintln!("component: connection failed: {e}"),
            }
            attempt = if connected { 1 } else { attempt + 1 };
            if attempt > args.reconnects {
                eprintln!("component: giving up after {} reconnects", args.reconnects);
                return ExitCode::from(1);
            }
            println!("RECONNECT {attempt}");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}

type Error = Box<dyn std::error::Error>;

/// One connection; sets `connected` once the handshake succeeded.
async fn connect_once(args: &Args, connected: &mut bool) -> Result<End, Error> {
    let tcp = TcpStream::connect((args.host.as_str(), args.port)).await?;
    let (rd, wr) = tcp.into_split();
    let mut rx = FramedRead::new(rd, XmppCodec::new());
    let mut tx = FramedWrite::new(wr, XmppCodec::new());
    tx.send(Packet::Header(HeaderSpec {
        to: Some(&args.domain),
        version: None,
        content_ns: Some(ns::COMPONENT_ACCEPT),
        ..HeaderSpec::default()
    }))
    .await?;
    let domains = [args.domain.as_str()];
    let check = HeaderCheck::component_reply(&domains);
    let mut authenticated = false;
    let mut out = Vec::new();
    while let Some(event) = rx.next().await {
        match event? {
            OwnedEvent::Header(h) => {
                let view = h.view();
                let header = StreamHeader::new(view.header());
                if let Err(c) = header.check(&check) {
                    eprintln!("component: bad reply header ({c})");
                    tx.send(Packet::StreamError(c, None)).await?;
                    tx.send(Packet::Close).await?;
                    return Ok(End::StreamError(Some(c)));
                }
                let id = header.id().unwrap_or_default();
                out.clear();
                Writer::new(&mut out)
                    .start("handshake")
                    .text(&handshake(id, &args.secret))
                    .end()
                    .finish();
                tx.send(Packet::Raw(&out)).await?;
            }
            OwnedEvent::Stanza(s) => {
                let view = s.view();
                let s = view.stanza();
                match s.kind() {
                    Kind::Handshake if !authenticated => {
                        authenticated = true;
                        *connected = true;
                        println!("CONNECTED {}", args.domain);
                    }
                    Kind::StreamError => {
                        let c = s.stream_error().and_then(|e| e.condition());
                        let _ = tx.send(Packet::Close).await;
                        return Ok(End::StreamError(c));
                    }
                    _ if authenticated => {
                        out.clear();
                        if answer(&s, &args.domain, &mut out) {
                            tx.send(Packet::Raw(&out)).await?;
                        }
                    }
                    other => eprintln!("component: {other} before the handshake"),
                }
            }
            OwnedEvent::Close => {
                let _ = tx.send(Packet::Close).await;
                return Ok(End::Closed);
            }
            // `OwnedEvent` is `#[non_exhaustive]`; nothing else is sent on a component stream.
            _ => {}
        }
    }
    Ok(End::Closed)
}

/// Writes the answer to a stanza into `out`; false when there is none.
fn answer(s: &Stanza<'_>, domain: &str, out: &mut Vec<u8>) -> bool {
    let (Some(from), Some(to)) = (s.from(), s.to()) else {
        return false;
    };
    let mut w = Writer::new(out);
    match s.type_() {
        Some(StanzaType::Iq(t @ (IqType::Get | IqType::Set))) => {
            let disco = t == IqType::Get && s.child(DISCO_INFO, "query").is_some();
            let ping = t == IqType::Get && s.child(PING, "ping").is_some();
            let type_ = if disco || ping { "result" } else { "error" };
            w.start("iq")
                .attr("type", type_)
                .attr("id", s.id().unwrap_or_default());
            w.attr("from", to).attr("to", from);
            if disco {
                w.start("query").xmlns(None, DISCO_INFO);
                let (category, kind, name) = if to == domain {
                    ("gateway", "echo", "xmpp-stream echo gateway")
                } else {
                    ("client", "pc", "echo user")
                };
                w.start("identity")
                    .attr("category", category)
                    .attr("type", kind);
                w.attr("name", name).end();
                for var in [DISCO_INFO, PING] {
                    w.start("feature").attr("var", var).end();
                }
                w.end();
            } else if !ping {
                // Anything else: service-unavailable (RFC 6120 section 8.3.3.19).
                w.start("error").attr("type", "cancel");
                w.start("service-unavailable")
                    .xmlns(None, ns::STANZAS)
                    .end();
                w.end();
            }
            w.end().finish();
            true
        }
        Some(StanzaType::Message(t)) if t != MessageType::Error && to.contains('@') => {
            let Some(body) = s.child(s.root().ns(), "body").map(|b| b.text()) else {
                return false;
            };
            let echoed: String = body.chars().rev().collect();
            let type_ = s.type_attr().unwrap_or("normal");
            w.start("message")
                .attr("from", to)
                .attr("to", from)
                .attr("type", type_);
            if let Some(id) = s.id() {
                w.attr("id", id);
            }
            w.start("body").text("echo: ").text(&echoed).end();
            w.end().finish();
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn handshake_is_hex_sha1_of_id_then_secret() {
        // FIPS 180-2's test vector: SHA-1("abc").
        assert_eq!(
            super::handshake("ab", "c"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_ne!(super::handshake("c", "ab"), super::handshake("ab", "c"));
    }
}
