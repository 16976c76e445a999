//! Stream restarts at arbitrary points. The data is cut into up to four pieces; each piece
//! but the last is parsed alone (the reference) and truncated right after one of its events
//! chosen by the input; then the truncated pieces are concatenated and parsed as one
//! connection, restarting at each cut:
//!
//! - explicit mode: `restart()` is called right after the piece's last event (before the
//!   next `next_event`), with bytes of the next piece possibly already fed; in the
//!   "drain" variant the parser is first drained to `Ok(None)` (the usual server loop),
//!   with the cut falling inside a feed; when that drain yields nothing, `restart()` must
//!   still read the bytes fed after the last event as the new stream (the documented
//!   contract). If the drain yields an event or an error the input is skipped: the old
//!   stream legitimately read the new one's bytes;
//! - implicit mode (`Config::with_implicit_restart(true)`): each later piece starts with an XML
//!   declaration, or (flag bit 3) with a start tag named like the stream root, and the cut
//!   is after a header or a stanza.
//!
//! Flag bit 4 sets a tight `max_header_bytes` (24 + 8 * (n >> 2)), so that every way into
//! a new header must apply the header limit.
//!
//! The events (offsets counted from the start of their piece) and the final error (offset
//! shifted by the piece's start) must equal the pieces' references.
//!
//! Input layout: `flags` (bit 0 implicit, bit 1 drain, bit 2 later pieces start at their
//! first `<`, bits 3 and 4 above), `n` (pieces = 1 + n % 4), then
//! n-1 little-endian `u16` cut points, n-1 event choice bytes, one chunk-size byte, data.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmpp_stream::{Config, Event, Limits, Parser};
use xmpp_stream_fuzz::{render_rel, split_at_points, End};

const DECL: &[u8] = b"<?xml version='1.0'?>";

struct Reference {
    /// (rendered event, offset after it, is a close, is a header).
    events: Vec<(String, u64, bool, bool)>,
    /// The stream root's qualified name after each event.
    roots: Vec<String>,
    end: End,
}

fn reference(config: &Config, piece: &[u8]) -> Reference {
    let mut parser = Parser::with_config(config.clone());
    parser.feed(piece);
    let mut events = Vec::new();
    let mut roots = Vec::new();
    loop {
        match parser.next_event() {
            Ok(Some(event)) => {
                let r = render_rel(&event, 0);
                let close = matches!(event, Event::Close);
                let header = matches!(event, Event::Header(_));
                events.push((r, parser.offset(), close, header));
                roots.push(
                    parser
                        .header()
                        .map(|h| h.qname().to_string())
                        .unwrap_or_default(),
                );
            }
            Ok(None) => {
                let end = match parser.finish() {
                    Ok(()) => End::Clean,
                    Err(e) => End::from_error(e),
                };
                return Reference { events, roots, end };
            }
            Err(e) => {
                return Reference {
                    events,
                    roots,
                    end: End::from_error(e),
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [flags, n, rest @ ..] = data else {
        return;
    };
    let implicit = flags & 1 != 0;
    let drain_first = !implicit && flags & 2 != 0;
    let pieces = 1 + (*n % 4) as usize;
    let head = 3 * (pieces - 1) + 1;
    if rest.len() < head {
        return;
    }
    let (settings, body) = rest.split_at(head);
    let cuts: Vec<usize> = settings[..2 * (pieces - 1)]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]) as usize)
        .collect();
    let choices = &settings[2 * (pieces - 1)..3 * (pieces - 1)];
    let chunk = 1 + settings[head - 1] as usize;
    let mut limits = Limits::default();
    if flags & 16 != 0 {
        // Tight header limit, so that every way into a header must apply it.
        limits.max_header_bytes = 24 + 8 * (*n >> 2) as usize;
    }
    let config = Config::default()
        .with_limits(limits)
        .with_implicit_restart(implicit);

    // Build the pieces and their references.
    let raw_pieces = split_at_points(body, &cuts);
    let mut stream: Vec<u8> = Vec::new();
    // Per piece: start offset in `stream`, expected events.
    let mut bases = Vec::new();
    let mut expected: Vec<(usize, String)> = Vec::new();
    let mut expected_end = End::Clean;
    let last = raw_pieces.len() - 1;
    let mut boundaries = Vec::new();
    let mut prev_root: Option<String> = None;
    for (i, raw) in raw_pieces.iter().enumerate() {
        let mut raw: &[u8] = raw;
        if flags & 4 != 0 && i > 0 {
            // Start the piece at markup, as a new stream would.
            if let Some(lt) = raw.iter().position(|&b| b == b'<') {
                raw = &raw[lt..];
            }
        }
        let mut piece = raw.to_vec();
        if implicit && i > 0 {
            match &prev_root {
                // A start tag with the stream root's name restarts by itself.
                Some(root) if flags & 8 != 0 && !root.is_empty() => {
                    let open = format!("<{root}");
                    let starts = piece.starts_with(open.as_bytes())
                        && piece.get(open.len()).is_some_and(|b| {
                            matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/')
                        });
                    if !starts {
                        piece.splice(0..0, format!("{open} ").into_bytes());
                    }
                }
                _ => {
                    if !piece.starts_with(b"<?xml") {
                        piece.splice(0..0, DECL.iter().copied());
                    }
                }
            }
        }
        // Whitespace before a restarted stream lies between the streams (the old one may
        // read it as whitespace between stanzas): the new stream, and its reference,
        // start after it.
        let gap = if !bases.is_empty() {
            piece
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                .count()
        } else {
            0
        };
        let r = reference(&config, &piece[gap..]);
        let base = (stream.len() + gap) as u64;
        if i == last {
            bases.push(base);
            let label = bases.len() - 1;
            expected.extend(r.events.into_iter().map(|e| (label, e.0)));
            expected_end = match r.end {
                End::Clean => End::Clean,
                End::Error(k, o) => End::Error(k, o + base),
            };
            stream.extend_from_slice(&piece);
            break;
        }
        // The events after which a restart may come.
        let allowed: Vec<usize> = (0..r.events.len())
            .filter(|&j| {
                let (_, after, close, header) = &r.events[j];
                if !implicit {
                    return true;
                }
                // After a close, or after an empty `<stream:stream/>` header (whose close
                // is pending), a new stream cannot start implicitly.
                let closes_next = r.events.get(j + 1).is_some_and(|e| e.2 && e.1 == *after);
                !close && !(*header && closes_next)
            })
            .collect();
        if allowed.is_empty() {
            continue;
        }
        let j = allowed[choices[i] as usize % allowed.len()];
        let cut = gap + r.events[j].1 as usize;
        prev_root = Some(r.roots[j].clone());
        bases.push(base);
        let label = bases.len() - 1;
        expected.extend(r.events[..=j].iter().map(|e| (label, e.0.clone())));
        boundaries.push(expected.len());
        stream.extend_from_slice(&piece[..cut]);
    }
    let piece_of = |k: usize| boundaries.iter().filter(|&&b| b <= k).count();

    // Parse the whole connection.
    let mut parser = Parser::with_config(config.clone());
    let mut got: Vec<(usize, String)> = Vec::new();
    let mut end = None;
    let mut pending_restart = false;
    'feed: for piece in stream.chunks(chunk) {
        parser.feed(piece);
        loop {
            if pending_restart {
                // Drain variant: the restart comes once the parser asks for more input.
                match parser.next_event() {
                    Ok(None) => {
                        parser.restart();
                        pending_restart = false;
                        // The bytes already fed are the new stream's: read them now (with
                        // `break` the last feed's were never read, and `finish` reported
                        // them as cut short; fuzz_restart_drain_then_restart_reads_fed_bytes).
                        continue;
                    }
                    _ => return, // the old stream read the new one's bytes: no contract
                }
            }
            let event = match parser.next_event() {
                Ok(Some(event)) => event,
                Ok(None) => break,
                Err(e) => {
                    end = Some(End::from_error(e));
                    break 'feed;
                }
            };
            let k = got.len();
            let p = piece_of(k);
            let base = bases.get(p).copied().unwrap_or(0);
            got.push((p, render_rel(&event, base)));
            if !implicit && boundaries.contains(&got.len()) {
                if drain_first {
                    pending_restart = true;
                } else {
                    parser.restart();
                }
            }
        }
    }
    if pending_restart {
        // The cut fell at the end of the input: the drain asks for more, then restart.
        assert!(matches!(parser.next_event(), Ok(None)));
        parser.restart();
    }
    let end = end.unwrap_or_else(|| match parser.finish() {
        Ok(()) => End::Clean,
        Err(e) => End::from_error(e),
    });
    assert_eq!(got, expected, "events (piece, rendered) with restarts");
    assert_eq!(end, expected_end, "end of the connection");
});
