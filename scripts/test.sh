#!/usr/bin/env bash
# The whole test suite, as CI runs it (`make test`, called by .ci/run):
#   1. set-up: Lua runtimes, busted, PyJWT venv (scripts/setup.sh)
#   2. cargo fmt --check and clippy -D warnings (core and binding, the lints
#      of Cargo.toml's [workspace.lints]: scripts/check.sh lint); the
#      declared rust-version covers every locked crate (scripts/msrv.sh)
#   3. cargo test: unit tests, every conformance vector against the core,
#      the COMPAT(<id>) tags against the CHANGELOG (scripts/check.sh test)
#   4. build the module for lua51 lua52 lua53 lua54 luajit
#   5. each .so: exports luaopen_luajwtjitsi, no embedded Lua, libc only;
#      a probe build proves a panic reaches Lua as an error, not an abort
#   6. busted specs under each of the five runtimes, against that build
#   7. interop: tokens from PyJWT verify here, tokens from here verify in PyJWT
#   8. a real Prosody 0.12 on 127.0.0.1: BOSH and WebSocket logins through
#      both loading paths, with the exact messages in the SASL failures
#   9. jitsi-jwt (cli/): its tokens pass the Lua module and PyJWT, and back;
#      `jitsi-jwt doctor` under this machine's Prosody 0.12 and Lua 5.4,
#      healthy and with each fault made on purpose (tests/doctor/run.sh);
#      key files as admins have them (tests/keyfiles): the module reads what
#      OpenSSL 3.0's CLI reads, and no key file's bytes pass as an HMAC secret
#      at any entry point (oracle and forgery matrices, fresh keys each run);
#      the inspect fallback gives the real inspect.lua 3.1.1's text under
#      every Lua (tests/fallback/inspect.sh, seeded: INSPECT_SEED)
#  10. benchmark smoke run: `make bench` still runs and every result checks
#      out (figures are printed, never compared with a threshold)
#  11. packages: the luarocks rock and the Debian package, installed, loaded
#      and removed (tests/packaging/rock.sh, tests/packaging/deb.sh); the
#      arm64 package under qemu user-mode emulation with Debian's arm64 Lua
#      interpreters (tests/packaging/arm64.sh); the release artifacts of
#      `make dist`, and the prebuilt rock installed offline by Debian 11's
#      luarocks 2.4 and by luarocks 3 for every Lua, its arm64 files too
#      (tests/packaging/dist.sh, reusing the deb stages' builds)
#      docs/jitsi-plugins.md's table of what Debian 11-13 package for which Lua (basexx,
#      inspect, cjson) against `dpkg-deb -c` of those packages
#      (tests/packaging/distro_lua.sh, listings cached)
#      the .deb's basexx and inspect fallbacks in this machine's Prosody 0.12:
#      a plugin that requires them as Jitsi's token plugins do logs in with
#      them, then with the real libraries first on package.path
#      (tests/prosody/fallback.sh)
#  11b. Prosody 13 in a Debian 13 chroot with that .deb installed: the
#      scenarios of stage 8, and the fallbacks' plugin without and then with
#      Debian unstable's lua-basexx 0.4.1 (tests/prosody/debian13.sh)
#  11b. `jitsi-jwt doctor` from that .deb in Debian 13 (Prosody 13, Lua 5.4)
#      and Debian 11 (Prosody 0.11, Lua 5.2) chroots: healthy, then each
#      fault made and undone (tests/doctor/debian.sh)
#  11c. the source tarball of make dist builds jitsi-jwt and, through the
#      source rock, the Lua 5.4 module with no network and an empty
#      CARGO_HOME (tests/packaging/offline.sh)
#  11d. the docker-jitsi-meet recipe built with a real Docker engine (a
#      private dockerd) on a stand-in for ghcr.io/jitsi/prosody, and Prosody
#      13 in the built image logging in with tokens in every plugin order of
#      the image's configs; its arm64 branch by sh and qemu (tests/docker/run.sh)
#  12. differential: seeded mutations verified by PyJWT and here
#  13. dependency audit: cargo-deny against ../shared/advisory-db, offline;
#      without the snapshot (a user's clone) cargo-deny fetches the database,
#      and when it cannot, the advisories check is skipped (never under CI=true)
#  14. fuzz smoke run: each cargo-fuzz target for FUZZ_SECONDS (default 30),
#      after replaying fuzz/regressions
# The hostile-argument suite (tests/lua/hostile_spec.lua) runs in stage 6,
# the limits, Wycheproof and fuzz-regression tests in stage 3.
# Each stage ends with its duration ("==== took N s: NAME"); the run ends
# with every stage's duration, then one line "N passed, N failed" summed over
# every stage that counts.
set -euo pipefail
cd "$(dirname "$0")/.."
logs=build/test-logs
rm -rf "$logs"; mkdir -p "$logs"

# stage NAME starts a stage and closes the previous one with its duration;
# the EXIT trap closes the last one, also when a failing stage stops the run.
stage_name=""; stage_start=$SECONDS; durations=()
stage_done() {
  [ -n "$stage_name" ] || return 0
  local took=$((SECONDS - stage_start))
  printf '==== took %d s: %s\n' "$took" "$stage_name"
  durations+=("$(printf '%6d s  %s' "$took" "$stage_name")")
  stage_name=""
}
stage() { stage_done; printf '\n==== %s\n' "$*"; stage_name=$*; stage_start=$SECONDS; }
trap 'stage_done' EXIT

stage "set-up"
scripts/setup.sh

# Stages 2 to 4 are `make check` (scripts/check.sh), in three parts.
stage "format and lints"
scripts/check.sh lint
scripts/msrv.sh 2>&1 | tee "$logs/checks.log"

stage "cargo test (core, conformance vectors, COMPAT tags)"
# The binding's unit tests (its pinned messages) need a Lua to link:
# check.sh gives them a vendored Lua 5.4, for that test build only.
scripts/check.sh test 2>&1 | tee "$logs/cargo.log"

stage "documentation: links, anchors and runnable README blocks (scripts/check.sh docs)"
scripts/check.sh docs 2>&1 | tee -a "$logs/checks.log"

stage "build all Lua flavours"
scripts/build.sh

stage "shipped .so files: exports, no embedded Lua, no OpenSSL"
tests/so_check.sh 2>&1 | tee -a "$logs/checks.log"

stage "a panic inside the module is a Lua error, not an abort"
tests/panic_probe.sh 2>&1 | tee -a "$logs/checks.log"

stage "busted under lua5.1 lua5.2 lua5.3 lua5.4 luajit"
tests/lua/run.sh 2>&1 | tee "$logs/busted.log"

stage "interop with PyJWT"
tests/interop/run.sh 2>&1 | tee "$logs/interop.log"

stage "Prosody: real XMPP logins (tests/prosody)"
tests/prosody/run.sh 2>&1 | tee -a "$logs/checks.log"

stage "jitsi-jwt against the Lua module and PyJWT"
tests/cli/run.sh 2>&1 | tee -a "$logs/checks.log"

stage "jitsi-jwt doctor: healthy, then each fault, on this machine's Prosody 0.12 (tests/doctor)"
tests/doctor/run.sh 2>&1 | tee -a "$logs/checks.log"

stage "key files: oracle matrix (OpenSSL 3.0 CLI) and forgery matrix (tests/keyfiles)"
tests/keyfiles/run.sh 2>&1 | tee -a "$logs/checks.log"

stage "basexx fallback against the real basexx 0.4.1, five Lua interpreters (tests/fallback/basexx.sh)"
tests/fallback/basexx.sh 2>&1 | tee -a "$logs/checks.log"

stage "inspect fallback against the real inspect.lua 3.1.1 (tests/fallback/inspect.sh)"
tests/fallback/inspect.sh 2>&1 | tee -a "$logs/checks.log"

stage "benchmark smoke run (scripts/bench.sh --quick; figures not judged)"
# A copy of the fresh build stands in for --baseline, so that option is run
# too. Prosody's util.jwt is measured when Prosody is installed.
bench_args=(--quick --baseline build/bench-smoke-baseline)
if [ ! -f /usr/lib/prosody/util/jwt.lua ]; then
  echo "bench smoke: Prosody is not installed, its util.jwt column is left out"
  bench_args+=(--no-prosody)
fi
mkdir -p build/bench-smoke-baseline
cp build/lua54/luajwtjitsi.so build/bench-smoke-baseline/
scripts/bench.sh "${bench_args[@]}" 2>&1 | tee -a "$logs/checks.log"

stage "packages: luarocks rock, Debian package (amd64, arm64 under emulation), make dist and the prebuilt rock"
tests/packaging/rock.sh 2>&1 | tee -a "$logs/checks.log"
tests/packaging/deb.sh 2>&1 | tee -a "$logs/checks.log"
tests/packaging/arm64.sh 2>&1 | tee -a "$logs/checks.log"
DIST_REUSE_DEB=1 tests/packaging/dist.sh 2>&1 | tee -a "$logs/checks.log"
tests/packaging/distro_lua.sh 2>&1 | tee -a "$logs/checks.log"
PKGTEST_DEB=$(ls build/deb/lua-luajwtjitsi_*_amd64.deb) tests/prosody/fallback.sh 2>&1 | tee -a "$logs/checks.log"

stage "Prosody 13 on Debian 13, the .deb installed (tests/prosody/debian13.sh)"
PKGTEST_DEB=$(ls build/deb/lua-luajwtjitsi_*_amd64.deb) tests/prosody/debian13.sh 2>&1 | tee -a "$logs/checks.log"

stage "jitsi-jwt doctor in Debian 13 and 11 chroots, the .deb installed (tests/doctor/debian.sh)"
PKGTEST_DEB=$(ls build/deb/lua-luajwtjitsi_*_amd64.deb) tests/doctor/debian.sh 2>&1 | tee -a "$logs/checks.log"

stage "apt repository (make apt-repo): install, upgrades both ways, failed upgrade, in Debian 11, 12, 13 (tests/packaging/apt_repo.sh)"
PKGTEST_DEB=$(ls build/deb/lua-luajwtjitsi_*_amd64.deb) PKGTEST_DEB_ARM64=$(ls build/deb/lua-luajwtjitsi_*_arm64.deb) tests/packaging/apt_repo.sh 2>&1 | tee -a "$logs/checks.log"

stage "offline build from the source tarball (tests/packaging/offline.sh)"
tests/packaging/offline.sh 2>&1 | tee -a "$logs/checks.log"

stage "docker-jitsi-meet: the recipe built and logged into with a real Docker engine (tests/docker/run.sh)"
tests/docker/run.sh 2>&1 | tee -a "$logs/checks.log"

stage "differential against PyJWT (seeded mutations)"
tests/differential/run.sh 2>&1 | tee -a "$logs/checks.log"

stage "dependency audit (cargo-deny; advisories from ../shared/advisory-db, else fetched, else skipped outside CI)"
scripts/audit.sh 2>&1 | tee -a "$logs/checks.log"
scripts/rsa-verify-only.sh 2>&1 | tee -a "$logs/checks.log"

stage "fuzz smoke run (${FUZZ_SECONDS:-30} s per target)"
scripts/fuzz.sh "${FUZZ_SECONDS:-30}" 2>&1 | tee -a "$logs/checks.log"

stage_done
printf '\nStage durations (%d s in all):\n' "$SECONDS"
printf '%s\n' "${durations[@]}"

# Sum what the runners reported. pipefail above already stopped on failure;
# this is the closing line.
passed=0; failed=0; skipped=0
while read -r p f i; do passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + i)); done < <(
  sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed; \([0-9]*\) failed; \([0-9]*\) ignored.*/\1 \2 \3/p' "$logs/cargo.log"
  sed -n 's/^\([0-9]*\) success\(es\)\{0,1\} \/ \([0-9]*\) failures\{0,1\} \/ \([0-9]*\) errors\{0,1\} \/ \([0-9]*\) pending.*/\1 \3+\4 \5/p' "$logs/busted.log"
  sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed\(, \([0-9]*\) skipped\)\{0,1\}$/\1 \2 \4/p' "$logs/interop.log" | sed 's/ $/ 0/'
  sed -n 's/^[a-z0-9-]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2 0/p' "$logs/checks.log"
  sed -n 's/^[a-z0-9-]*: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p' "$logs/checks.log"
)
# What was skipped, and why, is named before the closing line.
grep -h 'SKIPPED' "$logs/checks.log" | sed 's/^/skipped: /' || true
printf '\nAll stages passed.\n%d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
