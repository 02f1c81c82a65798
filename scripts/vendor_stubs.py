#!/usr/bin/env python3
"""Turn the vendored crates a release build never compiles into stubs.

    scripts/vendor_stubs.py VENDOR_DIR NEEDED_FILE

VENDOR_DIR is what `cargo vendor --versioned-dirs` wrote (one folder
`<name>-<version>` per crate of Cargo.lock). NEEDED_FILE lists the folders a
release build compiles, one `<name>-<version>` a line (scripts/vendor.sh
takes them from `cargo tree -e normal,build`). Every other folder becomes a
stub:

  Cargo.toml        the vendored manifest without its targets ([lib], [[bin]],
                    [[test]], [[bench]], [[example]]) and without `build` and
                    `links`, plus `[lib] path = "src/lib.rs"`; its name,
                    version, dependencies and features are unchanged, so
                    `cargo build --locked` resolves Cargo.lock exactly as before
  src/lib.rs        empty
  .cargo-checksum.json  the checksums of those two files and the crate's
                    original `package` checksum, which Cargo.lock pins

A stub is never compiled by a release build; `cargo test`, the benches and
the `vendored` feature need the network (or a cargo cache) instead.
Prints one line per stub ("stub NAME-VERSION (N bytes dropped)") and a
total; exits 1 when a stub manifest would resolve differently (checked with
tomllib) or a needed folder is missing.
"""

import hashlib
import json
import os
import re
import shutil
import sys
import tomllib

TARGET_TABLES = {"lib", "bin", "test", "bench", "example"}
DROPPED_PACKAGE_KEYS = re.compile(r"^(build|links)\s*=")
HEADER = re.compile(r"^\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
# What cargo reads to resolve a package: these must survive unchanged.
RESOLUTION_KEYS = ("dependencies", "build-dependencies", "dev-dependencies", "target", "features")


def stub_manifest(text):
    """The manifest without targets, `build` and `links`, and a stub [lib]."""
    out, table = [], None
    for line in text.splitlines():
        header = HEADER.match(line)
        if header:
            table = header.group(1)
        if table in TARGET_TABLES:
            continue
        if table == "package" and DROPPED_PACKAGE_KEYS.match(line):
            continue
        out.append(line)
    return "\n".join(out).rstrip("\n") + '\n\n[lib]\npath = "src/lib.rs"\n'


def resolution_view(manifest):
    package = manifest.get("package", {})
    return (package.get("name"), package.get("version"),
            {k: manifest.get(k) for k in RESOLUTION_KEYS})


def dir_size(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, files in os.walk(path) for f in files)


def make_stub(path):
    with open(os.path.join(path, "Cargo.toml"), encoding="utf-8") as f:
        original = f.read()
    with open(os.path.join(path, ".cargo-checksum.json"), encoding="utf-8") as f:
        package_sum = json.load(f)["package"]
    manifest = stub_manifest(original)
    before, after = tomllib.loads(original), tomllib.loads(manifest)
    if resolution_view(before) != resolution_view(after):
        raise SystemExit("vendor_stubs: the stub manifest of %s would resolve differently" % path)
    leftover = TARGET_TABLES.intersection(after) - {"lib"}
    if leftover or after["lib"] != {"path": "src/lib.rs"} or {"build", "links"} & set(after["package"]):
        raise SystemExit("vendor_stubs: %s still names targets or a build script" % path)
    dropped = dir_size(path)
    shutil.rmtree(path)
    os.makedirs(os.path.join(path, "src"))
    files = {"Cargo.toml": manifest.encode(), "src/lib.rs": b""}
    for name, data in files.items():
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)
    checksums = {"files": {n: hashlib.sha256(d).hexdigest() for n, d in files.items()},
                 "package": package_sum}
    with open(os.path.join(path, ".cargo-checksum.json"), "w", encoding="utf-8") as f:
        json.dump(checksums, f, sort_keys=True)
    return dropped - sum(len(d) for d in files.values())


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__.strip().splitlines()[2].strip())
    vendor, needed_file = sys.argv[1], sys.argv[2]
    with open(needed_file, encoding="utf-8") as f:
        needed = {line.strip() for line in f if line.strip()}
    present = set(os.listdir(vendor))
    missing = sorted(needed - present)
    if missing:
        raise SystemExit("vendor_stubs: needed but not vendored: %s" % " ".join(missing))
    total = 0
    for name in sorted(present - needed):
        dropped = make_stub(os.path.join(vendor, name))
        total += dropped
        print("stub %s (%d bytes dropped)" % (name, dropped))
    print("vendor_stubs: %d crates kept, %d stubs, %.1f MB dropped"
          % (len(needed), len(present - needed), total / 1e6))


if __name__ == "__main__":
    main()
