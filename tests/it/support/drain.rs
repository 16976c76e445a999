//! Feeding a parser and draining its events: one loop, used by every test that runs the
//! parser over an input and looks at what it produced.

use xmpp_stream::{dump, Config, Error, Event, Parser};

/// Drains the events the parser has ready, handing each to `on_event`; returns how many
/// there were, or the error that ended the drain.
pub fn drain_with(
    parser: &mut Parser,
    mut on_event: impl FnMut(Event<'_>),
) -> Result<usize, Error> {
    let mut n = 0;
    while let Some(event) = parser.next_event()? {
        on_event(event);
        n += 1;
    }
    Ok(n)
}

/// Drains the events the parser has ready; returns how many there were, or the error.
pub fn drain(parser: &mut Parser) -> Result<usize, Error> {
    drain_with(parser, |_| {})
}

/// The dump line of one event, without its line end.
pub fn dump_line(event: &Event<'_>) -> String {
    let mut line = String::new();
    dump::write_event(&mut line, event);
    line.truncate(line.trim_end().len());
    line
}

/// What one run produced: one dump line per event, and the error (if any) that ended it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub events: Vec<String>,
    pub error: Option<Error>,
}

impl Outcome {
    /// The run as xmppdump prints it: the event lines, then the error line if any.
    pub fn dump(&self) -> Vec<u8> {
        let mut s = String::new();
        for e in &self.events {
            s.push_str(e);
            s.push('\n');
        }
        if let Some(e) = &self.error {
            dump::write_error(&mut s, e);
        }
        s.into_bytes()
    }
}

/// Feeds `pieces` in order, draining events after every piece, then calls `finish`; stops
/// at the first error.
pub fn run_pieces<'a>(config: &Config, pieces: impl IntoIterator<Item = &'a [u8]>) -> Outcome {
    let mut parser = Parser::with_config(config.clone());
    let mut events = Vec::new();
    for piece in pieces {
        parser.feed(piece);
        if let Err(e) = drain_with(&mut parser, |ev| events.push(dump_line(&ev))) {
            return Outcome {
                events,
                error: Some(e),
            };
        }
    }
    let error = parser.finish().err();
    Outcome { events, error }
}

/// [`run_pieces`] with every piece read in place (`Parser::feed_in_place`): the events
/// borrow the piece, and what they leave unconsumed is kept for the next one.
pub fn run_pieces_in_place<'a>(
    config: &Config,
    pieces: impl IntoIterator<Item = &'a [u8]>,
) -> Outcome {
    let mut parser = Parser::with_config(config.clone());
    let mut events = Vec::new();
    for piece in pieces {
        let mut input = parser.feed_in_place(piece);
        loop {
            match input.next_event() {
                Ok(Some(ev)) => events.push(dump_line(&ev)),
                Ok(None) => break,
                Err(e) => {
                    return Outcome {
                        events,
                        error: Some(e),
                    }
                }
            }
        }
    }
    let error = parser.finish().err();
    Outcome { events, error }
}

/// `input` cut in pieces whose sizes cycle through `sizes` (0 is read as 1; no sizes: one
/// piece); an empty input is one empty piece.
pub fn pieces<'a>(input: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
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
        out.push(&input[pos..end]);
        pos = end;
        if pos >= input.len() {
            return out;
        }
    }
}

/// Feeds `input` in pieces whose sizes cycle through `sizes` (see [`pieces`]).
pub fn run_chunked(config: &Config, input: &[u8], sizes: &[usize]) -> Outcome {
    run_pieces(config, pieces(input, sizes))
}

/// One whole feed.
pub fn run_whole(config: &Config, input: &[u8]) -> Outcome {
    run_chunked(config, input, &[])
}
