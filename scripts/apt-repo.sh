#!/usr/bin/env bash
# A signed apt repository of the Debian packages, ready to be served as
# static files (`make apt-repo APT_REPO_KEY=<gpg key id>`):
#   scripts/apt-repo.sh -k KEYID [-o DIR] [DEB...]
#     KEYID  the gpg key that signs the repository (a key id, fingerprint or
#            user id of a secret key in gpg's keyring: $GNUPGHOME, else
#            ~/.gnupg); APT_REPO_KEY when -k is not given.
#     DIR    the repository folder, made afresh (default build/apt-repo).
#     DEB    the packages (default build/deb/lua-luajwtjitsi_*_{amd64,arm64}.deb,
#            made by scripts/package-deb.sh when there are none). Several
#            versions of a package may go in; apt picks the newest, and the
#            older ones stay installable by version (downgrades).
# What DIR then holds (a suite "stable" with one component "main"):
#   pool/main/<package's .deb files>
#   dists/stable/main/binary-{amd64,arm64}/Packages{,.gz}   (apt-ftparchive)
#   dists/stable/Release            checksums of the above (apt-ftparchive)
#   dists/stable/InRelease          Release, signed inline (gpg --clearsign)
#   dists/stable/Release.gpg        Release's detached signature (older apt)
#   luajwtjitsi-archive-keyring.gpg the public key, for /etc/apt/keyrings/
# Admins then add
#   deb [signed-by=/etc/apt/keyrings/luajwtjitsi-archive-keyring.gpg] <url of DIR> stable main
# (docs/install.md, "From an apt repository"). Needs apt-utils (apt-ftparchive)
# and gnupg, installed first when missing. Prints DIR.
set -euo pipefail
# Paths given are taken from where the script was called; defaults from the
# project's root.
caller=$PWD
abs() { case $1 in /*) echo "$1" ;; *) echo "$caller/$1" ;; esac; }
cd "$(dirname "$0")/.."
. scripts/package-tools.sh

key=${APT_REPO_KEY:-}
out=build/apt-repo
while getopts k:o: opt; do
  case $opt in
    k) key=$OPTARG ;;
    o) out=$(abs "$OPTARG") ;;
    *) echo "usage: scripts/apt-repo.sh -k KEYID [-o DIR] [DEB...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
if [ -z "$key" ]; then
  cat >&2 <<'EOF'
apt-repo: no signing key: make apt-repo APT_REPO_KEY=<key id> (or scripts/apt-repo.sh -k <key id>).
apt-repo: `gpg --list-secret-keys` lists yours; a new one for the repository only:
apt-repo:   gpg --quick-gen-key "luajwtjitsi apt repository <you@example.org>" ed25519 sign 2y
EOF
  exit 2
fi
need_apt apt-utils gnupg
gpg --batch --list-secret-keys "$key" >/dev/null 2>&1 ||
  { echo "apt-repo: gpg has no secret key '$key' (GNUPGHOME=${GNUPGHOME:-~/.gnupg})" >&2; exit 1; }

debs=()
for d in "$@"; do debs+=("$(abs "$d")"); done
if [ ${#debs[@]} -eq 0 ]; then
  for arch in amd64 arm64; do
    ls build/deb/lua-luajwtjitsi_*_"$arch".deb >/dev/null 2>&1 || scripts/package-deb.sh "$arch" >/dev/null
  done
  debs=(build/deb/lua-luajwtjitsi_*_amd64.deb build/deb/lua-luajwtjitsi_*_arm64.deb)
fi

rm -rf "$out"
mkdir -p "$out/pool/main"
cp "${debs[@]}" "$out/pool/main/"
cd "$out"
arches=(amd64 arm64)
for arch in "${arches[@]}"; do
  d=dists/stable/main/binary-$arch
  mkdir -p "$d"
  # -a: this architecture's files and Architecture: all ones; paths are
  # relative to the repository's root, as apt asks for them.
  apt-ftparchive -a "$arch" packages pool > "$d/Packages"
  gzip -9n < "$d/Packages" > "$d/Packages.gz"
done
apt-ftparchive \
  -o APT::FTPArchive::Release::Origin=luajwtjitsi \
  -o APT::FTPArchive::Release::Label=luajwtjitsi \
  -o APT::FTPArchive::Release::Suite=stable \
  -o APT::FTPArchive::Release::Codename=stable \
  -o APT::FTPArchive::Release::Architectures="${arches[*]}" \
  -o APT::FTPArchive::Release::Components=main \
  -o APT::FTPArchive::Release::Description="lua-luajwtjitsi, the native luajwtjitsi for Prosody" \
  release dists/stable > Release.tmp
mv Release.tmp dists/stable/Release
gpg --batch --yes --local-user "$key" --clearsign -o dists/stable/InRelease dists/stable/Release
gpg --batch --yes --local-user "$key" --armor --detach-sign -o dists/stable/Release.gpg dists/stable/Release
gpg --batch --yes --export "$key" > luajwtjitsi-archive-keyring.gpg
[ -s luajwtjitsi-archive-keyring.gpg ] || { echo "apt-repo: gpg exported no public key for '$key'" >&2; exit 1; }
cd - >/dev/null
echo "$out"
