#!/usr/bin/env bash
# Differential test against PyJWT: seeded mutations of valid tokens, verified
# by both; every disagreement must be a documented contract difference.
#   tests/differential/run.sh                        # seed 1, 3000 cases
#   DIFF_SEED=7 DIFF_CASES=20000 tests/differential/run.sh
# Needs .venv (scripts/setup.sh) and build/lua54/luajwtjitsi.so.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
PY=.venv/bin/python
if [ ! -x "$PY" ] || ! "$PY" -c 'import jwt, cryptography' 2>/dev/null; then
  echo "differential: $PWD/$PY with pyjwt and cryptography is missing: run scripts/setup.sh first" >&2
  exit 1
fi
if [ ! -f build/lua54/luajwtjitsi.so ]; then
  echo "differential: build/lua54/luajwtjitsi.so is missing: scripts/build.sh lua54" >&2
  exit 1
fi
exec "$PY" tests/differential/differential.py "$@"
