//! The state every connection shares: the sessions by full JID (each with the queue of
//! its writer task), the subscriptions, the accounts.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use tokio::sync::mpsc;
use xmpp_stream::Condition;

/// What a connection's writer task writes.
pub(crate) enum Out {
    /// Our stream header (with this stream id).
    Header(String),
    /// Serialised XML.
    Xml(Vec<u8>),
    /// A stream error, then the stream close; then the writer shuts the socket down.
    StreamError(Condition),
    /// `</stream:stream>`; then the writer shuts the socket down.
    Close,
}

pub(crate) type Tx = mpsc::UnboundedSender<Out>;

/// A bound resource.
pub(crate) struct Session {
    pub(crate) tx: Tx,
    /// The last broadcast available presence (stamped), while the resource is available.
    pub(crate) presence: Option<Vec<u8>>,
}

/// One direction of a presence subscription (RFC 6121 section 3): whether the user
/// receives the contact's presence, or has asked to.
#[derive(Default, Clone, Copy)]
pub(crate) struct Subscription {
    pub(crate) to: bool,
    pub(crate) pending_out: bool,
}

pub(crate) struct Server {
    pub(crate) domain: String,
    /// (user, contact) bare JIDs -> the user's subscription to the contact. Only used to
    /// answer subscription stanzas as RFC 6121 says (presence itself goes to everyone).
    pub(crate) subscriptions: Mutex<HashMap<(String, String), Subscription>>,
    /// `None`: any user with any password.
    pub(crate) accounts: Option<HashMap<String, String>>,
    /// Full JID -> session.
    pub(crate) sessions: Mutex<HashMap<String, Session>>,
    pub(crate) ids: AtomicU64,
}

impl Server {
    pub(crate) fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The bare JID of `jid`.
pub(crate) fn bare(jid: &str) -> &str {
    jid.split_once('/').map_or(jid, |(b, _)| b)
}
