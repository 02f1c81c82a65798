"""`make demo`: real XMPP logins to a private Prosody, checked by luajwtjitsi.

Starts Prosody 0.12 on 127.0.0.1 with the project's test token provider
(tests/prosody/mod_auth_jwt_probe.lua, which loads the module through the shim
the way Jitsi Meet does), mints tokens with the freshly built module, logs in
with them over BOSH and WebSocket, says what happened, and stops Prosody.
"""

import base64
import json
import os
import re
import signal
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "prosody"))
import harness as h  # noqa: E402

DOMAIN = "meet.example.test"
APP_ID, SECRET = "demo-app", "demo-app-secret-0123456789abcdef"
KID = "demo/rsa-key-1"


def tampered(token):
    """Keep header and signature, change the room in the payload."""
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["room"] = "board-meeting"
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return ".".join([head, body, sig])


def claims(**extra):
    now = int(time.time())
    c = {"iss": APP_ID, "aud": "jitsi", "sub": DOMAIN, "room": "standup",
         "iat": now, "nbf": now, "exp": now + 3600,
         "context": {"user": {"name": "Alice Example", "email": "alice@example.test",
                              "moderator": True},
                     "features": {"recording": False, "livestreaming": False}}}
    c.update(extra)
    return c


def say(number, what, result):
    if result.ok:
        outcome = "LOGGED IN as %s" % result.jid
    else:
        outcome = "REFUSED, Prosody told the client: %s" % result.text
    print("  %2d. %-50s %s" % (number, what, outcome))


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with open(os.path.join(ROOT, "tests", "vectors", "keys", "rsa2048.key.pem")) as f:
        rsa_key = f.read()
    with open(os.path.join(ROOT, "tests", "vectors", "keys", "rsa2048.pub.pem")) as f:
        rsa_pub = f.read()
    with h.KeyServer({KID: rsa_pub}) as keys:
        hosts = {
            DOMAIN: ['jwt_probe_secret = %s' % h.lua_string(SECRET),
                     'jwt_probe_issuers = %s' % h.lua_list([APP_ID]),
                     'jwt_probe_audiences = { "jitsi" }'],
            "rs." + DOMAIN: ['jwt_probe_alg = "RS256"',
                             'jwt_probe_key_server = %s' % h.lua_string(keys.url),
                             'jwt_probe_issuers = %s' % h.lua_list([APP_ID]),
                             'jwt_probe_audiences = { "jitsi" }'],
        }
        prosody = h.Prosody(hosts)
        with prosody as p:
            port = p.http_port
            print("Prosody is running (pid %d) on 127.0.0.1:%d: BOSH at /http-bind, "
                  "WebSocket at /xmpp-websocket." % (p.proc.pid, port))
            loaded = re.search(r"luajwtjitsi \S+ loaded via shim[^\n]*", p.log())
            print("Its log says: %s" % (loaded.group(0) if loaded else "(no load line yet)"))
            print()
            token = h.mint(claims(), SECRET)
            print("A token minted by luajwtjitsi.encode (HS256, app secret), %d bytes:" % len(token))
            print("  %s...%s" % (token[:40], token[-12:]))
            print()
            print("Logins to %s (HS256, iss %s, aud jitsi):" % (DOMAIN, APP_ID))
            now = int(time.time())
            say(1, "the token, over BOSH", h.bosh_login(port, DOMAIN, token))
            say(2, "the same token, over WebSocket", h.ws_login(port, DOMAIN, token))
            say(3, "a tampered copy (room changed by hand)", h.bosh_login(port, DOMAIN, tampered(token)))
            say(4, "signed with another secret", h.bosh_login(port, DOMAIN, h.mint(claims(), "guessed")))
            say(5, "expired an hour ago", h.bosh_login(port, DOMAIN, h.mint(
                claims(iat=now - 7200, exp=now - 3600), SECRET)))
            say(6, "issued by another app", h.ws_login(port, DOMAIN, h.mint(
                claims(iss="other-app"), SECRET)))
            say(7, "not a token at all", h.bosh_login(port, DOMAIN, "hello"))
            print()
            print("Logins to rs.%s (RS256, public key fetched by kid from a key server):" % DOMAIN)
            rs_token = h.mint(claims(), rsa_key, "RS256", {"kid": KID})
            say(8, "an RS256 token with kid %s" % KID, h.bosh_login(port, "rs." + DOMAIN, rs_token))
            say(9, "the same, again", h.ws_login(port, "rs." + DOMAIN, rs_token))
            say(10, "a tampered copy", h.bosh_login(port, "rs." + DOMAIN, tampered(rs_token)))
            print("  The key server was asked %d time(s) for %s." % (keys.hits.get(KID, 0), KID))
        print()
        print("Prosody (pid %d) stopped; its log had %d error line(s)." % (
            prosody.proc.pid, len(re.findall(r"\terror\t", prosody.final_log))))


if __name__ == "__main__":
    main()
