//! The module's entry points: `luaopen_luajwtjitsi`, and `luaopen_basexx` and
//! `luaopen_inspect` for the fallbacks (see `fallback.rs`). mlua's macro
//! generates each `extern "C"` function and the `#[no_mangle]` that Lua's
//! loader needs: the only unsafe code in the crate, and none of it written
//! here.
#![allow(unsafe_code)]

#[mlua::lua_module(name = "luajwtjitsi")]
fn luajwtjitsi(lua: &mlua::Lua) -> mlua::Result<mlua::Table> {
    super::module(lua)
}

#[mlua::lua_module(name = "basexx")]
fn basexx(lua: &mlua::Lua) -> mlua::Result<mlua::Table> {
    super::fallback::basexx(lua)
}

#[mlua::lua_module(name = "inspect")]
fn inspect(lua: &mlua::Lua) -> mlua::Result<mlua::Table> {
    super::fallback::inspect(lua)
}
