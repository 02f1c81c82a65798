//! `basexx` and `inspect` for hosts whose Lua has neither (issue 18): Jitsi's
//! token plugins `require` both before they load this module, and Debian
//! ships them for Lua 5.1-5.3 only. The `.so` also exports `luaopen_basexx`
//! and `luaopen_inspect`; the Debian package installs it under those names
//! in the Lua C-module folders, which `require` searches after
//! `package.path`, where the real libraries' `.lua` files live. So the real
//! ones win wherever they are installed, and these step in only when they
//! are absent (docs/jitsi-plugins.md).
//!
//! Each is this project's own Lua, carried inside the module and run once
//! per `require`. Their functions' `debug.getinfo(f, "S").source` names
//! them (`=luajwtjitsi fallback basexx`), which is how an admin
//! (docs/jitsi-plugins.md) or a tool tells them from the real
//! libraries.

use mlua::{Lua, Table};

/// The chunk names, as `debug.getinfo(f, "S").source` shows them.
pub const BASEXX_SOURCE: &str = "=luajwtjitsi fallback basexx";
/// See [`BASEXX_SOURCE`].
pub const INSPECT_SOURCE: &str = "=luajwtjitsi fallback inspect";

/// The table `require "basexx"` returns when only the fallback is found.
pub fn basexx(lua: &Lua) -> mlua::Result<Table> {
    lua.load(include_str!("fallback/basexx.lua"))
        .set_name(BASEXX_SOURCE)
        .call(())
}

/// The value `require "inspect"` returns when only the fallback is found.
/// Its `_URL` is this project's address, passed in from Cargo.toml.
pub fn inspect(lua: &Lua) -> mlua::Result<Table> {
    lua.load(include_str!("fallback/inspect.lua"))
        .set_name(INSPECT_SOURCE)
        .call(env!("CARGO_PKG_HOMEPAGE"))
}
