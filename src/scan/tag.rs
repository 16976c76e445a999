//! Start tags (`<name`, attributes, `>` or `/>`) and end tags (`</name S? >`). Each step
//! runs from the state it is given to the end of the tag or of the input; the text
//! machine's fast path enters the same steps at their first state.

use super::attribute::Attr;
use super::{name_start_at, skip, Flow, Scanner, Sink, St};
use crate::chars::{is_ws, WS};
use crate::error::{err, Error, ErrorKind};

/// Where a start tag is (its `<` at `Scanner::lt`, its name from `Scanner::name_start`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tag {
    /// In the element name.
    Name,
    /// After the name or an attribute: whitespace, the next attribute, `>` or `/`.
    Between,
    /// After the `/` of `/>`.
    EmptyClose,
}

impl Tag {
    /// End of input inside a start tag.
    pub(super) fn eof_error(self) -> ErrorKind {
        ErrorKind::UnexpectedEof
    }
}

/// Where an end tag is (its name from `Scanner::name_start`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    /// In the name (at its first byte when nothing of it is read yet).
    Name,
    /// After the name, before `>`.
    Ws,
}

impl End {
    /// End of input inside an end tag.
    pub(super) fn eof_error(self) -> ErrorKind {
        ErrorKind::UnexpectedEof
    }
}

impl Scanner {
    /// [`St::Tag`]: a start tag from state `from`. Attributes are read here in one go
    /// while the input lasts (the attribute machine from its first state); one cut by
    /// the end of the input resumes in [`St::Attr`].
    #[inline(always)]
    pub(super) fn start_tag<S: Sink>(
        &mut self,
        from: Tag,
        buf: &[u8],
        i: &mut usize,
        end: &mut usize,
        sink: &mut S,
    ) -> Result<Flow, Error> {
        match from {
            Tag::EmptyClose => return self.empty_close(buf, i, *end, sink),
            Tag::Name => {
                let (j, complete) = self.name_at(buf, *i, *end)?;
                *i = j;
                if !complete {
                    return Ok(Flow::More(St::Tag(Tag::Name)));
                }
                self.name_end = *i;
                sink.start_tag(buf, self.lt, (self.name_start, *i))?;
                if !self.in_content() {
                    // A tag outside elements begins an event: the sink may move the
                    // horizon now that it knows the name.
                    *end = buf.len().min(sink.horizon());
                }
                self.had_ws = false;
            }
            Tag::Between => {}
        }
        let end = *end;
        loop {
            if *i < end && is_ws(buf[*i]) {
                self.had_ws = true;
                *i = skip(buf, *i + 1, end, WS);
            }
            if *i >= end {
                return Ok(Flow::More(St::Tag(Tag::Between)));
            }
            match buf[*i] {
                b'>' => {
                    *i += 1;
                    sink.start_tag_end(buf, false, *i)?;
                    return Ok(self.after_tag(*i, sink));
                }
                b'/' => {
                    *i += 1;
                    return self.empty_close(buf, i, end, sink);
                }
                _ => match name_start_at(buf, *i, end)? {
                    None => return Ok(Flow::More(St::Tag(Tag::Between))),
                    Some(false) => return err(ErrorKind::UnexpectedByte, *i),
                    Some(true) => {
                        if !self.had_ws {
                            return err(ErrorKind::MissingWhitespace, *i);
                        }
                        self.name_start = *i;
                    }
                },
            }
            if let Some(flow) = self.attribute(Attr::Name, buf, i, end, sink)? {
                return Ok(flow);
            }
        }
    }

    /// After the `/` of `/>`.
    #[inline(always)]
    fn empty_close<S: Sink>(
        &mut self,
        buf: &[u8],
        i: &mut usize,
        end: usize,
        sink: &mut S,
    ) -> Result<Flow, Error> {
        if *i >= end {
            return Ok(Flow::More(St::Tag(Tag::EmptyClose)));
        }
        if buf[*i] != b'>' {
            return err(ErrorKind::UnexpectedByte, *i);
        }
        *i += 1;
        sink.start_tag_end(buf, true, *i)?;
        Ok(self.after_tag(*i, sink))
    }

    /// [`St::End`]: an end tag from state `from` (its name starts at `name_start`).
    #[inline(always)]
    pub(super) fn end_tag<S: Sink>(
        &mut self,
        from: End,
        buf: &[u8],
        i: &mut usize,
        end: usize,
        sink: &mut S,
    ) -> Result<Flow, Error> {
        if from == End::Name {
            if *i == self.name_start {
                if *i >= end {
                    return Ok(Flow::More(St::End(End::Name)));
                }
                match name_start_at(buf, *i, end)? {
                    None => return Ok(Flow::More(St::End(End::Name))),
                    Some(false) => return err(ErrorKind::InvalidName, *i),
                    Some(true) => {}
                }
            }
            let (j, complete) = self.name_at(buf, *i, end)?;
            *i = j;
            if !complete {
                return Ok(Flow::More(St::End(End::Name)));
            }
            self.name_end = *i;
        }
        *i = skip(buf, *i, end, WS);
        if *i >= end {
            return Ok(Flow::More(St::End(End::Ws)));
        }
        if buf[*i] != b'>' {
            return err(ErrorKind::UnexpectedByte, *i);
        }
        *i += 1;
        sink.end_tag(buf, self.lt, (self.name_start, self.name_end), *i)?;
        Ok(self.after_tag(*i, sink))
    }
}
