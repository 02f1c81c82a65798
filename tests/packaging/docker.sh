#!/usr/bin/env bash
# The docker-jitsi-meet recipe (docs/docker-jitsi-meet/Dockerfile, shown in
# docs/docker-jitsi-meet.md), as far as it can be tested with no container
# engine:
#   1. docs/docker-jitsi-meet.md shows the recipe exactly as the file has it, and the recipe's
#      default LUAJWTJITSI_VERSION is Cargo.toml's version;
#   2. for each binary tarball of build/dist/ (linux-x86_64, and
#      linux-aarch64 once dist makes it): the recipe's RUN step, run by sh
#      with TARGETARCH set as BuildKit sets it and every absolute path moved
#      under a temporary folder that stands in for the image (IMG/tmp/...,
#      IMG/usr/local/..., IMG/prosody-plugins/), lays out IMG as the image
#      would get it: the .so of that architecture in IMG/usr/local/lib/lua/5.4/
#      (Lua 5.4's first package.cpath folder) and the shim over a stand-in for
#      jitsi's IMG/prosody-plugins/luajwtjitsi.lib.lua; for this machine's
#      architecture the step's own `lua5.4` check loads the module from there;
#      an architecture with no build stops the step with its message;
#   3. tests/prosody/docker_layout.py: this machine's Prosody loads the shim
#      from IMG's plugin folder through module:require, finds the .so in
#      IMG's cpath folder, and logs in with tokens.
# Not tested: Docker itself (BuildKit's bind mount and TARGETARCH), and the
# jitsi/prosody image's Prosody 13 and Lua.
# Uses build/dist/ when it is there, else runs scripts/dist.sh.
# Last lines: "docker-recipe: took N s", "docker-recipe: N passed, N failed"
# (and before them docker_layout.py's "prosody-docker: N passed, N failed").
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
started=$SECONDS
. scripts/package-tools.sh
. tests/packaging/lib.sh

recipe=docs/docker-jitsi-meet/Dockerfile
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dist=$(dist_dir)
version=$(crate_field version)
top="luajwtjitsi-native-$version"

# ---- 1. docs/docker-jitsi-meet.md and the recipe
awk '/^```dockerfile$/ {on = 1; next} on && /^```$/ {exit} on' docs/docker-jitsi-meet.md > "$work/page-recipe"
check "docs/docker-jitsi-meet.md's dockerfile block is $recipe" "cmp -s '$recipe' '$work/page-recipe'"
recipe_version=$(sed -n 's/^ARG LUAJWTJITSI_VERSION=//p' "$recipe")
check "the recipe's LUAJWTJITSI_VERSION ($recipe_version) is Cargo.toml's ($version)" "[ '$recipe_version' = '$version' ]"

# The RUN step as the shell gets it: continuation lines joined, the mount
# option taken off. Prints the mount target, then the script.
python3 - "$recipe" > "$work/run-step" <<'PY'
import re, sys
text = re.sub(r"\\\n", "", open(sys.argv[1]).read())
runs = [l for l in text.splitlines() if l.startswith("RUN ")]
assert len(runs) == 1, "expected one RUN step, found %d" % len(runs)
m = re.match(r"RUN --mount=type=bind,target=(\S+)\s+(.*)$", runs[0])
assert m, "the RUN step has no bind mount of the build context"
print(m.group(1))
print(m.group(2))
PY
mount_target=$(head -n 1 "$work/run-step")
# reroot IMG: the script with every absolute path under IMG; refuses a
# script that would still name a path outside it.
reroot() {
  python3 - "$1" "$work/run-step" <<'PY'
import re, sys
img, script = sys.argv[1], open(sys.argv[2]).read().splitlines()[1]
absolute = r"(?<![\w.$/-])/"
other = re.findall(absolute + r"(?!(tmp|usr|prosody-plugins)/)[\w.-]*", script)
assert not other, "absolute paths that would stay outside the image folder: %s" % other
print(re.sub(absolute + r"(?=(tmp|usr|prosody-plugins)/)", img + "/", script))
PY
}

# ---- 2. the RUN step, per tarball
host_arch=$(uname -m)
mkdir -p "$work/standin"
printf '#!/bin/sh\necho "lua5.4 stand-in: $*"\n' > "$work/standin/lua5.4"; chmod +x "$work/standin/lua5.4"
# image_dir ARCH: a fresh image folder with the tarballs in its build context
# and a stand-in for jitsi's pure-Lua copy in its plugin folder.
image_dir() {
  local img="$work/img-$1"
  mkdir -p "$img$mount_target" "$img/prosody-plugins"
  cp "$dist"/"$top"-linux-*.tar.gz "$img$mount_target/"
  echo 'error("stand-in for jitsi-meet'"'"'s pure-Lua luajwtjitsi.lib.lua was loaded")' > "$img/prosody-plugins/luajwtjitsi.lib.lua"
  echo "$img"
}
tarballs=("$dist"/"$top"-linux-*.tar.gz)
check "build/dist has binary tarballs (${tarballs[*]##*/})" "[ -e '${tarballs[0]}' ]"
host_img=""
for t in "${tarballs[@]}"; do
  arch=${t##*-linux-}; arch=${arch%.tar.gz}
  case "$arch" in x86_64) docker_arch=amd64; machine=X86-64 ;; aarch64) docker_arch=arm64; machine=AArch64 ;;
    *) bad "no Docker architecture is known for the tarball $t"; continue ;; esac
  img=$(image_dir "$arch")
  script=$(reroot "$img") || { bad "the recipe's RUN step could not be moved under a folder"; continue; }
  path=/usr/bin:/bin
  [ "$arch" = "$host_arch" ] || path="$work/standin:$path"
  if out=$(env -i PATH="$path" TARGETARCH="$docker_arch" LUAJWTJITSI_VERSION="$version" \
      LUA_CPATH_5_4="$img/usr/local/lib/lua/5.4/?.so;;" sh -c "$script" 2>&1); then
    ok "[$docker_arch] the recipe's RUN step runs (linux-$arch tarball)"
  else
    bad "[$docker_arch] the recipe's RUN step: $out"; continue
  fi
  so="$img/usr/local/lib/lua/5.4/luajwtjitsi.so"
  check "[$docker_arch] the .so is at /usr/local/lib/lua/5.4/luajwtjitsi.so, built for $machine" \
    "readelf -h '$so' 2>/dev/null | grep -q 'Machine:.*$machine'"
  check "[$docker_arch] the .so is the tarball's linux-$arch/lib/lua/5.4/luajwtjitsi.so" \
    "tar -xOzf '$t' '$top/linux-$arch/lib/lua/5.4/luajwtjitsi.so' | cmp -s - '$so'"
  check "[$docker_arch] the shim replaced /prosody-plugins/luajwtjitsi.lib.lua" \
    "cmp -s lua/luajwtjitsi.lib.lua '$img/prosody-plugins/luajwtjitsi.lib.lua'"
  check "[$docker_arch] the step left no files in /tmp but the build context" \
    "[ \"\$(cd '$img/tmp' && find . -type f ! -path '.${mount_target#/tmp}/*')\" = '' ]"
  if [ "$arch" = "$host_arch" ]; then
    check "[$docker_arch] the step's lua5.4 check loaded it: $out" \
      "[ \"\$out\" = 'luajwtjitsi $version (native) from $so' ]"
    host_img=$img
  fi
done
[ ${#tarballs[@]} -gt 1 ] || echo "docker-recipe: build/dist has no linux-aarch64 tarball yet; arm64 is checked once dist makes one"
img=$(image_dir none)
script=$(reroot "$img")
out=$(env -i PATH=/usr/bin:/bin TARGETARCH=riscv64 LUAJWTJITSI_VERSION="$version" sh -c "$script" 2>&1) && status=0 || status=$?
check "[riscv64] the step stops with 'luajwtjitsi: no build for riscv64' (exit $status: $out)" \
  "[ $status -ne 0 ] && [ \"\$out\" = 'luajwtjitsi: no build for riscv64' ] && [ ! -e '$img/usr/local/lib/lua/5.4/luajwtjitsi.so' ]"

# ---- 3. Prosody loads the layout (its checks count in its own closing line)
layout_status=0
if [ -z "$host_img" ]; then
  bad "no tarball for this machine ($host_arch): Prosody cannot load the layout"
elif ! command -v prosody >/dev/null || ! "$root/.venv/bin/python" -c 'import jwt, websockets' 2>/dev/null; then
  bad "Prosody or .venv (pyjwt, websockets) is missing: run scripts/setup.sh first"
else
  "$root/.venv/bin/python" tests/prosody/docker_layout.py "$host_img" || layout_status=$?
fi

echo "docker-recipe: took $((SECONDS - started)) s"
echo "docker-recipe: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$layout_status" -eq 0 ]
