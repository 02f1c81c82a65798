#!/usr/bin/env bash
# jitsi-jwt doctor where an admin runs it: in Debian 13 (Prosody 13, Lua 5.4)
# and Debian 11 (Prosody 0.11, Lua 5.2) chroots with the Debian package
# installed (its /usr/bin/jitsi-jwt is the doctor under test), Jitsi's token
# host set up as jitsi-meet's packages do (an Included conf.d file that sets
# plugin_paths and the token options, a stand-in for jitsi's pure-Lua
# luajwtjitsi.lib.lua that the package diverts). Healthy once, then each
# fault made and undone in turn: no basexx, no inspect, no cjson for
# Prosody's Lua, a shadowing luajwtjitsi.lua, the diversion removed (and the
# printed fix applied, jitsi's file kept), the diversion gone with the shim in
# place (the printed dpkg-divert run as printed), an Included file Prosody's
# user cannot read (the checks run as prosody), LUA_PATH from a systemd
# drop-in (the checks take the unit's environment; --as-caller does not), key
# servers on 127.0.0.1 (asap_key_server without and with --token, a token of
# another key, a kid the server lacks; cache_keys_url JWKS with and without
# an RS256 key), the shim's folder missing from plugin_paths, an app_secret
# with a trailing newline (named by file and line), --token on that host.
# Asserts the exit status, the finding's verdict and the fix printed (per
# release and Lua: apt for what Debian packages for that Lua, luarocks
# otherwise), in text and --json.
# The roots come from tests/packaging/lib.sh's cached tarballs (a temporary
# copy each, /proc unmounted and the copy deleted on exit). PKGTEST_DEB=<file>
# tests that package; otherwise build/deb's, else scripts/package-deb.sh
# makes one. Needs root. Last lines: "doctor-debian: took N s",
# "doctor-debian: N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests/packaging/lib.sh
SECRET=doctor-chroot-secret-0123456789abcdef
. tests/doctor/lib.sh
started=$SECONDS
finish() { finish_stage doctor-debian; }
if [ "$(id -u)" -ne 0 ]; then
  check "the chroot test runs as root (chroot, mount)" false; finish; exit 1
fi
deb=${PKGTEST_DEB:-$(ls build/deb/lua-luajwtjitsi_*_amd64.deb 2>/dev/null | head -n 1 || true)}
[ -n "$deb" ] || deb=$(scripts/package-deb.sh amd64 | tail -n 1)
work=$(mktemp -d)
R=""
cleanup() { [ -z "$R" ] || chroot_remove "$R" || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 143' TERM INT
JITSI=/usr/share/jitsi-meet/prosody-plugins
MULTI=/usr/lib/x86_64-linux-gnu/lua

inroot() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "$@"; }
doctor() { shift; out=$(inroot jitsi-jwt doctor "$@" 2>&1); code=$?; }
# site_config SECRET_LUA: Jitsi's host in conf.d, as jitsi-meet-prosody
# writes it: its plugin folder on plugin_paths, the token options.
site_config() {
  cat > "$R/etc/prosody/conf.d/meet.example.cfg.lua" <<EOF
plugin_paths = { "$JITSI" }
VirtualHost "meet.example"
  authentication = "token"
  app_id = "doctorapp"
  app_secret = $1
EOF
}

# Key servers on 127.0.0.1 (python3 -m http.server of this machine, stopped
# by pid): asap/<hex sha256(kid)>.pem for kid doctor-key (rsa2048's public
# key), jwks.json (its JWK, kid doctor-key) and jwks-ec.json (a P-256 key only).
KEYS=tests/vectors/keys
mkdir -p "$work/www/asap"
cp "$KEYS/rsa2048.pub.pem" "$work/www/asap/$(printf doctor-key | sha256sum | cut -c1-64).pem"
python3 - "$KEYS" "$work/www" <<'PY'
import json, sys
keys, www = sys.argv[1], sys.argv[2]
def jwk(name, kid):
    k = json.load(open("%s/%s" % (keys, name)))
    k["kid"] = kid
    return k
json.dump({"keys": [jwk("rsa2048.pub.jwk.json", "doctor-key")]}, open(www + "/jwks.json", "w"))
json.dump({"keys": [jwk("ec-p256.pub.jwk.json", "doctor-ec")]}, open(www + "/jwks-ec.json", "w"))
PY
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$work/www" "$port" > "$work/http.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; cleanup' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/jwks.json')" 2>/dev/null && break
  sleep 0.1
done
KS="http://127.0.0.1:$port"

# key_host OPTION_LINES: meet.example's token options as a key-server host.
key_host() {
  printf 'plugin_paths = { "%s" }\nVirtualHost "meet.example"\n  authentication = "token"\n  app_id = "doctorapp"\n%s\n' \
    "$JITSI" "$1" > "$R/etc/prosody/conf.d/meet.example.cfg.lua"
}
# mint KEY KID: an RS256 token for meet.example, made in the root by jitsi-jwt.
mint() {
  cp "$KEYS/$1" "$R/tmp/mint.pem"
  inroot jitsi-jwt mint --alg RS256 --key-file /tmp/mint.pem --kid "$2" --iss doctorapp --sub meet.example --exp 10m
}
key_server_cases() {
  local label=$1 good wrong other
  good=$(mint rsa2048.key.pem doctor-key); wrong=$(mint rsa2048b.key.pem doctor-key); other=$(mint rsa2048.key.pem no-such-key)
  check "[$label] three RS256 tokens minted" "[ -n '$good' ] && [ -n '$wrong' ] && [ -n '$other' ]"
  key_host "  asap_key_server = \"$KS/asap\""
  expect "$label asap, no token" 2 keys.meet.example unknown "jitsi-jwt doctor --token"
  expect "$label asap, no token" 2 host.meet.example ok ""
  expect "$label asap, --token" 0 token.meet.example ok "" --token "$good"
  expect "$label asap, --token" 0 keys.meet.example ok "" --token "$good"
  expect "$label asap, --token of another key" 1 token.meet.example problem "Why a token was refused" --token "$wrong"
  check "[$label asap, --token of another key] says Invalid signature" "grep -qF 'the token given is refused: Invalid signature' <<<\"\$text\""
  expect "$label asap, kid not on the server" 1 keys.meet.example problem "make $KS/asap/$(printf no-such-key | sha256sum | cut -c1-64).pem answer" --token "$other"
  key_host "  asap_key_server = true
  cache_keys_url = \"$KS/jwks.json\""
  expect "$label JWKS, no token" 2 keys.meet.example ok ""
  expect "$label JWKS, no token" 2 token.meet.example unknown "cannot tell"
  expect "$label JWKS, --token" 0 token.meet.example ok "" --token "$good"
  key_host "  asap_key_server = true
  cache_keys_url = \"$KS/jwks-ec.json\""
  expect "$label JWKS without an RS256 key" 1 keys.meet.example problem "publish at $KS/jwks-ec.json a public key for the host's signature_algorithm"
  site_config "\"$SECRET\""
}

# release LABEL LUA_VERSION TARBALL_ARGS...: the whole matrix in one root.
release() {
  local label=$1 v=$2 tarball
  shift 2
  if ! tarball=$(chroot_tarball "$@"); then
    check "[$label] a root with ${*:4} could be made" false; return
  fi
  R="$work/$label"
  chroot_unpack "$tarball" "$R"
  chroot_mount_proc "$R"
  mkdir -p "$R$JITSI"
  printf -- '-- stand-in for jitsi-meet-prosody'"'"'s pure-Lua luajwtjitsi\nreturn {}\n' > "$R$JITSI/luajwtjitsi.lib.lua"
  cp "$R$JITSI/luajwtjitsi.lib.lua" "$work/jitsi-standin.lua"
  cp "$deb" "$R/tmp/lua-luajwtjitsi.deb"
  check "[$label] dpkg -i $(basename "$deb")" "inroot dpkg -i /tmp/lua-luajwtjitsi.deb > '$work/dpkg.log' 2>&1"
  check "[$label] Debian's prosody.cfg.lua Includes conf.d" "grep -q '^Include \"conf.d/\\*.cfg.lua\"' '$R/etc/prosody/prosody.cfg.lua'"
  check "[$label] prosodyctl runs on lua$v" "head -n 1 '$R/usr/bin/prosodyctl' | grep -q 'lua$v\$'"
  mkdir -p "$R/etc/prosody/conf.d"
  site_config "\"$SECRET\""

  # healthy: the host exists only in the Included file
  expect "$label healthy" 0 token.meet.example ok ""
  doctor x
  printf '%s\n' "$out" | sed "s/^/$label healthy | /"
  check "[$label healthy] every finding ok" "! grep -qE '^\\[(problem|unknown)\\]' <<<\"\$out\""
  check "[$label healthy] the shim is the package's at $JITSI" "grep -qF '[ok] shim: module:require \"luajwtjitsi\" finds this package'\\''s shim $JITSI/luajwtjitsi.lib.lua' <<<\"\$out\""
  check "[$label healthy] basexx and inspect are the package's fallbacks" "[ \$(grep -c \"this package's [a-z]* fallback\" <<<\"\$out\") = 2 ]"
  check "[$label healthy] the checks ran as prosody with the unit's environment" \
    "grep -qF \"[ok] prosody.env: checks run as prosody with the service's environment (no LUA_PATH or LUA_CPATH; from \" <<<\"\$out\""
  check "[$label healthy] the diversion is the package's" "grep -qF '[ok] diversion: ' <<<\"\$out\""
  check "[$label healthy] prosodyctl about gives the version (the chroot's / is 755)" "grep -qE '^\\[ok\\] prosody.lua: Prosody [0-9]' <<<\"\$out\""

  # modules: each link or file moved aside, then back
  local basexx_fix inspect_fix
  case $v in
    5.2) basexx_fix="apt-get install lua-basexx"; inspect_fix="apt-get install lua-inspect" ;;
    *) basexx_fix="luarocks --lua-version $v install basexx"; inspect_fix="luarocks --lua-version $v install inspect" ;;
  esac
  aside() { mv "$R$MULTI/$v/$1" "$R/tmp/$1.aside"; }
  back() { mv "$R/tmp/$1.aside" "$R$MULTI/$v/$1"; }
  aside basexx.so; expect "$label no basexx" 1 module.basexx problem "$basexx_fix"; back basexx.so
  aside inspect.so; expect "$label no inspect" 1 module.inspect problem "$inspect_fix"; back inspect.so
  aside cjson.so; expect "$label no cjson" 1 module.cjson.safe problem "apt-get install lua-cjson"; back cjson.so

  # a pure-Lua luajwtjitsi.lua where luarocks would put it
  local shadow=/usr/local/share/lua/$v/luajwtjitsi.lua
  mkdir -p "$R$(dirname "$shadow")"
  printf 'return { verify = function() return nil, "pure Lua" end }\n' > "$R$shadow"
  expect "$label shadow" 1 module.luajwtjitsi problem "mv $shadow $shadow.disabled"
  rm "$R$shadow"

  # the diversion removed: jitsi's file back in the shim's place; then the
  # printed fix, and the doctor is content again
  rm "$R$JITSI/luajwtjitsi.lib.lua"
  check "[$label] dpkg-divert --remove --rename (the fault)" \
    "inroot dpkg-divert --package lua-luajwtjitsi --rename --remove $JITSI/luajwtjitsi.lib.lua >/dev/null 2>&1"
  # (dpkg ignores dpkg-divert --rename for a path the diverting package
  # ships, so the fix moves jitsi's file itself, then adds with --no-rename)
  local divert="mv $JITSI/luajwtjitsi.lib.lua $JITSI/luajwtjitsi.lib.lua.distrib && dpkg-divert --package lua-luajwtjitsi --no-rename --divert $JITSI/luajwtjitsi.lib.lua.distrib --add $JITSI/luajwtjitsi.lib.lua"
  expect "$label no diversion" 1 shim problem "$divert, then put the shim back"
  expect "$label no diversion" 1 diversion problem "$divert, then: apt-get install --reinstall lua-luajwtjitsi"
  check "[$label] the fix as printed, then dpkg -i" \
    "inroot sh -c '$divert' >/dev/null 2>&1 && inroot dpkg -i /tmp/lua-luajwtjitsi.deb >/dev/null 2>&1"
  expect "$label diversion fixed" 0 shim ok ""
  check "[$label diversion fixed] jitsi's file is kept at .distrib" "cmp -s '$work/jitsi-standin.lua' '$R$JITSI/luajwtjitsi.lib.lua.distrib'"

  # the diversion gone while the shim stays at jitsi's path (dpkg-divert
  # --remove without --rename): the fix the doctor prints is run as printed
  check "[$label] dpkg-divert --no-rename --remove (the fault)" \
    "inroot dpkg-divert --package lua-luajwtjitsi --no-rename --remove $JITSI/luajwtjitsi.lib.lua >/dev/null 2>&1"
  local add="dpkg-divert --package lua-luajwtjitsi --no-rename --divert $JITSI/luajwtjitsi.lib.lua.distrib --add $JITSI/luajwtjitsi.lib.lua"
  expect "$label diversion gone, shim in place" 1 diversion problem "$add, then: apt-get install --reinstall lua-luajwtjitsi"
  expect "$label diversion gone, shim in place" 1 shim ok ""
  doctor x
  local printed
  printed=$(grep -A1 -F '] diversion:' <<<"$out" | sed -n 's/^    fix: \(.*\), then: .*/\1/p')
  check "[$label] the printed dpkg-divert command, run as printed" "[ -n \"\$printed\" ] && inroot sh -c \"\$printed\" >/dev/null 2>&1 && inroot dpkg -i /tmp/lua-luajwtjitsi.deb >/dev/null 2>&1"
  expect "$label diversion back" 0 diversion ok ""

  # Prosody's user cannot read the Included file: the checks run as prosody
  chmod 600 "$R/etc/prosody/conf.d/meet.example.cfg.lua"
  expect "$label conf.d file root-only" 1 config problem "chgrp prosody /etc/prosody/conf.d/meet.example.cfg.lua && chmod 640 /etc/prosody/conf.d/meet.example.cfg.lua"
  check "[$label] the printed chgrp and chmod" "inroot sh -c 'chgrp prosody /etc/prosody/conf.d/meet.example.cfg.lua && chmod 640 /etc/prosody/conf.d/meet.example.cfg.lua'"
  expect "$label conf.d file 640 root:prosody" 0 token.meet.example ok ""

  # LUA_PATH from a systemd drop-in: a pure-Lua luajwtjitsi.lua only the
  # service sees (the caller's environment has none)
  mkdir -p "$R/etc/systemd/system/prosody.service.d" "$R/opt/shadow"
  printf 'return { verify = function() return nil, "pure Lua" end }\n' > "$R/opt/shadow/luajwtjitsi.lua"
  printf '[Service]\nEnvironment="LUA_PATH=/opt/shadow/?.lua;;" LANG=C\n' > "$R/etc/systemd/system/prosody.service.d/lua-path.conf"
  expect "$label unit LUA_PATH" 1 module.luajwtjitsi problem "mv /opt/shadow/luajwtjitsi.lua /opt/shadow/luajwtjitsi.lua.disabled"
  expect "$label unit LUA_PATH" 1 prosody.env ok ""
  check "[$label unit LUA_PATH] prosody.env names the variable and the drop-in" \
    "grep -qF 'LUA_PATH=/opt/shadow/?.lua;;; from ' <<<\"\$text\" && grep -qF '/etc/systemd/system/prosody.service.d/lua-path.conf)' <<<\"\$text\""
  doctor x --as-caller
  check "[$label unit LUA_PATH] --as-caller: the caller's environment, exit 0 (got $code)" "[ $code = 0 ] && grep -qF '[ok] prosody.env: checks run as you, with your environment (--as-caller)' <<<\"\$out\""
  rm -r "$R/etc/systemd/system/prosody.service.d" "$R/opt/shadow"

  key_server_cases "$label"

  # the shim's folder missing from plugin_paths
  sed -i "s|^plugin_paths = .*|plugin_paths = { \"/usr/local/lib/prosody/modules\" }|" "$R/etc/prosody/conf.d/meet.example.cfg.lua"
  expect "$label no plugin_paths" 1 shim problem "plugin_paths = { \"$JITSI\", \"/usr/local/lib/prosody/modules\" }"
  site_config "\"$SECRET\""

  # a trailing newline in the Included file's app_secret
  site_config "\"$SECRET\\n\""
  expect "$label newline" 1 host.meet.example problem "in /etc/prosody/conf.d/meet.example.cfg.lua line 5, app_secret for meet.example: end the string right after the secret"
  expect "$label newline" 1 token.meet.example problem "prosodyctl restart"
  doctor x
  printf '%s\n' "$out" | sed "s/^/$label newline | /"
  site_config "\"$SECRET\""
  expect "$label healthy again" 0 token.meet.example ok ""

  # --token on an app_secret host: the admin's own token, as Jitsi checks it
  local mine other_iss
  mine=$(inroot env JITSI_JWT_SECRET="$SECRET" jitsi-jwt mint --iss doctorapp --sub meet.example --exp 10m)
  other_iss=$(inroot env JITSI_JWT_SECRET="$SECRET" jitsi-jwt mint --iss someone-else --sub meet.example --exp 10m)
  expect "$label HS --token" 0 given.meet.example ok "" --token "$mine"
  expect "$label HS --token of another issuer" 1 given.meet.example problem "Why a token was refused" --token "$other_iss"
  check "[$label HS --token of another issuer] says the iss is refused" "grep -qF \"the token given is refused: invalid 'iss' claim\" <<<\"\$text\""

  chroot_remove "$R"; R=""
}

release debian13 5.4 "${DEBIAN13_PROSODY_ROOT[@]}"
release debian11 5.2 "${DEBIAN11_PROSODY_ROOT[@]}"
finish
