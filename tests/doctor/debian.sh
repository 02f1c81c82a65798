#!/usr/bin/env bash
# jitsi-jwt doctor where an admin runs it: in Debian 13 (Prosody 13, Lua 5.4)
# and Debian 11 (Prosody 0.11, Lua 5.2) chroots with the Debian package
# installed (its /usr/bin/jitsi-jwt is the doctor under test), Jitsi's token
# host set up as jitsi-meet's packages do (an Included conf.d file that sets
# plugin_paths and the token options, a stand-in for jitsi's pure-Lua
# luajwtjitsi.lib.lua that the package diverts). Healthy once, then each
# fault made and undone in turn: no basexx, no inspect, no cjson for
# Prosody's Lua, a shadowing luajwtjitsi.lua, the diversion removed (and the
# printed fix applied), the shim's folder missing from plugin_paths, an
# app_secret with a trailing newline. Asserts the exit status, the finding's
# verdict and the fix printed (per release and Lua: apt for what Debian
# packages for that Lua, luarocks otherwise), in text and --json.
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
  expect "$label no diversion" 1 shim problem "dpkg-divert --package lua-luajwtjitsi --rename --divert $JITSI/luajwtjitsi.lib.lua.distrib --add $JITSI/luajwtjitsi.lib.lua"
  check "[$label] the fix: dpkg-divert --add, dpkg -i" \
    "inroot dpkg-divert --package lua-luajwtjitsi --rename --divert $JITSI/luajwtjitsi.lib.lua.distrib --add $JITSI/luajwtjitsi.lib.lua >/dev/null 2>&1 && inroot dpkg -i /tmp/lua-luajwtjitsi.deb >/dev/null 2>&1"
  expect "$label diversion fixed" 0 shim ok ""

  # the shim's folder missing from plugin_paths
  sed -i "s|^plugin_paths = .*|plugin_paths = { \"/usr/local/lib/prosody/modules\" }|" "$R/etc/prosody/conf.d/meet.example.cfg.lua"
  expect "$label no plugin_paths" 1 shim problem "plugin_paths = { \"$JITSI\", \"/usr/local/lib/prosody/modules\" }"
  site_config "\"$SECRET\""

  # a trailing newline in the Included file's app_secret
  site_config "\"$SECRET\\n\""
  expect "$label newline" 1 host.meet.example problem "end the string right after the secret"
  expect "$label newline" 1 token.meet.example problem "prosodyctl restart"
  doctor x
  printf '%s\n' "$out" | sed "s/^/$label newline | /"
  site_config "\"$SECRET\""
  expect "$label healthy again" 0 token.meet.example ok ""

  chroot_remove "$R"; R=""
}

release debian13 5.4 "${DEBIAN13_PROSODY_ROOT[@]}"
release debian11 5.2 "${DEBIAN11_PROSODY_ROOT[@]}"
finish
