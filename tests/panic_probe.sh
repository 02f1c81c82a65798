#!/usr/bin/env bash
# Prove that a Rust panic inside the module reaches Lua as an ordinary error
# (pcall catches it, the interpreter keeps running) instead of aborting the
# process, which in production would be Prosody. Needs panic = "unwind" in
# the release profile. Builds a test-only flavour with the panic-probe
# feature into build/panic-probe/; that build is never shipped.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --release -q --no-default-features --features lua54,module,panic-probe
mkdir -p build/panic-probe
cp target/release/libluajwtjitsi.so build/panic-probe/luajwtjitsi.so
RUST_BACKTRACE=0 LUA_CPATH_5_4="$PWD/build/panic-probe/?.so" LUA_PATH_5_4="" lua5.4 - <<'LUA'
local jwt = require "luajwtjitsi"
local ok, err = pcall(jwt._internals._panic)
assert(not ok, "the probe did not fail")
assert(tostring(err):find("panic-probe", 1, true), "unexpected error: " .. tostring(err))
-- The state is still usable after the panic.
local token = assert(jwt.encode({ sub = "after-panic" }, "secret"))
assert(jwt.verify(token, "HS256", "secret").sub == "after-panic")
print("a panic became a Lua error: " .. tostring(err):match("[^\n]*"))
print("panic-probe: 1 passed, 0 failed")
LUA
