"""Standard input for Lua's ``io.read``: read in chunks, with the run's deadline and stop
requests (Ctrl-C) checked while it waits, so a spell waiting for input that never comes
still ends at its limit — in library mode too, where no watchdog ends the process."""

from __future__ import annotations

import os
import select
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llmspell.runtime import RunSession

__all__ = ["StdinReader"]

#: how long one wait for input lasts before the deadline is checked again (seconds)
POLL_SECONDS = 0.05
#: bytes one read takes from the descriptor
CHUNK = 65536


class StdinReader:
    """A file-like reader (``read``, ``readline``, ``peek``) over descriptor ``fd``."""

    def __init__(self, session: RunSession, fd: int) -> None:
        self.session = session
        self.fd = fd
        self.buf = bytearray()
        self.eof = False

    def _fill(self) -> bool:
        """Read one more chunk (waiting for it, the deadline checked); False at the end."""
        if self.eof:
            return False
        while True:
            err = self.session.stop_error()
            if err is not None:
                raise err
            try:
                ready, _, _ = select.select([self.fd], [], [], POLL_SECONDS)
            except (OSError, ValueError):
                ready = [self.fd]  # not selectable (a regular file): a read cannot block
            if ready:
                break
        chunk = os.read(self.fd, CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def read(self, n: int) -> bytes:
        """Up to ``n`` bytes (fewer only at the end)."""
        while len(self.buf) < n and self._fill():
            pass
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def readline(self, limit: int) -> bytes:
        """One line with its newline, at most ``limit`` bytes."""
        start = 0
        while True:
            i = self.buf.find(b"\n", start)
            if i >= 0 or len(self.buf) >= limit:
                end = min(i + 1 if i >= 0 else len(self.buf), limit)
                break
            start = len(self.buf)
            if not self._fill():
                end = len(self.buf)
                break
        out = bytes(self.buf[:end])
        del self.buf[:end]
        return out

    def peek(self, n: int = 1) -> bytes:
        """The next bytes without consuming them (empty at the end)."""
        while not self.buf and self._fill():
            pass
        return bytes(self.buf[:n])
