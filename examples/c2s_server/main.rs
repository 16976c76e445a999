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
//! - limits that follow the session: stanzas of at most 16 KiB before SASL success and
//!   256 KiB after (`XmppCodec::set_limits` at the restart), advertised in the stream
//!   features with XEP-0478 `<limits xmlns='urn:xmpp:stream-limits:0'>` (`max-bytes`);
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
//!   stream error its [`Condition`] names; a TCP stream that ends before its
//!   `</stream:stream>` (the client aborted) ends the session, logged as a lost
//!   connection, not as a parse error.
//!
//! One file a job: `server.rs` (the state all connections share), `connection.rs` (the
//! read loop, the writer task, stream headers and features, dispatch by stage and kind),
//! `sasl.rs`, `bind.rs`, `iq.rs` (the iqs the server answers itself: roster, session,
//! ping, disco#info), `presence.rs` (presence broadcast and subscriptions) and
//! `routing.rs` (messages and stanzas between users).
//!
//! [`Condition`]: xmpp_stream::Condition

mod bind;
mod connection;
mod iq;
mod presence;
mod routing;
mod sasl;
mod server;

use server::Server;
use std::collections::HashMap;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

const USAGE: &str = "usage: c2s_server [--port N] [--domain D] [--user NAME:PASSWORD]...";

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
                tokio::spawn(connection::run(server.clone(), socket, n));
            }
            Err(e) => eprintln!("c2s_server: accept: {e}"),
        }
    }
}
