//! The iqs the server answers itself: the roster (always empty; sets are acknowledged),
//! the legacy session, XEP-0199 pings and disco#info of the domain. Iqs for other users
//! are routed.

use crate::connection::Conn;
use xmpp_stream::xmpp::{ns, IqType, StanzaType, Writer};
use xmpp_stream::Stanza;

const ROSTER: &str = "jabber:iq:roster";
const DISCO_INFO: &str = "http://jabber.org/protocol/disco#info";
const PING: &str = "urn:xmpp:ping";

impl Conn {
    /// Answers an iq addressed to the server (or to the user's own bare JID).
    pub(crate) fn iq(&mut self, s: &Stanza<'_>) {
        let to = s.to();
        let own_bare = format!("{}@{}", self.user, self.server.domain);
        let for_server = match to {
            None => true,
            Some(t) => t == self.server.domain || t == own_bare,
        };
        if !for_server {
            self.route(s, to.unwrap_or_default());
            return;
        }
        let Some(StanzaType::Iq(t)) = s.type_() else {
            return self.reply_error(s, "modify", "bad-request");
        };
        if !t.is_request() {
            return; // a result or error for us: nothing to do
        }
        let payload = s.children().next();
        let ns_name = payload.map(|p| (p.ns(), p.local_name()));
        let from = to.unwrap_or(&self.server.domain).to_string();
        let mut xml = Vec::new();
        let mut w = Writer::new(&mut xml);
        w.start("iq")
            .attr("type", "result")
            .attr("from", &from)
            .attr("to", &self.jid);
        if let Some(id) = s.id() {
            w.attr("id", id);
        }
        match (t, ns_name) {
            (IqType::Get, Some((ROSTER, "query"))) => {
                w.start("query").xmlns(None, ROSTER).end(); // an empty roster
            }
            (IqType::Set, Some((ROSTER, "query"))) => {}
            (IqType::Set, Some((ns::SESSION, "session"))) => {}
            (IqType::Get, Some((PING, "ping"))) => {}
            (IqType::Get, Some((DISCO_INFO, "query"))) if from == self.server.domain => {
                w.start("query").xmlns(None, DISCO_INFO);
                w.start("identity")
                    .attr("category", "server")
                    .attr("type", "im")
                    .attr("name", "xmpp-stream c2s_server example")
                    .end();
                for f in [DISCO_INFO, PING, ROSTER, ns::SESSION] {
                    w.start("feature").attr("var", f).end();
                }
                w.end();
            }
            _ => {
                drop(w);
                return self.reply_error(s, "cancel", "service-unavailable");
            }
        }
        w.finish();
        self.send_xml(xml);
    }
}
