#!/usr/bin/env bash
# The inspect fallback (src/lua/fallback/inspect.lua, issue 18) against the
# real inspect.lua 3.1.1 from Debian's lua-inspect (fetched and cached by
# need_oracle_root, never committed), under lua5.1, lua5.2, lua5.3, lua5.4 and
# luajit. Ours is loaded the way a host loads it: `require "inspect"` with no
# inspect.lua on package.path and build/<flavour>/luajwtjitsi.so reachable as
# inspect.so on package.cpath (built here when missing). The driver
# (inspect_driver.lua) checks that, then compares outputs on seeded generated
# values: INSPECT_SEED reproduces a run, INSPECT_COUNT (default 10000) is the
# number of values per interpreter.
# Counts: one check per interpreter, passed when the loading checks and every
# value agree (the driver prints how many). Last lines:
# "fallback-inspect: took N s", "fallback-inspect: N passed, N failed, N skipped".
. "$(dirname "${BASH_SOURCE[0]}")/../lib/stage.sh"
stage_begin fallback-inspect
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=scripts/package-tools.sh
. scripts/package-tools.sh

seed=${INSPECT_SEED:-$(( $(date +%s) % 1000000007 ))}
count=${INSPECT_COUNT:-10000}
echo "fallback-inspect: seed $seed (INSPECT_SEED=$seed reproduces), $count values per interpreter"

work=$(mktemp -d)
on_exit 'rm -rf "$work"'
need_oracle_root "$work/oracle" || give_up "could not fetch the real inspect.lua (Debian's lua-inspect)"

# interpreter, flavour, the oracle's Lua folder. Debian's lua-inspect has no
# 5.2 folder; its 5.1 file serves 5.2 (the same file is in every folder).
runs=("lua5.1 lua51 5.1" "lua5.2 lua52 5.1" "lua5.3 lua53 5.3" "lua5.4 lua54 5.4" "luajit luajit 5.1")
pids=()
for r in "${runs[@]}"; do
  read -r lua flavour dir <<<"$r"
  command -v "$lua" >/dev/null || give_up "$lua is missing: run scripts/setup.sh first"
  [ -s "build/$flavour/luajwtjitsi.so" ] || scripts/build.sh "$flavour" || give_up "scripts/build.sh $flavour failed"
  mkdir -p "$work/$flavour"
  cp "build/$flavour/luajwtjitsi.so" "$work/$flavour/"
  ln -s luajwtjitsi.so "$work/$flavour/inspect.so"
  real="$work/oracle/usr/share/lua/$dir/inspect.lua"
  # No LUA_PATH/LUA_INIT from the caller's shell: the driver sets the paths.
  env -u LUA_PATH -u LUA_CPATH -u LUA_INIT -u LUA_PATH_5_2 -u LUA_PATH_5_3 -u LUA_PATH_5_4 \
    "$lua" tests/fallback/inspect_driver.lua "$real" "$work/$flavour" "$seed" "$count" \
    > "$work/$flavour.log" 2>&1 &
  pids+=("$!")
done
i=0
for r in "${runs[@]}"; do
  read -r lua flavour dir <<<"$r"
  rc=0; wait "${pids[$i]}" || rc=$?; i=$((i + 1))
  cat "$work/$flavour.log"
  line=$(grep -E '^[^ ].*: [0-9]+ passed, [0-9]+ failed' "$work/$flavour.log" | tail -n 1 || true)
  if [ -z "$line" ]; then bad "$lua stopped without a result (exit $rc)"; continue; fi
  p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$line")
  f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
  if [ "$f" -eq 0 ] && [ "$rc" -eq 0 ]; then
    ok "$lua: $p checks agree"
  else
    bad "$lua: $f of $((p + f)) checks differ (driver exit $rc)"
  fi
done
finish_stage
