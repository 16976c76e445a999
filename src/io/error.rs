//! [`ReadError`], the one error type of the drivers and the codec.

use crate::error::Error;
use core::fmt;
use std::io;

/// What can go wrong reading a stream: the reader failed, or the bytes are not a valid
/// stream.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReadError {
    /// The underlying reader (or writer, for codecs) failed. `Interrupted` is retried by
    /// the drivers and never reported; `WouldBlock` from a non-blocking reader is
    /// reported, and the call can be repeated later.
    Io(io::Error),
    /// The input broke a rule ([`Error::condition`] says which stream error to send), or
    /// ended inside the stream header or a stanza ([`ErrorKind::UnexpectedEof`](crate::ErrorKind::UnexpectedEof)).
    /// Sticky: every later call returns it again.
    Parse(Error),
}

impl ReadError {
    /// The parse error, if this is one.
    pub fn parse_error(&self) -> Option<Error> {
        match self {
            ReadError::Parse(e) => Some(*e),
            ReadError::Io(_) => None,
        }
    }

    /// The I/O error, if this is one.
    pub fn io_error(&self) -> Option<&io::Error> {
        match self {
            ReadError::Io(e) => Some(e),
            ReadError::Parse(_) => None,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "read error: {e}"),
            ReadError::Parse(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io(e) => Some(e),
            ReadError::Parse(e) => Some(e),
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

impl From<Error> for ReadError {
    fn from(e: Error) -> Self {
        ReadError::Parse(e)
    }
}

/// Parse errors become [`io::ErrorKind::InvalidData`] with the [`Error`] inside.
impl From<ReadError> for io::Error {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io(e) => e,
            ReadError::Parse(e) => io::Error::new(io::ErrorKind::InvalidData, e),
        }
    }
}
