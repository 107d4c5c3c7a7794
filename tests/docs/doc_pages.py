"""The pages a user reads, split into fenced code blocks and prose, and the
:class:`Problem` a false claim on one of them is reported as (for the docs-claims test,
``test_doc_claims.py``)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Block:
    """A fenced code block: its info string and first line (1-based) in the page."""

    lang: str
    line: int
    code: str


@dataclass
class Page:
    """A Markdown page split into code blocks and prose (the lines outside blocks)."""

    name: str
    blocks: list[Block]
    prose: list[tuple[int, str]]

    def inline_code(self) -> Iterator[tuple[int, str]]:
        """Every inline code span of the prose, with its line."""
        for line, text in self.prose:
            for m in re.finditer(r"(`+)(.+?)\1", text):
                yield line, m.group(2).strip()


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)")


def parse_page(name: str, text: str) -> Page:
    """Split ``text`` into fenced blocks and prose lines."""
    blocks: list[Block] = []
    prose: list[tuple[int, str]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            prose.append((i + 1, lines[i]))
            i += 1
            continue
        fence, lang = m.group(1), m.group(2).lower()
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            j += 1
        blocks.append(Block(lang, i + 2, "\n".join(lines[i + 1 : j])))
        i = j + 1
    return Page(name, blocks, prose)


def _page_files() -> list[Path]:
    return [
        ROOT / "README.md",
        ROOT / "examples" / "README.md",
        *sorted((ROOT / "docs").rglob("*.md")),
    ]


PAGES = [p.relative_to(ROOT).as_posix() for p in _page_files()]


@functools.cache
def page(name: str) -> Page:
    """The parsed page ``name`` (a path relative to the repository)."""
    return parse_page(name, (ROOT / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Problem:
    """One false claim: where, of what kind, the value, and why it is false."""

    page: str
    line: int
    kind: str
    value: str
    why: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.kind} {self.value!r}: {self.why}"
