#!/usr/bin/env bash
# 10 million verifications (or N) of mixed tokens in one Lua 5.4 process,
# printing resident size every N/10 calls and the growth at the end.
#   tests/soak/run.sh [N]
# Not part of make test (it takes minutes); see docs/security.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
so="$root/build/lua54/luajwtjitsi.so"
[ -f "$so" ] || { echo "soak: $so missing: scripts/build.sh lua54" >&2; exit 1; }
cpath="$root/build/lua54/?.so"
exec env -u LUA_INIT -u LUA_INIT_5_4 LUA_CPATH_5_4="$cpath" LUA_CPATH="$cpath" LUAJWT_ROOT="$root" \
  lua5.4 "$root/tests/soak/soak.lua" "$@"
