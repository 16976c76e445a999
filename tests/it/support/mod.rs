//! Helpers shared by the integration tests, each written once: the bundled corpus and its
//! golden dumps ([`corpus`], [`golden`]), feeding a parser and draining its events
//! ([`drain`]), the counting allocator ([`alloc`]) and the generated XML of the property
//! tests ([`gen`]).

#![allow(dead_code)]

pub mod alloc;
pub mod corpus;
pub mod drain;
pub mod gen;
pub mod golden;

pub use corpus::crate_file;
pub use drain::{
    drain, drain_with, pieces, run_chunked, run_pieces, run_pieces_in_place, run_whole, Outcome,
};

use xmpp_stream::Config;

/// The stream mode configuration most tests use (implicit restarts on, as in xmppdump).
pub fn stream_config() -> Config {
    Config::default().with_implicit_restart(true)
}

/// The stream header used to wrap bare stanzas.
pub const HEADER: &str = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>";

/// The smallest client stream header: the two namespaces and nothing else.
pub const MINIMAL_HEADER: &[u8] =
    b"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>";
