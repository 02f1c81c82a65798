# Sourced by tests that need another Debian release (tests/packaging/deb.sh,
# tests/prosody/debian13.sh). A release is made once with debootstrap, kept
# as a tarball in $LUAJWTJITSI_TOOLS (~/.cache/luajwtjitsi), and every test
# works on a temporary copy of it, so the machine itself is never changed:
#   chroot_tarball NAME SUITE INCLUDE [APT_PKG...]
#       prints the tarball's path, NAME-<hash of the other arguments>.tar.gz
#       (so a changed package list makes a new one), making it first when it
#       is missing:
#       debootstrap --variant=minbase --include=INCLUDE SUITE, then, when
#       APT_PKGS are given, `apt-get install APT_PKGS` inside it (debootstrap's
#       --include does not resolve virtual dependencies, Prosody's for one),
#       with /proc mounted and services kept from starting meanwhile. The
#       tarball is written under a temporary name and renamed, so runs that
#       make the same cache at once never see half a file.
#   chroot_tarball_path NAME SUITE INCLUDE [APT_PKG...]
#                                   the same path, without making anything
#   chroot_unpack TARBALL DIR       unpacks a copy into DIR (made if missing)
#   chroot_mount_proc DIR           mounts /proc in DIR
#   chroot_umount_proc DIR          unmounts it again (no-op when not mounted)
#   chroot_stop_all DIR             kills (by pid, -9) every process whose
#                                   root is DIR (a server a killed test left)
#   chroot_remove DIR               unmounts /proc, then deletes DIR; refuses
#                                   to delete while anything is still mounted
# Everything prints its progress on stderr; a failure returns 1 with the
# last lines of the log.
. "$(dirname "${BASH_SOURCE[0]}")/package-tools.sh"

CHROOT_MIRROR="${CHROOT_MIRROR:-http://deb.debian.org/debian}"

# Debian 13's Prosody 13 on Lua 5.4, for chroot_tarball: tests/prosody/
# debian13.sh, tests/doctor/debian.sh and make bench (scripts/bench.sh) share
# it, so a machine makes it once. luarocks 3 looks for the target Lua's lua.h
# before it installs any rock, the prebuilt one included, so debian13.sh's
# rock check needs liblua5.4-dev.
DEBIAN13_PROSODY_ROOT=(debian13-prosody trixie "" prosody lua5.4 lua-cjson luarocks liblua5.4-dev)

chroot_mount_proc() {
  mountpoint -q "$1/proc" || mount -t proc proc "$1/proc"
}

chroot_umount_proc() {
  if mountpoint -q "$1/proc" 2>/dev/null; then
    umount "$1/proc" 2>/dev/null || umount -l "$1/proc"
  fi
}

chroot_stop_all() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$1" ] && kill -9 "${p#/proc/}" 2>/dev/null
  done
  return 0
}

chroot_remove() {
  [ -n "$1" ] && [ -d "$1" ] || return 0
  chroot_umount_proc "$1"
  if grep -q " $(realpath "$1")/" /proc/mounts; then
    echo "chroot: something is still mounted under $1; not deleting it" >&2
    return 1
  fi
  rm -rf "$1"
}

# The root folder gets mode 755, as a system's / has: tarballs made before
# chroot_tarball set it carry mktemp's 700, under which no user but root can
# reach any file in the chroot (prosodyctl then says the config "is not
# readable by the 'prosody' user", and Prosody's user cannot load libc).
chroot_unpack() {
  mkdir -p "$2" && tar -C "$2" -xzf "$1" && chmod 755 "$2"
}

chroot_tarball_path() {
  local hash
  hash=$(printf '%s\n' "${@:2}" | sha256sum | cut -c1-10)
  echo "$LUAJWTJITSI_TOOLS/$1-$hash.tar.gz"
}

chroot_tarball() {
  local tarball name=$1 suite=$2 include=$3
  tarball=$(chroot_tarball_path "$@")
  shift 3
  if [ -s "$tarball" ]; then echo "$tarball"; return 0; fi
  need_apt debootstrap || return 1
  mkdir -p "$LUAJWTJITSI_TOOLS"
  local fresh log rc=0
  fresh=$(mktemp -d "${TMPDIR:-/tmp}/luajwt-$name.XXXXXX")
  chmod 755 "$fresh"
  log="$fresh.log"
  echo "chroot: making $name: debootstrap $suite${*:+, then apt-get install $*} (a few minutes; cached in $tarball)" >&2
  debootstrap --variant=minbase ${include:+--include="$include"} "$suite" "$fresh" "$CHROOT_MIRROR" > "$log" 2>&1 || rc=$?
  if [ "$rc" -eq 0 ] && [ $# -gt 0 ]; then
    # A subshell, so its trap unmounts /proc however apt-get ends.
    (
      trap 'chroot_umount_proc "$fresh"; rm -f "$fresh/usr/sbin/policy-rc.d"' EXIT
      printf '#!/bin/sh\nexit 101\n' > "$fresh/usr/sbin/policy-rc.d"; chmod 755 "$fresh/usr/sbin/policy-rc.d"
      chroot_mount_proc "$fresh"
      chroot "$fresh" apt-get update -qq &&
        chroot "$fresh" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" &&
        chroot "$fresh" apt-get clean
    ) >> "$log" 2>&1 || rc=$?
  fi
  if [ "$rc" -ne 0 ]; then
    echo "chroot: making $name failed; last lines of $log:" >&2; tail -n 8 "$log" >&2
    chroot_remove "$fresh"
    return 1
  fi
  tar -C "$fresh" --exclude=./usr/share/doc --exclude=./usr/share/man --exclude=./usr/share/locale \
    --exclude='./var/cache/apt/archives/*.deb' --exclude='./var/lib/apt/lists/*' \
    -czf "$tarball.tmp.$$" . && mv "$tarball.tmp.$$" "$tarball" || rc=$?
  rm -f "$tarball.tmp.$$" "$log"
  chroot_remove "$fresh"
  [ "$rc" -eq 0 ] && echo "$tarball"
}
