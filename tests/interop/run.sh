#!/usr/bin/env bash
# Cross-implementation tests: luajwtjitsi (Lua 5.4 build) against PyJWT.
# Usage: tests/interop/run.sh   (from any directory)
# Needs .venv (scripts/setup.sh) and build/lua54/luajwtjitsi.so.
# Optional: INTEROP_ALGS=PS256,ES256 to choose algorithms, INTEROP_VERBOSE=1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

PY=.venv/bin/python
SO=build/lua54/luajwtjitsi.so
LUA=${INTEROP_LUA:-lua5.4}

if [ ! -x "$PY" ] || ! "$PY" -c 'import jwt, cryptography' 2>/dev/null; then
  echo "interop: $PWD/$PY with pyjwt and cryptography is missing: run scripts/setup.sh first" >&2
  exit 1
fi
if [ ! -f "$SO" ]; then
  echo "interop: $PWD/$SO is missing: build the Lua 5.4 module first" >&2
  exit 1
fi
if ! command -v "$LUA" >/dev/null; then
  echo "interop: $LUA not found: run scripts/setup.sh first" >&2
  exit 1
fi
exec "$PY" tests/interop/test_interop.py "$@"
