#!/usr/bin/env python3
"""Write project-verify.json: this project's own verify cases, beside the
shared conformance vectors and in their format (see README.md here). They pin
boundaries the shared set leaves to the implementation: our documented limits
(token length, JSON depth), base64 padding and trailing bits, RS384 with a
1024-bit key (which RustCrypto's rsa verifies, see src/signature.rs), and
keys refused for size or shape.

One addition to the format: `expect` may be {"claims_json": "<JSON text>"},
the expected claims as text, for payloads nested too deep to embed.

Deterministic (PKCS#1 v1.5 and HMAC), so re-running gives the same file:
    .venv/bin/python tests/vectors/make_project_vectors.py
"""
import base64, hashlib, hmac, json, os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = "s3cr3t-test-only"
EXP = 4102444800


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def seg(obj) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode())


def hs256(header: str, payload: str, secret: str = SECRET) -> str:
    mac = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(mac)}"


HS_HEADER = seg({"alg": "HS256", "typ": "JWT"})
cases = []


def case(name, token, alg, key, expect, note, issuers=None, audiences=None):
    cases.append({"name": "project/" + name, "source": "hand", "token": token, "alg": alg, "key": key,
                  "issuers": issuers, "audiences": audiences, "now": None, "expect": expect, "note": note})


# RS384 with a 1024-bit key: aws-lc-rs (as ring) has no parameters for it.
with open(os.path.join(HERE, "keys/rsa1024.key.pem"), "rb") as f:
    rsa1024 = serialization.load_pem_private_key(f.read(), None)
claims = {"sub": "rs384-1024", "exp": EXP}
h, p = seg({"alg": "RS384", "typ": "JWT"}), seg(claims)
sig = rsa1024.sign(f"{h}.{p}".encode(), padding.PKCS1v15(), hashes.SHA384())
rs384 = f"{h}.{p}.{b64(sig)}"
case("rs384/rsa1024-valid", rs384, "RS384", {"file": "keys/rsa1024.pub.pem"}, {"claims": claims},
     "RS384 with a 1024-bit key verifies (AWS-LC needs 2048 for RS384; RustCrypto rsa, src/signature.rs)")
case("rs384/rsa1024-pkcs1-public", rs384, "RS384", {"file": "keys/rsa1024.pub.pkcs1.pem"}, {"claims": claims},
     "same, PKCS#1 public key")
case("rs384/rsa1024-certificate", rs384, "RS384", {"file": "keys/rsa1024.crt.pem"}, {"claims": claims},
     "same, certificate")
flipped = bytearray(sig); flipped[-1] ^= 1
case("rs384/rsa1024-tampered-signature", f"{h}.{p}.{b64(bytes(flipped))}", "RS384",
     {"file": "keys/rsa1024.pub.pem"}, {"error": "Invalid signature"}, "one bit of the signature flipped")
case("rs384/rsa1024-tampered-payload", f"{h}.{seg({'sub': 'someone-else', 'exp': EXP})}.{b64(sig)}", "RS384",
     {"file": "keys/rsa1024.pub.pem"}, {"error": "Invalid signature"}, "payload changed, signature kept")
case("rs384/rsa1024-truncated-signature", f"{h}.{p}.{b64(sig[:-1])}", "RS384",
     {"file": "keys/rsa1024.pub.pem"}, {"error": "Invalid signature"}, "127-byte signature for a 128-byte modulus")
above = b64(bytes([0xff]) * 128)
case("rs384/rsa1024-signature-above-modulus", f"{h}.{p}.{above}", "RS384",
     {"file": "keys/rsa1024.pub.pem"}, {"error": "Invalid signature"}, "a signature value >= n is refused")

# A 512-bit RSA public key (hand-built PKCS#1 DER): under the 1024-bit minimum.
n = (0xC0 << 504) | 1
der = b"\x30\x48\x02\x41\x00" + n.to_bytes(64, "big") + b"\x02\x03\x01\x00\x01"
b = base64.b64encode(der).decode()
pem512 = "-----BEGIN RSA PUBLIC KEY-----\n" + "\n".join(b[i:i + 64] for i in range(0, len(b), 64)) \
    + "\n-----END RSA PUBLIC KEY-----\n"
case("keys/rsa512-refused", rs384, "RS384", pem512, {"error_prefix": "Invalid key: RSA keys must have at least 1024 bits"},
     "RSA keys under 1024 bits are refused for verification")

# A PEM wrapped at 76 columns (Python's encodebytes, Java's MIME encoder).
with open(os.path.join(HERE, "verify.json")) as f:
    rs256 = next(c for c in json.load(f)["cases"] if c["name"] == "alg/RS256/valid")
with open(os.path.join(HERE, "keys/rsa2048.pub.pem")) as f:
    body = "".join(line for line in f.read().splitlines() if not line.startswith("-----"))
pem76 = "-----BEGIN PUBLIC KEY-----\n" + "\n".join(body[i:i + 76] for i in range(0, len(body), 76)) \
    + "\n-----END PUBLIC KEY-----\n"
case("keys/pem-wrapped-at-76-columns", rs256["token"], "RS256", pem76, rs256["expect"],
     "PEM lines of 76 characters are read, as OpenSSL reads them", rs256["issuers"], rs256["audiences"])

# HMAC secrets that look like PEM are refused even when they are not valid PEM.
begin = "-----BEGIN nonsense"
tok = hs256(HS_HEADER, seg({"sub": "x", "exp": EXP}), begin)
case("secret/begin-marker-refused", tok, "HS256", begin, {"error_prefix": "Invalid key"},
     "a secret starting with -----BEGIN is treated as a key and refused for HS*")

# Token length: 131072 bytes is the documented maximum.
def padded_token(total: int) -> str:
    base = {"sub": "size", "exp": EXP, "pad": ""}
    empty = len(hs256(HS_HEADER, seg(base)))
    fill = (total - empty) * 3 // 4
    while True:
        base["pad"] = "p" * fill
        t = hs256(HS_HEADER, seg(base))
        if len(t) == total:
            return t, base
        fill += 1 if len(t) < total else -1

for total, ok in ((131072, True), (131073, False)):
    t, body = padded_token(total)
    assert len(t) == total
    case(f"size/token-of-{total}-bytes", t, "HS256", SECRET,
         {"claims": body} if ok else {"error": "Invalid token"},
         "the documented maximum token length is 131072 bytes (128 KiB)")

# JSON nesting: 127 levels, the outer object counting as one.
def nested(levels: int):
    inner = []
    for _ in range(levels - 2):
        inner = [inner]
    return {"exp": EXP, "deep": inner}

for levels, ok in ((127, True), (128, False)):
    body = nested(levels)
    # The expected claims go in as JSON text: embedded as JSON they would
    # nest this file deeper than the readers of the file allow.
    case(f"json/payload-depth-{levels}", hs256(HS_HEADER, seg(body)), "HS256", SECRET,
         {"claims_json": json.dumps(body)} if ok else {"error": "Invalid body"},
         "the documented JSON nesting limit is 127 levels, the outer object included")

# base64url: short padding accepted; non-zero trailing bits refused.
hdr = {"alg": "HS256", "typ": "JWT", "k": 1}
while len(seg(hdr)) % 4 != 2:
    hdr["k"] = hdr["k"] * 10
body = {"sub": "pad", "exp": EXP}
h = seg(hdr)
p = seg(body)
sig = hmac.new(SECRET.encode(), f"{h}=.{p}".encode(), hashlib.sha256).digest()
case("base64/header-short-padding", f"{h}=.{p}.{b64(sig)}", "HS256", SECRET, {"claims": body},
     "one '=' where two would be canonical is accepted, as PyJWT does")
body = {"sub": "bits", "exp": EXP, "x": "a"}
while len(seg(body)) % 4 == 0:
    body["x"] += "a"
p = seg(body)
alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
last = alphabet.index(p[-1])
p_bad = p[:-1] + alphabet[last | 1]
assert p_bad != p
case("base64/payload-nonzero-trailing-bits", hs256(HS_HEADER, p_bad), "HS256", SECRET, {"error": "Invalid body"},
     "non-zero trailing bits are refused, so a segment has one spelling apart from padding")

# The any-element rule is for arrays of strings (RFC 7519 §4.1.3). An array
# with other members is compared whole, as 3.0 did: refused unless "*".
body = {"aud": [5, "jitsi"], "exp": EXP}
case("lists/aud-array-mixed-types", hs256(HS_HEADER, seg(body)), "HS256", SECRET,
     {"error": "invalid 'aud' claim"},
     "an aud array with a non-string member is not an audience list", audiences=["jitsi"])
case("lists/aud-array-mixed-types-wildcard", hs256(HS_HEADER, seg(body)), "HS256", SECRET,
     {"claims": body}, "\"*\" accepts any aud, as in 3.0", audiences=["*"])

doc = {"description": "This project's own verify cases (format of verify.json); made by make_project_vectors.py",
       "keys_dir": "keys", "cases": cases}
with open(os.path.join(HERE, "project-verify.json"), "w") as f:
    json.dump(doc, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"wrote {len(cases)} cases")
