#!/usr/bin/env python3
"""A token login through the installed package, in a fresh Prosody.

Run by tests/packaging/apt_repo.sh with LUAJWT_PROSODY_CHROOT=DIR, once per
state of the package (installed, upgraded, ...): each run starts a new
Prosody inside DIR (as a restart would), with the package's shim at jitsi's
path loaded through module:require and the package's luajwtjitsi.so (the
harness of tests/prosody), then logs in over BOSH with an HS256 token the
installed module minted, is refused with a wrong-secret one, and stops
Prosody by pid.
    apt_prosody.py LABEL
Prints one line per check; the last is "apt-prosody: N passed, N failed".
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "prosody"))
import harness as h  # noqa: E402

SECRET = "apt-upgrade-secret-" + "y" * 16
ISS, AUD = "apt-upgrade-app", "jitsi"
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL %s%s" % (name, (": " + detail) if detail else ""))


def main():
    label = sys.argv[1] if len(sys.argv) > 1 else "prosody"
    now = int(time.time())
    claims = {"iss": ISS, "aud": AUD, "sub": "meet.example.org", "room": "*",
              "iat": now, "nbf": now - 10, "exp": now + 3600}
    host = "hs.test"
    options = ['jwt_probe_secret = %s' % h.lua_string(SECRET),
               'jwt_probe_issuers = %s' % h.lua_list([ISS]),
               'jwt_probe_audiences = %s' % h.lua_list([AUD])]
    prosody = h.Prosody({host: options})
    try:
        with prosody as p:
            good = h.mint(claims, SECRET)
            r = h.bosh_login(p.http_port, host, good)
            check("[%s] Prosody: a valid HS256 token logs in" % label,
                  r.ok and bool(r.jid) and r.jid.split("/")[0].endswith("@" + host), repr(r))
            r = h.bosh_login(p.http_port, host, h.mint(claims, SECRET + "-other"))
            check("[%s] Prosody: a wrong-secret token is refused with 'Invalid signature'" % label,
                  not r.ok and "Invalid signature" in (r.text or ""), repr(r))
    except Exception as e:  # Prosody did not start, mint failed: one failure, said why
        check("[%s] Prosody started and answered" % label, False, str(e))
    check("[%s] Prosody stopped by the test" % label,
          prosody.proc is None or prosody.proc.poll() is not None)
    log = getattr(prosody, "final_log", "")
    check("[%s] Prosody's log has no traceback" % label, "traceback" not in log.lower(), log[-800:])
    print("apt-prosody: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
