#!/usr/bin/env bash
# Key files as admins really have them (issue 12): the oracle matrix (the
# module reads what OpenSSL 3.0's CLI reads, apart from pinned cases) and the
# forgery matrix (an HS256 token MACed with any key file's bytes is refused by
# every entry point), also for SSH and PuTTY key files (issue 23). Keys are
# made fresh by openssl, ssh-keygen and puttygen on each run.
# Needs openssl, ssh-keygen (openssh-client), puttygen (putty-tools) and .venv
# (scripts/setup.sh), build/lua54/luajwtjitsi.so and build/bin/jitsi-jwt
# (scripts/build.sh). Last line: "keyfiles: N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
start=$SECONDS
PY=.venv/bin/python
for need in build/lua54/luajwtjitsi.so build/bin/jitsi-jwt "$PY"; do
  if [ ! -e "$need" ]; then
    echo "keyfiles: $PWD/$need is missing: run scripts/setup.sh and scripts/build.sh first" >&2
    echo "keyfiles: 0 passed, 1 failed"
    exit 1
  fi
done
for tool in openssl ssh-keygen puttygen; do
  if ! command -v $tool >/dev/null; then
    echo "keyfiles: $tool is missing (openssl is the oracle; ssh-keygen and puttygen make SSH and PuTTY keys): run scripts/setup.sh first" >&2
    echo "keyfiles: 0 passed, 1 failed"
    exit 1
  fi
done
"$PY" tests/keyfiles/matrix.py lua5.4 build/lua54 build/bin/jitsi-jwt lua/luajwtjitsi.lib.lua
rc=$?
echo "keyfiles: took $((SECONDS - start)) s"
exit $rc
