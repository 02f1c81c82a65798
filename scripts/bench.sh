#!/usr/bin/env bash
# `make bench`: operations per second of this module under Lua 5.4, beside
# Prosody 0.12's util.jwt, any other luajwtjitsi given with --baseline, and
# the raw limits (HMAC-SHA256, ring RSA-2048, the Rust core without Lua)
# measured in the same run. See docs/performance.md.
#
#   scripts/bench.sh [--rounds N] [--seconds S] [--baseline DIR]... [--cpu N|none]
#                    [--keys N] [--no-prosody] [--quick]
#
#   --rounds N      rounds (default 5); each round runs every implementation
#                   once, in a rotated order, one Lua process each; the table
#                   shows the median over the rounds and the spread (the
#                   round farthest from the median)
#   --seconds S     CPU seconds per operation per round (default 0.5)
#   --baseline DIR  also measure the luajwtjitsi found in DIR (luajwtjitsi.lua,
#                   luajwtjitsi.so or luajwtjitsi.lib.lua, with its own
#                   dependencies on the usual Lua 5.4 paths); repeatable
#   --cpu N|none    pin every measured process to CPU N (default: the last
#                   CPU) with taskset, or not at all
#   --keys N        RSA keys the rotating case cycles through (default 100)
#   --no-prosody    skip Prosody's util.jwt
#   --quick         1 round of 0.02 s and 3 keys: proves the benchmark runs
#                   and every result checks out; the figures mean nothing
# Figures are CPU time per process, so other load on the machine slows them
# less than wall time would; they still vary, hence rounds and medians.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

rounds=5 seconds=0.5 prosody=1 cpu=default keys=100
baselines=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --baseline) [ -d "$2" ] || { echo "bench: --baseline $2 is not a folder" >&2; exit 2; }
                baselines+=("$(cd "$2" && pwd)"); shift 2 ;;
    --cpu) cpu=$2; shift 2 ;;
    --keys) keys=$2; shift 2 ;;
    --no-prosody) prosody=0; shift ;;
    --quick) rounds=1 seconds=0.02 keys=3; shift ;;
    -h|--help) sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

scripts/setup.sh
if [ "$prosody" = 1 ] && ! [ -f /usr/lib/prosody/util/jwt.lua ]; then
  echo "bench: installing prosody for its util.jwt baseline" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
    --no-install-recommends prosody >&2 \
    || { echo "bench: could not install prosody (use --no-prosody)" >&2; exit 1; }
  [ -f /usr/lib/prosody/util/jwt.lua ] || { echo "bench: prosody has no util/jwt.lua" >&2; exit 1; }
fi

scripts/build.sh lua54
limits=$(cargo bench --locked --bench limits --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*limits[^"]*\)".*/\1/p' | tail -n 1)
[ -x "$limits" ] || { echo "bench: could not build benches/limits.rs" >&2; exit 1; }

# RSA-2048 key pairs, made once and kept under build/ for later runs.
keydir=build/bench-keys
.venv/bin/python bench/make_keys.py "$keydir" "$keys"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$root/$keydir" "$work/keys"
echo "$keys" > "$work/rotate"
lua5.4 bench/bench.lua prepare "$work" "$root/build/lua54"

pin=()
if [ "$cpu" = default ]; then cpu=$(($(nproc) - 1)); fi
if [ "$cpu" != none ] && command -v taskset >/dev/null; then pin=(taskset -c "$cpu"); fi

# Each entry: NAME KIND WHERE. The Rust limits run as one more entry.
entries=("luajwtjitsi native $root/build/lua54")
[ "$prosody" = 1 ] && entries+=("prosody prosody /usr/lib/prosody")
for i in "${!baselines[@]}"; do entries+=("baseline$((i + 1)) dir ${baselines[$i]}"); done
entries+=("rust limits -")

results=$work/results
: > "$results"
echo "bench: $rounds round(s) of ${seconds}s per operation, ${pin[*]:-not pinned}" >&2
for ((r = 0; r < rounds; r++)); do
  n=${#entries[@]}
  for ((j = 0; j < n; j++)); do
    read -r name kind where <<< "${entries[$(((j + r) % n))]}"
    if [ "$kind" = limits ]; then
      "${pin[@]}" "$limits" "$work" "$seconds" >> "$results"
    else
      "${pin[@]}" lua5.4 bench/bench.lua run "$name" "$kind" "$where" "$work" "$seconds" >> "$results"
    fi
  done
  echo "bench: round $((r + 1))/$rounds done" >&2
done

labels=()
for i in "${!baselines[@]}"; do labels+=("baseline$((i + 1))=${baselines[$i]}"); done
lua5.4 bench/report.lua "$results" "$rounds" "$keys" "${labels[@]}"
