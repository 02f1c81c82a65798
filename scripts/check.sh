#!/usr/bin/env bash
# The quick loop (`make check`): format, lints and the Rust tests, each step
# timed. scripts/test.sh runs the same two halves in its "format and lints"
# and "cargo test" stages, so the lists live only here.
#
#   scripts/check.sh          lint, then test, then docs
#   scripts/check.sh docs     scripts/doc-check.sh: every relative link and
#                             anchor in README.md and docs/, and the README
#                             blocks marked runnable
#   scripts/check.sh lint     cargo fmt --check; clippy -D warnings on the
#                             root's every target, the Lua 5.4 module build
#                             and jitsi-jwt
#   scripts/check.sh test     cargo test for the root (unit tests, vectors,
#                             Wycheproof, limits, COMPAT tags, module graph,
#                             algorithm lists)
#                             and jitsi-jwt, then the binding's unit tests
#                             against a vendored Lua 5.4 (for this test build
#                             only; shipped builds never embed a Lua)
#
# Lints live in [workspace.lints] of Cargo.toml; clippy.toml lets tests
# unwrap. fuzz/ is its own workspace and is checked by scripts/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

step() {
  local start=$SECONDS
  printf '\n--- %s\n' "$*"
  "$@"
  printf -- '--- took %d s: %s\n' "$((SECONDS - start))" "$*"
}

lint() {
  step cargo fmt --all --check
  step cargo clippy --locked --all-targets -q -- -D warnings
  step cargo clippy --locked --no-default-features --features lua54,module -q -- -D warnings
  step cargo clippy --locked -p jitsi-jwt --all-targets -q -- -D warnings
}

# The test steps' output is kept to sum cargo's "test result:" lines into
# the closing line scripts/test.sh reads ("ignored" counts as skipped).
tests() {
  local out rc=0
  out=$(mktemp)
  {
    step cargo test --locked
    step cargo test --locked -p jitsi-jwt
    step cargo test --locked --lib --no-default-features --features lua54,vendored lua::
  } 2>&1 | tee "$out" || rc=$?
  sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed; \([0-9]*\) ignored.*/\1 \2 \3/p' "$out" |
    awk '{ p += $1; f += $2; s += $3 } END { printf "cargo-test: %d passed, %d failed, %d skipped\n", p, f, s }'
  rm -f "$out"
  return "$rc"
}

docs() {
  step scripts/doc-check.sh
}

start=$SECONDS
case "${1:-all}" in
  lint) lint ;;
  test) tests ;;
  docs) docs ;;
  all) lint; tests; docs ;;
  *) echo "usage: scripts/check.sh [lint|test|docs]" >&2; exit 2 ;;
esac
printf '\ncheck %s: took %d s\n' "${1:-all}" "$((SECONDS - start))"
