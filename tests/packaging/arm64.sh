#!/usr/bin/env bash
# The arm64 Debian package, cross-built on this amd64 machine and run under
# qemu user-mode emulation (qemu-aarch64-static -L ROOT: no binfmt_misc).
#   1. build lua-luajwtjitsi_<version>-1_arm64.deb (scripts/package-deb.sh arm64);
#   2. Architecture is arm64, Depends is libc6 only (2.28 or older), the
#      modules sit in /usr/lib/aarch64-linux-gnu/lua/5.x/, with basexx.so and
#      inspect.so as symlinks to luajwtjitsi.so (the fallbacks); lintian, with
#      the package's overrides, has nothing to say;
#   3. every ELF file in it is AArch64, needs no glibc symbol newer than
#      GLIBC_2.28 (readelf --dyn-syms: the host's objdump reads x86 only) and
#      no library beyond libc6's, libgcc_s and the loader; each module exports
#      luaopen_luajwtjitsi, luaopen_basexx and luaopen_inspect and embeds no Lua;
#   4. Debian 12's own arm64 lua5.1, lua5.2, lua5.3, lua5.4 and luajit (a root
#      made from Debian's arm64 packages, cached: need_arm64_root in
#      scripts/package-tools.sh), with the package unpacked into that root,
#      look for modules where the package puts them, load the module and the
#      shim, and verify the conformance vectors of every algorithm; require
#      "basexx" and "inspect" give the fallbacks with no basexx.lua or
#      inspect.lua on package.path, the real ones (need_oracle_root) when
#      they are there (tests/packaging/load_check.lua --fallbacks);
#   5. a Rust panic in arm64 probe builds (lua51, lua54) is a Lua error under
#      luajit, lua5.1 and lua5.4, and the interpreter goes on;
#   6. the packaged jitsi-jwt mints the same HS256 and EdDSA tokens as the
#      amd64 build (build/bin/jitsi-jwt) on the same input and second, and
#      its verify prints what the amd64 verify prints, good token or bad;
#      ES256 and RS256 tokens it mints pass the amd64 verify.
# PKGTEST_DEB_ARM64=<file> tests that package instead of building one (step 1
# is skipped); PKGTEST_VERBOSE=1 prints every check, not only failures.
# Last lines: "arm64: took N s", then "arm64: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/packaging/lib.sh

need_apt lintian dpkg-dev binutils qemu-user-static
set_target_arch arm64
work=$(mktemp -d)
stage_begin arm64
on_exit 'rm -rf "$work"'

# ---- 1. build
deb_under_test arm64

# ---- 2. fields, files, lintian
field() { dpkg-deb -f "$deb" "$1"; }
check "Architecture is arm64 (got: $(field Architecture))" "[ \"\$(field Architecture)\" = arm64 ]"
check "Depends is libc6 only, 2.28 or older (got: $(field Depends))" "[[ \"\$(field Depends)\" =~ ^libc6\ \(\>=\ 2\.([0-9]+)\)$ ]] && [ \"\${BASH_REMATCH[1]}\" -le 28 ]"
check "no Multi-Arch field (a Lua module for same-architecture interpreters)" "! dpkg-deb -I '$deb' control | grep -q '^Multi-Arch:'"
u="$work/unpacked"
dpkg-deb -x "$deb" "$u"
expected=(usr/share/jitsi-meet/prosody-plugins/luajwtjitsi.lib.lua usr/share/doc/lua-luajwtjitsi/copyright
  usr/share/doc/lua-luajwtjitsi/changelog.Debian.gz usr/share/doc/lua-luajwtjitsi/changelog.gz
  usr/share/doc/lua-luajwtjitsi/README.md usr/share/lintian/overrides/lua-luajwtjitsi)
for v in 5.1 5.2 5.3 5.4; do expected+=("usr/lib/$MULTIARCH/lua/$v/luajwtjitsi.so"); done
for b in $(crate_bins); do expected+=("usr/bin/$b"); done
for f in docs/*.md; do expected+=("usr/share/doc/lua-luajwtjitsi/$f"); done
files=$(cd "$u" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
check "the package holds exactly the expected files (got: $(echo $files))" \
  "[ \"\$files\" = \"\$(printf '%s\n' \"\${expected[@]}\" | LC_ALL=C sort)\" ]"
fallback_links_check "$u/usr/lib/$MULTIARCH/lua" "/usr/lib/$MULTIARCH/lua"
check "md5sums lists every file" "[ \"\$(dpkg-deb --ctrl-tarfile '$deb' | tar -xO ./md5sums | wc -l)\" -eq ${#expected[@]} ]"
lint=$(lintian --pedantic --info --tag-display-limit 0 "$deb" 2>&1 | grep -v '^running with root privileges' || true)
check "lintian --pedantic --info: no tags${lint:+ (got: $lint)}" "[ -z \"\$lint\" ]"

# ---- 3. the ELF files
package_elf_checks "$u" AArch64 ld-linux-aarch64.so.1
check "package holds 5 ELF files (found $elves)" "[ $elves -eq 5 ]"

# ---- 4. Debian's arm64 interpreters, with the package unpacked into their root
root="$work/root"
need_arm64_root "$root"
dpkg-deb -x "$deb" "$root"
emu() { env -i PATH=/usr/bin:/bin RUST_BACKTRACE=0 "$@"; } # emu [NAME=VALUE...] COMMAND...
qemu() { # PROGRAM ARGS...: an arm64 program of the root, under emulation
  local prog=$1; shift
  emu qemu-aarch64-static -L "$root" "$root$prog" "$@"
}
tests/packaging/cases.py --every-alg > "$work/cases.lua"
cp tests/packaging/load_check.lua "$work/"
real_libs "$work/real"
shim=/usr/share/jitsi-meet/prosody-plugins/luajwtjitsi.lib.lua
for pair in lua5.1:5.1 lua5.2:5.2 lua5.3:5.3 lua5.4:5.4 luajit:5.1; do
  lua=${pair%:*}; v=${pair#*:}; so="/usr/lib/$MULTIARCH/lua/$v/luajwtjitsi.so"
  cpath=$(cd "$work" && qemu "/usr/bin/$lua" -e 'io.write(package.cpath)' 2>&1) || true
  check "arm64 $lua searches /usr/lib/$MULTIARCH/lua/$v/ (cpath: $cpath)" "[[ \"\$cpath\" == *'/usr/lib/$MULTIARCH/lua/$v/?.so'* ]]"
  # The cpath is narrowed to that folder, so a module of this machine's
  # /usr/local (qemu falls back to host paths) cannot stand in for it.
  out=$(cd "$work" && emu LUA_CPATH="/usr/lib/$MULTIARCH/lua/$v/?.so" LUA_PATH="/nonexistent/?.lua" \
    qemu-aarch64-static -L "$root" "$root/usr/bin/$lua" load_check.lua "$so" cases.lua "$shim" 2>&1) || true
  count_load_check "$out"
  out=$(cd "$work" && emu LUA_CPATH="/usr/lib/$MULTIARCH/lua/$v/?.so" LUA_PATH="/nonexistent/?.lua" \
    qemu-aarch64-static -L "$root" "$root/usr/bin/$lua" load_check.lua --fallbacks fallback 2>&1) || true
  count_load_check "$out"
  out=$(cd "$work" && emu LUA_CPATH="/usr/lib/$MULTIARCH/lua/$v/?.so" LUA_PATH="$work/real/?.lua" \
    qemu-aarch64-static -L "$root" "$root/usr/bin/$lua" load_check.lua --fallbacks real "$work/real" 2>&1) || true
  count_load_check "$out"
done

# ---- 5. panic probe builds, as tests/panic_probe.sh but for arm64
need_zigbuild
need_target_tools
for probe in lua51:"luajit lua5.1" lua54:lua5.4; do
  flavour=${probe%%:*}
  zig_build_module --no-default-features --features "$flavour,module,panic-probe" --lib
  mkdir -p "$work/probe-$flavour"
  cp "target/$ZIG_TARGET/release/libluajwtjitsi.so" "$work/probe-$flavour/luajwtjitsi.so"
  for lua in ${probe#*:}; do
    out=$(emu LUA_CPATH="$work/probe-$flavour/?.so" qemu-aarch64-static -L "$root" "$root/usr/bin/$lua" -e '
      local jwt = require "luajwtjitsi"
      local ok, err = pcall(jwt._internals._panic)
      assert(not ok and tostring(err):find("panic-probe", 1, true), tostring(err))
      assert(jwt.verify(jwt.encode({ sub = "after" }, "s"), "HS256", "s").sub == "after")
      io.write("caught")' 2>"$work/probe.err") || true
    check "a panic in the arm64 $flavour probe is a Lua error under arm64 $lua (got: $out $(cat "$work/probe.err"))" "[ \"\$out\" = caught ]"
  done
done

# ---- 6. jitsi-jwt: arm64 and amd64 agree
[ -x build/bin/jitsi-jwt ] || scripts/build.sh cli
amd=build/bin/jitsi-jwt
arm() { emu JITSI_JWT_SECRET="$secret" qemu-aarch64-static -L "$root" "$root/usr/bin/jitsi-jwt" "$@"; }
x86() { emu JITSI_JWT_SECRET="$secret" "$amd" "$@"; }
secret="arm64-agreement-secret-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
keys=tests/vectors/keys
mint_args=(mint --iss app --sub meet.example.com --room lobby --name "Zoë" --moderator --feature recording=true --kid k1)
# The same second gives the same iat and exp, so the same token: up to three
# tries, each taking the arm64 token between two amd64 ones.
same_token() { # ALG KEYARGS...
  local a1 b a2 try
  for try in 1 2 3; do
    a1=$(x86 "${mint_args[@]}" --alg "$@") && b=$(arm "${mint_args[@]}" --alg "$@") && a2=$(x86 "${mint_args[@]}" --alg "$@") || return 1
    [ "$b" != "$a1" ] && [ "$b" != "$a2" ] || { token=$b; return 0; }
    [ "$a1" != "$a2" ] || { echo "arm64 minted $b, amd64 $a1" >&2; return 1; }
  done
  return 1
}
verify_same() { # LABEL TOKEN VERIFYARGS...: exit code, stdout and stderr equal
  local label=$1 t=$2; shift 2
  local xo xe xc ao ae ac
  xo=$(x86 verify "$t" "$@" 2>"$work/xe") && xc=0 || xc=$?
  ao=$(arm verify "$t" "$@" 2>"$work/ae") && ac=0 || ac=$?
  xe=$(cat "$work/xe"); ae=$(cat "$work/ae")
  check "$label: arm64 verify agrees with amd64 (exit $ac/$xc; out: $ao; err: $ae)" \
    "[ '$ac' = '$xc' ] && [ \"\$ao\" = \"\$xo\" ] && [ \"\$ae\" = \"\$xe\" ]"
}
token=""
for spec in "HS256:" "EdDSA:--key-file $keys/ed25519.key.pem"; do
  alg=${spec%%:*}; keyargs=${spec#*:}
  # shellcheck disable=SC2086 # keyargs is split on purpose
  check "$alg: arm64 jitsi-jwt mint gives the amd64 token" "same_token $alg $keyargs"
  vkey=(); [ "$alg" = HS256 ] || vkey=(--key-file "$keys/ed25519.pub.pem")
  verify_same "$alg good token" "$token" --alg "$alg" --issuer app --audience jitsi "${vkey[@]}"
  verify_same "$alg good token, wrong issuer" "$token" --alg "$alg" --issuer other --audience jitsi "${vkey[@]}"
  # One changed character in the signature.
  sig=${token##*.}; first=${sig:0:1}; [ "$first" = A ] && repl=B || repl=A
  verify_same "$alg tampered signature" "${token%.*}.$repl${sig:1}" --alg "$alg" --issuer app --audience jitsi "${vkey[@]}"
done
verify_same "garbage token" "not.a.token" --alg HS256
for spec in "ES256:ec-p256" "RS256:rsa2048"; do
  alg=${spec%%:*}; stem=${spec#*:}
  t=$(arm "${mint_args[@]}" --alg "$alg" --key-file "$keys/$stem.key.pem" 2>&1) || true
  check "$alg: an arm64-minted token passes the amd64 verify" \
    "x86 verify '$t' --alg $alg --issuer app --audience jitsi --key-file '$keys/$stem.pub.pem' >/dev/null"
done

finish_stage arm64
