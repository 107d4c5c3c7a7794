"""What ``llmspell rag ingest`` needs besides the RAG service: the files under the paths
given (directories recursively, by suffix) and a progress bar on a terminal."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import IO, Any

from llmspell_cli._support import printable

__all__ = ["DIRECTORY_SUFFIXES", "SKIP_DIRS", "IngestProgress", "collect_files"]

#: the files a directory contributes (a file named on the command line is read whatever
#: its suffix, and refused if RAG cannot read it)
DIRECTORY_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf"})
#: directories never entered
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv"})


def collect_files(policy: Any, paths: list[str]) -> list[str]:
    """The files to ingest, in order, without duplicates: each file given, and the
    readable files under each directory given (sorted, recursively, symlinked directories
    not followed, hidden entries left out). Every path is checked against the allowed
    paths first (SecurityError); a path that does not exist is a NotFoundError."""
    from llmspell.errors import NotFoundError

    out: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            out.append(path)

    for given in paths:
        real = policy.resolve_path(given)
        if not real.exists():
            raise NotFoundError(f"{given!r} does not exist")
        if not real.is_dir():
            add(given)
            continue
        for directory, dirs, files in os.walk(real):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
            for name in sorted(files):
                if name.startswith(".") or Path(name).suffix.lower() not in DIRECTORY_SUFFIXES:
                    continue
                full = Path(directory) / name
                shown = os.path.join(given, os.path.relpath(full, real))
                if full.is_symlink():
                    policy.resolve_path(shown)  # a link leading outside is refused
                add(shown)
    return out


class IngestProgress:
    """``[#####-----] 12/40  docs/guide.md`` redrawn on one line of a terminal; nothing
    when ``live`` is false (not a terminal)."""

    WIDTH = 24

    def __init__(self, *, live: bool, stream: IO[str] | None = None) -> None:
        self.live = live
        self._out = stream or sys.stderr
        self._shown = False
        self._last = 0.0

    def __call__(self, done: int, total: int, path: str) -> None:
        """The service's progress callback: ``done`` of ``total`` files, the last one."""
        if not self.live:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.05:
            return  # at most ~20 redraws a second
        self._last = now
        filled = self.WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        line = f"[{bar}] {done}/{total}  {printable(path)}"
        width = _columns(self._out)
        if len(line) > width - 1:
            line = line[: width - 2] + "…"
        self._out.write(f"\r\x1b[2K{line}")
        self._out.flush()
        self._shown = True

    def close(self) -> None:
        """Clear the line (idempotent)."""
        if self._shown:
            self._out.write("\r\x1b[2K")
            self._out.flush()
            self._shown = False


def _columns(stream: IO[str]) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (OSError, ValueError, AttributeError):
        return 80
