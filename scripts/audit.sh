#!/usr/bin/env bash
# Dependency audit with cargo-deny: advisories (any open advisory fails),
# licences (deny.toml's allow list), duplicate versions and sources.
#
#   scripts/audit.sh
#
# Where the advisories come from:
#   - ../shared/advisory-db (the RustSec snapshot beside the project, plain
#     files) when it is there: offline. Under CI=true it must be there, and
#     its absence fails the audit.
#   - otherwise (a user's clone) cargo-deny fetches the database itself;
#   - when that is not reachable either, the advisories check is skipped,
#     with the reason printed and counted as skipped. Licences, bans and
#     sources need no database and always run.
#
# Installs cargo-deny with `cargo install --locked` when it is missing
# (~2.5 minutes once; cached in ~/.cargo/bin). cargo-deny reads the database
# with git, so the snapshot is copied into target/advisory-db-git/ and
# committed there; the copy is refreshed whenever the snapshot changes.
# Last lines: "audit: took N s", "audit: N passed, N failed, N skipped" (one
# per check).
. "$(dirname "${BASH_SOURCE[0]}")/../tests/lib/stage.sh"
stage_begin audit
cd "$(dirname "$0")/.."
mkdir -p target

snapshot="../shared/advisory-db"
have_snapshot=0
[ -d "$snapshot/crates" ] && have_snapshot=1
if [ "$have_snapshot" = 0 ] && [ "${CI:-}" = true ]; then
  give_up "the advisory database snapshot $PWD/$snapshot is absent (expected ../shared/advisory-db beside the project); CI=true requires it"
fi

if ! command -v cargo-deny >/dev/null 2>&1; then
  echo "audit: installing cargo-deny (cargo install --locked; a few minutes, once)" >&2
  cargo install --locked cargo-deny >&2 || give_up "cargo install cargo-deny failed"
fi

# The directory name is what cargo-deny derives from the db-urls entry in
# deny.toml (https://github.com/rustsec/advisory-db).
db_root="target/advisory-db-git"
db="$db_root/advisory-db-3157b0e258782691"
skip_advisories=""
if [ "$have_snapshot" = 1 ]; then
  stamp="$(cat "$snapshot/SNAPSHOT" 2>/dev/null; find "$snapshot" -type f -newer "$snapshot/SNAPSHOT" 2>/dev/null | wc -l)"
  if [ ! -d "$db/.git" ] || [ "$(cat "$db_root/stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$db_root"
    mkdir -p "$db"
    cp -r "$snapshot/." "$db/"
    git -C "$db" init -q
    git -C "$db" add -A
    git -C "$db" -c user.name=audit -c user.email=audit@localhost -c commit.gpgsign=false \
      commit -q -m "snapshot" || give_up "could not commit the database copy"
    printf '%s' "$stamp" >"$db_root/stamp"
  fi
  echo "audit: advisories from the snapshot: $(head -n 1 "$snapshot/SNAPSHOT" 2>/dev/null || echo "(no SNAPSHOT file)")"
else
  echo "audit: no snapshot at $PWD/$snapshot; asking cargo-deny to fetch the advisory database (2 minutes at most)"
  # A copy made from an earlier snapshot is replaced by the fetched one.
  rm -f "$db_root/stamp"
  if timeout 120 cargo deny fetch db >target/deny-fetch.log 2>&1; then
    echo "audit: advisories from the database cargo-deny fetched"
  else
    reason="$(grep -vE '^\s*$' target/deny-fetch.log | tail -n 1 || true)"
    skip_advisories="no ../shared/advisory-db snapshot, and cargo-deny could not fetch the database (${reason:-timed out})"
  fi
fi

# cargo-deny reads the whole dependency graph, every platform's crates
# included (divan pulls in windows-sys), and --offline cannot download them:
# fetch them first through cargo (a no-op when they are cached).
cargo fetch --locked -q || give_up "cargo fetch --locked failed: the crates of Cargo.lock are not all in the cargo cache"

for check in advisories licenses bans sources; do
  if [ "$check" = advisories ] && [ -n "$skip_advisories" ]; then
    skip "advisories: $skip_advisories"
    continue
  fi
  if cargo deny --offline --locked check "$check" 2>"target/deny-$check.log"; then
    echo "audit-$check: ok"
    ok "$check"
  else
    bad "audit-$check"
    grep -vE '^\s*$' "target/deny-$check.log" | head -60 || true
  fi
done
finish_stage
