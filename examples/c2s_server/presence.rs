//! Presence (RFC 6121 sections 3 and 4): every available resource sees every other one's
//! broadcast presence, probes are answered, and subscription requests and answers are
//! kept and routed to the contact's resources.

use crate::connection::Conn;
use crate::routing::stamp;
use crate::server::{bare, Out, Subscription};
use xmpp_stream::xmpp::{PresenceType, StanzaType, Writer};
use xmpp_stream::Stanza;

impl Conn {
    pub(crate) fn presence(&mut self, s: &Stanza<'_>) {
        let Some(StanzaType::Presence(t)) = s.type_() else {
            return; // unknown type: ignore
        };
        let to = s.to().map(str::to_string);
        match (t, to) {
            (PresenceType::Available | PresenceType::Unavailable, None) => {
                let xml = stamp(s, &self.jid, None);
                let initial = t == PresenceType::Available && !self.available;
                self.available = t == PresenceType::Available;
                let mut sessions = self.server.sessions();
                if let Some(me) = sessions.get_mut(&self.jid) {
                    me.presence = self.available.then(|| xml.clone());
                }
                for (jid, sess) in sessions.iter() {
                    if sess.presence.is_some() || *jid == self.jid {
                        let _ = sess.tx.send(Out::Xml(xml.clone()));
                    }
                    if initial && *jid != self.jid {
                        if let Some(p) = &sess.presence {
                            self.send(Out::Xml(p.clone()));
                        }
                    }
                }
            }
            (PresenceType::Probe, Some(to)) => {
                let sessions = self.server.sessions();
                for (jid, sess) in sessions.iter() {
                    if bare(jid) == bare(&to) {
                        if let Some(p) = &sess.presence {
                            self.send(Out::Xml(p.clone()));
                        }
                    }
                }
            }
            (
                PresenceType::Subscribe
                | PresenceType::Subscribed
                | PresenceType::Unsubscribe
                | PresenceType::Unsubscribed,
                Some(to),
            ) => self.subscription(s, t, bare(&to)),
            (_, Some(to)) => self.route(s, &to),
            (_, None) => {}
        }
    }

    /// A subscription stanza from this user to `contact` (RFC 6121 sections 3.1-3.3,
    /// without roster pushes): requests and answers that change nothing are answered or
    /// dropped by the server, so that clients which re-subscribe whenever they approve a
    /// request (slixmpp's default) do not ping-pong forever.
    pub(crate) fn subscription(&mut self, s: &Stanza<'_>, t: PresenceType, contact: &str) {
        let user = format!("{}@{}", self.user, self.server.domain);
        let contact = contact.to_string();
        let deliver = {
            let mut subs = self
                .server
                .subscriptions
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            match t {
                PresenceType::Subscribe => {
                    let sub = subs.entry((user.clone(), contact.clone())).or_default();
                    if sub.to {
                        // Already approved: the server answers for the contact.
                        let mut xml = Vec::new();
                        Writer::new(&mut xml)
                            .start("presence")
                            .attr("type", "subscribed")
                            .attr("from", &contact)
                            .attr("to", &user)
                            .end();
                        self.send_xml(xml);
                        false
                    } else {
                        sub.pending_out = true;
                        true
                    }
                }
                PresenceType::Subscribed => {
                    // The contact of this approval is the user who asked.
                    let sub = subs.entry((contact.clone(), user.clone())).or_default();
                    let approves = sub.pending_out;
                    if approves {
                        *sub = Subscription {
                            to: true,
                            pending_out: false,
                        };
                    }
                    approves
                }
                PresenceType::Unsubscribe => {
                    subs.remove(&(user.clone(), contact.clone()));
                    true
                }
                _ => {
                    let had = subs.remove(&(contact.clone(), user.clone()));
                    had.is_some_and(|s| s.to || s.pending_out)
                }
            }
        };
        if !deliver {
            return;
        }
        // Subscription stanzas carry bare JIDs (RFC 6121 section 3).
        let xml = stamp(s, &user, None);
        let sessions = self.server.sessions();
        for (jid, sess) in sessions.iter() {
            if bare(jid) == contact {
                let _ = sess.tx.send(Out::Xml(xml.clone()));
                if t == PresenceType::Subscribed {
                    // The approved user now receives this user's presence.
                    for (mine, me) in sessions.iter() {
                        if bare(mine) == user {
                            if let Some(p) = &me.presence {
                                let _ = sess.tx.send(Out::Xml(p.clone()));
                            }
                        }
                    }
                }
            }
        }
    }
}
