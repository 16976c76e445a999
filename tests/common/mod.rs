//! Helpers shared by the integration tests: run a parser over an input with a given
//! chunking and collect what it produced as dump lines plus the final error.

#![allow(dead_code)]

use xmpp_stream::{dump, Config, Error, Parser};

/// What one run produced: one dump line per event, and the error (if any) that ended it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub events: Vec<String>,
    pub error: Option<Error>,
}

/// Feeds `input` in pieces whose sizes cycle through `sizes` (0 is read as 1), draining
/// events after every piece, then calls `finish`.
pub fn run_chunked(config: &Config, input: &[u8], sizes: &[usize]) -> Outcome {
    let mut parser = Parser::with_config(config.clone());
    let mut events = Vec::new();
    let mut pos = 0;
    let mut k = 0;
    loop {
        let size = if sizes.is_empty() {
            input.len().max(1)
        } else {
            sizes[k % sizes.len()].max(1)
        };
        k += 1;
        let end = (pos + size).min(input.len());
        parser.feed(&input[pos..end]);
        pos = end;
        loop {
            match parser.next_event() {
                Ok(Some(ev)) => {
                    let mut line = String::new();
                    dump::write_event(&mut line, &ev);
                    events.push(line.trim_end().to_string());
                }
                Ok(None) => break,
                Err(e) => {
                    return Outcome {
                        events,
                        error: Some(e),
                    }
                }
            }
        }
        if pos >= input.len() {
            break;
        }
    }
    let error = parser.finish().err();
    Outcome { events, error }
}

/// One whole feed.
pub fn run_whole(config: &Config, input: &[u8]) -> Outcome {
    run_chunked(config, input, &[])
}

/// The stream mode configuration most tests use (implicit restarts on, as in xmppdump).
pub fn stream_config() -> Config {
    Config::default().with_implicit_restart(true)
}

/// Reads a file of the crate by path relative to the crate root.
pub fn crate_file(rel: &str) -> Vec<u8> {
    let p = format!("{}/{}", env!("CARGO_MANIFEST_DIR"), rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// The stream header used to wrap bare stanzas.
pub const HEADER: &str = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>";
