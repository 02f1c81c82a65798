#!/usr/bin/env bash
# Install what a fresh Debian 12 machine lacks for building and testing:
# the five Lua runtimes, busted, dkjson/cjson for the specs, openssl (the
# oracle of tests/keyfiles), ssh-keygen and puttygen (tests/keyfiles makes
# fresh SSH and PuTTY key files with them), and a Python virtualenv (.venv) with PyJWT for
# the interop tests. Idempotent; fails
# loudly when something cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_pkgs=(lua5.1 lua5.2 lua5.3 lua5.4 luajit lua-busted lua-dkjson lua-cjson openssl openssh-client putty-tools)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq || { echo "setup: apt-get update failed" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    "${missing[@]}" >&2 \
    || { echo "setup: could not install ${missing[*]}" >&2; exit 1; }
fi
for t in lua5.1 lua5.2 lua5.3 lua5.4 luajit busted openssl ssh-keygen puttygen; do
  command -v "$t" >/dev/null || { echo "setup: $t is still missing after install" >&2; exit 1; }
done

# Prosody 0.12 (Debian's, on Lua 5.4) for tests/prosody and the demo. Its
# package would start a system-wide Prosody on 5222/5269; a policy-rc.d that
# says "no" for the length of the install keeps it from doing so (unless the
# machine already has one). The tests run their own Prosody on 127.0.0.1.
if ! command -v prosody >/dev/null; then
  echo "setup: installing prosody (its system service is not started)" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  policy=/usr/sbin/policy-rc.d
  made_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod 755 "$policy" && made_policy=1
  fi
  rc=0
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq || rc=$?
  [ "$rc" -ne 0 ] || DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq prosody >&2 || rc=$?
  [ -z "$made_policy" ] || $SUDO rm -f "$policy"
  [ "$rc" -eq 0 ] || { echo "setup: could not install prosody" >&2; exit 1; }
fi

# PyJWT for the interop tests, websockets for the Prosody test's client.
# Debian's python3-jwt (2.6) is older than the version the vectors were made
# with, so a private venv is used.
if ! .venv/bin/python -c 'import jwt, cryptography, websockets' 2>/dev/null; then
  echo "setup: creating .venv with pyjwt, cryptography and websockets" >&2
  if ! python3 -m venv .venv; then
    # Debian's python3 ships venv separately.
    echo "setup: python3 -m venv failed; installing python3-venv" >&2
    rm -rf .venv
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >&2 \
      && python3 -m venv .venv || { echo "setup: could not create .venv (python3 -m venv)" >&2; exit 1; }
  fi
  .venv/bin/pip install -q --disable-pip-version-check 'pyjwt[crypto]>=2.8' 'cryptography>=42' 'websockets>=13' >&2 \
    || { echo "setup: pip install pyjwt cryptography websockets failed" >&2; exit 1; }
fi
