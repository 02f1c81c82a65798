# Sourced by tests/packaging/rock.sh and dist.sh: counting checks, and the
# checks of a rock installed into a luarocks tree.
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/chroot-tools.sh"

pass=0; fail=0
ok() { pass=$((pass + 1)); [ "${PKGTEST_VERBOSE:-0}" != 1 ] || echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
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
debian_root() {
  local tarball
  tarball=$(chroot_tarball "$1" "$2" "$3") || return 1
  chroot_unpack "$tarball" "$4"
}
