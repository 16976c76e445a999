//! Start tags (`<name`, attributes, `>` or `/>`) and end tags (`</name S? >`). Each step
//! runs from the state it is given to the end of the tag or of the input; the text
//! machine's fast path enters the same steps at their first state.

use super::attribute::Attr;
use super::{name_start_at, skip, Flow, Scanner, Sink, St};
use crate::chars::{class, is_ws, NAME_START, WS};
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
    /// This machine's state for a scanner state of it (`St::EmptyClose` for any other).
    pub(super) const fn of(st: St) -> Self {
        match st {
            St::TagName => Tag::Name,
            St::TagBetween => Tag::Between,
            _ => Tag::EmptyClose,
        }
    }

    /// The scanner state for this one.
    pub(super) const fn st(self) -> St {
        match self {
            Tag::Name => St::TagName,
            Tag::Between => St::TagBetween,
            Tag::EmptyClose => St::EmptyClose,
        }
    }

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
    /// The scanner state for this one.
    pub(super) const fn st(self) -> St {
        match self {
            End::Name => St::EndName,
            End::Ws => St::EndWs,
        }
    }

    /// End of input inside an end tag.
    pub(super) fn eof_error(self) -> ErrorKind {
        ErrorKind::UnexpectedEof
    }
}

impl Scanner {
    /// [`Tag`]: a start tag from state `from`. Attributes are read here in one go
    /// while the input lasts (the attribute machine from its first state); one cut by
    /// the end of the input resumes in [`Attr`].
    #[inline(always)]
    pub(super) fn start_tag<S: Sink, const WIDE: bool>(
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
                let (j, complete) = self.name_at::<WIDE>(buf, *i, *end)?;
                *i = j;
                if !complete {
                    return Ok(Flow::More(Tag::Name.st()));
                }
                self.name_end = *i;
                sink.start_tag(buf, self.lt, (self.name_start, *i))?;
                if !self.in_content() {
                    // A tag outside elements begins an event: the sink may move the
                    // horizon now that it knows the name.
                    sink.outside_start_tag(self.lt);
                    *end = buf.len().min(sink.horizon());
                }
                self.had_ws = false;
            }
            Tag::Between => {}
        }
        let end = *end;
        loop {
            // Most often one space and an attribute's name follow (after the element's
            // name or an attribute's closing quote): two bytes, one test, and the
            // attribute machine at once. Anything else takes the general path below.
            if let Some(&[b' ', n]) = buf[..end].get(*i..*i + 2) {
                if class(n) & NAME_START != 0 {
                    self.had_ws = true;
                    *i += 1;
                    self.name_start = *i;
                    let flow = self.attribute::<S, WIDE>(Attr::Name, buf, i, end, sink)?;
                    if !matches!(flow, Flow::Go(St::TagBetween)) {
                        return Ok(flow);
                    }
                    continue;
                }
            }
            if *i < end && is_ws(buf[*i]) {
                self.had_ws = true;
                *i = skip(buf, *i + 1, end, WS);
            }
            if *i >= end {
                return Ok(Flow::More(Tag::Between.st()));
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
                    None => return Ok(Flow::More(Tag::Between.st())),
                    Some(false) => return err(ErrorKind::UnexpectedByte, *i),
                    Some(true) => {
                        if !self.had_ws {
                            return err(ErrorKind::MissingWhitespace, *i);
                        }
                        self.name_start = *i;
                    }
                },
            }
            let flow = self.attribute::<S, WIDE>(Attr::Name, buf, i, end, sink)?;
            if !matches!(flow, Flow::Go(St::TagBetween)) {
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
            return Ok(Flow::More(Tag::EmptyClose.st()));
        }
        if buf[*i] != b'>' {
            return err(ErrorKind::UnexpectedByte, *i);
        }
        *i += 1;
        sink.start_tag_end(buf, true, *i)?;
        Ok(self.after_tag(*i, sink))
    }

    /// [`End`]: an end tag from state `from` (its name starts at `name_start`).
    #[inline(always)]
    pub(super) fn end_tag<S: Sink, const WIDE: bool>(
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
                    return Ok(Flow::More(End::Name.st()));
                }
                match name_start_at(buf, *i, end)? {
                    None => return Ok(Flow::More(End::Name.st())),
                    Some(false) => return err(ErrorKind::InvalidName, *i),
                    Some(true) => {}
                }
            }
            let (j, complete) = self.name_at::<WIDE>(buf, *i, end)?;
            *i = j;
            if !complete {
                return Ok(Flow::More(End::Name.st()));
            }
            self.name_end = *i;
        }
        if *i >= end || buf[*i] != b'>' {
            *i = skip(buf, *i, end, WS);
        }
        if *i >= end {
            return Ok(Flow::More(End::Ws.st()));
        }
        if buf[*i] != b'>' {
            return err(ErrorKind::UnexpectedByte, *i);
        }
        *i += 1;
        sink.end_tag(buf, self.lt, (self.name_start, self.name_end), *i)?;
        Ok(self.after_tag(*i, sink))
    }
}
