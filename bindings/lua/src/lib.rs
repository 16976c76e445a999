//! `lxp`: a Lua 5.4 module with the API of [lua-expat](https://lunarmodules.github.io/luaexpat/)
//! that Prosody uses (`lxp.new`, `parse`, `close`, `stop`, `getcurrentbytecount`, `pos`,
//! the callbacks), backed by `xmpp-stream` instead of libexpat. See README.md beside
//! this crate for what differs from lua-expat.
//!
//! The Rust side ([`core`]) parses and turns each complete parser event (the root's start
//! tag, one depth-1 element, the root's end tag) into callback records; the Lua side
//! (`lxp.lua`, compiled in) is the module table and the parser objects, and calls the
//! callbacks from Lua, so that errors raised by callbacks, `stop()`, and a callback that
//! replaces the parser (Prosody's stream restarts) behave exactly as Lua code expects.

mod core;
mod position;
mod records;
mod xmldecl;

use mlua::{Lua, Result, Table};

/// The version string the module reports as `lxp._VERSION`.
const VERSION: &str = concat!("xmpp-stream lxp ", env!("CARGO_PKG_VERSION"));

/// Makes one parser core: `new_core(separator, wants, limits)`.
fn new_core(
    _: &Lua,
    (sep, wants, limits): (Option<mlua::String>, u32, Option<Table>),
) -> Result<core::Core> {
    let sep = sep.and_then(|s| s.as_bytes().first().copied());
    core::Core::new(sep, wants, limits)
}

/// `require "lxp"`.
#[mlua::lua_module]
fn lxp(lua: &Lua) -> Result<Table> {
    let new = lua.create_function(new_core)?;
    let defaults = lua.create_table()?;
    let mut l = core::default_limits();
    for (k, v) in core::limit_fields(&mut l) {
        defaults.raw_set(k, *v)?;
    }
    lua.load(include_str!("lxp.lua"))
        .set_name("=lxp.lua")
        .call((new, VERSION, defaults))
}
