#!/usr/bin/env bash
# Install what a fresh Debian 12 machine lacks for building and testing:
# the five Lua runtimes, busted, dkjson/cjson for the specs, and a Python
# virtualenv (.venv) with PyJWT for the interop tests. Idempotent; fails
# loudly when something cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_pkgs=(lua5.1 lua5.2 lua5.3 lua5.4 luajit lua-busted lua-dkjson lua-cjson)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq || { echo "setup: apt-get update failed" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || { echo "setup: could not install ${missing[*]}" >&2; exit 1; }
fi
for t in lua5.1 lua5.2 lua5.3 lua5.4 luajit busted; do
  command -v "$t" >/dev/null || { echo "setup: $t is still missing after install" >&2; exit 1; }
done

# PyJWT for the interop tests. Debian's python3-jwt (2.6) is older than the
# version the vectors were made with, so a private venv is used.
if ! .venv/bin/python -c 'import jwt, cryptography' 2>/dev/null; then
  echo "setup: creating .venv with pyjwt and cryptography" >&2
  if ! python3 -m venv .venv; then
    # Debian's python3 ships venv separately.
    echo "setup: python3 -m venv failed; installing python3-venv" >&2
    rm -rf .venv
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >&2 \
      && python3 -m venv .venv || { echo "setup: could not create .venv (python3 -m venv)" >&2; exit 1; }
  fi
  .venv/bin/pip install -q --disable-pip-version-check 'pyjwt[crypto]>=2.8' 'cryptography>=42' >&2 \
    || { echo "setup: pip install pyjwt cryptography failed" >&2; exit 1; }
fi
