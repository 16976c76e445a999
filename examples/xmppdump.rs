//! xmppdump: read one XMPP stream (a file or stdin) and print one JSON object per stream
//! event (see the `xmpp_stream::dump` module for the format).
//!
//! ```text
//! cargo run --release --example xmppdump -- [--chunk N] [--count] [--summary] [--max-stanza-bytes N] [FILE|-]
//! ```
//!
//! `--summary` prints one tab-separated line per stanza (depth-1 element) instead:
//! `KIND TO FROM ID TYPE LANG SIZE`, where KIND is the stanza's
//! [`Kind`](xmpp_stream::xmpp::Kind) (`message`, `iq`, `stream-features`, `sm-r`, ...,
//! or `{namespace}name`), LANG its effective `xml:lang` (its own or the header's), SIZE
//! its length in bytes, and `-` stands for an absent value (TAB, LF, CR and `\` in values
//! are written `\t`, `\n`, `\r`, `\\`). Errors are still printed as the JSON error line.
//!
//! Exit status: 0 for a stream that ended cleanly or at end of input between stanzas,
//! 1 for an error (printed as `{"error": ...}`), 2 for bad usage.

use std::io::{self, Read, Write};
use std::process::ExitCode;
use xmpp_stream::io::{ReadError, Reader};
use xmpp_stream::{dump, Config, Event, Limits, Stanza};

const USAGE: &str =
    "usage: xmppdump [--chunk N] [--count] [--summary] [--max-stanza-bytes N] [FILE|-]";

struct Args {
    chunk: Option<usize>,
    count: bool,
    summary: bool,
    max_stanza_bytes: Option<usize>,
    path: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        chunk: None,
        count: false,
        summary: false,
        max_stanza_bytes: None,
        path: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            let v = it.next().ok_or(format!("{name} needs a value"))?;
            match v.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!("{name}: not a positive number: {v}")),
            }
        };
        match a.as_str() {
            "--chunk" => args.chunk = Some(number("--chunk")?),
            "--max-stanza-bytes" => args.max_stanza_bytes = Some(number("--max-stanza-bytes")?),
            "--count" => args.count = true,
            "--summary" => args.summary = true,
            "-h" | "--help" => return Err(String::new()),
            _ if a.starts_with("--") => return Err(format!("unknown option {a}")),
            _ if args.path.is_none() => args.path = Some(a),
            _ => return Err(format!("unexpected argument {a}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("xmppdump: {msg}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let input: Box<dyn Read> = match args.path.as_deref() {
        None | Some("-") => Box::new(io::stdin().lock()),
        Some(p) => match std::fs::File::open(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("xmppdump: {p}: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let mut limits = Limits::default();
    if let Some(n) = args.max_stanza_bytes {
        limits.max_stanza_bytes = n;
    }
    let config = Config::default()
        .with_limits(limits)
        .with_implicit_restart(true);
    // Reads straight into the parser's buffer; `--chunk N` hands it exactly N bytes at a
    // time (fewer only at the end).
    let mut reader = Reader::with_config(input, config).chunk_size(args.chunk.unwrap_or(0));
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut line = String::new();
    let mut stanzas = 0u64;

    let result: Result<(), xmpp_stream::Error> = loop {
        let event = match reader.next_event() {
            Ok(Some(event)) => event,
            Ok(None) => break Ok(()),
            Err(ReadError::Parse(e)) => break Err(e),
            Err(e) => {
                eprintln!("xmppdump: {e}");
                std::process::exit(2);
            }
        };
        if matches!(event, Event::Stanza(_)) {
            stanzas += 1;
        }
        if args.summary && !args.count {
            if let Event::Stanza(s) = &event {
                line.clear();
                write_summary(&mut line, s);
                if out.write_all(line.as_bytes()).is_err() {
                    std::process::exit(2);
                }
            }
        } else if !args.count {
            line.clear();
            dump::write_event(&mut line, &event);
            if out.write_all(line.as_bytes()).is_err() {
                std::process::exit(2);
            }
        }
    };
    let bytes = reader.bytes_read();

    let status = match result {
        Ok(()) => {
            if args.count {
                let _ = writeln!(out, "{{\"stanzas\":{stanzas},\"bytes\":{bytes}}}");
            }
            0
        }
        Err(e) => {
            line.clear();
            dump::write_error(&mut line, &e);
            let _ = out.write_all(line.as_bytes());
            1
        }
    };
    let _ = out.flush();
    ExitCode::from(status)
}

/// Appends the `--summary` line (with its `\n`) for one stanza.
fn write_summary(out: &mut String, s: &Stanza<'_>) {
    use std::fmt::Write as _;
    let _ = write!(out, "{}", s.kind());
    for v in [s.to(), s.from(), s.id(), s.type_attr(), s.lang()] {
        out.push('\t');
        match v {
            None => out.push('-'),
            Some(v) => {
                for c in v.chars() {
                    match c {
                        '\t' => out.push_str("\\t"),
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\\' => out.push_str("\\\\"),
                        c => out.push(c),
                    }
                }
            }
        }
    }
    let _ = writeln!(out, "\t{}", s.raw().len());
}
