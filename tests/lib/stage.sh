# The frame of a shell test stage, sourced by the stage scripts so that each
# is only what it checks. scripts/test.sh runs the stages (its table) and sums
# their closing lines.
#
#   . "$(dirname "${BASH_SOURCE[0]}")/../lib/stage.sh"   # (path from the script)
#   stage_begin NAME           strict mode (set -euo pipefail), counters at 0,
#                              the clock started
#   ok TEXT | bad TEXT | skip TEXT   count one check (bad and skip print TEXT;
#                              ok prints it with STAGE_VERBOSE=1)
#   check TEXT CONDITION       eval CONDITION: ok TEXT or bad TEXT
#   check_run TEXT CMD...      run CMD: ok TEXT, or bad TEXT and CMD's output
#   add_counts P F [S]         add a sub-runner's counts to ours
#   count_run NAME CMD...      run CMD (a runner that prints its own closing
#                              line "NAME: ..."), print its output but that
#                              line, add its counts; no such line is a failure
#   give_up TEXT               one failure, the closing lines, exit 1: for
#                              when the stage cannot go on (a tool missing)
#   finish_stage [NAME]        the closing lines, then return 0 only if nothing
#                              failed (end a script with it)
#   on_exit CMD                run CMD at exit (cleanup), instead of a trap
#
# The closing lines, the one format scripts/test.sh reads:
#   NAME: took N s
#   NAME: N passed, N failed, N skipped
# A skip is a check that could not run here, printed as "NAME: SKIPPED: why"
# (scripts/test.sh lists those lines before its own closing line); under
# CI=true nothing may skip, so skip counts a failure there.
# A stage that stops on an error (set -e) before finish_stage still prints
# its closing lines, with that error counted as a failure.
# Where a command may fail and the stage goes on, say so where it is run:
# `if cmd; then ...`, `cmd || bad ...`, or `out=$(cmd) || rc=$?`.
# Sourcing this file changes no shell option: strict mode is stage_begin's,
# so a stage that checks every status itself (tests/doctor/debian.sh,
# tests/packaging/apt_repo.sh) sources it, never calls stage_begin, and keeps
# its own `set -uo pipefail`.

pass=0; fail=0; skipped=0
STAGE_NAME=${STAGE_NAME:-stage}
started=$SECONDS
_stage_closed=0

stage_begin() {
  set -euo pipefail
  STAGE_NAME=$1
  pass=0; fail=0; skipped=0; started=$SECONDS; _stage_closed=0
  trap '_stage_on_exit $?' EXIT
}

# STAGE_VERBOSE=1 prints every check (PKGTEST_VERBOSE=1, the packaging
# stages' older name, too).
ok() { pass=$((pass + 1)); [ "${STAGE_VERBOSE:-${PKGTEST_VERBOSE:-0}}" != 1 ] || echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
skip() {
  if [ "${CI:-}" = true ]; then
    bad "$* (skipped, and nothing may skip under CI=true)"
  else
    skipped=$((skipped + 1)); echo "$STAGE_NAME: SKIPPED: $*"
  fi
}
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
check_run() {
  local text=$1 out
  shift
  if out=$("$@" 2>&1); then ok "$text"; else bad "$text"; printf '%s\n' "$out" | sed 's/^/     /'; fi
}
add_counts() { pass=$((pass + $1)); fail=$((fail + $2)); skipped=$((skipped + ${3:-0})); }

# closing_counts NAME < TEXT: "P F S" from the last closing line of NAME in
# TEXT (either form: with or without ", N skipped"); nothing if there is none.
closing_counts() {
  sed -n "s/^$1: \([0-9]*\) passed, \([0-9]*\) failed\(, \([0-9]*\) skipped\)\{0,1\}\$/\1 \2 \4/p" | tail -n 1
}

count_run() {
  local name=$1 out counts p f s
  shift
  out=$("$@" 2>&1) || true
  grep -Ev "^$name: ([0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?|took [0-9]+ s)\$" <<<"$out" || true
  counts=$(closing_counts "$name" <<<"$out")
  if [ -z "$counts" ]; then bad "no '$name: N passed, N failed' line from: $*"; return 0; fi
  read -r p f s <<<"$counts"
  add_counts "$p" "$f" "${s:-0}"
}

finish_stage() {
  local name=${1:-$STAGE_NAME}
  _stage_closed=1
  echo "$name: took $((SECONDS - ${started:-$SECONDS})) s"
  echo "$name: $pass passed, $fail failed, $skipped skipped"
  [ "$fail" -eq 0 ]
}

give_up() {
  bad "$*"
  finish_stage || true
  exit 1
}

# on_exit CMD: run CMD (a string, eval'd) when the script exits, before the
# closing lines; in place of `trap CMD EXIT`, which would replace the frame's.
_stage_cleanups=()
on_exit() { _stage_cleanups+=("$1"); }

_stage_on_exit() {
  local rc=$1 c
  for c in "${_stage_cleanups[@]}"; do (eval "$c") || true; done
  [ "$_stage_closed" = 0 ] || exit "$rc"
  if [ "$rc" -ne 0 ]; then
    echo "$STAGE_NAME: stopped by an error (exit $rc) before its end"
    fail=$((fail + 1))
  fi
  finish_stage || exit 1
  exit "$rc"
}
