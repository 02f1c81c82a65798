#!/usr/bin/env bash
# Build the native module for one or more Lua ABIs.
#   scripts/build.sh                 # all five: lua51 lua52 lua53 lua54 luajit
#   scripts/build.sh lua54           # one flavour
#   scripts/build.sh cli             # only the jitsi-jwt admin tool
# Each flavour lands in build/<flavour>/luajwtjitsi.so; with no arguments the
# admin tool (cli/, no Lua features) is built too, into build/bin/jitsi-jwt. One cargo target dir is
# shared: only mlua and this crate differ between flavours, so AWS-LC and the
# RustCrypto crates compile once.
set -euo pipefail
cd "$(dirname "$0")/.."
# Cargo keeps one fingerprint for this crate's cdylib whatever its features
# (its log says FeaturesChanged), so building lua51 after lua54 compiles the
# crate again every time: 20-40 s a flavour on 2 cores, for nothing when the
# sources did not change. So a file is rebuilt only when one of its inputs is
# newer than it, or the compiler is another; BUILD_FORCE=1 always builds.
# The file takes the time the build started, so an edit made during the build
# counts as newer.
compiler=$(rustc -vV | tr '\n' ' ')
fresh() { # OUT INPUT...: OUT was built from INPUTs as they are, by this compiler
  local out=$1
  shift
  [ "${BUILD_FORCE:-0}" != 1 ] && [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$compiler" ] &&
    [ -z "$(find "$@" -newer "$out" -print -quit)" ]
}
# put BUILT OUT: copies cargo's BUILT to OUT (atomically), dated $begun.
put() {
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2.tmp"
  touch -r "$begun" "$2.tmp"
  mv "$2.tmp" "$2"
  printf '%s' "$compiler" > "$2.stamp"
}
begun=$(mktemp)
trap 'rm -f "$begun"' EXIT

flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(lua51 lua52 lua53 lua54 luajit cli)
for f in "${flavours[@]}"; do
  touch "$begun"
  case "$f" in
    lua51|lua52|lua53|lua54|luajit) ;;
    cli)
      if fresh build/bin/jitsi-jwt src cli Cargo.toml Cargo.lock; then
        echo "== jitsi-jwt: build/bin/jitsi-jwt is up to date" >&2; continue
      fi
      echo "== building jitsi-jwt" >&2
      cargo build --locked --release -p jitsi-jwt >&2
      put target/release/jitsi-jwt build/bin/jitsi-jwt
      continue ;;
    *) echo "build.sh: unknown flavour '$f' (lua51 lua52 lua53 lua54 luajit cli)" >&2; exit 2 ;;
  esac
  if fresh "build/$f/luajwtjitsi.so" src Cargo.toml Cargo.lock; then
    echo "== $f: build/$f/luajwtjitsi.so is up to date" >&2; continue
  fi
  echo "== building $f" >&2
  cargo build --locked --release --no-default-features --features "$f,module" >&2
  put target/release/libluajwtjitsi.so "build/$f/luajwtjitsi.so"
done
