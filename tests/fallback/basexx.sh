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
# Counts: one check per interpreter and compared function (to_X, from_X, the
# round trip of X), passed when all its seeded cases agree, and one for the
# loading checks (each library is the one it should be); the case counts are
# printed, not counted. Last lines: "fallback-basexx: took N s",
# "fallback-basexx: N passed, N failed, N skipped".
. "$(dirname "${BASH_SOURCE[0]}")/../lib/stage.sh"
stage_begin fallback-basexx
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. scripts/package-tools.sh

seed=${BASEXX_SEED:-$(( ($(date +%s) * 1000 + RANDOM) % 2147483646 ))}
cases=${BASEXX_CASES:-10000}
flavours=(lua51:lua5.1 lua52:lua5.2 lua53:lua5.3 lua54:lua5.4 luajit:luajit)

case "$seed$cases" in
  *[!0-9]*|"") give_up "BASEXX_SEED and BASEXX_CASES must be whole numbers" ;;
esac

work=$(mktemp -d)
on_exit 'rm -rf "$work"'

need_oracle_root "$work/oracle" || give_up "could not fetch the oracle (Debian's lua-basexx 0.4.1)"
echo "fallback-basexx: the oracle ready in $((SECONDS - started)) s ($LUAJWTJITSI_TOOLS)"
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
  local flavour=${1%%:*} lua=${1#*:} dir="$work/${1%%:*}" oracle rc=0
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
  "$lua" tests/fallback/basexx_driver.lua "$oracle" "$dir" "$seed" "$cases" > "$work/$flavour.log" 2>&1 || rc=$?
  echo "exit $rc" >> "$work/$flavour.log"
}
# Two interpreters at a time: the machine has two cores.
running=0
for fl in "${flavours[@]}"; do
  run_one "$fl" &
  running=$((running + 1))
  if [ "$running" -ge 2 ]; then wait -n; running=$((running - 1)); fi
done
wait

for fl in "${flavours[@]}"; do
  log="$work/${fl%%:*}.log"
  grep -v '^exit ' "$log" || true
  checked=0
  while IFS='|' read -r lua rest; do
    lua=${lua#basexx-case }; lua=${lua% }; what=${rest%%:*}; what=${what# }
    read -r n _ d _ <<<"${rest#*: }"
    checked=$((checked + 1))
    if [ "$d" -eq 0 ]; then ok "$lua $what: $n cases agree"; else bad "$lua $what: $d of $n cases differ"; fi
  done < <(grep '^basexx-case ' "$log" || true)
  if [ "$checked" -eq 0 ]; then
    bad "${fl#*:} stopped before its results ($(tail -1 "$log"))"
  elif ! grep -qx 'exit 0' "$log" && ! grep -q '^basexx-case .*: [0-9]* cases, [1-9][0-9]* differ$' "$log"; then
    bad "${fl#*:}: the driver failed with no case differing ($(tail -1 "$log"))"
  fi
done
echo "fallback-basexx: seed $seed"
finish_stage
