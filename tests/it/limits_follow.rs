//! Limits that follow the session: `Parser::set_limits` (and the readers' and codec's)
//! applies from the next event on; a stanza half-read when it is called is finished
//! under the limits it started with.

use crate::support::MINIMAL_HEADER;
use xmpp_stream::io::Reader;
use xmpp_stream::{Config, ErrorKind, Event, Limit, Limits, Parser};

fn small() -> Limits {
    let mut l = Limits::default();
    l.max_stanza_bytes = 40;
    l.max_depth = 2;
    l
}

const LONG: &[u8] = b"<message><body>more than forty bytes of text here</body></message>";

fn parser_with(limits: Limits) -> Parser {
    let mut p = Parser::with_config(Config::default().with_limits(limits));
    p.feed(MINIMAL_HEADER);
    assert!(matches!(p.next_event(), Ok(Some(Event::Header(_)))));
    p
}

#[test]
fn small_limits_reject_what_larger_ones_accept() {
    let mut p = parser_with(small());
    p.feed(LONG);
    let err = p.next_event().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded(Limit::StanzaBytes));

    let mut p = parser_with(small());
    p.set_limits(Limits::default());
    assert_eq!(p.config().limits(), &Limits::default());
    p.feed(LONG);
    assert!(matches!(p.next_event(), Ok(Some(Event::Stanza(_)))));
}

#[test]
fn a_stanza_in_progress_keeps_the_limits_it_started_with() {
    // Larger limits set while a stanza is half-read: that stanza is still bounded by
    // the small ones.
    let mut p = parser_with(small());
    p.feed(&LONG[..20]);
    assert!(p.next_event().unwrap().is_none());
    p.set_limits(Limits::default());
    assert_eq!(p.config().limits(), &Limits::default(), "the limits set");
    p.feed(&LONG[20..]);
    assert_eq!(
        p.next_event().unwrap_err().kind(),
        ErrorKind::LimitExceeded(Limit::StanzaBytes)
    );

    // Smaller limits set while a large stanza is half-read: it completes, the next
    // one is bounded.
    let mut p = parser_with(Limits::default());
    p.feed(&LONG[..20]);
    assert!(p.next_event().unwrap().is_none());
    p.set_limits(small());
    p.feed(&LONG[20..]);
    assert!(matches!(p.next_event(), Ok(Some(Event::Stanza(_)))));
    p.feed(b"<a><b><c/></b></a>");
    assert_eq!(
        p.next_event().unwrap_err().kind(),
        ErrorKind::LimitExceeded(Limit::Depth)
    );
}

#[test]
fn limits_survive_restart_and_reset() {
    let mut p = parser_with(small());
    p.set_limits(Limits::default());
    p.restart();
    p.feed(MINIMAL_HEADER);
    assert!(matches!(p.next_event(), Ok(Some(Event::Header(_)))));
    p.feed(LONG);
    assert!(matches!(p.next_event(), Ok(Some(Event::Stanza(_)))));
    p.reset();
    assert_eq!(p.config().limits(), &Limits::default());
}

#[test]
fn the_blocking_reader_sets_limits_between_stanzas() {
    let mut input = MINIMAL_HEADER.to_vec();
    input.extend_from_slice(b"<presence/>");
    input.extend_from_slice(LONG);
    let config = Config::default().with_limits(small());
    let mut r = Reader::with_config(&input[..], config.clone());
    assert!(matches!(r.next_event(), Ok(Some(Event::Header(_)))));
    assert!(matches!(r.next_event(), Ok(Some(Event::Stanza(_)))));
    r.set_limits(Limits::default());
    assert!(matches!(r.next_event(), Ok(Some(Event::Stanza(_)))));

    let mut r = Reader::with_config(&input[..], config);
    assert!(matches!(r.next_event(), Ok(Some(Event::Header(_)))));
    assert!(matches!(r.next_event(), Ok(Some(Event::Stanza(_)))));
    let err = r.next_event().unwrap_err();
    assert_eq!(
        err.parse_error().unwrap().kind(),
        ErrorKind::LimitExceeded(Limit::StanzaBytes)
    );
}

#[cfg(feature = "tokio")]
#[test]
fn the_async_reader_and_the_codec_set_limits() {
    use bytes::BytesMut;
    use tokio_util::codec::Decoder;
    use xmpp_stream::codec::XmppCodec;
    use xmpp_stream::io::AsyncReader;
    use xmpp_stream::OwnedEvent;

    let mut input = MINIMAL_HEADER.to_vec();
    input.extend_from_slice(LONG);
    let config = Config::default().with_limits(small());

    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut r = AsyncReader::with_config(&input[..], config.clone());
        assert!(matches!(r.next_event().await, Ok(Some(Event::Header(_)))));
        r.set_limits(Limits::default());
        assert!(matches!(r.next_event().await, Ok(Some(Event::Stanza(_)))));
    });

    let mut codec = XmppCodec::with_config(config.clone());
    let mut buf = BytesMut::from(&input[..]);
    assert!(matches!(
        codec.decode(&mut buf),
        Ok(Some(OwnedEvent::Header(_)))
    ));
    codec.set_limits(Limits::default());
    assert!(matches!(
        codec.decode(&mut buf),
        Ok(Some(OwnedEvent::Stanza(_)))
    ));

    let mut codec = XmppCodec::with_config(config);
    let mut buf = BytesMut::from(&input[..]);
    assert!(matches!(
        codec.decode(&mut buf),
        Ok(Some(OwnedEvent::Header(_)))
    ));
    assert!(codec.decode(&mut buf).is_err());
}
