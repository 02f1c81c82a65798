#!/usr/bin/env bash
# What each shipped build/<flavour>/luajwtjitsi.so must be (docs/contract.md §1):
# it exports luaopen_luajwtjitsi, and luaopen_basexx and luaopen_inspect for
# the fallbacks (issue 18), and no other luaopen_*; takes every lua_* symbol from the host
# interpreter (no embedded Lua), and needs nothing beyond libc6's libraries
# (libc, libm, libpthread, libdl), libgcc_s and the loader (no OpenSSL, no liblua).
#   tests/so_check.sh [SO...]   (default: the five build/<flavour>/luajwtjitsi.so;
#                                paths relative to the repository root)
. "$(dirname "${BASH_SOURCE[0]}")/lib/stage.sh"
stage_begin so-check
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- build/{lua51,lua52,lua53,lua54,luajit}/luajwtjitsi.so
for so in "$@"; do
  [ -f "$so" ] || { bad "$so missing (run scripts/build.sh)"; continue; }
  # Captured first: `nm | grep -q` under pipefail fails when grep exits early.
  defined=$(nm -D --defined-only "$so"); undefined=$(nm -D --undefined-only "$so")
  needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
  opens=$(sed -n 's/.* T \(luaopen_.*\)$/\1/p' <<<"$defined" | sort | tr '\n' ' ')
  check "$so exports exactly luaopen_basexx, luaopen_inspect, luaopen_luajwtjitsi (has: $opens)" \
    "[ '$opens' = 'luaopen_basexx luaopen_inspect luaopen_luajwtjitsi ' ]"
  check "$so embeds no Lua (defines no lua_* symbol)" "! grep -qE ' (lua|luaL)_' <<<\"\$defined\""
  check "$so takes lua_* from the host" "grep -qE ' lua_(pushnil|settop)$' <<<\"\$undefined\""
  # libpthread and libdl: builds linked against glibc 2.28 (make deb, make
  # dist) take pthread_* from there; glibc 2.34 moved them into libc.
  check "$so needs only libc6's libraries, libgcc_s, ld-linux (has: $needed)" \
    "[ -z \"\$(echo '$needed' | tr ' ' '\n' | grep -vE '^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|libgcc_s\.so\.1|ld-linux-x86-64\.so\.2|)$')\" ]"
done
finish_stage
