#!/usr/bin/env bash
# jitsi-jwt doctor on this machine's Prosody 0.12 (Lua 5.4, prosodyctl's
# first line): once healthy, then with each fault made on purpose, each in
# its own temporary Lua environment and Prosody config (nothing on the host
# changes):
#   healthy: build/lua54's luajwtjitsi.so with its basexx.so and inspect.so
#     fallback links first on LUA_CPATH_5_4, the system's Lua 5.4 C modules
#     (as links) after it, this project's shim first on plugin_paths;
#   no basexx, no inspect, no cjson (their .so left out);
#   a pure-Lua luajwtjitsi.lua on LUA_PATH_5_4 shadowing the native module;
#   jitsi's own luajwtjitsi.lib.lua first on plugin_paths (what Prosody finds
#     when the Debian package's diversion is gone);
#   the shim missing from plugin_paths, with the rock's copy on the disk;
#   an app_secret with a trailing newline;
#   the token host and its options only in an Included file (healthy), and
#     the newline secret only there (a problem);
#   a host whose tokens come from an asap_key_server (cannot tell: exit 2),
#     --host naming a host the config lacks, no config file (exit 2).
# Each case asserts the exit status, the verdict of the finding at fault and
# the fix printed, in the text output and in --json.
# Needs prosody (scripts/setup.sh), build/bin/jitsi-jwt and
# build/lua54/luajwtjitsi.so (scripts/build.sh). Last lines:
# "doctor: took N s", "doctor: N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
started=$SECONDS
BIN=$PWD/build/bin/jitsi-jwt
SO=$PWD/build/lua54/luajwtjitsi.so
SHIM=$PWD/lua/luajwtjitsi.lib.lua
SECRET=doctor-test-secret-0123456789abcdef
# lib.sh: check, expect (text and --json of one case).
. tests/doctor/lib.sh
finish() {
  echo "doctor: took $((SECONDS - started)) s"
  echo "doctor: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
for need in "$BIN" "$SO" /usr/bin/prosodyctl /usr/bin/lua5.4; do
  if [ ! -e "$need" ]; then
    echo "FAIL doctor: $need is missing (scripts/setup.sh, scripts/build.sh)"
    fail=1; finish; exit 1
  fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
SYS_CPATH=/usr/lib/x86_64-linux-gnu/lua/5.4

# layout CASE [LEAVE_OUT...]: $work/CASE with cpath/ (the module, its
# fallback links and links to the system's C modules, but LEAVE_OUT), lpath/,
# shim/ (this project's shim), jitsi/ (a stand-in for jitsi's pure-Lua
# luajwtjitsi.lib.lua) and etc/.
layout() {
  local d=$work/$1; shift
  mkdir -p "$d/cpath" "$d/lpath" "$d/shim" "$d/jitsi" "$d/etc"
  for f in "$SYS_CPATH"/*; do ln -s "$f" "$d/cpath/"; done
  ln -s "$SO" "$d/cpath/luajwtjitsi.so"
  ln -s luajwtjitsi.so "$d/cpath/basexx.so"
  ln -s luajwtjitsi.so "$d/cpath/inspect.so"
  for gone in "$@"; do rm "$d/cpath/$gone"; done
  cp "$SHIM" "$d/shim/"
  printf -- '-- jitsi-meet stand-in\nreturn { verify = function() return nil, "stand-in" end }\n' > "$d/jitsi/luajwtjitsi.lib.lua"
}
# config CASE PLUGIN_PATHS SECRET_LUA: the main config with one token host.
config() {
  cat > "$work/$1/etc/prosody.cfg.lua" <<EOF
plugin_paths = { $2 }
VirtualHost "meet.example"
  authentication = "token"
  app_id = "doctorapp"
  app_secret = $3
  signature_algorithm = "HS256"
EOF
}
# doctor CASE ARGS...: runs the doctor with the case's Lua paths (so
# --as-caller: not as this machine's prosody.service would run); sets $out
# and $code.
doctor() {
  local d=$work/$1; shift
  out=$(env -i PATH=/usr/bin:/bin LUA_CPATH_5_4="$d/cpath/?.so" \
    LUA_PATH_5_4="$d/lpath/?.lua;/usr/share/lua/5.4/?.lua;/usr/share/lua/5.4/?/init.lua" \
    "$BIN" doctor --as-caller --config "$d/etc/prosody.cfg.lua" "$@" 2>&1)
  code=$?
}
good_paths() { echo "\"$work/$1/shim\", \"$work/$1/jitsi\""; }

# ---- healthy
layout healthy; config healthy "$(good_paths healthy)" "\"$SECRET\""
expect healthy 0 token.meet.example ok ""
doctor healthy
for id in prosody.lua module.basexx module.cjson.safe module.inspect module.ssl module.luajwtjitsi config shim host.meet.example; do
  check "[healthy] [ok] $id" "grep -qF -- '[ok] $id:' <<<\"\$out\""
done
check "[healthy] basexx and inspect are the fallbacks" "[ \$(grep -c \"this package's [a-z]* fallback\" <<<\"\$out\") = 2 ]"
check "[healthy] no problem and no unknown" "! grep -qE '^\\[(problem|unknown)\\]' <<<\"\$out\""
check "[healthy] the secret's length, not its value" "grep -qF 'app_secret: ${#SECRET} bytes' <<<\"\$out\""
doctor healthy --lua /usr/bin/lua5.4
check "[healthy] --lua /usr/bin/lua5.4: exit 0 (got $code)" "[ $code = 0 ]"

# ---- modules missing for Prosody's Lua
layout no-basexx basexx.so; config no-basexx "$(good_paths no-basexx)" "\"$SECRET\""
expect no-basexx 1 module.basexx problem "luarocks --lua-version 5.4 install basexx"
layout no-inspect inspect.so; config no-inspect "$(good_paths no-inspect)" "\"$SECRET\""
expect no-inspect 1 module.inspect problem "luarocks --lua-version 5.4 install inspect"
layout no-cjson cjson.so; config no-cjson "$(good_paths no-cjson)" "\"$SECRET\""
expect no-cjson 1 module.cjson.safe problem "apt-get install lua-cjson"

# ---- a pure-Lua luajwtjitsi.lua shadowing the native module
layout shadow; config shadow "$(good_paths shadow)" "\"$SECRET\""
printf 'return { verify = function() return nil, "pure Lua" end }\n' > "$work/shadow/lpath/luajwtjitsi.lua"
expect shadow 1 module.luajwtjitsi problem "mv $work/shadow/lpath/luajwtjitsi.lua $work/shadow/lpath/luajwtjitsi.lua.disabled"
expect shadow 1 shim problem "module.luajwtjitsi"

# ---- jitsi's copy first (the diversion gone), then the shim off plugin_paths
# with the rock's copy on the disk: the fix puts its folder first.
layout jitsi-first; config jitsi-first "\"$work/jitsi-first/jitsi\", \"$work/jitsi-first/shim\"" "\"$SECRET\""
mkdir -p "$work/jitsi-first/lpath/luajwtjitsi-native"; cp "$SHIM" "$work/jitsi-first/lpath/luajwtjitsi-native/"
expect jitsi-first 1 shim problem "plugin_paths = { \"$work/jitsi-first/lpath/luajwtjitsi-native\", \"$work/jitsi-first/jitsi\""
layout no-shim; config no-shim "\"$work/no-shim/jitsi\"" "\"$SECRET\""
mkdir -p "$work/no-shim/lpath/luajwtjitsi-native"; cp "$SHIM" "$work/no-shim/lpath/luajwtjitsi-native/"
expect no-shim 1 shim problem "plugin_paths = { \"$work/no-shim/lpath/luajwtjitsi-native\", \"$work/no-shim/jitsi\" }"
expect no-shim 1 token.meet.example problem "restart"

# ---- an app_secret with a trailing newline
layout newline; config newline "$(good_paths newline)" "\"$SECRET\\n\""
expect newline 1 host.meet.example problem "in $work/newline/etc/prosody.cfg.lua line 5, app_secret for meet.example: end the string right after the secret"
expect newline 1 token.meet.example problem "prosodyctl restart"

# ---- the token host only in an Included file
layout include; config include "$(good_paths include)" "\"$SECRET\""
mkdir -p "$work/include/etc/conf.d"
sed -n '/^VirtualHost/,$p' "$work/include/etc/prosody.cfg.lua" > "$work/include/etc/conf.d/meet.cfg.lua"
printf 'plugin_paths = { %s }\nInclude "conf.d/*.cfg.lua"\n' "$(good_paths include)" > "$work/include/etc/prosody.cfg.lua"
expect include 0 host.meet.example ok ""
expect include 0 token.meet.example ok ""
layout include-newline; mkdir -p "$work/include-newline/etc/conf.d"
printf 'plugin_paths = { %s }\nInclude "conf.d/*.cfg.lua"\n' "$(good_paths include-newline)" > "$work/include-newline/etc/prosody.cfg.lua"
printf 'VirtualHost "meet.example"\n  authentication = "token"\n  app_id = "doctorapp"\n  app_secret = "%s\\n"\n' "$SECRET" \
  > "$work/include-newline/etc/conf.d/meet.cfg.lua"
expect include-newline 1 host.meet.example problem "in $work/include-newline/etc/conf.d/meet.cfg.lua line 4, app_secret for meet.example: end the string right after the secret"
# the Included file sets it, the main file sets it again after the Include:
# the main file's line is the one Prosody uses, and the one named
printf 'VirtualHost "meet.example"\n  app_secret = "%s "\n' "$SECRET" >> "$work/include-newline/etc/prosody.cfg.lua"
expect include-newline 1 host.meet.example problem "in $work/include-newline/etc/prosody.cfg.lua line 4, app_secret for meet.example"

# ---- cannot tell: tokens from a key server (the private key is elsewhere)
layout asap
printf 'plugin_paths = { %s }\nVirtualHost "meet.example"\n  authentication = "token"\n  app_id = "doctorapp"\n  asap_key_server = "https://keys.example/asap"\n  signature_algorithm = "RS256"\n' \
  "$(good_paths asap)" > "$work/asap/etc/prosody.cfg.lua"
expect asap 2 token.meet.example unknown "cannot tell"
expect asap 2 keys.meet.example unknown "jitsi-jwt doctor --token"
expect asap 2 host.meet.example ok ""

# ---- --host names a VirtualHost the config lacks
layout no-host; config no-host "$(good_paths no-host)" "\"$SECRET\""
doctor no-host --host other.example
check "[no-host] --host other.example: exit 1 (got $code)" "[ $code = 1 ]"
check "[no-host] --host other.example: [problem] hosts" "grep -qF '[problem] hosts: no VirtualHost \"other.example\" in the config' <<<\"\$out\""

# ---- cannot tell: no Prosody config
layout no-config
expect no-config 2 config unknown "--config"

finish
