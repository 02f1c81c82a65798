#!/usr/bin/env bash
# Differential test of the basexx fallback (issue 18) against the real
# basexx 0.4.1 (Debian unstable's lua-basexx, fetched once into the cache by
# need_oracle_root in scripts/package-tools.sh, never committed), under
# lua5.1, lua5.2, lua5.3, lua5.4 and luajit. The fallback is loaded the way
# Lua finds it on a host without the real library: `require "basexx"` with
# package.path holding no basexx.lua and package.cpath at a folder with
# luajwtjitsi.so and basexx.so -> luajwtjitsi.so (build/<flavour>/; built with
# scripts/build.sh when missing).
#   tests/fallback/basexx.sh                         # a fresh seed, 10000 cases
#   BASEXX_SEED=42 BASEXX_CASES=20000 tests/fallback/basexx.sh
# The seed is printed; the same seed gives the same inputs under every Lua.
# Last line: "fallback-basexx: N passed, N failed" (one check per compared
# case, plus the checks that each library is the one it should be).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
start=$SECONDS
. scripts/package-tools.sh

seed=${BASEXX_SEED:-$(( ($(date +%s) * 1000 + RANDOM) % 2147483646 ))}
cases=${BASEXX_CASES:-10000}
flavours=(lua51:lua5.1 lua52:lua5.2 lua53:lua5.3 lua54:lua5.4 luajit:luajit)

case "$seed$cases" in
  *[!0-9]*|"") echo "fallback-basexx: BASEXX_SEED and BASEXX_CASES must be whole numbers" >&2
               echo "fallback-basexx: 0 passed, 1 failed"; exit 1 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
give_up() {
  echo "fallback-basexx: $*" >&2
  echo "fallback-basexx: 0 passed, 1 failed"
  exit 1
}

if ! need_oracle_root "$work/oracle"; then
  give_up "could not fetch the oracle (Debian's lua-basexx 0.4.1)"
fi
echo "fallback-basexx: the oracle ready in $((SECONDS - start)) s ($LUAJWTJITSI_TOOLS)"
missing=()
for fl in "${flavours[@]}"; do
  command -v "${fl#*:}" >/dev/null || give_up "${fl#*:} is missing: run scripts/setup.sh first"
  [ -f "build/${fl%%:*}/luajwtjitsi.so" ] || missing+=("${fl%%:*}")
done
if [ ${#missing[@]} -gt 0 ]; then
  scripts/build.sh "${missing[@]}" || give_up "scripts/build.sh ${missing[*]} failed"
fi

echo "fallback-basexx: seed $seed (BASEXX_SEED=$seed reproduces it), $cases cases per function per Lua"
run_one() {
  local flavour=${1%%:*} lua=${1#*:} dir="$work/${1%%:*}" oracle
  # Debian's lua-basexx 0.4.1 ships one file, linked into 5.3 and 5.4 and
  # not into 5.2; it runs unchanged on 5.2, so 5.2 and LuaJIT use 5.1's.
  case "$flavour" in
    lua53) oracle="$work/oracle/usr/share/lua/5.3/basexx.lua" ;;
    lua54) oracle="$work/oracle/usr/share/lua/5.4/basexx.lua" ;;
    *) oracle="$work/oracle/usr/share/lua/5.1/basexx.lua" ;;
  esac
  mkdir -p "$dir"
  cp "build/$flavour/luajwtjitsi.so" "$dir/"
  ln -s luajwtjitsi.so "$dir/basexx.so"
  "$lua" tests/fallback/basexx_driver.lua "$oracle" "$dir" "$seed" "$cases" > "$work/$flavour.log" 2>&1
  echo "exit $?" >> "$work/$flavour.log"
}
# Two interpreters at a time: the machine has two cores.
running=0
for fl in "${flavours[@]}"; do
  run_one "$fl" &
  running=$((running + 1))
  if [ "$running" -ge 2 ]; then wait -n; running=$((running - 1)); fi
done
wait

passed=0; failed=0
for fl in "${flavours[@]}"; do
  log="$work/${fl%%:*}.log"
  grep -v '^exit ' "$log"
  line=$(grep '^basexx-driver .*: [0-9]* same, [0-9]* differ' "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "fallback-basexx: ${fl#*:} stopped before its last line ($(tail -1 "$log"))"
    failed=$((failed + 1))
    continue
  fi
  same=$(sed 's/.*: \([0-9]*\) same, \([0-9]*\) differ.*/\1/' <<<"$line")
  differ=$(sed 's/.*: \([0-9]*\) same, \([0-9]*\) differ.*/\2/' <<<"$line")
  passed=$((passed + same)); failed=$((failed + differ))
  grep -qx 'exit 0' "$log" || [ "$differ" -gt 0 ] || failed=$((failed + 1))
done
echo "fallback-basexx: seed $seed, took $((SECONDS - start)) s"
echo "fallback-basexx: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
