#!/usr/bin/env bash
# The release artifacts of `make dist` (scripts/dist.sh), as an admin uses them:
#   1. SHA256SUMS lists every file of build/dist/ and verifies; the binary
#      tarballs (x86_64, aarch64, and both in one for the rock) have the
#      documented layout; the x86_64 .so files pass tests/so_check.sh; every
#      ELF file is of its folder's architecture and needs no glibc symbol
#      newer than GLIBC_2.28, each module exports luaopen_luajwtjitsi (and
#      luaopen_basexx, luaopen_inspect; the tarballs and rocks ship no
#      basexx.so or inspect.so names for them, only the .deb does);
#      jitsi-jwt from each runs (aarch64 under qemu); the shipped rockspecs carry Cargo.toml's
#      homepage and no placeholder, and the .src.rocks hold them and their
#      tarball; the address is written nowhere else in the tracked files;
#   2. Debian 11 (a debootstrap chroot, cached as a tarball, used through a
#      temporary copy) with its luarocks 2.4.2 and lua5.2, no cargo, no
#      compiler, no Lua headers, no network (unshare -n): both rockspecs pass
#      `luarocks lint`;
#      the prebuilt .src.rock installs into a fresh tree; lua5.2 loads the
#      module from the tree, verifies vectors and loads the shim; `luarocks
#      remove` leaves nothing;
#   3. this machine's luarocks 3, PATH without cargo, no network: the same for
#      Lua 5.1, LuaJIT, 5.2, 5.3 and 5.4, each into a fresh tree; with a
#      stand-in `uname` saying aarch64 and Debian's arm64 lua5.4 under qemu
#      as the Lua luarocks targets (a root of Debian arm64 packages, as in
#      tests/packaging/arm64.sh), the rock installs its aarch64 files and
#      that lua5.4 loads them from the tree; with a `uname` saying riscv64 the
#      install stops with a message that names what the rock has and what it
#      found, and installs nothing; the same with a stand-in interpreter that
#      says it is Lua 5.5.
# DIST_REUSE_DEB=1 is passed on to scripts/dist.sh (reuse build/deb/).
# Last lines: "dist: took N s" and "dist: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/package-tools.sh
. tests/packaging/lib.sh

need_apt luarocks zip unzip binutils qemu-user-static lua5.1 lua5.2 lua5.3 lua5.4 luajit \
  liblua5.1-0-dev liblua5.2-dev liblua5.3-dev liblua5.4-dev libluajit-5.1-dev
work=$(mktemp -d)
stage_begin dist
on_exit 'rm -rf "$work"'

# ---- 1. the artifacts
dist=$PWD/$(scripts/dist.sh | tail -n 1)
version=$(crate_field version)
homepage=$(crate_field homepage)
top="luajwtjitsi-native-$version"
bin_tgz="$dist/$top-linux.tar.gz"
bin_rock="luajwtjitsi-native-bin-$version-1"
src_rock="luajwtjitsi-native-$version-1"
for f in "$bin_tgz" "$dist/$top-linux-x86_64.tar.gz" "$dist/$top-linux-aarch64.tar.gz" "$dist/$top.tar.gz" \
  "$dist/lua-luajwtjitsi_${version}-1_amd64.deb" "$dist/lua-luajwtjitsi_${version}-1_arm64.deb" \
  "$dist/$bin_rock.rockspec" "$dist/$bin_rock.src.rock" "$dist/$src_rock.rockspec" "$dist/$src_rock.src.rock"; do
  check "build/dist has $(basename "$f")" "[ -s '$f' ]"
done
sums=$(cd "$dist" && sha256sum -c --strict SHA256SUMS 2>&1) || true
check "SHA256SUMS verifies (${sums//$'\n'/; })" "(cd '$dist' && sha256sum -c --strict --quiet SHA256SUMS >/dev/null 2>&1)"
check "SHA256SUMS lists every other file of build/dist" \
  "[ \"\$(cd '$dist' && ls | grep -vx SHA256SUMS)\" = \"\$(awk '{print \$2}' '$dist/SHA256SUMS' | sed 's/^\*//' | LC_ALL=C sort)\" ]"

# Each architecture's tarball, then the one with both, which the rock uses.
arch_files() { # arch_files ARCH: the files of linux-ARCH/
  local v; echo "$top/linux-$1/bin/jitsi-jwt"
  for v in 5.1 5.2 5.3 5.4; do echo "$top/linux-$1/lib/lua/$v/luajwtjitsi.so"; done
}
common="$top/CHANGELOG.md $top/LICENSE $top/README.md $top/lua/luajwtjitsi.lib.lua"
for f in docs/*.md; do common+=" $top/$f"; done
for t in x86_64 aarch64 all; do
  case "$t" in
    all) tgz=$bin_tgz; expected="$common $(arch_files x86_64) $(arch_files aarch64)" ;;
    *) tgz="$dist/$top-linux-$t.tar.gz"; expected="$common $(arch_files "$t")" ;;
  esac
  got=$(tar -tzf "$tgz" | grep -v '/$' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
  check "$(basename "$tgz") holds exactly the documented files (got: $got)" \
    "[ \"\$got\" = \"\$(tr ' ' '\n' <<<'$expected' | grep -v '^$' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')\" ]"
done
mkdir -p "$work/bin"; tar -C "$work/bin" -xzf "$bin_tgz"
u="$work/bin/$top"
for t in x86_64 aarch64; do
  mkdir -p "$work/bin-$t"; tar -C "$work/bin-$t" -xzf "$dist/$top-linux-$t.tar.gz"
  check "the rock's tarball has $top-linux-$t.tar.gz's linux-$t/ as is" "diff -r '$work/bin-$t/$top/linux-$t' '$u/linux-$t' >&2"
done
check "the tarball's shim is lua/luajwtjitsi.lib.lua" "cmp -s lua/luajwtjitsi.lib.lua '$u/lua/luajwtjitsi.lib.lua'"
check "the tarball's LICENSE is debian/copyright with the address" \
  "grep -q '^Source: $homepage\$' '$u/LICENSE' && grep -q 'Permission is hereby granted' '$u/LICENSE'"
so_out=$(tests/so_check.sh "$u"/linux-x86_64/lib/lua/*/luajwtjitsi.so 2>&1) || true
printf '%s\n' "$so_out" | grep -v '^so-check:' || true
# Its closing line is folded into ours (the stage log must not count it twice).
read -r p f s < <(closing_counts so-check <<<"$so_out") || true
if [ -n "${p:-}" ]; then add_counts "$p" "$f" "${s:-0}"; else bad "tests/so_check.sh on the tarball printed no result"; fi
check "tests/so_check.sh ran its 4 checks on each of the 4 .so files (passed: ${p:-none})" "[ '${p:-0}' -eq 16 ]"
package_elf_checks "$u/linux-x86_64" "Advanced Micro Devices X86-64" ld-linux-x86-64.so.2 linux-x86_64
check "linux-x86_64/ has 5 ELF files (found $elves)" "[ $elves -eq 5 ]"
package_elf_checks "$u/linux-aarch64" AArch64 ld-linux-aarch64.so.1 linux-aarch64
check "linux-aarch64/ has 5 ELF files (found $elves)" "[ $elves -eq 5 ]"
check "jitsi-jwt from the tarball runs" "[ \"\$('$u/linux-x86_64/bin/jitsi-jwt' --version 2>&1)\" = 'jitsi-jwt $version' ]"
arm_root="$work/arm64-root"
need_arm64_root "$arm_root"
check "aarch64 jitsi-jwt from the tarball runs (qemu)" \
  "[ \"\$(env -i qemu-aarch64-static -L '$arm_root' '$u/linux-aarch64/bin/jitsi-jwt' --version 2>&1)\" = 'jitsi-jwt $version' ]"

for r in "$bin_rock" "$src_rock"; do
  check "$r.rockspec names the address ($homepage) and no placeholder" \
    "grep -q '^   homepage = \"$homepage\",\$' '$dist/$r.rockspec' && ! grep -q '@PROJECT_URL@' '$dist/$r.rockspec'"
  mkdir -p "$work/unzip-$r"; (cd "$work/unzip-$r" && unzip -q "$dist/$r.src.rock")
  check "$r.src.rock holds the public rockspec" "cmp -s '$dist/$r.rockspec' '$work/unzip-$r/$r.rockspec'"
done
check "$bin_rock.src.rock holds the binary tarball" "cmp -s '$bin_tgz' '$work/unzip-$bin_rock/$(basename "$bin_tgz")'"
check "$src_rock.src.rock holds the source tarball" "cmp -s '$dist/$top.tar.gz' '$work/unzip-$src_rock/$top.tar.gz'"
check "the bin rock's url is the binary tarball's release address" \
  "grep -qF 'url = \"$homepage/releases/v$version/$(basename "$bin_tgz")\"' '$dist/$bin_rock.rockspec'"
holders=$(git grep -lF "$homepage" -- . ':!CHANGELOG.md' ':!README.md' || true)
check "the address is written only in Cargo.toml (found in: ${holders//$'\n'/ })" "[ \"\$holders\" = Cargo.toml ]"
mkdir -p "$work/deb"; dpkg-deb -x "$dist/lua-luajwtjitsi_${version}-1_amd64.deb" "$work/deb"
check "the .deb's copyright has Source: $homepage" "grep -qx 'Source: $homepage' '$work/deb/usr/share/doc/lua-luajwtjitsi/copyright'"

tests/packaging/cases.py > "$work/cases.lua"
cp tests/packaging/load_check.lua "$work/"

# ---- 2. Debian 11: luarocks 2.4.2 and lua5.2, no cargo, no network
make_root() {
  debian_root "${DEBIAN11_ROOT[@]}" "$work/root" && R="$work/root"
}
if [ "$(id -u)" -ne 0 ]; then
  bad "the Debian 11 luarocks 2.4 test needs root (chroot)"
elif make_root; then
  inroot() { unshare -n chroot "$R" "$@"; }
  lr() { shift; inroot env -i PATH=/usr/bin:/bin HOME=/root lua5.2 /usr/bin/luarocks "$@"; }
  lr_version=$(lr 5.2 --version 2>&1 | head -n 1)
  check "Debian 11's luarocks is 2.4 (got: $lr_version)" "[[ \"\$lr_version\" == *' 2.4.'* ]]"
  check "no cargo, rustc or C compiler in the chroot" \
    "! inroot sh -c 'command -v cargo || command -v rustc || command -v cc || command -v gcc' >/dev/null"
  # Debian's luarocks package depends on a liblua5.x-dev; luarocks 2.4 reads
  # no header for a command build, and the prebuilt rock needs none.
  rm -rf "$R/usr/include/lua5.2"
  check "no lua.h in the chroot" "[ -z \"\$(find '$R/usr/include' -name lua.h)\" ]"
  check "unshare -n leaves only the loopback interface" "[ \"\$(unshare -n sed -n '3,\$s/^ *\([^:]*\):.*/\1/p' /proc/net/dev)\" = lo ]"
  mkdir -p "$R/tmp/d"
  cp "$dist"/*.rockspec "$dist/$bin_rock.src.rock" "$work/cases.lua" "$work/load_check.lua" "$R/tmp/d/"
  for r in "$bin_rock" "$src_rock"; do
    check "[2.4] luarocks lint $r.rockspec" "lr 5.2 lint /tmp/d/$r.rockspec >&2"
  done
  if lr 5.2 --tree=/tmp/tree install "/tmp/d/$bin_rock.src.rock" > "$work/install-2.4.log" 2>&1; then
    ok "[2.4] luarocks install ./$bin_rock.src.rock (offline)"
    check "[2.4] the rock picked the Lua 5.2 build" "grep -q 'linux-x86_64/lib/lua/5.2/luajwtjitsi.so for Lua 5.2' '$work/install-2.4.log'"
    installed_check luajwtjitsi-native-bin "$version-1" "lua5.2@luarocks2.4" /tmp/tree lua5.2 5.2 /tmp/d
  else
    bad "[2.4] luarocks install ./$bin_rock.src.rock: $(tail -n 5 "$work/install-2.4.log")"
  fi
  inroot() { "$@"; }; R=""
  rm -rf "$work/root"
else
  bad "no Debian 11 chroot could be made"
fi

# ---- 3. this machine's luarocks 3, for every Lua, no cargo on PATH, no network
cat > "$work/luajit-config.lua" <<'LUA'
lua_interpreter = "luajit"
variables = { LUA = "/usr/bin/luajit", LUA_INCDIR = "/usr/include/luajit-2.1" }
LUA
mkdir -p "$work/home" "$work/uname"
uname_says() { # uname_says MACHINE: $work/uname/uname answers `uname -m` with MACHINE
  printf '#!/bin/sh\n[ "$1" = -m ] && { echo %s; exit 0; }\nexec /bin/uname "$@"\n' "$1" > "$work/uname/uname"
  chmod +x "$work/uname/uname"
}
lr_path=/usr/bin:/bin
lr_config=""
lr() { # lr NAME ARGS...: luarocks for Lua NAME (5.x, luajit or aarch64), PATH $lr_path, config $lr_config
  local name=$1 config=$lr_config v; shift
  # aarch64: Lua 5.4, the interpreter $lr_config names (arm64 lua5.4, emulated)
  case "$name" in luajit) config="$work/luajit-config.lua"; v=5.1 ;; aarch64) v=5.4 ;; *) v=$name ;; esac
  unshare -n env -i PATH="$lr_path" HOME="$work/home" ${config:+LUAROCKS_CONFIG="$config"} luarocks --lua-version "$v" "$@"
}
check "no cargo on the PATH luarocks runs with" "! env -i PATH=$lr_path sh -c 'command -v cargo' >/dev/null"
check "luarocks on this machine is 3.x" "[[ \"\$(lr 5.4 --version | head -n 1)\" == *' 3.'* ]]"
for name in 5.1 luajit 5.2 5.3 5.4; do
  case "$name" in luajit) v=5.1; lua=luajit; want="LuaJIT" ;; *) v=$name; lua=lua$name; want="Lua $name" ;; esac
  tree="$work/tree-$name"
  if lr "$name" --tree "$tree" install "$dist/$bin_rock.src.rock" > "$work/install-$name.log" 2>&1; then
    ok "[$name] luarocks install ./$bin_rock.src.rock (offline)"
    check "[$name] the rock picked the $v build for $want" "grep -q 'linux-x86_64/lib/lua/$v/luajwtjitsi.so for $want' '$work/install-$name.log'"
    installed_check luajwtjitsi-native-bin "$version-1" "$name" "$tree" "$lua" "$v" "$work"
  else
    bad "[$name] luarocks install ./$bin_rock.src.rock: $(tail -n 5 "$work/install-$name.log")"
  fi
done

# stops_check LABEL MESSAGE: installing the prebuilt rock into $tree with
# luarocks 5.4 must fail, print MESSAGE, and leave no module file in $tree.
stops_check() {
  local log="$work/install-stop.log" left
  if lr 5.4 --tree "$tree" install "$dist/$bin_rock.src.rock" > "$log" 2>&1; then
    bad "[$1] the install should have stopped"
  else
    check "[$1] the install stops, naming what it found and what it has ($(grep -m1 'luajwtjitsi-native-bin:' "$log" || tail -n 3 "$log"))" \
      "grep -qF '$2' '$log'"
  fi
  left=$( [ -d "$tree" ] && find "$tree" -name 'luajwtjitsi*' || true)
  check "[$1] nothing of the module is in the tree${left:+ (found: $left)}" "[ -z \"\$left\" ]"
}
# An arm64 server: uname -m says aarch64, and the Lua luarocks targets is
# Debian's arm64 lua5.4 under qemu (its headers are the host's: luarocks 3
# only checks that lua.h exists).
uname_says aarch64
printf '#!/bin/sh\nexec qemu-aarch64-static -L "%s" "%s/usr/bin/lua5.4" "$@"\n' "$arm_root" "$arm_root" > "$work/arm64-lua5.4"
chmod +x "$work/arm64-lua5.4"
printf 'variables = { LUA = "%s" }\n' "$work/arm64-lua5.4" > "$work/arm64-config.lua"
check "[aarch64] the stand-in Lua is Debian's arm64 lua5.4 under emulation" \
  "[ \"\$('$work/arm64-lua5.4' -e 'io.write(_VERSION)')\" = 'Lua 5.4' ] && readelf -h '$arm_root/usr/bin/lua5.4' | grep -qE 'Machine: +AArch64$'"
lr_path="$work/uname:/usr/bin:/bin"; lr_config="$work/arm64-config.lua"; tree="$work/tree-aarch64"
if lr aarch64 --tree "$tree" install "$dist/$bin_rock.src.rock" > "$work/install-aarch64.log" 2>&1; then
  ok "[aarch64] luarocks install ./$bin_rock.src.rock (offline)"
  check "[aarch64] the rock picked the aarch64 build for Lua 5.4" "grep -q 'linux-aarch64/lib/lua/5.4/luajwtjitsi.so for Lua 5.4' '$work/install-aarch64.log'"
  check "[aarch64] the tree's module is the tarball's aarch64 one" "cmp -s '$tree/lib/lua/5.4/luajwtjitsi.so' '$u/linux-aarch64/lib/lua/5.4/luajwtjitsi.so'"
  installed_check luajwtjitsi-native-bin "$version-1" "aarch64" "$tree" "$work/arm64-lua5.4" 5.4 "$work"
else
  bad "[aarch64] luarocks install ./$bin_rock.src.rock: $(tail -n 5 "$work/install-aarch64.log")"
fi
lr_config=""
has="this rock has: linux-aarch64 (Lua 5.1 5.2 5.3 5.4) linux-x86_64 (Lua 5.1 5.2 5.3 5.4)"
uname_says riscv64; tree="$work/tree-riscv64"
stops_check "uname -m: riscv64" "no prebuilt module for Lua 5.4 on linux-riscv64 (uname -m: riscv64); $has"
# A Lua it has no build for: a stand-in interpreter, lua5.4 calling itself 5.5.
printf '#!/bin/sh\nexec /usr/bin/lua5.4 -e '"'"'_VERSION = "Lua 5.5"'"'"' "$@"\n' > "$work/lua5.5"
chmod +x "$work/lua5.5"
printf 'variables = { LUA = "%s" }\n' "$work/lua5.5" > "$work/lua55-config.lua"
lr_path=/usr/bin:/bin; lr_config="$work/lua55-config.lua"; tree="$work/tree-lua55"
stops_check "Lua 5.5" "no prebuilt module for Lua 5.5 on linux-x86_64 (uname -m: x86_64); $has"
lr_config=""

finish_stage dist
