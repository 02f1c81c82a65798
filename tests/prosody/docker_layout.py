"""The docker-jitsi-meet recipe's layout, loaded by a real Prosody.

    tests/prosody/docker_layout.py IMAGE_DIR

IMAGE_DIR stands in for the jitsi/prosody image after the recipe
(docs/docker-jitsi-meet/Dockerfile) ran: tests/prosody/docker.sh ran the
recipe's commands with every absolute path moved under IMAGE_DIR, so it holds
usr/local/lib/lua/5.4/luajwtjitsi.so (from the binary tarball) and
prosody-plugins/luajwtjitsi.lib.lua (the shim, over a stand-in for jitsi's
copy that raises an error if it is ever loaded).

This machine's Prosody (0.12, Lua 5.4) then runs as the image's would, with
the image's order of plugin folders: plugin_paths = { IMAGE_DIR/prosody-plugins/,
<this folder> } (this folder holds the test provider, as /prosody-plugins-custom
would) and Lua 5.4's package.cpath starting with IMAGE_DIR/usr/local/lib/lua/5.4/.
One host authenticates with module:require "luajwtjitsi", as jitsi's
token/util.lib.lua does; logins over BOSH and WebSocket get in with a good
token and are refused with the module's message otherwise, and Prosody's log
carries the shim's line naming the .so it loaded.

What is not tested here: the image itself (its Prosody 13, its Lua, Docker's
handling of the Dockerfile). Ends with "prosody-docker: N passed, N failed".
"""

import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import test_prosody as tp  # noqa: E402  (its check() and counters)

import jwt as pyjwt  # noqa: E402

SECRET = "docker-layout-secret-" + "y" * 16
ISS, AUD, HOST = "docker-layout-app", "jitsi", "meet.docker.test"
check = tp.check


def token(secret=SECRET, **overrides):
    now = int(time.time())
    claims = {"iss": ISS, "aud": AUD, "sub": HOST, "room": "*", "iat": now, "exp": now + 600}
    claims.update(overrides)
    return pyjwt.encode(claims, secret, algorithm="HS256")


def attempt(login, port, tok):
    """A login, or a refusal carrying the exception when the session broke
    (with the shim missing, the provider does not load and no SASL mechanism
    is offered)."""
    try:
        return login(port, HOST, tok)
    except Exception as e:  # noqa: BLE001 - any broken session is a failed check
        return h.Result(False, condition="no session", text="%s: %s" % (type(e).__name__, e))


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    image = os.path.abspath(sys.argv[1])
    so_dir = os.path.join(image, "usr", "local", "lib", "lua", "5.4")
    plugins = os.path.join(image, "prosody-plugins") + "/"
    so = os.path.join(so_dir, "luajwtjitsi.so")
    check("the layout has %s" % so, os.path.isfile(so))
    check("the layout has %sluajwtjitsi.lib.lua" % plugins,
          os.path.isfile(os.path.join(plugins, "luajwtjitsi.lib.lua")))
    hosts = {HOST: ['jwt_probe_loader = "shim"',
                    'jwt_probe_secret = %s' % h.lua_string(SECRET),
                    'jwt_probe_issuers = %s' % h.lua_list([ISS]),
                    'jwt_probe_audiences = %s' % h.lua_list([AUD])]}
    prosody = h.Prosody(hosts, plugin_paths=[plugins, h.HERE], cpath_dir=so_dir)
    with prosody as p:
        print("# Prosody pid %d, http 127.0.0.1:%d, dir %s" % (p.proc.pid, p.http_port, p.dir))
        for login in (h.bosh_login, h.ws_login):
            transport = "BOSH" if login is h.bosh_login else "WebSocket"
            r = attempt(login, p.http_port, token())
            check("%s: a good HS256 token logs in" % transport,
                  r.ok and (r.jid or "").split("/")[0].endswith("@" + HOST), repr(r))
            r = attempt(login, p.http_port, token(secret=SECRET + "-other"))
            check("%s: a token with another secret is refused with 'Invalid signature'" % transport,
                  not r.ok and r.text == "Invalid signature", repr(r))
            r = attempt(login, p.http_port, token(aud="not-jitsi"))
            check("%s: a token for another audience is refused with \"invalid 'aud' claim\"" % transport,
                  not r.ok and r.text == "invalid 'aud' claim", repr(r))
    check("Prosody (pid %d) stopped by the test" % prosody.proc.pid, prosody.proc.poll() is not None)
    log = prosody.final_log
    check("log: the shim says the native module was loaded from %s" % so,
          re.search(r"%s:auth_jwt_probe\s+info\s+luajwtjitsi \S+ \(native\) loaded from %s$"
                    % (re.escape(HOST), re.escape(so)), log, re.M) is not None)
    bad = [line for line in log.splitlines()
           if re.search(r"traceback|\terror\t|stand-in", line, re.I)]
    check("log: no Lua traceback, no error and no sign of jitsi's copy", not bad,
          "\n       ".join(bad[:10]))
    print("prosody-docker: %d passed, %d failed" % (tp.passed, tp.failed))
    return 0 if tp.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
