#!/usr/bin/env bash
# `make demo`: build the module for the system's Lua 5.4 and run real
# Jitsi-style tokens through it, accepted and rejected.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh lua54
DEMO_ROOT="$PWD" LUA_CPATH_5_4="$PWD/build/lua54/?.so" LUA_PATH_5_4="" lua5.4 scripts/demo.lua
