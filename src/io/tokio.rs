//! [`AsyncReader`]: the driver over a `tokio::io::AsyncRead` (feature `tokio`).

use super::driver::{driver_methods, Core, Next, STACK_READ};
use super::ReadError;
use crate::parser::{Config, Event, Parser};
use ::tokio::io::{AsyncRead, ReadBuf};
use core::fmt;
use core::pin::Pin;
use core::task::Poll;

/// A [`Parser`] reading from a `tokio::io::AsyncRead` (a `TcpStream` or its read
/// half, a TLS stream, a `DuplexStream`): the async twin of
/// [`Reader`](super::Reader). Each read goes straight into the parser's buffer (except
/// while [idle release](crate::Config::with_idle_release) has given it back, when the
/// read went `Pending` with nothing buffered: then through a stack buffer until a stanza
/// needs more).
///
/// [`next_event`](Self::next_event) is cancel-safe: dropping its future (in a
/// `tokio::select!` branch that lost, say) loses no input, since bytes read are
/// handed to the parser in the same poll that reads them.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use xmpp_stream::io::AsyncReader;
/// use xmpp_stream::Event;
///
/// let (mut client, server) = tokio::io::duplex(64);
/// tokio::spawn(async move {
///     use tokio::io::AsyncWriteExt;
///     client.write_all(b"<stream:stream xmlns='jabber:client' \
///         xmlns:stream='http://etherx.jabber.org/streams'><presence/>").await.unwrap();
///     client.write_all(b"<message><body>hi</body></message></stream:stream>").await.unwrap();
/// });
/// let mut reader = AsyncReader::new(server);
/// let mut kinds = Vec::new();
/// while let Some(event) = reader.next_event().await? {
///     if let Event::Stanza(s) = event {
///         kinds.push(s.kind().to_string());
///     }
/// }
/// assert_eq!(kinds, ["presence", "message"]);
/// # Ok::<(), xmpp_stream::io::ReadError>(())
/// # }).unwrap();
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub struct AsyncReader<R> {
    inner: R,
    core: Core,
}

impl<R> fmt::Debug for AsyncReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.debug("AsyncReader", f)
    }
}

impl<R: AsyncRead + Unpin> AsyncReader<R> {
    driver_methods!(AsyncReader);

    /// The next event; `Ok(None)` once the input has ended cleanly (after the stream
    /// close or between stanzas; [`Parser::finish`] says which endings are clean). Reads
    /// as often as needed.
    ///
    /// The event borrows the reader until the next call. Cancel-safe: bytes are handed
    /// to the parser in the same poll that reads them.
    pub async fn next_event(&mut self) -> Result<Option<Event<'_>>, ReadError> {
        loop {
            match self.core.next()? {
                Next::Event => return Ok(self.core.event()),
                Next::End => return Ok(None),
                Next::Read => {
                    let (core, inner) = (&mut self.core, &mut self.inner);
                    let read = core::future::poll_fn(|cx| {
                        let polled = if core.reads_direct() {
                            let mut buf = ReadBuf::new(core.read_buf());
                            let polled = Pin::new(&mut *inner).poll_read(cx, &mut buf);
                            if let Poll::Ready(Ok(())) = polled {
                                let n = buf.filled().len();
                                core.commit(n);
                            }
                            polled
                        } else {
                            // The parser holds nothing and has no room: read on the
                            // stack and copy in (see `Core::reads_direct`).
                            let mut stack = [0u8; STACK_READ];
                            let mut buf = ReadBuf::new(&mut stack);
                            let polled = Pin::new(&mut *inner).poll_read(cx, &mut buf);
                            if let Poll::Ready(Ok(())) = polled {
                                core.feed(buf.filled());
                            }
                            polled
                        };
                        if polled.is_pending() {
                            // About to wait for the peer: give grown buffers back.
                            core.idle();
                        }
                        polled
                    })
                    .await;
                    match read {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e.into()),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::Reader;
    use crate::parser::render::render;

    const STREAM: &[u8] = b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams'><presence/> \
        <message><body>caf\xc3\xa9 &amp; cr\xc3\xa8me</body></message></stream:stream>";

    fn block_on<F: core::future::Future>(f: F) -> F::Output {
        ::tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    /// Every event's line (`parser::render`), then the error (if any), of an async reader.
    async fn collect<R: AsyncRead + Unpin>(mut r: AsyncReader<R>) -> (Vec<String>, Option<String>) {
        let mut out = Vec::new();
        loop {
            match r.next_event().await {
                Ok(Some(ev)) => out.push(render(&ev)),
                Ok(None) => return (out, None),
                Err(e) => return (out, Some(e.to_string())),
            }
        }
    }

    #[test]
    fn same_events_as_the_blocking_reader_for_any_chunk_size() {
        let mut blocking = Reader::new(STREAM);
        let mut want = Vec::new();
        while let Some(ev) = blocking.next_event().unwrap() {
            want.push(render(&ev));
        }
        assert_eq!(want.len(), 4);
        for chunk in [0, 1, 5, 100, 10_000] {
            let (got, err) = block_on(collect(AsyncReader::new(STREAM).chunk_size(chunk)));
            assert_eq!((got, err), (want.clone(), None), "chunk {chunk}");
        }
        let cut = &STREAM[..STREAM.len() - 30];
        let (got, err) = block_on(collect(AsyncReader::new(cut).chunk_size(7)));
        assert_eq!(got.len(), 2);
        assert!(err.unwrap().contains("incomplete"));
    }

    #[test]
    fn chunks_are_exact() {
        // A duplex pipe delivering 3 bytes per read: the header is seen only once the
        // 10-byte chunk holding its '>' is complete.
        block_on(async {
            let (mut client, server) = ::tokio::io::duplex(3);
            let writer = async move {
                use ::tokio::io::AsyncWriteExt;
                // The reader stops after the header and drops its end: the rest fails.
                let _ = client.write_all(STREAM).await;
            };
            let reader = async move {
                let mut r = AsyncReader::new(server).chunk_size(10);
                assert!(matches!(r.next_event().await, Ok(Some(Event::Header(_)))));
                r.bytes_read()
            };
            let ((), read) = ::tokio::join!(writer, reader);
            let first = STREAM.iter().position(|&b| b == b'>').unwrap() + 1;
            let header_end = first + STREAM[first..].iter().position(|&b| b == b'>').unwrap() + 1;
            assert_eq!(read, header_end.div_ceil(10) as u64 * 10);
        });
    }
}
