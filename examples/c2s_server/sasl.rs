//! SASL PLAIN (RFC 6120 section 6, RFC 4616), with the accounts of `--user` or any
//! password for any user.

use crate::connection::{Conn, Next, Stage};
use xmpp_stream::xmpp::{ns, Writer};

impl Conn {
    pub(crate) fn sasl_failure(&self, condition: &str) {
        let mut xml = Vec::new();
        let mut w = Writer::new(&mut xml);
        w.start("failure").xmlns(None, ns::SASL);
        w.start(condition).end();
        w.end();
        self.send_xml(xml);
    }

    /// SASL PLAIN (RFC 4616): `[authzid] NUL authcid NUL password`, base64.
    pub(crate) fn plain(&mut self, text: &str) -> Next {
        let text = text.trim();
        if text.is_empty() {
            // No initial response: ask for it with an empty challenge.
            self.send_xml(format!("<challenge xmlns='{}'/>", ns::SASL).into_bytes());
            return Next::Continue;
        }
        let creds = base64_decode(text).and_then(|b| String::from_utf8(b).ok());
        let parts: Vec<&str> = creds.as_deref().map_or(vec![], |c| c.split('\0').collect());
        let ok = match parts[..] {
            [authzid, user, password] => {
                let valid_user = !user.is_empty()
                    && !user.contains(['@', '/', '"', '&', '\'', ':', '<', '>', ' '])
                    && (authzid.is_empty()
                        || authzid == user
                        || authzid == format!("{user}@{}", self.server.domain));
                let valid_password = match &self.server.accounts {
                    None => true,
                    Some(a) => a.get(user).is_some_and(|p| p == password),
                };
                if valid_user && valid_password {
                    self.user = user.to_string();
                }
                valid_user && valid_password
            }
            _ => false,
        };
        if !ok {
            self.log("SASL PLAIN: not authorized");
            self.sasl_failure("not-authorized");
            return Next::Continue;
        }
        self.log(&format!("authenticated as {}", self.user));
        self.send_xml(format!("<success xmlns='{}'/>", ns::SASL).into_bytes());
        self.stage = Stage::Bind;
        Next::Restart
    }
}

/// Standard base64 (RFC 4648), padding optional; `None` if malformed.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64() {
        assert_eq!(
            super::base64_decode("AGp1bGlldAByMG0zMG15cjBtMzA=").unwrap(),
            b"\0juliet\0r0m30myr0m30"
        );
        assert_eq!(super::base64_decode("YQ").unwrap(), b"a");
        assert!(super::base64_decode("a*b").is_none());
    }
}
