#!/usr/bin/env bash
# Run the busted specs in tests/lua/ against the fresh build of each flavour.
#
#   tests/lua/run.sh                  # all five: lua51 lua52 lua53 lua54 luajit
#   tests/lua/run.sh lua54 luajit     # some of them
#   BUSTED_ARGS="--filter=HS256" tests/lua/run.sh lua54   # extra busted options
#   LUAJWT_WRAP="valgrind ..." tests/lua/run.sh lua54      # run the interpreter under a tool
#
# For each flavour: build/<flavour>/luajwtjitsi.so must exist (scripts/build.sh
# makes it); busted then runs under that flavour's interpreter with
#   LUA_CPATH = build/<flavour>/?.so first, then Debian's C modules (cjson, busted's deps)
#   LUA_PATH  = tests/lua/ (helpers), then Debian's Lua modules (dkjson, busted)
# and nothing else: no ./?.lua, no /usr/local. The per-version LUA_CPATH_5_x /
# LUA_PATH_5_x (which take precedence in 5.2-5.4) are set to the same values,
# and LUA_INIT* is unset. 00_fresh_build_spec.lua then checks that the module
# loaded really is the fresh build. Exit status is non-zero if any flavour fails.
# Counts: busted's successes pass, its failures and errors fail, its pending
# are skipped; a flavour that cannot run, or loads the wrong module, fails.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
root="$(cd "$here/../.." && pwd -P)"
. "$root/tests/lib/stage.sh"
stage_begin busted
cd "$root"

flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(lua51 lua52 lua53 lua54 luajit)

busted_bin="$(command -v busted || true)"
[ -n "$busted_bin" ] || give_up "busted not found (Debian: apt-get install lua-busted; see scripts/setup.sh)"

multiarch="$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)"

summary=()

for f in "${flavours[@]}"; do
  case "$f" in
    lua51)  interp=lua5.1; abi=5.1 ;;
    lua52)  interp=lua5.2; abi=5.2 ;;
    lua53)  interp=lua5.3; abi=5.3 ;;
    lua54)  interp=lua5.4; abi=5.4 ;;
    luajit) interp=luajit; abi=5.1 ;;
    *) echo "run.sh: unknown flavour '$f' (lua51 lua52 lua53 lua54 luajit)" >&2; exit 2 ;;
  esac

  so="$root/build/$f/luajwtjitsi.so"
  if [ ! -f "$so" ]; then
    echo "run.sh: $f: $so does not exist; build it first: scripts/build.sh $f" >&2
    summary+=("$f: FAIL (no build: build/$f/luajwtjitsi.so missing)")
    bad "$f: no build/$f/luajwtjitsi.so"
    continue
  fi
  if ! command -v "$interp" >/dev/null; then
    echo "run.sh: $f: interpreter $interp not found (see scripts/setup.sh)" >&2
    summary+=("$f: FAIL (interpreter $interp missing)")
    bad "$f: no $interp"
    continue
  fi

  cpath="$root/build/$f/?.so;/usr/lib/$multiarch/lua/$abi/?.so"
  lpath="$root/tests/lua/?.lua;/usr/share/lua/$abi/?.lua;/usr/share/lua/$abi/?/init.lua"

  echo "== $f ($interp, $so)" >&2
  log="$(mktemp)"
  set +e # busted's status is read below
  # shellcheck disable=SC2086  # BUSTED_ARGS and LUAJWT_WRAP are word-split on purpose
  env -u LUA_INIT -u LUA_INIT_5_2 -u LUA_INIT_5_3 -u LUA_INIT_5_4 \
    -u LUA_PATH_5_2 -u LUA_PATH_5_3 -u LUA_PATH_5_4 \
    -u LUA_CPATH_5_2 -u LUA_CPATH_5_3 -u LUA_CPATH_5_4 \
    LUA_PATH="$lpath" LUA_CPATH="$cpath" \
    "LUA_PATH_${abi/./_}=$lpath" "LUA_CPATH_${abi/./_}=$cpath" \
    LUAJWT_FLAVOUR="$f" LUAJWT_SO="$so" LUAJWT_ROOT="$root" LUAJWT_LUA="$interp" \
    ${LUAJWT_WRAP:-} "$interp" "$busted_bin" \
      --helper="$root/tests/lua/helper.lua" \
      --lpath="$root/tests/lua/?.lua" --cpath="$root/build/$f/?.so" \
      --pattern=_spec --sort-files ${BUSTED_ARGS:-} \
      "$root/tests/lua" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e

  # busted's last line: "N successes / N failures / N errors / N pending : T seconds"
  counts="$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '[0-9]+ success(es)? / [0-9]+ failures? / [0-9]+ errors? / [0-9]+ pending' | tail -n 1 || true)"
  s_failures=0 s_errors=0
  if [ -n "$counts" ]; then
    read -r s_ok _ _ s_failures _ _ s_errors _ _ s_pending _ <<<"$counts"
    add_counts "$s_ok" "$((s_failures + s_errors))" "$s_pending"
  fi
  fresh="ok"
  if grep -q "is NOT the fresh build" "$log"; then fresh="WRONG MODULE LOADED"; fi
  rm -f "$log"

  if [ "$rc" -eq 0 ] && [ "$fresh" = ok ]; then
    summary+=("$f: PASS  ${counts:-(no busted summary)}")
  else
    # A crash, or the wrong module, is a failure busted did not count.
    [ "$fresh" = ok ] && [ $((s_failures + s_errors)) -gt 0 ] || bad "$f: busted exit $rc, $fresh"
    if [ "$fresh" != ok ]; then
      summary+=("$f: FAIL  $fresh: results are meaningless  ${counts:-}")
    else
      summary+=("$f: FAIL (busted exit $rc)  ${counts:-(no busted summary: crashed?)}")
    fi
  fi
done

echo
echo "== summary"
for line in "${summary[@]}"; do echo "$line"; done
finish_stage
