"""Jitsi's token plugins' libraries inside a real Prosody: basexx and inspect
from this package's fallbacks, or from the real libraries once installed.

One host authenticates with tests/prosody/mod_auth_token_fallback_probe.lua,
which requires basexx, cjson.safe and inspect, then module:require
"luajwtjitsi", as Jitsi's token plugins do, and reads each token's header with
basexx.from_url64 and cjson.safe before the module verifies it. Over BOSH:
good HS256 tokens (minted by the module and by PyJWT) log in; a tampered one,
one with the wrong secret, a header that is not base64url, a header that is
not a JSON object and a token with no dot are refused, each with its exact
message (the basexx one is basexx 0.4.1's own text). Prosody's log must name
where basexx.from_url64 and inspect.inspect came from (--basexx-source,
--inspect-source: "=luajwtjitsi fallback basexx" for this package's,
"@/path/basexx.lua" for a real file), carry the header as inspect formats it,
and hold no traceback or error.

    tests/prosody/test_fallback.py --label L --basexx-source S --inspect-source S
        [--cpath-dir DIR] [--path-dir DIR]

This machine's Prosody 0.12 with --cpath-dir (a folder laid out as the .deb's
/usr/lib/x86_64-linux-gnu/lua/5.4/) first on Lua 5.4's package.cpath and
--path-dir first on its package.path (tests/prosody/fallback.sh), or with
LUAJWT_PROSODY_CHROOT the chroot's Prosody with the .deb installed
(tests/prosody/debian13.sh). Ends with "prosody-fallback: N passed, N failed".
"""

import argparse
import os
import re
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import test_prosody as tp  # noqa: E402  (its check(), counters and token helpers)

import jwt as pyjwt  # noqa: E402

SECRET = "fallback-probe-secret-" + "z" * 16
HOST = "fallback.test"
check = tp.check


def login(port, token):
    """A BOSH login; a client-side failure (Prosody never answered, say) is a
    refusal with the exception as its text, so that the run goes on."""
    try:
        return h.bosh_login(port, HOST, token)
    except (OSError, RuntimeError) as e:
        return h.Result(False, condition="client error", text="%s: %s" % (type(e).__name__, e))


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", required=True)
    ap.add_argument("--basexx-source", required=True)
    ap.add_argument("--inspect-source", required=True)
    ap.add_argument("--cpath-dir")
    ap.add_argument("--path-dir")
    args = ap.parse_args()
    label = "[%s] " % args.label

    good = h.mint(tp.claims(), SECRET)
    refusals = [
        ("tampered payload", tp.tamper_payload(good), "Invalid signature"),
        ("wrong secret", h.mint(tp.claims(), SECRET + "-other"), "Invalid signature"),
        ("header not base64url", "!!garbage!!.e30.c2ln",
         "token header: unexpected character at position 1: '!'"),
        ("header not JSON", tp.b64url(b"not json") + ".e30.c2ln", "token header is not a JSON object"),
        ("header a JSON string", tp.b64url(b'"HS256"') + ".e30.c2ln", "token header is not a JSON object"),
        ("no dot", "nodotsatall", "Invalid token"),
    ]
    prosody = h.Prosody({HOST: ['jwt_probe_secret = %s' % h.lua_string(SECRET)]},
                        cpath_dir=args.cpath_dir, path_dir=args.path_dir,
                        auth="token_fallback_probe")
    with prosody as p:
        print("# Prosody pid %d, http 127.0.0.1:%d, dir %s" % (p.proc.pid, p.http_port, p.dir))
        tp.expect_login(label + "BOSH: HS256 token minted by the module logs in",
                        login(p.http_port, good), HOST)
        tp.expect_login(label + "BOSH: HS256 token minted by PyJWT logs in",
                        login(p.http_port, pyjwt.encode(tp.claims(), SECRET, algorithm="HS256")),
                        HOST)
        for name, token, message in refusals:
            tp.expect_refusal(label + "BOSH: %s refused" % name,
                              login(p.http_port, token), message)
    check(label + "Prosody stopped by the test", prosody.proc.poll() is not None)

    log = prosody.final_log
    loaded = re.search(r"fallback probe: basexx from (.*), inspect from (.*)$", log, re.M)
    check(label + "log: basexx came from %s" % args.basexx_source,
          loaded is not None and loaded.group(1) == args.basexx_source,
          loaded and "it came from %s" % loaded.group(1) or "no line")
    check(label + "log: inspect came from %s" % args.inspect_source,
          loaded is not None and loaded.group(2) == args.inspect_source,
          loaded and "it came from %s" % loaded.group(2) or "no line")
    check(label + "log: the shim loaded the native module",
          re.search(r"fallback probe: luajwtjitsi \S+$", log, re.M) is not None
          and re.search(r"luajwtjitsi \S+ \(native\) loaded from ", log) is not None)
    # PyJWT's header, {"alg": "HS256", "typ": "JWT"}, as inspect prints it.
    check(label + "log: inspect formatted a token header as inspect 3.1.1 does",
          re.search(r'fallback probe: token header \{ alg = "HS256", typ = "JWT" \}$', log, re.M)
          is not None)
    accepted = len(re.findall(r"token_fallback_probe\s+info\s+token accepted for ", log))
    check(label + "log: 2 tokens accepted (got %d)" % accepted, accepted == 2)
    bad = [line for line in log.splitlines()
           if re.search(r"traceback|stack traceback|\terror\t", line, re.I)
           or re.search(r"token_fallback_probe\s+warn", line)]
    check(label + "log: no traceback, no error, no warning from the probe", not bad,
          "\n       ".join(bad[:10]))
    print("prosody-fallback: %d passed, %d failed" % (tp.passed, tp.failed))
    return 0 if tp.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
