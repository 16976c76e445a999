//! One attribute of a start tag: `name S? = S? quote value quote`. The step runs from any
//! state to the closing quote: the start tag calls it at [`Attr::Name`] for every
//! attribute, and an attribute cut by the end of the input resumes it where it stopped.

use super::{char_run, simd, skip, Flow, Scanner, Sink, St, F_REF, F_WS};
use crate::chars::WS;
use crate::error::{err, Error, ErrorKind};

/// Where an attribute is (its name from `Scanner::name_start`). The order is the order
/// of the parts: a step entering at one state runs every later one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Attr {
    /// In the name.
    Name,
    /// After the name, before `=`.
    Eq,
    /// After `=`, before the opening quote.
    Quote,
    /// Inside the value.
    Value,
}

impl Attr {
    /// The scanner state for this one.
    pub(super) const fn st(self) -> St {
        match self {
            Attr::Name => St::AttrName,
            Attr::Eq => St::AttrEq,
            Attr::Quote => St::AttrQuote,
            Attr::Value => St::AttrValue,
        }
    }

    /// End of input inside an attribute.
    pub(super) fn eof_error(self) -> ErrorKind {
        ErrorKind::UnexpectedEof
    }
}

/// How an attribute value scan stopped.
enum Value {
    /// At the closing quote.
    Closed,
    NeedMore,
    /// At the byte after a `&` (the reference machine takes over).
    Ref,
}

impl Scanner {
    /// [`Attr`]: the attribute from state `from`, up to its closing quote: then
    /// `Flow::Go(St::TagBetween)` (the sink has it, `*i` is after the quote), otherwise
    /// what comes next.
    #[inline(always)]
    pub(super) fn attribute<S: Sink, const WIDE: bool>(
        &mut self,
        from: Attr,
        buf: &[u8],
        i: &mut usize,
        end: usize,
        sink: &mut S,
    ) -> Result<Flow, Error> {
        let more = |at: Attr| Ok(Flow::More(at.st()));
        if from <= Attr::Name {
            let (j, complete) = self.name_at::<WIDE>(buf, *i, end)?;
            *i = j;
            if !complete {
                return more(Attr::Name);
            }
            self.name_end = *i;
        }
        // `=` and the quote most often follow at once: tested before any space is skipped.
        if from <= Attr::Eq {
            if *i >= end || buf[*i] != b'=' {
                *i = skip(buf, *i, end, WS);
                if *i >= end {
                    return more(Attr::Eq);
                }
                if buf[*i] != b'=' {
                    return err(ErrorKind::UnexpectedByte, *i);
                }
            }
            *i += 1;
        }
        if from <= Attr::Quote {
            if *i >= end || !matches!(buf[*i], b'"' | b'\'') {
                *i = skip(buf, *i, end, WS);
                if *i >= end {
                    return more(Attr::Quote);
                }
            }
            let q = buf[*i];
            if q != b'"' && q != b'\'' {
                return err(ErrorKind::UnexpectedByte, *i);
            }
            self.quote = q;
            self.value_start = *i + 1;
            self.val_flags = 0;
            *i += 1;
        }
        match self.attr_value::<WIDE>(buf, i, end)? {
            Value::Closed => {
                self.had_ws = false;
                sink.attribute(
                    buf,
                    (self.name_start, self.name_end),
                    (self.value_start, *i),
                    self.val_flags,
                )?;
                *i += 1;
                Ok(Flow::Go(St::TagBetween))
            }
            Value::NeedMore => more(Attr::Value),
            Value::Ref => Ok(Flow::Go(St::Ref)),
        }
    }

    /// Scans attribute-value bytes from `*i`.
    #[inline(always)]
    fn attr_value<const WIDE: bool>(
        &mut self,
        buf: &[u8],
        i: &mut usize,
        end: usize,
    ) -> Result<Value, Error> {
        loop {
            *i = simd::skip_attr::<WIDE>(buf, *i, end);
            if *i >= end {
                return Ok(Value::NeedMore);
            }
            let b = buf[*i];
            if b == self.quote {
                return Ok(Value::Closed);
            }
            match b {
                b'"' | b'\'' => *i += 1,
                b'<' => return err(ErrorKind::LtInAttributeValue, *i),
                b'&' => {
                    self.val_flags |= F_REF;
                    self.ref_start = *i;
                    self.ref_in_attr = true;
                    *i += 1;
                    return Ok(Value::Ref);
                }
                b'\t' | b'\n' | b'\r' => {
                    self.val_flags |= F_WS;
                    *i += 1;
                }
                0x80.. => match char_run(buf, *i, end)? {
                    (j, true) => *i = j,
                    (j, false) => {
                        *i = j;
                        return Ok(Value::NeedMore);
                    }
                },
                _ => return err(ErrorKind::InvalidChar, *i),
            }
        }
    }
}
