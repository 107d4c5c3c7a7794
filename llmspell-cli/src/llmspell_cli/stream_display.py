"""``llmspell run --stream``: agent tokens on stderr as they arrive, with a spinner
until the first token of a call (stdout stays the spell's own output); concurrent calls
in whole labelled lines."""

from __future__ import annotations

import sys
from typing import Any

from llmspell_cli._support import printable


class StreamDisplay:
    """The stream observer the runtime calls for every agent call.

    One call at a time streams as it arrives: ``[agent] `` then the tokens. While calls
    run concurrently (``Agent.execute_all``, parallel workflow steps) each call's text is
    collected and written in whole lines, each labelled with its agent
    (``[writer] ...``; ``[writer#2]`` when the same agent runs twice at once), so tokens
    of different calls never interleave inside a line.
    """

    def __init__(self, lock: Any = None) -> None:
        import threading

        self._lock = lock or threading.RLock()
        self._out = sys.stderr
        self._calls: dict[int, _Stream] = {}
        #: the call whose tokens are being written as they come (one call running)
        self._live: int | None = None
        self._spinner: Any = None
        if self._out.isatty():
            from rich.console import Console

            self._console: Any = Console(stderr=True)
        else:
            self._console = None

    def call_started(self, agent: str, call_id: int = 0) -> None:
        """A call began: label it, show a spinner until the first token of a lone call."""
        with self._lock:
            same = sum(1 for c in self._calls.values() if c.agent == agent)
            label = agent if same == 0 else f"{agent}#{same + 1}"
            self._calls[call_id] = _Stream(agent, label)
            if len(self._calls) == 1:
                self._live = call_id
                if self._console is not None:
                    self._spinner = self._console.status(f"{agent} is thinking…")
                    self._spinner.start()
            else:
                self._to_lines()

    def token(self, text: str, call_id: int = 0) -> None:
        """A token arrived: write it (a lone call) or collect it into whole lines."""
        text = printable(text)  # the model's text, not its control sequences
        with self._lock:
            stream = self._calls.get(call_id)
            if stream is None:
                return
            if self._live == call_id:
                self._stop_spinner()
                if not stream.opened:
                    self._write(f"[{stream.label}] ")
                    stream.opened = True
                self._write(text)
                return
            stream.pending += text
            *lines, stream.pending = stream.pending.split("\n")
            for line in lines:
                self._write(f"[{stream.label}] {line}\n")

    def call_finished(self, call_id: int = 0) -> None:
        """The call ended: end its line (or write what is left of it)."""
        with self._lock:
            stream = self._calls.pop(call_id, None)
            if stream is None:
                return
            if self._live == call_id:
                self._stop_spinner()
                self._live = None
                if stream.opened:
                    self._write("\n")
            elif stream.pending:
                self._write(f"[{stream.label}] {stream.pending}\n")

    def _to_lines(self) -> None:
        """A second call started: the live call's text continues as labelled lines."""
        self._stop_spinner()
        live = self._calls.get(self._live) if self._live is not None else None
        if live is not None and live.opened:
            self._write("\n")
        self._live = None

    def _write(self, text: str) -> None:
        self._out.write(text)
        self._out.flush()

    def _stop_spinner(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()
            self._spinner = None


class _Stream:
    """One call's label and the text not yet written as a whole line."""

    def __init__(self, agent: str, label: str) -> None:
        self.agent = agent
        self.label = label
        self.pending = ""
        self.opened = False


def print_usage(usage: dict[str, Any]) -> None:
    """The ``--usage`` table on stderr: a row per model, then the totals."""
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    rows: dict[str, Any] = usage.get("by_model") or {}
    if not rows:
        console.print("usage: no LLM calls in this run")
        return
    table = Table("model", "calls", "input tokens", "output tokens", "cost (USD)", title="usage")
    for model, row in sorted(rows.items()):
        cost = row.get("cost_usd")
        table.add_row(
            model, str(row["calls"]), str(row["input_tokens"]), str(row["output_tokens"]),
            f"{cost:.6f}" if cost is not None else "unknown",
        )  # fmt: skip
    total_cost = usage.get("cost_usd")
    table.add_row(
        "total", str(sum(r["calls"] for r in rows.values())), str(usage.get("input_tokens", 0)),
        str(usage.get("output_tokens", 0)),
        f"{total_cost:.6f}" if total_cost is not None else "unknown",
    )  # fmt: skip
    console.print(table)
