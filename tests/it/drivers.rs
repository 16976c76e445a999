//! The I/O drivers against the corpus references: `io::Reader` (over files, odd reads and a
//! real TCP socket) and, with the `tokio` feature, `io::AsyncReader` and
//! `codec::XmppCodec` (over loopback TCP, the peer writing in odd-sized pieces) must all
//! produce exactly the dump of corpus/golden, error line included.

use crate::support::corpus::{streams, Stream};
use crate::support::golden::Golden;
use crate::support::{drain_with, stream_config};
use std::io::{self, Read, Write};
use xmpp_stream::io::{ReadError, Reader};
use xmpp_stream::{dump, Event, Parser};

/// (name, input, golden dump) for every corpus stream.
fn corpus() -> Vec<(String, Vec<u8>, Golden)> {
    streams()
        .into_iter()
        .map(|Stream { name, data, .. }| {
            let golden = Golden::of(&name);
            (name, data, golden)
        })
        .collect()
}

/// The dump of everything a blocking reader yields.
fn dump_reader<R: Read>(mut reader: Reader<R>) -> Vec<u8> {
    let mut out = String::new();
    while dump_step(&mut out, reader.next_event()) {}
    out.into_bytes()
}

/// Appends what one `next_event` call of a driver gave to a dump, as xmppdump writes it
/// (the error line for a parse error); `false` once the stream has ended.
fn dump_step(out: &mut String, next: Result<Option<Event<'_>>, ReadError>) -> bool {
    match next {
        Ok(Some(ev)) => {
            dump::write_event(out, &ev);
            true
        }
        Ok(None) => false,
        Err(ReadError::Parse(e)) => {
            dump::write_error(out, &e);
            false
        }
        Err(e) => panic!("{e}"),
    }
}

/// Returns at most `sizes[k]` bytes on the k-th read (cycling).
struct Odd<'a> {
    data: &'a [u8],
    sizes: &'a [usize],
    k: usize,
}

impl Read for Odd<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.sizes[self.k % self.sizes.len()]
            .min(buf.len())
            .min(self.data.len());
        self.k += 1;
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[test]
fn blocking_reader_matches_the_golden_dumps() {
    for (name, input, golden) in corpus() {
        let whole = Reader::with_config(&input[..], stream_config());
        golden.check(&name, "whole", &dump_reader(whole));
        let odd = Odd {
            data: &input,
            sizes: &[1, 4096, 61, 3, 9000],
            k: 0,
        };
        golden.check(
            &name,
            "odd reads",
            &dump_reader(Reader::with_config(odd, stream_config())),
        );
        let chunked = Reader::with_config(&input[..], stream_config()).chunk_size(999);
        golden.check(&name, "chunk 999", &dump_reader(chunked));
    }
}

#[test]
fn blocking_reader_over_tcp() {
    let (name, input, golden) = corpus().into_iter().find(|c| c.0 == "c2s-chat").unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let data = input.clone();
    let writer = std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        for piece in data.chunks(7919) {
            s.write_all(piece).unwrap();
        }
    });
    let (socket, _) = listener.accept().unwrap();
    socket
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let reader = Reader::with_config(socket, stream_config());
    golden.check(&name, "tcp", &dump_reader(reader));
    writer.join().unwrap();
}

/// What a test needs to tell two event sequences apart: the kind, the offset and the
/// exact bytes of every event.
fn event_record(ev: &Event<'_>) -> (&'static str, u64, Vec<u8>) {
    match ev {
        Event::Header(h) => ("header", 0, h.raw().to_vec()),
        Event::Stanza(s) => ("stanza", s.offset(), s.raw().to_vec()),
        Event::Close => ("close", 0, Vec::new()),
        other => panic!("unexpected event {other:?}"),
    }
}

#[test]
fn blocking_reader_counts_events_like_the_parser() {
    for Stream { name, data, .. } in streams() {
        let mut parser = Parser::with_config(stream_config());
        parser.feed(&data);
        let mut want = Vec::new();
        let end = drain_with(&mut parser, |ev| want.push(event_record(&ev)));
        let parser_error = end.err().or_else(|| parser.finish().err());

        let mut r = Reader::with_config(&data[..], stream_config()).chunk_size(61);
        let mut got = Vec::new();
        let reader_error = loop {
            match r.next_event() {
                Ok(Some(ev)) => got.push(event_record(&ev)),
                Ok(None) => break None,
                Err(ReadError::Parse(e)) => break Some(e),
                Err(e) => panic!("{name}: {e}"),
            }
        };
        let count = |v: &[(&str, u64, Vec<u8>)], k: &str| v.iter().filter(|e| e.0 == k).count();
        for k in ["header", "stanza", "close"] {
            assert_eq!(count(&got, k), count(&want, k), "{name}: {k} events");
        }
        assert!(
            got == want,
            "{name}: the reader's events differ from the parser's"
        );
        assert_eq!(reader_error, parser_error, "{name}");
        assert!(count(&got, "stanza") > 10, "{name}");
        assert!(
            got.iter().all(|e| e.0 != "stanza" || !e.2.is_empty()),
            "{name}: a stanza without bytes"
        );
        if reader_error.is_none() {
            assert_eq!(r.bytes_read(), data.len() as u64, "{name}");
            assert!(r.is_eof(), "{name}");
        }
    }
}

#[cfg(feature = "tokio")]
mod tokio_drivers {
    use super::*;
    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;
    use tokio_util::codec::FramedRead;
    use xmpp_stream::codec::XmppCodec;
    use xmpp_stream::io::AsyncReader;
    use xmpp_stream::OwnedEvent;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// A loopback TCP connection whose client end writes `data` in pieces of cycling
    /// sizes, then closes.
    async fn feed_over_tcp(data: Vec<u8>) -> tokio::net::TcpStream {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            let sizes = [1usize, 13, 4096, 50_000, 7];
            let mut pos = 0;
            let mut k = 0;
            while pos < data.len() {
                let end = (pos + sizes[k % sizes.len()]).min(data.len());
                s.write_all(&data[pos..end]).await.unwrap();
                pos = end;
                k += 1;
            }
            s.shutdown().await.unwrap();
        });
        listener.accept().await.unwrap().0
    }

    #[test]
    fn async_reader_matches_the_golden_dumps() {
        runtime().block_on(async {
            for (name, input, golden) in corpus() {
                let socket = feed_over_tcp(input).await;
                let mut reader = AsyncReader::with_config(socket, stream_config());
                let mut out = String::new();
                while dump_step(&mut out, reader.next_event().await) {}
                golden.check(&name, "async tcp", out.as_bytes());
            }
        });
    }

    #[test]
    fn codec_matches_the_golden_dumps() {
        runtime().block_on(async {
            for (name, input, golden) in corpus() {
                let socket = feed_over_tcp(input).await;
                let mut frames = FramedRead::new(socket, XmppCodec::with_config(stream_config()));
                let mut out = String::new();
                while let Some(item) = frames.next().await {
                    match item {
                        Ok(OwnedEvent::Header(h)) => {
                            // The owned header reads like the header event.
                            let v = h.view();
                            dump::write_event(&mut out, &Event::Header(v.header()));
                        }
                        Ok(OwnedEvent::Stanza(s)) => {
                            let v = s.view();
                            dump::write_event(&mut out, &Event::Stanza(v.stanza()));
                        }
                        Ok(OwnedEvent::Close) => dump::write_event(&mut out, &Event::Close),
                        Ok(other) => panic!("unexpected {other:?}"),
                        Err(ReadError::Parse(e)) => {
                            dump::write_error(&mut out, &e);
                            break;
                        }
                        Err(e) => panic!("{e}"),
                    }
                }
                golden.check(&name, "codec", out.as_bytes());
            }
        });
    }
}
