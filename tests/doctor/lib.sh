# Sourced by tests/doctor/run.sh and debian.sh: counting checks and the
# assertions on one `jitsi-jwt doctor` case. The caller sets SECRET (the
# app_secret, which must never be printed) and defines
#   doctor CASE [ARGS...]   runs the doctor for CASE with ARGS (--json);
#                           sets $out (stdout and stderr) and $code.
pass=0; fail=0
check() { # NAME CONDITION
  if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $1"; fi
}
# expect CASE STATUS ID VERDICT FIX_FRAGMENT [ARGS...]: the text and the
# JSON of `doctor CASE ARGS...` agree on the exit status, ID's verdict and a
# fix containing FIX_FRAGMENT ("" for ok). Leaves the text output in $text.
expect() {
  local c=$1 status=$2 id=$3 verdict=$4 fix=$5 failed_before=$fail
  shift 5
  doctor "$c" "$@"
  text=$out
  check "[$c] text: exit $status (got $code)" "[ $code = $status ]"
  check "[$c] text: [$verdict] $id" "grep -qF -- '[$verdict] $id:' <<<\"\$text\""
  if [ -n "$fix" ]; then
    check "[$c] text: $id's fix names: $fix" "grep -A1 -F -- '] $id:' <<<\"\$text\" | grep -qF -- \"fix: \" && grep -A1 -F -- '] $id:' <<<\"\$text\" | grep -qF -- \"\$fix\""
  fi
  check "[$c] text: the secret is never printed" "! grep -qF '$SECRET' <<<\"\$text\""
  doctor "$c" --json "$@"
  check "[$c] json: exit $status (got $code)" "[ $code = $status ]"
  check "[$c] json: status $status, $id $verdict${fix:+, fix has: $fix}" "python3 -c '
import json, sys
doc = json.loads(sys.stdin.read())
f = [f for f in doc[\"findings\"] if f[\"id\"] == sys.argv[1]]
assert doc[\"status\"] == int(sys.argv[3]), doc[\"status\"]
assert len(f) == 1 and f[0][\"verdict\"] == sys.argv[2], f
assert (f[0][\"fix\"] is None) if sys.argv[2] == \"ok\" else (sys.argv[4] in f[0][\"fix\"]), f
' '$id' '$verdict' '$status' \"\$fix\" <<<\"\$out\""
  [ "$fail" -eq "$failed_before" ] || printf '%s\n' "$text" | sed 's/^/     /'
}

