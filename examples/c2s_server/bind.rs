//! Resource binding (RFC 6120 section 7): a clashing resource gets a suffix.

use crate::connection::{Conn, Stage};
use crate::server::Session;
use xmpp_stream::xmpp::{ns, IqType, StanzaType, Writer};
use xmpp_stream::Stanza;

impl Conn {
    pub(crate) fn bind(&mut self, s: &Stanza<'_>) {
        if s.type_() != Some(StanzaType::Iq(IqType::Set)) {
            self.reply_error(s, "modify", "bad-request");
            return;
        }
        let bind = s.child(ns::BIND, "bind");
        let wanted = bind
            .and_then(|b| b.child(ns::BIND, "resource"))
            .map(|r| r.text().trim().to_string())
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| format!("r{}", self.n));
        let base = format!("{}@{}/{}", self.user, self.server.domain, wanted);
        {
            let mut sessions = self.server.sessions();
            let mut jid = base.clone();
            let mut k = 1;
            while sessions.contains_key(&jid) {
                jid = format!("{base}-{k}");
                k += 1;
            }
            sessions.insert(
                jid.clone(),
                Session {
                    tx: self.tx.clone(),
                    presence: None,
                },
            );
            self.jid = jid;
        }
        self.stage = Stage::Bound;
        self.log("bound");
        let mut xml = Vec::new();
        let mut w = Writer::new(&mut xml);
        w.start("iq").attr("type", "result");
        if let Some(id) = s.id() {
            w.attr("id", id);
        }
        w.start("bind").xmlns(None, ns::BIND);
        w.start("jid").text(&self.jid).end();
        w.finish();
        self.send_xml(xml);
    }
}
