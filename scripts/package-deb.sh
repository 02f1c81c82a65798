#!/usr/bin/env bash
# Build the Debian package lua-luajwtjitsi_<version>_amd64.deb into build/deb/
# (`make deb`). Installs what it needs first (dpkg-dev, binutils, zig and
# cargo-zigbuild, cargo-deb: see scripts/package-tools.sh).
#
# Each Lua flavour is linked with cargo-zigbuild against glibc 2.28, so the
# package installs on Debian 10 (glibc 2.28), 11 and 12, and against the
# system's libgcc_s unwinder (see zig_build_module in package-tools.sh for why).
# The files are stripped (lintian wants no .comment section) and packaged by
# `cargo deb --no-build` from the assets in Cargo.toml [package.metadata.deb];
# Depends is then computed again and md5sums added (see below).
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
  zig_build_module --no-default-features --features "$f,module" --lib
  mkdir -p "$out/lua$v"
  strip --strip-unneeded --remove-section=.comment --remove-section=.note \
    -o "$out/lua$v/luajwtjitsi.so" "target/$ZIG_TARGET/release/libluajwtjitsi.so"
done

# Programs of the workspace (jitsi-jwt in cli/): built once, without a Lua
# feature, so that a Cargo.toml asset line is all that adding one takes.
bins=$(crate_bins)
if [ -n "$bins" ]; then
  echo "== programs: $bins (glibc $ZIG_GLIBC)" >&2
  zig_build --workspace --bins
  for b in $bins; do
    strip --strip-unneeded --remove-section=.comment --remove-section=.note -o "$out/bin/$b" "target/$ZIG_TARGET/release/$b"
  done
fi

cargo deb --no-build --no-strip --quiet --output "$out" >&2
deb=$(ls "$out"/lua-luajwtjitsi_*_amd64.deb)

# Two fixes to what cargo-deb made, then a repack with dpkg-deb:
# - Depends. cargo-deb's dpkg-shlibdeps reads this machine's libc6 symbols
#   file, where Debian 12 lists sysconf@GLIBC_2.2.5 as needing libc6 2.34
#   (programs built against 2.34's headers may pass it newer constants).
#   jitsi-jwt calls sysconf but was built against glibc 2.28's headers, so
#   that bump does not apply. dpkg-shlibdeps is run again over every ELF file
#   with a debian/shlibs.local that maps libc.so.6 to libc6 (>= 2.28); it
#   still decides which packages are needed. No shipped file uses a symbol
#   newer than GLIBC_2.28 (tests/packaging/deb.sh checks with objdump -T).
#   libgcc is left out as cargo-deb does: every Debian system has it.
# - md5sums, which cargo-deb does not write (debsums and lintian want one).
tree="$out/tree"
dpkg-deb -R "$deb" "$tree"
# The project address lives in Cargo.toml only (see crate_field).
sed -i "s|@PROJECT_URL@|$(crate_field homepage)|g" "$tree/usr/share/doc/lua-luajwtjitsi/copyright"
scratch="$out/shlibdeps"
mkdir -p "$scratch/debian"
: > "$scratch/debian/control"
echo "libc 6 libc6 (>= $ZIG_GLIBC)" > "$scratch/debian/shlibs.local"
mapfile -t elves < <(find "$PWD/$tree/usr" -type f -exec sh -c 'readelf -h "$1" >/dev/null 2>&1' _ {} \; -print)
depends=$(cd "$scratch" && dpkg-shlibdeps -O -xlibgcc-s1 -xlibgcc1 "${elves[@]}" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "package-deb: dpkg-shlibdeps gave no Depends" >&2; exit 1; }
# One entry per package, as dpkg-gencontrol would merge them: "libc6 (>= 2.3),
# libc6 (>= 2.28)" becomes "libc6 (>= 2.28)".
merged=()
while IFS= read -r pkg; do
  best=""
  while IFS= read -r v; do
    if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
  done < <(tr ',' '\n' <<<"$depends" | sed -n "s/^ *$pkg (>= \(.*\))$/\1/p")
  if [ -n "$best" ]; then merged+=("$pkg (>= $best)"); else merged+=("$pkg"); fi
done < <(tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/ .*//' | awk '!seen[$0]++')
depends=$(IFS=,; echo "${merged[*]}" | sed 's/,/, /g')
sed -i "s/^Depends: .*/Depends: $depends/" "$tree/DEBIAN/control"
rm -rf "$scratch"
(cd "$tree" && find usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum > DEBIAN/md5sums)
chmod 644 "$tree/DEBIAN/md5sums"
dpkg-deb --root-owner-group -Zxz --build "$tree" "$deb" >&2
rm -rf "$tree"
echo "$deb"
