"""SSH and PuTTY key files for tests/keyfiles (issue 23): fresh keys from
ssh-keygen (openssh-client) and puttygen (putty-tools) on every run, in the
shapes admins copy them around in.

`make(tmp)` returns (pairs, variants):
- pairs: {pair: (alg, private key as PKCS#8 PEM, public key as SPKI PEM)};
  a pair whose key this module cannot use (DSA, FIDO sk-*, SSH1) has alg
  None, and its genuine token comes from the P-256 pair;
- variants: (name, bytes, pair, private, expect) as matrix.py's `add` takes
  them, where expect is
  ("ssh-read", why): the module must read the file as the pair's key (a
  genuine token verifies through verify, decode, jwt.verifier and
  `jitsi-jwt verify --key-file`), though OpenSSL does not;
  ("ssh-refuse", text): the module must refuse it as a key, saying `text`;
  None: OpenSSL's CLI reads it (PEM exports) and the module must agree.
Whatever the expectation, every variant must be refused as an HMAC secret
everywhere (the forgery matrix).
"""

import base64
import os
import struct
import subprocess

from cryptography.hazmat.primitives import serialization

BOM = b"\xef\xbb\xbf"
PKCS8 = dict(encoding=serialization.Encoding.PEM, format=serialization.PrivateFormat.PKCS8,
             encryption_algorithm=serialization.NoEncryption())
SPKI = dict(encoding=serialization.Encoding.PEM, format=serialization.PublicFormat.SubjectPublicKeyInfo)
READ = ("ssh-read", "an OpenSSH public key is read as that key")
READ_4716 = ("ssh-read", "an RFC 4716 public key is read as that key")
READ_CERT = ("ssh-read", "an OpenSSH certificate is read as its certified key")


def _run(*args):
    return subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, check=True).stdout


def _read(p):
    with open(p, "rb") as f:
        return f.read()


def _string(b):
    return struct.pack(">I", len(b)) + b


def _line_variants(line):
    """An OpenSSH public key line ("type base64 comment\\n") as admins have it."""
    words = line.split()
    bare = words[0] + b" " + words[1]
    return {
        "line": line,
        "no-comment": bare + b"\n",
        "crlf": line.replace(b"\n", b"\r\n"),
        "bom": BOM + line,
        "bom+crlf": BOM + line.replace(b"\n", b"\r\n"),
        "blank-lines+indent": b"\n\n   " + line,
        "no-final-newline": line.rstrip(b"\n"),
        "tab-separated": words[0] + b"\t" + words[1] + b"\tkeyfiles\n",
        "preamble": b"The key for meet.example.com tokens:\n" + line,
        "authorized_keys-options": b'from="192.0.2.0/24",command="echo hi there",no-pty ' + line,
        "authorized_keys-comment-lines": b"# jitsi token key\n\n" + line + b"\n",
        "known_hosts": b"meet.example.com,192.0.2.1 " + bare + b"\n",
        "known_hosts-hashed": b"|1|F1E1KeoE/eEWhi10WpGv4OdiO6Y=|3988QV0VE8wmZL7suNrYQLITLCg= " + bare + b"\n",
        "known_hosts-cert-authority": b"@cert-authority *.example.com " + bare + b"\n",
    }


def _rfc4716_variants(text):
    lines = text.split(b"\n")
    # A Comment header split over two lines with a backslash (RFC 4716 §3.3).
    long_comment = lines[0] + b'\nComment: "a long comment that an admin\\\n wrapped over two lines"\nx-made-by: keyfiles\n' \
        + b"\n".join(l for l in lines[1:] if not l.startswith(b"Comment:"))
    return {
        "rfc4716": text,
        "rfc4716-crlf": text.replace(b"\n", b"\r\n"),
        "rfc4716-bom": BOM + text,
        "rfc4716-headers": long_comment,
        "rfc4716-preamble": b"Public key (SSH2 format):\n" + text,
    }


def make(tmp):
    pairs = {}
    variants = []

    def add(pair, name, data, private, expect):
        variants.append((f"{pair}/{name}", data, pair, private, expect))

    def keep_pair(pair, alg, private_key):
        pairs[pair] = (alg, private_key.private_bytes(**PKCS8), private_key.public_key().public_bytes(**SPKI))

    def p(name):
        return os.path.join(tmp, name)

    ca = p("ssh-ca")
    _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "keyfiles CA", "-f", ca)

    # ---- ssh-keygen: every key type this module can use.
    for pair, opts, alg in (("ssh-ed25519", ["-t", "ed25519"], "EdDSA"),
                            ("ssh-p256", ["-t", "ecdsa", "-b", "256"], "ES256"),
                            ("ssh-p384", ["-t", "ecdsa", "-b", "384"], "ES384"),
                            ("ssh-p521", ["-t", "ecdsa", "-b", "521"], "ES512"),
                            ("ssh-rsa2048", ["-t", "rsa", "-b", "2048"], "RS256")):
        key = p(pair)
        _run("ssh-keygen", "-q", *opts, "-N", "", "-C", "admin@meet.example.com", "-f", key)
        private = _read(key)
        keep_pair(pair, alg, serialization.load_ssh_private_key(private, None))
        for axis, data in _line_variants(_read(key + ".pub")).items():
            add(pair, "pub/" + axis, data, False, READ)
        for axis, data in _rfc4716_variants(_run("ssh-keygen", "-e", "-f", key + ".pub")).items():
            add(pair, axis, data, False, READ_4716)
        _run("ssh-keygen", "-q", "-s", ca, "-I", "keyfiles", "-n", "jitsi", "-V", "+1d", key + ".pub")
        cert = _read(key + "-cert.pub")
        add(pair, "cert", cert, False, READ_CERT)
        add(pair, "cert+bom+crlf", BOM + cert.replace(b"\n", b"\r\n"), False, READ_CERT)
        if pair != "ssh-ed25519":  # ssh-keygen 9.2 has no PKCS8 export of Ed25519
            add(pair, "export-pkcs8.pem", _run("ssh-keygen", "-e", "-m", "PKCS8", "-f", key + ".pub"), False, None)
        if pair == "ssh-rsa2048":
            add(pair, "export-pem", _run("ssh-keygen", "-e", "-m", "PEM", "-f", key + ".pub"), False, None)
        refuse = ("ssh-refuse", "OpenSSH private key")
        add(pair, "openssh-private", private, True, refuse)
        add(pair, "openssh-private+bom+crlf", BOM + private.replace(b"\n", b"\r\n"), True, refuse)
        if pair == "ssh-ed25519":
            _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "hunter2", "-f", key + "-enc")
            add(pair, "openssh-private-encrypted", _read(key + "-enc"), True, refuse)
        else:
            # ssh-keygen -p -m PEM rewrites the private key as traditional PEM.
            _run("ssh-keygen", "-q", "-p", "-N", "", "-m", "PEM", "-f", key)
            add(pair, "private-converted-pem", _read(key), True, None)

    # ---- puttygen: .ppk v3 (its default) and v2, and its exports.
    for pair, opts, alg in (("putty-ed25519", ["-t", "ed25519"], "EdDSA"),
                            ("putty-p256", ["-t", "ecdsa", "-b", "256"], "ES256"),
                            ("putty-p384", ["-t", "ecdsa", "-b", "384"], "ES384"),
                            ("putty-p521", ["-t", "ecdsa", "-b", "521"], "ES512"),
                            ("putty-rsa2048", ["-t", "rsa", "-b", "2048"], "RS256")):
        ppk = p(pair + ".ppk")
        _run("puttygen", *opts, "-q", "-C", "admin@meet.example.com", "-o", ppk, "--new-passphrase", "/dev/null")
        _run("puttygen", ppk, "-O", "private-openssh-new", "-o", p(pair + ".openssh"))
        keep_pair(pair, alg, serialization.load_ssh_private_key(_read(p(pair + ".openssh")), None))
        _run("puttygen", ppk, "--reencrypt", "-O", "private", "--ppk-param", "version=2", "-o", p(pair + ".v2.ppk"),
             "--new-passphrase", "/dev/null")
        refuse = ("ssh-refuse", "PuTTY private key")
        for axis, path in (("ppk3", ppk), ("ppk2", p(pair + ".v2.ppk"))):
            data = _read(path)
            add(pair, axis, data, True, refuse)
            add(pair, axis + "+bom+crlf", BOM + data.replace(b"\n", b"\r\n"), True, refuse)
        add(pair, "export-public-openssh", _run("puttygen", ppk, "-O", "public-openssh"), False, READ)
        add(pair, "export-public-rfc4716", _run("puttygen", ppk, "-O", "public"), False, READ_4716)
        add(pair, "export-private-openssh-new", _read(p(pair + ".openssh")), True,
            ("ssh-refuse", "OpenSSH private key"))
        if pair != "putty-ed25519":
            # PuTTY writes RSA and ECDSA keys "private-openssh" as traditional PEM.
            _run("puttygen", ppk, "-O", "private-openssh", "-o", p(pair + ".pem"))
            add(pair, "export-private-openssh", _read(p(pair + ".pem")), True, None)
        if pair == "putty-rsa2048":
            _run("puttygen", ppk, "-O", "private-sshcom", "-o", p(pair + ".sshcom"))
            add(pair, "export-private-sshcom", _read(p(pair + ".sshcom")), True,
                ("ssh-refuse", "ssh.com private key"))
        if pair == "putty-p256":
            with open(p("pass"), "w") as f:
                f.write("hunter2\n")
            _run("puttygen", ppk, "--reencrypt", "-O", "private", "-o", p(pair + ".enc.ppk"),
                 "--new-passphrase", p("pass"))
            add(pair, "ppk3-encrypted", _read(p(pair + ".enc.ppk")), True, refuse)

    # ---- keys this module has no algorithm for: still keys, never secrets.
    unsupported = ("ssh-refuse", "unsupported")
    _run("ssh-keygen", "-q", "-t", "dsa", "-N", "", "-f", p("ssh-dsa"))
    pairs["ssh-dsa"] = (None, None, None)
    for axis in ("line", "authorized_keys-options", "known_hosts"):
        add("ssh-dsa", "pub/" + axis, _line_variants(_read(p("ssh-dsa.pub")))[axis], False, unsupported)
    add("ssh-dsa", "openssh-private", _read(p("ssh-dsa")), True, ("ssh-refuse", "OpenSSH private key"))
    # FIDO keys need a token to make: their public key lines are built here
    # from the wire format of OpenSSH's PROTOCOL.u2f.
    pairs["ssh-sk"] = (None, None, None)
    ed = _string(b"sk-ssh-ed25519@openssh.com") + _string(os.urandom(32)) + _string(b"ssh:")
    ec = (_string(b"sk-ecdsa-sha2-nistp256@openssh.com") + _string(b"nistp256")
          + _string(b"\x04" + os.urandom(64)) + _string(b"ssh:"))
    for name, blob in (("sk-ssh-ed25519@openssh.com", ed), ("sk-ecdsa-sha2-nistp256@openssh.com", ec)):
        line = name.encode() + b" " + base64.b64encode(blob) + b" fido@meet.example.com\n"
        add("ssh-sk", name + "/line", line, False, unsupported)
        add("ssh-sk", name + "/authorized_keys-options", b"no-touch-required " + line, False, unsupported)
    # SSH protocol 1 RSA keys (puttygen still makes them).
    pairs["ssh1-rsa"] = (None, None, None)
    r1 = p("ssh1-rsa")
    _run("puttygen", "-t", "rsa1", "-b", "2048", "-q", "-o", r1, "--new-passphrase", "/dev/null")
    add("ssh1-rsa", "private", _read(r1), True, ("ssh-refuse", "SSH-1"))
    public = _run("puttygen", r1, "-O", "public-openssh")
    add("ssh1-rsa", "public", public, False, ("ssh-refuse", "SSH-1"))
    add("ssh1-rsa", "public+authorized_keys-options", b"no-pty " + public, False, ("ssh-refuse", "SSH-1"))
    return pairs, variants
