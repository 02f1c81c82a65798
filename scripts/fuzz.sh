#!/usr/bin/env bash
# Fuzz the pure Rust core with cargo-fuzz (libFuzzer + AddressSanitizer).
#
#   scripts/fuzz.sh                      # every target, 60 s each (the CI smoke run)
#   scripts/fuzz.sh 600                  # every target, 10 minutes each
#   scripts/fuzz.sh 600 verify keys      # some targets
#   scripts/fuzz.sh regressions          # replay fuzz/regressions/<target>/ only
#   scripts/fuzz.sh --campaign [--runs N] [--jobs J] [--sanitizer S] [TARGET...]
#                                        # a long campaign: N executions per target
#                                        # (default 10,000,000), J libFuzzer -fork
#                                        # workers (default: every core), sanitizer
#                                        # S (default none; address for ASan)
#
# Every build is release with debug assertions and overflow checks (-O -a):
# an integer overflow or a failed debug_assert! is a finding. The short runs
# add AddressSanitizer. A campaign leaves it off by default: the core forbids
# unsafe code and ASan instruments only Rust (AWS-LC's C is built without
# it), so it finds nothing a bounds check would not, at 2.6 times the cost
# (keys, one core, without -a: 1,355 against 3,557 executions a second).
#
# A campaign runs the targets one after another, each with -runs=N, and with
# -fork=J -ignore_crashes=1 when J > 1, so one finding does not end hours of
# fuzzing: every crash, timeout and out-of-memory is counted and its input
# kept in fuzz/artifacts/<target>/. It prints per target "fuzz-<target>: N
# execs in S s (E/s, J jobs), cov C, ft F, corpus K, crashes X, timeouts T,
# ooms O", lists the inputs found, and fails a target with any of them.
#
# Targets (fuzz/fuzz_targets/): verify, encode, keys, json. The working
# corpus lives in fuzz/corpus/<target> (not in git); fuzz/seeds/<target> is
# the small committed seed corpus and fuzz/regressions/<target> holds every
# input that once crashed, replayed before each run.
#
# cargo-fuzz passes -Z flags to rustc, which only nightly accepts; the one
# toolchain here is stable, so RUSTC_BOOTSTRAP=1 unlocks them. Stable ships
# the ASan runtime, so the default sanitizer (address) works.
#
# Prints "fuzz-<target>: N execs, cov C, ft F, corpus K" per target and,
# last, "fuzz: N passed, N failed" (one per target) for scripts/test.sh.
set -uo pipefail
cd "$(dirname "$0")/../fuzz" || exit 2

export RUSTC_BOOTSTRAP=1
all_targets=(verify encode keys json)

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz (cargo install --locked, ~30 s)" >&2
  cargo install --locked cargo-fuzz >&2 || { echo "fuzz.sh: cargo install cargo-fuzz failed" >&2; exit 2; }
fi

mode=run
seconds=60
runs=10000000
jobs=$(nproc 2>/dev/null || echo 1)
sanitizer=address
[ "${1:-}" = --campaign ] && sanitizer=none
if [ "${1:-}" = regressions ]; then mode=regressions; shift
elif [ "${1:-}" = --campaign ]; then
  mode=campaign; shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --runs) runs=${2:-}; shift 2 ;;
      --jobs) jobs=${2:-}; shift 2 ;;
      --sanitizer) sanitizer=${2:-}; shift 2 ;;
      *) break ;;
    esac
  done
  if ! [[ "$runs" =~ ^[0-9]+$ && "$jobs" =~ ^[0-9]+$ ]] || [ "$runs" -eq 0 ] || [ "$jobs" -eq 0 ]; then
    echo "fuzz.sh: --runs and --jobs take a positive whole number" >&2; exit 2
  fi
  case "$sanitizer" in none|address) ;; *) echo "fuzz.sh: --sanitizer takes none or address" >&2; exit 2 ;; esac
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then seconds=$1; shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

# The same flags on every build and run, or cargo-fuzz rebuilds.
flags=(-O -a -s "$sanitizer")
echo "fuzz.sh: building targets (release, debug assertions and overflow checks, sanitizer $sanitizer)" >&2
cargo fuzz build "${flags[@]}" >&2 || { echo "fuzz.sh: build failed" >&2; exit 2; }

# One target's campaign: -runs=$runs executions, forked over $jobs workers.
campaign() { # target log
  local t=$1 log=$2 start=$SECONDS found_before found stats
  found_before="$(find "artifacts/$t" -type f | sort)"
  local fork=()
  [ "$jobs" -gt 1 ] && fork=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  echo "fuzz.sh: $t: $runs runs, $jobs job(s), sanitizer $sanitizer" >&2
  cargo fuzz run "${flags[@]}" "$t" "corpus/$t" "seeds/$t" -- -runs="$runs" "${fork[@]}" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1
  local rc=$? took=$((SECONDS - start))
  [ "$took" -gt 0 ] || took=1
  local execs cov ft ooms timeouts crashes
  if [ "$jobs" -gt 1 ]; then
    # The fork parent's status lines: "#N: cov: C ft: F corp: K exec/s: E
    # oom/timeout/crash: O/T/X time: Ss job: J dft_time: D".
    stats="$(grep -E '^#[0-9]+: cov: ' "$log" | tail -n 1)"
    execs="$(sed -n 's/^#\([0-9]*\):.*/\1/p' <<<"$stats")"
    read -r ooms timeouts crashes < <(sed -n 's|.* oom/timeout/crash: \([0-9]*\)/\([0-9]*\)/\([0-9]*\).*|\1 \2 \3|p' <<<"$stats")
  else
    stats="$(grep -E '^#[0-9]+[[:space:]]+(DONE|NEW|REDUCE|pulse|INITED)' "$log" | tail -n 1)"
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    ooms=0; timeouts=0; crashes=0
    if [ "$rc" -ne 0 ]; then
      if grep -q 'ERROR: libFuzzer: timeout' "$log"; then timeouts=1
      elif grep -q 'ERROR: libFuzzer: out-of-memory' "$log"; then ooms=1
      else crashes=1; fi
    fi
  fi
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$stats")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$stats")"
  found="$(comm -13 <(printf '%s\n' "$found_before") <(find "artifacts/$t" -type f | sort) | sed '/^$/d')"
  echo "fuzz-$t: ${execs:-?} execs in $took s ($(( ${execs:-0} / took ))/s, $jobs jobs, sanitizer $sanitizer), cov ${cov:-?}, ft ${ft:-?}, corpus $(find "corpus/$t" -type f | wc -l), crashes ${crashes:-?}, timeouts ${timeouts:-?}, ooms ${ooms:-?}"
  if [ -n "$found" ]; then
    printf '%s\n' "$found" | sed 's/^/  found: fuzz\//'
    echo "  minimise with: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz tmin ${flags[*]} $t <artifact>;"
    echo "  then copy it to fuzz/regressions/$t/ and add a test to tests/regressions.rs"
  fi
  if [ "$rc" -ne 0 ] || [ -n "$found" ] || [ -z "$execs" ] || [ "$execs" -lt "$runs" ] \
     || [ "${crashes:-1}" -ne 0 ] || [ "${timeouts:-1}" -ne 0 ] || [ "${ooms:-1}" -ne 0 ]; then
    [ "$rc" -eq 0 ] || { echo "  libFuzzer exited $rc:"; grep -E "panicked|ERROR|SUMMARY" "$log" | head -5 | sed 's/^/  /'; }
    return 1
  fi
}

passed=0; failed=0
logdir="$(mktemp -d)"
trap 'rm -rf "$logdir"' EXIT
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "seeds/$t" "regressions/$t" "artifacts/$t"
  log="$logdir/$t.log"
  # Replay every saved crash first: -runs=0 runs the given inputs once each.
  if ! cargo fuzz run "${flags[@]}" "$t" "regressions/$t" -- -runs=0 >"$log" 2>&1; then
    echo "fuzz-$t: FAIL: a saved regression input crashes again:" >&2
    grep -E "panicked|ERROR|SUMMARY" "$log" | head -5 >&2
    failed=$((failed + 1)); continue
  fi
  if [ "$mode" = regressions ]; then
    echo "fuzz-$t: $(find "regressions/$t" -type f | wc -l) regression inputs replayed, none crashed"
    passed=$((passed + 1)); continue
  fi
  if [ "$mode" = campaign ]; then
    campaign "$t" "$log" && passed=$((passed + 1)) || failed=$((failed + 1))
    continue
  fi
  # -rss_limit_mb: ASan's shadow memory counts; 2 GiB leaves room.
  # -timeout: one input taking 10 s is a bug (a hang), not slowness.
  cargo fuzz run "${flags[@]}" "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    >"$log" 2>&1
  rc=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  last="$(grep -E '^#[0-9]+[[:space:]]+(DONE|NEW|REDUCE|pulse|INITED)' "$log" | tail -n 1)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  corp="$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")"
  if [ "$rc" -eq 0 ]; then
    echo "fuzz-$t: ${execs:-?} execs in ${seconds} s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
    passed=$((passed + 1))
  else
    echo "fuzz-$t: FAIL after ${execs:-?} execs (exit $rc):"
    grep -E "panicked|ERROR|SUMMARY|Test unit written" "$log" | head -8
    echo "  minimise with: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz tmin ${flags[*]} $t <artifact>;"
    echo "  then copy it to fuzz/regressions/$t/ and add a test to tests/regressions.rs"
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
