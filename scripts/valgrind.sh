#!/usr/bin/env bash
# The busted specs under valgrind memcheck, against the fresh build:
#   scripts/valgrind.sh               # lua54
#   scripts/valgrind.sh lua52 lua54   # several flavours (LuaJIT is not
#                                     # supported: its allocator confuses memcheck)
# Fails on any memory error (invalid read/write, use of uninitialised
# values) and on any definite or indirect leak; "still reachable" blocks
# (the key cache and other process-lifetime statics) are reported in the
# summary but allowed. Prints "valgrind-<flavour>: N passed, N failed" and
# the leak summary per flavour. Takes minutes: not part of make test.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(lua54)
status=0
for f in "${flavours[@]}"; do
  [ "$f" != luajit ] || { echo "valgrind.sh: luajit is not supported" >&2; status=2; continue; }
  vlog="$(mktemp)"
  LUAJWT_WRAP="valgrind -q --error-exitcode=99 --keep-debuginfo=yes --suppressions=$PWD/tests/valgrind.supp --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --num-callers=40 --log-file=$vlog" \
    tests/lua/run.sh "$f" >"$vlog.busted" 2>&1
  rc=$?
  counts="$(sed 's/\x1b\[[0-9;]*m//g' "$vlog.busted" | grep -E '^[0-9]+ success' | tail -n 1)"
  errors="$(grep -c '^==[0-9]*== [A-Z].*\(Invalid\|uninitialised\|definitely lost\|indirectly lost\|Mismatched\)' "$vlog" || true)"
  echo "valgrind-$f: busted: ${counts:-no summary}"
  grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|still reachable' "$vlog" | sed "s/^/  /"
  if [ "$rc" -eq 0 ] && [ "$errors" -eq 0 ]; then
    echo "valgrind-$f: 1 passed, 0 failed"
  else
    echo "valgrind-$f: 0 passed, 1 failed (busted/valgrind exit $rc, $errors error lines; log $vlog)"
    grep -A30 -E 'Invalid|uninitialised|definitely lost|indirectly lost' "$vlog" | head -60
    status=1
    continue
  fi
  rm -f "$vlog" "$vlog.busted"
done
exit "$status"
