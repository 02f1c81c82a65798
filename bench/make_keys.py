"""Make the RSA-2048 key pairs `make bench` rotates among (run by scripts/bench.sh).

    python bench/make_keys.py DIR COUNT

writes DIR/rsa-NNN.key.pem (PKCS#8) and DIR/rsa-NNN.pub.pem (SPKI) for
NNN = 001..COUNT, skipping pairs that already exist, so a second run is free.
"""
import os
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def main() -> None:
    out, count = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    for i in range(1, count + 1):
        key_path = os.path.join(out, f"rsa-{i:03d}.key.pem")
        pub_path = os.path.join(out, f"rsa-{i:03d}.pub.pem")
        if os.path.exists(key_path) and os.path.exists(pub_path):
            continue
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
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
