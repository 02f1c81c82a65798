#!/usr/bin/env bash
# basexx and inspect for Jitsi's token plugins in this machine's Prosody 0.12
# (Lua 5.4), from the Debian package's files
# (docs/jitsi-plugins.md):
#   1. the .deb is unpacked (PKGTEST_DEB, else build/deb's amd64 one, else
#      scripts/package-deb.sh amd64 makes it); its Lua 5.4 folder
#      /usr/lib/x86_64-linux-gnu/lua/5.4/ is Prosody's first package.cpath
#      folder, as the installed package's is, and holds basexx.so and
#      inspect.so as symlinks to luajwtjitsi.so;
#   2. with that environment, lua5.4 finds no basexx.lua or inspect.lua on
#      package.path (none installed here), and finds the package's basexx.so
#      and inspect.so on package.cpath;
#   3. tests/prosody/test_fallback.py: the probe plugin, which requires
#      basexx, cjson.safe, inspect and then the shim as Jitsi's token plugins
#      do, logs good tokens in and refuses bad ones over BOSH, and Prosody's
#      log says basexx and inspect are this package's fallbacks;
#   4. the same with the real basexx 0.4.1 and inspect 3.1.1 (Debian
#      unstable's lua-basexx and lua-inspect, need_oracle_root) first on
#      Prosody's package.path for this run only: the log names their files.
# Nothing is installed on this machine; the temporary folder goes on exit.
# Needs scripts/setup.sh (prosody, .venv) and build/lua54/luajwtjitsi.so
# (test tokens are minted with it). Last lines: "prosody-fallback-host: took
# N s", "prosody-fallback-host: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
# lib.sh: check, bad, count_run, and scripts/package-tools.sh (need_oracle_root).
. tests/packaging/lib.sh
stage_begin prosody-fallback-host
finish() { finish_stage; }
work=$(mktemp -d)
on_exit 'rm -rf "$work"'

PY=.venv/bin/python
if ! command -v prosody >/dev/null || ! "$PY" -c 'import jwt, websockets' 2>/dev/null \
   || [ ! -f build/lua54/luajwtjitsi.so ]; then
  bad "needs prosody, $PY with pyjwt and websockets (scripts/setup.sh) and build/lua54 (scripts/build.sh lua54)"
  finish; exit 1
fi

# ---- 1. the package's files
deb=${PKGTEST_DEB:-$(ls build/deb/lua-luajwtjitsi_*_amd64.deb 2>/dev/null || true)}
[ -n "$deb" ] || deb=$(scripts/package-deb.sh amd64 | tail -n 1)
echo "prosody-fallback-host: the files of $deb"
dpkg-deb -x "$deb" "$work/deb"
dir="$work/deb/usr/lib/x86_64-linux-gnu/lua/5.4"
for m in basexx inspect; do
  check "the package's $m.so is a symlink to luajwtjitsi.so" "[ \"\$(readlink '$dir/$m.so')\" = luajwtjitsi.so ]"
done

# ---- 2. what Lua 5.4 finds with Prosody's environment
# The run's Lua environment: LUA_CPATH_5_4 as harness.py sets it, LUA_PATH_5_4
# given or unset (then Lua 5.4's default package.path).
found() { # PATH_DIR MODULE: what lua5.4 finds for MODULE on package.path, then package.cpath
  env -i PATH=/usr/bin:/bin LUA_CPATH_5_4="$dir/?.so;;" ${1:+LUA_PATH_5_4="$1/?.lua;;"} lua5.4 -e "
    io.write(tostring(package.searchpath('$2', package.path)), ' ', tostring(package.searchpath('$2', package.cpath)))"
}
for m in basexx inspect; do
  got=$(found "" $m)
  check "without a real $m: lua5.4 finds no $m.lua and the package's $m.so (got: $got)" "[ '$got' = 'nil $dir/$m.so' ]"
done

# ---- 3. and 4. Prosody, with the fallbacks and then with the real libraries
need_oracle_root "$work/oracle"
real="$work/oracle/usr/share/lua/5.4"
for m in basexx inspect; do
  got=$(found "$real" $m)
  check "with the real $m on package.path: lua5.4 finds $real/$m.lua first (got: $got)" "[ '$got' = '$real/$m.lua $dir/$m.so' ]"
done
run_probe() { # LABEL BASEXX_SOURCE INSPECT_SOURCE [PATH_DIR]
  count_run prosody-fallback "$PY" tests/prosody/test_fallback.py --label "$1" \
    --basexx-source "$2" --inspect-source "$3" --cpath-dir "$dir" ${4:+--path-dir "$4"}
}
run_probe "Prosody 0.12, no basexx.lua or inspect.lua" \
  "=luajwtjitsi fallback basexx" "=luajwtjitsi fallback inspect"
run_probe "Prosody 0.12, the real basexx and inspect on package.path" \
  "@$real/basexx.lua" "@$real/inspect.lua" "$real"
finish
