"""Key files as admins really have them (issue 12): the oracle matrix and the
forgery matrix.

Fresh keys (RSA 2048, EC P-256/P-384/P-521, Ed25519; public, private,
certificates; PEM and DER) are made with the openssl CLI at test time, then
turned into variants along the axes admins' tools produce (text before and
after, byte-order mark, CRLF, trailing blanks, line widths, no final newline,
PEM headers, several blocks, DER with trailing bytes, UTF-16, armourless
base64 and hex, JWK with a byte-order mark) and their combinations.

Oracle matrix: Debian 12's OpenSSL 3.0 command line (`openssl pkey`,
`pkey -pubin`, `x509`, PEM and DER, `-passin pass:`, no standard input) says
whether each variant is a key file; the module must read it exactly then,
except the pinned deliberate refusals (docs/keys.md) and the pinned cases it
reads beyond OpenSSL (whitespace before -----BEGIN, JWK text).

Forgery matrix: for every variant, an HS256 token MACed with the variant's
bytes is refused by verify, decode, jwt.verifier, the Prosody shim and
`jitsi-jwt verify` (both --key-file and --secret-file), and neither
encode(claims, bytes, "HS256") nor `jitsi-jwt mint --secret-file` signs.

SSH and PuTTY key files (issue 23, tests/keyfiles/ssh_keys.py): fresh keys
from ssh-keygen and puttygen in every shape admins copy them in; public keys
must be read as their keys (a genuine token verifies through verify, decode,
jwt.verifier and `jitsi-jwt verify`), private key files refused as keys with
a message saying what they are; all of them refused as secrets.

Usage: matrix.py LUA SO_DIR JITSI_JWT SHIM. Prints the matrix and, last,
"keyfiles: N passed, N failed".
"""

import atexit
import base64
import concurrent.futures
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

import jwt as pyjwt
from cryptography.hazmat.primitives import serialization

import ssh_keys

LUA, SO_DIR, CLI, SHIM = sys.argv[1:5]
HERE = os.path.dirname(os.path.abspath(__file__))
T = tempfile.mkdtemp(prefix="keyfiles-")
atexit.register(shutil.rmtree, T, True)
NOW = int(time.time())
# The 512-bit RSA key is made on purpose (a pinned refusal).
warnings.filterwarnings("ignore", message=".*below the minimum recommended size")


def sh(*args, stdin=subprocess.DEVNULL):
    return subprocess.run(args, stdin=stdin, capture_output=True, check=True).stdout


def openssl(*args):
    return sh("openssl", *args)


def path(name):
    return os.path.join(T, name)


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)
    return path(name)


# ---------------------------------------------------------------- fresh keys
PAIRS = {
    # name: (genpkey options, JWS algorithm)
    "rsa2048": (["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], "RS256"),
    "p256": (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], "ES256"),
    "p384": (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"], "ES384"),
    "p521": (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"], "ES512"),
    "ed25519": (["-algorithm", "ED25519"], "EdDSA"),
}
# Keys the module refuses on purpose although OpenSSL reads them.
REFUSED_PAIRS = {
    "rsa512": (["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:512"], "RS256",
               "RSA keys must have at least 1024 bits"),
    "secp256k1": (["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"], "ES256",
                  "unsupported elliptic curve"),
    "ed448": (["-algorithm", "ED448"], "EdDSA", "unsupported key algorithm"),
    "x25519": (["-algorithm", "X25519"], "ES256", "unsupported key algorithm"),
}
# Refused keys that cannot sign a JWS themselves: a P-256 token stands in, so
# the key's algorithm or curve is the reason for the refusal.
TOKEN_FROM_P256 = ("secp256k1", "x25519")

files = {}  # (pair, form) -> bytes
ALG = {}
CA_KEY = path("ca.key")
openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", CA_KEY)
openssl("req", "-new", "-x509", "-key", CA_KEY, "-subj", "/CN=keyfiles test CA", "-days", "2",
        "-out", path("ca.crt"))
CA_CRT = open(path("ca.crt"), "rb").read()

for pair, (opts, alg) in list(PAIRS.items()) + [(k, v[:2]) for k, v in REFUSED_PAIRS.items()]:
    ALG[pair] = alg
    priv = path(pair + ".key")
    openssl("genpkey", *opts, "-out", priv)
    files[pair, "priv.pem"] = open(priv, "rb").read()
    files[pair, "pub.pem"] = openssl("pkey", "-in", priv, "-pubout")
    if pair in REFUSED_PAIRS:
        continue
    files[pair, "pub.der"] = openssl("pkey", "-in", priv, "-pubout", "-outform", "DER")
    files[pair, "priv.der"] = openssl("pkey", "-in", priv, "-outform", "DER")
    if pair != "ed25519":
        files[pair, "trad.pem"] = openssl("pkey", "-in", priv, "-traditional")
    if pair == "rsa2048":
        files[pair, "rsapub.pem"] = openssl("rsa", "-in", priv, "-RSAPublicKey_out")
        files[pair, "rsapub.der"] = openssl("rsa", "-in", priv, "-RSAPublicKey_out", "-outform", "DER")
        files[pair, "trad.der"] = openssl("rsa", "-in", priv, "-traditional", "-outform", "DER")
    elif pair != "ed25519":
        files[pair, "trad.der"] = openssl("ec", "-in", priv, "-outform", "DER")
    openssl("req", "-new", "-x509", "-key", priv, "-subj", "/CN=" + pair, "-days", "2",
            "-out", path(pair + ".crt"))
    files[pair, "cert.pem"] = open(path(pair + ".crt"), "rb").read()
    files[pair, "cert.der"] = openssl("x509", "-in", path(pair + ".crt"), "-outform", "DER")
    files[pair, "trusted.pem"] = openssl("x509", "-in", path(pair + ".crt"), "-trustout", "-addtrust",
                                         "serverAuth")
    # A leaf certificate issued by the CA, for chains.
    csr = openssl("req", "-new", "-key", priv, "-subj", "/CN=leaf " + pair)
    write(pair + ".csr", csr)
    files[pair, "leaf.pem"] = openssl("x509", "-req", "-in", path(pair + ".csr"), "-CA", path("ca.crt"),
                                      "-CAkey", CA_KEY, "-days", "2", "-set_serial", "7")
    # openssl pkcs12 -nodes output: Bag Attributes, certificate, key.
    p12 = path(pair + ".p12")
    openssl("pkcs12", "-export", "-inkey", priv, "-in", path(pair + ".crt"), "-passout", "pass:",
            "-out", p12)
    files[pair, "p12nodes.pem"] = openssl("pkcs12", "-in", p12, "-nodes", "-passin", "pass:")
    files[pair, "p12key.pem"] = openssl("pkcs12", "-in", p12, "-nodes", "-nocerts", "-passin", "pass:")


def jwk_of(pair, private):
    key = serialization.load_pem_private_key(files[pair, "priv.pem"], None)
    algo = pyjwt.get_algorithm_by_name(ALG[pair])
    return algo.to_jwk(key if private else key.public_key())


# ---------------------------------------------------------------- variants
BOM = b"\xef\xbb\xbf"


def lines(pem):
    return pem.decode().strip("\n").split("\n")


def rewrap(pem, widths):
    """The body again, with lines of the given widths (the last repeats)."""
    ls = lines(pem)
    out, blocks, cur = [], [], None
    for line in ls:
        if line.startswith("-----BEGIN "):
            cur = [line, ""]
        elif line.startswith("-----END ") and cur is not None:
            body, i, wrapped = cur[1], 0, []
            for n in range(10_000):
                w = widths[min(n, len(widths) - 1)]
                if i >= len(body):
                    break
                wrapped.append(body[i:i + w])
                i += w
            out += [cur[0]] + wrapped + [line]
            cur = None
        elif cur is not None and ":" not in line:
            cur[1] += line.strip()
        elif cur is None:
            out.append(line)
    return ("\n".join(out) + "\n").encode()


PREAMBLE = b"This is the public key of meet.example.com, as given by the admin.\n"
BAG = (b"Bag Attributes\n    localKeyID: 8E 2C 1F 0A 77 41 92 C3 \n"
       b"    friendlyName: jitsi\nKey Attributes: <No Attributes>\n")

# name: (transform, expectation) where expectation is None (agree with the
# oracle) or ("extra", reason): read beyond OpenSSL, as the contract promises.
PEM_AXES = {
    "plain": lambda p: p,
    "preamble": lambda p: PREAMBLE + p,
    "postamble": lambda p: p + b"Generated for the keyfiles test.\n",
    "bag-attributes": lambda p: BAG + p,
    "bom": lambda p: BOM + p,
    "crlf": lambda p: p.replace(b"\n", b"\r\n"),
    "crlf+bom": lambda p: BOM + p.replace(b"\n", b"\r\n"),
    "trailing-blanks": lambda p: p.replace(b"\n", b"  \n"),
    "begin-trailing-space": lambda p: p.replace(b"-----\n", b"----- \n", 1),
    "widths-50-70": lambda p: rewrap(p, [50, 70, 64]),
    "width-76": lambda p: rewrap(p, [76]),
    "width-uneven": lambda p: rewrap(p, [12, 60, 33, 64]),
    "no-final-newline": lambda p: p.rstrip(b"\n"),
    "blank-lines-before": lambda p: b"\n\n" + p,
    "blank-line-in-body": lambda p: p.replace(b"\n", b"\n\n", 2).replace(b"\n\n", b"\n", 1),
    "pem-header": lambda p: p.replace(b"-----\n", b"-----\nComment: made by a test\n\n", 1),
    "encrypted-header": lambda p: p.replace(
        b"-----\n", b"-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n", 1),
    "text-after-bom-line": lambda p: BOM + PREAMBLE + p,
    "bom-after-text": lambda p: PREAMBLE + BOM + p,
    "bom+preamble+crlf": lambda p: BOM + (PREAMBLE + p).replace(b"\n", b"\r\n"),
    "bag+bom+no-final-newline": lambda p: (BOM + BAG + p).rstrip(b"\n"),
    "crlf+trailing-blanks+widths": lambda p: rewrap(p, [50, 70, 64]).replace(b"\n", b" \t\r\n"),
    "preamble+postamble+widths": lambda p: PREAMBLE + rewrap(p, [70, 50]) + b"end of file\n",
    "indented-begin": lambda p: b"  " + p,
    "whitespace-before-begin": lambda p: b"\n \t\n  " + p,
    "utf16le-bom": lambda p: b"\xff\xfe" + p.decode().encode("utf-16-le"),
    "utf16be": lambda p: p.decode().encode("utf-16-be"),
    "armourless-base64": lambda p: b"".join(l.encode() + b"\n" for l in lines(p) if not l.startswith("-----")),
    "armourless-one-line": lambda p: b"".join(l.encode() for l in lines(p) if not l.startswith("-----")),
}
PINNED_EXTRA = {
    "whitespace-before-begin": "whitespace before -----BEGIN (docs/contract.md §5)",
    "indented-begin": "whitespace before -----BEGIN (docs/contract.md §5)",
}


def der_axes(der):
    b64 = base64.b64encode(der)
    return {
        "der": der,
        "der+trailing-bytes": der + b"\x00trailing junk\n",
        "der+newline": der + b"\n",
        "base64": b64,
        "base64-wrapped": b"\n".join(b64[i:i + 64] for i in range(0, len(b64), 64)) + b"\n",
        "base64url-nopad": base64.urlsafe_b64encode(der).rstrip(b"="),
        "hex": der.hex().encode(),
        "hex-colons": ":".join(f"{b:02x}" for b in der).encode(),
        "bom+base64": BOM + b64 + b"\n",
    }


variants = []  # dicts: name, bytes, pair, private, expect


def add(name, data, pair, private, expect=None):
    variants.append({"name": name, "data": data, "pair": pair, "private": private, "expect": expect})


for pair in PAIRS:
    for form in ("pub.pem", "priv.pem", "trad.pem", "rsapub.pem", "cert.pem", "p12key.pem"):
        if (pair, form) not in files:
            continue
        for axis, fn in PEM_AXES.items():
            # Whitespace before a -----BEGIN that is not the file's first text
            # (p12key starts with Bag Attributes) is OpenSSL's case too.
            starts_pem = files[pair, form].startswith(b"-----BEGIN")
            expect = ("extra", PINNED_EXTRA[axis]) if axis in PINNED_EXTRA and starts_pem else None
            add(f"{pair}/{form}/{axis}", fn(files[pair, form]), pair, form.startswith(("priv", "trad", "p12")), expect)
    for form in ("pub.der", "priv.der", "cert.der", "trad.der", "rsapub.der"):
        if (pair, form) not in files:
            continue
        for axis, data in der_axes(files[pair, form]).items():
            add(f"{pair}/{form}/{axis}", data, pair, form.startswith(("priv", "trad")))
    for axis in ("plain", "bom", "bag-attributes", "crlf+bom"):
        add(f"{pair}/trusted.pem/{axis}", PEM_AXES[axis](files[pair, "trusted.pem"]), pair, False)
    # Several blocks.
    add(f"{pair}/p12-nodes(cert,key)", files[pair, "p12nodes.pem"], pair, True)
    add(f"{pair}/p12-nodes+bom+crlf", BOM + files[pair, "p12nodes.pem"].replace(b"\n", b"\r\n"), pair, True)
    add(f"{pair}/chain(leaf,ca)", files[pair, "leaf.pem"] + CA_CRT, pair, False)
    add(f"{pair}/chain(leaf,ca)+preamble", PREAMBLE + files[pair, "leaf.pem"] + PREAMBLE + CA_CRT, pair, False)
    add(f"{pair}/key+its-public", files[pair, "priv.pem"] + files[pair, "pub.pem"], pair, True)
    add(f"{pair}/public-twice", files[pair, "pub.pem"] + files[pair, "pub.pem"], pair, False)
    add(f"{pair}/cert+key", files[pair, "cert.pem"] + files[pair, "priv.pem"], pair, True)
    other = "p256" if pair != "p256" else "rsa2048"
    add(f"{pair}/two-different-public-keys", files[pair, "pub.pem"] + files[other, "pub.pem"], pair, False,
        ("refuse", "two different keys"))
    add(f"{pair}/two-different-private-keys", files[pair, "priv.pem"] + files[other, "priv.pem"], pair, True,
        ("refuse", "two different keys"))
    add(f"{pair}/key+other-cert", files[pair, "priv.pem"] + files[other, "cert.pem"], pair, True,
        ("refuse", "two different keys"))
    add(f"{pair}/ca-first-chain", CA_CRT + files[pair, "leaf.pem"], pair, False,
        ("wrong-key", "a chain's first certificate is the one used"))
    # A label that contradicts its content: OpenSSL reads by content.
    if pair != "ed25519":
        add(f"{pair}/pkcs8-labelled-public", files[pair, "priv.pem"].replace(b"PRIVATE KEY", b"PUBLIC KEY"),
            pair, True, ("refuse", "does not hold a usable key"))
    # JWK and JWKS text (the contract reads JWK; OpenSSL does not).
    pub_jwk, priv_jwk = jwk_of(pair, False).encode(), jwk_of(pair, True).encode()
    add(f"{pair}/jwk", pub_jwk, pair, False, ("extra", "JWK (docs/contract.md §5)"))
    add(f"{pair}/jwk+bom", BOM + pub_jwk + b"\n", pair, False, ("extra", "JWK (docs/contract.md §5)"))
    add(f"{pair}/private-jwk+bom+crlf", BOM + priv_jwk + b"\r\n", pair, True, ("extra", "JWK (docs/contract.md §5)"))
    add(f"{pair}/jwks+bom", BOM + json.dumps({"keys": [json.loads(pub_jwk)]}).encode(), pair, False,
        ("refuse", "a JWKS needs jwt.verifier"))
    add(f"{pair}/jwk-utf16le", b"\xff\xfe" + pub_jwk.decode().encode("utf-16-le"), pair, False)

# `openssl ecparam -genkey` writes EC PARAMETERS before the EC PRIVATE KEY.
write("ecparam.key", openssl("ecparam", "-name", "prime256v1", "-genkey"))
files["ecparam", "priv.pem"] = openssl("pkey", "-in", path("ecparam.key"))
files["ecparam", "pub.pem"] = openssl("pkey", "-in", path("ecparam.key"), "-pubout")
ALG["ecparam"] = "ES256"
add("ecparam/ec-parameters+ec-private-key", open(path("ecparam.key"), "rb").read(), "ecparam", True)
add("p256/encrypted-pkcs8", openssl("pkey", "-in", path("p256.key"), "-aes-128-cbc", "-passout", "pass:hunter2"),
    "p256", True, ("refuse-both", "encrypted"))
add("p256/encrypted-traditional", openssl("ec", "-in", path("p256.key"), "-aes-128-cbc", "-passout",
                                          "pass:hunter2"), "p256", True, ("refuse-both", "encrypted"))
for pair, (_, _, reason) in REFUSED_PAIRS.items():
    for form in ("pub.pem", "priv.pem"):
        for axis in ("plain", "bom", "preamble"):
            add(f"{pair}/{form}/{axis}", PEM_AXES[axis](files[pair, form]), pair, form.startswith("priv"),
                ("refuse", reason))

# SSH and PuTTY key files (issue 23): fresh keys from ssh-keygen and puttygen.
SSH_PAIRS, ssh_variants = ssh_keys.make(T)
for pair, (alg, priv_pem, pub_pem) in SSH_PAIRS.items():
    if alg is None:  # a key no algorithm here can use: a P-256 token stands in
        alg, priv_pem, pub_pem = "ES256", files["p256", "priv.pem"], files["p256", "pub.pem"]
    ALG[pair] = alg
    files[pair, "priv.pem"], files[pair, "pub.pem"] = priv_pem, pub_pem
for name, data, pair, private, expect in ssh_variants:
    add(name, data, pair, private, expect)


# ---------------------------------------------------------------- tokens
def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(secret):
    header = b64u(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64u(json.dumps({"iss": "attacker", "room": "*", "sub": "*", "moderator": True,
                               "exp": NOW + 600}).encode())
    signing_input = f"{header}.{payload}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64u(mac)}"


genuine = {}
for pair in list(PAIRS) + list(REFUSED_PAIRS) + ["ecparam"] + list(SSH_PAIRS):
    key = serialization.load_pem_private_key(files[pair, "priv.pem"], None)
    alg = ALG[pair]
    if pair in TOKEN_FROM_P256:
        key = serialization.load_pem_private_key(files["p256", "priv.pem"], None)
    genuine[pair] = pyjwt.encode({"iss": "keyfiles", "exp": NOW + 600}, key, algorithm=alg,
                                 headers={"typ": "JWT"})
    write(pair + ".pub.pem", files[pair, "pub.pem"])


# ---------------------------------------------------------------- oracle
def oracle(file):
    """Which openssl command reads the file, or None."""
    for cmd in (["pkey", "-in", file, "-passin", "pass:", "-noout"],
                ["pkey", "-pubin", "-in", file, "-passin", "pass:", "-noout"],
                ["x509", "-in", file, "-noout"],
                ["pkey", "-inform", "DER", "-in", file, "-passin", "pass:", "-noout"],
                ["pkey", "-pubin", "-inform", "DER", "-in", file, "-passin", "pass:", "-noout"],
                ["x509", "-inform", "DER", "-in", file, "-noout"]):
        r = subprocess.run(["openssl", *cmd], stdin=subprocess.DEVNULL, capture_output=True)
        if r.returncode == 0:
            return " ".join(c for c in cmd[:3] if c.startswith("-") or c in ("pkey", "x509")).replace(
                " -in", "").replace(" -inform", " DER")
    return None


manifest = []
for i, v in enumerate(variants):
    v["file"] = write(f"v{i}", v["data"])
# The oracle and jitsi-jwt are one process per question: ask in parallel.
POOL = concurrent.futures.ThreadPoolExecutor(max_workers=4)
for v, answer in zip(variants, POOL.map(oracle, [v["file"] for v in variants])):
    v["oracle"] = answer
for v in variants:
    v["forged"] = forge(v["data"])
    stripped = v["data"][:-1] if v["data"].endswith(b"\n") else v["data"]
    stripped = stripped[:-1] if stripped.endswith(b"\r") else stripped
    v["forged_stripped"] = forge(stripped)
    manifest.append("\t".join([v["name"], v["file"], ALG[v["pair"]], genuine[v["pair"]], v["forged"],
                               path(v["pair"] + ".pub.pem"), "1" if v["private"] else "0"]))
write("manifest.tsv", ("\n".join(manifest) + "\n").encode())

env = dict(os.environ, LUA_CPATH=os.path.join(SO_DIR, "?.so") + ";;")
out = subprocess.run([LUA, os.path.join(HERE, "driver.lua"), path("manifest.tsv"), SHIM], env=env,
                     capture_output=True, text=True)
if out.returncode != 0:
    print(out.stderr)
    print("keyfiles: 0 passed, 1 failed")
    sys.exit(1)
results = {line.split("\t")[0]: line.split("\t") for line in out.stdout.splitlines()}


def cli_refuses(flag, file, token):
    r = subprocess.run([CLI, "verify", "--alg", "HS256", flag, file, token], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True)
    return r.returncode != 0, (r.stderr or r.stdout).strip().replace("\n", " ")


def cli_mint_refuses(file):
    r = subprocess.run([CLI, "mint", "--iss", "attacker", "--sub", "meet.example.com", "--alg", "HS256",
                        "--secret-file", file], stdin=subprocess.DEVNULL, capture_output=True, text=True)
    return r.returncode != 0, (r.stderr or r.stdout).strip().replace("\n", " ")


def cli_genuine(v):
    """jitsi-jwt verify --key-file with the genuine token: None when it verifies."""
    r = subprocess.run([CLI, "verify", "--alg", ALG[v["pair"]], "--key-file", v["file"], genuine[v["pair"]]],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True)
    return None if r.returncode == 0 else (r.stderr or r.stdout).strip().replace("\n", " ")


def cli_both(v):
    checks = [cli_refuses(flag, v["file"], token)
              for flag, token in (("--key-file", v["forged"]), ("--secret-file", v["forged_stripped"]))]
    checks.append(cli_mint_refuses(v["file"]))
    return checks, (cli_genuine(v) if (v["expect"] or ("",))[0] == "ssh-read" else None)


cli_results = dict(zip((v["name"] for v in variants), POOL.map(cli_both, variants)))

# ---------------------------------------------------------------- verdicts
passed = failed = 0
forgeries = 0  # variants some entry point took as an HMAC secret
failures = []
print(f"{'variant':58} {'oracle':22} {'module':10} verdict")
for v in variants:
    name = v["name"]
    r = results.get(name)
    problems = []
    if r is None:
        problems.append("no result from the Lua driver")
        r = [name]
    r = r + ["?"] * (11 - len(r))
    _, read, sign, decode, f_verify, f_decode, f_verifier, f_shim, f_encode, g_verifier = r[:10]
    cli_checks, cli_genuine_problem = cli_results[name]
    module_reads = read == "1" and (not v["private"] or sign == "1")
    oracle_reads = v["oracle"] is not None
    kind, reason = v["expect"] or ("agree", "")
    if kind == "agree":
        if module_reads != oracle_reads:
            problems.append(f"module {'reads' if module_reads else 'refuses'} what OpenSSL "
                            f"{'reads' if oracle_reads else 'refuses'} (verify: {read}; sign: {sign})")
    elif kind == "extra":
        if oracle_reads or not module_reads:
            problems.append(f"pinned extra ({reason}): expected OpenSSL to refuse and the module to read "
                            f"(oracle {v['oracle']}; verify: {read}; sign: {sign})")
    elif kind in ("refuse", "refuse-both"):
        if module_reads or reason not in read:
            problems.append(f"pinned refusal ({reason}): expected the module to refuse saying so; verify: {read}")
        if kind == "refuse" and not oracle_reads and "JWKS" not in reason:
            problems.append(f"pinned refusal ({reason}): OpenSSL no longer reads it")
    elif kind == "ssh-read":
        if not module_reads or decode != "1" or g_verifier != "1" or cli_genuine_problem:
            problems.append(f"{reason}: expected the genuine token to verify; verify: {read}; decode: {decode}; "
                            f"jwt.verifier: {g_verifier}; jitsi-jwt verify --key-file: {cli_genuine_problem or 'ok'}")
    elif kind == "ssh-refuse":
        if module_reads or reason not in read:
            problems.append(f"expected the module to refuse it as a key saying '{reason}'; verify: {read}")
    elif kind == "wrong-key":
        # The CA comes first: its key is the one used, so the leaf's token fails.
        if read == "1" or not oracle_reads:
            problems.append(f"{reason}: expected the leaf's token refused; verify: {read}")
    if not v["expect"] and module_reads and decode != "1":
        problems.append(f"decode(token, key, true) refused a genuine token: {decode}")
    if kind == "extra" and decode != "1" and "JWK" not in reason:
        problems.append(f"decode refused a genuine token: {decode}")
    # Forgery: every entry point refuses the HS256 token MACed with the bytes.
    forged = len(problems)
    for entry, res in (("verify", f_verify), ("decode", f_decode), ("verifier:verify", f_verifier),
                       ("shim verify", f_shim), ("encode(HS256)", f_encode)):
        if not res.startswith("refused"):
            problems.append(f"FORGERY ACCEPTED by {entry}")
    for what, (refused, msg) in zip(("verify --key-file", "verify --secret-file", "mint --secret-file"),
                                    cli_checks):
        if not refused:
            problems.append(f"FORGERY ACCEPTED by jitsi-jwt {what}")
    forgeries += len(problems) > forged
    if not f_verify.startswith("refused: Invalid key"):
        problems.append(f"verify refused the forged token without Invalid key: {f_verify}")
    module = "reads" if module_reads else "refuses"
    verdict = "ok" if not problems else "FAIL"
    label = {"agree": "", "extra": " (pinned: reads beyond OpenSSL)", "refuse": " (pinned refusal)",
             "refuse-both": " (pinned refusal)", "wrong-key": " (first certificate)",
             "ssh-read": " (SSH: read as its key)", "ssh-refuse": " (SSH: refused as a key)"}[kind]
    print(f"{name:58} {(v['oracle'] or 'refuses'):22} {module:10} {verdict}{label}; forged refused x8")
    if problems:
        failed += 1
        failures.append((name, problems))
    else:
        passed += 1

for name, problems in failures:
    print(f"FAIL {name}:")
    for p in problems:
        print(f"     {p}")
agree = sum(1 for v in variants if not v["expect"])
print(f"keyfiles: {len(variants)} variants ({agree} judged against the oracle, "
      f"{len(variants) - agree} pinned), 8 forgery checks each")
print(f"keyfiles: forgery: {forgeries} of {len(variants)} variants were taken as an HMAC secret "
      f"by at least one entry point")
print(f"keyfiles: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
