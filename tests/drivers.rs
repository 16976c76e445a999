//! The I/O drivers against the corpus references: `io::Reader` (over files, odd reads and a
//! real TCP socket) and, with the `tokio` feature, `io::AsyncReader` and
//! `codec::XmppCodec` (over loopback TCP, the peer writing in odd-sized pieces) must all
//! produce exactly the dump of corpus/golden, error line included.

mod common;

use common::{crate_file, stream_config};
use std::io::{self, Read, Write};
use xmpp_stream::io::{ReadError, Reader};
use xmpp_stream::{dump, Event};

/// `lines bytes fnv1a64-hex`, as tools/golden_digest.py writes it.
fn digest(data: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    let lines = data.iter().filter(|&&b| b == b'\n').count();
    format!("{lines} {} {h:016x}", data.len())
}

/// The golden dump (`Ok`) or, for large files, its digest (`Err`).
type Golden = Result<Vec<u8>, String>;

/// (name, input, golden) for every corpus stream.
fn corpus() -> Vec<(String, Vec<u8>, Golden)> {
    let dir = format!("{}/corpus/streams", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    names.sort();
    assert!(names.len() >= 7);
    names
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_str().unwrap().to_string();
            let input = std::fs::read(&p).unwrap();
            let jsonl = format!("{}/corpus/golden/{name}.jsonl", env!("CARGO_MANIFEST_DIR"));
            let golden = match std::fs::read(jsonl) {
                Ok(g) => Ok(g),
                Err(_) => Err(String::from_utf8(crate_file(&format!(
                    "corpus/golden/{name}.digest"
                )))
                .unwrap()
                .trim()
                .to_string()),
            };
            (name, input, golden)
        })
        .collect()
}

fn check(name: &str, how: &str, ours: &[u8], golden: &Golden) {
    match golden {
        Ok(want) => assert!(
            ours == &want[..],
            "{name} ({how}): differs from the golden dump"
        ),
        Err(want) => assert_eq!(&digest(ours), want, "{name} ({how}): digest differs"),
    }
}

/// The dump of everything a blocking reader yields.
fn dump_reader<R: Read>(mut reader: Reader<R>) -> Vec<u8> {
    let mut out = String::new();
    loop {
        match reader.next_event() {
            Ok(Some(ev)) => dump::write_event(&mut out, &ev),
            Ok(None) => break,
            Err(ReadError::Parse(e)) => {
                dump::write_error(&mut out, &e);
                break;
            }
            Err(e) => panic!("{e}"),
        }
    }
    out.into_bytes()
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
        check(&name, "whole", &dump_reader(whole), &golden);
        let odd = Odd {
            data: &input,
            sizes: &[1, 4096, 61, 3, 9000],
            k: 0,
        };
        check(
            &name,
            "odd reads",
            &dump_reader(Reader::with_config(odd, stream_config())),
            &golden,
        );
        let chunked = Reader::with_config(&input[..], stream_config()).chunk_size(999);
        check(&name, "chunk 999", &dump_reader(chunked), &golden);
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
    check(&name, "tcp", &dump_reader(reader), &golden);
    writer.join().unwrap();
}

#[test]
fn blocking_reader_counts_events_like_the_parser() {
    let input = crate_file("corpus/streams/s2s-dialback.xml");
    let mut r = Reader::with_config(&input[..], stream_config());
    let mut stanzas = 0;
    while let Some(ev) = r.next_event().unwrap() {
        if let Event::Stanza(s) = ev {
            stanzas += 1;
            assert!(!s.raw().is_empty());
        }
    }
    assert!(stanzas > 10);
    assert_eq!(r.bytes_read(), input.len() as u64);
    assert!(r.is_eof());
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
                loop {
                    match reader.next_event().await {
                        Ok(Some(ev)) => dump::write_event(&mut out, &ev),
                        Ok(None) => break,
                        Err(ReadError::Parse(e)) => {
                            dump::write_error(&mut out, &e);
                            break;
                        }
                        Err(e) => panic!("{e}"),
                    }
                }
                check(&name, "async tcp", out.as_bytes(), &golden);
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
                check(&name, "codec", out.as_bytes(), &golden);
            }
        });
    }
}
