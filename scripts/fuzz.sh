#!/usr/bin/env bash
# Fuzz the pure Rust core with cargo-fuzz (libFuzzer + AddressSanitizer).
#
#   scripts/fuzz.sh                      # every target, 60 s each (the CI smoke run)
#   scripts/fuzz.sh 600                  # every target, 10 minutes each
#   scripts/fuzz.sh 600 verify keys      # some targets
#   scripts/fuzz.sh regressions          # replay fuzz/regressions/<target>/ only
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
if [ "${1:-}" = regressions ]; then mode=regressions; shift
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then seconds=$1; shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

echo "fuzz.sh: building targets (release, debug assertions, ASan)" >&2
cargo fuzz build -O >&2 || { echo "fuzz.sh: build failed" >&2; exit 2; }

passed=0; failed=0
logdir="$(mktemp -d)"
trap 'rm -rf "$logdir"' EXIT
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "seeds/$t" "regressions/$t" "artifacts/$t"
  log="$logdir/$t.log"
  # Replay every saved crash first: -runs=0 runs the given inputs once each.
  if ! cargo fuzz run -O "$t" "regressions/$t" -- -runs=0 >"$log" 2>&1; then
    echo "fuzz-$t: FAIL: a saved regression input crashes again:" >&2
    grep -E "panicked|ERROR|SUMMARY" "$log" | head -5 >&2
    failed=$((failed + 1)); continue
  fi
  if [ "$mode" = regressions ]; then
    echo "fuzz-$t: $(find "regressions/$t" -type f | wc -l) regression inputs replayed, none crashed"
    passed=$((passed + 1)); continue
  fi
  # -rss_limit_mb: ASan's shadow memory counts; 2 GiB leaves room.
  # -timeout: one input taking 10 s is a bug (a hang), not slowness.
  cargo fuzz run -O "$t" "corpus/$t" "seeds/$t" -- \
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
    echo "  minimise with: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz tmin -O $t <artifact>;"
    echo "  then copy it to fuzz/regressions/$t/ and add a test to tests/regressions.rs"
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
