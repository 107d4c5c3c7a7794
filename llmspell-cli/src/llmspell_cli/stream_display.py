"""``llmspell run --stream``: agent tokens on stderr as they arrive, with a spinner
until the first token of each call (stdout stays the spell's own output)."""

from __future__ import annotations

import sys
from typing import Any


class StreamDisplay:
    """The stream observer the runtime calls for every agent call."""

    def __init__(self) -> None:
        from rich.console import Console

        self.console = Console(stderr=True)
        self._status: Any = None
        self._started = False

    def call_started(self, agent: str) -> None:
        """A call began: show a spinner until its first token."""
        self._started = False
        if self.console.is_terminal:
            self._status = self.console.status(f"[dim]{agent} is thinking…[/dim]")
            self._status.start()
        else:
            sys.stderr.write(f"[{agent}] ")

    def token(self, text: str) -> None:
        """A token arrived: stop the spinner and show it."""
        if not self._started:
            self._started = True
            self._stop_spinner()
        sys.stderr.write(text)
        sys.stderr.flush()

    def call_finished(self) -> None:
        """The call ended."""
        self._stop_spinner()
        sys.stderr.write("\n")
        sys.stderr.flush()

    def _stop_spinner(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None


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
