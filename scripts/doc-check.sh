#!/usr/bin/env bash
# The documentation holds: every relative link and #anchor in README.md and
# docs/*.md resolves, and every README/docs code block marked runnable
# (a ```sh block right after a `<!-- runnable -->` line) runs and succeeds in a
# temporary folder. The checker is scripts/doc_check.py (Python's standard
# library only: no link checker from PyPI or crates.io was needed for links
# that are all relative).
#   1. a self-test: the checker, run on a small fixture with one broken file
#      link, one broken anchor and one failing block (beside good ones), must
#      report exactly those three, so this stage cannot pass vacuously;
#   2. the real files.
# Last lines: "doc-check: took N s", "doc-check: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
pass=0; fail=0

# The runnable blocks call lua5.4 (and dpkg-divert, which every Debian has).
if ! command -v lua5.4 >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "doc-check: installing lua5.4" >&2
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends lua5.4 >&2 \
    || { echo "doc-check: could not install lua5.4" >&2; exit 1; }
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- 1. self-test on a fixture
mkdir -p "$work/fixture/docs"
cat > "$work/fixture/README.md" <<'MD'
# Fixture

## A heading, with `code` and punctuation!

[good file](docs/page.md), [good anchor](docs/page.md#second-part),
[same-file anchor](#a-heading-with-code-and-punctuation), [web](https://example.org/x),
[broken file](docs/missing.md), [broken anchor](docs/page.md#no-such-part).
`[not a link](nowhere.md)` in code.

<!-- runnable -->
```sh
test -d "$REPO/docs"
```

<!-- runnable -->
```sh
echo "this block fails on purpose"
false
```
MD
printf '# Page\n\n## Second part\n\n[back](../README.md#fixture)\n' > "$work/fixture/docs/page.md"
set +e
python3 scripts/doc_check.py --root "$work/fixture" "$work/fixture/README.md" "$work/fixture/docs/page.md" > "$work/self.out" 2>&1
self_rc=$?
set -e
self_check() {
  if eval "$2"; then pass=$((pass + 1)); echo "doc-check: ok   self-test: $1"
  else fail=$((fail + 1)); echo "doc-check: FAIL self-test: $1"; sed 's/^/doc-check:      > /' "$work/self.out"; fi
}
self_check "the checker exits with 3 (the three failures)" "[ $self_rc -eq 3 ]"
self_check "a link to a missing file fails" "grep -q 'FAIL README.md:[0-9]*: docs/missing.md: no such file' '$work/self.out'"
self_check "a link to a missing anchor fails" "grep -q 'FAIL README.md:[0-9]*: docs/page.md#no-such-part: no heading' '$work/self.out'"
self_check "a failing runnable block fails" "grep -q 'FAIL README.md:[0-9]*: runnable block: exit 1' '$work/self.out'"
self_check "good links, anchors and a good block pass (5 ok lines)" "[ \$(grep -c ': ok ' '$work/self.out') -eq 5 ]"
self_check "a link inside code is not checked" "! grep -q nowhere.md '$work/self.out'"

# ---- 2. the real files
set +e
python3 scripts/doc_check.py README.md docs/*.md > "$work/real.out" 2>&1
set -e
grep -v ': ok ' "$work/real.out" || true
ok_lines=$(grep -c ': ok ' "$work/real.out" || true)
bad_lines=$(grep -c ': FAIL ' "$work/real.out" || true)
blocks=$(grep -c ': ok .*runnable block' "$work/real.out" || true)
echo "doc-check: $ok_lines links and runnable blocks resolve and run ($blocks runnable blocks)"
pass=$((pass + ok_lines)); fail=$((fail + bad_lines))
[ "$blocks" -gt 0 ] || { fail=$((fail + 1)); echo "doc-check: FAIL no runnable block found (the marker is <!-- runnable -->)"; }

echo "doc-check: took $((SECONDS - started)) s"
echo "doc-check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
