//! framedump: read recorded WebSocket messages (RFC 7395) or BOSH bodies (XEP-0206)
//! through [`WebSocketParser`] or [`BoshReader`] and print what they gave, in the dump
//! format of `xmpp_stream::dump` (the same lines `tools/expat_dump.py --document` or
//! `--bosh` prints for each message).
//!
//! ```text
//! cargo run --example framedump -- --websocket|--bosh FILE
//! ```
//!
//! FILE is a sequence of records, each `TAG LEN\n` (TAG any word without spaces, LEN in
//! decimal), then LEN bytes (one WebSocket text message or one HTTP body), then `\n`.
//! For each record it prints `#N TAG` and then:
//!
//! - WebSocket: one `{"stanza":ELEM}` line for the message's element (`<open/>` and
//!   `<close/>` included: each message is one element), or the error line;
//! - BOSH: `{"header":ELEM}` for the `<body>` start tag, then `{"bosh":{...}}` with the
//!   body view's typed values (`rid`, `sid`, `wait`, `hold`, `ack`, `requests`,
//!   `polling`, `inactivity`, `authid`, `from`, `to`, `ver`, `type`, `condition`,
//!   `xmpp_version`, `xmpp_restart`; absent ones left out), one `{"stanza":ELEM}` per
//!   stanza, `{"close":true}`, or the error line where reading stopped.
//!
//! Exit status: 0 when every record was read without error, 1 otherwise, 2 for bad
//! usage or an unreadable file.

use std::io::Write;
use std::process::ExitCode;
use xmpp_stream::dump;
use xmpp_stream::xmpp::{Body, BodyType, BoshError, BoshReader, WebSocketParser, WsEvent};

const USAGE: &str = "usage: framedump --websocket|--bosh FILE";

/// Splits the records out of `data`: (tag, bytes) pairs.
fn records(data: &[u8]) -> Result<Vec<(&str, &[u8])>, String> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let nl = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("record header without a line end")?;
        let head = std::str::from_utf8(&rest[..nl]).map_err(|_| "record header not UTF-8")?;
        let (tag, len) = head
            .split_once(' ')
            .ok_or("record header is not `TAG LEN`")?;
        let len: usize = len.parse().map_err(|_| format!("bad length in {head:?}"))?;
        let body = rest
            .get(nl + 1..nl + 1 + len)
            .ok_or("record shorter than its length")?;
        if rest.get(nl + 1 + len) != Some(&b'\n') {
            return Err(format!("record {} does not end with a line end", out.len()));
        }
        out.push((tag, body));
        rest = &rest[nl + 2 + len..];
    }
    Ok(out)
}

fn element_line(out: &mut String, e: &xmpp_stream::Element<'_>, key: &str) {
    out.push_str("{\"");
    out.push_str(key);
    out.push_str("\":");
    dump::write_element(out, e, key == "stanza");
    out.push_str("}\n");
}

/// Appends the lines for one WebSocket message; false on error.
fn websocket(ws: &mut WebSocketParser, msg: &[u8], out: &mut String) -> bool {
    match ws.parse(msg) {
        Ok(WsEvent::Open(h)) => element_line(out, &h, "stanza"),
        Ok(WsEvent::Stanza(s)) => element_line(out, &s.root(), "stanza"),
        Ok(WsEvent::Close(e)) => element_line(out, &e, "stanza"),
        // `WsEvent` is `#[non_exhaustive]`: a kind this dump does not know is a failure.
        Ok(other) => {
            eprintln!("framedump: unexpected WebSocket event {other:?}");
            return false;
        }
        Err(e) => {
            dump::write_error(out, &e);
            return false;
        }
    }
    true
}

/// Appends the `{"bosh":{...}}` line: the typed accessors of the body view (absent
/// values left out; numbers as numbers).
fn body_line(out: &mut String, b: &Body<'_>) {
    out.push_str("{\"bosh\":{");
    let mut first = true;
    let mut key = |out: &mut String, k: &str| {
        if !first {
            out.push(',');
        }
        first = false;
        dump::write_json_str(out, k);
        out.push(':');
    };
    let numbers = [
        ("rid", b.rid()),
        ("ack", b.ack()),
        ("wait", b.wait().map(u64::from)),
        ("hold", b.hold().map(u64::from)),
        ("requests", b.requests().map(u64::from)),
        ("polling", b.polling().map(u64::from)),
        ("inactivity", b.inactivity().map(u64::from)),
    ];
    for (k, v) in numbers {
        if let Some(v) = v {
            key(out, k);
            out.push_str(&v.to_string());
        }
    }
    let version = b.xmpp_version().map(|v| v.to_string());
    let strings = [
        ("sid", b.sid()),
        ("authid", b.authid()),
        ("from", b.from()),
        ("to", b.to()),
        ("ver", b.ver()),
        (
            "type",
            b.type_().map(|t| match t {
                BodyType::Terminate => "terminate",
                BodyType::Error => "error",
                BodyType::Other(s) => s,
            }),
        ),
        ("condition", b.condition().map(|c| c.as_str())),
        ("xmpp_version", version.as_deref()),
    ];
    for (k, v) in strings {
        if let Some(v) = v {
            key(out, k);
            dump::write_json_str(out, v);
        }
    }
    key(out, "xmpp_restart");
    out.push_str(if b.xmpp_restart() { "true" } else { "false" });
    out.push_str("}}\n");
}

/// Appends the lines for one BOSH body; false on error.
fn bosh(reader: &mut BoshReader, body: &[u8], out: &mut String) -> bool {
    let fail = |out: &mut String, e: BoshError| {
        match e {
            BoshError::Xml(e) => dump::write_error(out, &e),
            other => out.push_str(&format!("{{\"bosh-error\":\"{other}\"}}\n")),
        }
        false
    };
    match reader.read(body) {
        Ok(b) => {
            element_line(out, &b.element(), "header");
            body_line(out, &b);
        }
        Err(e) => return fail(out, e),
    }
    loop {
        match reader.next_stanza() {
            Ok(Some(s)) => element_line(out, &s.root(), "stanza"),
            Ok(None) => break,
            Err(e) => return fail(out, e),
        }
    }
    out.push_str("{\"close\":true}\n");
    true
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, path) = match args.as_slice() {
        [m, p] if m == "--websocket" || m == "--bosh" => (m.as_str(), p),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("framedump: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let recs = match records(&data) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("framedump: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut ws = WebSocketParser::new();
    let mut reader = BoshReader::new();
    let mut out = String::new();
    let mut ok = true;
    for (i, (tag, bytes)) in recs.iter().enumerate() {
        out.push_str(&format!("#{i} {tag}\n"));
        ok &= if mode == "--websocket" {
            websocket(&mut ws, bytes, &mut out)
        } else {
            bosh(&mut reader, bytes, &mut out)
        };
    }
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(out.as_bytes()).is_err() {
        return ExitCode::from(2);
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn records_split_on_their_lengths() {
        let data = b"in 4\n<a/>\nout 9\n<b>\n</b>\n\n";
        let r = super::records(data).unwrap();
        assert_eq!(r, [("in", &b"<a/>"[..]), ("out", &b"<b>\n</b>\n"[..])]);
        assert!(super::records(b"in 5\n<a/>\n").is_err());
        assert!(super::records(b"in x\n").is_err());
    }
}
