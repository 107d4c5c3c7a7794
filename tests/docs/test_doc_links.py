"""Relative links in docs/*.md and README.md point at files and headings that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r"[`*]|<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    anchors: set[str] = set()
    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
            continue
        m = _HEADING.match(line)
        if m and not in_fence:
            anchors.add(_slug(m.group(2)))
    return anchors


def _links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return [
        link
        for link in _LINK.findall(text)
        if not re.match(r"^[a-z]+:", link)  # http:, https:, mailto:
    ]


def _files() -> list[Path]:
    return [*sorted(DOCS.glob("*.md")), ROOT / "README.md"]


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_relative_links_resolve(path: Path) -> None:
    broken = []
    for link in _links(path):
        target, _, anchor = link.partition("#")
        dest = (path.parent / target).resolve() if target else path
        if not dest.exists():
            broken.append(f"{link}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            broken.append(f"{link}: no heading with anchor #{anchor}")
    assert not broken, f"{path.name}: broken links:\n" + "\n".join(broken)
