#!/usr/bin/env bash
# Build the Debian packages lua-luajwtjitsi_<version>_<arch>.deb into build/deb/
# (`make deb`):
#   scripts/package-deb.sh              # amd64 and arm64
#   scripts/package-deb.sh arm64        # one architecture (amd64 or arm64)
# Installs what it needs first (dpkg-dev, binutils, zig and cargo-zigbuild,
# cargo-deb, the Rust target and a strip for arm64: see
# scripts/package-tools.sh).
#
# Each Lua flavour is linked with cargo-zigbuild against glibc 2.28, so the
# package installs on Debian 10 (glibc 2.28), 11 and 12, and against the
# system's libgcc_s unwinder (see zig_build_module in package-tools.sh for why).
# arm64 is cross-built on this amd64 machine the same way (tests/packaging/
# arm64.sh runs it under emulation).
# The files are stripped (lintian wants no .comment section) into
# build/deb/<arch>/ (deb_stage_dir: lua5.1 ... lua5.4/luajwtjitsi.so and
# bin/) and packaged by `cargo deb --no-build` from the assets in Cargo.toml
# [package.metadata.deb]; Depends is then computed again and md5sums added
# (see below).
# Prints the path of each .deb, one line per architecture, in the order asked.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/package-tools.sh

arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(amd64 arm64)
need_apt dpkg-dev binutils
need_zigbuild
need_cargo_deb

out=build/deb
mkdir -p "$out"

# build_deb ARCH: builds, stages and packages one architecture; prints the .deb.
build_deb() {
  set_target_arch "$1"
  need_target_tools
  local stage root
  stage=$(deb_stage_dir "$DEB_ARCH")
  rm -rf "$stage" "$out/pkg" "$out"/lua-luajwtjitsi_*_"$DEB_ARCH".deb
  mkdir -p "$stage/bin"
  root=$(target_root)

  # Lua 5.1 also serves LuaJIT: a lua51 build uses only the 5.1 C API, which
  # LuaJIT provides (a luajit build would not load in PUC Lua 5.1).
  for v in 5.1 5.2 5.3 5.4; do
    f="lua${v/./}"
    echo "== $f for $DEB_ARCH (glibc $ZIG_GLIBC)" >&2
    zig_build_module --no-default-features --features "$f,module" --lib
    mkdir -p "$stage/lua$v"
    "$STRIP" --strip-unneeded --remove-section=.comment --remove-section=.note \
      -o "$stage/lua$v/luajwtjitsi.so" "target/$ZIG_TARGET/release/libluajwtjitsi.so"
  done

  # Programs of the workspace (jitsi-jwt in cli/): built once, without a Lua
  # feature, so that a Cargo.toml asset line is all that adding one takes.
  local bins b
  bins=$(crate_bins)
  if [ -n "$bins" ]; then
    echo "== programs: $bins for $DEB_ARCH (glibc $ZIG_GLIBC)" >&2
    zig_build --workspace --bins
    for b in $bins; do
      "$STRIP" --strip-unneeded --remove-section=.comment --remove-section=.note -o "$stage/bin/$b" "target/$ZIG_TARGET/release/$b"
    done
  fi

  # Cargo.toml's assets are read from build/deb/pkg/, pointed at this
  # architecture's stage for the run. --target sets Architecture.
  ln -sfn "$DEB_ARCH" "$out/pkg"
  cargo deb --no-build --no-strip --quiet --target "$ZIG_TARGET" --output "$out" >&2
  rm "$out/pkg"
  local deb
  deb=$(ls "$out"/lua-luajwtjitsi_*_"$DEB_ARCH".deb)

  # Three fixes to what cargo-deb made, then a repack with dpkg-deb:
  # - The multiarch folder. The assets name usr/lib/x86_64-linux-gnu/, which
  #   is right for amd64; another architecture's modules move to its own
  #   (usr/lib/aarch64-linux-gnu/lua/5.x/, where Debian's arm64 Lua looks).
  # - Depends. cargo-deb's dpkg-shlibdeps reads this machine's libc6 symbols
  #   file, where Debian 12 lists sysconf@GLIBC_2.2.5 as needing libc6 2.34
  #   (programs built against 2.34's headers may pass it newer constants).
  #   jitsi-jwt calls sysconf but was built against glibc 2.28's headers, so
  #   that bump does not apply. dpkg-shlibdeps is run again over every ELF file
  #   with a debian/shlibs.local that maps libc.so.6 to libc6 (>= 2.28); it
  #   still decides which packages are needed. No shipped file uses a symbol
  #   newer than GLIBC_2.28 (tests/packaging/deb.sh and arm64.sh check).
  #   libgcc is left out as cargo-deb does: every Debian system has it.
  # - md5sums, which cargo-deb does not write (debsums and lintian want one).
  local tree="$out/tree"
  rm -rf "$tree"
  dpkg-deb -R "$deb" "$tree"
  # The project address lives in Cargo.toml only (see crate_field).
  sed -i "s|@PROJECT_URL@|$(crate_field homepage)|g" "$tree/usr/share/doc/lua-luajwtjitsi/copyright"
  if [ "$MULTIARCH" != x86_64-linux-gnu ]; then
    mv "$tree/usr/lib/x86_64-linux-gnu" "$tree/usr/lib/$MULTIARCH"
  fi
  local scratch="$out/shlibdeps" elves depends merged pkg best v libdirs=()
  mkdir -p "$scratch/debian"
  : > "$scratch/debian/control"
  echo "libc 6 libc6 (>= $ZIG_GLIBC)" > "$scratch/debian/shlibs.local"
  # Cross-built files: dpkg-shlibdeps finds their libraries in the arm64 root,
  # which dpkg does not know (no symbols files), so glibc's other libraries
  # get the same line as libc (no symbol newer than GLIBC_2.28 is used, which
  # tests/packaging/arm64.sh checks), and libgcc_s gets one too, to be left
  # out by -x as on amd64.
  if [ -n "$root" ]; then
    printf '%s\n' "libm 6 libc6 (>= $ZIG_GLIBC)" "libpthread 0 libc6 (>= $ZIG_GLIBC)" \
      "libdl 2 libc6 (>= $ZIG_GLIBC)" "librt 1 libc6 (>= $ZIG_GLIBC)" \
      "ld-linux-aarch64 1 libc6 (>= $ZIG_GLIBC)" "libgcc_s 1 libgcc-s1" >> "$scratch/debian/shlibs.local"
    libdirs=("-l$root/lib/$MULTIARCH" "-l$root/usr/lib/$MULTIARCH")
  fi
  mapfile -t elves < <(find "$PWD/$tree/usr" -type f -exec sh -c 'readelf -h "$1" >/dev/null 2>&1' _ {} \; -print)
  depends=$(cd "$scratch" && dpkg-shlibdeps -O "${libdirs[@]}" -xlibgcc-s1 -xlibgcc1 "${elves[@]}" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
  [ -n "$depends" ] || { echo "package-deb: dpkg-shlibdeps gave no Depends for $DEB_ARCH" >&2; exit 1; }
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
}

for arch in "${arches[@]}"; do build_deb "$arch"; done
