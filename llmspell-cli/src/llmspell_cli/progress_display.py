"""What a run is doing, on stderr: a live status line on a terminal, and the runtime's
own events as log lines with ``--log-level debug|trace``.

The display listens to the run's event bus (``agent.started``, ``agent.tool_round``,
``provider.retry``, ``workflow.step.completed``, ...). The status line shows the agent
calls in flight — agent, model, seconds so far, tokens so far, the tool round — and the
workflow step; it appears only once something has run for a moment, and it is cleared
before anything else is written to the terminal, so the spell's own output and the line
never mix. A retry is worth a line of its own (``429 from openai — retry 2/3 in 1.8 s``).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import dataclass
from typing import IO, Any

from llmspell_cli._support import printable

__all__ = ["ProgressDisplay"]

#: events logged at ``--log-level debug`` (the runtime's own work); trace logs all
_DEBUG_PREFIXES = ("agent.", "provider.", "tool.", "workflow.")
_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
#: how long something runs before the status line shows it (no flicker for quick calls)
_SHOW_AFTER_S = 0.3
_TICK_S = 0.1


@dataclass
class _Call:
    agent: str
    model: str
    started: float
    rounds: int = 0
    tokens: int = 0


class _Guarded:
    """A text stream whose writers first clear the status line (and take the lock)."""

    def __init__(self, stream: IO[str], display: ProgressDisplay) -> None:
        self._stream = stream
        self._display = display

    def write(self, text: str) -> int:
        with self._display.lock:
            self._display._clear()
            return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class ProgressDisplay:
    """The status line and event log of one ``llmspell run``."""

    def __init__(self, *, live: bool, log_events: str | None, stream: IO[str] | None = None):
        #: ``True``: draw the status line (stderr is a terminal, no ``--quiet``)
        self.live = live
        #: ``"llm"`` (debug: agent, provider, tool and workflow events), ``"all"``, None
        self.log_events = log_events
        self.lock = threading.RLock()
        self._out = stream or sys.stderr
        self._calls: dict[int, _Call] = {}
        self._step: str | None = None
        self._step_started = 0.0
        self._shown = False
        self._listener: int | None = None
        self._bus: Any = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._saved: tuple[Any, Any] | None = None
        self._frame = 0

    # -- wiring ----------------------------------------------------------------------

    def attach(self, runtime: Any) -> None:
        """Listen to ``runtime``'s events; on a live terminal guard stdout and stderr."""
        self._bus = runtime.events
        self._listener = self._bus.add_listener("*", self._on_event)
        if self.live:
            self._saved = (sys.stdout, sys.stderr)
            if sys.stdout.isatty():
                sys.stdout = _Guarded(sys.stdout, self)
            sys.stderr = _Guarded(sys.stderr, self)

    def close(self) -> None:
        """Stop listening, clear the line, give the streams back (idempotent)."""
        if self._listener is not None and self._bus is not None:
            self._bus.remove_listener(self._listener)
            self._listener = None
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=1)
            self._thread = None
        with self.lock:
            self._clear()
            if self._saved is not None:
                sys.stdout, sys.stderr = self._saved
                self._saved = None

    # -- events ----------------------------------------------------------------------

    def _on_event(self, event: Any) -> None:
        kind: str = event.event_type
        data = event.data if isinstance(event.data, dict) else {}
        if self.log_events == "all" or (
            self.log_events == "llm" and kind.startswith(_DEBUG_PREFIXES)
        ):
            self._log(kind, event.data)
        if kind == "provider.retry":
            self._note(_retry_text(data))
        if not self.live:
            return
        with self.lock:
            call_id = data.get("call_id")
            if kind == "agent.started" and isinstance(call_id, int):
                model = str(data.get("model") or "")
                self._calls[call_id] = _Call(str(data.get("agent")), model, time.monotonic())
            elif kind in ("agent.completed", "agent.failed"):
                self._calls.pop(call_id, None)  # type: ignore[arg-type]
            elif kind == "agent.tool_round" and call_id in self._calls:
                call = self._calls[call_id]
                call.rounds = int(data.get("round") or call.rounds + 1)
                call.tokens = int((data.get("usage") or {}).get("total_tokens") or call.tokens)
            elif kind == "workflow.step.started":
                self._step = f"workflow {data.get('workflow')!r}: step {data.get('step')!r}"
                if isinstance(data.get("iteration"), int):
                    self._step += f" (iteration {data['iteration']})"
                self._step_started = time.monotonic()
            elif kind in ("workflow.step.completed", "workflow.completed", "workflow.failed"):
                self._step = None
        self._ensure_ticking()

    # -- drawing ---------------------------------------------------------------------

    def _ensure_ticking(self) -> None:
        if self._thread is None and self.live and not self._stop.is_set():
            self._thread = threading.Thread(
                target=self._tick, name="llmspell-progress", daemon=True
            )
            self._thread.start()

    def _tick(self) -> None:
        while not self._stop.wait(_TICK_S):
            with self.lock:
                self._draw()

    def _status(self) -> str | None:
        now = time.monotonic()
        shown = [c for c in self._calls.values() if now - c.started >= _SHOW_AFTER_S]
        parts = []
        for call in sorted(shown, key=lambda c: c.started)[:3]:
            text = f"{call.agent} ({call.model}) {now - call.started:.1f} s"
            if call.tokens:
                text += f", {call.tokens} tokens"
            if call.rounds:
                text += f", tool round {call.rounds}"
            parts.append(text)
        if len(shown) > 3:
            parts.append(f"+{len(shown) - 3} more")
        if self._step and (parts or now - self._step_started >= _SHOW_AFTER_S):
            parts.append(f"{self._step} {now - self._step_started:.1f} s")
        return " · ".join(parts) if parts else None

    def _draw(self) -> None:
        status = self._status()
        if status is None:
            self._clear()
            return
        self._frame += 1
        width = _columns(self._out)
        line = f"{_SPINNER[self._frame % len(_SPINNER)]} {printable(status)}"
        if len(line) > width - 1:
            line = line[: width - 2] + "…"
        self._out.write(f"\r\x1b[2K{line}")
        self._out.flush()
        self._shown = True

    def _clear(self) -> None:
        if self._shown:
            self._out.write("\r\x1b[2K")
            self._out.flush()
            self._shown = False

    def _note(self, text: str) -> None:
        with self.lock:
            self._clear()
            self._out.write(f"llmspell: {printable(text)}\n")
            self._out.flush()

    def _log(self, kind: str, data: Any) -> None:
        try:
            body = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
        except (TypeError, ValueError):
            body = repr(data)
        if len(body) > 300:
            body = body[:299] + "…"
        level = "DEBUG" if self.log_events == "llm" else "TRACE"
        with self.lock:
            self._clear()
            self._out.write(f"[{level}] [event] {kind} {body}\n")
            self._out.flush()


def _retry_text(data: dict[str, Any]) -> str:
    status = data.get("status")
    what = f"{status} from {data.get('provider')}" if status else str(data.get("error"))
    if status is None and data.get("provider"):
        what = f"{data.get('provider')}: {what}"
    return (
        f"{what} — retry {data.get('attempt')}/{data.get('max_retries')} in "
        f"{float(data.get('delay_s') or 0):.1f} s (agent {data.get('agent')!r})"
    )


def _columns(stream: IO[str]) -> int:
    import os

    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (OSError, ValueError, AttributeError):
        return 80
