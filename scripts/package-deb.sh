#!/usr/bin/env bash
# Build the Debian package lua-luajwtjitsi_<version>_amd64.deb into build/deb/
# (`make deb`). Installs what it needs first (dpkg-dev, binutils, zig and
# cargo-zigbuild, cargo-deb: see scripts/package-tools.sh).
#
# Each Lua flavour is linked with cargo-zigbuild against glibc 2.28, so the
# package installs on Debian 10 (glibc 2.28), 11 and 12, and against the
# system's libgcc_s unwinder (see zig_build in package-tools.sh for why).
# dpkg-shlibdeps computes the dependencies; cargo-deb leaves libgcc out, as
# every Debian system has it, so libc6 is the only one. The files
# are stripped (lintian wants no .comment section) and packaged by
# `cargo deb --no-build` from the assets in Cargo.toml [package.metadata.deb];
# an md5sums file is added with dpkg-deb.
# Prints the path of the .deb on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/package-tools.sh

need_apt dpkg-dev binutils
need_zigbuild
need_cargo_deb

out=build/deb
rm -rf "$out"; mkdir -p "$out/bin"

# Lua 5.1 also serves LuaJIT: a lua51 build uses only the 5.1 C API, which
# LuaJIT provides (a luajit build would not load in PUC Lua 5.1).
for v in 5.1 5.2 5.3 5.4; do
  f="lua${v/./}"
  echo "== $f (glibc $ZIG_GLIBC)" >&2
  zig_build --no-default-features --features "$f,module" --lib
  mkdir -p "$out/lua$v"
  strip --strip-unneeded --remove-section=.comment --remove-section=.note \
    -o "$out/lua$v/luajwtjitsi.so" "target/$ZIG_TARGET/release/libluajwtjitsi.so"
done

# Programs of this crate (none yet): built once, without a Lua feature, so
# that a Cargo.toml asset line is all that adding one to the package takes.
bins=$(crate_bins)
if [ -n "$bins" ]; then
  echo "== programs: $bins (glibc $ZIG_GLIBC)" >&2
  zig_build --bins
  for b in $bins; do
    strip --strip-unneeded --remove-section=.comment --remove-section=.note -o "$out/bin/$b" "target/$ZIG_TARGET/release/$b"
  done
fi

cargo deb --no-build --no-strip --quiet --output "$out" >&2
deb=$(ls "$out"/lua-luajwtjitsi_*_amd64.deb)

# cargo-deb writes no md5sums (debsums and lintian want one): unpack, add it,
# repack with dpkg-deb.
tree="$out/tree"
dpkg-deb -R "$deb" "$tree"
(cd "$tree" && find usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum > DEBIAN/md5sums)
chmod 644 "$tree/DEBIAN/md5sums"
dpkg-deb --root-owner-group -Zxz --build "$tree" "$deb" >&2
rm -rf "$tree"
echo "$deb"
