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
//! - `codec_alloc` (feature `tokio`): the codec path allocates at most once per stanza
//!   in steady state; owned stanzas are shared by their clones;
//! - `limits_follow`: `set_limits` on the parser, readers and codec, from the next event;
//! - `scale` (feature `tokio`): 10 000 idle connections hold at most 2 KiB each;
//! - `regressions`: one test per fuzzer finding;
//! - `minidom` (feature `minidom`): conversions to and from `minidom::Element`;
//! - `owned`: owned stanzas and headers, their views and storage reuse; a new owned stanza
//!   is one allocation whatever its shape, a clone none;
//! - `xso` (feature `xso`): views replayed into xmpp-parsers' builders equal its own parses.

mod support;

mod any_root;
mod bosh;
mod captures;
mod chunking;
#[cfg(feature = "tokio")]
mod codec_alloc;
mod corpus;
mod drivers;
mod hostile;
mod limits_follow;
#[cfg(feature = "minidom")]
mod minidom;
mod no_alloc;
mod owned;
mod parse;
mod regressions;
mod rfc6120;
#[cfg(feature = "tokio")]
mod scale;
mod views;
mod xmlconf;
#[cfg(feature = "xso")]
mod xso;
