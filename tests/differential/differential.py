#!/usr/bin/env python3
"""Differential testing: seeded mutations of valid tokens, verified by both
luajwtjitsi (native, Lua 5.4, through tests/interop/driver.lua) and PyJWT.

Run through tests/differential/run.sh. Every case is one mutation of a token
PyJWT minted: bit flips per segment, dropped/duplicated/swapped segments,
padding, the standard base64 alphabet, whitespace, and JSON edits (exp as a
string, duplicate members, non-object payloads, ...) that are re-signed with
the HMAC secret so they reach the claims checks.

Both sides must agree on accept/reject, and on the claims when both accept.
A disagreement passes only when `explain` finds the deliberate contract
difference behind it (docs/contract.md §2, listed in DIFFERENCES below with the
number of times each was seen); anything else fails and is printed with its
seed so it can be replayed:

  tests/differential/run.sh                 # seed 1, 3000 cases, every algorithm
  DIFF_SEED=7 DIFF_CASES=20000 tests/differential/run.sh
"""

import base64
import binascii
import json
import os
import random
import re
import sys
import time
import warnings

import jwt  # PyJWT

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "interop"))
from test_interop import LuaDriver  # noqa: E402  (one driver for both suites)

KEYS = os.path.join(ROOT, "tests", "vectors", "keys")
SECRET = "differential-secret-" + "0123456789abcdef" * 3
ISS, AUD = "app", "jitsi"
HS = ["HS256", "HS384", "HS512"]
ASYM = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]


def read(name):
    with open(os.path.join(KEYS, name), encoding="ascii") as f:
        return f.read()


STEM = {"RS": "rsa2048", "PS": "rsa2048", "ES256": "ec-p256", "ES384": "ec-p384",
        "ES512": "ec-p521", "EdDSA": "ed25519"}


def stem(alg):
    return STEM.get(alg) or STEM[alg[:2]]


def private_key(alg):
    return read(stem(alg) + ".key.pem")


def public_key(alg):
    return read(stem(alg) + ".pub.pem")

# Deliberate differences (docs/contract.md §2 unless said otherwise): name -> text.
DIFFERENCES = {
    "b64-strict": "base64url: URL-safe alphabet only, no whitespace, one spelling "
                  "(PyJWT before 2.12 dropped unknown characters and ignored spare padding and trailing bits)",
    "short-padding": "a segment may end in '=' padding short of a multiple of 4 (YQ=), as base64url.rs "
                     "documents; PyJWT 2.12+ accepts padding only to a full multiple of 4",
    "typ": "header typ must be exactly \"JWT\" (row 11; PyJWT does not read typ)",
    "json-strict": "strict JSON: duplicate member names, NaN/Infinity, lone surrogates and "
                   "nesting past the limit are refused (Python's json accepts them)",
    "exp-nbf-type": "exp/nbf must be JSON numbers (rows 15-16; PyJWT converts strings and booleans with int())",
    "iat": "iat is not checked (luajwtjitsi 3.0 never checked it; PyJWT refuses a non-integer or future iat)",
    "pyjwt-headers": "PyJWT checks header members this contract does not read (kid must be a string)",
}


def b64e(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def strict_b64(seg):
    """Our rule: URL-safe alphabet, optional trailing '=', canonical bits."""
    s = seg.rstrip("=")
    if len(seg) - len(s) > 2 or not re.fullmatch(r"[A-Za-z0-9_-]*", s) or len(s) % 4 == 1:
        return None
    try:
        raw = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if b64e(raw) == s else None


def lenient_b64(seg):
    """PyJWT's rule (base64url_decode: pad, then urlsafe_b64decode)."""
    b = seg.encode("ascii", "replace")
    rem = len(b) % 4
    if rem:
        b += b"=" * (4 - rem)
    try:
        return base64.urlsafe_b64decode(b)
    except (binascii.Error, ValueError):
        return None


def strict_json_problem(raw):
    """Why our strict JSON rule refuses text that Python's json accepts, or None."""
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    dup = []

    def hook(pairs):
        names = [k for k, _ in pairs]
        if len(set(names)) != len(names):
            dup.append(True)
        return dict(pairs)

    try:
        json.loads(text, object_pairs_hook=hook)
    except (ValueError, RecursionError):
        return None
    if dup:
        return "duplicate member"
    if re.search(r"\b(NaN|Infinity)\b", text):
        return "NaN/Infinity"
    if re.search(r"\\u[dD][89abAB]", text) or re.search(r"\\u[dD][c-fC-F]", text):
        return "surrogate escape"
    depth = max_depth = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            max_depth = max(max_depth, depth)
        elif ch in "]}":
            depth -= 1
    if max_depth > 127:
        return "nesting"
    if re.search(r"[0-9]e[0-9]{3,}", text, re.I):
        return "number out of range"
    return None


def py_json(seg):
    raw = lenient_b64(seg)
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def explain(token, ours, theirs):
    """The DIFFERENCES key behind a disagreement, or None (a bug)."""
    parts = token.split(".")
    our_msg = ours[1] if ours[0] == "reject" else None
    their_err = theirs[1] if theirs[0] == "reject" else ""
    if len(parts) != 3:
        return None
    h, p, s = parts
    hdr, body = py_json(h), py_json(p)
    if our_msg is not None:  # we refuse, PyJWT accepts
        if our_msg in ("Invalid header", "Invalid body", "Invalid signature", "Invalid token"):
            if our_msg == "Invalid token":
                return None
            seg = {"Invalid header": h, "Invalid body": p, "Invalid signature": s}[our_msg]
            if strict_b64(seg) is None and lenient_b64(seg) is not None:
                return "b64-strict"
            if our_msg != "Invalid signature" and strict_json_problem(strict_b64(seg)):
                return "json-strict"
            return None
        if our_msg == "Invalid typ":
            return "typ" if not (isinstance(hdr, dict) and hdr.get("typ") == "JWT") else None
        if our_msg in ("exp must be number", "nbf must be number"):
            name = our_msg.split()[0]
            v = body.get(name) if isinstance(body, dict) else None
            return "exp-nbf-type" if isinstance(v, (str, bool)) else None
        return None
    # we accept, PyJWT refuses
    if "(iat)" in their_err or "iat" in their_err.lower():
        return "iat"
    # crit is not here: since issue 23 both refuse it (contract §2 row 8).
    if "Key ID" in their_err or "kid" in their_err:
        return "pyjwt-headers"
    if "padding" in their_err:
        for seg in parts:
            stripped = seg.rstrip("=")
            if stripped != seg and len(seg) % 4 != 0 and strict_b64(seg) is not None:
                return "short-padding"
        return None
    return None


# ---------------------------------------------------------------------------
# Mutations


def json_seg(seg):
    raw = strict_b64(seg)
    return json.loads(raw) if raw is not None else None


def put_json(obj):
    return b64e(json.dumps(obj, separators=(",", ":")).encode())


def mutate(rng, token, alg):
    """One seeded mutation: (name, token, resign)."""
    h, p, s = token.split(".")
    segs = [h, p, s]
    kind = rng.choice([
        "flip", "flip", "flip-decoded", "drop", "duplicate", "swap", "pad", "alphabet",
        "whitespace", "truncate", "json", "json", "json", "json", "dup-member", "non-object",
        "extra-dot",
    ])
    if kind == "flip":
        i = rng.randrange(3)
        if not segs[i]:
            return kind, token, False
        j = rng.randrange(len(segs[i]))
        c = chr(ord(segs[i][j]) ^ (1 << rng.randrange(7)))
        segs[i] = segs[i][:j] + c + segs[i][j + 1:]
        return "flip-%d" % i, ".".join(segs), False
    if kind == "flip-decoded":
        i = rng.randrange(3)
        raw = bytearray(strict_b64(segs[i]) or b"")
        if raw:
            raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
        segs[i] = b64e(bytes(raw))
        return "flip-decoded-%d" % i, ".".join(segs), i < 2 and rng.random() < 0.5
    if kind == "drop":
        del segs[rng.randrange(3)]
        return kind, ".".join(segs), False
    if kind == "duplicate":
        i = rng.randrange(3)
        segs.insert(i, segs[i])
        return kind, ".".join(segs), False
    if kind == "swap":
        a, b = rng.sample(range(3), 2)
        segs[a], segs[b] = segs[b], segs[a]
        return kind, ".".join(segs), False
    if kind == "pad":
        i = rng.randrange(3)
        segs[i] += "=" * rng.randrange(1, 5)
        return "pad-%d" % i, ".".join(segs), False
    if kind == "alphabet":
        i = rng.randrange(3)
        segs[i] = segs[i].replace("-", "+").replace("_", "/")
        return "alphabet-%d" % i, ".".join(segs), False
    if kind == "whitespace":
        i = rng.randrange(3)
        j = rng.randrange(len(segs[i]) + 1)
        segs[i] = segs[i][:j] + rng.choice([" ", "\n", "\t", "\r\n"]) + segs[i][j:]
        return "whitespace-%d" % i, ".".join(segs), False
    if kind == "truncate":
        i = rng.randrange(3)
        segs[i] = segs[i][: rng.randrange(len(segs[i]) + 1)]
        return "truncate-%d" % i, ".".join(segs), False
    if kind == "extra-dot":
        return kind, token + "." + rng.choice(["", "x", s]), False
    hdr, body = json_seg(h), json_seg(p)
    if kind == "non-object":
        v = rng.choice([[], [1], 1, "x", None, True, 4102444800])
        if rng.random() < 0.5:
            return "non-object-payload", h + "." + put_json(v) + "." + s, True
        return "non-object-header", put_json(v) + "." + p + "." + s, True
    if kind == "dup-member":
        name = rng.choice(["exp", "iss", "aud", "sub", "alg", "typ", "nbf"])
        target_hdr = name in ("alg", "typ")
        obj = hdr if target_hdr else body
        text = json.dumps(obj, separators=(",", ":"))
        extra = json.dumps(rng.choice([obj.get(name, 1), 1, "x", None, 0]))
        text = text[:-1] + ',"%s":%s}' % (name, extra)
        seg = b64e(text.encode())
        if target_hdr:
            return "dup-member-" + name, seg + "." + p + "." + s, True
        return "dup-member-" + name, h + "." + seg + "." + s, True
    # json edits
    now = int(time.time())
    edits = [
        ("exp", str(body["exp"])), ("exp", None), ("exp", False), ("exp", True), ("exp", float(body["exp"])),
        ("exp", now - 3600), ("exp", now - 3600.5), ("exp", 1e300), ("exp", [body["exp"]]), ("exp", {}),
        ("nbf", now + 3600), ("nbf", str(now - 3600)), ("nbf", now - 3600), ("nbf", None), ("nbf", now + 3600.5),
        ("iat", "x"), ("iat", now + 86400), ("iat", None), ("iat", 1.5),
        ("iss", "other"), ("iss", None), ("iss", 1), ("iss", [ISS]),
        ("aud", [AUD, "x"]), ("aud", ["x"]), ("aud", 5), ("aud", [5, AUD]), ("aud", None), ("aud", [AUD, None]),
        ("sub", "\u0000\u2028\U0001F600"), ("room", {"a": [1, {"b": None}]}),
        ("$hdr:typ", "jwt"), ("$hdr:typ", None), ("$hdr:typ", "JWS"), ("$hdr:alg", "none"),
        ("$hdr:alg", alg.lower()), ("$hdr:kid", 5), ("$hdr:kid", "k1"), ("$hdr:crit", ["exp"]),
        ("$del:exp", None), ("$del:iss", None), ("$del:aud", None), ("$del:typ", None),
    ]
    name, value = rng.choice(edits)
    if name.startswith("$hdr:"):
        hdr = dict(hdr)
        hdr[name[5:]] = value
        return "json-hdr-%s=%r" % (name[5:], value), put_json(hdr) + "." + p + "." + s, True
    body = dict(body)
    if name.startswith("$del:"):
        key = name[5:]
        if key == "typ":
            hdr = {k: v for k, v in hdr.items() if k != "typ"}
            return "json-del-typ", put_json(hdr) + "." + p + "." + s, True
        body.pop(key, None)
        return "json-del-" + key, h + "." + put_json(body) + "." + s, True
    body[name] = value
    return "json-%s=%r" % (name, value), h + "." + put_json(body) + "." + s, True


def resign(token, alg):
    """Sign header.payload again with the HMAC secret (HS* only)."""
    parts = token.split(".")
    if alg not in HS or len(parts) < 3:
        return token
    msg = (parts[0] + "." + parts[1]).encode("ascii", "replace")
    from jwt.algorithms import HMACAlgorithm
    a = jwt.algorithms.get_default_algorithms()[alg]
    sig = a.sign(msg, a.prepare_key(SECRET))
    return parts[0] + "." + parts[1] + "." + b64e(sig)


# ---------------------------------------------------------------------------
# The two verifiers


def theirs(token, alg, key):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            claims = jwt.decode(token, key, algorithms=[alg], audience=[AUD], issuer=[ISS],
                                options={"require": []}, leeway=0)
        return ("accept", claims)
    except Exception as e:  # noqa: BLE001 - any exception is a refusal
        return ("reject", "%s: %s" % (type(e).__name__, e))


def ours(driver, token, alg, key):
    resp = driver.verify(token, alg, key, [ISS], [AUD])
    if "crash" in resp or "raised" in resp or "proto_error" in resp:
        return ("error", json.dumps(resp)[:300])
    rets = resp["rets"]
    if resp["n"] == 1 and isinstance(rets[0], dict):
        return ("accept", rets[0])
    if resp["n"] == 2 and rets[0] == {"$lua": "nil"} and isinstance(rets[1], str):
        return ("reject", rets[1])
    return ("error", "unexpected return shape: " + json.dumps(resp)[:300])


def main():
    seed = int(os.environ.get("DIFF_SEED", "1"))
    cases = int(os.environ.get("DIFF_CASES", "3000"))
    driver = LuaDriver(os.environ.get("DIFF_LUA", "lua5.4"), os.path.join(ROOT, "build", "lua54"))
    rng = random.Random(seed)
    now = int(time.time())
    base = {"iss": ISS, "aud": AUD, "sub": "meet.example.com", "room": "*",
            "exp": now + 86400 * 365, "nbf": now - 60, "iat": now - 60}
    tokens = {}
    for alg in HS + ASYM:
        key = SECRET if alg in HS else private_key(alg)
        tokens[alg] = jwt.encode(base, key, algorithm=alg, headers={"typ": "JWT"})
    pub = {alg: public_key(alg) for alg in ASYM}
    seen = {k: 0 for k in DIFFERENCES}
    kinds, bad_kinds = {}, set()
    agree = passed = failed = 0
    failures = []
    for n in range(cases):
        # three HS cases (which can be re-signed) to one asymmetric
        alg = HS[n % 3] if n % 4 else ASYM[(n // 4) % len(ASYM)]
        key = SECRET if alg in HS else pub[alg]
        name, token, sign_again = mutate(rng, tokens[alg], alg)
        if sign_again:
            token = resign(token, alg)
        a, b = ours(driver, token, alg, key), theirs(token, alg, key)
        kind = name.split("=")[0]
        kinds[kind] = kinds.get(kind, 0) + 1
        if a[0] == "error":
            bad_kinds.add(kind)
            failed += 1
            failures.append((n, name, token, a, b, "module error"))
            continue
        if a[0] == b[0] and (a[0] == "reject" or a[1] == b[1]):
            agree += 1
            passed += 1
            continue
        why = explain(token, a, b) if a[0] != b[0] else None
        if why:
            seen[why] += 1
            passed += 1
        else:
            failed += 1
            bad_kinds.add(kind)
            failures.append((n, name, token, a, b, "undocumented disagreement"))
    driver.close()
    print("differential: seed %d, %d cases (%s), %d agree, %d documented differences"
          % (seed, cases, ", ".join("%s %d" % kv for kv in sorted(kinds.items()))[:400], agree,
             sum(seen.values())))
    for k, v in seen.items():
        print("  %5d  %s: %s" % (v, k, DIFFERENCES[k]))
    for n, name, token, a, b, what in failures[:20]:
        print("FAIL case %d (%s, %s):\n  token %s\n  luajwtjitsi %r\n  PyJWT       %r"
              % (n, name, what, token[:300], a, (b[0], str(b[1])[:200])))
    if len(failures) > 20:
        print("... %d more failures" % (len(failures) - 20))
    # One check per kind of mutation, passed when all its cases agree or
    # differ only as documented: the closing sum counts what was tried, not
    # how often (scripts/test.sh adds it to every other stage's).
    print("differential: %d cases passed, %d failed" % (passed, failed))
    print("differential: %d passed, %d failed" % (len(kinds) - len(bad_kinds), len(bad_kinds)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
