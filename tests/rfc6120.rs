//! The RFC 6120 section 9 examples (our transcription in corpus/rfc6120) parse as streams,
//! both with implicit restarts and with the explicit `restart()` calls a client and a
//! server make after `<proceed/>`, `<success/>` and `<auth/>` exchanges.

mod common;

use common::{crate_file, run_chunked, run_whole, stream_config};
use xmpp_stream::{Config, Event, Parser};

const TLS: &str = "urn:ietf:params:xml:ns:xmpp-tls";
const SASL: &str = "urn:ietf:params:xml:ns:xmpp-sasl";

/// (file, headers, stanzas) for each transcribed direction.
const FILES: [(&str, usize, usize); 4] = [
    ("c2s-client.xml", 3, 5),
    ("c2s-server.xml", 3, 8),
    ("s2s-initiating.xml", 3, 3),
    ("s2s-receiving.xml", 3, 6),
];

#[test]
fn section_9_examples_parse_with_implicit_restarts() {
    for (file, headers, stanzas) in FILES {
        let input = crate_file(&format!("corpus/rfc6120/{file}"));
        let o = run_whole(&stream_config(), &input);
        assert_eq!(o.error, None, "{file}");
        let count = |p: &str| o.events.iter().filter(|e| e.starts_with(p)).count();
        assert_eq!(count(r#"{"header""#), headers, "{file}");
        assert_eq!(count(r#"{"stanza""#), stanzas, "{file}");
        assert_eq!(count(r#"{"close""#), 1, "{file}");
        assert_eq!(o, run_chunked(&stream_config(), &input, &[1]), "{file}");
    }
}

/// Reads one direction the way its receiver does: restart after the element that ends a
/// negotiation step (what the receiver itself saw or sent is what tells it when).
fn explicit(file: &str, restart_after: &[(&str, &str)]) -> Vec<String> {
    let input = crate_file(&format!("corpus/rfc6120/{file}"));
    let mut parser = Parser::with_config(Config::default());
    let mut seen = Vec::new();
    for chunk in input.chunks(17) {
        parser.feed(chunk);
        loop {
            let mut restart = false;
            match parser
                .next_event()
                .unwrap_or_else(|e| panic!("{file}: {e}"))
            {
                None => break,
                Some(Event::Header(h)) => {
                    seen.push(format!("header {}", h.attr("", "id").unwrap_or("-")))
                }
                Some(Event::Stanza(s)) => {
                    let root = s.root();
                    seen.push(root.local_name().to_string());
                    restart = restart_after.iter().any(|(ns, n)| root.is(ns, n));
                }
                Some(Event::Close) => seen.push("close".into()),
                Some(other) => panic!("{file}: unexpected {other:?}"),
            }
            if restart {
                parser.restart();
            }
        }
    }
    parser.finish().unwrap();
    seen
}

#[test]
fn section_9_examples_parse_with_explicit_restarts() {
    // The client reads the server's stream: it restarts after <proceed/> and <success/>.
    assert_eq!(
        explicit("c2s-server.xml", &[(TLS, "proceed"), (SASL, "success")]),
        [
            "header t7AMCin9zjMNwQKDnplntZPIDEI=",
            "features",
            "proceed",
            "header vgKi/bkYME8OAj4rlXMkpucAqe4=",
            "features",
            "challenge",
            "success",
            "header gPybzaOzBmaADgxKXu9UClbprp0=",
            "features",
            "iq",
            "message",
            "close",
        ]
    );
    // The server reads the client's stream: it restarts after the <starttls/> it answered
    // with <proceed/>, and after the last SASL element it answered with <success/>.
    assert_eq!(
        explicit("c2s-client.xml", &[(TLS, "starttls"), (SASL, "response")]),
        [
            "header -", "starttls", "header -", "auth", "response", "header -", "iq", "message",
            "close"
        ]
    );
    assert_eq!(
        explicit("s2s-receiving.xml", &[(TLS, "proceed"), (SASL, "success")]).len(),
        3 + 6 + 1
    );
    assert_eq!(
        explicit("s2s-initiating.xml", &[(TLS, "starttls"), (SASL, "auth")]).len(),
        3 + 3 + 1
    );
}
