#!/usr/bin/env bash
# scripts/test.sh itself, on a table of small made-up stages (TEST_STAGES_TABLE)
# with its logs in a temporary folder: --list, --only (with what a stage
# needs), --skip, --tier, the counts summed from closing lines, a failing
# stage stopping the run with a non-zero exit, --keep-going; then the real
# table: every stage named once, a known tier, a command that exists.
. "$(dirname "${BASH_SOURCE[0]}")/../lib/stage.sh"
stage_begin runner
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
tmp=$(mktemp -d)
on_exit 'rm -rf "$tmp"'

cat > "$tmp/table" <<'TABLE'
alpha  | fast | 1 s |       | alpha's proof | echo "alpha: 3 passed, 0 failed, 1 skipped"; echo "alpha: SKIPPED: no widget here"
beta   | full | 2 s | alpha | beta's proof  | echo "beta: 2 passed, 0 failed"
gamma  | full | 3 s |       | no counts     | echo gamma ran
broken | full | 1 s |       | fails         | echo "broken: 1 passed, 2 failed"; exit 1
crash  | full | 1 s |       | dies silently | exit 3
TABLE

# t ARGS...: the runner on the made-up table; sets $out and $code.
t() {
  code=0
  out=$(TEST_STAGES_TABLE="$tmp/table" TEST_LOGS="$tmp/logs" scripts/test.sh "$@" 2>&1) || code=$?
}
last() { tail -n 1 <<<"$out"; }
ran() { grep -q "^==== took [0-9]* s: $1 " <<<"$out"; }

t --list
check "--list: exit 0" "[ $code = 0 ]"
check "--list: each stage with its tier, time and proof" \
  "grep -qE '^alpha +fast +1 s  alpha.s proof$' <<<\"\$out\" && grep -qE '^gamma +full +3 s  no counts$' <<<\"\$out\""
check "--list: what a stage needs" "grep -qE '^beta .*beta.s proof \[needs alpha\]$' <<<\"\$out\""
check "--list runs nothing" "! grep -q '^====' <<<\"\$out\""

t --only beta
check "--only beta: exit 0 ($code)" "[ $code = 0 ]"
check "--only beta runs alpha first (beta needs it), then beta" "ran alpha && ran beta && [ \"\$(grep -n '^==== took' <<<\"\$out\" | cut -d' ' -f5 | tr '\n' ' ')\" = 'alpha beta ' ]"
check "--only beta runs nothing else" "! ran gamma && ! ran broken && ! ran crash"
check "--only beta: the closing line last, alpha's and beta's counts summed" "[ \"\$(last)\" = '5 passed, 0 failed, 1 skipped' ]"
check "a skip is listed with its reason" "grep -qx 'skipped: alpha: SKIPPED: no widget here' <<<\"\$out\""
check "the table has a row per stage run, with its counts" \
  "grep -qE '^alpha +fast +ok +3 +0 +1 +[0-9]+ s$' <<<\"\$out\" && grep -qE '^beta +full +ok +2 +0 +0 +[0-9]+ s$' <<<\"\$out\""

t --only beta --skip alpha
check "--only beta --skip alpha: only beta" "ran beta && ! ran alpha && [ \"\$(last)\" = '2 passed, 0 failed, 0 skipped' ]"

t --tier fast
check "--tier fast: only the fast stage" "ran alpha && ! ran beta && [ $code = 0 ] && [ \"\$(last)\" = '3 passed, 0 failed, 1 skipped' ]"

t --skip broken crash
check "--skip broken crash: the rest run, exit 0" "ran alpha && ran beta && ran gamma && ! ran broken && ! ran crash && [ $code = 0 ]"
check "a stage with no closing line counts nothing but runs" "grep -qE '^gamma +full +ok +- +- +- +[0-9]+ s$' <<<\"\$out\""
check "the stages not chosen are named on one line" "grep -qx 'not chosen: broken crash' <<<\"\$out\""

t
check "a failing stage fails the run (exit $code)" "[ $code != 0 ]"
check "and stops it: the next stage is not run" "ran broken && ! ran crash && grep -qE '^crash +full +not run \(an earlier stage failed\)$' <<<\"\$out\""
check "its failed checks are counted: 6 passed, 2 failed, 1 skipped" "[ \"\$(last)\" = '6 passed, 2 failed, 1 skipped' ]"
check "the failing stage is named" "grep -qx 'Failed: broken' <<<\"\$out\""

t --keep-going
check "--keep-going: every stage runs, exit non-zero" "ran crash && [ $code != 0 ]"
check "a stage that exits non-zero with no closing line counts one failure" \
  "[ \"\$(last)\" = '6 passed, 3 failed, 1 skipped' ] && grep -qx 'Failed: broken crash' <<<\"\$out\""

t --only nosuch
check "--only an unknown stage: exit 2, says so, runs nothing" "[ $code = 2 ] && grep -q \"no stage 'nosuch'\" <<<\"\$out\" && ! grep -q '^====' <<<\"\$out\""
t gamma
check "a stage name without --only or --skip is refused" "[ $code = 2 ]"

# ---- the real table
code=0; real=$(scripts/test.sh --list) || code=$?
check "the real --list: exit 0" "[ $code = 0 ]"
names=$(sed 1d <<<"$real" | awk '{ print $1 }')
check "the real table names each stage once" "[ -z \"\$(sort <<<\"\$names\" | uniq -d)\" ]"
needed=$(sed -n 's/.*\[needs \(.*\)\]$/\1/p' <<<"$real" | tr ', ' '\n\n' | sort -u | grep . || true)
check "every stage a real stage needs is in the table (needs: $(tr '\n' ' ' <<<"$needed"))" \
  "[ -n \"\$needed\" ] && [ -z \"\$(comm -23 <(sort -u <<<\"\$needed\") <(sort -u <<<\"\$names\"))\" ]"
check "every real stage is fast or full, with a time" "! sed 1d <<<\"\$real\" | grep -vqE '^[a-z0-9-]+ +(fast|full) +[0-9]+ s  .+'"
check "the fast tier has the stages the issue names" \
  "for n in lints cargo-test build busted interop prosody keyfiles cli; do sed 1d <<<\"\$real\" | grep -qE \"^\$n +fast \" || exit 1; done"
# Every command's programs exist: the first word, after VAR=value words, is a
# script of the tree or one of test.sh's helpers.
while read -r n cmd; do
  prog=$(sed -E 's/^([A-Z_]+=[^ ]* )*//; s/ .*//' <<<"$cmd")
  case "$prog" in
    bench_smoke|with_deb) prog=$(sed -E 's/^(with_deb )?//; s/ .*//' <<<"${cmd}"); [ "$prog" = bench_smoke ] && prog=scripts/bench.sh ;;
  esac
  check "stage $n: its command's program $prog is an executable file of the tree" "[ -x '$prog' ]"
done < <(sed -n 's/^\([a-z0-9-]*\) *|[^|]*|[^|]*|[^|]*|[^|]*| *\(.*\)$/\1 \2/p' scripts/test.sh)
finish_stage
