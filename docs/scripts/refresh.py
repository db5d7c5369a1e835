"""Regenerate every printed output in README.md and docs/*.md from the code.

Usage, from the repository root (after a change to the models, the data or the CLI)::

    python docs/scripts/refresh.py            # rewrite the marked blocks in place
    python docs/scripts/refresh.py --check    # only report blocks that are out of date

A block is marked in the Markdown source as::

    <!-- output: KEY -->
    ```text
    ...what docs/scripts/doc_outputs.py's KEY function returns...
    ```
    <!-- /output -->

The fence line (language) is kept; everything between it and the closing fence is
replaced. Markdown tables are marked the same way, without a fence.

The images of docs/img/ are checked by the figures they show: each is listed in
``doc_outputs.IMAGES`` with the script that draws it and writes beside it a record of
those figures (docs/img/NAME.txt). An image whose record differs from what the script
would draw today is stale; without ``--check`` it is redrawn with its record.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

MARK = re.compile(r"(<!-- output: (?P<key>[\w-]+) -->\n)(?P<body>.*?)(<!-- /output -->)", re.S)
FENCE = re.compile(r"^(?P<open>```[\w-]*\n)(?P<text>.*?)(?P<close>```\n)$", re.S)


def doc_files() -> list[pathlib.Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def marked(text: str) -> list[tuple[str, str]]:
    """(key, current text) of every marked block of a Markdown text."""
    out = []
    for m in MARK.finditer(text):
        fence = FENCE.match(m.group("body"))
        out.append((m.group("key"), fence.group("text") if fence else m.group("body")))
    return out


def rewrite(text: str, produce) -> str:
    """The Markdown text with every marked block replaced by ``produce(key)``."""
    def one(m: re.Match) -> str:
        body = m.group("body")
        new = produce(m.group("key"))
        fence = FENCE.match(body)
        if fence:
            new = fence.group("open") + new + fence.group("close")
        return m.group(1) + new + m.group(4)

    return MARK.sub(one, text)


def image_record(name: str) -> pathlib.Path:
    """The record of the figures docs/img/`name` shows."""
    return (ROOT / "docs" / "img" / name).with_suffix(".txt")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale blocks; change nothing")
    args = parser.parse_args(argv)
    import doc_outputs

    cache: dict[str, str] = {}

    def produce(key: str) -> str:
        if key not in doc_outputs.OUTPUTS:
            raise SystemExit(f"unknown output key {key!r}: add it to docs/scripts/doc_outputs.py")
        if key not in cache:
            cache[key] = doc_outputs.OUTPUTS[key]()
        return cache[key]

    stale = []
    for path in doc_files():
        text = path.read_text(encoding="utf-8")
        new = rewrite(text, produce)
        if new != text:
            stale.append(path.relative_to(ROOT))
            if not args.check:
                path.write_text(new, encoding="utf-8")
    for name, (record_text, draw) in doc_outputs.IMAGES.items():
        record = image_record(name)
        if not record.exists() or record.read_text(encoding="utf-8") != record_text():
            stale.append(record.relative_to(ROOT))
            if not args.check:
                draw()
    verb = "out of date" if args.check else "rewritten"
    print(f"{len(stale)} file(s) {verb}" + (": " + ", ".join(map(str, stale)) if stale else ""))
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
