#!/usr/bin/env bash
# The Prosody test (tests/prosody/test_prosody.py) against Debian 13's
# Prosody 13 on Lua 5.4, with the Debian package installed as an admin would:
#   1. a Debian 13 (trixie) chroot: debootstrap --variant=minbase, then
#      `apt-get install prosody lua5.4 lua-cjson` in it, cached as a tarball
#      in ~/.cache/luajwtjitsi/ (scripts/chroot-tools.sh); the test works on
#      a temporary copy with /proc mounted, and deletes it on exit, pass or
#      fail, after stopping anything still running in it;
#   2. a stand-in for jitsi-meet-prosody's pure-Lua luajwtjitsi.lib.lua at
#      its path (it raises an error if Prosody ever loads it), then
#      `dpkg -i lua-luajwtjitsi.deb`: the shim takes that path, jitsi's file
#      is diverted to .distrib, the module is in Lua 5.4's system cpath;
#   3. rock_checks: the prebuilt rock (make dist) installed offline with
#      Debian 13's luarocks 3 for Lua 5.4, loaded, verified and removed;
#   4. test_prosody.py with LUAJWT_PROSODY_CHROOT: Prosody 13 runs inside the
#      chroot on 127.0.0.1 high ports (config, data and log under the chroot's
#      /tmp, stopped by pid), the clients and the key server on this machine.
#      Every scenario of the Prosody 0.12 test: HS256 through the shim with
#      module:require, the plain-require host, RS256 with kid from the key
#      server, BOSH and WebSocket, the exact SASL failure messages, 1,000
#      refused logins then a good one, and no traceback or error in the log;
#   5. the basexx and inspect fallbacks (docs/jitsi-plugins.md):
#      the package's basexx.so and inspect.so are in Lua 5.4's folder, the
#      chroot has no basexx.lua or inspect.lua for Lua 5.4, and
#      tests/prosody/test_fallback.py's probe plugin (basexx, cjson.safe,
#      inspect, then module:require "luajwtjitsi", as Jitsi's token plugins
#      do) logs in and refuses over BOSH with Prosody 13 logging that basexx
#      and inspect are the fallbacks; then Debian unstable's lua-basexx 0.4.1
#      .deb (cached in ~/.cache/luajwtjitsi/debs/) is installed with dpkg -i
#      and the same run logs the real /usr/share/lua/5.4/basexx.lua instead.
# PKGTEST_DEB=<file> tests that package; otherwise scripts/package-deb.sh
# builds one. Needs root (chroot, mount) and scripts/setup.sh's .venv.
# Last lines: the time taken, then "prosody-trixie: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
# lib.sh brings scripts/chroot-tools.sh, installed_check (the checks of a
# rock in a luarocks tree) and the counting of tests/lib/stage.sh.
. tests/packaging/lib.sh
STAGE_NAME=prosody-trixie
finish() {
  echo "prosody-trixie: chroot ${chroot_state:-not made}"
  finish_stage
}

if [ "$(id -u)" -ne 0 ]; then
  bad "the Debian 13 test needs root (debootstrap, chroot, mount)"; finish; exit 1
fi
PY=.venv/bin/python
if ! "$PY" -c 'import jwt, websockets' 2>/dev/null; then
  bad "$PWD/$PY lacks pyjwt or websockets: run scripts/setup.sh first"; finish; exit 1
fi

work=$(mktemp -d)
R="$work/root"
# Anything still running inside the chroot copy (a Prosody left by a killed
# test run) is stopped by pid before /proc is unmounted and the copy deleted.
cleanup() {
  chroot_stop_all "$R"
  chroot_remove "$R" || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# ---- 1. the package and the chroot
if [ -n "${PKGTEST_DEB:-}" ]; then
  deb=$PKGTEST_DEB; echo "prosody-trixie: testing $deb (not rebuilt)"
else
  deb=$(scripts/package-deb.sh amd64 | tail -n 1)
fi
chroot13=("${DEBIAN13_PROSODY_ROOT[@]}")
[ -s "$(chroot_tarball_path "${chroot13[@]}")" ] && chroot_state="cached" || chroot_state="built"
if ! tarball=$(chroot_tarball "${chroot13[@]}"); then
  bad "a Debian 13 chroot with ${DEBIAN13_PROSODY_ROOT[*]:3} could be made"; finish; exit 1
fi
chroot_unpack "$tarball" "$R"
chroot_mount_proc "$R"
run() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
check "the chroot is Debian 13 (debian_version $(cat "$R/etc/debian_version"))" "grep -q '^13\.' '$R/etc/debian_version'"
prosody_version=$(run dpkg-query -W -f='${Version}' prosody 2>/dev/null || true)
check "Debian's prosody package in it is version 13 (got ${prosody_version:-none})" "[[ '$prosody_version' == 13.* ]]"

# ---- 2. jitsi's file, then the package
jitsi_lib=/usr/share/jitsi-meet/prosody-plugins/luajwtjitsi.lib.lua
mkdir -p "$R$(dirname "$jitsi_lib")"
printf -- '-- stand-in for jitsi-meet-prosody'"'"'s pure-Lua luajwtjitsi\nerror("jitsi-meet-prosody'"'"'s luajwtjitsi.lib.lua was loaded, not the shim")\n' \
  > "$R$jitsi_lib"
cp "$R$jitsi_lib" "$work/jitsi-standin.lua"
cp "$deb" "$R/tmp/lua-luajwtjitsi.deb"
if run dpkg -i /tmp/lua-luajwtjitsi.deb > "$work/dpkg.log" 2>&1; then
  ok "dpkg -i $(basename "$deb") in Debian 13"
else
  bad "dpkg -i $(basename "$deb") in Debian 13: $(tail -n 5 "$work/dpkg.log")"
fi
check "$jitsi_lib is the shim" "cmp -s lua/luajwtjitsi.lib.lua '$R$jitsi_lib'"
check "jitsi's file is diverted to $jitsi_lib.distrib" \
  "cmp -s '$work/jitsi-standin.lua' '$R$jitsi_lib.distrib' && [ \"\$(run dpkg-divert --listpackage '$jitsi_lib')\" = lua-luajwtjitsi ]"
so_found=$(run lua5.4 -e 'io.write(package.searchpath("luajwtjitsi", package.cpath) or "none")' 2>&1 || true)
check "Debian 13's lua5.4 finds the module at /usr/lib/x86_64-linux-gnu/lua/5.4 (got $so_found)" \
  "[ '$so_found' = /usr/lib/x86_64-linux-gnu/lua/5.4/luajwtjitsi.so ]"

# ---- 3. the prebuilt rock, with Debian 13's luarocks for Lua 5.4
# The prebuilt .src.rock from build/dist (lib.sh's dist_dir: made by
# tests/packaging/dist.sh before this stage in make test) installs into the
# system tree /usr/local with no network (unshare -n), lua5.4 loads it from
# there and verifies the vectors of every algorithm, the shim loads, and
# `luarocks remove` leaves nothing, so that Prosody below still runs on the
# package's .so.
rock_checks() {
  local version bin_rock dist d=/tmp/rockcheck
  version=$(crate_field version)
  bin_rock="luajwtjitsi-native-bin-$version-1"
  dist=$(dist_dir) || { bad "scripts/dist.sh failed"; return; }
  mkdir -p "$R$d"
  cp "$dist/$bin_rock.src.rock" tests/packaging/load_check.lua "$R$d/"
  tests/packaging/cases.py > "$R$d/cases.lua"
  inroot() { unshare -n chroot "$R" "$@"; }
  lr() { shift; inroot env -i PATH=/usr/bin:/bin HOME=/root luarocks --lua-version 5.4 "$@"; }
  local lr_version
  lr_version=$(lr 5.4 --version 2>&1 | head -n 1)
  check "Debian 13's luarocks is 3.x (got: $lr_version)" "[[ \"\$lr_version\" == *' 3.'* ]]"
  if lr 5.4 install "$d/$bin_rock.src.rock" > "$work/rock-install.log" 2>&1; then
    ok "[luarocks 3, Debian 13] luarocks --lua-version 5.4 install ./$bin_rock.src.rock (offline)"
    check "[luarocks 3, Debian 13] the rock picked the Lua 5.4 build" \
      "grep -q 'linux-x86_64/lib/lua/5.4/luajwtjitsi.so for Lua 5.4' '$work/rock-install.log'"
    installed_check luajwtjitsi-native-bin "$version-1" "lua5.4@luarocks-trixie" /usr/local lua5.4 5.4 "$d"
  else
    bad "[luarocks 3, Debian 13] luarocks install ./$bin_rock.src.rock: $(tail -n 5 "$work/rock-install.log")"
  fi
  rm -rf "${R:?}$d"
}
rock_checks


# ---- 4. the Prosody scenarios, Prosody 13 inside the chroot
count_run prosody env LUAJWT_PROSODY_CHROOT="$R" LUAJWT_PROSODY_VERSION=13. "$PY" tests/prosody/test_prosody.py

# ---- 5. the fallbacks, then the real basexx
for m in basexx inspect; do
  check "/usr/lib/x86_64-linux-gnu/lua/5.4/$m.so is the package's symlink to luajwtjitsi.so" \
    "[ \"\$(readlink '$R/usr/lib/x86_64-linux-gnu/lua/5.4/$m.so')\" = luajwtjitsi.so ]"
  found=$(run lua5.4 -e "io.write(tostring(package.searchpath('$m', package.path)))" 2>&1 || true)
  check "Debian 13's lua5.4 finds no $m.lua (got $found)" "[ '$found' = nil ]"
done
fallback_run() { # LABEL BASEXX_SOURCE INSPECT_SOURCE
  count_run prosody-fallback env LUAJWT_PROSODY_CHROOT="$R" "$PY" tests/prosody/test_fallback.py \
    --label "$1" --basexx-source "$2" --inspect-source "$3"
}
fallback_run "Prosody 13, no lua-basexx or lua-inspect for 5.4" \
  "=luajwtjitsi fallback basexx" "=luajwtjitsi fallback inspect"
# Debian unstable's lua-basexx 0.4.1 (Debian 13 has 0.3, for Lua 5.1 and 5.2):
# fetched once with an apt configuration of its own, then kept.
basexx_deb() {
  local cache="$LUAJWTJITSI_TOOLS/debs" a d
  d=$(ls "$cache"/lua-basexx_0.4.1-*_all.deb 2>/dev/null | head -n 1 || true)
  if [ -z "$d" ]; then
    a=$(mktemp -d)
    private_apt_download "$a" amd64 sid -- lua-basexx~0.4.1 || { rm -rf "$a"; return 1; }
    mkdir -p "$cache"
    for d in "$a"/debs/lua-basexx_*.deb; do cp "$d" "$cache/$(basename "$d").$$.tmp" && mv "$cache/$(basename "$d").$$.tmp" "$cache/$(basename "$d")"; done
    rm -rf "$a"
    d=$(ls "$cache"/lua-basexx_0.4.1-*_all.deb | head -n 1)
  fi
  echo "$d"
}
if real_deb=$(basexx_deb); then
  cp "$real_deb" "$R/tmp/lua-basexx.deb"
  check "dpkg -i $(basename "$real_deb") (Debian unstable) in Debian 13" "run dpkg -i /tmp/lua-basexx.deb > '$work/dpkg-basexx.log' 2>&1"
  found=$(run lua5.4 -e 'io.write(tostring(package.searchpath("basexx", package.path)))' 2>&1 || true)
  check "Debian 13's lua5.4 now finds /usr/share/lua/5.4/basexx.lua (got $found)" "[ '$found' = /usr/share/lua/5.4/basexx.lua ]"
  fallback_run "Prosody 13, lua-basexx 0.4.1 installed" \
    "@/usr/share/lua/5.4/basexx.lua" "=luajwtjitsi fallback inspect"
else
  bad "could not fetch Debian unstable's lua-basexx 0.4.1"
fi

check "no Prosody is left running in the chroot" \
  "! for q in /proc/[0-9]*; do [ \"\$(readlink \$q/root 2>/dev/null)\" = '$R' ] && echo \$q; done | grep -q ."

finish
