//! Character data: element content (text, with references and CDATA sections merged into
//! one text node) and the whitespace-only stretches outside elements, whose `<` starts
//! markup. Content's common tags take a fast path from here into the tag machines (the
//! same steps a resumed tag runs).

use super::tag::{End, Tag};
use super::{
    char_len, char_run, simd, skip, Flow, Markup, Scanner, Sink, St, F_CDATA, F_CR, F_REF,
};
use crate::chars::{class, decode_utf8, Utf8, CDATA, NAME_START, WS};
use crate::error::{err, Error, ErrorKind};

/// End of input in text: an error inside an element (`content`), nothing outside.
pub(super) fn eof_error(content: bool) -> Option<ErrorKind> {
    content.then_some(ErrorKind::UnexpectedEof)
}

/// End of input inside a CDATA section.
pub(super) const CDATA_EOF: ErrorKind = ErrorKind::UnexpectedEof;

impl Scanner {
    /// [`St::Text`]: character data in the current context.
    #[inline(always)]
    pub(super) fn text<S: Sink, const WIDE: bool>(
        &mut self,
        buf: &[u8],
        i: &mut usize,
        end: &mut usize,
        sink: &mut S,
    ) -> Result<Flow, Error> {
        if !self.in_content() {
            return self.outside_text(buf, i, end, sink);
        }
        let end = *end;
        loop {
            // Text is most often empty, between two tags: the vector test is skipped.
            if *i >= end || buf[*i] != b'<' {
                *i = simd::skip_text::<WIDE>(buf, *i, end);
            }
            if *i >= end {
                return Ok(Flow::More(St::Text));
            }
            match buf[*i] {
                b'<' => {
                    self.lt = *i;
                    // Fast paths for the common tags; anything else (and anything cut
                    // short) goes through the markup machine.
                    let next = buf.get(*i + 1).copied().filter(|_| *i + 1 < end);
                    match next {
                        Some(b'/') => {
                            self.flush_text(buf, sink, *i)?;
                            *i += 2;
                            self.name_start = *i;
                            let flow = self.end_tag::<S, WIDE>(End::Name, buf, i, end, sink)?;
                            if matches!(flow, Flow::Go(St::Text)) && self.in_content() {
                                continue;
                            }
                            return Ok(flow);
                        }
                        Some(b) if class(b) & NAME_START != 0 => {
                            self.flush_text(buf, sink, *i)?;
                            *i += 1;
                            self.name_start = *i;
                            return Ok(Flow::Go(Tag::Name.st()));
                        }
                        _ => {
                            *i += 1;
                            return Ok(Flow::Go(Markup::Lt.st()));
                        }
                    }
                }
                b'&' => {
                    self.text_flags |= F_REF;
                    self.ref_start = *i;
                    self.ref_in_attr = false;
                    *i += 1;
                    return Ok(Flow::Go(St::Ref));
                }
                b'\r' => {
                    self.text_flags |= F_CR;
                    *i += 1;
                }
                b'>' => {
                    // Markup always ends in '>' or ';', so two ']' right before are
                    // character data of this text node.
                    if *i >= 2 && buf[*i - 1] == b']' && buf[*i - 2] == b']' {
                        return err(ErrorKind::CDataEndInText, *i - 2);
                    }
                    *i += 1;
                }
                0x80.. => match char_run(buf, *i, end)? {
                    (j, true) => *i = j,
                    (j, false) => {
                        *i = j;
                        return Ok(Flow::More(St::Text));
                    }
                },
                _ => return err(ErrorKind::InvalidChar, *i),
            }
        }
    }

    /// Outside elements: whitespace, then the `<` of markup.
    #[inline(always)]
    fn outside_text<S: Sink>(
        &mut self,
        buf: &[u8],
        i: &mut usize,
        end: &mut usize,
        sink: &mut S,
    ) -> Result<Flow, Error> {
        *i = skip(buf, *i, *end, WS);
        if *i >= *end {
            return Ok(Flow::More(St::Text));
        }
        if buf[*i] != b'<' {
            if buf[*i] >= 0x80 {
                match decode_utf8(&buf[*i..*end]) {
                    Utf8::Incomplete => return Ok(Flow::More(St::Text)),
                    Utf8::Invalid => return err(ErrorKind::InvalidUtf8, *i),
                    Utf8::Char(..) => {}
                }
            }
            return err(self.outside().text, *i);
        }
        sink.markup_start(*i);
        *end = buf.len().min(sink.horizon());
        self.lt = *i;
        *i += 1;
        Ok(Flow::Go(Markup::Lt.st()))
    }

    /// [`St::Cdata`]: inside a CDATA section (opened in element content only).
    #[inline(always)]
    pub(super) fn cdata(&mut self, buf: &[u8], i: &mut usize, end: usize) -> Result<Flow, Error> {
        loop {
            while *i < end && class(buf[*i]) & CDATA != 0 {
                *i += 1;
            }
            if *i >= end {
                return Ok(Flow::More(St::Cdata));
            }
            match buf[*i] {
                b']' => {
                    if end - *i < 3 {
                        return Ok(Flow::More(St::Cdata));
                    }
                    if buf[*i + 1] == b']' && buf[*i + 2] == b'>' {
                        *i += 3;
                        return Ok(Flow::Go(St::Text));
                    }
                    *i += 1;
                }
                b'\r' => {
                    self.text_flags |= F_CR;
                    *i += 1;
                }
                0x80.. => match char_len(buf, *i, end)? {
                    Some(l) => *i += l,
                    None => return Ok(Flow::More(St::Cdata)),
                },
                _ => return err(ErrorKind::InvalidChar, *i),
            }
        }
    }

    /// Marks the pending text node as holding a CDATA section (its opening was read).
    pub(super) fn open_cdata(&mut self) {
        self.text_flags |= F_CDATA;
    }
}
