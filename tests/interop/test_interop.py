#!/usr/bin/env python3
"""Cross-implementation tests: luajwtjitsi (native, Lua 5.4) against PyJWT.

Run through tests/interop/run.sh. Plain Python, no pytest. One Lua process
(tests/interop/driver.lua) serves every luajwtjitsi call over JSON lines.

Environment (all optional):
  INTEROP_LUA    Lua interpreter (default: lua5.4)
  INTEROP_SO_DIR directory holding luajwtjitsi.so (default: <root>/build/lua54)
  INTEROP_ALGS   comma-separated algorithms to run instead of ALGORITHMS
  INTEROP_VERBOSE=1  print details for passing cases too
"""

import base64
import copy
import hashlib
import hmac
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import time
import warnings

import jwt  # PyJWT

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KEYS_DIR = os.path.join(ROOT, "tests", "vectors", "keys")

# ---------------------------------------------------------------------------
# Algorithms: every one in src/alg.rs's table (ALGORITHMS).
ALGORITHMS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
              "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
# Algorithms whose signatures are deterministic (byte-identical re-encoding).
DETERMINISTIC = {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "EdDSA"}
# ---------------------------------------------------------------------------

SECRET = "interop-secret-" + "0123456789abcdef" * 3 + "!"      # 64 bytes
WRONG_SECRET = "interop-wrong--" + "fedcba9876543210" * 3 + "?"  # 64 bytes
KID = "interop-kid/2024-01"
ISS = "app"
AUD = "jitsi"


def key_file(name):
    with open(os.path.join(KEYS_DIR, name), "r", encoding="ascii") as f:
        return f.read()


def asym(stem, wrong_stem):
    return {
        "sign": key_file(stem + ".key.pem"),
        "verify": key_file(stem + ".pub.pem"),
        "wrong": key_file(wrong_stem + ".pub.pem"),
    }


def keys_for(alg):
    if alg.startswith("HS"):
        return {"sign": SECRET, "verify": SECRET, "wrong": WRONG_SECRET}
    if alg[:2] in ("RS", "PS"):
        return asym("rsa2048", "rsa2048b")
    if alg == "ES256":
        return asym("ec-p256", "ec-p256b")
    if alg == "ES384":
        return asym("ec-p384", "ec-p384b")
    if alg == "ES512":
        return asym("ec-p521", "ec-p521b")
    if alg == "EdDSA":
        return asym("ed25519", "ed25519b")
    raise ValueError("no keys configured for " + alg)


# The alg we pass to verify for a token whose header says `alg` (mismatch case).
MISMATCH = {
    "HS256": "HS384", "HS384": "HS512", "HS512": "HS256",
    "RS256": "RS384", "RS384": "RS512", "RS512": "RS256",
    "PS256": "PS384", "PS384": "PS512", "PS512": "PS256",
    "ES256": "ES384", "ES384": "ES512", "ES512": "ES256",
    "EdDSA": "RS256",
}


def jitsi_payload(now):
    return {
        "aud": AUD,
        "iss": ISS,
        "sub": "meet.example.com",
        "room": "interop-room",
        "exp": now + 3600,
        "iat": now,
        "nbf": now - 10,
        "context": {
            "user": {
                "name": "Zoë Ünïcødé 😀",
                "email": "zoe@example.com",
                "avatar": "https://avatars.example.com/u/zoe.png?s=64&d=identicon",
                "id": "b7a4c2e0-1d2f-4a5b-9c8d-0e1f2a3b4c5d",
                "moderator": True,
            },
            "features": {
                "recording": True,
                "screen-sharing": "true",
                "livestreaming": False,
            },
            "group": None,
        },
        "tenant": None,
        "tags": ["alpha", "β", 3, 2.5, True, None, {"k": "v"}, [1, [2, 3]]],
        "weight": 1.5,
        "ratio": 0.1,
        "count": 42,
        "negative": -7,
        "big": 9007199254740993,
        "escapes": "slash/ quote\" backslash\\ nl\n tab\t cr\r bs\b ff\f ctl\u0001 del\u007f",
    }


# ---------------------------------------------------------------------------
# Reporting

class Report:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0
        self.verbose = os.environ.get("INTEROP_VERBOSE") == "1"

    def ok(self, name, detail=""):
        self.passed += 1
        print("ok   " + name + (": " + detail if detail and self.verbose else ""), flush=True)

    def fail(self, name, detail):
        self.failed += 1
        print("FAIL " + name + ": " + detail, flush=True)

    def skip(self, name, detail):
        self.skipped += 1
        print("skip " + name + ": " + detail, flush=True)

    def check(self, name, problem, detail=""):
        """problem: None/"" for success, else a description of the failure."""
        if problem:
            self.fail(name, problem)
        else:
            self.ok(name, detail)


def short(v, n=300):
    s = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


def strict_diff(a, b, path="$"):
    """First difference between a (expected) and b (got), types included
    (True is not 1, 1 is not 1.0, None is not missing). None if equal."""
    if type(a) is not type(b):
        return "%s: expected %s %s, got %s %s" % (
            path, type(a).__name__, short(a, 80), type(b).__name__, short(b, 80))
    if isinstance(a, dict):
        for k in a:
            if k not in b:
                return "%s: member %r missing" % (path, k)
        for k in b:
            if k not in a:
                return "%s: unexpected member %r = %s" % (path, k, short(b[k], 80))
        for k in a:
            d = strict_diff(a[k], b[k], "%s.%s" % (path, k))
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: expected %d elements, got %d: %s" % (path, len(a), len(b), short(b, 120))
        for i, (x, y) in enumerate(zip(a, b)):
            d = strict_diff(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    if a != b:
        return "%s: expected %s, got %s" % (path, short(a, 80), short(b, 80))
    return None


# ---------------------------------------------------------------------------
# The Lua side

class DriverError(Exception):
    pass


class LuaDriver:
    def __init__(self, lua, so_dir):
        self.lua = lua
        self.env = dict(os.environ)
        self.env["LUA_CPATH_5_4"] = ";".join([
            os.path.join(so_dir, "?.so"),
            "/usr/lib/x86_64-linux-gnu/lua/5.4/?.so",
            "",  # ';;' -> the default cpath after these
        ]) + ";"
        self.proc = None
        self.next_id = 0
        self.restarts = 0
        self.hello = None
        self.start()

    def start(self):
        self.stderr = tempfile.TemporaryFile()
        self.buf = b""
        self.proc = subprocess.Popen(
            [self.lua, os.path.join(HERE, "driver.lua")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
            env=self.env, cwd=ROOT)
        line = self._readline(30)
        self.hello = json.loads(line)
        if not self.hello.get("hello"):
            raise DriverError("driver did not say hello: " + short(line.decode("utf-8", "replace")))

    def stderr_tail(self):
        try:
            self.stderr.seek(0)
            return self.stderr.read().decode("utf-8", "replace")[-600:].strip()
        except Exception:
            return ""

    def _readline(self, timeout):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DriverError("timed out after %ss waiting for the Lua driver" % timeout)
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                rc = self.proc.wait(5)
                raise DriverError("Lua driver exited (status %s); stderr: %s" % (rc, self.stderr_tail()))
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line

    def _restart(self):
        try:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait(5)
        except Exception:
            pass
        self.restarts += 1
        self.start()

    def call(self, req, timeout=30):
        """Returns the driver's response dict; on a crash/timeout returns
        {"crash": reason} and restarts the driver."""
        self.next_id += 1
        req = dict(req, id=self.next_id)
        data = (json.dumps(req, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
            line = self._readline(timeout)
        except (DriverError, BrokenPipeError, OSError) as e:
            reason = str(e)
            if isinstance(e, (BrokenPipeError, OSError)) and not isinstance(e, DriverError):
                reason = "Lua driver pipe broke (%s); stderr: %s" % (e, self.stderr_tail())
            self._restart()
            return {"crash": reason}
        resp = json.loads(line.decode("utf-8", "surrogateescape"))
        if resp.get("id") != self.next_id:
            return {"crash": "driver protocol out of step: " + short(resp)}
        return resp

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(10)
        except Exception:
            self.proc.kill()

    def verify(self, token, alg, key, issuers=None, audiences=None):
        req = {"op": "verify", "token": token, "alg": alg, "key": key}
        if issuers is not None:
            req["issuers"] = issuers
        if audiences is not None:
            req["audiences"] = audiences
        return self.call(req)

    def decode(self, token, key):
        return self.call({"op": "decode", "token": token, "key": key})

    def verifier(self, token, alg, key):
        return self.call({"op": "verifier", "token": token, "alg": alg, "key": key})

    def encode(self, payload, key, alg, header=None):
        req = {"op": "encode", "payload": payload, "key": key, "alg": alg}
        if header is not None:
            req["header"] = header
        return self.call(req)


def describe(resp):
    if "crash" in resp:
        return "CRASH " + resp["crash"]
    if "raised" in resp:
        return "raised a Lua error: " + short(resp["raised"])
    if "proto_error" in resp:
        return "driver protocol error: " + resp["proto_error"]
    return "returned %d value(s): %s" % (resp["n"], short(resp["rets"]))


def call_problem(resp):
    for k in ("crash", "raised", "proto_error"):
        if k in resp:
            return describe(resp)
    return None


def expect_value(resp, want_type):
    """Expect exactly one return value of the given Python type (dict/str).
    Returns (value, problem)."""
    p = call_problem(resp)
    if p:
        return None, p
    rets = resp["rets"]
    if resp["n"] != 1 or not isinstance(rets[0], want_type) or (
            isinstance(rets[0], dict) and "$lua" in rets[0]):
        return None, "expected one %s, " % want_type.__name__ + describe(resp)
    if resp.get("meta"):
        return rets[0], "returned tables carry metatables at " + ", ".join(resp["meta"])
    return rets[0], None


def expect_error(resp, exact=None, prefix=None, regex=None):
    """Expect nil, message. Returns (message, problem)."""
    p = call_problem(resp)
    if p:
        return None, p
    rets = resp["rets"]
    if resp["n"] != 2 or rets[0] != {"$lua": "nil"} or not isinstance(rets[1], str):
        return None, "expected nil, message; " + describe(resp)
    msg = rets[1]
    if exact is not None and msg != exact:
        return msg, "expected message %r, got %r" % (exact, msg)
    if prefix is not None and not msg.startswith(prefix):
        return msg, "expected message starting %r, got %r" % (prefix, msg)
    if regex is not None and not re.fullmatch(regex, msg):
        return msg, "expected message matching %r, got %r" % (regex, msg)
    return msg, None


# ---------------------------------------------------------------------------
# Helpers on the Python side

B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_decode(seg):
    return base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4))


def b64url_encode(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def canonical(obj):
    """The contract's serialisation: compact, members sorted by key (code point
    order == UTF-8 byte order), raw UTF-8, '/' unescaped, short escapes for
    \\b\\f\\n\\r\\t, other C0 controls as lowercase \\u00xx, shortest floats."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True,
                      allow_nan=False).encode("utf-8")


def pyjwt_mint(payload, alg, key, headers=None):
    return jwt.encode(payload, key, algorithm=alg,
                      headers={"kid": KID} if headers is None else headers)


def hmac_forge(alg, secret_bytes, payload):
    """A token HMAC-signed with arbitrary bytes (PyJWT refuses PEM secrets)."""
    digest = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}[alg[2:]]
    h = b64url_encode(canonical({"alg": alg, "typ": "JWT"}))
    p = b64url_encode(canonical(payload))
    sig = hmac.new(secret_bytes, (h + "." + p).encode("ascii"), digest).digest()
    return h + "." + p + "." + b64url_encode(sig)


# ---------------------------------------------------------------------------
# The cases

def run_alg(lua, rep, alg):
    k = keys_for(alg)
    now = int(time.time())
    payload = jitsi_payload(now)
    name = lambda case: "%s %s" % (alg, case)

    # 1. PyJWT mints, we verify.
    tok = pyjwt_mint(payload, alg, k["sign"])
    claims, p = expect_value(lua.verify(tok, alg, k["verify"]), dict)
    rep.check(name("pyjwt->verify claims"), p or (claims is not None and strict_diff(payload, claims)))

    claims, p = expect_value(lua.verify(tok, alg, k["verify"], [ISS], [AUD]), dict)
    rep.check(name("pyjwt->verify issuers/audiences"),
              p or (claims is not None and strict_diff(payload, claims)))

    _, p1 = expect_error(lua.verify(tok, alg, k["verify"], ["other-app"], [AUD]),
                         exact="invalid 'iss' claim")
    _, p2 = expect_error(lua.verify(tok, alg, k["verify"], [ISS], ["other-aud"]),
                         exact="invalid 'aud' claim")
    rep.check(name("pyjwt->verify rejects iss/aud not listed"),
              "; ".join(x for x in (p1 and "iss: " + p1, p2 and "aud: " + p2) if x))

    aud_arr = dict(payload, aud=["other-aud", AUD])
    tok_arr = pyjwt_mint(aud_arr, alg, k["sign"])
    claims, p = expect_value(lua.verify(tok_arr, alg, k["verify"], [ISS], [AUD]), dict)
    rep.check(name("pyjwt->verify aud array"), p or (claims is not None and strict_diff(aud_arr, claims)))

    # 2. We encode, PyJWT decodes.
    header = {"kid": KID}
    ours, p = expect_value(lua.encode(payload, k["sign"], alg, header), str)
    if p:
        rep.fail(name("encode->pyjwt decode"), "encode: " + p)
        rep.fail(name("encode header"), "encode: " + p)
        rep.fail(name("tampered encode rejected by pyjwt"), "encode: " + p)
        rep.fail(name("encode canonical JSON"), "encode: " + p)
        if alg in DETERMINISTIC:
            rep.fail(name("encode deterministic"), "encode: " + p)
    else:
        try:
            decoded = jwt.decode(ours, k["verify"], algorithms=[alg], audience=AUD, issuer=ISS)
            p = strict_diff(payload, decoded)
        except Exception as e:
            p = "PyJWT rejected our token: %s: %s (token %s)" % (type(e).__name__, e, short(ours, 120))
        rep.check(name("encode->pyjwt decode"), p)

        try:
            hdr = jwt.get_unverified_header(ours)
            p = strict_diff({"alg": alg, "kid": KID, "typ": "JWT"}, hdr)
        except Exception as e:
            p = "get_unverified_header: %s: %s" % (type(e).__name__, e)
        rep.check(name("encode header"), p)

        # 3b. Tampered payload of our token: PyJWT must reject it.
        h, pl, s = ours.split(".")
        i = len(pl) // 2
        pl2 = pl[:i] + ("B" if pl[i] == "A" else "A") + pl[i + 1:]
        tampered = ".".join((h, pl2, s))
        try:
            jwt.decode(tampered, k["verify"], algorithms=[alg], audience=AUD, issuer=ISS)
            p = "PyJWT accepted a token with a changed payload character"
        except jwt.DecodeError:  # InvalidSignatureError is a subclass
            p = None
        except Exception as e:
            p = "PyJWT raised %s (%s), expected InvalidSignatureError/DecodeError" % (type(e).__name__, e)
        rep.check(name("tampered encode rejected by pyjwt"), p)

        # 4. Serialisation of our segments.
        probs = []
        segs = ours.split(".")
        if len(segs) != 3:
            probs.append("token has %d segments" % len(segs))
        else:
            for label, seg in zip(("header", "payload", "signature"), segs):
                if not B64URL.fullmatch(seg) or not seg:
                    probs.append("%s segment is not unpadded base64url: %s" % (label, short(seg, 60)))
            if not probs:
                want_h = canonical({"alg": alg, "kid": KID, "typ": "JWT"})
                got_h = b64url_decode(segs[0])
                if got_h != want_h:
                    probs.append("header JSON %r, expected %r" % (got_h, want_h))
                want_p = canonical(payload)
                got_p = b64url_decode(segs[1])
                if got_p != want_p:
                    j = next((n for n in range(min(len(got_p), len(want_p)))
                              if got_p[n] != want_p[n]), min(len(got_p), len(want_p)))
                    probs.append("payload JSON differs at byte %d: got ...%r..., expected ...%r..."
                                 % (j, got_p[max(0, j - 30):j + 30], want_p[max(0, j - 30):j + 30]))
        rep.check(name("encode canonical JSON"), "; ".join(probs))

        if alg in DETERMINISTIC:
            again, p = expect_value(lua.encode(payload, k["sign"], alg, {"kid": KID}), str)
            if not p and again != ours:
                p = "two encodes differ:\n    %s\n    %s" % (ours, again)
            rep.check(name("encode deterministic"), p)

    # 3. Negative cases on our verify.
    _, p = expect_error(lua.verify(tok, alg, k["wrong"]), exact="Invalid signature")
    rep.check(name("pyjwt->verify wrong key"), p)

    other = MISMATCH[alg]
    _, p = expect_error(lua.verify(tok, other, keys_for(other)["verify"]),
                        exact="Invalid or incorrect alg")
    rep.check(name("pyjwt->verify header alg %s, expected %s" % (alg, other)), p)

    expired = dict(payload, exp=now - 120, iat=now - 3720, nbf=now - 3720)
    tok_exp = pyjwt_mint(expired, alg, k["sign"])
    resp = lua.verify(tok_exp, alg, k["verify"])
    msg, p = expect_error(resp, prefix="Not acceptable by exp (")
    rep.check(name("pyjwt->verify expired"), p)
    if p:
        p = "see 'expired' above"
    else:
        m = re.fullmatch(r"Not acceptable by exp \((\d+) sec since expired, valid for:(\d+) sec\)", msg)
        if not m:
            p = "message %r is not of the form 'Not acceptable by exp (N sec since expired, valid for:M sec)'" % msg
        elif not (120 <= int(m.group(1)) <= 120 + 60) or int(m.group(2)) != 3600:
            p = "message %r: expected N in 120..180 and M = 3600" % msg
    rep.check(name("pyjwt->verify expired message form"), p)

    # HS/RS key confusion: an HMAC token whose secret is the RSA public PEM.
    pub = key_file("rsa2048.pub.pem")
    if alg.startswith("HS"):
        forged = hmac_forge(alg, pub.encode("ascii"), payload)
        _, p = expect_error(lua.verify(forged, alg, pub), prefix="Invalid key")
        rep.check(name("HMAC token keyed with an RSA public PEM"), p)
    else:
        # Every asymmetric algorithm: an HS256 token MACed with its own
        # public PEM's bytes is refused by the header alg check.
        own = k["verify"]
        forged = hmac_forge("HS256", own.encode("ascii"), payload)
        _, p = expect_error(lua.verify(forged, alg, own), exact="Invalid or incorrect alg")
        rep.check(name("HS256 token forged with the public PEM, verified as %s" % alg), p)


# Headers RFC 7515 §4.1.11 and RFC 7797 §7 make invalid: (name, extra header
# members, the reason the module gives after "Invalid header: ").
CRIT_CASES = [
    ("crit exp with an expired header exp (RFC 7515's example)", {"crit": ["exp"], "exp": 1363284000},
     'crit names "exp", which this module does not process'),
    ("crit naming an unknown extension", {"crit": ["urn:example:ext"], "urn:example:ext": True},
     'crit names "urn:example:ext", which this module does not process'),
    ("crit naming an absent parameter", {"crit": ["nope"]},
     'crit names "nope", which the header does not have'),
    ("crit naming alg", {"crit": ["alg"]}, 'crit names "alg", a header parameter crit must not list'),
    ("crit empty", {"crit": []}, "crit must be a non-empty array of header parameter names"),
    ("crit a string", {"crit": "exp", "exp": 1}, "crit must be a non-empty array of header parameter names"),
    ("crit with a number", {"crit": [5]}, "crit must be a non-empty array of header parameter names"),
    ("b64 false in crit", {"b64": False, "crit": ["b64"]}, 'crit names "b64", which this module does not process'),
    ("b64 false alone", {"b64": False}, "b64 must be true: a JWT never has an unencoded payload (RFC 7797)"),
]


def signed_with_header(alg, key, payload, extra):
    """A JWS over `header.payload`, both base64url (as a JWT is), whatever the
    header says: PyJWT's algorithm object signs it, so b64:false headers get
    an ordinary payload segment too."""
    header = dict(extra, alg=alg, typ="JWT")
    signing_input = (b64url_encode(canonical(header)) + "." + b64url_encode(canonical(payload))).encode()
    algo = jwt.get_algorithm_by_name(alg)
    sig = algo.sign(signing_input, algo.prepare_key(key))
    return signing_input.decode() + "." + b64url_encode(sig)


def run_crit(lua, rep):
    """Tokens with crit or b64:false, correctly signed: PyJWT refuses each
    (its own encode for the crit cases), and so do verify, decode and
    jwt.verifier, with the message naming the parameter."""
    now = int(time.time())
    payload = jitsi_payload(now)
    for alg in ("HS256", "RS256", "EdDSA"):
        k = keys_for(alg)
        for case, extra, reason in CRIT_CASES:
            name = "%s %s" % (alg, case)
            tok = signed_with_header(alg, k["sign"], payload, extra)
            try:
                jwt.decode(tok, k["verify"], algorithms=[alg], audience=AUD)
                rep.fail(name + ": PyJWT refuses", "PyJWT accepted it")
            except jwt.InvalidTokenError:
                rep.ok(name + ": PyJWT refuses")
            want = "Invalid header: " + reason
            for path, resp in (("verify", lua.verify(tok, alg, k["verify"])),
                               ("decode", lua.decode(tok, k["verify"])),
                               ("jwt.verifier", lua.verifier(tok, alg, k["verify"]))):
                _, p = expect_error(resp, exact=want)
                rep.check("%s: %s refuses" % (name, path), p)
            if "b64" not in extra:
                # PyJWT's own encode writes such headers as given.
                own = pyjwt_mint(payload, alg, k["sign"], headers=extra)
                _, p = expect_error(lua.verify(own, alg, k["verify"]), exact=want)
                rep.check("%s: PyJWT-minted, verify refuses" % name, p)
        # The control: the same header without crit verifies on every path.
        tok = signed_with_header(alg, k["sign"], payload, {"exp": 1363284000})
        for path, resp in (("verify", lua.verify(tok, alg, k["verify"])),
                           ("decode", lua.decode(tok, k["verify"])),
                           ("jwt.verifier", lua.verifier(tok, alg, k["verify"]))):
            _, p = expect_value(resp, dict)
            rep.check("%s a header exp without crit: %s accepts" % (alg, path), p)


def main():
    warnings.simplefilter("error", jwt.InsecureKeyLengthWarning)
    lua_bin = os.environ.get("INTEROP_LUA", "lua5.4")
    so_dir = os.environ.get("INTEROP_SO_DIR", os.path.join(ROOT, "build", "lua54"))
    if not os.path.isfile(os.path.join(so_dir, "luajwtjitsi.so")):
        print("error: %s not found; build the module first" % os.path.join(so_dir, "luajwtjitsi.so"),
              file=sys.stderr)
        return 2
    algs = ALGORITHMS
    not_selected = []
    if os.environ.get("INTEROP_ALGS"):
        algs = [a.strip() for a in os.environ["INTEROP_ALGS"].split(",") if a.strip()]
        not_selected = [a for a in ALGORITHMS if a not in algs]

    try:
        lua = LuaDriver(lua_bin, so_dir)
    except (DriverError, OSError, ValueError) as e:
        print("error: cannot start the Lua driver: %s" % e, file=sys.stderr)
        print("interop: 0 passed, 1 failed, 0 skipped")
        return 1
    print("# PyJWT %s, %s, module %s" % (jwt.__version__, lua.hello.get("lua"), lua.hello.get("so")),
          flush=True)

    rep = Report()
    for alg in algs:
        try:
            run_alg(lua, rep, alg)
        except Exception as e:  # a bug in this program or an unexpected PyJWT error
            import traceback
            traceback.print_exc()
            rep.fail("%s (test program)" % alg, "%s: %s" % (type(e).__name__, e))
    for alg in not_selected:
        rep.skip(alg, "not selected (INTEROP_ALGS)")
    try:
        run_crit(lua, rep)
    except Exception as e:  # a bug in this program or an unexpected PyJWT error
        import traceback
        traceback.print_exc()
        rep.fail("crit (test program)", "%s: %s" % (type(e).__name__, e))
    lua.close()
    if lua.restarts:
        print("# the Lua driver was restarted %d time(s) after crashes/timeouts" % lua.restarts)

    print("interop: %d passed, %d failed, %d skipped" % (rep.passed, rep.failed, rep.skipped))
    return 1 if rep.failed else 0


if __name__ == "__main__":
    sys.exit(main())
