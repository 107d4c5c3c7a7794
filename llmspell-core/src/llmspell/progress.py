"""Progress of an agent call, for whoever shows it (the CLI's status line, a spell's
``Event.subscribe("provider.*")``).

An agent call runs inside :func:`agent_call`, which numbers it and remembers which run
it belongs to. Code far below the agent that cannot see the run — a provider adapter's
retry loop — reports through :func:`report_retry`, and the event reaches the run's bus
with the agent's name and the call's number. Outside an agent call nothing is reported.
"""

from __future__ import annotations

import contextvars
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from llmspell.lifecycle import publish

__all__ = [
    "AgentCall",
    "agent_call",
    "current_call",
    "current_tool_call",
    "current_tool_call_id",
    "report_retry",
    "tool_call",
]

_IDS = itertools.count(1)


@dataclass(frozen=True)
class AgentCall:
    """One agent execution: its number in the process, the agent and the run."""

    call_id: int
    agent: str
    model: str
    ctx: Any
    #: what the agent was asked (for observers in Python: the run log, traces)
    input: Any = None
    #: observers' notes about the call: ``result`` (the agent's result) when it answered
    notes: dict[str, Any] = field(default_factory=dict, compare=False)


_CURRENT: contextvars.ContextVar[AgentCall | None] = contextvars.ContextVar(
    "llmspell_agent_call", default=None
)
_TOOL_CALL: contextvars.ContextVar[tuple[str | None, Any] | None] = contextvars.ContextVar(
    "llmspell_tool_call", default=None
)


def current_call() -> AgentCall | None:
    """The agent call running in this task, if any."""
    return _CURRENT.get()


@contextmanager
def agent_call(ctx: Any, agent: str, model: str, input: Any = None) -> Iterator[AgentCall]:
    """Run the body as one numbered agent call of ``ctx``'s run."""
    call = AgentCall(next(_IDS), agent, model, ctx, input)
    token = _CURRENT.set(call)
    try:
        yield call
    finally:
        _CURRENT.reset(token)


@contextmanager
def tool_call(call_id: str | None, arguments: Any = None) -> Iterator[None]:
    """Run the body as the tool call ``call_id`` a model asked for, with ``arguments``
    (the id of the provider's tool call: ``execute_tool`` spans carry it; the run log
    keeps the arguments when content logging is on)."""
    token = _TOOL_CALL.set((call_id, arguments))
    try:
        yield
    finally:
        _TOOL_CALL.reset(token)


def current_tool_call_id() -> str | None:
    """The id of the model's tool call running in this task, if any."""
    current = _TOOL_CALL.get()
    return current[0] if current is not None else None


def current_tool_call() -> tuple[str | None, Any] | None:
    """``(id, arguments)`` of the model's tool call running in this task, if any."""
    return _TOOL_CALL.get()


def report_retry(
    *, provider: str, model: str, attempt: int, max_retries: int, delay_s: float, error: Any
) -> None:
    """Publish ``provider.retry``: a provider request failed and will be tried again
    after ``delay_s`` seconds (``attempt`` of ``max_retries``)."""
    call = _CURRENT.get()
    if call is None:
        return
    status = getattr(error, "status_code", None) or getattr(error, "status", None)
    info = {
        "agent": call.agent,
        "call_id": call.call_id,
        "provider": provider,
        "model": model,
        "attempt": attempt,
        "max_retries": max_retries,
        "delay_s": round(delay_s, 3),
        "status": status if isinstance(status, int) else None,
        "error": _describe(error),
    }
    publish(call.ctx, "provider.retry", info)


def _describe(error: Any) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    kind = type(error).__name__
    text = f"{kind}: {text}" if text else kind
    return text if len(text) <= 200 else text[:199] + "…"
