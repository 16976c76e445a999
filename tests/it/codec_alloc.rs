//! The codec path allocates at most once per stanza in steady state (in fact not at all
//! while the caller drops the stanzas it is given, or keeps fewer than the codec
//! recycles), and an owned stanza is shared, not copied, by its clones: counted with
//! the counting allocator on this thread (a new owned stanza is one allocation: see
//! `owned`).

use crate::support::alloc::{measure, trace_from_env};
use crate::support::corpus::streams;
use crate::support::stream_config;
use bytes::BytesMut;
use std::collections::VecDeque;
use tokio_util::codec::Decoder;
use xmpp_stream::codec::XmppCodec;
use xmpp_stream::{OwnedEvent, OwnedStanza};

/// Decodes `data` in `chunk`-byte pieces, keeping the last `keep` stanzas alive;
/// returns (stanzas, allocations over the second half of them).
fn decode(codec: &mut XmppCodec, data: &[u8], chunk: usize, keep: usize) -> (usize, usize) {
    let total = {
        // Count the stanzas first, outside the measurement.
        let mut c = XmppCodec::with_config(stream_config());
        let mut buf = BytesMut::from(data);
        let mut n = 0;
        while let Ok(Some(e)) = c.decode(&mut buf) {
            n += matches!(e, OwnedEvent::Stanza(_)) as usize;
        }
        n
    };
    let mut held: VecDeque<OwnedStanza> = VecDeque::with_capacity(keep + 1);
    let mut buf = BytesMut::with_capacity(chunk);
    let mut stanzas = 0;
    let mut allocs = 0;
    for piece in data.chunks(chunk) {
        buf.extend_from_slice(piece);
        loop {
            let measuring = stanzas >= total / 2;
            let (e, a) = measure(|| {
                let e = codec.decode(&mut buf).unwrap();
                if let Some(OwnedEvent::Stanza(s)) = &e {
                    // Read it, as a caller would.
                    assert!(!s.view().stanza().root().local_name().is_empty());
                }
                e
            });
            // A stream header is copied into an `OwnedHeader` (it allocates; headers
            // are not stanzas).
            if measuring && !matches!(e, Some(OwnedEvent::Header(_))) {
                allocs += a.count;
            }
            match e {
                None => break,
                Some(OwnedEvent::Stanza(s)) => {
                    stanzas += 1;
                    if keep > 0 {
                        if held.len() == keep {
                            held.pop_front();
                        }
                        held.push_back(s);
                    }
                }
                Some(_) => {}
            }
        }
    }
    assert_eq!(stanzas, total);
    (stanzas, allocs)
}

#[test]
fn steady_state_codec_decoding_allocates_at_most_once_per_stanza() {
    trace_from_env("CODEC_ALLOC_TRACE");
    let mut checked = 0;
    for s in streams() {
        for (keep, chunk, idle_release) in [
            (0, 4096, None),
            (1, 4096, None),
            (4, 4096, None),
            (0, 1 << 20, None),
            (4, 1 << 20, None),
            // The default: releases happen only where a read ends between stanzas.
            (0, 1 << 20, Some(xmpp_stream::DEFAULT_IDLE_RELEASE)),
            (4, 1 << 20, Some(xmpp_stream::DEFAULT_IDLE_RELEASE)),
        ] {
            {
                let config = stream_config().with_idle_release(idle_release);
                let mut codec = XmppCodec::with_config(config);
                // A first pass grows every buffer; the second is the steady state.
                decode(&mut codec, &s.data, chunk, keep);
                codec.restart();
                let (stanzas, allocs) = decode(&mut codec, &s.data, chunk, keep);
                if stanzas < 4 {
                    continue;
                }
                let second_half = stanzas - stanzas / 2;
                assert!(
                    allocs <= second_half,
                    "{}: {allocs} allocations for {second_half} stanzas (keep {keep}, chunk {chunk})",
                    s.name
                );
                // Recycling makes it none at all while fewer than 8 stanzas are kept
                // (with idle release, a read ending between stanzas gives buffers back,
                // and the next regrows them).
                if idle_release.is_none() {
                    assert_eq!(allocs, 0, "{} keep {keep} chunk {chunk}", s.name);
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 6, "{checked}");
}

#[test]
fn routing_a_stanza_to_many_sessions_copies_nothing() {
    let data = b"<stream:stream xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams'>\
        <message to='room@muc.example' type='groupchat'><body>hello all</body></message>";
    let mut codec = XmppCodec::new();
    let mut buf = BytesMut::from(&data[..]);
    codec.decode(&mut buf).unwrap();
    let Some(OwnedEvent::Stanza(m)) = codec.decode(&mut buf).unwrap() else {
        panic!()
    };
    let mut queues: Vec<Vec<OwnedStanza>> = (0..100).map(|_| Vec::with_capacity(1)).collect();
    let ((), a) = measure(|| {
        for q in &mut queues {
            q.push(m.clone());
        }
    });
    assert_eq!(a.count, 0, "a clone is a reference count");
    for q in &queues {
        assert!(std::ptr::eq(q[0].raw(), m.raw()));
    }
    // Each session reads it on its own thread.
    let handles: Vec<_> = queues
        .into_iter()
        .take(4)
        .map(|mut q| {
            std::thread::spawn(move || {
                let s = q.pop().unwrap();
                let v = s.view();
                let body = v.root().child("jabber:client", "body").unwrap().text();
                body.to_string()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), "hello all");
    }
}

/// Request-response traffic (one stanza per read, the codec idle after each): without
/// idle release nothing is allocated per stanza; with the default release every idle
/// gives the buffers back and the next stanza regrows them (the price of idling small,
/// bounded here so that it does not creep up).
#[test]
fn request_response_traffic_with_and_without_idle_release() {
    let none = request_response(None);
    assert_eq!(none, 0, "{none} allocations without idle release");
    let default = request_response(Some(xmpp_stream::DEFAULT_IDLE_RELEASE));
    eprintln!("request-response: {default} allocations per stanza with the default idle release");
    assert!(default <= 12, "{default} allocations per stanza");
}

/// Allocations per stanza in request-response traffic (see above).
fn request_response(idle_release: Option<usize>) -> usize {
    let header: &[u8] = b"<stream:stream xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams' to='example.com' xml:lang='en'>";
    let stanza = |i: usize| {
        format!(
            "<message to='romeo@example.net' type='chat' id='m{i}'><body>Wherefore art thou, \
             Romeo? ({i})</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>"
        )
    };
    let mut codec =
        XmppCodec::with_config(xmpp_stream::Config::default().with_idle_release(idle_release));
    let mut buf = BytesMut::from(header);
    assert!(matches!(
        codec.decode(&mut buf),
        Ok(Some(OwnedEvent::Header(_)))
    ));
    let mut allocs = 0;
    let n = 200;
    for i in 0..2 * n {
        buf.extend_from_slice(stanza(i).as_bytes());
        let id = format!("m{i}");
        let ((), a) = measure(|| {
            let Some(OwnedEvent::Stanza(s)) = codec.decode(&mut buf).unwrap() else {
                panic!()
            };
            assert_eq!(s.view().stanza().id(), Some(id.as_str()));
            drop(s);
            // Idle: nothing buffered.
            assert!(codec.decode(&mut buf).unwrap().is_none());
        });
        if i >= n {
            allocs += a.count;
        }
    }
    allocs / n
}
