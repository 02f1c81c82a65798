"""luajwtjitsi inside a real Prosody, under real XMPP logins.

This machine's Prosody (0.12 on Debian 12) with the fresh build by default;
with LUAJWT_PROSODY_CHROOT=DIR, the Prosody of a chroot with the Debian
package installed (tests/prosody/debian13.sh: Prosody 13 on Debian 13), see
harness.py. LUAJWT_PROSODY_VERSION=V makes the test also check that
Prosody's log names a version starting with V.

Three virtual hosts, each authenticated by tests/prosody/mod_auth_jwt_probe.lua:
  hs.test      module:require "luajwtjitsi" (the shim from lua/), verify HS256
  legacy.test  plain require "luajwtjitsi" and decode(token, secret, true)
  rs.test      the shim, verify RS256 with the public key fetched by kid from a
               key server on 127.0.0.1 (<hex(sha256(kid))>.pem)
  legacy-rs.test  plain require and decode(token, key, true) with the key
               fetched by kid, as Jitsi did before 2022; served key files with
               a byte-order mark or a line of text before the PEM (issue 12)
Clients log in over BOSH and WebSocket with ?token= in the URL. Every refusal
must carry the contract's exact message in the SASL failure text.

Usage: tests/prosody/run.sh  (builds nothing; needs build/lua54/luajwtjitsi.so)
       tests/prosody/debian13.sh (the Debian 13 chroot)
Prints one line per check and ends with "prosody: N passed, N failed".
"""

import base64
import hashlib
import hmac
import json
import os
import random
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

import jwt as pyjwt  # noqa: E402

KEYS = os.path.join(h.ROOT, "tests", "vectors", "keys")
SECRET = "probe-secret-" + "x" * 20
ISS, AUD = "jitsi-probe-app", "jitsi"


def read_key(name):
    with open(os.path.join(KEYS, name)) as f:
        return f.read()


RSA_KEY, RSA_PUB = read_key("rsa2048.key.pem"), read_key("rsa2048.pub.pem")
RSA_KEY_B, RSA_PUB_B = read_key("rsa2048b.key.pem"), read_key("rsa2048b.pub.pem")
KID_A, KID_B = "jitsi/probe-key-a", "jitsi/probe-key-b"
# Key files as key servers serve them (issue 12): the same public key after a
# UTF-8 byte-order mark, and after a line of explanatory text.
SERVED_VARIANTS = {
    "jitsi/probe-key-bom": ("byte-order mark", "\ufeff" + RSA_PUB),
    "jitsi/probe-key-preamble": ("text preamble",
                                 "Public key of the probe app, from the key server.\n" + RSA_PUB),
}

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   - %s" % name)
    else:
        failed += 1
        print("FAIL - %s%s" % (name, (": " + detail) if detail else ""))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides):
    now = int(time.time())
    c = {"iss": ISS, "aud": AUD, "sub": "meet.example.org", "room": "*",
         "iat": now, "nbf": now - 10, "exp": now + 3600,
         "context": {"user": {"name": "Probe", "id": "u-1"}}}
    c.update(overrides)
    return {k: v for k, v in c.items() if v is not None}


def tamper_payload(token):
    """Same header and signature, payload with one claim changed."""
    head, body, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload["room"] = "someone-elses-room"
    return ".".join([head, b64url(json.dumps(payload, separators=(",", ":")).encode()), sig])


def hs_with_key_as_secret(payload, secret, kid):
    """HS256 signed with a public PEM as the HMAC secret (the confusion attack)."""
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    body = b64url(json.dumps(payload).encode())
    sig = hmac.new(secret.encode(), (head + "." + body).encode(), hashlib.sha256).digest()
    return head + "." + body + "." + b64url(sig)


def expect_refusal(name, result, message):
    """`message` is the exact text, or a compiled regex for the exp message."""
    if result.ok:
        check(name, False, "logged in as %s" % result.jid)
        return
    if hasattr(message, "fullmatch"):
        good = result.text is not None and message.fullmatch(result.text) is not None
    else:
        good = result.text == message
    check(name, good and result.condition == "not-allowed", repr(result))


def expect_login(name, result, host):
    check(name, result.ok and result.jid and result.jid.split("/")[0].endswith("@" + host),
          repr(result))


def hs_scenarios(p):
    host, port = "hs.test", p.http_port
    good = h.mint(claims(), SECRET)
    rnd = random.Random(20261122)
    big = "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
                  for _ in range(16 * 1024))
    now = int(time.time())
    refusals = [
        ("expired", h.mint(claims(iat=now - 3700, exp=now - 100), SECRET),
         re.compile(r"Not acceptable by exp \((1\d\d) sec since expired, valid for:3600 sec\)")),
        ("not yet valid", h.mint(claims(nbf=now + 3600), SECRET), "Not acceptable by nbf"),
        ("tampered payload", tamper_payload(good), "Invalid signature"),
        ("wrong secret", h.mint(claims(), SECRET + "-other"), "Invalid signature"),
        ("wrong iss", h.mint(claims(iss="someone-else"), SECRET), "invalid 'iss' claim"),
        ("wrong aud", h.mint(claims(aud="not-jitsi"), SECRET), "invalid 'aud' claim"),
        ("alg mismatch (HS512 token, HS256 expected)", h.mint(claims(), SECRET, "HS512"),
         "Invalid or incorrect alg"),
        ("garbage", "!!garbage!!.%%%.$$$", "Invalid header"),
        ("no dots", "nodotsatallinthistoken", "Invalid token"),
        ("16 KiB random token", big, "Invalid token"),
    ]
    for login in (h.bosh_login, h.ws_login):
        transport = "BOSH" if login is h.bosh_login else "WebSocket"
        expect_login("hs.test %s: valid HS256 token minted by the module logs in" % transport,
                     login(port, host, good), host)
        expect_login("hs.test %s: valid HS256 token minted by PyJWT logs in" % transport,
                     login(port, host, pyjwt.encode(claims(), SECRET, algorithm="HS256")), host)
        for name, token, message in refusals:
            expect_refusal("hs.test %s: %s refused" % (transport, name),
                           login(port, host, token), message)
    r = h.bosh_login(port, host, None)
    check("hs.test: no token at all is refused", not r.ok, repr(r))
    return refusals


def legacy_scenarios(p):
    host, port = "legacy.test", p.http_port
    good = h.mint(claims(), SECRET)
    expect_login("legacy.test BOSH: decode(token, secret, true) lets a valid token in",
                 h.bosh_login(port, host, good), host)
    expect_login("legacy.test WebSocket: valid token logs in",
                 h.ws_login(port, host, good), host)
    now = int(time.time())
    for name, token, message in [
        ("tampered payload", tamper_payload(good), "Invalid signature"),
        ("expired", h.mint(claims(exp=now - 100), SECRET), "Not acceptable by exp"),
        ("RS256 token against a secret (key-family rule)", h.mint(claims(), RSA_KEY, "RS256"),
         "Invalid alg"),
        ("no dots", "nodots", "Invalid token"),
    ]:
        expect_refusal("legacy.test BOSH: %s refused with the 2.0 message" % name,
                       h.bosh_login(port, host, token), message)


def rs_scenarios(p, keys):
    host, port = "rs.test", p.http_port
    good_a = h.mint(claims(), RSA_KEY, "RS256", {"kid": KID_A})
    for i, login in enumerate((h.bosh_login, h.ws_login, h.bosh_login)):
        expect_login("rs.test login %d: RS256 token with kid A logs in" % (i + 1),
                     login(port, host, good_a), host)
    expect_login("rs.test: RS256 token minted by PyJWT with kid B logs in",
                 h.ws_login(port, host, pyjwt.encode(claims(), RSA_KEY_B, algorithm="RS256",
                                                     headers={"kid": KID_B})), host)
    expect_login("rs.test: kid B again", h.bosh_login(port, host, h.mint(
        claims(), RSA_KEY_B, "RS256", {"kid": KID_B})), host)
    expect_refusal("rs.test: tampered RS256 token refused",
                   h.bosh_login(port, host, tamper_payload(good_a)), "Invalid signature")
    expect_refusal("rs.test: HS256 token signed with the public PEM as secret refused",
                   h.bosh_login(port, host, hs_with_key_as_secret(claims(), RSA_PUB, KID_A)),
                   "Invalid or incorrect alg")
    expect_refusal("rs.test: token signed by key B but naming kid A refused",
                   h.ws_login(port, host, h.mint(claims(), RSA_KEY_B, "RS256", {"kid": KID_A})),
                   "Invalid signature")
    r = h.bosh_login(port, host, h.mint(claims(), RSA_KEY, "RS256", {"kid": "unknown-kid"}))
    check("rs.test: unknown kid refused (key server 404)",
          not r.ok and "HTTP 404" in (r.text or ""), repr(r))
    check("rs.test: key server asked once per kid, not once per login",
          keys.hits.get(KID_A) == 1 and keys.hits.get(KID_B) == 1,
          "hits per kid: %r" % keys.hits)


def legacy_keyserver_scenarios(p):
    """decode(token, key, true) with the key fetched by kid: the token's alg
    picks the family, so a key file taken for an HMAC secret would let an
    HS256 token MACed with the public key's bytes in (CVE-2021-39215 kind)."""
    host, port = "legacy-rs.test", p.http_port
    for kid, (what, pem) in SERVED_VARIANTS.items():
        expect_login("legacy-rs.test: genuine RS256 token, key file with a %s, logs in" % what,
                     h.bosh_login(port, host, h.mint(claims(), RSA_KEY, "RS256", {"kid": kid})), host)
        expect_refusal("legacy-rs.test: HS256 token MACed with the key file (%s) refused" % what,
                       h.bosh_login(port, host, hs_with_key_as_secret(claims(), pem, kid)),
                       "Invalid alg")


def storm(p, refusals):
    """1,000 refused logins in a row, then a good one still gets in."""
    host, port = "hs.test", p.http_port
    started = time.time()
    wrong = 0
    for i in range(1000):
        name, token, message = refusals[i % len(refusals)]
        r = h.bosh_login(port, host, token)
        if r.ok or r.condition != "not-allowed":
            wrong += 1
    took = time.time() - started
    check("1,000 refused logins in a row are each refused (%.1f s, %.0f logins/s)"
          % (took, 1000 / took), wrong == 0, "%d were not refused" % wrong)
    expect_login("a valid login still succeeds after them",
                 h.bosh_login(port, host, h.mint(claims(), SECRET)), host)


def log_checks(log):
    check("log: the shim path loaded the native module",
          re.search(r"hs\.test:auth_jwt_probe\s+info\s+luajwtjitsi \S+ loaded via shim "
                    r"\(decode absent\)", log) is not None)
    version = re.search(r"Prosody version (\S+)", log)
    want = os.environ.get("LUAJWT_PROSODY_VERSION", "")
    check("log: Prosody says its version (%s)%s"
          % (version and version.group(1), want and ", which starts with %r" % want),
          version is not None and version.group(1).startswith(want))
    check("log: the shim says the native module was loaded, from %s" % h.SO_PATH,
          re.search(r"hs\.test:auth_jwt_probe\s+info\s+luajwtjitsi \S+ \(native\) loaded from "
                    + re.escape(h.SO_PATH) + "$", log, re.M) is not None)
    check("log: the plain require path loaded the native module with decode",
          re.search(r"legacy\.test:auth_jwt_probe\s+info\s+luajwtjitsi \S+ loaded via require "
                    r"\(decode present\)", log) is not None)
    # Prosody 13 writes the session's role after the JID; the provider gives
    # token logins prosody:guest. Prosody 0.12 has no roles there.
    auth_lines = re.findall(r"Authenticated as \S+@\S+( \[[^\]]*\])?$", log, re.M)
    roles = sorted(set(r.strip() for r in auth_lines))
    want_roles = ["[prosody:guest]"] if version and not version.group(1).startswith("0.") else [""]
    check("log: %d logins, with the role the provider gave on Prosody 13 and none on 0.12 (%s)"
          % (len(auth_lines), roles), len(auth_lines) > 0 and roles == want_roles)
    bad = [line for line in log.splitlines()
           if re.search(r"traceback|stack traceback|\terror\t", line, re.I)
           or re.search(r"auth_jwt_probe\s+warn", line)]
    check("log: no Lua traceback and no error after the whole run", not bad,
          "\n       ".join(bad[:10]))


def main():
    # A TERM from a CI timeout still runs the `with` blocks that stop Prosody.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    hs = ['jwt_probe_secret = %s' % h.lua_string(SECRET),
          'jwt_probe_issuers = %s' % h.lua_list([ISS]),
          'jwt_probe_audiences = %s' % h.lua_list([AUD])]
    served = {KID_A: RSA_PUB, KID_B: RSA_PUB_B}
    served.update({kid: pem for kid, (_, pem) in SERVED_VARIANTS.items()})
    with h.KeyServer(served) as keys:
        hosts = {
            "hs.test": hs,
            "legacy.test": ['jwt_probe_loader = "require"',
                            'jwt_probe_secret = %s' % h.lua_string(SECRET)],
            "rs.test": ['jwt_probe_alg = "RS256"',
                        'jwt_probe_key_server = %s' % h.lua_string(keys.url)] + hs[1:],
            "legacy-rs.test": ['jwt_probe_loader = "require"',
                               'jwt_probe_key_server = %s' % h.lua_string(keys.url)],
        }
        prosody = h.Prosody(hosts)
        with prosody as p:
            print("# Prosody pid %d, http 127.0.0.1:%d, dir %s" % (p.proc.pid, p.http_port, p.dir))
            refusals = hs_scenarios(p)
            legacy_scenarios(p)
            rs_scenarios(p, keys)
            legacy_keyserver_scenarios(p)
            storm(p, refusals)
        pid = prosody.proc.pid
        check("Prosody (pid %d) stopped by the test" % pid, prosody.proc.poll() is not None)
        log_checks(prosody.final_log)
    print("prosody: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
