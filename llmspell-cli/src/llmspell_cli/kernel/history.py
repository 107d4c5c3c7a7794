"""The kernel's cell history, for ``history_request``: the cells this kernel process
ran (``tail``, ``range``, ``search``), as ``(session, line, input)`` or, with
``output``, ``(session, line, (input, output))`` — ``output`` the cell's ``text/plain``
result or None, as IPython answers.

The history lives in memory for the kernel's life (a restart starts a new one); it keeps
the last :data:`MAX_ENTRIES` cells, at most :data:`MAX_OUTPUT_CHARS` of each result, and
at most :data:`MAX_TOTAL_CHARS` of code and results together (the oldest cells go first).
"""

from __future__ import annotations

import fnmatch
from collections import deque
from dataclasses import dataclass
from typing import Any

__all__ = ["SESSION", "CellHistory", "history_reply"]

#: the session number of this kernel's cells (the only session it answers for)
SESSION = 1
#: the cells kept (older ones are forgotten)
MAX_ENTRIES = 10_000
#: the characters of a result kept per cell (a longer one ends in "…")
MAX_OUTPUT_CHARS = 64 * 1024
#: the characters of code and results kept over all cells
MAX_TOTAL_CHARS = 32 * 1024 * 1024
#: the entries a ``tail`` without ``n`` returns (IPython's default)
DEFAULT_TAIL = 10


@dataclass(frozen=True)
class Entry:
    """One cell: its execution count, its code and its text result."""

    line: int
    input: str
    output: str | None


class CellHistory:
    """The cells run in this kernel, oldest first."""

    def __init__(
        self, max_entries: int = MAX_ENTRIES, max_total_chars: int = MAX_TOTAL_CHARS
    ) -> None:
        self.entries: deque[Entry] = deque()
        self.max_entries = max_entries
        self.max_total_chars = max_total_chars
        self._chars = 0

    def record(self, line: int, code: str, output: str | None = None) -> None:
        """Remember cell ``line`` (its execution count) and its ``text/plain`` result,
        forgetting the oldest cells past the caps."""
        if output is not None and len(output) > MAX_OUTPUT_CHARS:
            output = output[: MAX_OUTPUT_CHARS - 1] + "…"
        entry = Entry(line, code, output)
        self.entries.append(entry)
        self._chars += _size(entry)
        while self.entries and (
            len(self.entries) > self.max_entries or self._chars > self.max_total_chars
        ):
            self._chars -= _size(self.entries.popleft())

    def tail(self, n: int | None) -> list[Entry]:
        """The last ``n`` cells (10 when ``n`` is None; none for ``n`` <= 0)."""
        count = DEFAULT_TAIL if n is None else n
        if count <= 0:
            return []
        return list(self.entries)[-count:]

    def range(self, session: int | None, start: int | None, stop: int | None) -> list[Entry]:
        """Cells ``start`` <= line < ``stop`` (``stop`` None: to the last) of ``session``
        (0 or None: this kernel's, as IPython reads 0; another session has none)."""
        if session not in (None, 0, SESSION):
            return []
        first = 1 if start is None else start
        return [e for e in self.entries if e.line >= first and (stop is None or e.line < stop)]

    def search(self, pattern: str | None, n: int | None, unique: bool) -> list[Entry]:
        """Cells whose code matches the glob ``pattern`` (``*``, ``?``, ``[...]``; case
        matters, the whole code must match, as IPython's SQLite GLOB); the last ``n``
        (all when None); ``unique``: each code once, at its last run."""
        pat = pattern or "*"
        found = [e for e in self.entries if fnmatch.fnmatchcase(e.input, pat)]
        if unique:
            last: dict[str, Entry] = {}
            for e in found:
                last.pop(e.input, None)
                last[e.input] = e
            found = list(last.values())
        if n is not None and n > 0:
            found = found[-n:]
        return found


def history_reply(history: CellHistory, content: dict[str, Any]) -> dict[str, Any]:
    """The ``history_reply`` content for a ``history_request``'s ``content``; an unknown
    ``hist_access_type`` gets an empty history (the message spec has no error reply)."""
    kind = content.get("hist_access_type")
    if kind == "tail":
        entries = history.tail(_int(content.get("n")))
    elif kind == "range":
        entries = history.range(
            _int(content.get("session")), _int(content.get("start")), _int(content.get("stop"))
        )
    elif kind == "search":
        pattern = content.get("pattern")
        entries = history.search(
            pattern if isinstance(pattern, str) else None,
            _int(content.get("n")),
            bool(content.get("unique", False)),
        )
    else:
        entries = []
    output = bool(content.get("output", False))
    rows: list[list[Any]] = [
        [SESSION, e.line, [e.input, e.output] if output else e.input] for e in entries
    ]
    return {"status": "ok", "history": rows}


def _size(entry: Entry) -> int:
    return len(entry.input) + len(entry.output or "")


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return None
