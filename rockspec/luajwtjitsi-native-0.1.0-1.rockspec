-- luarocks rockspec for the native luajwtjitsi. The rock is named
-- luajwtjitsi-native because "luajwtjitsi" on luarocks.org is the original
-- pure-Lua library; the module it installs is still `luajwtjitsi`.
--
-- Build type "command" drives cargo directly. The usual backend for mlua
-- rocks, luarocks-build-rust-mlua, is itself a rock that luarocks fetches
-- from luarocks.org at install time; "command" is built into luarocks, so the
-- rock builds wherever cargo and the crates are reachable, and it is tested
-- end to end by tests/packaging/rock.sh.
--
-- Accepted by luarocks 2.4 and 3: no rockspec_format 3.0 features. The
-- prebuilt twin, luajwtjitsi-native-bin, needs no Rust.
-- In rockspec/, url and homepage hold a placeholder: `make dist`
-- (scripts/dist.sh) writes the project address, Cargo.toml's `homepage`,
-- into the rockspec it ships next to the source tarball the url names.
package = "luajwtjitsi-native"
version = "0.1.0-1"
source = {
   url = "@PROJECT_URL@/releases/v0.1.0/luajwtjitsi-native-0.1.0.tar.gz",
   dir = "luajwtjitsi-native-0.1.0",
}
description = {
   summary = "Native (Rust) drop-in replacement for luajwtjitsi, Jitsi Meet's JWT library",
   detailed = [[
The luajwtjitsi API (verify, encode, and the 2.0 decode) with the same error
strings, built as one C module per Lua version. No OpenSSL, lua-cjson or
basexx. Also installs luajwtjitsi.lib.lua, the shim Prosody's
module:require "luajwtjitsi" loads, in share/lua/<version>/luajwtjitsi-native/.
Building needs Rust (cargo) 1.88 or newer and a C compiler; the crates
come with the source, so no network is needed. The prebuilt
luajwtjitsi-native-bin rock needs no Rust.]],
   homepage = "@PROJECT_URL@",
   license = "MIT",
}
dependencies = {
   "lua >= 5.1, < 5.5",
}
build = {
   type = "command",
   -- The mlua feature follows the interpreter luarocks builds for (lua51,
   -- lua52, lua53, lua54, or luajit when the 5.1 interpreter is LuaJIT).
   -- The source tarball of `make dist` carries the crates in vendor/ and a
   -- .cargo/config.toml that points cargo there: then the build runs with
   -- --offline and needs no network. From a clone (luarocks make) there is
   -- no vendor/ and cargo fetches from crates.io as usual.
   -- CARGO_TARGET_DIR, when set, lets repeated builds share compiled crates.
   build_command = [[
feature=$("$(LUA)" -e 'io.write(jit and "luajit" or "lua"..(_VERSION:sub(5):gsub("%.","")))') &&
target_dir="${CARGO_TARGET_DIR:-target}" &&
offline="" && if [ -d vendor ] && [ -f .cargo/config.toml ]; then offline=--offline; fi &&
echo "luajwtjitsi-native: cargo build --features $feature,module${offline:+ --offline (vendored crates)}" &&
cargo build $offline --locked --release --no-default-features --features "$feature,module" --target-dir "$target_dir" &&
mkdir -p build/rock &&
cp "$target_dir/release/libluajwtjitsi.so" build/rock/luajwtjitsi.so
]],
   install_command = [[
mkdir -p "$(LIBDIR)" "$(LUADIR)/luajwtjitsi-native" &&
cp build/rock/luajwtjitsi.so "$(LIBDIR)/luajwtjitsi.so" &&
cp lua/luajwtjitsi.lib.lua "$(LUADIR)/luajwtjitsi-native/luajwtjitsi.lib.lua"
]],
}
