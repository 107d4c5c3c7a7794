"""Chunking strategies: sizes, overlap, sentence packing, markdown headings, bad options."""

from __future__ import annotations

from itertools import pairwise

import pytest

from llmspell.embedders import approx_tokens
from llmspell.errors import ValidationError
from llmspell.rag.chunking import chunk_text

PROSE = " ".join(f"Sentence number {i} says something about topic {i % 7}." for i in range(60))


def chunks(text: str, strategy: str, size: int = 40, overlap: int = 8) -> list:
    return chunk_text(
        text, strategy=strategy, chunk_size=size, overlap=overlap, count_tokens=approx_tokens
    )


@pytest.mark.parametrize("strategy", ["fixed", "sentence", "markdown"])
def test_every_chunk_fits_the_size_and_nothing_is_lost(strategy: str) -> None:
    got = chunks(PROSE, strategy)
    assert len(got) > 5
    assert all(c.tokens <= 40 and approx_tokens(c.text) <= 40 for c in got)
    words = set(PROSE.split())
    assert words == {w for c in got for w in c.text.split()}


def test_fixed_windows_share_the_overlap() -> None:
    got = chunks(PROSE, "fixed", size=30, overlap=10)
    for a, b in pairwise(got):
        tail = a.text.split()[-3:]
        assert " ".join(tail) in b.text  # the neighbour starts with a's last words


def test_sentence_chunks_end_at_sentence_ends_and_repeat_the_last_sentence() -> None:
    got = chunks(PROSE, "sentence", size=40, overlap=12)
    assert all(c.text.endswith(".") for c in got)
    for a, b in pairwise(got):
        last = a.text.rsplit(". ", 1)[-1]
        assert b.text.startswith(last.rstrip("."))


def test_a_sentence_longer_than_a_chunk_is_cut_into_windows() -> None:
    long = " ".join(["word"] * 300) + "."
    got = chunks(long, "sentence", size=50, overlap=0)
    assert len(got) >= 6 and all(c.tokens <= 50 for c in got)


def test_markdown_keeps_the_heading_path_and_ignores_headings_in_code() -> None:
    md = (
        "# Guide\nIntro.\n\n## Install\nRun pip install. Then check.\n"
        "```\n# not a heading\n```\n### Linux\nUse apt.\n# Other\nThe end."
    )
    got = chunks(md, "markdown", size=100, overlap=0)
    assert [c.heading for c in got] == [
        "Guide",
        "Guide > Install",
        "Guide > Install > Linux",
        "Other",
    ]
    assert "# not a heading" in got[1].text


def test_blank_text_gives_no_chunks() -> None:
    assert chunks("  \n\t ", "sentence") == []


@pytest.mark.parametrize(
    ("strategy", "size", "overlap", "message"),
    [
        ("nope", 40, 0, "not one of"),
        ("fixed", 0, 0, "chunk_size"),
        ("fixed", 40, 40, "overlap"),
        ("fixed", 40, -1, "overlap"),
    ],
)
def test_bad_options_are_refused(strategy: str, size: int, overlap: int, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        chunks("text.", strategy, size, overlap)
