//! Messages and stanzas between users: delivered with `from` stamped as the sender's full
//! JID, to a full JID or to the available resources of a bare JID; messages to the
//! domain are echoed; a message or request to nobody gets `service-unavailable`.

use crate::connection::Conn;
use crate::server::{bare, Out, Session};
use xmpp_stream::xmpp::{Kind, StanzaType, Writer};
use xmpp_stream::{Node, Stanza};

impl Conn {
    pub(crate) fn message(&mut self, s: &Stanza<'_>) {
        let own_bare = format!("{}@{}", self.user, self.server.domain);
        let to = s.to().unwrap_or(&own_bare).to_string();
        if to == self.server.domain {
            // The echo service: the message comes back from the domain.
            let domain = self.server.domain.clone();
            let xml = stamp(s, &domain, Some(&self.jid));
            self.send_xml(xml);
            return;
        }
        self.route(s, &to);
    }

    /// Delivers a stanza from this session to `to` (a full or bare JID), `from` stamped;
    /// errors come back for requests and messages nobody can receive.
    pub(crate) fn route(&mut self, s: &Stanza<'_>, to: &str) {
        let xml = stamp(s, &self.jid, None);
        let delivered = {
            let sessions = self.server.sessions();
            let targets: Vec<&Session> = match sessions.get(to) {
                Some(one) => vec![one],
                // An iq to a full JID goes nowhere else.
                None if s.kind() == Kind::Iq => vec![],
                None => {
                    let all: Vec<&Session> = sessions
                        .iter()
                        .filter(|(jid, _)| bare(jid) == bare(to))
                        .map(|(_, sess)| sess)
                        .collect();
                    let available: Vec<&Session> = all
                        .iter()
                        .copied()
                        .filter(|s| s.presence.is_some())
                        .collect();
                    if available.is_empty() {
                        all
                    } else {
                        available
                    }
                }
            };
            for t in &targets {
                let _ = t.tx.send(Out::Xml(xml.clone()));
            }
            !targets.is_empty()
        };
        let is_error = s.type_().is_some_and(|t| t.is_error());
        let wants_answer = match s.kind() {
            Kind::Message => true,
            Kind::Iq => matches!(s.type_(), Some(StanzaType::Iq(t)) if t.is_request()),
            _ => false,
        };
        if !delivered && !is_error && wants_answer {
            self.reply_error(s, "cancel", "service-unavailable");
        }
    }
}

/// The stanza, standalone (with the namespace declarations it inherits from the stream
/// header), with `from` replaced by `from` (and `to` by `to`, when given).
pub(crate) fn stamp(s: &Stanza<'_>, from: &str, to: Option<&str>) -> Vec<u8> {
    let root = s.root();
    let mut xml = Vec::with_capacity(s.raw().len() + 64);
    let mut w = Writer::new(&mut xml);
    w.start(root.qname());
    for (prefix, uri) in s.inherited_namespaces() {
        w.xmlns(prefix, uri);
    }
    for a in root.raw_attrs() {
        let replaced = a.prefix().is_none()
            && (a.local_name() == "from" || (to.is_some() && a.local_name() == "to"));
        if !replaced {
            w.attr(a.qname(), a.value());
        }
    }
    w.attr("from", from);
    if let Some(to) = to {
        w.attr("to", to);
    }
    for node in root.nodes() {
        match node {
            Node::Text(t) => {
                w.text(t.as_str());
            }
            Node::Element(e) => {
                w.element(&e);
            }
        }
    }
    w.end();
    xml
}
