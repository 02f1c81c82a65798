#!/usr/bin/env python3
"""Every repository path a doc or a comment names exists.

Usage: doc_paths.py [--root DIR] [FILE...]

With no FILE: the tracked text files of DIR (git ls-files: Markdown, Rust,
shell, Python, Lua, TOML, the Makefile, debian/ and .ci/), but CHANGELOG.md,
whose released sections name files as they were, and the vectors' data.
A path is a word that starts with one of the tree's top folders (src/,
tests/, scripts/, docs/, ...), not right after another path character (so
/usr/share/lua/5.4 and URLs are not read as paths). `*`, `<name>`, `{a,b}`
and `$VAR` in a path are wildcards: some file must match. Paths that builds
make (ALLOWED below) are not checked.

Prints "doc-check: FAIL file:line: names PATH, which is not in the tree" per
missing path, then "paths: OK BAD" (paths that exist, paths that do not);
exit status 1 when some path is missing.
"""
import glob
import os
import re
import subprocess
import sys

TOP = ("src", "tests", "scripts", "docs", "lua", "cli", "debian", "rockspec",
       "fuzz", "bench", "benches", ".ci")
# Made by builds and runs, never committed.
ALLOWED = ("fuzz/artifacts", "fuzz/target", "fuzz/corpus/", "fuzz/coverage",
           "debian/lua-luajwtjitsi", "debian/.debhelper", "debian/files",
           "debian/tmp", "debian/shlibs.local")
SUFFIXES = (".md", ".rs", ".sh", ".py", ".lua", ".toml", ".rockspec")
PATH = re.compile(r"(?<![\w./\-~$@])((?:%s)/[\w./*{}<>$,\[\]\-]*[\w*}>/\]])"
                  % "|".join(re.escape(t) for t in TOP))


def wildcard(p):
    p = re.sub(r"<[^>/]*>", "*", p)
    p = re.sub(r"\$\{?\w+\}?", "*", p)
    return p


def braces(p):
    m = re.search(r"\{([^{}]*)\}", p)
    if not m:
        return [p]
    out = []
    for alt in m.group(1).split(","):
        out += braces(p[:m.start()] + alt + p[m.end():])
    return out


def exists(root, where, p):
    """p names a file or folder of the tree, from the root or, in a crate's
    own files (a path cli/Cargo.toml names is read from cli/ too), from a
    folder above `where`."""
    p = p.rstrip("/") or p
    if p.startswith(ALLOWED) or (p + "/").startswith(ALLOWED):
        return True
    bases = [root]
    d = os.path.dirname(where)
    while d:
        bases.append(os.path.join(root, d))
        d = os.path.dirname(d)
    for base in bases:
        for q in braces(wildcard(p)):
            if any(c in q for c in "*[") and glob.glob(os.path.join(base, q)):
                return True
            if os.path.exists(os.path.join(base, q)):
                return True
    return False


def tracked(root):
    out = subprocess.run(["git", "-C", root, "ls-files"], capture_output=True, text=True, check=True).stdout
    for f in out.split("\n"):
        if not f or f == "CHANGELOG.md" or f.startswith(("tests/vectors/", "fuzz/corpus/", "fuzz/regressions/")):
            continue
        if f.endswith(SUFFIXES) or f == "Makefile" or f.startswith(("debian/", ".ci/")):
            yield f


def main(argv):
    root = "."
    if argv[:1] == ["--root"]:
        root, argv = argv[1], argv[2:]
    files = argv or list(tracked(root))
    good = bad = 0
    for f in files:
        try:
            with open(os.path.join(root, f), encoding="utf-8") as fh:
                text = fh.read()
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        for n, line in enumerate(text.split("\n"), 1):
            for m in PATH.finditer(line):
                p = m.group(1)
                while p.count("]") > p.count("["):  # [text](docs/<page>.md]...
                    p = p[:p.rindex("]")]
                if exists(root, f, p):
                    good += 1
                else:
                    bad += 1
                    print(f"doc-check: FAIL {f}:{n}: names {p}, which is not in the tree")
    print(f"paths: {good} {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
