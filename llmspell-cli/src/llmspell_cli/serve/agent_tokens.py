"""The stream observer of a worker process whose run streams to a chat client: every
agent call of the spell streams from its provider, and its tokens go into the run's
output (stream ``agent``) as they arrive, next to what the spell prints."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["AgentTokens"]


class AgentTokens:
    """Forward agent tokens as ``{"t": "out", "s": "agent", "x": TEXT}`` messages.

    One call streams live; calls running at the same time as it (``Agent.execute_all``,
    parallel workflow steps) are collected and written whole when each ends (after the
    live call's text, if that call is still going), so the text of two calls never
    interleaves. Each call's text ends with a newline.
    """

    def __init__(self, emit: Callable[[dict[str, Any]], None]) -> None:
        self._emit = emit
        self._lock = threading.Lock()
        self._buffers: dict[int, list[str]] = {}
        self._live: int | None = None
        self._live_tail = ""
        #: texts of calls that ended while the live call was still going
        self._held: list[str] = []

    def _out(self, text: str) -> None:
        if text:
            self._emit({"t": "out", "s": "agent", "x": text})

    def call_started(self, agent: str, call_id: int = 0) -> None:
        """An agent call began."""
        with self._lock:
            self._buffers[call_id] = []
            if self._live is None:
                self._live = call_id
                self._live_tail = ""

    def token(self, text: str, call_id: int = 0) -> None:
        """A token of a call arrived."""
        with self._lock:
            if call_id == self._live:
                self._out(text)
                self._live_tail = (self._live_tail + text)[-1:]
            elif call_id in self._buffers:
                self._buffers[call_id].append(text)

    def call_finished(self, call_id: int = 0) -> None:
        """A call ended: end its line, or write its collected text."""
        with self._lock:
            collected = "".join(self._buffers.pop(call_id, []))
            if call_id == self._live:
                self._live = None
                if self._live_tail and self._live_tail != "\n":
                    self._out("\n")
                for text in self._held:
                    self._out(text)
                self._held.clear()
            elif collected:
                text = collected if collected.endswith("\n") else collected + "\n"
                if self._live is None:
                    self._out(text)
                else:
                    self._held.append(text)
