#!/usr/bin/env bash
# Dependency audit with cargo-deny, offline, against the RustSec snapshot in
# ../shared/advisory-db (plain files): advisories (any open advisory fails),
# licences (deny.toml's allow list), duplicate versions and sources.
#
#   scripts/audit.sh
#
# Installs cargo-deny with `cargo install --locked` when it is missing
# (~2.5 minutes once; cached in ~/.cargo/bin). cargo-deny reads the database
# with git, so the snapshot is copied into target/advisory-db-git/ and
# committed there; the copy is refreshed whenever the snapshot changes.
# Prints "audit: N passed, N failed" (one per check) for scripts/test.sh.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

snapshot="../shared/advisory-db"
if [ ! -d "$snapshot/crates" ]; then
  echo "audit: the advisory database snapshot $PWD/$snapshot is absent (expected ../shared/advisory-db beside the project);" >&2
  echo "audit: cannot check advisories offline without it" >&2
  echo "audit: 0 passed, 1 failed"
  exit 1
fi

if ! command -v cargo-deny >/dev/null 2>&1; then
  echo "audit: installing cargo-deny (cargo install --locked; a few minutes, once)" >&2
  cargo install --locked cargo-deny >&2 || { echo "audit: cargo install cargo-deny failed" >&2; echo "audit: 0 passed, 1 failed"; exit 1; }
fi

# The directory name is what cargo-deny derives from the db-urls entry in
# deny.toml (https://github.com/rustsec/advisory-db).
db_root="target/advisory-db-git"
db="$db_root/advisory-db-3157b0e258782691"
stamp="$(cat "$snapshot/SNAPSHOT" 2>/dev/null; find "$snapshot" -type f -newer "$snapshot/SNAPSHOT" 2>/dev/null | wc -l)"
if [ ! -d "$db/.git" ] || [ "$(cat "$db_root/stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$db_root"
  mkdir -p "$db"
  cp -r "$snapshot/." "$db/"
  git -C "$db" init -q
  git -C "$db" add -A
  git -C "$db" -c user.name=audit -c user.email=audit@localhost -c commit.gpgsign=false \
    commit -q -m "snapshot" || { echo "audit: could not commit the database copy" >&2; echo "audit: 0 passed, 1 failed"; exit 1; }
  printf '%s' "$stamp" >"$db_root/stamp"
fi
echo "audit: $(head -n 1 "$snapshot/SNAPSHOT" 2>/dev/null || echo "snapshot (no SNAPSHOT file)")"

# cargo-deny reads the whole dependency graph, every platform's crates
# included (divan pulls in windows-sys), and --offline cannot download them:
# fetch them first through cargo (a no-op when they are cached).
if ! cargo fetch --locked -q; then
  echo "audit: cargo fetch --locked failed: the crates of Cargo.lock are not all in the cargo cache" >&2
  echo "audit: 0 passed, 1 failed"
  exit 1
fi

passed=0; failed=0
for check in advisories licenses bans sources; do
  if cargo deny --offline --locked check "$check" 2>"target/deny-$check.log"; then
    echo "audit-$check: ok"
    passed=$((passed + 1))
  else
    echo "audit-$check: FAILED"
    grep -vE '^\s*$' "target/deny-$check.log" | head -60
    failed=$((failed + 1))
  fi
done
echo "audit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
