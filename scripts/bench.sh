#!/usr/bin/env bash
# `make bench`: operations per second of this module under Lua 5.4, beside
# Prosody 0.12's util.jwt, any other luajwtjitsi given with --baseline, and
# the raw limits (HMAC-SHA256, RSA-2048, the Rust core without Lua)
# measured in the same run; then this module beside Prosody 13's util.jwt on
# every algorithm both implement, in one Lua 5.4 process inside a Debian 13
# chroot; and `openssl speed rsa2048 ecdsap256 ecdsap521` of this machine as
# the hardware reference. See docs/performance.md.
#
#   scripts/bench.sh [--rounds N] [--seconds S] [--baseline DIR]... [--cpu N|none]
#                    [--keys N] [--no-prosody] [--no-prosody13] [--quick]
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
#   --no-prosody    skip Prosody 0.12's util.jwt (this machine's)
#   --no-prosody13  skip the Prosody 13 comparison; it needs root (chroot)
#                   and the Debian 13 tarball scripts/chroot-tools.sh caches
#                   in ~/.cache/luajwtjitsi (made first when missing: a few
#                   minutes, once; tests/prosody/debian13.sh uses the same)
#   --quick         1 round of 0.02 s and 3 keys, openssl speed for 1 s:
#                   proves the benchmark runs and every result checks out;
#                   the figures mean nothing
# Figures are CPU time per process, so other load on the machine slows them
# less than wall time would; they still vary, hence rounds and medians.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

rounds=5 seconds=0.5 prosody=1 prosody13=1 cpu=default keys=100 speed_seconds=3
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
    --no-prosody13) prosody13=0; shift ;;
    --quick) rounds=1 seconds=0.02 keys=3 speed_seconds=1; shift ;;
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

# The Debian 13 root with Prosody 13 and Lua 5.4: the tarball
# tests/prosody/debian13.sh uses (same name and packages, same cache file).
. scripts/chroot-tools.sh
d13_tarball=""
if [ "$prosody13" = 1 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench: the Prosody 13 comparison needs root (a chroot); left out" >&2; prosody13=0
  elif ! d13_tarball=$(chroot_tarball "${DEBIAN13_PROSODY_ROOT[@]}"); then
    echo "bench: could not make the Debian 13 root (use --no-prosody13)" >&2; exit 1
  fi
fi
command -v openssl >/dev/null || need_apt openssl

scripts/build.sh lua54
limits=$(cargo bench --locked --bench limits --no-run --message-format=json 2>/dev/null \
  | sed -n 's/.*"executable":"\([^"]*limits[^"]*\)".*/\1/p' | tail -n 1)
[ -x "$limits" ] || { echo "bench: could not build benches/limits.rs" >&2; exit 1; }

# RSA-2048 key pairs, made once and kept under build/ for later runs.
keydir=build/bench-keys
.venv/bin/python bench/make_keys.py "$keydir" "$keys"

work=$(mktemp -d)
d13=""
trap '[ -z "$d13" ] || chroot_remove "$d13"; rm -rf "$work"' EXIT
ln -s "$root/$keydir" "$work/keys"
echo "$keys" > "$work/rotate"
lua5.4 bench/bench.lua prepare "$work" "$root/build/lua54"

# A copy of the Debian 13 root holding the fresh .so, bench.lua and the
# tokens and keys; a Lua 5.4 run there loads both sides in one process.
if [ "$prosody13" = 1 ]; then
  d13=$(mktemp -d "${TMPDIR:-/tmp}/luajwt-bench13.XXXXXX")
  chroot_unpack "$d13_tarball" "$d13"
  mkdir -p "$d13/bench/module"
  cp build/lua54/luajwtjitsi.so "$d13/bench/module/"
  cp bench/bench.lua "$d13/bench/"
  cp -rL "$work" "$d13/bench/work"
fi

pin=()
if [ "$cpu" = default ]; then cpu=$(($(nproc) - 1)); fi
if [ "$cpu" != none ] && command -v taskset >/dev/null; then pin=(taskset -c "$cpu"); fi

# Each entry: NAME KIND WHERE. The Rust limits run as one more entry.
entries=("luajwtjitsi native $root/build/lua54")
[ "$prosody" = 1 ] && entries+=("prosody prosody /usr/lib/prosody")
[ "$prosody13" = 1 ] && entries+=("prosody13 matrix $d13")
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
    elif [ "$kind" = matrix ]; then
      "${pin[@]}" chroot "$where" lua5.4 /bench/bench.lua matrix /bench/work /bench/module "$seconds" "$r" >> "$results"
    else
      "${pin[@]}" lua5.4 bench/bench.lua run "$name" "$kind" "$where" "$work" "$seconds" >> "$results"
    fi
  done
  echo "bench: round $((r + 1))/$rounds done" >&2
done

# The hardware reference: OpenSSL's own RSA-2048, P-256 and P-521 on this
# machine (its user CPU time, as os.clock), as "SPEED NAME SIGN/S VERIFY/S".
echo "bench: openssl speed -seconds $speed_seconds rsa2048 ecdsap256 ecdsap521" >&2
"${pin[@]}" openssl speed -seconds "$speed_seconds" rsa2048 ecdsap256 ecdsap521 2>/dev/null | awk '
  /^rsa 2048 bits/ { print "SPEED rsa2048", $(NF - 1), $NF }
  /ecdsa \(nistp256\)/ { print "SPEED ecdsap256", $(NF - 1), $NF }
  /ecdsa \(nistp521\)/ { print "SPEED ecdsap521", $(NF - 1), $NF }' >> "$results"
printf 'SPEED version %s\n' "$(openssl version | cut -d' ' -f1-2)" >> "$results"

labels=()
for i in "${!baselines[@]}"; do labels+=("baseline$((i + 1))=${baselines[$i]}"); done
lua5.4 bench/report.lua "$results" "$rounds" "$keys" "${labels[@]}"
