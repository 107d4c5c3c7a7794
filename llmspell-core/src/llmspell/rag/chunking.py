"""Splitting documents into chunks of about ``chunk_size`` tokens.

Three strategies (``chunking = {strategy = ...}`` of ``RAG.ingest``):

- ``"fixed"``: windows of ``chunk_size`` tokens; neighbours share ``overlap`` tokens.
- ``"sentence"``: whole sentences packed up to ``chunk_size`` tokens; the last sentences
  of a chunk (up to ``overlap`` tokens) start the next one. A sentence longer than a
  chunk is cut into fixed windows.
- ``"markdown"``: the text is split at headings (outside code fences); each section is
  sentence-packed and its chunks carry the heading path (``"Guide > Install"``).

Tokens are counted with the embedder's :meth:`~llmspell.embedders.Embedder.count_tokens`
(word by word for fixed windows, with a cache: words repeat).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from llmspell.errors import ValidationError

__all__ = ["STRATEGIES", "Chunk", "chunk_text"]

STRATEGIES = ("fixed", "sentence", "markdown")

Counter = Callable[[str], int]

#: a sentence (or a paragraph ending) with the whitespace after it
_SENTENCE = re.compile(r".*?(?:[.!?]+[\"')\]]*(?=\s)|\n[ \t]*\n|\Z)\s*", re.S)
_WORD = re.compile(r"\S+\s*")
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class Chunk:
    """One piece of a document: its text, its token count and (markdown) its heading path."""

    text: str
    tokens: int
    heading: str | None = None


class _Tokens:
    """count_tokens with a per-call cache (fixed windows count word by word)."""

    def __init__(self, count: Counter) -> None:
        self._count = count
        self._cache: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        found = self._cache.get(text)
        if found is None:
            found = self._count(text)
            if len(self._cache) < 100_000:
                self._cache[text] = found
        return found


def chunk_text(
    text: str,
    *,
    strategy: str,
    chunk_size: int,
    overlap: int,
    count_tokens: Counter,
) -> list[Chunk]:
    """The chunks of ``text`` (none for a blank text); see the module doc."""
    if strategy not in STRATEGIES:
        raise ValidationError(
            f"chunking strategy {strategy!r} is not one of {', '.join(STRATEGIES)}"
        )
    if chunk_size < 1:
        raise ValidationError(f"chunk_size must be at least 1 (got {chunk_size})")
    if overlap < 0 or overlap >= chunk_size:
        raise ValidationError(
            f"overlap must be at least 0 and less than chunk_size ({chunk_size}); got {overlap}"
        )
    if not text.strip():
        return []
    counter = _Tokens(count_tokens)
    if strategy == "fixed":
        return _fixed(text, chunk_size, overlap, counter)
    if strategy == "sentence":
        return _sentences(text, chunk_size, overlap, counter)
    out: list[Chunk] = []
    for heading, section in _sections(text):
        for chunk in _sentences(section, chunk_size, overlap, counter):
            chunk.heading = heading
            out.append(chunk)
    return out


def _windows(units: list[tuple[str, int]], size: int, overlap: int) -> list[Chunk]:
    """Pack ``(text, tokens)`` units into chunks of at most ``size`` tokens (a unit larger
    than ``size`` alone), the last units up to ``overlap`` tokens repeated."""
    chunks: list[Chunk] = []
    current: list[tuple[str, int]] = []
    total = 0
    fresh = False  # does ``current`` hold a unit not yet in a chunk?
    for unit in units:
        if current and total + unit[1] > size:
            chunks.append(_join(current, total))
            kept: list[tuple[str, int]] = []
            kept_total = 0
            for prev in reversed(current):
                if kept_total + prev[1] > overlap or kept_total + prev[1] + unit[1] > size:
                    break
                kept.insert(0, prev)
                kept_total += prev[1]
            current, total = kept, kept_total
        current.append(unit)
        total += unit[1]
        fresh = True
    if current and fresh:
        chunks.append(_join(current, total))
    return [c for c in chunks if c.text]


def _join(units: list[tuple[str, int]], total: int) -> Chunk:
    return Chunk("".join(u[0] for u in units).strip(), total)


def _fixed(text: str, size: int, overlap: int, counter: _Tokens) -> list[Chunk]:
    words = [(m.group(), counter(m.group().strip())) for m in _WORD.finditer(text)]
    return _windows(words, size, overlap)


def _sentences(text: str, size: int, overlap: int, counter: _Tokens) -> list[Chunk]:
    units: list[tuple[str, int]] = []
    for m in _SENTENCE.finditer(text):
        sentence = m.group()
        if not sentence.strip():
            if units:  # keep the paragraph break with the previous sentence
                units[-1] = (units[-1][0] + sentence, units[-1][1])
            continue
        tokens = counter(sentence.strip())
        if tokens > size:  # one over-long sentence: cut into fixed windows
            for piece in _fixed(sentence, size, overlap, counter):
                units.append((piece.text + " ", piece.tokens))
        else:
            units.append((sentence, tokens))
    return _windows(units, size, overlap)


def _sections(text: str) -> list[tuple[str | None, str]]:
    """``(heading path, text)`` of each markdown section, the heading line included."""
    sections: list[tuple[str | None, str]] = []
    path: list[tuple[int, str]] = []
    lines: list[str] = []
    heading: str | None = None
    fenced = False
    for line in text.splitlines(keepends=True):
        if _FENCE.match(line):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line.rstrip("\n"))
        if match is not None:
            if "".join(lines).strip():
                sections.append((heading, "".join(lines)))
            level = len(match.group(1))
            path = [p for p in path if p[0] < level] + [(level, match.group(2).strip())]
            heading = " > ".join(p[1] for p in path)
            lines = [line]
        else:
            lines.append(line)
    if "".join(lines).strip():
        sections.append((heading, "".join(lines)))
    return sections
