#!/usr/bin/env bash
# What each shipped build/<flavour>/luajwtjitsi.so must be (CONTRACT §1):
# it exports luaopen_luajwtjitsi, takes every lua_* symbol from the host
# interpreter (no embedded Lua), and needs nothing beyond libc, libm,
# libgcc_s and the loader (no OpenSSL, no liblua).
set -euo pipefail
cd "$(dirname "$0")/.."
pass=0; fail=0
check() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1"; fi; }
for so in build/lua51 build/lua52 build/lua53 build/lua54 build/luajit; do
  so="$so/luajwtjitsi.so"
  [ -f "$so" ] || { echo "FAIL $so missing (run scripts/build.sh)"; fail=$((fail + 1)); continue; }
  # Captured first: `nm | grep -q` under pipefail fails when grep exits early.
  defined=$(nm -D --defined-only "$so"); undefined=$(nm -D --undefined-only "$so")
  needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
  check "$so exports luaopen_luajwtjitsi" "grep -q ' T luaopen_luajwtjitsi$' <<<\"\$defined\""
  check "$so embeds no Lua (defines no lua_* symbol)" "! grep -qE ' (lua|luaL)_' <<<\"\$defined\""
  check "$so takes lua_* from the host" "grep -qE ' lua_(pushnil|settop)$' <<<\"\$undefined\""
  check "$so needs only libc, libm, libgcc_s, ld-linux (has: $needed)" \
    "[ -z \"\$(echo '$needed' | tr ' ' '\n' | grep -vE '^(libc\.so\.6|libm\.so\.6|libgcc_s\.so\.1|ld-linux-x86-64\.so\.2|)$')\" ]"
done
echo "so-check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
