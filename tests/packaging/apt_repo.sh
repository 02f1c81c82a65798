#!/usr/bin/env bash
# The package's life on a host, through the apt repository `make apt-repo`
# makes (scripts/apt-repo.sh), in Debian 11, 12 and 13 chroots:
#   1. repositories, each served on 127.0.0.1 by one `python3 -m http.server`
#      of this machine (stopped by pid), made by scripts/apt-repo.sh from the
#      amd64 and arm64 packages and signed with a throw-away key (gpg, a
#      temporary GNUPGHOME): r1 = this version; r2 = r1 + a second version
#      (the same .deb re-packed with the Debian revision bumped, dpkg-deb -R
#      and -b); r3 = r2 + a newer jitsi-meet-prosody stand-in whose
#      luajwtjitsi.lib.lua differs; r4 = r3 + a third version whose preinst
#      fails part way; "unsigned" = r1 without InRelease and Release.gpg;
#      "wrong" = r1 signed by another key;
#   2. in each chroot, only the repository's line in sources.list.d (with
#      signed-by= the repository's key file in /etc/apt/keyrings/), as an
#      admin would write it: the unsigned and the wrongly signed repository
#      are refused by `apt-get update` (apt's own error asserted: "is not
#      signed", and gpgv's NO_PUBKEY or, Debian 13, sqv's "Missing key") and the
#      package cannot be installed from them; r1: `apt-get install
#      jitsi-meet-prosody`, then `apt-get install lua-luajwtjitsi` by name;
#      r2: `apt-get upgrade` to the second version, which prints that
#      Prosody needs a restart; r3: `apt-get upgrade` of jitsi-meet-prosody
#      under the diversion (its new file lands at .distrib); a downgrade
#      (`apt-get install --allow-downgrades lua-luajwtjitsi=<first>`), the
#      upgrade again, `apt-get install --reinstall`; r4: `apt-get upgrade`
#      fails in the preinst and dpkg rolls back to the second version. After
#      each: the version, dpkg's status, the shim at jitsi's path, jitsi's
#      current file at .distrib, the diversion lua-luajwtjitsi's
#      (dpkg-divert --list), `dpkg --audit` quiet, and every Lua of the chroot
#      loads the module from the system path and verifies vectors
#      (load_check.lua); where Prosody is installed (Debian 13, Prosody 13),
#      a freshly started Prosody logs a token in through the shim and refuses
#      a wrong one (apt_prosody.py), as after a restart.
# Roots: Debian 11 = deb.sh's (every Lua), 13 = debian13.sh's (Prosody 13),
# 12 = a minimal one with lua5.4 (chroot_tarball caches each; one copy per
# release for the whole stage, deleted on exit). PKGTEST_DEB /
# PKGTEST_DEB_ARM64 name the packages; otherwise build/deb's, else
# scripts/package-deb.sh makes them. Needs root. Last lines:
# "apt-repo: took N s", "apt-repo: N passed, N failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. tests/packaging/lib.sh
started=$SECONDS
finish() { finish_stage apt-repo; }
if [ "$(id -u)" -ne 0 ]; then
  bad "the apt repository test runs as root (chroot, mount, dpkg)"; finish; exit 1
fi
need_apt apt-utils gnupg || { bad "apt-utils and gnupg could be installed"; finish; exit 1; }

work=$(mktemp -d)
server_pid=""
R=""
# Anything still running in the chroot (a Prosody of a killed run) is stopped
# by pid before the copy goes.
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null
  if [ -n "$R" ]; then chroot_stop_all "$R"; chroot_remove "$R" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# ---- 1. packages and repositories
debfor() { # ARCH: the package to put in the repositories
  local given
  if [ "$1" = amd64 ]; then given=${PKGTEST_DEB:-}; else given=${PKGTEST_DEB_ARM64:-}; fi
  [ -n "$given" ] || given=$(ls build/deb/lua-luajwtjitsi_*_"$1".deb 2>/dev/null | head -n 1)
  [ -n "$given" ] || given=$(scripts/package-deb.sh "$1" | tail -n 1)
  echo "$given"
}
deb=$(debfor amd64); deb_arm64=$(debfor arm64)
v1=$(dpkg-deb -f "$deb" Version)
rev=${v1##*-}
v2="${v1%-*}-$((rev + 1))"; v3="${v1%-*}-$((rev + 2))"
echo "apt-repo: $(basename "$deb"), $(basename "$deb_arm64"); second version $v2, failing third $v3"
t=$SECONDS

# repack DEB VERSION OUT [PREINST]: DEB with Version set (and the preinst replaced).
repack() {
  local tree="$work/tree"
  rm -rf "$tree"
  dpkg-deb -R "$1" "$tree"
  sed -i "s/^Version: .*/Version: $2/" "$tree/DEBIAN/control"
  [ -z "${4:-}" ] || install -m 755 "$4" "$tree/DEBIAN/preinst"
  # gzip -1: the contents matter here, not the size; xz took most of a minute.
  dpkg-deb --root-owner-group -Zgzip -z1 -b "$tree" "$3" >/dev/null
  rm -rf "$tree"
}
mkdir -p "$work/debs"
repack "$deb" "$v2" "$work/debs/lua-luajwtjitsi_${v2}_amd64.deb"
# The third version's preinst does its work (the diversion), then fails.
sed 's/^exit 0$/echo "lua-luajwtjitsi preinst: failing on purpose (apt-repo test)" >\&2; exit 1/' debian/preinst > "$work/preinst.fails"
check "the failing preinst ends in exit 1" "tail -n 1 '$work/preinst.fails' | grep -q 'exit 1\$'"
repack "$deb" "$v3" "$work/debs/lua-luajwtjitsi_${v3}_amd64.deb" "$work/preinst.fails"

JITSI=/usr/share/jitsi-meet/prosody-plugins/luajwtjitsi.lib.lua
standin() { # VERSION: a jitsi-meet-prosody stand-in shipping only luajwtjitsi.lib.lua
  local t="$work/standin-$1"
  mkdir -p "$t/DEBIAN" "$t$(dirname "$JITSI")"
  printf -- '-- stand-in for jitsi-meet-prosody %s'"'"'s pure-Lua luajwtjitsi\nreturn { standin = "%s" }\n' "$1" "$1" > "$t$JITSI"
  cp "$t$JITSI" "$work/jitsi-$1.lua"
  cat > "$t/DEBIAN/control" <<CONTROL
Package: jitsi-meet-prosody
Version: $1
Architecture: all
Maintainer: luajwtjitsi tests <tests@localhost>
Description: stand-in for jitsi-meet-prosody (apt repository test)
 Ships only prosody-plugins/luajwtjitsi.lib.lua.
CONTROL
  dpkg-deb --root-owner-group -b "$t" "$work/debs/jitsi-meet-prosody_$1_all.deb" >/dev/null
}
standin 1.0.1~standin; standin 1.0.2~standin

export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
newkey() { # NAME: a throw-away signing key; prints its fingerprint
  gpg --batch --passphrase '' --quick-gen-key "$1 <$1@localhost>" ed25519 sign never >/dev/null 2>&1
  gpg --batch --with-colons --list-secret-keys "$1@localhost" 2>/dev/null | awk -F: '/^fpr/{print $10; exit}'
}
admin=$(newkey apt-repo-admin); stranger=$(newkey apt-repo-stranger)
check "two throw-away gpg keys" "[ -n '$admin' ] && [ -n '$stranger' ] && [ '$admin' != '$stranger' ]"
www="$work/www"
d="$work/debs"
repo() { # NAME KEY DEB...
  local name=$1 key=$2; shift 2
  scripts/apt-repo.sh -k "$key" -o "$www/$name" "$@" > "$work/repo-$name.log" 2>&1 ||
    { bad "scripts/apt-repo.sh made $name: $(tail -n 3 "$work/repo-$name.log")"; return 1; }
}
repo r1 "$admin" "$deb" "$deb_arm64" "$d/jitsi-meet-prosody_1.0.1~standin_all.deb"
repo r2 "$admin" "$deb" "$deb_arm64" "$d/lua-luajwtjitsi_${v2}_amd64.deb" "$d/jitsi-meet-prosody_1.0.1~standin_all.deb"
repo r3 "$admin" "$deb" "$deb_arm64" "$d/lua-luajwtjitsi_${v2}_amd64.deb" "$d"/jitsi-meet-prosody_*.deb
repo r4 "$admin" "$deb" "$deb_arm64" "$d"/lua-luajwtjitsi_*.deb "$d"/jitsi-meet-prosody_*.deb
repo wrong "$stranger" "$deb" "$deb_arm64" "$d/jitsi-meet-prosody_1.0.1~standin_all.deb"
cp -a "$www/r1" "$www/unsigned"; rm "$www/unsigned/dists/stable/InRelease" "$www/unsigned/dists/stable/Release.gpg"
r1=$www/r1/dists/stable
check "r1 has InRelease, Release.gpg, Packages for amd64 and arm64, the key file" \
  "[ -s '$r1/InRelease' ] && [ -s '$r1/Release.gpg' ] && [ -s '$www/r1/luajwtjitsi-archive-keyring.gpg' ]"
for a in amd64 arm64; do
  check "r1's $a Packages lists lua-luajwtjitsi $v1 for $a" \
    "grep -qx 'Architecture: $a' '$r1/main/binary-$a/Packages' && grep -qx 'Version: $v1' '$r1/main/binary-$a/Packages'"
done
check "r1's Release says Architectures: amd64 arm64" "grep -qx 'Architectures: amd64 arm64' '$r1/Release'"
check "gpgv accepts r1's InRelease with the key file" "gpgv --keyring '$www/r1/luajwtjitsi-archive-keyring.gpg' '$r1/InRelease' 2>/dev/null"
check "gpgv accepts r1's Release.gpg with the key file" "gpgv --keyring '$www/r1/luajwtjitsi-archive-keyring.gpg' '$r1/Release.gpg' '$r1/Release' 2>/dev/null"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$www" "$port" > "$work/http.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/r1/dists/stable/Release')" 2>/dev/null && break
  sleep 0.1
done
check "the repositories are served on 127.0.0.1:$port" "kill -0 $server_pid"
echo "apt-repo: packages and repositories made in $((SECONDS - t)) s"

# ---- 2. each release
tests/packaging/cases.py > "$work/cases.lua"
inroot() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root DEBIAN_FRONTEND=noninteractive "$@"; }
aptg() { inroot apt-get -o DPkg::Lock::Timeout=600 -y "$@"; }
KEYRING=/etc/apt/keyrings/luajwtjitsi-archive-keyring.gpg
use_repo() {
  echo "deb [signed-by=$KEYRING] http://127.0.0.1:$port/$1 stable main" > "$R/etc/apt/sources.list.d/luajwtjitsi.list"
}
# apt_step LABEL NAME APT-ARGS...: apt-get update from repository NAME, then
# apt-get APT-ARGS; $out holds both outputs, $code the second's status.
apt_step() {
  local label=$1 name=$2; shift 2
  use_repo "$name"
  out=$(aptg update 2>&1); code=$?
  check "[$label] apt-get update from $name" "[ $code = 0 ] && ! grep -q '^[WE]:' <<<\"\$out\"" || printf '%s\n' "$out" | tail -n 5
  out=$(aptg "$@" 2>&1); code=$?
}
version() { inroot dpkg-query -W -f='${Version}' lua-luajwtjitsi 2>/dev/null; }
# state LABEL VERSION JITSI_VERSION: the package's whole state on the host.
state() {
  local label=$1 want=$2 jitsi=$3 lua v p
  check "[$label] lua-luajwtjitsi $want is installed (got $(version))" \
    "[ \"\$(version)\" = '$want' ] && [ \"\$(inroot dpkg-query -W -f='\${Status}' lua-luajwtjitsi)\" = 'install ok installed' ]"
  check "[$label] jitsi-meet-prosody $jitsi is installed" "[ \"\$(inroot dpkg-query -W -f='\${Version}' jitsi-meet-prosody)\" = '$jitsi' ]"
  check "[$label] dpkg --audit finds nothing" "[ -z \"\$(inroot dpkg --audit 2>&1)\" ]"
  check "[$label] the shim is at $JITSI" "cmp -s lua/luajwtjitsi.lib.lua '$R$JITSI'"
  check "[$label] jitsi-meet-prosody $jitsi's file is at .distrib" "cmp -s '$work/jitsi-$jitsi.lua' '$R$JITSI.distrib'"
  check "[$label] dpkg-divert --list: the diversion is lua-luajwtjitsi's" \
    "[ \"\$(inroot dpkg-divert --list '$JITSI')\" = 'diversion of $JITSI to $JITSI.distrib by lua-luajwtjitsi' ]"
  for lua in lua5.1:5.1 lua5.2:5.2 lua5.3:5.3 lua5.4:5.4 luajit:5.1; do
    v=${lua#*:}; p=${lua%:*}
    [ -x "$R/usr/bin/$p" ] || continue
    count_load_check "$(inroot sh -c 'cd /tmp/apt-test && exec "$@"' _ "$p" load_check.lua \
      "/usr/lib/x86_64-linux-gnu/lua/$v/luajwtjitsi.so" cases.lua "$JITSI" 2>&1)"
  done
  if [ -x "$R/usr/bin/prosody" ]; then
    count_run apt-prosody env LUAJWT_PROSODY_CHROOT="$R" python3 tests/packaging/apt_prosody.py "$label"
  fi
}

release() { # LABEL TARBALL_ARGS...
  local label=$1 tarball t
  shift
  t=$SECONDS
  if ! tarball=$(chroot_tarball "$@"); then bad "[$label] a root ${*:1:2} could be made"; return; fi
  R="$work/root-$label"
  chroot_unpack "$tarball" "$R"
  chroot_mount_proc "$R"
  printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"; chmod 755 "$R/usr/sbin/policy-rc.d"
  # Only this project's repository: the chroot's Debian lines go (nothing
  # is fetched from Debian).
  rm -f "$R/etc/apt/sources.list.d/"*; : > "$R/etc/apt/sources.list"
  mkdir -p "$R/etc/apt/keyrings" "$R/tmp/apt-test"
  cp "$www/r1/luajwtjitsi-archive-keyring.gpg" "$R$KEYRING"; chmod 644 "$R$KEYRING"
  cp tests/packaging/load_check.lua "$work/cases.lua" "$R/tmp/apt-test/"
  label="$label $(cat "$R/etc/debian_version")"

  # refused: unsigned, then signed by a key the keyring does not hold
  use_repo unsigned
  out=$(aptg update 2>&1); code=$?
  check "[$label] apt-get update refuses the unsigned repository (exit $code)" "[ $code != 0 ] && grep -q \"^E: The repository 'http://127.0.0.1:$port/unsigned stable Release' is not signed\" <<<\"\$out\"" ||
    printf '%s\n' "$out" | tail -n 4
  out=$(aptg install lua-luajwtjitsi 2>&1); code=$?
  check "[$label] apt-get install finds no lua-luajwtjitsi in it" "[ $code != 0 ] && grep -q '^E: Unable to locate package lua-luajwtjitsi' <<<\"\$out\""
  use_repo wrong
  out=$(aptg update 2>&1); code=$?
  check "[$label] apt-get update refuses the repository signed by another key (exit $code)" \
    "[ $code != 0 ] && grep -qE 'NO_PUBKEY ${stranger: -16}|Missing key $stranger' <<<\"\$out\" && grep -q \"^E: The repository 'http://127.0.0.1:$port/wrong stable InRelease' is not signed\" <<<\"\$out\"" ||
    printf '%s\n' "$out" | tail -n 4
  out=$(aptg install lua-luajwtjitsi 2>&1); code=$?
  check "[$label] apt-get install finds no lua-luajwtjitsi in it" "[ $code != 0 ] && grep -q '^E: Unable to locate package lua-luajwtjitsi' <<<\"\$out\""

  # r1: jitsi-meet-prosody, then the package, by name
  apt_step "$label" r1 install jitsi-meet-prosody
  check "[$label] apt-get install jitsi-meet-prosody" "[ $code = 0 ]" || printf '%s\n' "$out" | tail -n 5
  out=$(aptg install lua-luajwtjitsi 2>&1); code=$?
  check "[$label] apt-get install lua-luajwtjitsi (signed repository, no warning)" \
    "[ $code = 0 ] && ! grep -qiE 'cannot be authenticated|^W:' <<<\"\$out\"" || printf '%s\n' "$out" | tail -n 5
  check "[$label] a first install prints no restart note" "! grep -q 'restart Prosody' <<<\"\$out\""
  state "$label, $v1 from r1" "$v1" 1.0.1~standin

  # r2: our next version through apt-get upgrade
  apt_step "$label" r2 upgrade
  check "[$label] apt-get upgrade to $v2" "[ $code = 0 ] && grep -q 'Unpacking lua-luajwtjitsi ($v2) over ($v1)' <<<\"\$out\"" || printf '%s\n' "$out" | tail -n 5
  check "[$label] the upgrade says Prosody needs a restart" "grep -qF 'lua-luajwtjitsi: restart Prosody to load the new module (systemctl restart prosody)' <<<\"\$out\""
  state "$label, upgraded to $v2" "$v2" 1.0.1~standin

  # r3: jitsi-meet-prosody upgraded under the diversion
  apt_step "$label" r3 upgrade
  check "[$label] apt-get upgrade of jitsi-meet-prosody to 1.0.2~standin" \
    "[ $code = 0 ] && grep -q 'Unpacking jitsi-meet-prosody (1.0.2~standin) over (1.0.1~standin)' <<<\"\$out\"" || printf '%s\n' "$out" | tail -n 5
  state "$label, jitsi-meet-prosody upgraded" "$v2" 1.0.2~standin

  # down, up again, reinstall
  out=$(aptg install --allow-downgrades "lua-luajwtjitsi=$v1" 2>&1); code=$?
  check "[$label] apt-get install --allow-downgrades lua-luajwtjitsi=$v1" "[ $code = 0 ]" || printf '%s\n' "$out" | tail -n 5
  check "[$label] the downgrade says Prosody needs a restart too" "grep -qF 'lua-luajwtjitsi: restart Prosody' <<<\"\$out\""
  state "$label, downgraded to $v1" "$v1" 1.0.2~standin
  out=$(aptg install lua-luajwtjitsi 2>&1); code=$?
  check "[$label] apt-get install lua-luajwtjitsi: $v2 again" "[ $code = 0 ] && [ \"\$(version)\" = '$v2' ]" || printf '%s\n' "$out" | tail -n 5
  out=$(aptg install --reinstall lua-luajwtjitsi 2>&1); code=$?
  check "[$label] apt-get install --reinstall lua-luajwtjitsi" "[ $code = 0 ] && grep -q 'Unpacking lua-luajwtjitsi ($v2) over ($v2)' <<<\"\$out\"" || printf '%s\n' "$out" | tail -n 5
  state "$label, reinstalled $v2" "$v2" 1.0.2~standin

  # r4: an upgrade whose preinst fails, rolled back by dpkg
  apt_step "$label" r4 upgrade
  check "[$label] apt-get upgrade to $v3 fails (exit $code)" \
    "[ $code != 0 ] && grep -q 'failing on purpose' <<<\"\$out\" && grep -q 'new lua-luajwtjitsi package pre-installation script subprocess returned error exit status 1' <<<\"\$out\"" ||
    printf '%s\n' "$out" | tail -n 8
  state "$label, after the failed upgrade to $v3" "$v2" 1.0.2~standin

  chroot_stop_all "$R"; chroot_remove "$R"; R=""
  echo "apt-repo: $label took $((SECONDS - t)) s"
}

release debian11 "${DEBIAN11_ROOT[@]}"
release debian12 "${DEBIAN12_ROOT[@]}"
release debian13 "${DEBIAN13_PROSODY_ROOT[@]}"
finish
