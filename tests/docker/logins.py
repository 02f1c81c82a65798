"""Token logins against the Prosody of the built docker-jitsi-meet image.

    tests/docker/logins.py IMAGE NAME=PATHS [NAME=PATHS ...]

IMAGE is the recipe (docs/docker-jitsi-meet/Dockerfile) built on the
stand-in for ghcr.io/jitsi/prosody (tests/docker/run.sh). For each config
NAME of the image, PATHS is that config's plugin_paths, separated by spaces
(jitsi-meet.cfg.lua: /prosody-plugins-custom first; brewery.cfg.lua and
visitors.cfg.lua: /prosody-plugins/ first). Each order gets its own Prosody,
the image's Prosody 13 run by `docker run --network host` as the image's
user on 127.0.0.1 high ports (tests/prosody/harness.py, Prosody(image=...)),
with this project's test provider (tests/prosody/mod_auth_jwt_probe.lua,
which calls module:require "luajwtjitsi" as jitsi's token plugin does) in
/prosody-plugins-custom, as an admin's volume would hold a plugin. Two
token hosts:
  hs.test  HS256 with an app secret, issuer and audience (app_secret, app_id)
  rs.test  RS256, the public key fetched by kid from a key server on
           127.0.0.1 (asap_key_server), as JWT_ASAP_KEYSERVER sets it up
Over BOSH and WebSocket a good token logs in; tampered, expired and foreign
tokens (another app's secret or key, another issuer) are refused with the
module's messages. Prosody's log must say it is Prosody 13, carry the shim's
line naming /usr/local/lib/lua/5.4/luajwtjitsi.so, and hold no traceback,
no error and no sign of the stand-in for jitsi's pure-Lua copy.
Ends with "docker-logins: N passed, N failed".
"""

import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "prosody"))
import harness as h  # noqa: E402
import test_prosody as tp  # noqa: E402  (check(), claims(), the keys, its counters)

import jwt as pyjwt  # noqa: E402

SO = "/usr/local/lib/lua/5.4/luajwtjitsi.so"
EXPIRED = re.compile(r"Not acceptable by exp \(1\d\d sec since expired, valid for:3600 sec\)")
check = tp.check


def hs(claims, secret=tp.SECRET):
    return pyjwt.encode(claims, secret, algorithm="HS256")


def rs(claims, key=tp.RSA_KEY, kid=tp.KID_A):
    return pyjwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def scenarios(order, port):
    now = int(time.time())
    expired = tp.claims(iat=now - 3700, exp=now - 100)
    cases = {
        "hs.test": (hs(tp.claims()), [
            ("tampered", tp.tamper_payload(hs(tp.claims())), "Invalid signature"),
            ("expired", hs(expired), EXPIRED),
            ("foreign (another app's secret)", hs(tp.claims(), tp.SECRET + "-other"), "Invalid signature"),
            ("foreign (another issuer)", hs(tp.claims(iss="another-app")), "invalid 'iss' claim"),
        ]),
        "rs.test": (rs(tp.claims()), [
            ("tampered", tp.tamper_payload(rs(tp.claims())), "Invalid signature"),
            ("expired", rs(expired), EXPIRED),
            ("foreign (another key, naming kid A)", rs(tp.claims(), tp.RSA_KEY_B), "Invalid signature"),
        ]),
    }
    for login in (h.bosh_login, h.ws_login):
        transport = "BOSH" if login is h.bosh_login else "WebSocket"
        for host, (good, refusals) in cases.items():
            tp.expect_login("[%s] %s %s: a good token logs in" % (order, host, transport),
                            login(port, host, good), host)
            for name, token, message in refusals:
                tp.expect_refusal("[%s] %s %s: %s token refused" % (order, host, transport, name),
                                  login(port, host, token), message)


def log_checks(order, log):
    version = re.search(r"Prosody version (\S+)", log)
    check("[%s] log: Prosody says it is version 13 (%s)" % (order, version and version.group(1)),
          version is not None and version.group(1).startswith("13."))
    for host in ("hs.test", "rs.test"):
        check("[%s] log: %s's shim line names %s" % (order, host, SO),
              re.search(r"%s:auth_jwt_probe\s+info\s+luajwtjitsi \S+ \(native\) loaded from %s$"
                        % (re.escape(host), re.escape(SO)), log, re.M) is not None)
    bad = [line for line in log.splitlines()
           if re.search(r"traceback|\terror\t|stand-in|pure-Lua", line, re.I)
           or re.search(r"auth_jwt_probe\s+warn", line)]
    check("[%s] log: no traceback, no error, no sign of jitsi's pure-Lua copy" % order, not bad,
          "\n       ".join(bad[:10]))


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    image = sys.argv[1]
    secret_opts = ['jwt_probe_secret = %s' % h.lua_string(tp.SECRET)]
    claim_opts = ['jwt_probe_issuers = %s' % h.lua_list([tp.ISS]),
                  'jwt_probe_audiences = %s' % h.lua_list([tp.AUD])]
    with h.KeyServer({tp.KID_A: tp.RSA_PUB, tp.KID_B: tp.RSA_PUB_B}) as keys:
        hosts = {
            "hs.test": secret_opts + claim_opts,
            "rs.test": ['jwt_probe_alg = "RS256"',
                        'jwt_probe_key_server = %s' % h.lua_string(keys.url)] + claim_opts,
        }
        for arg in sys.argv[2:]:
            order, paths = arg.split("=", 1)
            prosody = h.Prosody(hosts, plugin_paths=paths.split(), image=image)
            try:
                with prosody as p:
                    print("# [%s] Prosody in %s (container %s), http 127.0.0.1:%d, plugin_paths %s"
                          % (order, image, p.container, p.http_port, paths))
                    try:
                        scenarios(order, p.http_port)
                    except Exception as e:  # noqa: BLE001 - a broken session fails the order
                        check("[%s] the logins run to the end" % order, False,
                              "%s: %s\n%s" % (type(e).__name__, e, p.output()))
            except RuntimeError as e:
                check("[%s] Prosody starts in the image" % order, False, str(e))
                continue
            check("[%s] Prosody (docker client pid %d) stopped by the test" % (order, prosody.proc.pid),
                  prosody.proc.poll() is not None)
            log_checks(order, prosody.final_log)
        check("the key server was asked once per kid and order (%r)" % keys.hits,
              keys.hits.get(tp.KID_A) == len(sys.argv) - 2 and tp.KID_B not in keys.hits)
    print("docker-logins: %d passed, %d failed" % (tp.passed, tp.failed))
    return 0 if tp.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
