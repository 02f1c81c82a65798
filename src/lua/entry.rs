//! The module's entry point, `luaopen_luajwtjitsi`. mlua's macro generates an
//! `extern "C"` function and the `#[no_mangle]` that Lua's loader needs: the
//! only unsafe code in the crate, and none of it written here.
#![allow(unsafe_code)]

#[mlua::lua_module(name = "luajwtjitsi")]
fn luajwtjitsi(lua: &mlua::Lua) -> mlua::Result<mlua::Table> {
    super::module(lua)
}
