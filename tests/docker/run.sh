#!/usr/bin/env bash
# The docker-jitsi-meet recipe (docs/docker-jitsi-meet/Dockerfile, shown in
# docs/docker-jitsi-meet.md) built and logged into with a real Docker engine:
#   1. the page shows the recipe exactly as the file has it; the recipe's
#      LUAJWTJITSI_VERSION is Cargo.toml's, its default image is
#      ghcr.io/jitsi/prosody:stable, it has no "# syntax=" line (that would
#      fetch a frontend image from a registry), installs as root and ends
#      with USER s6;
#   2. an engine: a private dockerd (Debian's docker.io, installed when no
#      dockerd is on PATH), started with --iptables=false --bridge=none, its
#      own socket, exec root and data root in a temporary folder (a tmpfs
#      of at most 3 GB; a run uses about 200 MB), stopped by pid at the end and
#      the folder unmounted and deleted (no image is kept: importing the base
#      takes seconds, the cached chroot tarball is the cache). With
#      DOCKER_HOST set, that engine is used instead and every image this run
#      made is removed from it at the end (BuildKit's cache of the builds
#      stays: `docker builder prune` empties it). Builds run with --network none;
#   3. the stand-in for ghcr.io/jitsi/prosody (no registry is reachable):
#      `docker import` of the cached Debian 13 chroot of
#      tests/prosody/debian13.sh (Prosody 13, Lua 5.4), then
#      tests/docker/standin/Dockerfile: the s6 user and USER s6, the three
#      plugin folders with a stand-in for jitsi's pure-Lua
#      luajwtjitsi.lib.lua that fails loudly if loaded, the three configs'
#      plugin_paths. tests/docker/plugin_orders.lua in the stand-in finds that
#      stand-in in every order (so the probe would see jitsi's copy);
#   4. the recipe built on it (BuildKit) with the binary tarballs of make dist
#      as the build context: its s6 check prints the .so it loaded; without
#      its USER root line it fails (s6 may not write there), as the recipe
#      written for the earlier image did;
#   5. in the built image: the final user is s6, the .so and the shim are the
#      tarball's, nothing of the build context is left; as s6, Lua 5.4 loads
#      the native module through the shim in each config's plugin_paths order
#      with Prosody's own plugin loader (tests/docker/plugin_orders.lua);
#      Prosody 13 runs in the image (docker run --network host, 127.0.0.1)
#      once per order and lets good HS256 and RS256 (kid, key server) tokens
#      in and refuses tampered, expired and foreign ones with the module's
#      messages over BOSH and WebSocket, no traceback in its log
#      (tests/docker/logins.py);
#   6. arm64, which this engine cannot build (`docker build --platform
#      linux/arm64` runs the image's arm64 programs, and there is no
#      binfmt_misc emulation here): the recipe's RUN steps run by sh with
#      TARGETARCH=arm64 and every absolute path moved under a folder standing
#      in for the image, on the linux-aarch64 tarball; the s6 check runs
#      Debian's arm64 lua5.4 under qemu-aarch64-static. Also: riscv64 stops
#      with "no build for riscv64", an image without jitsi's file stops with
#      the layout message.
# Uses build/dist/ when it is there, else runs scripts/dist.sh. Needs root
# and scripts/setup.sh's .venv.
# Last lines: "docker-jitsi-meet: took N s (...)", then
# "docker-jitsi-meet: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS
. tests/packaging/lib.sh
name=docker-jitsi-meet
recipe=docs/docker-jitsi-meet/Dockerfile
standin_tag=ghcr.io/jitsi/prosody:luajwtjitsi-standin
recipe_tag=luajwtjitsi-test/prosody-recipe:$$
PY=.venv/bin/python
work=$(mktemp -d)
state=""
own_dockerd=""; dockerd_pid=""; run_dir=""; made_images=()

docker_() { "$DOCKER" "$@"; }
# stop_dockerd: TERM to the private dockerd (which stops its containerd),
# KILL after 20 s; reaps it; unmounts what is still mounted under its folder.
gone() { local s; s=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0; [ -z "$s" ] || [ "$s" = Z ]; }
stop_dockerd() {
  [ -n "$dockerd_pid" ] || return 0
  kill -TERM "$dockerd_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do gone "$dockerd_pid" && break; sleep 0.2; done
  gone "$dockerd_pid" || kill -KILL "$dockerd_pid" 2>/dev/null || true
  wait "$dockerd_pid" 2>/dev/null || true
  dockerd_pid=""
  # dockerd 20.10 leaves its default network namespace mounted.
  awk -v d="$run_dir/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do umount -l "$m"; done
}
# remove_run_dir: the engine's folder, a tmpfs (deleting a data root full of
# image layers from disk took longer than the rest of a warm run).
remove_run_dir() {
  [ -n "$run_dir" ] || return 0
  if ! awk -v d="$run_dir/" 'index($2, d) == 1 {found = 1} END {exit !found}' /proc/mounts; then
    ! mountpoint -q "$run_dir" || umount "$run_dir"
    mountpoint -q "$run_dir" || rm -rf "$run_dir"
  fi
  run_dir=""
}
cleanup() {
  set +e
  if [ -n "$DOCKER" ] && docker_ info >/dev/null 2>&1; then
    local c
    c=$(docker_ ps -aq --filter "name=luajwt-prosody-")
    [ -z "$c" ] || docker_ rm -f $c >/dev/null
    docker_ rmi -f "$recipe_tag" >/dev/null 2>&1
    [ -n "$own_dockerd" ] || docker_ rmi -f "${made_images[@]}" >/dev/null 2>&1
  fi
  stop_dockerd
  remove_run_dir
  rm -rf "$work"
}
DOCKER=""
trap cleanup EXIT
trap 'exit 143' TERM INT
finish() { [ -z "$state" ] || echo "$name: $state"; finish_stage "$name"; }

version=$(crate_field version)
top="luajwtjitsi-native-$version"

# ---- 1. the page and the recipe
awk '/^```dockerfile$/ {on = 1; next} on && /^```$/ {exit} on' docs/docker-jitsi-meet.md > "$work/page-recipe"
check "docs/docker-jitsi-meet.md's dockerfile block is $recipe" "cmp -s '$recipe' '$work/page-recipe'"
recipe_version=$(sed -n 's/^ARG LUAJWTJITSI_VERSION=//p' "$recipe")
check "the recipe's LUAJWTJITSI_VERSION ($recipe_version) is Cargo.toml's ($version)" "[ '$recipe_version' = '$version' ]"
default_image=$(sed -n 's/^ARG PROSODY_IMAGE=//p' "$recipe")
check "the recipe's default image is ghcr.io/jitsi/prosody:stable (got $default_image)" "[ '$default_image' = ghcr.io/jitsi/prosody:stable ]"
check "the recipe has no '# syntax=' line (BuildKit would fetch a frontend image)" "! grep -qiE '^#[[:space:]]*syntax[[:space:]]*=' '$recipe'"
users=$(grep -E '^(USER|RUN)( |$)' "$recipe" | awk '{print ($1 == "RUN") ? "RUN" : $0}' | tr '\n' ' ')
check "the recipe installs as USER root, then checks and ends as USER s6 (USER and RUN lines: $users)" \
  "[ '$users' = 'USER root RUN USER s6 RUN ' ]"

# The RUN steps as the shell gets them: continuation lines joined, the
# mount option taken off. Prints the mount target, the install step, the
# s6 check.
python3 - "$recipe" > "$work/run-steps" <<'PY'
import re, sys
text = re.sub(r"\\\n", "", open(sys.argv[1]).read())
runs = [l for l in text.splitlines() if l.startswith("RUN ")]
assert len(runs) == 2, "expected two RUN steps, found %d" % len(runs)
m = re.match(r"RUN --mount=type=bind,target=(\S+)\s+(.*)$", runs[0])
assert m, "the first RUN step has no bind mount of the build context"
print(m.group(1)); print(m.group(2)); print(runs[1][4:])
PY
mount_target=$(sed -n 1p "$work/run-steps")

if [ "$(id -u)" -ne 0 ]; then bad "the Docker test needs root (dockerd)"; finish; exit 1; fi
if ! "$PY" -c 'import jwt, websockets' 2>/dev/null; then
  bad "$PWD/$PY lacks pyjwt or websockets: run scripts/setup.sh first"; finish; exit 1
fi
dist=$(dist_dir)

# ---- 2. the engine
# docker_client: a client that builds with BuildKit: Docker 23 and later
# through buildx, Docker 20.10 (Debian 12's docker.io) by itself.
docker_client() {
  local c v
  for c in ${DOCKER_CLIENT:-} $(type -ap docker) /usr/bin/docker; do
    [ -x "$c" ] || continue
    "$c" buildx version >/dev/null 2>&1 && { echo "$c"; return 0; }
    v=$("$c" --version 2>/dev/null | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p')
    [ -n "$v" ] && [ "$v" -lt 23 ] && { echo "$c"; return 0; }
  done
  return 1
}
if [ -n "${DOCKER_HOST:-}" ]; then
  state="engine at $DOCKER_HOST"
else
  if ! command -v dockerd >/dev/null; then
    need_apt docker.io && state="docker.io installed" || { bad "apt-get install docker.io"; finish; exit 1; }
  else
    state="dockerd present"
  fi
  own_dockerd=1
  run_dir=$(mktemp -d /tmp/luajwt-docker.XXXXXX)
  mount -t tmpfs -o size=3g,mode=0700 luajwt-docker "$run_dir"
  export DOCKER_HOST="unix://$run_dir/docker.sock"
  dockerd --iptables=false --bridge=none --host "$DOCKER_HOST" --data-root "$run_dir/data" \
    --exec-root "$run_dir/exec" --pidfile "$run_dir/dockerd.pid" > "$run_dir/dockerd.log" 2>&1 &
  dockerd_pid=$!
fi
if ! DOCKER=$(docker_client); then
  bad "no Docker client that builds with BuildKit (Docker 20.10, or 23 and later with buildx)"; finish; exit 1
fi
export DOCKER DOCKER_BUILDKIT=1
for _ in $(seq 1 150); do docker_ info >/dev/null 2>&1 && break; sleep 0.2; done
if ! engine=$(docker_ version --format '{{.Server.Version}}' 2>&1); then
  bad "the Docker engine answers: $engine $( [ -z "$run_dir" ] || tail -n 5 "$run_dir/dockerd.log")"; finish; exit 1
fi
ok "Docker engine $engine answers ($DOCKER, ${own_dockerd:+private dockerd pid $dockerd_pid, }$DOCKER_HOST)"

# ---- 3. the stand-in for ghcr.io/jitsi/prosody
chroot13=("${DEBIAN13_PROSODY_ROOT[@]}")
if ! tarball=$(chroot_tarball "${chroot13[@]}"); then
  bad "a Debian 13 chroot with ${chroot13[*]:3} could be made"; finish; exit 1
fi
hash=$(basename "$tarball" .tar.gz); hash=${hash##*-}
base_tag="luajwtjitsi-test/debian13-prosody:$hash"
t=$SECONDS
check "docker import of $(basename "$tarball") as $base_tag" "docker_ import - '$base_tag' < '$tarball' > '$work/import.log' 2>&1"
state+=", base image imported in $((SECONDS - t)) s"
made_images+=("$base_tag" "$standin_tag")
if docker_ build --network none --build-arg BASE="$base_tag" -t "$standin_tag" tests/docker/standin > "$work/standin.log" 2>&1; then
  ok "the stand-in for ghcr.io/jitsi/prosody builds from tests/docker/standin/Dockerfile"
else
  bad "the stand-in build: $(tail -n 15 "$work/standin.log")"; finish; exit 1
fi
versions=$(docker_ run --rm --network none "$standin_tag" sh -c \
  'printf "Debian %s (trixie), \`prosody\` %s, \`lua5.4\` %s" "$(cat /etc/debian_version)" "$(dpkg-query -W -f="\${Version}" prosody)" "$(dpkg-query -W -f="\${Version}" lua5.4)"' 2>&1 || true)
check "docs/docker-jitsi-meet.md names the stand-in's versions: $versions" \
  "grep -qxF '| stand-in base | $versions |' docs/docker-jitsi-meet.md"
check "the stand-in's user is s6" "[ \"\$(docker_ image inspect -f '{{.Config.User}}' '$standin_tag')\" = s6 ]"
probe=(-v "$PWD/tests/docker/plugin_orders.lua:/luajwtjitsi-test/plugin_orders.lua:ro")
orders() { docker_ run --rm --network none "${probe[@]}" "$1" sh -c 'id -un; lua5.4 /luajwtjitsi-test/plugin_orders.lua /defaults/conf.d/*.cfg.lua' 2>&1; }
out=$(orders "$standin_tag") || true
check "in the stand-in, every config's order finds jitsi's file, which fails loudly: $out" \
  "[ \"\$(grep -c \"^order .* -> /prosody-plugins/luajwtjitsi.lib.lua | error: .*pure-Lua luajwtjitsi.lib.lua was loaded, not the luajwtjitsi shim\$\" <<<\"\$out\")\" = 3 ]"

# ---- 4. the recipe, on the stand-in
mkdir -p "$work/ctx"
cp "$recipe" "$dist/$top"-linux-x86_64.tar.gz "$dist/$top"-linux-aarch64.tar.gz "$work/ctx/"
t=$SECONDS
if docker_ build --no-cache --progress=plain --network none --build-arg PROSODY_IMAGE="$standin_tag" \
    -t "$recipe_tag" "$work/ctx" > "$work/build.log" 2>&1; then
  ok "the recipe builds on the stand-in (--network none, $((SECONDS - t)) s)"
else
  bad "the recipe's build: $(tail -n 20 "$work/build.log")"; finish; exit 1
fi
check "the build's s6 check printed 'luajwtjitsi $version (native) from /usr/local/lib/lua/5.4/luajwtjitsi.so'" \
  "grep -q '^#[0-9]* [0-9.]* luajwtjitsi $version (native) from /usr/local/lib/lua/5.4/luajwtjitsi.so\$' '$work/build.log'"

# The stand-in is as rootless as the image: without `USER root` the install
# step fails, as the recipe written for the earlier image did.
mkdir -p "$work/ctx-rootless"
cp "$work/ctx/"*.tar.gz "$work/ctx-rootless/"
grep -v '^USER root$' "$recipe" > "$work/ctx-rootless/Dockerfile"
if docker_ build --no-cache --progress=plain --network none --build-arg PROSODY_IMAGE="$standin_tag" \
    -t "$recipe_tag-rootless" "$work/ctx-rootless" > "$work/build-rootless.log" 2>&1; then
  bad "the recipe without USER root built on the stand-in: the stand-in is not rootless"
  docker_ rmi -f "$recipe_tag-rootless" >/dev/null 2>&1 || true
else
  check "the recipe without USER root fails on the stand-in: s6 may not write the image's folders" \
    "grep -q 'install: cannot create .*Permission denied' '$work/build-rootless.log'"
fi

# ---- 5. the built image
check "the built image's user is s6" "[ \"\$(docker_ image inspect -f '{{.Config.User}}' '$recipe_tag')\" = s6 ]"
docker_ run --rm --network none "$recipe_tag" cat /usr/local/lib/lua/5.4/luajwtjitsi.so > "$work/image.so" 2>/dev/null || true
check "/usr/local/lib/lua/5.4/luajwtjitsi.so is the linux-x86_64 tarball's Lua 5.4 build" \
  "tar -xOzf '$dist/$top-linux-x86_64.tar.gz' '$top/linux-x86_64/lib/lua/5.4/luajwtjitsi.so' | cmp -s - '$work/image.so'"
check "/prosody-plugins/luajwtjitsi.lib.lua is the shim" \
  "docker_ run --rm --network none '$recipe_tag' cat /prosody-plugins/luajwtjitsi.lib.lua | cmp -s - lua/luajwtjitsi.lib.lua"
left=$(docker_ run --rm --network none "$recipe_tag" sh -c "find /tmp -mindepth 1 -not -path '$mount_target'; find / -xdev -name 'luajwtjitsi-native-*' 2>/dev/null" 2>&1 || true)
check "nothing of the build context is left in the image${left:+ (found: $left)}" "[ -z \"\$left\" ]"
out=$(orders "$recipe_tag") || true
printf '%s\n' "$out" | sed 's/^/# /'
check "the probe ran as s6" "[ \"\$(head -n 1 <<<\"\$out\")\" = s6 ]"
line="-> /prosody-plugins/luajwtjitsi.lib.lua | info luajwtjitsi $version (native) loaded from /usr/local/lib/lua/5.4/luajwtjitsi.so | verify: ok, sub meet.jitsi"
declare -A want_order=(
  [jitsi-meet.cfg.lua]="/prosody-plugins-custom /prosody-plugins/ /prosody-plugins-contrib"
  [brewery.cfg.lua]="/prosody-plugins/ /prosody-plugins-custom /prosody-plugins-contrib"
  [visitors.cfg.lua]="/prosody-plugins/ /prosody-plugins-custom /prosody-plugins-contrib")
logins_args=()
for cfg in jitsi-meet.cfg.lua brewery.cfg.lua visitors.cfg.lua; do
  check "[$cfg] order ${want_order[$cfg]}: Prosody's plugin loader gives the shim, which loads the .so and verifies" \
    "grep -qxF 'order $cfg: ${want_order[$cfg]} $line' <<<\"\$out\""
  logins_args+=("${cfg%.cfg.lua}=${want_order[$cfg]}")
done
count_run docker-logins "$PY" tests/docker/logins.py "$recipe_tag" "${logins_args[@]}"

# ---- 6. arm64 and the refusals, without the engine
# reroot IMG N: RUN step N (1: install, 2: s6 check) with every absolute path
# under IMG; refuses a step that would still name a path outside it.
reroot() {
  python3 - "$1" "$2" "$work/run-steps" <<'PY'
import re, sys
img, n, script = sys.argv[1], int(sys.argv[2]), open(sys.argv[3]).read().splitlines()[int(sys.argv[2])]
absolute = r"(?<![\w.$/-])/"
other = re.findall(absolute + r"(?!(tmp|usr|prosody-plugins)/)[\w.-]*", script)
assert not other, "absolute paths that would stay outside the image folder: %s" % other
print(re.sub(absolute + r"(?=(tmp|usr|prosody-plugins)/)", img + "/", script))
PY
}
# image_dir NAME [bare]: a folder standing in for the image, with the
# tarballs in its build context and (unless bare) jitsi's file.
image_dir() {
  local img="$work/img-$1"
  mkdir -p "$img$mount_target" "$img/prosody-plugins"
  cp "$dist/$top"-linux-*.tar.gz "$img$mount_target/"
  [ "${2:-}" = bare ] || echo 'error("stand-in for jitsi-meet-prosody'"'"'s pure-Lua luajwtjitsi.lib.lua was loaded")' > "$img/prosody-plugins/luajwtjitsi.lib.lua"
  echo "$img"
}
need_apt qemu-user-static || bad "apt-get install qemu-user-static"
set_target_arch arm64
if ! armroot=$(target_root); then
  bad "Debian's arm64 root for emulation (need_arm64_root)"
else
  mkdir -p "$work/bin"
  printf '#!/bin/sh\nexec qemu-aarch64-static -L %s %s/usr/bin/lua5.4 "$@"\n' "$armroot" "$armroot" > "$work/bin/lua5.4"
  chmod +x "$work/bin/lua5.4"
  img=$(image_dir arm64)
  if out=$(env -i PATH=/usr/bin:/bin TARGETARCH=arm64 LUAJWTJITSI_VERSION="$version" sh -c "$(reroot "$img" 1)" 2>&1); then
    ok "[arm64] the recipe's install step runs by sh on the linux-aarch64 tarball"
  else
    bad "[arm64] the recipe's install step: $out"
  fi
  so="$img/usr/local/lib/lua/5.4/luajwtjitsi.so"
  check "[arm64] /usr/local/lib/lua/5.4/luajwtjitsi.so is the tarball's linux-aarch64 Lua 5.4 build, for AArch64" \
    "readelf -h '$so' 2>/dev/null | grep -qE 'Machine: +AArch64' && tar -xOzf '$dist/$top-linux-aarch64.tar.gz' '$top/linux-aarch64/lib/lua/5.4/luajwtjitsi.so' | cmp -s - '$so'"
  check "[arm64] the shim replaced /prosody-plugins/luajwtjitsi.lib.lua" "cmp -s lua/luajwtjitsi.lib.lua '$img/prosody-plugins/luajwtjitsi.lib.lua'"
  check "[arm64] the step left no files in /tmp but the build context" \
    "[ \"\$(cd '$img/tmp' && find . -type f ! -path '.${mount_target#/tmp}/*')\" = '' ]"
  out=$(env -i PATH="$work/bin:/usr/bin:/bin" LUA_CPATH_5_4="$img/usr/local/lib/lua/5.4/?.so;;" sh -c "$(reroot "$img" 2)" 2>&1) || true
  check "[arm64] the s6 check, Debian's arm64 lua5.4 under qemu, loads the .so through the shim: $out" \
    "[ \"\$out\" = 'luajwtjitsi $version (native) from $so' ]"
fi
img=$(image_dir riscv64)
out=$(env -i PATH=/usr/bin:/bin TARGETARCH=riscv64 LUAJWTJITSI_VERSION="$version" sh -c "$(reroot "$img" 1)" 2>&1) && status=0 || status=$?
check "[riscv64] the install step stops with 'luajwtjitsi: no build for riscv64' (exit $status: $out)" \
  "[ $status -ne 0 ] && [ \"\$out\" = 'luajwtjitsi: no build for riscv64' ] && [ ! -e '$img/usr/local/lib/lua/5.4/luajwtjitsi.so' ]"
img=$(image_dir moved bare)
out=$(env -i PATH=/usr/bin:/bin TARGETARCH=amd64 LUAJWTJITSI_VERSION="$version" sh -c "$(reroot "$img" 1)" 2>&1) && status=0 || status=$?
check "[amd64] an image without /prosody-plugins/luajwtjitsi.lib.lua stops the install step (exit $status: $out)" \
  "[ $status -ne 0 ] && [[ \"\$out\" == 'luajwtjitsi: this image has no '*'luajwtjitsi.lib.lua; its layout is not the one docs/docker-jitsi-meet.md describes' ]] && [ ! -e '$img/usr/local/lib/lua/5.4/luajwtjitsi.so' ]"

# ---- the end: images and the daemon
cleanup_checks() {
  local c
  c=$(docker_ ps -aq --filter "name=luajwt-prosody-")
  check "no test container is left${c:+ (left: $c)}" "[ -z '$c' ]"
}
cleanup_checks
docker_ rmi -f "$recipe_tag" > /dev/null 2>&1 || true
check "the recipe's image is removed" "! docker_ image inspect '$recipe_tag' >/dev/null 2>&1"
if [ -n "$dockerd_pid" ]; then
  pid=$dockerd_pid
  stop_dockerd
  check "the private dockerd (pid $pid) stopped" "[ ! -e /proc/$pid ]"
  left=""
  for p in /proc/[0-9]*; do
    { c=$(tr '\0' ' ' < "$p/cmdline"); } 2>/dev/null || continue
    [[ "$c" != *"$run_dir"* ]] || left+=" ${p#/proc/}: $c;"
  done
  check "nothing that runs names $run_dir (its containerd stopped too)${left:+ (still:$left)}" "[ -z '$left' ]"
  left=$(awk -v d="$run_dir/" 'index($2, d) == 1 {printf " %s (%s)", $2, $3}' /proc/mounts)
  check "nothing is left mounted under $run_dir${left:+ (still:$left)}" "[ -z \"\$left\" ]"
  remove_run_dir
fi
finish
