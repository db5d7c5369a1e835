"""Every relative link and anchor in docs/*.md and README.md resolves.

Links inside fenced code blocks and inline code are ignored; external addresses
(http, https, mailto) are not fetched. Anchors follow GitHub's heading slugs.
"""

from __future__ import annotations

import pathlib
import re
from urllib.parse import unquote

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "docs").rglob("*.md")) + [p for p in [ROOT / "README.md"] if p.exists()]

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.S | re.M)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REF = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.M)
_HTML = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$", re.M)
_HTML_ID = re.compile(r"""<a\s+(?:id|name)\s*=\s*["']([^"']+)["']""")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # links -> their text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: pathlib.Path) -> set[str]:
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    seen: dict[str, int] = {}
    out = set(_HTML_ID.findall(text))
    for _, title in _HEADING.findall(text):
        base = slug(title)
        n = seen.get(base, 0)
        out.add(base if n == 0 else f"{base}-{n}")
        seen[base] = n + 1
    return out


def links(path: pathlib.Path) -> list[str]:
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    found = _HTML.findall(text)
    text = _CODE.sub("", text)
    return found + _LINK.findall(text) + _REF.findall(text)


def test_slugs_follow_github():
    assert slug("`forecast run`") == "forecast-run"
    assert slug("Example: average growth") == "example-average-growth"
    assert slug("The 2025 nowcast") == "the-2025-nowcast"


def test_there_are_docs_to_check():
    names = {p.name for p in FILES}
    assert {"index.md", "cli.md", "extending.md"} <= names


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_relative_links_and_anchors_resolve(path):
    broken = []
    for target in links(path):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:, ...
            continue
        file_part, _, anchor = target.partition("#")
        dest = (path.parent / unquote(file_part)).resolve() if file_part else path
        if not dest.exists():
            where = dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest
            broken.append(f"{target}: {where} does not exist")
            continue
        if anchor and dest.suffix == ".md" and unquote(anchor) not in anchors(dest):
            broken.append(f"{target}: no heading with anchor #{anchor} in {dest.name}")
    assert broken == [], f"{path.relative_to(ROOT)} has broken links:\n" + "\n".join(broken)
