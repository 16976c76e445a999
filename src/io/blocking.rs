//! [`Reader`]: the driver over a blocking [`std::io::Read`].

use super::driver::{driver_methods, Core, Next, STACK_READ};
use super::ReadError;
use crate::parser::{Config, Event, Parser};
use core::fmt;
use std::io::{self, Read};

/// A [`Parser`] reading from a blocking [`Read`]er.
///
/// Each read goes straight into the parser's buffer (except while [idle
/// release](crate::Config::with_idle_release) has given it back: then through a stack
/// buffer until a stanza needs more); [`next_event`](Self::next_event)
/// reads only when the parser needs more bytes, and at end of input checks that the
/// stream ended cleanly ([`Parser::finish`]). The reader is not buffered further: wrap
/// it in a `BufReader` only if it is expensive to read from in small pieces (the parser
/// asks for at least 8 KiB per read anyway).
///
/// A server reading a client over TCP (writes go to a clone of the socket):
///
/// ```no_run
/// use std::io::Write;
/// use std::net::TcpListener;
/// use xmpp_stream::io::Reader;
/// use xmpp_stream::xmpp::{write_header, HeaderSpec, Kind};
/// use xmpp_stream::Event;
///
/// let listener = TcpListener::bind("127.0.0.1:5222")?;
/// let (socket, _) = listener.accept()?;
/// let mut out = socket.try_clone()?;
/// let mut reader = Reader::new(socket);
/// while let Some(event) = reader.next_event()? {
///     let mut reply = Vec::new();
///     let mut restart = false;
///     match event {
///         Event::Header(_) => write_header(&mut reply, &HeaderSpec {
///             from: Some("example.com"), id: Some("s1"), ..HeaderSpec::default()
///         }),
///         Event::Stanza(s) if s.kind() == Kind::SaslAuth => {
///             reply.extend_from_slice(b"<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
///             restart = true;
///         }
///         Event::Stanza(_) => {}
///         Event::Close => reply.extend_from_slice(b"</stream:stream>"),
///         _ => {}
///     }
///     out.write_all(&reply)?;
///     if restart {
///         reader.restart();
///     }
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Reader<R> {
    inner: R,
    core: Core,
}

impl<R> fmt::Debug for Reader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.debug("Reader", f)
    }
}

impl<R: Read> Reader<R> {
    driver_methods!(Reader);

    /// The next event; `Ok(None)` once the input has ended cleanly (after the stream
    /// close or between stanzas; [`Parser::finish`] says which endings are clean). Reads
    /// as often as needed: blocks until an event is complete.
    ///
    /// The event borrows the reader until the next call.
    pub fn next_event(&mut self) -> Result<Option<Event<'_>>, ReadError> {
        loop {
            match self.core.next()? {
                Next::Event => return Ok(self.core.event()),
                Next::End => return Ok(None),
                Next::Read => {
                    // A blocking read cannot tell whether it will wait: release before
                    // any read made with nothing buffered.
                    self.core.idle();
                    let read = if self.core.reads_direct() {
                        self.inner
                            .read(self.core.read_buf())
                            .map(|n| self.core.commit(n))
                    } else {
                        let mut stack = [0u8; STACK_READ];
                        let read = self.inner.read(&mut stack);
                        read.map(|n| self.core.feed(&stack[..n]))
                    };
                    match read {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        // Bytes read before an error are kept; the next call reads on.
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
    use crate::parser::render::render;
    use crate::ErrorKind;

    /// A reader returning at most `max` bytes per call, with an `Interrupted` error
    /// before every other read.
    struct Trickle<'a> {
        data: &'a [u8],
        max: usize,
        interrupt: bool,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = self.max.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    const STREAM: &[u8] = b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams'><presence/> \
        <message><body>caf\xc3\xa9 &amp; cr\xc3\xa8me</body></message></stream:stream>";

    fn collect<R: Read>(mut r: Reader<R>) -> (Vec<String>, Option<ReadError>) {
        let mut out = Vec::new();
        loop {
            match r.next_event() {
                Ok(Some(ev)) => out.push(render(&ev)),
                Ok(None) => return (out, None),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    #[test]
    fn any_chunking_gives_the_same_events() {
        let (whole, err) = collect(Reader::new(STREAM));
        assert!(err.is_none());
        assert_eq!(whole.len(), 4);
        for max in [1, 2, 3, 7, 64] {
            let t = Trickle {
                data: STREAM,
                max,
                interrupt: false,
            };
            assert_eq!(collect(Reader::new(t)).0, whole, "max {max}");
            for chunk in [1, 5, 100, 10_000] {
                let t = Trickle {
                    data: STREAM,
                    max,
                    interrupt: false,
                };
                let (ev, err) = collect(Reader::new(t).chunk_size(chunk));
                assert!(err.is_none());
                assert_eq!(ev, whole, "max {max} chunk {chunk}");
            }
        }
    }

    #[test]
    fn chunks_are_exact() {
        struct Spy<'a>(&'a [u8]);
        impl Read for Spy<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = buf.len().min(self.0.len()).min(3);
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut r = Reader::new(Spy(STREAM)).chunk_size(10);
        assert!(matches!(r.next_event(), Ok(Some(Event::Header(_)))));
        // The header is complete within the first chunk that holds its '>'.
        let header_end = STREAM.iter().position(|&b| b == b'>').unwrap() + 1;
        let header_end = header_end
            + STREAM[header_end..]
                .iter()
                .position(|&b| b == b'>')
                .unwrap()
            + 1;
        assert_eq!(r.bytes_read(), header_end.div_ceil(10) as u64 * 10);
    }

    #[test]
    fn truncated_input_is_incomplete_and_errors_are_sticky() {
        let cut = &STREAM[..STREAM.len() - 30];
        let mut r = Reader::new(cut);
        let (events, err) = {
            let mut n = 0;
            loop {
                match r.next_event() {
                    Ok(Some(_)) => n += 1,
                    Ok(None) => break (n, None),
                    Err(e) => break (n, Some(e)),
                }
            }
        };
        assert_eq!(events, 2);
        let e = err.unwrap().parse_error().unwrap();
        assert_eq!(e.kind(), ErrorKind::UnexpectedEof);
        assert_eq!(e.offset(), cut.len() as u64);
        assert_eq!(r.next_event().unwrap_err().parse_error(), Some(e));
        let io: io::Error = r.next_event().unwrap_err().into();
        assert_eq!(io.kind(), io::ErrorKind::InvalidData);
    }

    #[test]
    fn io_errors_pass_through_and_reading_resumes() {
        struct Flaky<'a> {
            data: &'a [u8],
            fail: bool,
        }
        impl Read for Flaky<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.fail = !self.fail;
                if self.fail {
                    return Err(io::ErrorKind::WouldBlock.into());
                }
                let n = buf.len().min(self.data.len()).min(20);
                buf[..n].copy_from_slice(&self.data[..n]);
                self.data = &self.data[n..];
                Ok(n)
            }
        }
        let mut r = Reader::new(Flaky {
            data: STREAM,
            fail: false,
        });
        let mut events = 0;
        let mut blocked = 0;
        loop {
            match r.next_event() {
                Ok(Some(_)) => events += 1,
                Ok(None) => break,
                Err(ReadError::Io(e)) => {
                    assert_eq!(e.kind(), io::ErrorKind::WouldBlock);
                    blocked += 1;
                }
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(events, 4);
        assert!(blocked > 5);
        assert!(r.is_eof());
    }

    #[test]
    fn restart_keeps_bytes_already_read() {
        let input: &[u8] = b"<stream:stream xmlns='jabber:client' \
            xmlns:stream='http://etherx.jabber.org/streams'>\
            <success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>\
            <stream:stream xmlns='jabber:client' \
            xmlns:stream='http://etherx.jabber.org/streams' id='2'><presence/>";
        let mut r = Reader::new(input);
        let mut log = Vec::new();
        while let Some(ev) = r.next_event().unwrap() {
            let restart = match ev {
                Event::Header(h) => {
                    log.push(format!("header {:?}", h.attr("", "id")));
                    false
                }
                Event::Stanza(s) => {
                    log.push(s.kind().to_string());
                    s.kind().restarts_stream()
                }
                Event::Close => false,
            };
            if restart {
                r.restart();
            }
        }
        assert_eq!(
            log,
            [
                "header None",
                "sasl-success",
                "header Some(\"2\")",
                "presence"
            ]
        );
        let (_, parser) = r.into_parts();
        assert!(parser.header().is_some());
    }

    /// The growth a large stanza caused does not outlive it: the reader gives it back
    /// before its next read with nothing buffered (unless idle release is off).
    #[test]
    fn idle_release_gives_a_large_stanzas_growth_back() {
        let mut input = b"<stream:stream xmlns='jabber:client' \
            xmlns:stream='http://etherx.jabber.org/streams'><message><body>"
            .to_vec();
        input.extend(std::iter::repeat_n(b'x', 40_000));
        input.extend_from_slice(b"</body></message>");
        let held = |config: Config| {
            // One read per stanza: the big one, then a presence.
            struct Pieces(Vec<Vec<u8>>);
            impl Read for Pieces {
                fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                    let Some(p) = self.0.first_mut() else {
                        return Ok(0);
                    };
                    let n = p.len().min(buf.len());
                    buf[..n].copy_from_slice(&p[..n]);
                    p.drain(..n);
                    if p.is_empty() {
                        self.0.remove(0);
                    }
                    Ok(n)
                }
            }
            let pieces = Pieces(vec![input.clone(), b"<presence/>".to_vec()]);
            let mut r = Reader::with_config(pieces, config);
            let mut stanzas = 0;
            while let Some(ev) = r.next_event().unwrap() {
                if let Event::Stanza(s) = ev {
                    stanzas += 1;
                    if s.kind() == crate::xmpp::Kind::Presence {
                        break;
                    }
                }
            }
            assert_eq!(stanzas, 2);
            r.parser().heap_bytes()
        };
        let released = held(Config::default());
        let kept = held(Config::default().with_idle_release(None));
        assert!(released <= 2048, "{released}");
        assert!(kept > 40_000, "{kept}");
    }
}
