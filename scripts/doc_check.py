#!/usr/bin/env python3
"""Check the project's Markdown: every relative link and #anchor resolves, and
every code block marked runnable runs and succeeds.

Usage: doc_check.py [--root DIR] FILE.md...

A link is relative when it has no scheme (https:, mailto:, ...). Its file part
must name a file or folder under the repository (no escaping the root); its
#anchor, when it points into a Markdown file, must be one of that file's
headings (GitHub's slugs: lower case, punctuation dropped, spaces to '-',
repeats numbered -1, -2, ...) or an explicit <a id="..."> / <a name="...">.
Links inside code (fenced blocks, `spans`) are not links.

A block is runnable when the line just before its ```sh fence is
`<!-- runnable -->`. It runs with `bash -eu -o pipefail` in a fresh temporary
folder, with REPO set to the repository root, under a 120 s timeout; it must
exit 0.

Prints one line per check ("doc-check: ok ..." / "doc-check: FAIL ...") and
nothing else; the exit code is the number of failures (capped at 100).
"""
import os
import re
import subprocess
import sys
import tempfile
import unicodedata

MARKER = "<!-- runnable -->"
LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
HTML_ID = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"", re.I)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def slug(heading):
    """GitHub's anchor for a heading text."""
    text = re.sub(r"<[^>]+>", "", heading)          # inline HTML
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = text.strip().lower()
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "-_" or ch == " " or cat[0] in "LN" or cat == "Mn":
            out.append("-" if ch == " " else ch)
    return "".join(out)


def blocks_and_text(lines):
    """Yield (lineno, line, in_fence) with fence lines marked as in_fence."""
    fence = None
    for n, line in enumerate(lines, 1):
        m = re.match(r"^\s{0,3}(`{3,}|~{3,})", line)
        if m:
            if fence is None:
                fence = m.group(1)
                yield n, line, True
                continue
            if line.strip().startswith(fence[0] * len(fence)) and line.strip().strip(fence[0]) == "":
                fence = None
                yield n, line, True
                continue
        yield n, line, fence is not None


_anchor_cache = {}


def anchors(path):
    if path in _anchor_cache:
        return _anchor_cache[path]
    seen = {}
    result = set()
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for _, line, in_fence in blocks_and_text(lines):
        if in_fence:
            continue
        for m in HTML_ID.finditer(line):
            result.add(m.group(1))
        m = re.match(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if m:
            base = slug(m.group(2))
            k = seen.get(base, 0)
            result.add(base if k == 0 else f"{base}-{k}")
            seen[base] = k + 1
    _anchor_cache[path] = result
    return result


def strip_code_spans(line):
    return re.sub(r"(`+)(.+?)\1", lambda m: " " * len(m.group(0)), line)


def check_links(root, md, report):
    here = os.path.dirname(md)
    with open(md, encoding="utf-8") as f:
        lines = f.read().split("\n")
    rel = os.path.relpath(md, root)
    for n, line, in_fence in blocks_and_text(lines):
        if in_fence:
            continue
        text = strip_code_spans(line)
        targets = [m.group(3) for m in LINK.finditer(text)]
        m = REFDEF.match(text)
        if m:
            targets.append(m.group(1))
        for t in targets:
            if not t or SCHEME.match(t):
                continue
            where = f"{rel}:{n}: {t}"
            file_part, _, frag = t.partition("#")
            target = md if file_part == "" else os.path.normpath(os.path.join(here, file_part))
            if os.path.relpath(target, root).startswith(".."):
                report(False, f"{where}: leaves the repository")
                continue
            if not os.path.exists(target):
                report(False, f"{where}: no such file")
                continue
            if frag:
                if not target.endswith(".md") or os.path.isdir(target):
                    report(False, f"{where}: an anchor into a file that is not Markdown")
                    continue
                if frag not in anchors(target):
                    report(False, f"{where}: no heading with anchor #{frag} in {os.path.relpath(target, root)}")
                    continue
            report(True, where)


def run_blocks(root, md, report):
    with open(md, encoding="utf-8") as f:
        lines = f.read().split("\n")
    rel = os.path.relpath(md, root)
    i = 0
    while i < len(lines):
        if lines[i].strip() == MARKER:
            j = i + 1
            if j >= len(lines) or not re.match(r"^```(sh|bash)\s*$", lines[j]):
                report(False, f"{rel}:{i + 1}: {MARKER} is not followed by a ```sh block")
                i += 1
                continue
            k = j + 1
            while k < len(lines) and lines[k].strip() != "```":
                k += 1
            body = "\n".join(lines[j + 1:k]) + "\n"
            where = f"{rel}:{j + 1}: runnable block"
            with tempfile.TemporaryDirectory(prefix="doc-check.") as tmp:
                env = dict(os.environ, REPO=root)
                try:
                    p = subprocess.run(["bash", "-eu", "-o", "pipefail", "-c", body], cwd=tmp, env=env,
                                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
                    ok, why = p.returncode == 0, f"exit {p.returncode}"
                    out = (p.stdout + p.stderr).strip()
                except subprocess.TimeoutExpired:
                    ok, why, out = False, "timed out after 120 s", ""
            if not ok and out:
                for l in out.splitlines()[-10:]:
                    print(f"doc-check:      | {l}")
            report(ok, where if ok else f"{where}: {why}")
            i = k + 1
            continue
        i += 1


def main(argv):
    root = os.getcwd()
    if len(argv) > 1 and argv[1] == "--root":
        root = os.path.abspath(argv[2])
        argv = argv[:1] + argv[3:]
    failed = 0

    def report(ok, what):
        nonlocal failed
        print(f"doc-check: {'ok  ' if ok else 'FAIL'} {what}")
        failed += 0 if ok else 1

    for md in argv[1:]:
        md = os.path.abspath(md)
        check_links(root, md, report)
        run_blocks(root, md, report)
    return min(failed, 100)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
