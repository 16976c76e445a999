//! The tap's JSON-lines log and its checksum.

use std::fmt::Write as _;
use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;
use xmpp_stream::dump::write_json_str;

// ------------------------------------------------------------------------------ log

/// The JSON-lines log: whole lines written under a lock, one `write_all` each, unbuffered.
pub struct Log {
    pub out: Mutex<Box<dyn Write + Send>>,
    pub t0: Instant,
}

impl Log {
    /// Starts a line with `t` and `event`.
    pub fn line(&self, event: &str) -> Line {
        let mut s = String::with_capacity(256);
        let _ = write!(
            s,
            "{{\"t\":{:.6},\"event\":\"{event}\"",
            self.t0.elapsed().as_secs_f64()
        );
        Line(s)
    }

    pub fn write(&self, line: Line) {
        let mut s = line.0;
        s.push_str("}\n");
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        // A log that cannot be written must not stop the forwarding.
        let _ = out.write_all(s.as_bytes()).and_then(|()| out.flush());
    }
}

/// One JSON object under construction (without its closing brace).
pub struct Line(pub String);

impl Line {
    pub fn str(mut self, key: &str, value: &str) -> Self {
        let _ = write!(self.0, ",\"{key}\":");
        write_json_str(&mut self.0, value);
        self
    }

    pub fn opt(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.str(key, v),
            None => self,
        }
    }

    pub fn num(mut self, key: &str, value: u64) -> Self {
        let _ = write!(self.0, ",\"{key}\":{value}");
        self
    }

    /// `value` must be valid JSON.
    pub fn json(mut self, key: &str, value: &str) -> Self {
        let _ = write!(self.0, ",\"{key}\":{value}");
        self
    }
}

// ------------------------------------------------------------------------------ checksum

/// FNV-1a, 64 bits: a checksum of everything a direction read and wrote.
#[derive(Clone, Copy)]
pub struct Fnv(pub u64);

impl Fnv {
    pub fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub fn update(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }

    pub fn hex(self) -> String {
        format!("\"{:016x}\"", self.0)
    }
}
