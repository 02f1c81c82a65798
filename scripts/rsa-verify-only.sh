#!/usr/bin/env bash
# RustCrypto's `rsa` only ever verifies: signing never reaches it.
#
#   scripts/rsa-verify-only.sh
#
# Why: deny.toml ignores RUSTSEC-2023-0071 (Marvin, a timing leak of the
# private key in `rsa`'s decryption and signing, unfixed in every release)
# on the ground that this project calls `rsa` with public keys only (RS384
# and PS* under 2048 bits, src/signature.rs). This stage keeps that ground
# true:
#   1. every path into the crate (`rsa::…`) in the project's Rust files
#      (git ls-files '*.rs': src/, cli/, tests/, benches/, fuzz/) names one
#      of the verification items below; a private key, a signing key, a
#      padding scheme for signing, a grouped `use rsa::{…}` or a whole module
#      fails, and so does `use rsa as …` / `extern crate rsa` (an alias would
#      hide the paths from this check) and the auto-salt PSS verifier
#      (`new_with_auto_salt_len`: RFC 7518 fixes the salt at the hash length);
#   2. the dependency, read from `cargo metadata`, is declared once, by
#      luajwtjitsi, not renamed, without default features, and with no
#      feature but "pkcs1v15";
#   3. the features cargo actually resolves for `rsa` (`cargo tree -e
#      features`, all features, every target) are "pkcs1v15" only: not
#      getrandom (randomness for key generation and blinding), std, encoding
#      (private-key file formats), hazmat (raw private operations), pkcs5 or
#      serde;
#   4. getrandom, when anything in the graph uses it at all, is not reached
#      through `rsa` (AWS-LC, the signing backend, has its own random source).
# A self-test first feeds check 1 lines it must refuse, so a broken pattern
# cannot pass vacuously. Last lines: "rsa-verify-only: took N s",
# "rsa-verify-only: N passed, N failed, N skipped".
. "$(dirname "${BASH_SOURCE[0]}")/../tests/lib/stage.sh"
stage_begin rsa-verify-only
cd "$(dirname "$0")/.."

# Check 1. Reads file names on stdin (or, with --sample, one Rust line per
# argument) and prints one line per refused use; exit 1 if any.
# The program is passed with -c: stdin carries the file names.
paths_prog=$(cat <<'EOF'
import re, sys
ALLOWED = {
    "rsa::PublicKey", "rsa::BoxedUint",
    "rsa::pss::VerifyingKey", "rsa::pss::Signature",
    "rsa::pkcs1v15::VerifyingKey", "rsa::pkcs1v15::Signature",
    "rsa::signature::Verifier",
}
# `rsa` as a crate root: not after an identifier character or `::` (so
# ring::rsa::KeyPair is not ours), optionally written ::rsa.
PATH = re.compile(r"(?<![\w:])(?:::)?(rsa(?:::[A-Za-z_]\w*)*)(::)?")
ALIAS = re.compile(r"\b(?:use\s+(?:::)?rsa\s*(?:as\b|;)|extern\s+crate\s+rsa\b)")
AUTO_SALT = re.compile(r"\bnew_with_auto_salt_len\b")

def refusals(line):
    out = []
    for m in PATH.finditer(line):
        path, tail = m.group(1), m.group(2)
        if path == "rsa" and not tail:
            continue  # the word rsa, not a path
        if path in ALLOWED or any(path.startswith(a + "::") for a in ALLOWED):
            continue
        out.append("%s%s" % (path, tail or ""))
    out += [m.group(0) for m in ALIAS.finditer(line)]
    out += [m.group(0) for m in AUTO_SALT.finditer(line)]
    return out

if sys.argv[1:2] == ["--sample"]:
    lines = [("sample", i + 1, l) for i, l in enumerate(sys.argv[2:])]
else:
    lines = []
    for name in sys.stdin.read().split("\0"):
        if name:
            with open(name, encoding="utf-8", errors="replace") as f:
                lines += [(name, i + 1, l) for i, l in enumerate(f)]
if not lines:
    print("no lines read")
    sys.exit(1)
found = 0
for name, no, line in lines:
    for r in refusals(line):
        print("%s:%d: %s" % (name, no, r))
        found += 1
sys.exit(1 if found else 0)
EOF
)
paths_check() { python3 -c "$paths_prog" "$@"; }

# Self-test: each of these must be refused, and the verifier's own lines not.
for sample in \
  'use rsa::pkcs1v15::SigningKey;' \
  'let k = rsa::PrivateKey::from_components(n, e, d, primes)?;' \
  'let k = ::rsa::RsaPrivateKey::new(&mut rng, 2048);' \
  'use rsa::{pss, PublicKey};' \
  'use rsa::pss;' \
  'use rsa as r;' \
  'extern crate rsa;' \
  'let s = key.sign_with_rng(&mut rng, rsa::Pkcs1v15Sign::new::<Sha256>(), &h);' \
  'rsa::pss::BlindedSigningKey::<Sha256>::new(k)' \
  'rsa::pss::VerifyingKey::<Sha256>::new_with_auto_salt_len(key)'; do
  if out="$(paths_check --sample "$sample")"; then
    bad "self-test: not refused: $sample"
  else
    ok "self-test refuses: $sample"
  fi
done
if out="$(paths_check --sample \
  'use rsa::signature::Verifier as _;' \
  'rsa::pss::VerifyingKey::<Sha256>::new(key).verify(msg, &sig)' \
  'rsa::PublicKey::new(rsa::BoxedUint::from_be_slice_vartime(n), e)' \
  'ring::rsa::KeyPair::from_der(der)' 'fn rsa_verify() // rsa keys')"; then
  ok "self-test accepts the verifier's own lines"
else
  bad "self-test refuses the verifier's own lines: $out"
fi

# 1. The project's Rust files.
files=$(git ls-files -z '*.rs' | tr '\0' '\n' | wc -l)
if out="$(git ls-files -z '*.rs' | paths_check)"; then
  ok "no rsa:: path but the verification items in $files Rust files"
else
  bad "rsa:: uses other than verification:"; printf '%s\n' "$out" >&2
fi

# 2. The declaration.
err=$(mktemp); trap 'rm -f "$err"' EXIT
if meta="$(cargo metadata --locked --format-version 1 2>"$err")"; then
  if out="$(printf '%s' "$meta" | python3 -c '
import json, sys
m = json.load(sys.stdin)
members = set(m["workspace_members"])
decl = [(p["name"], d) for p in m["packages"] if p["id"] in members
        for d in p["dependencies"] if d["name"] == "rsa"]
problems = []
if [n for n, _ in decl] != ["luajwtjitsi"]:
    problems.append("declared by %s, expected luajwtjitsi only" % [n for n, _ in decl])
for n, d in decl:
    if d.get("rename"):
        problems.append("%s renames it to %s" % (n, d["rename"]))
    if d["uses_default_features"]:
        problems.append("%s keeps its default features" % n)
    if set(d["features"]) - {"pkcs1v15"}:
        problems.append("%s turns on %s" % (n, sorted(set(d["features"]) - {"pkcs1v15"})))
    if d["kind"] is not None:
        problems.append("%s declares it as a %s-dependency" % (n, d["kind"]))
print("; ".join(problems))
sys.exit(1 if problems else 0)
')"; then
    ok "Cargo.toml: rsa declared once, by luajwtjitsi, default-features = false, features [\"pkcs1v15\"]"
  else
    bad "Cargo.toml: $out"
  fi
else
  bad "cargo metadata failed: $(tail -3 "$err")"
fi

# 3. The resolved features.
if tree="$(cargo tree --locked --workspace --all-features --target all -e features -i rsa 2>"$err")"; then
  feats=$(printf '%s\n' "$tree" | sed -n 's/.*rsa feature "\([^"]*\)".*/\1/p' | sort -u | tr '\n' ' ')
  if [ "$feats" = "pkcs1v15 " ]; then
    ok "resolved features of rsa: $feats"
  else
    bad "resolved features of rsa: ${feats:-(none read)}; only pkcs1v15 is allowed"
  fi
else
  bad "cargo tree -i rsa failed: $(tail -3 "$err")"
fi

# 4. getrandom's users.
if tree="$(cargo tree --locked --workspace --all-features --target all -e normal -i getrandom 2>"$err")"; then
  if ! printf '%s\n' "$tree" | grep -q '^getrandom'; then
    ok "getrandom is not in the dependency graph, so rsa cannot reach it"
  elif ! printf '%s\n' "$tree" | grep -Eq '(^|[^a-z_-])rsa v'; then
    ok "getrandom is reached through $(printf '%s\n' "$tree" | sed -n '2s/^[^a-z]*\([a-z0-9_-]*\) .*/\1/p') only, not through rsa"
  else
    bad "getrandom and rsa:"; printf '%s\n' "$tree" >&2
  fi
else
  bad "cargo tree -i getrandom failed: $(tail -3 "$err")"
fi

finish_stage
