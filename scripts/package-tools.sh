# Sourced by scripts/package-deb.sh and tests/packaging/*.sh: installs the
# packaging tools when they are missing and puts them on PATH. Everything
# that is not an apt package lives in one cache folder, so a second run
# installs nothing:
#   $LUAJWTJITSI_TOOLS (default ~/.cache/luajwtjitsi)
#     zig-venv/   ziglang and cargo-zigbuild from PyPI (links against glibc 2.28)
#     cargo/bin/  cargo-deb, from `cargo install --locked`
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

# zig_build ARGS...: `cargo zigbuild` for x86_64 Linux against glibc 2.28.
# zig_build_module ARGS...: the same for the Lua module, with the system
# unwinder. Left alone, zig links its own libunwind into the .so; LuaJIT
# raises errors through libgcc_s's unwinder, and a Lua error raised from Rust
# code (a caught panic, for one) then crashes LuaJIT, because the Rust
# frames' personality routine reads libgcc_s's unwind context with zig's
# functions. Linking libgcc_s.so.1 (present on every Debian: libgcc1 on 10,
# libgcc-s1 on 11 and 12) makes both sides use one unwinder; only the
# GCC_3.x/4.2 symbols that Debian 10's libgcc_s has are used.
# tests/packaging/deb.sh proves it with a panic under LuaJIT. Programs keep
# zig's unwinder: no Lua frames there, and linking an executable against
# this machine's libgcc_s would pull in its GLIBC_2.35 needs.
ZIG_TARGET=x86_64-unknown-linux-gnu
ZIG_GLIBC=2.28
zig_build() {
  cargo zigbuild --locked --release --quiet --target "$ZIG_TARGET.$ZIG_GLIBC" "$@" >&2
}
zig_build_module() {
  local libgcc_s=/lib/x86_64-linux-gnu/libgcc_s.so.1
  [ -e "$libgcc_s" ] || { echo "package-tools: $libgcc_s is missing (Debian package libgcc-s1)" >&2; return 1; }
  RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=$libgcc_s" zig_build "$@"
}

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
