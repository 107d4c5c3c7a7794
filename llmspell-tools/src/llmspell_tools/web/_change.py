"""Change detection for webpage-monitor: normalising, hashing and diffing page text
(pure functions, no network)."""

from __future__ import annotations

import difflib
import hashlib
from typing import Any

__all__ = ["compare", "content_hash", "normalize"]


def normalize(text: str, *, ignore_whitespace: bool) -> str:
    """``text`` as it is compared: with ``ignore_whitespace`` every line's whitespace is
    collapsed to single spaces and blank lines are dropped; otherwise only line endings
    are unified (``\\r\\n`` and ``\\r`` become ``\\n``)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not ignore_whitespace:
        return text
    return "\n".join(filter(None, (" ".join(line.split()) for line in text.split("\n"))))


def content_hash(text: str) -> str:
    """The SHA-256 (hex) of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compare(previous: str, current: str, *, max_lines: int = 500) -> dict[str, Any]:
    """The difference between two normalised texts.

    Returns ``diff`` (a unified diff, ``previous`` → ``current``, at most ``max_lines``
    lines; ``diff_truncated`` says when it was cut), ``added_lines`` and
    ``removed_lines`` (the changed lines, each list at most ``max_lines`` long) and
    their full counts ``added_count``/``removed_count``.
    """
    old = previous.split("\n") if previous else []
    new = current.split("\n") if current else []
    diff: list[str] = []
    truncated = False
    added: list[str] = []
    removed: list[str] = []
    added_count = removed_count = 0
    lines = difflib.unified_diff(old, new, "previous", "current", lineterm="", n=2)
    for index, line in enumerate(lines):
        if len(diff) < max_lines:
            diff.append(line)
        else:
            truncated = True
        if index < 2:  # the "--- previous" / "+++ current" header
            continue
        if line.startswith("+"):
            added_count += 1
            if len(added) < max_lines:
                added.append(line[1:])
        elif line.startswith("-"):
            removed_count += 1
            if len(removed) < max_lines:
                removed.append(line[1:])
    return {
        "diff": "\n".join(diff),
        "diff_truncated": truncated,
        "added_lines": added,
        "removed_lines": removed,
        "added_count": added_count,
        "removed_count": removed_count,
    }
