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
flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(lua51 lua52 lua53 lua54 luajit cli)
for f in "${flavours[@]}"; do
  case "$f" in
    lua51|lua52|lua53|lua54|luajit) ;;
    cli)
      echo "== building jitsi-jwt" >&2
      cargo build --locked --release -p jitsi-jwt >&2
      mkdir -p build/bin
      cp target/release/jitsi-jwt build/bin/jitsi-jwt.tmp
      mv build/bin/jitsi-jwt.tmp build/bin/jitsi-jwt
      continue ;;
    *) echo "build.sh: unknown flavour '$f' (lua51 lua52 lua53 lua54 luajit cli)" >&2; exit 2 ;;
  esac
  echo "== building $f" >&2
  cargo build --locked --release --no-default-features --features "$f,module" >&2
  mkdir -p "build/$f"
  cp target/release/libluajwtjitsi.so "build/$f/luajwtjitsi.so.tmp"
  mv "build/$f/luajwtjitsi.so.tmp" "build/$f/luajwtjitsi.so"
done
