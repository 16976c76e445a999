//! The integration tests, as one binary (one link, one run; `cargo test --test it
//! <module>::` runs one part). Shared helpers live in [`support`], written once; every
//! module holds the tests of one subject:
//!
//! - `any_root`: `Mode::AnyRoot` framing under a root of any name, limits and errors;
//! - `bosh`: BOSH bodies through `BoshReader` against the corpus's stanzas;
//! - `parse`: every construct and every error kind with its exact offset, framing,
//!   restarts, limits, end of input;
//! - `chunking` (proptest): any chunking of generated, mutated or arbitrary input gives
//!   the events and error of one whole feed;
//! - `corpus`: the bundled corpus against the expat oracle's golden dumps, the fault
//!   files, and the shared external excerpts;
//! - `captures`: real traffic of the seed clients and servers against the expat oracle;
//! - `rfc6120`: the RFC 6120 section 9 examples with implicit and explicit restarts;
//! - `xmlconf`: the W3C XML conformance suite (`../shared/xmlconf`);
//! - `views`: the XMPP views, owned copies, writer and WebSocket framing against the dump;
//! - `drivers`: `io::Reader`, `io::AsyncReader` and the codec against the golden dumps;
//! - `hostile`: hostile peers, bounded in memory and work;
//! - `no_alloc`: no allocation per stanza in steady state;
//! - `regressions`: one test per fuzzer finding;
//! - `minidom` (feature `minidom`): conversions to and from `minidom::Element`;
//! - `owned`: owned stanzas and headers, their views and storage reuse;
//! - `xso` (feature `xso`): views replayed into xmpp-parsers' builders equal its own parses.

mod support;

mod any_root;
mod bosh;
mod captures;
mod chunking;
mod corpus;
mod drivers;
mod hostile;
#[cfg(feature = "minidom")]
mod minidom;
mod no_alloc;
mod owned;
mod parse;
mod regressions;
mod rfc6120;
mod views;
mod xmlconf;
#[cfg(feature = "xso")]
mod xso;
