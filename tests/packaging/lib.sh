# Sourced by tests/packaging/rock.sh, deb.sh, arm64.sh and dist.sh: the
# checks of a rock installed into a luarocks tree, the package
# under test, and what every ELF file a package ships must be (readelf reads
# every architecture; the host's objdump only knows x86).
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/chroot-tools.sh"

# Counting and the closing lines (ok, bad, check, count_run, finish_stage)
# come from the stage library every shell stage uses.
. "$(dirname "${BASH_SOURCE[0]}")/../lib/stage.sh"

# Adds the counts of a load_check.lua run (its last line) to ours.
count_load_check() {
  local out="$1" p f
  printf '%s\n' "$out" | grep -v '^load_check' || true
  read -r p f < <(printf '%s\n' "$out" | sed -n 's/^load_check .*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -n 1)
  if [ -z "${p:-}" ]; then bad "load_check printed no result: $out"; return; fi
  pass=$((pass + p)); fail=$((fail + f))
}

# installed_check ROCK VERSION NAME TREE LUA V DIR: rock ROCK (VERSION) in
# TREE loads from there under interpreter LUA (Lua version V) and works; then
# `luarocks remove` takes it all out again. The caller defines `lr NAME ARGS...`
# (luarocks for flavour NAME) and `inroot CMD...` (runs CMD where the tree is:
# plain, or in a chroot whose root is $R); DIR holds load_check.lua and
# cases.lua, as seen by inroot.
R=${R:-}
inroot() { "$@"; }
installed_check() {
  local rock=$1 version=$2 name=$3 tree=$4 lua=$5 v=$6 dir=$7
  local so="$tree/lib/lua/$v/luajwtjitsi.so" shim="$tree/share/lua/$v/luajwtjitsi-native/luajwtjitsi.lib.lua"
  check "[$name] the tree has $so" "[ -f '$R$so' ]"
  check "[$name] the tree has $shim" "[ -f '$R$shim' ]"
  # Listings are captured before grep: under pipefail, `cmd | grep -q` fails
  # when grep stops reading early.
  local listed
  listed=$(lr "$name" --tree="$tree" list --porcelain)
  check "[$name] luarocks list shows $rock $version" "grep -q '^$rock	$version	installed' <<<\"\$listed\""
  # Only what `luarocks path` gives, from a folder holding no module.
  local paths out
  paths=$(lr "$name" --tree="$tree" path | sed -n "s/^export \(LUA_C\{0,1\}PATH\)='\(.*\)'$/\1=\2/p")
  out=$(inroot env -i PATH=/usr/bin:/bin $paths sh -c 'cd "$1" && shift && exec "$@"' _ "$dir" \
    "$lua" load_check.lua "$so" cases.lua "$shim" 2>&1) || true
  count_load_check "$out"
  check "[$name] luarocks remove $rock" "lr $name --tree='$tree' remove $rock >&2"
  local left
  left=$(find "$R$tree" -type f ! -name manifest)
  check "[$name] nothing of the rock is left in the tree${left:+ (left: $left)}" "[ -z \"\$left\" ]"
}

# debian_root NAME SUITE PACKAGES DEST: a Debian SUITE root with PACKAGES
# (comma-separated, debootstrap --include) unpacked into DEST, from the
# tarball scripts/chroot-tools.sh caches in $LUAJWTJITSI_TOOLS (made first by
# debootstrap when missing, a minute or two). Needs root.
# The one Debian 11 root deb.sh (dpkg, every Lua) and dist.sh (luarocks 2.4
# and lua5.2, headers removed) both use: one debootstrap on a fresh machine,
# not two.
DEBIAN11_ROOT=(debian11 bullseye lua5.1,lua5.2,lua5.3,lua5.4,luajit,liblua5.2-dev,luarocks)
# Debian 12, this machine's release, for tests that need a clean one
# (tests/packaging/apt_repo.sh): minbase and lua5.4.
DEBIAN12_ROOT=(debian12 bookworm lua5.4)
# The Prosody roots: Debian 13's Prosody 13 (DEBIAN13_PROSODY_ROOT, in
# scripts/chroot-tools.sh since make bench uses it too) and Debian 11's
# Prosody 0.11 on Lua 5.2 (tests/doctor/debian.sh), made by chroot_tarball
# with apt-get, since debootstrap's --include does not resolve Prosody's
# virtual dependencies.
DEBIAN11_PROSODY_ROOT=(debian11-prosody bullseye "" prosody lua-cjson)
debian_root() {
  local tarball
  tarball=$(chroot_tarball "$1" "$2" "$3") || return 1
  chroot_unpack "$tarball" "$4"
}

# deb_under_test ARCH: sets $deb to the file in $PKGTEST_DEB (amd64) or
# $PKGTEST_DEB_ARM64 (arm64) when set, else to a fresh
# `scripts/package-deb.sh ARCH`, and $version to the crate's; checks the
# file's name.
deb_under_test() {
  local given
  if [ "$1" = amd64 ]; then given=${PKGTEST_DEB:-}; else given=${PKGTEST_DEB_ARM64:-}; fi
  if [ -n "$given" ]; then
    deb=$given; echo "$1: testing $deb (not rebuilt)"
  else
    deb=$(scripts/package-deb.sh "$1" | tail -n 1)
  fi
  version=$(crate_field version)
  check "package file is lua-luajwtjitsi_${version}-1_$1.deb (got $deb)" "[ \"\$(basename '$deb')\" = 'lua-luajwtjitsi_${version}-1_$1.deb' ]"
}

# elf_checks FILE LABEL MACHINE LOADER [module]: FILE is a MACHINE ELF file
# (readelf -h's "Machine:", e.g. AArch64), needs no glibc symbol newer than
# GLIBC_2.28 and no library beyond libc6's, libgcc_s and LOADER (the dynamic
# loader's soname). With "module": it exports luaopen_luajwtjitsi,
# luaopen_basexx and luaopen_inspect (the fallbacks) and no other luaopen_*, defines
# no lua_* symbol (no embedded Lua) and takes lua_settop from the
# interpreter. LABEL names FILE in the messages.
elf_checks() {
  local f=$1 rel=$2 machine=$3 loader=$4 syms needed newest
  syms=$(readelf --dyn-syms -W "$f")
  check "$rel is an ELF file for $machine" "readelf -h '$f' | grep -qE 'Machine: +$machine\$'"
  newest=$(grep -o '@GLIBC_[0-9][0-9.]*' <<<"$syms" | sed 's/@GLIBC_//' | sort -uV | tail -n 1 || true)
  check "$rel needs no glibc symbol newer than 2.28 (newest: ${newest:-none})" \
    "[ -n '$newest' ] && [ \"\$(printf '%s\n' '$newest' 2.28 | sort -V | tail -n 1)\" = 2.28 ]"
  needed=$(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  check "$rel needs only libc6's libraries and libgcc_s (has: $needed)" \
    "! tr ' ' '\n' <<<'$needed' | grep -vE '^$|^(libc|libm|libdl|libpthread|librt)\.so\.[0-9]+$|^${loader//./\\.}$|^libgcc_s\.so\.1$' >/dev/null"
  if [ "${5:-}" = module ]; then
    # Defined symbols have a section number, undefined ones UND.
    local opens
    opens=$(sed -nE 's/.* FUNC +GLOBAL +DEFAULT +[0-9]+ (luaopen_[A-Za-z0-9_]+)$/\1/p' <<<"$syms" | sort | tr '\n' ' ')
    check "$rel exports exactly luaopen_basexx, luaopen_inspect, luaopen_luajwtjitsi (has: $opens)" \
      "[ '$opens' = 'luaopen_basexx luaopen_inspect luaopen_luajwtjitsi ' ]"
    check "$rel embeds no Lua (defines no lua_* symbol)" "! grep -qE ' [0-9]+ (lua|luaL)_[A-Za-z_]+$' <<<\"\$syms\""
    check "$rel takes lua_settop from the interpreter" "grep -qE ' UND lua_settop$' <<<\"\$syms\""
  fi
}

# fallback_links_check DIR LABEL: the basexx and inspect fallbacks
# (docs/jitsi-plugins.md): DIR/5.1 ... DIR/5.4 (a package's Lua C-module
# folders) each hold basexx.so and inspect.so as symlinks to luajwtjitsi.so.
fallback_links_check() {
  local v m
  for v in 5.1 5.2 5.3 5.4; do
    for m in basexx inspect; do
      check "$2/$v/$m.so is a symlink to luajwtjitsi.so" "[ -L '$1/$v/$m.so' ] && [ \"\$(readlink '$1/$v/$m.so')\" = luajwtjitsi.so ]"
    done
  done
}

# real_libs DIR: the real basexx.lua (0.4.1) and inspect.lua (3.1.1), one
# pure-Lua file each for every Lua, copied from need_oracle_root's root into
# DIR (for load_check.lua --fallbacks real DIR).
real_libs() {
  need_oracle_root "$1/oracle"
  cp "$1/oracle/usr/share/lua/5.1/basexx.lua" "$1/oracle/usr/share/lua/5.1/inspect.lua" "$1/"
  rm -rf "$1/oracle"
}

# package_elf_checks DIR MACHINE LOADER [PREFIX]: elf_checks on every ELF
# file below DIR (an unpacked package or tarball; *.so files as modules),
# named PREFIX/<path below DIR>; sets $elves to their count.
package_elf_checks() {
  local f rel kind
  elves=0
  while IFS= read -r -d '' f; do
    readelf -h "$f" >/dev/null 2>&1 || continue
    elves=$((elves + 1))
    rel=${4:-}/${f#"$1"/}
    case "$rel" in *.so) kind=module ;; *) kind="" ;; esac
    elf_checks "$f" "$rel" "$2" "$3" $kind
  done < <(find "$1" -type f -print0)
}

# dist_dir: the absolute path of build/dist, the release artifacts of
# scripts/dist.sh; runs it first when build/dist has no SHA256SUMS (a test run
# on its own; scripts/test.sh runs tests/packaging/dist.sh before the stages
# that call this). Progress goes to stderr.
dist_dir() {
  if [ -s build/dist/SHA256SUMS ]; then
    echo "using the artifacts in build/dist/ ($(date -r build/dist/SHA256SUMS -u '+%F %T UTC'))" >&2
  else
    scripts/dist.sh >&2
  fi
  echo "$PWD/build/dist"
}
