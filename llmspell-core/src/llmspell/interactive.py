"""Interactive sessions: one engine state that runs entries one by one.

``llmspell repl`` and the Jupyter kernel keep one :class:`InteractiveSession` per
language. Each entry runs through :meth:`ScriptEngine.run_entry` under the same limits
as a spell (the wall-time limit and the instruction budget start over for every entry;
the engine's memory limit holds for the whole session), so a failed or interrupted
entry leaves the session usable.
"""

from __future__ import annotations

import asyncio
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
        self._closed = False

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
        # its own task: a stop that lands after the entry ended (the watchdog cancels the
        # watched task) must not cancel the caller's next await
        entry = asyncio.ensure_future(
            self.runtime.watched(session, session.engine.run_entry(source, name))
        )
        try:
            values: tuple[Any, ...] = await entry
        finally:
            self.runtime.last_usage = dict(session.usage)
        self.entries.append(source)
        return values

    def close(self) -> None:
        """Release the engine and whatever the entries left open."""
        if self._closed:
            return
        self._closed = True
        session = self.session
        session.engine.close()
        for cleanup in reversed(session.cleanups):
            cleanup()
