#!/usr/bin/env bash
# The luarocks rock, as an admin installs it:
#   1. `luarocks lint` passes on rockspec/*.rockspec;
#   2. for Lua 5.2, 5.4 and LuaJIT (luarocks' 5.1 with luajit as the
#      interpreter): `luarocks make` into a fresh temporary tree; the
#      interpreter, with only that tree's `luarocks path`, finds the .so in the
#      tree first (the build folder's copy is deleted beforehand), verifies
#      vectors, and loads the Prosody shim from the tree; `luarocks remove`
#      leaves no file of the rock behind;
#   3. `luarocks pack` makes a source rock from a tarball of the tracked
#      files, and that source rock installs (Lua 5.4), loads and is removed.
# The cargo builds share target/ with scripts/build.sh (CARGO_TARGET_DIR), so
# after `make build` the `luarocks make` steps compile nothing new.
# Last lines: "rock: took N s", "rock: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
. scripts/package-tools.sh

. tests/packaging/lib.sh

# luarocks checks for lua.h before any build type runs, so the -dev packages
# are needed although cargo never reads the headers.
need_apt luarocks lua5.2 lua5.4 luajit liblua5.2-dev liblua5.4-dev libluajit-5.1-dev
spec=(rockspec/luajwtjitsi-native-[0-9]*.rockspec)
[ ${#spec[@]} -eq 1 ] || { echo "rock: expected one rockspec in rockspec/, found ${#spec[@]}" >&2; exit 1; }
spec=${spec[0]}
rock_version=$(basename "$spec" .rockspec); rock_version=${rock_version#luajwtjitsi-native-}

work=$(mktemp -d)
stage_begin rock
on_exit 'rm -rf "$work"'
export CARGO_TARGET_DIR="$root/target"
tests/packaging/cases.py > "$work/cases.lua"
cp tests/packaging/load_check.lua "$work/"
cat > "$work/luajit-config.lua" <<'LUA'
lua_interpreter = "luajit"
variables = { LUA = "/usr/bin/luajit", LUA_INCDIR = "/usr/include/luajit-2.1" }
LUA

check "luarocks lint $spec" "luarocks lint '$spec' >&2"

# lr NAME ARGS...: luarocks for flavour NAME (5.2, 5.4 or luajit).
lr() {
  local name=$1; shift
  case "$name" in
    luajit) LUAROCKS_CONFIG="$work/luajit-config.lua" luarocks --lua-version 5.1 "$@" ;;
    *) luarocks --lua-version "$name" "$@" ;;
  esac
}

# rock_installed_check NAME TREE: the rock in TREE loads from there and works;
# then `luarocks remove` takes it all out again (tests/packaging/lib.sh).
rock_installed_check() {
  case "$1" in
    luajit) installed_check luajwtjitsi-native "$rock_version" "$1" "$2" luajit 5.1 "$work" ;;
    *) installed_check luajwtjitsi-native "$rock_version" "$1" "$2" "lua$1" "$1" "$work" ;;
  esac
}

for name in 5.2 5.4 luajit; do
  tree="$work/tree-$name"
  echo "== luarocks make ($name) into $tree" >&2
  if lr "$name" --tree "$tree" make "$spec" > "$work/make-$name.log" 2>&1; then
    check "[$name] luarocks make" true
    case "$name" in luajit) feature=luajit ;; *) feature="lua${name/./}" ;; esac
    check "[$name] the rock built the $feature flavour" "grep -q 'cargo build --features $feature,module' '$work/make-$name.log'"
    # The build folder's copy must not be what loads.
    rm -rf build/rock
    rock_installed_check "$name" "$tree"
  else
    check "[$name] luarocks make (log: $(tail -n 5 "$work/make-$name.log"))" false
  fi
done

# Source rock: luarocks pack fetches the rockspec's source, here a local
# tarball of the tracked files in place of the git tag.
echo "== luarocks pack" >&2
src="luajwtjitsi-native-${rock_version%-*}"
mkdir -p "$work/src/$src" "$work/pack"
git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$work/src/$src"
tar -C "$work/src" -czf "$work/$src.tar.gz" "$src"
sed -e "s|^   url = .*|   url = \"file://$work/$src.tar.gz\", dir = \"$src\",|" -e '/^   tag = /d' \
  "$spec" > "$work/pack/$(basename "$spec")"
check "luarocks pack" "(cd '$work/pack' && luarocks pack '$(basename "$spec")' >&2)"
srcrock="$work/pack/luajwtjitsi-native-$rock_version.src.rock"
listing=$(unzip -l "$srcrock" 2>&1 || true)
check "the source rock holds the rockspec and the source" \
  "grep -q 'luajwtjitsi-native-$rock_version.rockspec' <<<\"\$listing\" && grep -q '$src.tar.gz' <<<\"\$listing\""
if lr 5.4 --tree "$work/tree-src" install "$srcrock" > "$work/install-src.log" 2>&1; then
  check "[5.4] luarocks install of the source rock" true
  check "[5.4] the source rock built the lua54 flavour" "grep -q 'cargo build --features lua54,module' '$work/install-src.log'"
  rock_installed_check 5.4 "$work/tree-src"
else
  check "[5.4] luarocks install of the source rock (log: $(tail -n 5 "$work/install-src.log"))" false
fi

finish_stage rock
