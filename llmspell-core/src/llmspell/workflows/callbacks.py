"""Script callbacks around workflow runs (rs-llmspell's ``wf:on_before_execute(fn)``,
``wf:on_after_execute(fn)``, ``wf:on_error(fn)``, ``Workflow.setDefaultErrorHandler(fn)``)
and the run-wide workflow debug switch (``Workflow.enableDebug(true)``).

A callback's error or return value never changes the run: a callback is told, it does
not decide (hooks do that, docs/hooks-and-events.md). A callback that raises is reported
on stderr and the run goes on.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from llmspell.errors import LimitExceeded, LLMSpellError
from llmspell.ops import ScriptFunction

__all__ = [
    "CALLBACK_KINDS",
    "RunOptions",
    "WorkflowCallbacks",
    "notify",
    "options_of",
    "reset_options",
]

#: the callbacks a workflow takes, by the name of the method that sets them
CALLBACK_KINDS = ("before_execute", "after_execute", "error")


@dataclass
class WorkflowCallbacks:
    """The script functions one workflow calls around its runs."""

    before_execute: list[ScriptFunction] = field(default_factory=list)
    after_execute: list[ScriptFunction] = field(default_factory=list)
    error: list[ScriptFunction] = field(default_factory=list)

    def of(self, kind: str) -> list[ScriptFunction]:
        """The functions registered for ``kind`` (one of :data:`CALLBACK_KINDS`)."""
        found: list[ScriptFunction] = getattr(self, kind)
        return found


@dataclass
class RunOptions:
    """Workflow settings a spell makes for the whole run (all its workflows)."""

    debug: bool = False
    error_handler: ScriptFunction | None = None


_OPTIONS: weakref.WeakKeyDictionary[Any, RunOptions] = weakref.WeakKeyDictionary()


def options_of(runtime: Any) -> RunOptions:
    """The run-wide workflow options of ``runtime`` (created on first use)."""
    options = _OPTIONS.get(runtime)
    if options is None:
        options = _OPTIONS[runtime] = RunOptions()
    return options


def reset_options(runtime: Any) -> None:
    """Forget the run-wide options (at the end of the run that set them: a later run of
    the same runtime starts without the earlier spell's handler)."""
    _OPTIONS.pop(runtime, None)


async def notify(ctx: Any, functions: list[ScriptFunction], data: Mapping[str, Any]) -> None:
    """Call each function with ``data``; a failing one is reported, not raised (the run's
    own limits still end the run)."""
    for fn in list(functions):
        try:
            await fn(dict(data))
        except LimitExceeded:
            raise
        except LLMSpellError as exc:
            report = getattr(ctx, "report", None)
            if report is not None:
                report(f"workflow {data.get('workflow')!r}: a callback failed: {exc}")
