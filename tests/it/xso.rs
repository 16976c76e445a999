//! Feature `xso`: every corpus stanza replayed from our views into xmpp-parsers' builders
//! (`xmpp_stream::xso::from_element`) gives what xmpp-parsers builds from its own parse of
//! the same bytes, by both of its routes, values and errors alike:
//!
//! - rxml, as tokio-xmpp reads a stream: one rxml parser over the stream header and the
//!   stanza's exact bytes, the `xml:lang` stack tracked from the header, the stanza's
//!   events fed to `FromXml::from_events` and the builder;
//! - minidom: the stanza written standalone (namespace declarations and the header's
//!   `xml:lang` added, as `Target::Standalone` does), parsed by minidom, `TryFrom`.
//!
//! Each stanza is tried as every type below; a type that does not match the element must
//! give `TypeMismatch` on every route.
use crate::support::corpus::{streams, Stream};
use rxml::{xml_lang::XmlLangStack, AttrMap};
use xmpp_parsers::minidom::Element as Dom;
use xmpp_parsers::{iq, message, presence, sasl, sm, starttls, stream_error, stream_features};
use xmpp_stream::xmpp::Target;
use xmpp_stream::{Config, Event, OwnedStanza, Parser, Stanza};
use xso::{error::Error, error::FromElementError, AsXml, Context, FromEventsBuilder, FromXml};

/// What a route made of one stanza: the value as xso serialises it, or the error's
/// text. (Values are compared serialised because the minidom elements some of them hold,
/// such as a message's payloads, keep text split where the parser happened to split it:
/// rxml splits at references, we hand over one run per text node; the XML is the same.)
fn outcome<T: AsXml>(r: Result<T, Error>) -> Result<String, String> {
    r.map(|v| String::from_utf8(xso::to_vec(&v).expect("serialises")).unwrap())
        .map_err(|e| match e {
            Error::TypeMismatch => "type mismatch".to_owned(),
            e => e.to_string(),
        })
}

/// The stanza's events as tokio-xmpp's rxml parser sees them: the header, then the
/// stanza; returns the header's attributes and the stanza's events.
fn rxml_events(header: &[u8], stanza: &[u8]) -> (AttrMap, Vec<rxml::Event>) {
    use rxml::{error::EndOrError, Parse};
    let mut doc = header.to_vec();
    doc.extend_from_slice(stanza);
    let mut p = rxml::Parser::new();
    let mut buf = &doc[..];
    let (mut header_attrs, mut evs, mut depth) = (None, Vec::new(), 0u32);
    loop {
        match p.parse(&mut buf, false) {
            Ok(Some(ev)) => match &ev {
                rxml::Event::StartElement(_, _, a) if depth == 0 => {
                    header_attrs = Some(a.clone());
                    depth = 1;
                }
                _ if depth == 0 => {}
                rxml::Event::StartElement(..) => {
                    depth += 1;
                    evs.push(ev);
                }
                rxml::Event::EndElement(_) => {
                    depth -= 1;
                    evs.push(ev);
                    if depth == 1 {
                        return (header_attrs.unwrap(), evs);
                    }
                }
                rxml::Event::Text(..) if depth >= 2 => evs.push(ev),
                _ => {}
            },
            Err(EndOrError::NeedMoreData) => panic!("rxml: stanza incomplete"),
            Ok(None) => panic!("rxml: document ended"),
            Err(EndOrError::Error(e)) => panic!("rxml rejects it: {e}"),
        }
    }
}

/// tokio-xmpp's route: the builder fed rxml's events with the stream's language stack.
fn via_rxml<T: FromXml>(header_attrs: &AttrMap, evs: &[rxml::Event]) -> Result<T, Error> {
    let mut langs = XmlLangStack::new();
    langs.push_from_attrs(header_attrs);
    let Some(rxml::Event::StartElement(_, qname, attrs)) = evs.first().cloned() else {
        panic!("no start")
    };
    langs.push_from_attrs(&attrs);
    let ctx = Context::empty().with_language(langs.current());
    let mut b = match T::from_events(qname, attrs, &ctx) {
        Ok(b) => b,
        Err(xso::error::FromEventsError::Mismatch { .. }) => return Err(Error::TypeMismatch),
        Err(xso::error::FromEventsError::Invalid(e)) => return Err(e),
    };
    for ev in &evs[1..] {
        langs.handle_event(ev);
        let ctx = Context::empty().with_language(langs.current());
        if let Some(v) = b.feed(ev.clone(), &ctx)? {
            return Ok(v);
        }
    }
    panic!("builder did not finish")
}

/// The minidom route.
fn via_minidom<T>(dom: &Dom) -> Result<T, Error>
where
    T: TryFrom<Dom, Error = FromElementError>,
{
    T::try_from(dom.clone()).map_err(|e| match e {
        FromElementError::Mismatch(_) => Error::TypeMismatch,
        FromElementError::Invalid(e) => e,
    })
}

/// One stanza as the other routes read it.
struct Theirs {
    header: Vec<u8>,
    /// rxml: the header's attributes and the stanza's events.
    rxml: (AttrMap, Vec<rxml::Event>),
    /// minidom: the standalone stanza parsed.
    dom: Dom,
}

impl Theirs {
    fn new(header: &[u8], s: &Stanza<'_>) -> Self {
        let mut standalone = Vec::new();
        s.write_to(&mut standalone, Target::Standalone);
        Theirs {
            header: header.to_vec(),
            rxml: rxml_events(header, s.raw()),
            dom: Dom::from_reader(&standalone[..]).expect("minidom parses the standalone stanza"),
        }
    }
}

/// Tries `T` on one stanza by every route; returns what it made of it.
fn check<T>(
    at: &str,
    s: &Stanza<'_>,
    owned: &OwnedStanza,
    theirs: &Theirs,
) -> Result<String, String>
where
    T: FromXml + AsXml + TryFrom<Dom, Error = FromElementError>,
{
    let ours = outcome(xmpp_stream::xso::from_element::<T>(s));
    let (hattrs, evs) = &theirs.rxml;
    let rx = outcome(via_rxml::<T>(hattrs, evs));
    assert_eq!(
        ours,
        rx,
        "{at}: {} ours vs rxml route",
        std::any::type_name::<T>()
    );
    let md = outcome(via_minidom::<T>(&theirs.dom));
    assert_eq!(
        ours,
        md,
        "{at}: {} ours vs minidom route",
        std::any::type_name::<T>()
    );
    let from_owned = outcome(xmpp_stream::xso::from_element::<T>(owned));
    assert_eq!(ours, from_owned, "{at}: owned stanza");
    // And back: the value written with our writer in the stream's namespace, read again.
    if let Ok(v) = xmpp_stream::xso::from_element::<T>(s) {
        let mut out = Vec::new();
        xmpp_stream::xso::write_xso(&mut out, &v, s.content_ns().unwrap_or(""))
            .unwrap_or_else(|e| panic!("{at}: write_xso: {e}"));
        let again = reparse::<T>(&theirs.header, &out);
        assert_eq!(
            ours,
            again,
            "{at}: written {}",
            String::from_utf8_lossy(&out)
        );
    }
    ours
}

/// `stanza` (as written by `write_xso`) read by our parser after `header`, replayed.
fn reparse<T: FromXml + AsXml>(header: &[u8], stanza: &[u8]) -> Result<String, String> {
    let mut p = Parser::new();
    p.feed(header);
    p.feed(stanza);
    assert!(matches!(p.next_event(), Ok(Some(Event::Header(_)))));
    match p.next_event() {
        Ok(Some(Event::Stanza(s))) => outcome(xmpp_stream::xso::from_element::<T>(s)),
        other => panic!("our parser rejects what write_xso wrote: {other:?}"),
    }
}

#[test]
fn every_corpus_stanza_as_xmpp_parsers_builds_it() {
    let (mut stanzas, mut built, mut rejected, mut foreign) = (0, 0, 0, 0);
    for Stream {
        name, data: input, ..
    } in streams()
    {
        let mut p = Parser::with_config(Config::default().with_implicit_restart(true));
        p.feed(&input);
        let mut header = Vec::new();
        let mut k = 0;
        // s2c-unclosed ends inside a stanza; everything before it is checked.
        while let Ok(Some(ev)) = p.next_event() {
            let s = match ev {
                Event::Header(h) => {
                    header = h.raw().to_vec();
                    continue;
                }
                Event::Stanza(s) => s,
                Event::Close => continue,
                other => panic!("{name}: unexpected event {other:?}"),
            };
            k += 1;
            stanzas += 1;
            let at = format!("{name} stanza {k}");
            let owned = OwnedStanza::new(&s);
            let h = &Theirs::new(&header, &s);
            let ok = [
                check::<message::Message>(&at, &s, &owned, h),
                check::<presence::Presence>(&at, &s, &owned, h),
                check::<iq::Iq>(&at, &s, &owned, h),
                check::<stream_features::StreamFeatures>(&at, &s, &owned, h),
                check::<sasl::Nonza>(&at, &s, &owned, h),
                check::<sm::Nonza>(&at, &s, &owned, h),
                check::<starttls::Nonza>(&at, &s, &owned, h),
                check::<stream_error::StreamError>(&at, &s, &owned, h),
            ];
            match ok.iter().filter(|r| r.is_ok()).count() {
                0 if ok
                    .iter()
                    .any(|r| r.as_ref().is_err_and(|e| e != "type mismatch")) =>
                {
                    rejected += 1
                }
                0 => foreign += 1,
                1 => built += 1,
                n => panic!("{at}: {n} types built it"),
            }
        }
    }
    println!(
        "{stanzas} stanzas: {built} built by xmpp-parsers, {rejected} rejected by it (the same \
         error on every route), {foreign} of no type tried"
    );
    assert!(stanzas > 10_000, "{stanzas}");
    assert!(built > stanzas / 2, "{built} of {stanzas}");
    assert!(rejected > 0, "no stanza exercised an xmpp-parsers error");
}
