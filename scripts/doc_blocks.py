#!/usr/bin/env python3
"""Run the Markdown code blocks that are marked runnable; each must succeed.

Usage: doc_blocks.py [--root DIR] FILE.md...

A block is runnable when the line just before its ```sh (or ```bash) fence
is `<!-- runnable -->`. It runs with `bash -eu -o pipefail` in a fresh
temporary folder, with REPO set to the repository root (DIR, default the
current folder) and no stdin, under a 120 s timeout; it must exit 0. Mark
only blocks that run quickly on a fresh machine and change nothing.

Prints one line per block ("doc-check: ok ..." / "doc-check: FAIL ...", with
the last lines of a failing block's output) and nothing else; the exit code
is the number of failures (at most 100).
"""
import os
import re
import subprocess
import sys
import tempfile

MARKER = "<!-- runnable -->"
TIMEOUT = 120


def run_blocks(root, md, report):
    with open(md, encoding="utf-8") as f:
        lines = f.read().split("\n")
    rel = os.path.relpath(md, root)
    i = 0
    while i < len(lines):
        if lines[i].strip() != MARKER:
            i += 1
            continue
        fence = i + 1
        if fence >= len(lines) or not re.match(r"^```(sh|bash)\s*$", lines[fence]):
            report(False, f"{rel}:{i + 1}: {MARKER} is not followed by a ```sh block")
            i += 1
            continue
        end = fence + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        body = "\n".join(lines[fence + 1:end]) + "\n"
        where = f"{rel}:{fence + 1}: runnable block"
        with tempfile.TemporaryDirectory(prefix="doc-check.") as tmp:
            try:
                p = subprocess.run(["bash", "-eu", "-o", "pipefail", "-c", body], cwd=tmp,
                                   env=dict(os.environ, REPO=root), stdin=subprocess.DEVNULL,
                                   capture_output=True, text=True, timeout=TIMEOUT)
                ok, why, out = p.returncode == 0, f"exit {p.returncode}", (p.stdout + p.stderr).strip()
            except subprocess.TimeoutExpired:
                ok, why, out = False, f"timed out after {TIMEOUT} s", ""
        if not ok:
            for line in out.splitlines()[-10:]:
                print(f"doc-check:      | {line}")
        report(ok, where if ok else f"{where}: {why}")
        i = end + 1


def main(argv):
    root = os.getcwd()
    if len(argv) > 2 and argv[1] == "--root":
        root = os.path.abspath(argv[2])
        argv = argv[:1] + argv[3:]
    failed = 0

    def report(ok, what):
        nonlocal failed
        print(f"doc-check: {'ok  ' if ok else 'FAIL'} {what}")
        failed += 0 if ok else 1

    for md in argv[1:]:
        run_blocks(root, os.path.abspath(md), report)
    return min(failed, 100)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
