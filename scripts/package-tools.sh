# Sourced by scripts/package-deb.sh and tests/packaging/*.sh: installs the
# packaging tools when they are missing and puts them on PATH. Everything
# that is not an apt package lives in one cache folder, so a second run
# installs nothing:
#   $LUAJWTJITSI_TOOLS (default ~/.cache/luajwtjitsi)
#     zig-venv/   ziglang and cargo-zigbuild from PyPI (links against glibc 2.28)
#     cargo/bin/  cargo-deb, from `cargo install --locked`
#     debian12-arm64-root-<hash>.tar.gz  Debian's arm64 libc, libgcc_s and Lua
#                 interpreters, for the arm64 build and its emulated tests
#     oracle-libs-<hash>.tar.gz  Debian's lua-basexx 0.4.1 and lua-inspect
#                 3.1.1, the oracles of the fallback tests (need_oracle_root)
#     debs/lua-basexx_0.4.1-*_all.deb  Debian unstable's package, which
#                 tests/prosody/debian13.sh installs in its chroot
#     debian-lua-listings-<hash>.txt  dpkg-deb -c of Debian 11-13's
#                 lua-basexx, lua-inspect and lua-cjson (tests/packaging/distro_lua.sh)
# Versions are pinned here; each was checked to build this crate.
ZIGLANG_VERSION=0.17.1
CARGO_ZIGBUILD_VERSION=0.24.0
CARGO_DEB_VERSION=3.8.0

LUAJWTJITSI_TOOLS="${LUAJWTJITSI_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/luajwtjitsi}"

# need_apt PKG...: install the Debian packages that are not installed yet.
need_apt() {
  local missing=() p sudo=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "package-tools: installing ${missing[*]} (apt)" >&2
  $sudo apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || { echo "package-tools: apt-get update failed" >&2; return 1; }
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || { echo "package-tools: could not install ${missing[*]}" >&2; return 1; }
}

# need_zigbuild: cargo-zigbuild and zig in $LUAJWTJITSI_TOOLS/zig-venv, on PATH.
need_zigbuild() {
  local venv="$LUAJWTJITSI_TOOLS/zig-venv"
  if ! "$venv/bin/cargo-zigbuild" --version 2>/dev/null | grep -qx "cargo-zigbuild $CARGO_ZIGBUILD_VERSION" \
     || [ "$("$venv/bin/python" -m ziglang version 2>/dev/null)" != "$ZIGLANG_VERSION" ]; then
    echo "package-tools: installing ziglang $ZIGLANG_VERSION and cargo-zigbuild $CARGO_ZIGBUILD_VERSION into $venv" >&2
    mkdir -p "$LUAJWTJITSI_TOOLS"
    if ! python3 -m venv "$venv" 2>/dev/null; then
      rm -rf "$venv"
      need_apt python3-venv && python3 -m venv "$venv" || { echo "package-tools: python3 -m venv failed" >&2; return 1; }
    fi
    "$venv/bin/pip" install -q --disable-pip-version-check \
      "ziglang==$ZIGLANG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION" >&2 \
      || { echo "package-tools: pip install ziglang cargo-zigbuild failed" >&2; return 1; }
  fi
  PATH="$venv/bin:$PATH"
}

# need_cargo_deb: cargo-deb in $LUAJWTJITSI_TOOLS/cargo/bin, on PATH.
need_cargo_deb() {
  local root="$LUAJWTJITSI_TOOLS/cargo"
  if ! "$root/bin/cargo-deb" --version 2>/dev/null | grep -qx "cargo-deb $CARGO_DEB_VERSION"; then
    echo "package-tools: installing cargo-deb $CARGO_DEB_VERSION into $root (cargo install, about a minute)" >&2
    cargo install --locked --quiet --root "$root" cargo-deb --version "$CARGO_DEB_VERSION" >&2 \
      || { echo "package-tools: cargo install cargo-deb failed" >&2; return 1; }
  fi
  PATH="$root/bin:$PATH"
}

# set_target_arch amd64|arm64: the Debian architecture the builds below are
# for. Sets DEB_ARCH, ZIG_TARGET (the Rust target, without the glibc suffix),
# MULTIARCH (the /usr/lib/<triple> folder) and STRIP (a strip that reads that
# architecture: the host's binutils only know x86). amd64 is the default.
# arm64 is cross-built on this amd64 machine; its Rust standard library comes
# from `rustup target add` (need_rust_target) and the libgcc_s it links with
# from Debian's arm64 libgcc-s1 (need_arm64_root).
set_target_arch() {
  case "$1" in
    amd64) DEB_ARCH=amd64 ZIG_TARGET=x86_64-unknown-linux-gnu MULTIARCH=x86_64-linux-gnu STRIP=strip ;;
    arm64) DEB_ARCH=arm64 ZIG_TARGET=aarch64-unknown-linux-gnu MULTIARCH=aarch64-linux-gnu STRIP=aarch64-linux-gnu-strip ;;
    *) echo "package-tools: unknown architecture '$1' (amd64 or arm64)" >&2; return 1 ;;
  esac
}
set_target_arch amd64

# need_target_tools: what building for $DEB_ARCH needs beyond need_zigbuild:
# the Rust standard library of the target and a strip for its ELF files.
need_target_tools() {
  need_rust_target "$ZIG_TARGET"
  [ "$DEB_ARCH" = amd64 ] || need_apt "binutils-$MULTIARCH"
}

# need_rust_target TRIPLE: the target's standard library (rustup; nothing to
# do for the host's own target).
need_rust_target() {
  [ "$(rustc -vV | sed -n 's/^host: //p')" != "$1" ] || return 0
  rustup target list --installed 2>/dev/null | grep -qx "$1" && return 0
  echo "package-tools: adding the Rust target $1 (rustup)" >&2
  rustup target add "$1" >&2 || { echo "package-tools: rustup target add $1 failed" >&2; return 1; }
}

# zig_build ARGS...: `cargo zigbuild` for $ZIG_TARGET against glibc 2.28.
# zig_build_module ARGS...: the same for the Lua module (ARGS select one
# library target: features and --lib), with the system unwinder. Left alone, zig links its own libunwind into the .so; LuaJIT
# raises errors through libgcc_s's unwinder, and a Lua error raised from Rust
# code (a caught panic, for one) then crashes LuaJIT, because the Rust
# frames' personality routine reads libgcc_s's unwind context with zig's
# functions. Linking libgcc_s.so.1 (present on every Debian: libgcc1 on 10,
# libgcc-s1 on 11 and 12) makes both sides use one unwinder; only the
# GCC_3.x/4.2 symbols that Debian 10's libgcc_s has are used. For amd64 that
# is this machine's copy; for arm64, Debian 12's arm64 libgcc-s1 from the
# emulation root (need_arm64_root).
# tests/packaging/deb.sh and arm64.sh prove it with a panic under LuaJIT.
# Programs keep zig's unwinder: no Lua frames there, and linking an
# executable against Debian 12's libgcc_s would pull in its GLIBC_2.35 needs.
ZIG_GLIBC=2.28
zig_build() {
  cargo zigbuild --locked --release --quiet --target "$ZIG_TARGET.$ZIG_GLIBC" "$@" >&2
}
zig_build_module() {
  local root libgcc_s
  root=$(target_root) || return 1
  libgcc_s="$root/lib/$MULTIARCH/libgcc_s.so.1"
  [ -e "$libgcc_s" ] || { echo "package-tools: $libgcc_s is missing (Debian package libgcc-s1)" >&2; return 1; }
  # `rustc`, not RUSTFLAGS: the link argument then reaches the module's own
  # link only. A RUSTFLAGS that differs from the programs' build would make
  # cargo rebuild every dependency at each switch between the two.
  cargo-zigbuild rustc --locked --release --quiet --target "$ZIG_TARGET.$ZIG_GLIBC" "$@" -- -C "link-arg=$libgcc_s" >&2
}

# target_root: prints the root holding $DEB_ARCH's system libraries: "" (this
# machine) for amd64; for arm64, target/aarch64-unknown-linux-gnu-root, the
# emulation root of need_arm64_root, unpacked there on first use.
target_root() {
  [ "$DEB_ARCH" != amd64 ] || return 0
  local dir="$PWD/target/$ZIG_TARGET-root"
  if [ ! -e "$dir/lib/$MULTIARCH/libgcc_s.so.1" ]; then
    rm -rf "$dir" "$dir.tmp"
    need_arm64_root "$dir.tmp" && mv "$dir.tmp" "$dir" || return 1
  fi
  echo "$dir"
}

# need_arm64_root DIR: DIR becomes a Debian 12 arm64 root for user-mode
# emulation (qemu-aarch64-static -L DIR DIR/usr/bin/lua5.4 ...): libc, libgcc_s
# and Debian's own lua5.1, lua5.2, lua5.3, lua5.4 and luajit, unpacked with
# dpkg-deb -x, nothing configured. The packages are fetched with an apt
# configuration of its own (lists and cache in a temporary folder, arm64 as
# its only architecture), so this machine's dpkg architectures and apt lists
# stay as they were; signatures are checked with Debian's archive keyring.
# The root is cached as a tarball in $LUAJWTJITSI_TOOLS, named after a hash of
# the package list; later calls only unpack it. Fails when a library that one
# of its programs needs is not in the root.
ARM64_ROOT_PACKAGES="libc6 libgcc-s1 gcc-12-base libreadline8 libtinfo6 readline-common
  lua5.1 liblua5.1-0 lua5.2 liblua5.2-0 lua5.3 liblua5.3-0 lua5.4 liblua5.4-0
  luajit libluajit-5.1-2 libluajit-5.1-common"
need_arm64_root() {
  local dest=$1 release=bookworm hash tarball d
  hash=$(echo "$release $ARM64_ROOT_PACKAGES" | md5sum | cut -c1-8)
  tarball="$LUAJWTJITSI_TOOLS/debian12-arm64-root-$hash.tar.gz"
  if [ ! -s "$tarball" ]; then
    local a
    a=$(mktemp -d)
    echo "package-tools: fetching Debian 12 arm64 packages for the emulation root (cached in $tarball)" >&2
    # shellcheck disable=SC2086 # the package list is split on purpose
    if ! private_apt_download "$a" arm64 "$release" -- $ARM64_ROOT_PACKAGES; then
      rm -rf "$a"; return 1
    fi
    mkdir -p "$a/root"
    for d in "$a"/debs/*.deb; do dpkg-deb -x "$d" "$a/root"; done
    rm -rf "$a/root/usr/share/doc" "$a/root/usr/share/man" "$a/root/usr/share/info" "$a/root/usr/share/locale"
    # Every library the root's programs need, and the libraries they need in
    # turn, must be in the root (no ldd: it cannot run arm64 files).
    local queue=("$a"/root/usr/bin/*) f lib hit missing="" seen=" "
    while [ ${#queue[@]} -gt 0 ]; do
      f=${queue[0]}; queue=("${queue[@]:1}")
      [ -f "$f" ] || continue
      for lib in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        [[ "$seen" != *" $lib "* ]] || continue
        seen+="$lib "
        hit=$(ls "$a/root/lib/aarch64-linux-gnu/$lib" "$a/root/usr/lib/aarch64-linux-gnu/$lib" "$a/root/lib/$lib" 2>/dev/null | head -n 1)
        if [ -n "$hit" ]; then queue+=("$hit"); else missing+=" $lib (${f#"$a/root"})"; fi
      done
    done
    if [ -n "$missing" ]; then
      echo "package-tools: the arm64 root lacks$missing" >&2; rm -rf "$a"; return 1
    fi
    mkdir -p "$LUAJWTJITSI_TOOLS"
    # A temporary name, then mv: another run may be making the same cache.
    tar -C "$a/root" -czf "$tarball.$$.tmp" . && mv "$tarball.$$.tmp" "$tarball"
    rm -rf "$a"
  fi
  mkdir -p "$dest"
  tar -C "$dest" -xzf "$tarball"
}

# private_apt_download DIR ARCH RELEASE... -- PKG[~UPSTREAM]...: download
# Debian packages of ARCH from RELEASE(s) into DIR/debs (PKG~0.4.1: the first
# Debian revision of upstream version 0.4.1 that apt offers) with an apt
# configuration of their own under DIR (lists, cache, status), so the host's
# apt state and dpkg architectures stay as they were; signatures are checked
# with Debian's archive keyring. Uses this machine's Debian mirror.
private_apt_download() {
  local a=$1 arch=$2 mirror keyring=/usr/share/keyrings/debian-archive-keyring.gpg r
  shift 2
  local releases=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do releases+=("$1"); shift; done
  shift
  [ -r "$keyring" ] || need_apt debian-archive-keyring || return 1
  # This machine's Debian mirror (deb822 or one-line sources), else Debian's CDN.
  mirror=$(awk '/^URIs:/ && !/security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && !/security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/debs"
  touch "$a/status"
  : > "$a/sources.list"
  for r in "${releases[@]}"; do
    echo "deb [arch=$arch signed-by=$keyring] $mirror $r main" >> "$a/sources.list"
  done
  local o=(-o "Dir::Etc::SourceList=$a/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache" -o "Dir::State::status=$a/status"
     -o "APT::Architecture=$arch" -o "APT::Architectures=$arch" -o APT::Sandbox::User=root)
  if ! apt-get "${o[@]}" -qq update >&2; then
    echo "package-tools: apt-get update failed for ${releases[*]} at $mirror" >&2; return 1
  fi
  local wanted=() p name up v
  for p in "$@"; do
    case "$p" in
      *~*) name=${p%%~*}; up=${p#*~}
           v=$(apt-cache "${o[@]}" madison "$name" | awk -v up="$up" '$3 ~ ("^" up "-") {print $3; exit}')
           if [ -z "$v" ]; then
             echo "package-tools: $name $up is not in ${releases[*]} at $mirror" >&2; return 1
           fi
           wanted+=("$name=$v") ;;
      *) wanted+=("$p") ;;
    esac
  done
  if ! (cd "$a/debs" && apt-get "${o[@]}" -qq download "${wanted[@]}" >&2); then
    echo "package-tools: could not fetch ${wanted[*]} ($arch, ${releases[*]}) from $mirror" >&2; return 1
  fi
}

# The real basexx and inspect, as the test oracles for this package's
# fallbacks (issue 18): basexx 0.4.1 from Debian unstable's lua-basexx (Debian
# 11-13 ship 0.3) and inspect 3.1.1 from Debian 12's lua-inspect. Never
# committed, never installed: unpacked into a cached root.
ORACLE_PACKAGES="lua-basexx~0.4.1 lua-inspect~3.1.1"
# need_oracle_root DEST: that root unpacked into DEST. The Lua files are
# DEST/usr/share/lua/5.1/basexx.lua and inspect.lua, also under 5.3 and 5.4
# (Debian has no 5.2 folder for them: Lua 5.2 and LuaJIT use the 5.1 file,
# which is the same file).
need_oracle_root() {
  local dest=$1 hash tarball a d
  hash=$(echo "bookworm sid $ORACLE_PACKAGES" | md5sum | cut -c1-8)
  tarball="$LUAJWTJITSI_TOOLS/oracle-libs-$hash.tar.gz"
  if [ ! -s "$tarball" ]; then
    a=$(mktemp -d)
    echo "package-tools: fetching $ORACLE_PACKAGES (cached in $tarball)" >&2
    # shellcheck disable=SC2086 # the package list is split on purpose
    if ! private_apt_download "$a" amd64 bookworm sid -- $ORACLE_PACKAGES; then
      rm -rf "$a"; return 1
    fi
    mkdir -p "$a/root"
    for d in "$a"/debs/*.deb; do dpkg-deb -x "$d" "$a/root"; done
    mkdir -p "$LUAJWTJITSI_TOOLS"
    tar -C "$a/root" -czf "$tarball.$$.tmp" . && mv "$tarball.$$.tmp" "$tarball"
    rm -rf "$a"
  fi
  mkdir -p "$dest"
  tar -C "$dest" -xzf "$tarball"
}

# deb_stage_dir ARCH: where package-deb.sh leaves ARCH's stripped builds
# (lua5.1 ... lua5.4/luajwtjitsi.so, bin/<program>), for the package and for
# anything else made from the same files.
deb_stage_dir() { echo "build/deb/$1"; }

# crate_bins: the names of the workspace's [[bin]] targets, on one line.
crate_bins() {
  cargo metadata --no-deps --format-version 1 | python3 -c 'import json, sys
print(" ".join(t["name"] for p in json.load(sys.stdin)["packages"] for t in p["targets"] if "bin" in t["kind"]))'
}

# crate_field FIELD: a field of the luajwtjitsi package in Cargo.toml
# (version, homepage, ...). `homepage` is the project address, kept there
# only: package-deb.sh and dist.sh write it over @PROJECT_URL@.
crate_field() {
  cargo metadata --no-deps --format-version 1 | python3 -c 'import json, sys
p = [p for p in json.load(sys.stdin)["packages"] if p["name"] == "luajwtjitsi"][0]
print((p[sys.argv[1]] or "").rstrip("/"))' "$1"
}
