#!/usr/bin/env bash
# luajwtjitsi inside a real Prosody 0.12: logins over BOSH and WebSocket.
# Usage: tests/prosody/run.sh   (from any directory)
# Needs scripts/setup.sh (prosody, .venv with pyjwt and websockets) and
# build/lua54/luajwtjitsi.so. Ends with "prosody: N passed, N failed".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

PY=.venv/bin/python
if ! command -v prosody >/dev/null; then
  echo "prosody-test: prosody is not installed: run scripts/setup.sh first" >&2
  exit 1
fi
if ! "$PY" -c 'import jwt, websockets' 2>/dev/null; then
  echo "prosody-test: $PWD/$PY lacks pyjwt or websockets: run scripts/setup.sh first" >&2
  exit 1
fi
if [ ! -f build/lua54/luajwtjitsi.so ]; then
  echo "prosody-test: build/lua54/luajwtjitsi.so is missing: run scripts/build.sh lua54" >&2
  exit 1
fi
exec "$PY" tests/prosody/test_prosody.py "$@"
