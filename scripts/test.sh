#!/usr/bin/env bash
# The test suite: the stages in the table below, in its order.
#   scripts/test.sh                   every stage (make test; .ci/run calls it)
#   scripts/test.sh --tier fast       the fast tier (make test-fast)
#   scripts/test.sh --list            name, tier, typical time, what it proves
#   scripts/test.sh --only NAME...    those stages (and the stages they need)
#   scripts/test.sh --skip NAME...    all but those
#   scripts/test.sh --keep-going      run on after a failing stage
# Options combine: `--tier fast --skip prosody`. Each stage's output goes to
# the terminal and to build/test-logs/NAME.log. The run ends with a table of
# every stage's counts and time, then its closing line, alone and last:
# "N passed, N failed, N skipped". A failing stage stops the run (unless
# --keep-going) and the exit status is non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

# One row a stage:  name | tier | typical time | needs | what it proves | command
# tier: fast needs no package build, chroot, emulation, fuzzing or long
# differential; full is the rest. time: a warm run on the project's 2-core
# machine while other builds shared it (load 15); less when it is quiet.
# needs: the stages --only runs first (unless --skip names them).
# command: run by bash from the repository root; its output must end with
# closing lines "NAME: N passed, N failed[, N skipped]" (tests/lib/stage.sh),
# which are summed; a stage without one counts only its exit status.
# The bench, deb and chroot stages reuse the build stages' files.
read -r -d '' STAGES <<'TABLE' || true
setup          | fast |   2 s |       | Lua runtimes, busted, Prosody, PyJWT venv installed (scripts/setup.sh) | scripts/setup.sh
runner         | fast |   2 s |       | this runner: --list, --only, --skip, counts, exit status (tests/runner) | tests/runner/run.sh
lints          | fast |  10 s |       | cargo fmt, clippy -D warnings; rust-version covers the lock | scripts/check.sh lint && scripts/msrv.sh
cargo-test     | fast |  95 s |       | Rust core, conformance vectors, limits, Wycheproof, COMPAT tags, binding | scripts/check.sh test
docs           | fast |   3 s |       | doc links, anchors, paths named, runnable blocks (scripts/doc-check.sh) | scripts/check.sh docs
build          | fast |  10 s |       | the five flavours lua51 lua52 lua53 lua54 luajit, and jitsi-jwt | scripts/build.sh
so-check       | fast |   1 s | build | each .so: exports, no embedded Lua, libc only (tests/so_check.sh) | tests/so_check.sh
panic-probe    | fast |  40 s |       | a panic in the module is a Lua error, not an abort | tests/panic_probe.sh
busted         | fast |  40 s | build | the busted specs (hostile arguments too) under all five Luas | tests/lua/run.sh
interop        | fast |   5 s | build | tokens from PyJWT verify here, ours verify in PyJWT | tests/interop/run.sh
prosody        | fast |  25 s | build | Prosody 0.12 on 127.0.0.1: BOSH and WebSocket logins, both loading paths | tests/prosody/run.sh
cli            | fast |   5 s | build | jitsi-jwt against the Lua module and PyJWT | tests/cli/run.sh
doctor         | fast |  15 s | build | jitsi-jwt doctor on this machine's Prosody: healthy, each fault | tests/doctor/run.sh
keyfiles       | fast | 125 s | build | key files: OpenSSL 3.0 oracle matrix, HMAC forgery matrix | tests/keyfiles/run.sh
basexx         | full | 300 s | build | basexx fallback vs the real basexx 0.4.1, seeded, five Luas | tests/fallback/basexx.sh
inspect        | full | 100 s | build | inspect fallback vs the real inspect.lua 3.1.1, seeded, five Luas | tests/fallback/inspect.sh
bench          | full |  60 s | build | make bench still runs, every result checks out (figures not judged) | bench_smoke
rock           | full |  90 s |       | luarocks rock: make, load, remove; source rock | tests/packaging/rock.sh
deb            | full | 240 s |       | the .deb: fields, files, ELF checks, lintian, Debian 11 chroot install | tests/packaging/deb.sh
arm64          | full | 180 s |       | the arm64 .deb under qemu with Debian's arm64 Luas | tests/packaging/arm64.sh
dist           | full | 120 s | deb   | make dist: tarballs, prebuilt rock offline on luarocks 2.4 and 3 | DIST_REUSE_DEB=1 tests/packaging/dist.sh
distro-lua     | full |  40 s |       | docs/jitsi-plugins.md's table vs Debian 11-13's Lua packages | tests/packaging/distro_lua.sh
fallback-host  | full |  20 s | deb   | the .deb's basexx and inspect fallbacks in this machine's Prosody | with_deb tests/prosody/fallback.sh
debian13       | full |  60 s | deb   | Prosody 13 on Debian 13 with the .deb installed | with_deb tests/prosody/debian13.sh
doctor-debian  | full |  90 s | deb   | jitsi-jwt doctor from the .deb in Debian 13 and 11 chroots | with_deb tests/doctor/debian.sh
apt-repo       | full | 240 s | deb,arm64 | make apt-repo: install, upgrades both ways, a failed upgrade, in Debian 11, 12, 13 | with_deb tests/packaging/apt_repo.sh
offline        | full | 180 s |       | the source tarball builds with no network and an empty CARGO_HOME | tests/packaging/offline.sh
docker         | full |  45 s |       | the docker-jitsi-meet recipe built by a real Docker engine; Prosody 13 logins in it | tests/docker/run.sh
differential   | full |   5 s | build | seeded token mutations: PyJWT and this module agree | tests/differential/run.sh
audit          | full |  20 s |       | cargo-deny advisories, licences, sources; RSA stays verify-only | scripts/audit.sh && scripts/rsa-verify-only.sh
fuzz           | full | 300 s |       | each cargo-fuzz target for FUZZ_SECONDS (default 30), regressions first | scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
TABLE
# tests/runner/run.sh gives the runner a table of its own this way.
[ -z "${TEST_STAGES_TABLE:-}" ] || STAGES=$(cat "$TEST_STAGES_TABLE")

# Helpers the table's commands use.
# A copy of the fresh build stands in for --baseline, so that option is run
# too; Prosody's util.jwt is measured when Prosody is installed.
bench_smoke() {
  local args=(--quick --baseline build/bench-smoke-baseline)
  if [ ! -f /usr/lib/prosody/util/jwt.lua ]; then
    echo "bench smoke: Prosody is not installed, its util.jwt column is left out"
    args+=(--no-prosody)
  fi
  mkdir -p build/bench-smoke-baseline
  cp build/lua54/luajwtjitsi.so build/bench-smoke-baseline/
  scripts/bench.sh "${args[@]}"
}
# with_deb CMD...: CMD with PKGTEST_DEB and PKGTEST_DEB_ARM64 set to the .debs
# the deb and arm64 stages made (empty when there is none: CMD builds it).
with_deb() {
  PKGTEST_DEB=$(ls build/deb/lua-luajwtjitsi_*_amd64.deb 2>/dev/null || true) \
    PKGTEST_DEB_ARM64=$(ls build/deb/lua-luajwtjitsi_*_arm64.deb 2>/dev/null || true) "$@"
}
export -f bench_smoke with_deb

trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }
names=(); declare -A tier time needs what cmd
while IFS='|' read -r n t d r w c; do
  n=$(trim "$n"); [ -n "$n" ] || continue
  names+=("$n"); tier[$n]=$(trim "$t"); time[$n]=$(trim "$d"); needs[$n]=$(trim "$r")
  what[$n]=$(trim "$w"); cmd[$n]=$(trim "$c")
done <<<"$STAGES"

usage() { sed -n '2,13s/^# \{0,1\}//p' "$0"; }
known() { [ -n "${tier[$1]+x}" ] || { echo "test.sh: no stage '$1' (scripts/test.sh --list)" >&2; exit 2; }; }

# ---- the command line
only=(); skip=(); want_tier=full; keep_going=0; list=0; mode=""
while [ $# -gt 0 ]; do
  case "$1" in
    --list) list=1 ;;
    --only) mode=only ;;
    --skip) mode=skip ;;
    --tier) [ $# -ge 2 ] && [[ "$2" =~ ^(fast|full)$ ]] || { echo "test.sh: --tier fast or --tier full" >&2; exit 2; }
            want_tier=$2; shift; mode="" ;;
    --keep-going) keep_going=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "test.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) case "$mode" in
         only) known "$1"; only+=("$1") ;;
         skip) known "$1"; skip+=("$1") ;;
         *) echo "test.sh: '$1': stage names follow --only or --skip" >&2; exit 2 ;;
       esac ;;
  esac
  shift
done
in_list() { local x=$1; shift; local y; for y in "$@"; do [ "$x" = "$y" ] && return 0; done; return 1; }

if [ "$list" = 1 ]; then
  printf '%-14s %-5s %6s  %s\n' stage tier time "what it proves"
  for n in "${names[@]}"; do
    printf '%-14s %-5s %6s  %s%s\n' "$n" "${tier[$n]}" "${time[$n]}" "${what[$n]}" "${needs[$n]:+ [needs ${needs[$n]}]}"
  done
  exit 0
fi

# ---- which stages run: --only (with what they need, transitively), else the
# tier; --skip always wins.
declare -A chosen=()
add_with_needs() {
  local n=$1 r
  [ -z "${chosen[$n]+x}" ] || return 0
  chosen[$n]=1
  for r in ${needs[$n]//,/ }; do in_list "$r" "${skip[@]}" || add_with_needs "$r"; done
}
if [ ${#only[@]} -gt 0 ]; then
  for n in "${only[@]}"; do add_with_needs "$n"; done
else
  for n in "${names[@]}"; do
    if [ "$want_tier" = full ] || [ "${tier[$n]}" = fast ]; then chosen[$n]=1; fi
  done
fi
for n in "${skip[@]}"; do unset "chosen[$n]"; done

logs=${TEST_LOGS:-build/test-logs}
rm -rf "$logs"; mkdir -p "$logs"
declare -A result=() took=() counts=()
run_started=$SECONDS

# counts of a stage's log: the sum of its closing lines, "P F S".
log_counts() {
  sed -n 's/^[A-Za-z0-9_.-]*: \([0-9]*\) passed, \([0-9]*\) failed\(, \([0-9]*\) skipped\)\{0,1\}$/\1 \2 \4/p' "$1" |
    awk '{ p += $1; f += $2; s += $3; n++ } END { if (n) print p, f, s }'
}

stopped=0
for n in "${names[@]}"; do
  if [ -z "${chosen[$n]+x}" ]; then result[$n]="not run"; continue; fi
  if [ "$stopped" = 1 ]; then result[$n]="not run (an earlier stage failed)"; continue; fi
  printf '\n==== %s: %s\n' "$n" "${what[$n]}"
  start=$SECONDS
  set +e
  bash -o pipefail -c "${cmd[$n]}" 2>&1 | tee "$logs/$n.log"
  rc=${PIPESTATUS[0]}
  set -e
  took[$n]=$((SECONDS - start))
  c=$(log_counts "$logs/$n.log")
  read -r p f s <<<"${c:-- - -}"
  if [ "$rc" -ne 0 ]; then
    result[$n]=FAIL
    # A failing exit with no failed check counts as one failure.
    if [ "$f" = - ] || [ "$f" -eq 0 ]; then f=$(( ${f/-/0} + 1 )); p=${p/-/0}; s=${s/-/0}; fi
  else
    result[$n]=ok
  fi
  counts[$n]="$p $f $s"
  printf '==== took %d s: %s (%s)\n' "${took[$n]}" "$n" "${result[$n]}"
  if [ "$rc" -ne 0 ] && [ "$keep_going" = 0 ]; then stopped=1; fi
done

# ---- the table, the skips and why, the closing line
passed=0; failed=0; skipped=0; failing=(); unchosen=()
printf '\n%-14s %-5s %-8s %8s %7s %8s %7s\n' stage tier result passed failed skipped time
for n in "${names[@]}"; do
  if [ -z "${took[$n]+x}" ]; then
    if [ "${result[$n]}" = "not run" ]; then unchosen+=("$n"); continue; fi
    printf '%-14s %-5s %s\n' "$n" "${tier[$n]}" "${result[$n]}"
    continue
  fi
  read -r p f s <<<"${counts[$n]}"
  printf '%-14s %-5s %-8s %8s %7s %8s %5d s\n' "$n" "${tier[$n]}" "${result[$n]}" "$p" "$f" "$s" "${took[$n]}"
  [ "$p" = - ] || { passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s)); }
  [ "${result[$n]}" = ok ] || failing+=("$n")
done
printf '%-14s %-5s %-8s %8d %7d %8d %5d s\n' "all" "" "" "$passed" "$failed" "$skipped" "$((SECONDS - run_started))"
[ ${#unchosen[@]} -eq 0 ] || [ ${#only[@]} -gt 0 ] || printf 'not chosen: %s\n' "${unchosen[*]}"
grep -h ': SKIPPED' "$logs"/*.log 2>/dev/null | sed 's/^/skipped: /' || true
if [ ${#failing[@]} -gt 0 ]; then
  printf '\nFailed: %s\n' "${failing[*]}"
else
  printf '\nAll stages run passed.\n'
fi
printf '%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
[ ${#failing[@]} -eq 0 ]
