//! Stanzas to typed `xmpp_parsers` values (features `xso` and `minidom`), three ways, each
//! building the same values from the same stream: every depth-1 `message`, `presence`
//! and `iq` in `jabber:client` becomes a `Message`, `Presence` or `Iq` (other depth-1
//! elements are skipped by all three):
//!
//! - [`rxml_xso`]: as tokio-xmpp does, one rxml parser over the stream, the `xml:lang`
//!   stack tracked on every event, the stanza's events fed to the type's xso builder;
//! - [`ours_minidom`]: our parser, the stanza converted to a `minidom::Element`
//!   (`xmpp_stream::minidom`), then `TryFrom<Element>`;
//! - [`ours_xso`]: our parser, `xmpp_stream::xso::from_element` on the stanza.
//!
//! Each folds what it built into a [`TypedSum`] (values, errors, and lengths read from
//! each value), which the benches assert equal across the three.

use std::hint::black_box;

use rxml::xml_lang::XmlLangStack;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::message::Message;
use xmpp_parsers::presence::Presence;
use xmpp_stream::{Config, Event, Parser, Stanza};
use xso::{Context, FromEventsBuilder, FromXml};

/// What a typed route built.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TypedSum {
    /// Values built.
    pub built: usize,
    /// Stanzas xmpp-parsers rejected.
    pub errors: usize,
    /// Lengths read from the values (ids, bodies, statuses, payload counts).
    pub sum: u64,
}

const CLIENT: &str = "jabber:client";

/// Which type a depth-1 element becomes, by its name.
#[derive(Clone, Copy)]
enum Which {
    Message,
    Presence,
    Iq,
}

fn which(ns: &str, local: &str) -> Option<Which> {
    if ns != CLIENT {
        return None;
    }
    match local {
        "message" => Some(Which::Message),
        "presence" => Some(Which::Presence),
        "iq" => Some(Which::Iq),
        _ => None,
    }
}

impl TypedSum {
    fn message(&mut self, m: &Message) {
        self.built += 1;
        let id = m.id.as_ref().map_or(0, |i| i.0.len());
        let bodies: usize = m.bodies.values().map(String::len).sum();
        self.sum += (id + bodies + m.payloads.len()) as u64;
        black_box(m);
    }

    fn presence(&mut self, p: &Presence) {
        self.built += 1;
        let id = p.id.as_ref().map_or(0, String::len);
        let statuses: usize = p.statuses.values().map(String::len).sum();
        self.sum += (id + statuses + p.payloads.len()) as u64;
        black_box(p);
    }

    fn iq(&mut self, iq: &Iq) {
        self.built += 1;
        let id = match iq {
            Iq::Get { id, .. }
            | Iq::Set { id, .. }
            | Iq::Result { id, .. }
            | Iq::Error { id, .. } => id,
        };
        self.sum += id.len() as u64;
        black_box(iq);
    }

    fn result<T>(&mut self, r: Result<T, impl Sized>, f: impl FnOnce(&mut Self, &T)) {
        match r {
            Ok(v) => f(self, &v),
            Err(e) => {
                self.errors += 1;
                black_box(e);
            }
        }
    }
}

/// The builder of the stanza being read by [`rxml_xso`] (held inline, as a stream
/// reader holds its one builder; boxing would add an allocation per stanza).
#[allow(clippy::large_enum_variant)]
enum Building {
    Message(<Message as FromXml>::Builder),
    Presence(<Presence as FromXml>::Builder),
    Iq(<Iq as FromXml>::Builder),
    /// Not a type we build, or the builder failed: skip to the element's end.
    Skip,
}

/// tokio-xmpp's route: rxml over the whole stream, xso builders fed its events.
#[inline(never)]
pub fn rxml_xso(data: &[u8]) -> TypedSum {
    use rxml::{error::EndOrError, Parse};
    let mut p = rxml::Parser::new();
    let mut langs = XmlLangStack::new();
    let mut sum = TypedSum::default();
    let mut depth = 0u32;
    let mut cur = Building::Skip;
    let mut buf = data;
    loop {
        let ev = match p.parse(&mut buf, true) {
            Ok(Some(rxml::Event::XmlDeclaration(..))) => continue,
            Ok(Some(ev)) => ev,
            Ok(None) => break,
            Err(EndOrError::NeedMoreData) => unreachable!("at_eof"),
            Err(EndOrError::Error(e)) => panic!("rxml: {e}"),
        };
        langs.handle_event(&ev);
        let ctx = Context::empty().with_language(langs.current());
        match ev {
            rxml::Event::StartElement(_, qname, attrs) if depth == 1 => {
                depth += 1;
                cur = match which(qname.0.as_str(), qname.1.as_str()) {
                    None => Building::Skip,
                    Some(w) => {
                        let started = match w {
                            Which::Message => {
                                Message::from_events(qname, attrs, &ctx).map(Building::Message)
                            }
                            Which::Presence => {
                                Presence::from_events(qname, attrs, &ctx).map(Building::Presence)
                            }
                            Which::Iq => Iq::from_events(qname, attrs, &ctx).map(Building::Iq),
                        };
                        started.unwrap_or_else(|e| {
                            sum.errors += 1;
                            black_box(e);
                            Building::Skip
                        })
                    }
                };
            }
            ev if depth >= 2 => {
                match &ev {
                    rxml::Event::StartElement(..) => depth += 1,
                    rxml::Event::EndElement(_) => depth -= 1,
                    _ => {}
                }
                let done = match &mut cur {
                    Building::Skip => false,
                    Building::Message(b) => feed(b, ev, &ctx, &mut sum, TypedSum::message),
                    Building::Presence(b) => feed(b, ev, &ctx, &mut sum, TypedSum::presence),
                    Building::Iq(b) => feed(b, ev, &ctx, &mut sum, TypedSum::iq),
                };
                if done {
                    cur = Building::Skip;
                }
            }
            rxml::Event::StartElement(..) => depth += 1,
            rxml::Event::EndElement(_) => depth -= 1,
            _ => {}
        }
    }
    sum
}

/// Feeds `ev` to `b`; true when the builder is done (value folded, or failed).
#[inline]
fn feed<B: FromEventsBuilder>(
    b: &mut B,
    ev: rxml::Event,
    ctx: &Context<'_>,
    sum: &mut TypedSum,
    fold: impl FnOnce(&mut TypedSum, &B::Output),
) -> bool {
    match b.feed(ev, ctx) {
        Ok(None) => false,
        Ok(Some(v)) => {
            fold(sum, &v);
            true
        }
        Err(e) => {
            sum.errors += 1;
            black_box(e);
            true
        }
    }
}

/// Our parser fed whole; `build` turns each stanza we dispatch into a value.
#[inline]
fn ours_typed(
    data: &[u8],
    config: &Config,
    mut build: impl FnMut(&Stanza<'_>, Which, &mut TypedSum),
) -> TypedSum {
    let mut p = Parser::with_config(config.clone());
    p.feed(data);
    let mut sum = TypedSum::default();
    while let Some(ev) = p.next_event().expect("parse error") {
        if let Event::Stanza(s) = ev {
            let r = s.root();
            if let Some(w) = which(r.ns(), r.local_name()) {
                build(&s, w, &mut sum);
            }
        }
    }
    p.finish().expect("finish");
    sum
}

/// Our parser, then minidom, then `TryFrom<minidom::Element>`.
#[inline(never)]
pub fn ours_minidom(data: &[u8], config: &Config) -> TypedSum {
    ours_typed(data, config, |s, w, sum| {
        let el = xmpp_stream::minidom::stanza_to_element(s);
        match w {
            Which::Message => sum.result(Message::try_from(el), TypedSum::message),
            Which::Presence => sum.result(Presence::try_from(el), TypedSum::presence),
            Which::Iq => sum.result(Iq::try_from(el), TypedSum::iq),
        }
    })
}

/// Our parser, then `xmpp_stream::xso::from_element`.
#[inline(never)]
pub fn ours_xso(data: &[u8], config: &Config) -> TypedSum {
    ours_typed(data, config, |s, w, sum| {
        use xmpp_stream::xso::from_element;
        match w {
            Which::Message => sum.result(from_element::<Message>(s), TypedSum::message),
            Which::Presence => sum.result(from_element::<Presence>(s), TypedSum::presence),
            Which::Iq => sum.result(from_element::<Iq>(s), TypedSum::iq),
        }
    })
}
