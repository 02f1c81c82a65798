#!/usr/bin/env bash
# docs/jitsi-plugins.md ("What Jitsi's plugins need") says which Debian release packages
# basexx, inspect and cjson for which Lua. This keeps that table true:
#   1. Debian 11, 12 and 13's lua-basexx, lua-inspect and lua-cjson (amd64)
#      are fetched with an apt configuration of their own
#      (private_apt_download in scripts/package-tools.sh: the host's apt state
#      is left alone) and their `dpkg-deb -c` listings, with each package's
#      version, cached in ~/.cache/luajwtjitsi/debian-lua-listings-<hash>.txt
#      (a later run needs no network; delete the file to look again);
#   2. from each listing, the Lua versions the module is there for: a
#      /usr/share/lua/5.x/<name>.lua (basexx, inspect) or a
#      /usr/lib/x86_64-linux-gnu/lua/5.x/<name>.so (cjson), file or symlink;
#   3. that page's table rows (between the header line below and the first line
#      that does not start with "|") must be exactly the rows made from that.
# Last lines: "distro-lua: took N s", "distro-lua: N passed, N failed, N skipped".
. "$(dirname "${BASH_SOURCE[0]}")/../lib/stage.sh"
stage_begin distro-lua
cd "$(dirname "$0")/../.."
. scripts/package-tools.sh

RELEASES=("11 bullseye" "12 bookworm" "13 trixie")
# package:module:kind (lua = /usr/share/lua/5.x/M.lua, so = the C folder's M.so)
MODULES=(lua-basexx:basexx:lua lua-inspect:inspect:lua lua-cjson:cjson:so)
HEADER='| Debian | `lua-basexx`: `basexx` | `lua-inspect`: `inspect` | `lua-cjson`: `cjson` |'

# ---- 1. the listings, cached: "<release> <package> <version> <path>" lines
hash=$(echo "${RELEASES[*]} ${MODULES[*]}" | md5sum | cut -c1-8)
listing="$LUAJWTJITSI_TOOLS/debian-lua-listings-$hash.txt"
if [ ! -s "$listing" ]; then
  echo "distro-lua: fetching ${MODULES[*]%%:*} of Debian 11-13 (listings cached in $listing)" >&2
  tmp=$(mktemp -d); on_exit 'rm -rf "$tmp"'
  for r in "${RELEASES[@]}"; do
    codename=${r#* }
    pkgs=(); for m in "${MODULES[@]}"; do pkgs+=("${m%%:*}"); done
    if ! private_apt_download "$tmp/$codename" amd64 "$codename" -- "${pkgs[@]}"; then
      give_up "could not fetch ${pkgs[*]} from Debian $codename"
    fi
    for d in "$tmp/$codename"/debs/*.deb; do
      p=$(dpkg-deb -f "$d" Package); v=$(dpkg-deb -f "$d" Version)
      # Field 6 is the path ("./usr/..."); symlinks add "-> target".
      dpkg-deb -c "$d" | awk -v r="$codename" -v p="$p" -v v="$v" '{sub(/^\./, "", $6); print r, p, v, $6}'
    done >> "$tmp/listing"
  done
  mkdir -p "$LUAJWTJITSI_TOOLS"
  mv "$tmp/listing" "$listing.$$.tmp" && mv "$listing.$$.tmp" "$listing"
fi

# ---- 2. the rows the listings make
# cell CODENAME PACKAGE MODULE KIND: "<version>: 5.1, 5.2" (or "not packaged")
cell() {
  local version lua pattern
  version=$(awk -v r="$1" -v p="$2" '$1 == r && $2 == p {print $3; exit}' "$listing")
  [ -n "$version" ] || { echo "not packaged"; return; }
  if [ "$4" = lua ]; then pattern="^/usr/share/lua/(5\\.[1-4])/$3\\.lua\$"
  else pattern="^/usr/lib/x86_64-linux-gnu/lua/(5\\.[1-4])/$3\\.so\$"; fi
  lua=$(awk -v r="$1" -v p="$2" '$1 == r && $2 == p {print $4}' "$listing" \
    | sed -nE "s|$pattern|\\1|p" | sort -uV | paste -sd, - | sed 's/,/, /g')
  echo "$version: Lua ${lua:-none}"
}
expected=$(for r in "${RELEASES[@]}"; do
  row="| ${r% *} (${r#* })"
  for m in "${MODULES[@]}"; do
    IFS=: read -r p name kind <<<"$m"
    row+=" | $(cell "${r#* }" "$p" "$name" "$kind")"
  done
  echo "$row |"
done)

# ---- 3. the page's rows
page=docs/jitsi-plugins.md
actual=$(awk -v h="$HEADER" '$0 == h {on = 1; getline; next} on && !/^\|/ {exit} on' "$page")
if [ -z "$actual" ]; then
  bad "$page has no table under the header: $HEADER"
elif [ "$actual" = "$expected" ]; then
  ok
  echo "distro-lua: $page's table matches dpkg-deb -c of Debian 11-13's packages:"
  printf '%s\n' "$expected"
else
  bad "$page's table differs from dpkg-deb -c of Debian 11-13's packages (want < > $page):"
  diff <(printf '%s\n' "$expected") <(printf '%s\n' "$actual") || true
fi
# Each row's claim is counted too, so a table that lost a row fails loudly.
for r in "${RELEASES[@]}"; do
  if grep -qF "| ${r% *} (${r#* }) |" <<<"$actual"; then ok; else bad "$page's table has no row for Debian ${r% *}"; fi
done
finish_stage
