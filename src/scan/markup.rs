//! What follows a `<` when it is not a plain tag taken by the text machine's fast path:
//! the byte that decides the construct, and the keyword lookahead of `<![CDATA[`,
//! `<!DOCTYPE`, `<!--` and `<?xml`. Outside elements the sink learns of the `<` and of
//! the deciding byte before anything further is read, so that everything after it stays
//! within the horizon the sink then sets.

use super::tag::{End, Tag};
use super::{non_ascii_name_start_at, Flow, Scanner, Sink, St};
use crate::chars::{class, is_ws, NAME, NAME_START};
use crate::error::{err, Error, ErrorKind};

const CDATA_OPEN: &[u8] = b"[CDATA[";
const DOCTYPE: &[u8] = b"DOCTYPE";
const XML: &[u8] = b"xml";

/// Where markup after `<` is (the `<` at `Scanner::lt`); in the keyword states
/// `Scanner::match_k` counts the bytes of the keyword matched so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Markup {
    /// Right after `<`.
    Lt,
    /// After `<!`.
    Bang,
    /// Matching `[CDATA[` after `<!`.
    Cdata,
    /// After `<!-`.
    Comment,
    /// Matching `DOCTYPE` after `<!`.
    Doctype,
    /// Matching `xml` after `<?`.
    Pi,
}

impl Markup {
    /// This machine's state for a scanner state of it (`St::PiOpen` for any other).
    pub(super) const fn of(st: St) -> Self {
        match st {
            St::Lt => Markup::Lt,
            St::Bang => Markup::Bang,
            St::CdataOpen => Markup::Cdata,
            St::CommentOpen => Markup::Comment,
            St::DoctypeOpen => Markup::Doctype,
            _ => Markup::Pi,
        }
    }

    /// End of input inside markup.
    pub(super) fn eof_error(self) -> ErrorKind {
        ErrorKind::UnexpectedEof
    }

    /// The scanner state for this one.
    pub(super) const fn st(self) -> St {
        match self {
            Markup::Lt => St::Lt,
            Markup::Bang => St::Bang,
            Markup::Cdata => St::CdataOpen,
            Markup::Comment => St::CommentOpen,
            Markup::Doctype => St::DoctypeOpen,
            Markup::Pi => St::PiOpen,
        }
    }
}

/// Matches `word[*k..]` from `*i`, counting matched bytes in `*k`: whether the keyword is
/// complete (else the input ran out); a wrong byte is the error `wrong` (at that byte
/// unless `at` says where).
#[inline]
fn keyword(
    word: &[u8],
    k: &mut u8,
    buf: &[u8],
    i: &mut usize,
    end: usize,
    wrong: ErrorKind,
    at: Option<usize>,
) -> Result<bool, Error> {
    while (*k as usize) < word.len() {
        if *i >= end {
            return Ok(false);
        }
        if buf[*i] != word[*k as usize] {
            return err(wrong, at.unwrap_or(*i));
        }
        *i += 1;
        *k += 1;
    }
    Ok(true)
}

impl Scanner {
    /// [`Markup`]: markup from state `m`.
    #[inline(never)]
    pub(super) fn markup<S: Sink>(
        &mut self,
        m: Markup,
        buf: &[u8],
        i: &mut usize,
        end: &mut usize,
        sink: &mut S,
    ) -> Result<Flow, Error> {
        let more = |m: Markup| Ok(Flow::More(m.st()));
        match m {
            Markup::Lt => self.lt(buf, i, end, sink),
            Markup::Bang => {
                if *i >= *end {
                    return more(Markup::Bang);
                }
                let next = match buf[*i] {
                    b'[' => Markup::Cdata,
                    b'-' => Markup::Comment,
                    b'D' => Markup::Doctype,
                    _ => return err(ErrorKind::UnexpectedByte, *i),
                };
                *i += 1;
                self.match_k = 1;
                Ok(Flow::Go(next.st()))
            }
            Markup::Cdata => {
                let wrong = ErrorKind::UnexpectedByte;
                if !keyword(CDATA_OPEN, &mut self.match_k, buf, i, *end, wrong, None)? {
                    return more(Markup::Cdata);
                }
                if !self.in_content() {
                    return err(self.outside().text, self.lt);
                }
                self.open_cdata();
                Ok(Flow::Go(St::Cdata))
            }
            Markup::Comment => {
                if *i >= *end {
                    return more(Markup::Comment);
                }
                if buf[*i] == b'-' {
                    return err(ErrorKind::Comment, self.lt);
                }
                err(ErrorKind::UnexpectedByte, *i)
            }
            Markup::Doctype => {
                let wrong = ErrorKind::UnexpectedByte;
                if !keyword(DOCTYPE, &mut self.match_k, buf, i, *end, wrong, None)? {
                    return more(Markup::Doctype);
                }
                err(ErrorKind::Doctype, self.lt)
            }
            Markup::Pi => {
                let wrong = ErrorKind::ProcessingInstruction;
                let at = Some(self.lt);
                if !keyword(XML, &mut self.match_k, buf, i, *end, wrong, at)? {
                    return more(Markup::Pi);
                }
                if *i >= *end {
                    return more(Markup::Pi);
                }
                let b = buf[*i];
                if is_ws(b) {
                    if !self.decl_here {
                        return err(ErrorKind::MisplacedXmlDeclaration, self.lt);
                    }
                    Ok(Flow::Go(St::Decl))
                } else if b >= 0x80 || class(b) & NAME != 0 {
                    err(ErrorKind::ProcessingInstruction, self.lt)
                } else if self.decl_here {
                    err(ErrorKind::MalformedXmlDeclaration, self.lt)
                } else {
                    err(ErrorKind::MisplacedXmlDeclaration, self.lt)
                }
            }
        }
    }

    /// Right after `<`: the byte that decides what the markup is.
    #[inline(always)]
    pub(super) fn lt<S: Sink>(
        &mut self,
        buf: &[u8],
        i: &mut usize,
        end: &mut usize,
        sink: &mut S,
    ) -> Result<Flow, Error> {
        if *i >= *end {
            return Ok(Flow::More(Markup::Lt.st()));
        }
        let b = buf[*i];
        let content = self.in_content();
        let decl_ok = core::mem::take(&mut self.decl_ok);
        if content {
            self.decl_here = false;
        } else {
            // Outside elements the sink bounds what follows by this byte (a declaration
            // may be bounded otherwise than an element).
            self.decl_here = sink.markup_kind(self.lt, b, decl_ok);
            *end = buf.len().min(sink.horizon());
        }
        match b {
            b'/' => {
                if !content {
                    if let Some(kind) = self.outside().end_tag {
                        return err(kind, self.lt);
                    }
                }
                self.flush_text(buf, sink, self.lt)?;
                *i += 1;
                self.name_start = *i;
                Ok(Flow::Go(End::Name.st()))
            }
            b'!' => {
                *i += 1;
                Ok(Flow::Go(Markup::Bang.st()))
            }
            b'?' => {
                *i += 1;
                self.match_k = 0;
                Ok(Flow::Go(Markup::Pi.st()))
            }
            // A lone '<' (followed by whitespace) is reported at the '<'; a name that
            // starts wrongly at its first byte.
            _ if b < 0x80 && class(b) & NAME_START == 0 => {
                if is_ws(b) {
                    return err(ErrorKind::UnexpectedByte, self.lt);
                }
                err(ErrorKind::InvalidName, *i)
            }
            _ => {
                if b >= 0x80 {
                    let start = if *i < *end {
                        non_ascii_name_start_at(buf, *i, *end)?
                    } else {
                        None
                    };
                    match start {
                        None => {
                            // Give the '<' decision back until the character is whole.
                            self.decl_ok = decl_ok;
                            return Ok(Flow::More(Markup::Lt.st()));
                        }
                        Some(false) => return err(ErrorKind::InvalidName, *i),
                        Some(true) => {}
                    }
                }
                if !content {
                    if let Some(kind) = self.outside().start_tag {
                        return err(kind, self.lt);
                    }
                }
                self.flush_text(buf, sink, self.lt)?;
                self.name_start = *i;
                Ok(Flow::Go(Tag::Name.st()))
            }
        }
    }
}
