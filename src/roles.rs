//! # Roles and transports
//!
//! XMPP has three roles — client, server, gateway (an external component) — and servers
//! carry client sessions over three transports: TCP, WebSocket and BOSH. This page says,
//! for each, which reader to use, which header check, which writer, and which example
//! or test shows it against a real peer. (A guide only: nothing here but documentation.)
//!
//! | | reader | header check | writer | shown by |
//! |---|---|---|---|---|
//! | client (TCP) | [`Parser`] ([`Mode::Stream`]), [`io::Reader`], `XmppCodec` | [`StreamHeader`] fields (the server's `from`, `id`, version) | [`write_header`], [`write_stanza`], [`Writer`] | `examples/xmpptap` between slixmpp and Prosody/ejabberd |
//! | server (TCP, c2s and s2s) | the same | [`HeaderCheck::client`], [`HeaderCheck::server`] | the same, [`write_stream_error`] | `examples/c2s_server.rs` with slixmpp clients |
//! | gateway (XEP-0114) | the same, `XmppCodec` | component: [`HeaderCheck::component_reply`]; server: [`HeaderCheck::component`] | [`HeaderSpec`] with `jabber:component:accept`, [`Writer`] | `examples/component.rs` with Prosody |
//! | WebSocket (RFC 7395) | [`WebSocketParser`] | the same checks on the `<open/>` | [`write_open`], [`write_ws_close`], [`Target::Standalone`] | `tests/interop/roles.sh` with Prosody's `mod_websocket` |
//! | BOSH (XEP-0206) | [`BoshReader`] ([`Mode::AnyRoot`] underneath) | the [`Body`] view (`sid`, `rid`, `type`, `condition`, ...) | [`write_body`], [`BodySpec`], [`Target::Standalone`] | `tests/interop/roles.sh` with Prosody's `mod_bosh` |
//!
//! ## Client
//!
//! A client reads the server's stream with a [`Parser`] (or [`io::Reader`], or the
//! `tokio` feature's `AsyncReader` and `XmppCodec`), writes its own header with
//! [`write_header`] and restarts its parser after `<proceed/>` and `<success/>`; the
//! [`xmpp`](crate::xmpp#stream-restarts-client-side) module walks through a whole
//! negotiation. Stanzas are read through the [`Stanza`] views ([`Stanza::kind`],
//! addressing, [`Stanza::error`], ...).
//!
//! ## Server
//!
//! A server reads each peer's stream the same way, checks every header with
//! [`StreamHeader::check`] ([`HeaderCheck::client`] for c2s, [`HeaderCheck::server`]
//! for s2s, both with [`HeaderCheck::hosts`]) and answers a failed check, or a parse
//! [`Error`], with [`write_stream_error`] and the [`Condition`] it names; see the
//! [server side](crate::xmpp#stream-restarts-server-side) walk-through and
//! `examples/c2s_server.rs`. Routing a stanza to another stream uses [`write_stanza`]
//! with [`Target::Standalone`] or a re-targeted content namespace.
//!
//! ## Gateway (external component, XEP-0114)
//!
//! A gateway connects to the server's component port as `jabber:component:accept`,
//! proves it knows the shared secret with `<handshake>` = lowercase hex SHA-1 of the
//! stream id followed by the secret, and then exchanges stanzas addressed to and from
//! its domain (the `from` is its own business: it may speak for any JID of the domain).
//! Both sides, with the checks they make:
//!
//! ```
//! use sha1::{Digest, Sha1};
//! use xmpp_stream::xmpp::{ns, write_header, HeaderCheck, HeaderSpec, Kind, StreamHeader};
//! use xmpp_stream::{Condition, Event, Parser};
//!
//! let handshake = |id: &str, secret: &str| -> String {
//!     let d = Sha1::new().chain_update(id).chain_update(secret).finalize();
//!     d.iter().map(|b| format!("{b:02x}")).collect()
//! };
//!
//! // The component opens the stream to its domain (no version: XEP-0114 predates 1.0).
//! let mut to_server = Vec::new();
//! write_header(&mut to_server, &HeaderSpec {
//!     to: Some("gw.example.com"),
//!     version: None,
//!     content_ns: Some(ns::COMPONENT_ACCEPT),
//!     ..HeaderSpec::default()
//! });
//!
//! // The server reads it and checks it: the right namespace, a domain it serves.
//! let mut server = Parser::new();
//! server.feed(&to_server);
//! let Some(Event::Header(h)) = server.next_event()? else { panic!() };
//! let domains = ["gw.example.com"];
//! assert_eq!(StreamHeader::new(h).check(&HeaderCheck::component().hosts(&domains)), Ok(()));
//!
//! // The server's reply; the component checks it (who answered, and the stream id it
//! // needs for the handshake) and sends the handshake.
//! let mut component = Parser::new();
//! component.feed(b"<stream:stream xmlns:stream='http://etherx.jabber.org/streams' \
//!     xmlns='jabber:component:accept' from='gw.example.com' id='3BF96D32'>");
//! let Some(Event::Header(h)) = component.next_event()? else { panic!() };
//! let h = StreamHeader::new(h);
//! assert_eq!(h.check(&HeaderCheck::component_reply(&domains)), Ok(()));
//! let proof = handshake(h.id().unwrap(), "s3cr3t");
//!
//! // The server compares it with its own digest: <handshake/> if equal, else the
//! // stream error not-authorized.
//! server.feed(format!("<handshake>{proof}</handshake>").as_bytes());
//! let Some(Event::Stanza(s)) = server.next_event()? else { panic!() };
//! assert_eq!(s.kind(), Kind::Handshake);
//! let answer = if s.root().text() == handshake("3BF96D32", "s3cr3t") {
//!     Ok("<handshake/>")
//! } else {
//!     Err(Condition::NotAuthorized)
//! };
//! assert_eq!(answer, Ok("<handshake/>"));
//! # Ok::<(), xmpp_stream::Error>(())
//! ```
//!
//! `examples/component.rs` is a whole gateway on the `tokio` codec: an echo service that
//! answers disco#info and pings, stops on `not-authorized` and reconnects when the
//! server goes away; `tests/interop/roles.sh` runs it against Prosody.
//!
//! ## TCP
//!
//! The stream is one XML document per direction, restarted after STARTTLS and SASL:
//! [`Parser`] in [`Mode::Stream`] (the default) frames it into the header, stanzas with
//! their exact bytes, and the close. Everything above applies.
//!
//! ## WebSocket (RFC 7395)
//!
//! Each WebSocket text message is one complete element: [`WebSocketParser::parse`] reads
//! one message in place (its views borrow the message) and returns [`WsEvent::Open`]
//! (the `<open/>` that plays the stream header; the same [`StreamHeader`] view and
//! checks), [`WsEvent::Stanza`] or [`WsEvent::Close`]. There is no restart to call: after SASL success the client sends
//! a new `<open/>`. Write with [`write_open`], [`write_ws_close`], and stanzas with
//! [`Target::Standalone`] (every message declares its own namespaces).
//!
//! ## BOSH (XEP-0124, XEP-0206)
//!
//! Each HTTP request and response carries one `<body/>` wrapper:
//! [`BoshReader::read`] reads the wrapper into a [`Body`] view (`rid`, `sid`, `type`,
//! `condition`, `wait`, `hold`, `ack`, `xmpp:version`, `xmpp:restart`, ... typed), then
//! [`BoshReader::next_stanza`] hands out the stanzas inside with the same views;
//! unqualified ones read as `jabber:client`. A refused body is a [`BoshError`] with the
//! binding condition to answer with ([`BoshError::condition`]). [`write_body`] with
//! [`BodySpec::session_request`], [`BodySpec::restart`] or [`BodySpec::terminate`]
//! writes the wrappers.
//!
//! [`Parser`]: crate::Parser
//! [`Mode::Stream`]: crate::Mode::Stream
//! [`Mode::AnyRoot`]: crate::Mode::AnyRoot
//! [`io::Reader`]: crate::io::Reader
//! [`Stanza`]: crate::Stanza
//! [`Stanza::kind`]: crate::Stanza::kind
//! [`Stanza::error`]: crate::Stanza::error
//! [`Error`]: crate::Error
//! [`Condition`]: crate::Condition
//! [`StreamHeader`]: crate::xmpp::StreamHeader
//! [`StreamHeader::check`]: crate::xmpp::StreamHeader::check
//! [`HeaderCheck::client`]: crate::xmpp::HeaderCheck::client
//! [`HeaderCheck::server`]: crate::xmpp::HeaderCheck::server
//! [`HeaderCheck::hosts`]: crate::xmpp::HeaderCheck::hosts
//! [`HeaderCheck::component`]: crate::xmpp::HeaderCheck::component
//! [`HeaderCheck::component_reply`]: crate::xmpp::HeaderCheck::component_reply
//! [`HeaderSpec`]: crate::xmpp::HeaderSpec
//! [`Writer`]: crate::xmpp::Writer
//! [`write_header`]: crate::xmpp::write_header
//! [`write_stanza`]: crate::xmpp::write_stanza
//! [`write_stream_error`]: crate::xmpp::write_stream_error
//! [`write_open`]: crate::xmpp::write_open
//! [`write_ws_close`]: crate::xmpp::write_ws_close
//! [`Target::Standalone`]: crate::xmpp::Target::Standalone
//! [`WebSocketParser`]: crate::xmpp::WebSocketParser
//! [`WebSocketParser::parse`]: crate::xmpp::WebSocketParser::parse
//! [`WsEvent::Open`]: crate::xmpp::WsEvent::Open
//! [`WsEvent::Stanza`]: crate::xmpp::WsEvent::Stanza
//! [`WsEvent::Close`]: crate::xmpp::WsEvent::Close
//! [`BoshReader`]: crate::xmpp::BoshReader
//! [`BoshReader::read`]: crate::xmpp::BoshReader::read
//! [`BoshReader::next_stanza`]: crate::xmpp::BoshReader::next_stanza
//! [`BoshError`]: crate::xmpp::BoshError
//! [`BoshError::condition`]: crate::xmpp::BoshError::condition
//! [`Body`]: crate::xmpp::Body
//! [`BodySpec`]: crate::xmpp::BodySpec
//! [`BodySpec::session_request`]: crate::xmpp::BodySpec::session_request
//! [`BodySpec::restart`]: crate::xmpp::BodySpec::restart
//! [`BodySpec::terminate`]: crate::xmpp::BodySpec::terminate
//! [`write_body`]: crate::xmpp::write_body
