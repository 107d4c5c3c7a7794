"""Interactive sessions: one engine state that runs entries one by one.

``llmspell repl`` and the Jupyter kernel keep one :class:`InteractiveSession` per
language. Each entry runs through :meth:`ScriptEngine.run_entry` under the same limits
as a spell (the wall-time limit and the instruction budget start over for every entry;
the engine's memory limit holds for the whole session), so a failed or interrupted
entry leaves the session usable.

The run log and tracing see a session as one run (its ``label``, ``<repl>`` or
``<kernel>``, is the spell name) made of entries: the runtime's Python listeners get
``interactive.started`` at the first entry, ``interactive.entry.started`` and
``interactive.entry.completed``/``interactive.entry.failed`` around each entry (in the
entry's task, so its agent and tool calls nest under it), and ``interactive.ended`` when
the session closes (docs/observability.md, "Interactive sessions").
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from llmspell.errors import ConfigurationError

if TYPE_CHECKING:
    from llmspell.runtime import Limits, Output, RunSession, Runtime

__all__ = ["InteractiveSession"]


class InteractiveSession:
    """An engine state that lives between entries (see the module docstring)."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        engine: str | None = None,
        limits: Limits | None = None,
        output: Output | None = None,
        chunk_name: str = "stdin",
    ) -> None:
        from llmspell.runtime import Limits, RunSession

        engine_cls = runtime.select_engine(None, engine)
        if not engine_cls.capabilities.get("interactive"):
            raise ConfigurationError(
                f"the {engine_cls.name} engine has no interactive mode",
                hint="choose an engine that has one: --engine lua or --engine js",
            )
        self.runtime = runtime
        self.chunk_name = chunk_name
        self.session: RunSession = RunSession(
            runtime,
            engine_cls=engine_cls,
            chunk_name=chunk_name,
            script_path=None,
            argv=(),
            limits=limits or Limits.from_settings(runtime.settings),
            output=output or runtime.output,
        )
        #: the source of every entry that ran without an error, in order
        self.entries: list[str] = []
        #: the spell name the run log and traces give the session
        self.label = "<interactive>"
        self._closed = False
        #: entries run so far (their index in the run log and traces)
        self.count = 0
        self._observed = False
        self._started = 0.0

    @property
    def engine_name(self) -> str:
        """The engine's registry name (``lua``, ``js``)."""
        return self.session.engine_name

    @property
    def naming(self) -> str:
        """How the engine spells API names: ``snake`` or ``camel``."""
        return self.session.naming

    async def run(self, source: str, *, chunk_name: str | None = None) -> tuple[Any, ...]:
        """Run one entry; returns the values to echo (``()`` for a statement).
        ``chunk_name`` names it in error locations (default: the session's).

        Raises what a run raises (:class:`~llmspell.errors.ScriptError` with the entry's
        line, :class:`~llmspell.errors.LimitExceeded`, ...); the session stays usable.
        """
        if self._closed:
            raise ConfigurationError("the interactive session is closed")
        await self.runtime.start()
        session = self.session
        session.renew()
        name = session.chunk_name = chunk_name or self.chunk_name
        self.count += 1
        work = self.runtime.watched(session, session.engine.run_entry(source, name))
        # its own task: a stop that lands after the entry ended (the watchdog cancels the
        # watched task) must not cancel the caller's next await
        entry = asyncio.ensure_future(self._observe(work, source, name))
        try:
            values: tuple[Any, ...] = await entry
        finally:
            self.runtime.last_usage = dict(session.usage)
        self.entries.append(source)
        return values

    async def _observe(self, work: Awaitable[Any], source: str, chunk: str) -> Any:
        """Run ``work`` (an entry) between its ``interactive.entry.*`` notifications."""
        runtime, session = self.runtime, self.session
        if not self._observed:
            self._observed = True
            if not hasattr(runtime, "observability"):
                from llmspell.observability import attach

                attach(runtime)
            self._started = time.perf_counter()
            self._notify("interactive.started", {"engine": session.engine_name})
        if not runtime.events.has_listeners:
            return await work
        info = {
            "index": self.count,
            "chunk": chunk,
            "engine": session.engine_name,
            "source": source,
        }
        before = dict(session.usage)
        start = time.perf_counter()
        self._notify("interactive.entry.started", info)
        try:
            values = await work
        except BaseException as exc:
            self._notify("interactive.entry.failed", self._ended(info, start, before, exc))
            raise
        self._notify("interactive.entry.completed", self._ended(info, start, before))
        return values

    def _ended(
        self,
        info: dict[str, Any],
        start: float,
        before: dict[str, Any],
        error: BaseException | None = None,
    ) -> dict[str, Any]:
        usage = self.session.usage
        out = {
            **info,
            "duration_ms": round((time.perf_counter() - start) * 1000, 3),
            "usage": {
                k: v - before.get(k, 0)
                for k, v in usage.items()
                if isinstance(v, int | float) and not isinstance(v, bool)
            },
            "session_usage": dict(usage),
        }
        if error is not None:
            out["error"] = str(error) or type(error).__name__
            out["error_kind"] = getattr(error, "kind", None) or type(error).__name__
        return out

    def _notify(self, event_type: str, data: dict[str, Any]) -> None:
        """A notification to the runtime's Python listeners (none: nothing is built)."""
        events = self.runtime.events
        if events.has_listeners:
            run_id = self.session.run_id
            events.notify(event_type, {"run_id": run_id, "spell": self.label, **data}, run_id)

    def close(self) -> None:
        """Release the engine and whatever the entries left open."""
        if self._closed:
            return
        self._closed = True
        if self._observed:
            duration = round((time.perf_counter() - self._started) * 1000, 3)
            usage = dict(self.session.usage)
            self._notify(
                "interactive.ended",
                {"duration_ms": duration, "usage": usage, "entries": self.count},
            )
        session = self.session
        session.engine.close()
        for cleanup in reversed(session.cleanups):
            cleanup()
