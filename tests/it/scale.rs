//! Memory that idles small, at scale: 10 000 concurrent connections over in-memory
//! duplex streams, each negotiated (header, SASL, restart, bind, presence) and given
//! some traffic (chat messages and one 24 KiB stanza), then left waiting. The heap each
//! idle connection holds, counted by the counting allocator (not timed), is at most
//! 2 KiB including the reader itself (`size_of`), for `io::AsyncReader` and for the
//! codec under `FramedRead`; without idle release it is what the large stanza grew.
//!
//! Everything runs on this thread: every future is polled by hand (`now_or_never`)
//! until it would wait, so the counting allocator sees all of it.

use crate::support::alloc::live;
use futures_util::{FutureExt, StreamExt};
use tokio::io::{AsyncWriteExt, DuplexStream};
use tokio_util::codec::FramedRead;
use xmpp_stream::codec::XmppCodec;
use xmpp_stream::io::AsyncReader;
use xmpp_stream::{Config, Event, OwnedEvent};

pub const CONNECTIONS: usize = 10_000;
/// Bytes per write of the client (and the pipe's capacity).
const PIECE: usize = 2048;
/// The target of issue 12: heap per idle connection, the reader's own size included.
const TARGET: usize = 2048;

/// What the client sends before the restart, and after it (a negotiated, busy session).
pub fn traffic() -> (Vec<u8>, Vec<u8>) {
    let header = b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0' \
        xml:lang='en'>";
    let mut first = header.to_vec();
    first.extend_from_slice(
        b"<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldAByMG0zMA==</auth>",
    );
    let mut second = header.to_vec();
    second.extend_from_slice(
        b"<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>\
          <resource>balcony</resource></bind></iq><presence><priority>1</priority></presence>",
    );
    for i in 0..20 {
        second.extend_from_slice(
            format!(
                "<message to='romeo@example.net' type='chat' id='m{i}'><body>Wherefore art \
                 thou, Romeo? ({i})</body><active xmlns='http://jabber.org/protocol/chatstates'/>\
                 </message>"
            )
            .as_bytes(),
        );
    }
    second.extend_from_slice(b"<message to='romeo@example.net'><body>");
    second.extend(std::iter::repeat_n(b'x', 24 * 1024));
    second.extend_from_slice(b"</body></message><presence type='unavailable'/>");
    (first, second)
}

fn write(client: &mut DuplexStream, bytes: &[u8]) {
    client
        .write_all(bytes)
        .now_or_never()
        .expect("the pipe has room")
        .unwrap();
}

/// Drives a reader until it would wait; returns the stanzas it read.
pub fn drain_reader(r: &mut AsyncReader<DuplexStream>) -> usize {
    let mut n = 0;
    while let Some(ev) = r.next_event().now_or_never() {
        match ev.unwrap() {
            Some(Event::Stanza(_)) => n += 1,
            Some(_) => {}
            None => panic!("end of input"),
        }
    }
    n
}

/// Drives a codec until it would wait; returns the stanzas it read.
pub fn drain_codec(f: &mut FramedRead<DuplexStream, XmppCodec>) -> usize {
    let mut n = 0;
    while let Some(ev) = f.next().now_or_never() {
        if let OwnedEvent::Stanza(_) = ev.expect("no end").unwrap() {
            n += 1;
        }
    }
    n
}

/// Heap per idle connection, for a reader made by `open` and driven by `drain`, after
/// `negotiate`; `parts` drops the reader, keeping the stream.
fn per_idle_connection<T>(
    connections: usize,
    open: impl Fn(DuplexStream) -> T,
    drain: impl Fn(&mut T) -> usize,
    restart: impl Fn(&mut T),
    parts: impl Fn(T) -> DuplexStream,
) -> usize {
    let (first, second) = traffic();
    let mut clients = Vec::with_capacity(connections);
    let mut readers = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (client, server) = tokio::io::duplex(PIECE);
        clients.push(client);
        readers.push(open(server));
    }
    for (c, r) in clients.iter_mut().zip(&mut readers) {
        write(c, &first);
        assert_eq!(drain(r), 1);
        restart(r);
        // In pieces, as a socket delivers them (and so that the pipes stay small).
        let mut stanzas = 0;
        for piece in second.chunks(PIECE) {
            write(c, piece);
            stanzas += drain(r);
        }
        assert_eq!(stanzas, 24);
    }
    let mut streams = Vec::with_capacity(connections);
    let with_readers = live();
    for r in readers {
        streams.push(parts(r));
    }
    let without = live();
    assert_eq!(streams.len(), connections);
    drop((clients, streams));
    with_readers.saturating_sub(without) / connections
}

pub fn reader_per_idle_connection(connections: usize, config: &Config) -> usize {
    per_idle_connection(
        connections,
        |s| AsyncReader::with_config(s, config.clone()),
        drain_reader,
        |r| r.restart(),
        |r| r.into_inner(),
    )
}

pub fn codec_per_idle_connection(connections: usize, config: &Config) -> usize {
    per_idle_connection(
        connections,
        |s| FramedRead::new(s, XmppCodec::with_config(config.clone())),
        drain_codec,
        |f| f.decoder_mut().restart(),
        |f| f.into_inner(),
    )
}

#[test]
fn ten_thousand_idle_readers_hold_at_most_2_kib_each() {
    let size = core::mem::size_of::<AsyncReader<DuplexStream>>();
    let idle = reader_per_idle_connection(CONNECTIONS, &Config::default());
    eprintln!("AsyncReader: {idle} bytes per idle connection (size_of {size})");
    assert!(
        idle >= size,
        "{idle} < {size}: the reader's own size is counted"
    );
    assert!(idle <= TARGET, "{idle} bytes per idle connection");
    // Without idle release the large stanza's growth stays (fewer connections: that
    // is 25 KiB each).
    let kept = reader_per_idle_connection(200, &Config::default().with_idle_release(None));
    assert!(kept > 24 * 1024, "{kept}");
}

#[test]
fn ten_thousand_idle_codecs_hold_at_most_2_kib_each() {
    let size = core::mem::size_of::<FramedRead<DuplexStream, XmppCodec>>();
    let idle = codec_per_idle_connection(CONNECTIONS, &Config::default());
    eprintln!("FramedRead<XmppCodec>: {idle} bytes per idle connection (size_of {size})");
    assert!(idle >= size, "{idle} < {size}");
    assert!(idle <= TARGET, "{idle} bytes per idle connection");
    let kept = codec_per_idle_connection(200, &Config::default().with_idle_release(None));
    assert!(kept > 24 * 1024, "{kept}");
}
