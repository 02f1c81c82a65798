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
#                             Wycheproof, limits, COMPAT tags, module graph)
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

tests() {
  step cargo test --locked
  step cargo test --locked -p jitsi-jwt
  step cargo test --locked --lib --no-default-features --features lua54,vendored lua::
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
