#!/usr/bin/env bash
# Release artifacts into build/dist/ (`make dist`), from a clone:
#   luajwtjitsi-native-<v>-linux-x86_64.tar.gz   the glibc-2.28 builds of
#   luajwtjitsi-native-<v>-linux-aarch64.tar.gz  scripts/package-deb.sh for
#       amd64 and arm64 (one .so per Lua 5.1/LuaJIT, 5.2, 5.3, 5.4, and
#       jitsi-jwt), the shim, README, CHANGELOG, licence (layout:
#       docs/release-artifacts.md)
#   luajwtjitsi-native-<v>-linux.tar.gz          both architectures in one
#       tarball: the prebuilt rock's source
#   luajwtjitsi-native-<v>.tar.gz                 the source (tracked files),
#       with the crates of a release build vendored (scripts/vendor.sh), so
#       `cargo build --offline --locked` needs no network
#   lua-luajwtjitsi_<v>-1_amd64.deb, _arm64.deb   the Debian packages (make deb)
#   luajwtjitsi-native-bin-<v>-1.rockspec and .src.rock   the prebuilt rock
#   luajwtjitsi-native-<v>-1.rockspec and .src.rock       the source rock
#   SHA256SUMS                                    of every file above
# The project address has one home, `homepage` in Cargo.toml; this script
# writes it over @PROJECT_URL@ in the rockspecs. Each .src.rock is packed by
# luarocks from a file:// copy of its tarball, then the packed rockspec is
# swapped for the public one, so `luarocks install ./<name>.src.rock` works
# offline and the rockspec inside names the public url.
# DIST_REUSE_DEB=1 takes the builds already in build/deb/ (scripts/test.sh
# sets it right after tests/packaging/deb.sh and arm64.sh made them) instead
# of running scripts/package-deb.sh again.
# Prints the path of build/dist on its last line.
#
# Architectures: the tarballs of every architecture unpack into one folder,
# luajwtjitsi-native-<v>/, each under linux-<uname -m>/, and the prebuilt rock
# picks linux-$(uname -m). The prebuilt rock's source is the tarball with
# every architecture.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/package-tools.sh

need_apt luarocks zip unzip

version=$(crate_field version)
project_url=$(crate_field homepage)
[ -n "$project_url" ] || { echo "dist: Cargo.toml has no homepage (the project address)" >&2; exit 1; }
for spec in "luajwtjitsi-native-$version-1" "luajwtjitsi-native-bin-$version-1"; do
  [ -f "rockspec/$spec.rockspec" ] || { echo "dist: rockspec/$spec.rockspec is missing (Cargo.toml says version $version)" >&2; exit 1; }
done
[ -z "$(git status --porcelain --untracked-files=no)" ] || echo "dist: warning: uncommitted changes are in the artifacts" >&2

out=build/dist
rm -rf "$out"; mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
top="luajwtjitsi-native-$version"
# Reproducible archives: fixed order, owner and time (the last commit's).
epoch=$(git log -1 --format=%ct 2>/dev/null || echo 0)
tgz() { # tgz ARCHIVE DIR: DIR's folder $top, as $top/ in ARCHIVE
  tar -C "$2" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$top" | gzip -n9 > "$1"
}

# ---- the binary tarball of one architecture
# build_arch UNAME_M: runs (or reuses) package-deb.sh's build and lays it out.
build_arch() {
  local arch=$1 deb_arch deb stage
  case "$arch" in x86_64) deb_arch=amd64 ;; aarch64) deb_arch=arm64 ;; *) echo "dist: no build for $arch yet" >&2; return 1 ;; esac
  deb=build/deb/lua-luajwtjitsi_${version}-1_${deb_arch}.deb
  if [ "${DIST_REUSE_DEB:-0}" = 1 ] && [ -f "$deb" ]; then
    echo "dist: reusing the builds in build/deb/ (DIST_REUSE_DEB=1)" >&2
  else
    deb=$(scripts/package-deb.sh "$deb_arch" | tail -n 1)
  fi
  cp "$deb" "$out/"
  stage="$work/bin-$arch"
  local d="$stage/$top/linux-$arch" from
  from=$(deb_stage_dir "$deb_arch")
  for v in 5.1 5.2 5.3 5.4; do
    install -D -m 644 "$from/lua$v/luajwtjitsi.so" "$d/lib/lua/$v/luajwtjitsi.so"
  done
  for b in "$from"/bin/*; do install -D -m 755 "$b" "$d/bin/$(basename "$b")"; done
  install -D -m 644 lua/luajwtjitsi.lib.lua "$stage/$top/lua/luajwtjitsi.lib.lua"
  install -m 644 README.md CHANGELOG.md "$stage/$top/"
  install -d "$stage/$top/docs"
  install -m 644 docs/*.md "$stage/$top/docs/"
  sed "s|@PROJECT_URL@|$project_url|g" debian/copyright > "$stage/$top/LICENSE"
  tgz "$out/$top-linux-$arch.tar.gz" "$stage"
}
build_arch x86_64
build_arch aarch64
# The two trees differ only in their linux-<arch>/ folders.
mkdir -p "$work/bin-all"
cp -a "$work/bin-x86_64/$top" "$work/bin-all/"
cp -a "$work/bin-aarch64/$top/linux-aarch64" "$work/bin-all/$top/"
tgz "$out/$top-linux.tar.gz" "$work/bin-all"

# ---- the source tarball: the tracked files, as tests/packaging/rock.sh packs
# them, plus vendor/ and .cargo/config.toml (scripts/vendor.sh)
mkdir -p "$work/src/$top"
git ls-files -z | xargs -0 tar -cf - | tar -xf - -C "$work/src/$top"
scripts/vendor.sh "$work/src/$top"
tgz "$out/$top.tar.gz" "$work/src"

# ---- rockspecs with the address, and source rocks carrying their tarball
# pack_rock SPEC TARBALL: SPEC (a rockspec in $out) packed with TARBALL.
pack_rock() {
  local spec=$1 tarball=$2 name; name=$(basename "$spec" .rockspec)
  mkdir -p "$work/pack-$name"
  sed "s|^\(   url = \).*|\1\"file://$PWD/$out/$tarball\",|" "$spec" > "$work/pack-$name/$name.rockspec"
  (cd "$work/pack-$name" && luarocks pack "$name.rockspec" >&2)
  # Put the public rockspec back in the zip, under the same name.
  cp "$spec" "$work/pack-$name/$name.rockspec"
  (cd "$work/pack-$name" && zip -q "$name.src.rock" "$name.rockspec")
  mv "$work/pack-$name/$name.src.rock" "$out/"
}
for name in "luajwtjitsi-native-bin-$version-1:$top-linux.tar.gz" "luajwtjitsi-native-$version-1:$top.tar.gz"; do
  spec="$out/${name%%:*}.rockspec"
  sed "s|@PROJECT_URL@|$project_url|g" "rockspec/${name%%:*}.rockspec" > "$spec"
  pack_rock "$spec" "${name#*:}"
done

(cd "$out" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)
echo "dist: $(ls "$out" | wc -l) files in $out" >&2
echo "$out"
