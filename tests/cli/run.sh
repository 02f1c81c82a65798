#!/usr/bin/env bash
# jitsi-jwt against the other implementations: tokens it mints are accepted
# by the Lua 5.4 module and by PyJWT, and a PyJWT token passes its verify.
# Needs build/bin/jitsi-jwt and build/lua54/luajwtjitsi.so (scripts/build.sh)
# and .venv (scripts/setup.sh). Last lines: "cli: took N s",
# "cli: N passed, N failed, N skipped".
. "$(dirname "${BASH_SOURCE[0]}")/../lib/stage.sh"
stage_begin cli
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
BIN=build/bin/jitsi-jwt
SO_DIR=build/lua54
PY=.venv/bin/python
for need in "$BIN" "$SO_DIR/luajwtjitsi.so" "$PY"; do
  [ -e "$need" ] || give_up "$root/$need is missing: run scripts/setup.sh and scripts/build.sh first"
done
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'
secret="cli-interop-secret-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$secret" > "$tmp/secret"
keys=tests/vectors/keys
# check NAME CMD...: CMD succeeds, and never prints the secret.
check() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then ok "$name"; else bad "$name"; printf '%s\n' "$out" | sed 's/^/     /'; fi
  if grep -qF "$secret" <<<"$out"; then bad "$name: the secret appeared in the output"; fi
}

lua_verify() { # token alg keyfile|-secret
  local key_lua
  if [ "$3" = "-secret" ]; then key_lua="io.open('$tmp/secret'):read('l')"; else key_lua="io.open('$3','rb'):read('a')"; fi
  LUA_CPATH="$root/$SO_DIR/?.so" lua5.4 -e "
    local jwt = require 'luajwtjitsi'
    local claims, err = jwt.verify('$1', '$2', $key_lua, {'app'}, {'jitsi'})
    if not claims then io.stderr:write(tostring(err), '\n'); os.exit(1) end
    assert(claims.room == 'lobby' and claims.context.user.moderator == true, 'claims differ')"
}

py_verify() { # token alg keyfile|-secret
  "$PY" - "$1" "$2" "$3" "$tmp/secret" <<'PY'
import sys, jwt
token, alg, keyfile, secretfile = sys.argv[1:]
key = open(secretfile).read().rstrip("\n") if keyfile == "-secret" else open(keyfile).read()
claims = jwt.decode(token, key, algorithms=[alg], audience="jitsi", issuer="app")
assert claims["room"] == "lobby" and claims["context"]["user"]["moderator"] is True, claims
PY
}

mint() { # alg keyargs...
  local alg=$1; shift
  "$BIN" mint --iss app --sub meet.example.com --room lobby --name "Zoë" --moderator --alg "$alg" "$@"
}

for spec in "HS256 -secret" "HS512 -secret" "RS256 rsa2048" "PS256 rsa2048" "ES256 ec-p256" \
            "ES384 ec-p384" "ES512 ec-p521" "EdDSA ed25519"; do
  set -- $spec
  alg=$1 stem=$2
  if [ "$stem" = "-secret" ]; then
    token=$(mint "$alg" --secret-file "$tmp/secret") || { bad "$alg mint"; continue; }
    vkey=-secret
  else
    token=$(mint "$alg" --key-file "$keys/$stem.key.pem") || { bad "$alg mint"; continue; }
    vkey=$keys/$stem.pub.pem
  fi
  check "$alg jitsi-jwt mint -> Lua 5.4 verify" lua_verify "$token" "$alg" "$vkey"
  check "$alg jitsi-jwt mint -> PyJWT decode" py_verify "$token" "$alg" "$vkey"
done

# PyJWT mints, jitsi-jwt verifies (the secret from the environment).
pytoken=$("$PY" -c '
import sys, time, jwt
s = open(sys.argv[1]).read().rstrip("\n")
print(jwt.encode({"iss": "app", "aud": "jitsi", "room": "x", "exp": int(time.time()) + 60}, s, algorithm="HS256"))
' "$tmp/secret")
check "PyJWT HS256 -> jitsi-jwt verify" env JITSI_JWT_SECRET="$secret" "$BIN" verify "$pytoken" --issuer app --audience jitsi
eddsa=$("$PY" -c '
import sys, time, jwt
print(jwt.encode({"iss": "app", "exp": int(time.time()) + 60}, open(sys.argv[1]).read(), algorithm="EdDSA"))
' "$keys/ed25519.key.pem")
check "PyJWT EdDSA -> jitsi-jwt verify" "$BIN" verify "$eddsa" --alg EdDSA --key-file "$keys/ed25519.pub.pem"

# Issue 23: PyJWT's tokens with crit (RFC 7515 §4.1.11) are refused, exit 1,
# with the message naming the header parameter.
refused_with() { # expected message, command... : exit 1 and that message on stderr
  local want=$1; shift
  local err rc=0
  err=$("$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" -eq 1 ] && printf '%s' "$err" | grep -qF "$want" || { echo "exit $rc: $err"; return 1; }
}
for crit in '{"crit": ["exp"], "exp": 1363284000}|crit names "exp", which this module does not process' \
            '{"crit": ["nope"]}|crit names "nope", which the header does not have'; do
  crit_tok=$("$PY" -c '
import json, sys, time, jwt
print(jwt.encode({"iss": "app", "exp": int(time.time()) + 60}, open(sys.argv[1]).read(), algorithm="EdDSA",
                 headers=json.loads(sys.argv[2])))
' "$keys/ed25519.key.pem" "${crit%%|*}")
  check "PyJWT EdDSA with ${crit%%|*} -> jitsi-jwt verify refuses" \
    refused_with "Invalid header: ${crit#*|}" "$BIN" verify "$crit_tok" --alg EdDSA --key-file "$keys/ed25519.pub.pem"
done

# A reader that closed the pipe before jitsi-jwt wrote (`| grep -q`, `| head`)
# is not an error: exit 0, no panic message (Rust's println! would panic).
closed_stdout() { # command... : run it with stdout a pipe whose reader is gone
  "$PY" - "$@" <<'PY'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
err = p.stderr.decode()
sys.stderr.write(err)
sys.exit(1 if p.returncode != 0 or "panicked" in err else 0)
PY
}
check "verify into a closed pipe: exit 0, no panic" closed_stdout env JITSI_JWT_SECRET="$secret" "$BIN" verify "$pytoken" --issuer app --audience jitsi
check "inspect into a closed pipe: exit 0, no panic" closed_stdout "$BIN" inspect "$pytoken"
check "mint into a closed pipe: exit 0, no panic" closed_stdout env JITSI_JWT_SECRET="$secret" "$BIN" mint --app-id a --sub s --room r --exp 1m
check "secret into a closed pipe: exit 0, no panic" closed_stdout "$BIN" secret

finish_stage
