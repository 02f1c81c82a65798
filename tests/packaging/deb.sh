#!/usr/bin/env bash
# The Debian package, as an admin gets it (make deb, then dpkg):
#   1. build lua-luajwtjitsi_<version>_amd64.deb (scripts/package-deb.sh);
#   2. its fields and files; Depends is libc6 only; every shipped ELF file is
#      x86-64 and needs no glibc symbol newer than GLIBC_2.28, and each module
#      exports luaopen_luajwtjitsi (tests/packaging/lib.sh); lintian has nothing
#      to say (errors, warnings, info and pedantic tags all count);
#   3. the packaged files load in Debian 12's lua5.1-5.4 and luajit, straight
#      from the unpacked package, and a Rust panic under LuaJIT reaches Lua as
#      an error (a probe build made with the same toolchain); basexx.so and
#      inspect.so are symlinks to luajwtjitsi.so in each Lua folder, and
#      `require "basexx"` / `require "inspect"` give this package's fallbacks
#      when no basexx.lua / inspect.lua is on package.path, the real basexx
#      0.4.1 and inspect 3.1.1 (need_oracle_root) when they are
#      (tests/packaging/load_check.lua --fallbacks);
#   4. installed with dpkg in a Debian 11 chroot (debootstrap, cached as a
#      tarball), or on this machine with PKGTEST_ON_HOST=1 or when no chroot
#      can be made: lua5.1-5.4 and luajit load it from the system path and
#      verify vectors, `require "basexx"` and `require "inspect"` give the
#      fallbacks from the system path, and the real libraries once those are
#      first on package.path; each program in /usr/bin (jitsi-jwt) runs; jitsi-meet-prosody's luajwtjitsi.lib.lua (a stand-in
#      file before install, a stand-in jitsi-meet-prosody package before and
#      after install) is diverted with our shim in its place; dpkg -r and
#      dpkg -P give it back and remove the diversion.
# The chroot is a temporary folder, deleted on exit; the host run removes
# both packages, the stand-in file and the diversion on exit, pass or fail.
# PKGTEST_DEB=<file> tests that package instead of building one (step 1 is
# skipped); PKGTEST_VERBOSE=1 prints every check, not only failures.
# Last line: "deb: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
. tests/packaging/lib.sh

need_apt lintian dpkg-dev binutils lua5.1 lua5.2 lua5.3 lua5.4 luajit
work=$(mktemp -d)
host_cleanup=:
cleanup() { eval "$host_cleanup"; rm -rf "$work"; }
trap cleanup EXIT

# ---- 1. build
deb_under_test amd64
cp "$deb" "$work/lua-luajwtjitsi.deb"

# ---- 2. fields, files, glibc symbols, lintian
field() { dpkg-deb -f "$deb" "$1"; }
check "Depends is libc6 only (got: $(field Depends))" "[[ \"\$(field Depends)\" =~ ^libc6\ \(\>=\ 2\.([0-9]+)\)$ ]] && [ \"\${BASH_REMATCH[1]}\" -le 28 ]"
for f in Section Priority Homepage Maintainer Description; do
  check "field $f is set" "[ -n \"\$(field $f)\" ]"
done
check "Section is interpreters" "[ \"\$(field Section)\" = interpreters ]"
dpkg-deb -x "$deb" "$work/unpacked"
u="$work/unpacked"
expected=(
  usr/lib/x86_64-linux-gnu/lua/5.1/luajwtjitsi.so usr/lib/x86_64-linux-gnu/lua/5.2/luajwtjitsi.so
  usr/lib/x86_64-linux-gnu/lua/5.3/luajwtjitsi.so usr/lib/x86_64-linux-gnu/lua/5.4/luajwtjitsi.so
  usr/share/jitsi-meet/prosody-plugins/luajwtjitsi.lib.lua
  usr/share/doc/lua-luajwtjitsi/copyright usr/share/doc/lua-luajwtjitsi/changelog.Debian.gz
  usr/share/doc/lua-luajwtjitsi/changelog.gz usr/share/doc/lua-luajwtjitsi/README.md
)
# Every program of the workspace must be in the package (an asset line in Cargo.toml).
for b in $(crate_bins); do expected+=("usr/bin/$b"); done
# The pages the README links travel with it.
for f in docs/*.md; do expected+=("usr/share/doc/lua-luajwtjitsi/$f"); done
for f in "${expected[@]}"; do check "package holds /$f" "[ -f '$u/$f' ]"; done
fallback_links_check "$u/usr/lib/x86_64-linux-gnu/lua" /usr/lib/x86_64-linux-gnu/lua
check "the packaged shim is lua/luajwtjitsi.lib.lua" "cmp -s lua/luajwtjitsi.lib.lua '$u/usr/share/jitsi-meet/prosody-plugins/luajwtjitsi.lib.lua'"
check "md5sums lists every file" "[ \"\$(dpkg-deb --ctrl-tarfile '$deb' | tar -xO ./md5sums | wc -l)\" -eq \"\$(find '$u' -type f | wc -l)\" ]"
package_elf_checks "$u" "Advanced Micro Devices X86-64" ld-linux-x86-64.so.2
check "package holds 4 ELF files or more (found $elves)" "[ $elves -ge 4 ]"
lint=$(lintian --pedantic --info --tag-display-limit 0 "$deb" 2>&1 | grep -v '^running with root privileges' || true)
check "lintian --pedantic --info: no tags${lint:+ (got: $lint)}" "[ -z \"\$lint\" ]"

# ---- 3. the unpacked files under this machine's interpreters; panic under LuaJIT
tests/packaging/cases.py > "$work/cases.lua"
cp tests/packaging/load_check.lua "$work/"
real_libs "$work/real"
for pair in lua5.1:5.1 lua5.2:5.2 lua5.3:5.3 lua5.4:5.4 luajit:5.1; do
  lua=${pair%:*}; v=${pair#*:}; dir="$u/usr/lib/x86_64-linux-gnu/lua/$v"
  out=$(cd "$work" && env -i PATH=/usr/bin:/bin LUA_CPATH="$dir/?.so" LUA_PATH="/nonexistent/?.lua" \
    "$lua" load_check.lua "$dir/luajwtjitsi.so" cases.lua "$u/usr/share/jitsi-meet/prosody-plugins/luajwtjitsi.lib.lua" 2>&1) || true
  count_load_check "$out"
  out=$(cd "$work" && env -i PATH=/usr/bin:/bin LUA_CPATH="$dir/?.so" LUA_PATH="/nonexistent/?.lua" \
    "$lua" load_check.lua --fallbacks fallback 2>&1) || true
  count_load_check "$out"
  out=$(cd "$work" && env -i PATH=/usr/bin:/bin LUA_CPATH="$dir/?.so" LUA_PATH="$work/real/?.lua" \
    "$lua" load_check.lua --fallbacks real "$work/real" 2>&1) || true
  count_load_check "$out"
done
need_zigbuild
zig_build_module --no-default-features --features lua51,module,panic-probe --lib
mkdir -p "$work/probe"
cp "target/$ZIG_TARGET/release/libluajwtjitsi.so" "$work/probe/luajwtjitsi.so"
for lua in luajit lua5.1; do
  out=$(env -i PATH=/usr/bin:/bin RUST_BACKTRACE=0 LUA_CPATH="$work/probe/?.so" "$lua" -e '
    local jwt = require "luajwtjitsi"
    local ok, err = pcall(jwt._internals._panic)
    assert(not ok and tostring(err):find("panic-probe", 1, true), tostring(err))
    assert(jwt.verify(jwt.encode({ sub = "after" }, "s"), "HS256", "s").sub == "after")
    io.write("caught")' 2>/dev/null) || true
  check "a panic in the zig-built lua51 module is a Lua error under $lua" "[ \"\$out\" = caught ]"
done

# ---- 4. dpkg: install, diversion both ways, remove, purge
jitsi_lib=/usr/share/jitsi-meet/prosody-plugins/luajwtjitsi.lib.lua
# A stand-in for jitsi-meet-prosody: a package that ships jitsi's file.
mkdir -p "$work/standin/DEBIAN" "$work/standin$(dirname "$jitsi_lib")"
printf -- '-- stand-in for the pure-Lua luajwtjitsi of jitsi-meet-prosody\nreturn { standin = "package" }\n' \
  > "$work/standin$jitsi_lib"
cat > "$work/standin/DEBIAN/control" <<CONTROL
Package: jitsi-meet-prosody
Version: 0.0~standin
Architecture: all
Maintainer: luajwtjitsi tests <tests@localhost>
Description: stand-in for jitsi-meet-prosody (luajwtjitsi package test)
 Ships only prosody-plugins/luajwtjitsi.lib.lua.
CONTROL
dpkg-deb --root-owner-group --build "$work/standin" "$work/jitsi-meet-prosody.deb" >/dev/null
printf -- '-- stand-in file, no package\nreturn { standin = "file" }\n' > "$work/standin-file.lua"

# R is the root the packages go into; run runs a command inside it.
R=""; mode=""
make_chroot() {
  local tarball
  tarball=$(chroot_tarball "${DEBIAN11_ROOT[@]}") || return 1
  chroot_unpack "$tarball" "$work/chroot" || return 1
  R="$work/chroot"
}
if [ "$(id -u)" -ne 0 ]; then
  bad "dpkg tests need root (dpkg -i into a chroot or this machine)"
elif [ "${PKGTEST_ON_HOST:-0}" != 1 ] && make_chroot; then
  mode="Debian $(cat "$R/etc/debian_version") chroot"
else
  [ "${PKGTEST_ON_HOST:-0}" = 1 ] || echo "deb: no chroot could be made; installing on this machine instead" >&2
  mode="this machine ($(. /etc/os-release; echo "$PRETTY_NAME"))"
  # Refuse to touch a machine where jitsi or this package is already in play.
  for p in lua-luajwtjitsi jitsi-meet-prosody; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    if [ -n "$st" ] && [[ "$st" != *not-installed* ]]; then
      bad "$p is already known to dpkg here; not testing on this machine"; mode=""
    fi
  done
  if [ -e "$jitsi_lib" ] || [ -n "$(dpkg-divert --listpackage "$jitsi_lib")" ]; then
    bad "$jitsi_lib or a diversion of it already exists here; not testing on this machine"; mode=""
  fi
  [ -d /usr/share/jitsi-meet ] && had_jitsi_dir=1 || had_jitsi_dir=0
  host_cleanup='dpkg -P lua-luajwtjitsi jitsi-meet-prosody >/dev/null 2>&1 || true
    rm -f "$jitsi_lib" "$jitsi_lib.distrib"
    dpkg-divert --package lua-luajwtjitsi --remove "$jitsi_lib" >/dev/null 2>&1 || true
    [ "$had_jitsi_dir" = 1 ] || rm -rf /usr/share/jitsi-meet'
fi

run() { if [ -n "$R" ]; then chroot "$R" "$@"; else "$@"; fi; }
dpkgq() { run dpkg "$@" > "$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; return 1; }; }
status() { run dpkg-query -W -f='${Status}' "$1" 2>/dev/null || echo not-installed; }
diverted_by() { run dpkg-divert --listpackage "$jitsi_lib"; }
same_as() { cmp -s "$R$jitsi_lib" "$1"; }

if [ -n "$mode" ]; then
  echo "deb: dpkg tests in $mode"
  mkdir -p "$R/tmp/pkgtest"
  cp "$work/lua-luajwtjitsi.deb" "$work/jitsi-meet-prosody.deb" "$work/load_check.lua" "$work/cases.lua" "$R/tmp/pkgtest/"
  mkdir -p "$R/tmp/pkgtest/real"; cp "$work/real/"*.lua "$R/tmp/pkgtest/real/"
  shim=lua/luajwtjitsi.lib.lua
  jitsi_file="$work/standin$jitsi_lib"

  installed_checks() { # $1: what jitsi's file should now be at the .distrib name
    check "[$2] lua-luajwtjitsi is installed" "[ \"\$(status lua-luajwtjitsi)\" = 'install ok installed' ]"
    check "[$2] $jitsi_lib is our shim" "same_as '$shim'"
    check "[$2] jitsi's file is at $jitsi_lib.distrib" "cmp -s '$R$jitsi_lib.distrib' '$1'"
    check "[$2] the diversion belongs to lua-luajwtjitsi" "[ \"\$(diverted_by)\" = lua-luajwtjitsi ]"
  }
  gone_checks() { # $1: what should be back at jitsi's path ("" = nothing)
    for v in 5.1 5.2 5.3 5.4; do
      for m in luajwtjitsi basexx inspect; do
        check "[$2] /usr/lib/x86_64-linux-gnu/lua/$v/$m.so is gone" "[ ! -e '$R/usr/lib/x86_64-linux-gnu/lua/$v/$m.so' ] && [ ! -L '$R/usr/lib/x86_64-linux-gnu/lua/$v/$m.so' ]"
      done
    done
    for b in $(crate_bins); do check "[$2] /usr/bin/$b is gone" "[ ! -e '$R/usr/bin/$b' ]"; done
    check "[$2] no diversion of $jitsi_lib is left" "[ -z \"\$(diverted_by)\" ]"
    check "[$2] no $jitsi_lib.distrib is left" "[ ! -e '$R$jitsi_lib.distrib' ]"
    if [ -n "$1" ]; then
      check "[$2] jitsi's file is back at $jitsi_lib" "same_as '$1'"
    else
      check "[$2] nothing is left at $jitsi_lib" "[ ! -e '$R$jitsi_lib' ]"
    fi
  }

  # Run 1: a stand-in file (no package) is there before install; dpkg -r, then -P.
  t="file before install"
  mkdir -p "$R$(dirname "$jitsi_lib")"; cp "$work/standin-file.lua" "$R$jitsi_lib"
  check "[$t] dpkg -i lua-luajwtjitsi" "dpkgq -i /tmp/pkgtest/lua-luajwtjitsi.deb"
  installed_checks "$work/standin-file.lua" "$t"
  for pair in lua5.1:5.1 lua5.2:5.2 lua5.3:5.3 lua5.4:5.4 luajit:5.1; do
    lua=${pair%:*}; v=${pair#*:}
    out=$(run env -i PATH=/usr/bin:/bin "$lua" /tmp/pkgtest/load_check.lua \
      "/usr/lib/x86_64-linux-gnu/lua/$v/luajwtjitsi.so" /tmp/pkgtest/cases.lua "$jitsi_lib" 2>&1) || true
    count_load_check "$out"
    # The system's package.path and cpath, nothing set: the fallbacks; then
    # the real libraries first on package.path, as luarocks would put them.
    out=$(run env -i PATH=/usr/bin:/bin "$lua" /tmp/pkgtest/load_check.lua --fallbacks fallback 2>&1) || true
    count_load_check "$out"
    out=$(run env -i PATH=/usr/bin:/bin LUA_PATH="/tmp/pkgtest/real/?.lua;;" \
      "$lua" /tmp/pkgtest/load_check.lua --fallbacks real /tmp/pkgtest/real 2>&1) || true
    count_load_check "$out"
  done
  for b in $(crate_bins); do
    check "[$t] /usr/bin/$b runs (--version)" "[ \"\$(run env -i PATH=/usr/bin:/bin /usr/bin/$b --version 2>&1)\" = '$b $version' ]"
  done
  check "[$t] dpkg -r lua-luajwtjitsi" "dpkgq -r lua-luajwtjitsi"
  gone_checks "$work/standin-file.lua" "$t, after -r"
  check "[$t] dpkg -P lua-luajwtjitsi" "dpkgq -P lua-luajwtjitsi"
  check "[$t] purged" "[ \"\$(status lua-luajwtjitsi)\" != 'deinstall ok config-files' ]"
  gone_checks "$work/standin-file.lua" "$t, after -P"
  rm -f "$R$jitsi_lib"

  # Run 2: jitsi-meet-prosody (stand-in package) comes after us; dpkg -P alone.
  t="jitsi package after install"
  check "[$t] dpkg -i lua-luajwtjitsi" "dpkgq -i /tmp/pkgtest/lua-luajwtjitsi.deb"
  check "[$t] $jitsi_lib is our shim" "same_as '$shim'"
  check "[$t] dpkg -i jitsi-meet-prosody" "dpkgq -i /tmp/pkgtest/jitsi-meet-prosody.deb"
  installed_checks "$jitsi_file" "$t"
  check "[$t] dpkg -P lua-luajwtjitsi" "dpkgq -P lua-luajwtjitsi"
  gone_checks "$jitsi_file" "$t, after -P"
  check "[$t] dpkg -P jitsi-meet-prosody" "dpkgq -P jitsi-meet-prosody"

  # Run 3: jitsi-meet-prosody is there first (the usual upgrade); -r, then -P.
  t="jitsi package before install"
  check "[$t] dpkg -i jitsi-meet-prosody" "dpkgq -i /tmp/pkgtest/jitsi-meet-prosody.deb"
  check "[$t] dpkg -i lua-luajwtjitsi" "dpkgq -i /tmp/pkgtest/lua-luajwtjitsi.deb"
  installed_checks "$jitsi_file" "$t"
  check "[$t] dpkg -r lua-luajwtjitsi" "dpkgq -r lua-luajwtjitsi"
  gone_checks "$jitsi_file" "$t, after -r"
  check "[$t] dpkg -P lua-luajwtjitsi" "dpkgq -P lua-luajwtjitsi"
  gone_checks "$jitsi_file" "$t, after -P"
  check "[$t] dpkg -P jitsi-meet-prosody" "dpkgq -P jitsi-meet-prosody"
  check "[$t] dpkg knows neither package any more" \
    "[ \"\$(status lua-luajwtjitsi)\" != 'install ok installed' ] && [ -z \"\$(run dpkg-query -W -f='\${Status}' lua-luajwtjitsi jitsi-meet-prosody 2>/dev/null | grep -v not-installed)\" ]"
fi

echo "deb: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
