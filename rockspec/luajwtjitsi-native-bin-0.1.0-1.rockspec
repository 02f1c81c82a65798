-- luarocks rockspec for the prebuilt native luajwtjitsi: no Rust, no compiler,
-- no network beyond the source tarball. Its source is the binary release
-- tarball with every architecture that `make dist` makes
-- (luajwtjitsi-native-<version>-linux.tar.gz: linux-x86_64/ and linux-aarch64/,
-- layout in docs/release-artifacts.md); installing picks the .so for the Lua
-- luarocks targets (LuaJIT takes the 5.1 build) and for `uname -m`.
--
-- Accepted by luarocks 2.4 and 3: no rockspec_format 3.0 features.
-- In rockspec/, url and homepage hold a placeholder: `make dist`
-- (scripts/dist.sh) writes the project address, Cargo.toml's `homepage`,
-- into the rockspec it ships.
package = "luajwtjitsi-native-bin"
version = "0.1.0-1"
source = {
   url = "@PROJECT_URL@/releases/v0.1.0/luajwtjitsi-native-0.1.0-linux.tar.gz",
   -- Every architecture's tarball unpacks into this one folder, under
   -- linux-<uname -m>/; this one carries x86_64 and aarch64.
   dir = "luajwtjitsi-native-0.1.0",
}
description = {
   summary = "Prebuilt native (Rust) drop-in replacement for luajwtjitsi, Jitsi Meet's JWT library",
   detailed = [[
The luajwtjitsi API (verify, encode, and the 2.0 decode) with the same error
strings, as a prebuilt C module for Lua 5.1 (also LuaJIT), 5.2, 5.3 and 5.4 on
Linux x86_64 or aarch64 with glibc 2.28 or newer. Installs no compiler or Rust toolchain:
it copies the module for the Lua luarocks targets. Also installs
luajwtjitsi.lib.lua, the shim Prosody's module:require "luajwtjitsi" loads, in
share/lua/<version>/luajwtjitsi-native/. Build from source with the
luajwtjitsi-native rock instead (needs Rust 1.88).]],
   homepage = "@PROJECT_URL@",
   license = "MIT",
}
dependencies = {
   "lua >= 5.1, < 5.5",
}
build = {
   type = "command",
   -- Picks linux-<uname -m>/lib/lua/<Lua version>/luajwtjitsi.so, stops with
   -- what the rock has and what this machine is when there is no such file,
   -- and loads the module once so a missing glibc is reported here, not by
   -- Prosody.
   build_command = [[
arch=$(uname -m) &&
lua_name=$("$(LUA)" -e 'io.write(jit and jit.version or _VERSION)') &&
lua_v=$("$(LUA)" -e 'io.write(_VERSION:match("%d+%.%d+"))') &&
so="linux-$arch/lib/lua/$lua_v/luajwtjitsi.so" &&
if [ ! -f "$so" ]; then
  has=""
  for a in linux-*; do has="$has $a (Lua$(cd "$a/lib/lua" && for v in *; do printf ' %s' "$v"; done))"; done
  echo "luajwtjitsi-native-bin: no prebuilt module for $lua_name on linux-$arch (uname -m: $arch); this rock has:$has. Lua 5.1 builds also serve LuaJIT. Install the luajwtjitsi-native rock to build from source (Rust 1.88)." >&2
  exit 1
fi &&
echo "luajwtjitsi-native-bin: $so for $lua_name" &&
mkdir -p build/rock &&
cp "$so" build/rock/luajwtjitsi.so &&
"$(LUA)" -e 'package.path = "" package.cpath = "build/rock/?.so" local ok, m = pcall(require, "luajwtjitsi") if not (ok and type(m) == "table") then io.stderr:write("luajwtjitsi-native-bin: the prebuilt module does not load here (it needs glibc 2.28 or newer): ", tostring(m), "\n") os.exit(1) end'
]],
   install_command = [[
mkdir -p "$(LIBDIR)" "$(LUADIR)/luajwtjitsi-native" &&
cp build/rock/luajwtjitsi.so "$(LIBDIR)/luajwtjitsi.so" &&
cp lua/luajwtjitsi.lib.lua "$(LUADIR)/luajwtjitsi-native/luajwtjitsi.lib.lua"
]],
}
