"""Make the key pairs `make bench` uses (run by scripts/bench.sh).

    python bench/make_keys.py DIR COUNT

writes DIR/rsa-NNN.key.pem (PKCS#8) and DIR/rsa-NNN.pub.pem (SPKI), RSA-2048,
for NNN = 001..COUNT (the rotating case; 001 is also the RS* and PS* key of
the Prosody 13 comparison), and DIR/ec-p256 and DIR/ec-p521 .key.pem and
.pub.pem (ES256, ES512), skipping pairs that already exist, so a second run
is free.
"""
import os
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def main() -> None:
    out, count = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    pairs = [
        (f"rsa-{i:03d}", lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
        for i in range(1, count + 1)
    ]
    pairs += [
        ("ec-p256", lambda: ec.generate_private_key(ec.SECP256R1())),
        ("ec-p521", lambda: ec.generate_private_key(ec.SECP521R1())),
    ]
    for name, generate in pairs:
        key_path = os.path.join(out, f"{name}.key.pem")
        pub_path = os.path.join(out, f"{name}.pub.pem")
        if os.path.exists(key_path) and os.path.exists(pub_path):
            continue
        key = generate()
        pub = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        priv = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # Public first: a pair counts as made once its private half exists.
        for path, data in ((pub_path, pub), (key_path, priv)):
            with open(path + ".tmp", "wb") as f:
                f.write(data)
            os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
