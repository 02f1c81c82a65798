#!/usr/bin/env bash
# The declared Rust minimum is true: no locked crate needs a newer Rust than
# the `rust-version` every package of the workspace declares.
#
#   scripts/msrv.sh
#
# Reads `cargo metadata --locked` (the crates of Cargo.lock, every platform and
# dev-dependencies included) and, for each workspace package, compares its
# `rust-version` with the highest `rust-version` any locked crate declares.
# The fuzz crate is its own workspace with its own lock and is checked the
# same way. No toolchain other than the machine's can be installed here, so
# this reads what the crates declare rather than building with that exact
# toolchain. Last lines: "msrv: took N s", "msrv: N passed, N failed, N skipped".
. "$(dirname "${BASH_SOURCE[0]}")/../tests/lib/stage.sh"
stage_begin msrv
cd "$(dirname "$0")/.."

for manifest in Cargo.toml fuzz/Cargo.toml; do
  err="$(mktemp)"
  if ! meta="$(cargo metadata --locked --format-version 1 --manifest-path "$manifest" 2>"$err")"; then
    echo "msrv: cargo metadata failed for $manifest:" >&2
    tail -5 "$err" >&2; rm -f "$err"
    bad "cargo metadata failed for $manifest"; continue
  fi
  rm -f "$err"
  seen=0
  # One line per workspace package: "ok|FAIL name declared needed crate@version".
  while read -r verdict line; do
    echo "msrv [$manifest]: $verdict $line"
    seen=$((seen + 1))
    if [ "$verdict" = ok ]; then ok "$manifest: $line"; else bad "$manifest: $line"; fi
  done < <(printf '%s' "$meta" | python3 -c '
import json, sys
m = json.load(sys.stdin)
ver = lambda s: tuple(int(x) for x in s.split("."))
members = set(m["workspace_members"])
need, who = (0,), "none"
for p in m["packages"]:
    if p["id"] in members or not p.get("rust_version"):
        continue
    if ver(p["rust_version"]) > need:
        need, who = ver(p["rust_version"]), "%s@%s" % (p["name"], p["version"])
for p in m["packages"]:
    if p["id"] not in members:
        continue
    declared = p.get("rust_version")
    ok = declared is not None and ver(declared) >= need
    print("%s %s declares rust-version %s; the lock needs %s (%s)" % (
        "ok" if ok else "FAIL", p["name"], declared or "(none)",
        ".".join(map(str, need)), who))
')
  # A parse failure prints nothing: that is a failure too, not a pass.
  [ "$seen" -gt 0 ] || bad "msrv [$manifest]: no workspace package read"
done
finish_stage
