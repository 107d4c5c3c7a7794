"""Helpers for testing globals, tools and hooks without a script engine.

:class:`OpHost` calls script-API ops the way an engine does (argument checks, sync and
async modes, host objects), each call in a fresh event loop; :class:`PyFunction` stands
in for a script function (a hook, a workflow step, a tool handler). Plugin authors can
test their globals with them; llmspell's own core tests do.

    host = OpHost(runtime)
    wf = host("Workflow.sequential", {"name": "w", "steps": [{"fn": PyFunction(lambda ctx: 1)}]})
    assert host.method(wf, "execute")["success"]
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from llmspell.engine import ScriptEngine
from llmspell.errors import LimitExceeded
from llmspell.ops import Op, ScriptFunction
from llmspell.runtime import Limits, RunSession, Runtime

__all__ = ["DeadlineContext", "OpHost", "PyFunction", "StubEngine"]


class DeadlineContext:
    """A tool context whose run has a wall-time limit ``seconds`` from now: wraps another
    context (``runtime.tool_context()``) and adds the :class:`RunSession` interface tools
    check (``deadline``, ``stop_error()``), to test that a tool stops at the run's limit."""

    def __init__(self, inner: Any, seconds: float) -> None:
        import time

        self._inner = inner
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def stop_error(self) -> LimitExceeded | None:
        """The run's wall-time error once the deadline has passed, else None."""
        import time

        if time.monotonic() > self.deadline:
            return LimitExceeded(
                f"wall-time limit of {self.seconds:g} s exceeded", limit="timeout"
            )
        return None


class StubEngine(ScriptEngine):
    """An engine that runs nothing: it gives a :class:`RunSession` its language
    (``lua``, so the Lua-only ``JSON`` global is bound too)."""

    name: ClassVar[str] = "lua"
    extensions: ClassVar[tuple[str, ...]] = (".stub",)

    async def run(self, source: str, chunk_name: str) -> Any:
        """Returns None: nothing runs."""
        return None


class PyFunction(ScriptFunction):
    """A "script function" backed by a Python callable (sync or async); records calls."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.calls: list[tuple[Any, ...]] = []

    async def __call__(self, *args: Any) -> Any:
        """Call the Python callable (awaiting it when it returns an awaitable)."""
        self.calls.append(args)
        value = self.fn(*args)
        if asyncio.iscoroutine(value):
            value = await value
        return value


class OpHost:
    """Calls a runtime's ops as an engine would, one event loop per call."""

    def __init__(self, runtime: Runtime, argv: Sequence[str] = ()) -> None:
        self.runtime = runtime
        self.session = RunSession(
            runtime,
            engine_cls=StubEngine,
            chunk_name="spell.stub",
            script_path=None,
            argv=argv,
            limits=Limits(),
            output=runtime.output,
        )

    def __call__(self, path: str, *args: Any) -> Any:
        """Call ``Global.function`` (``host("State.get", "k")``); aliases work too."""
        gname, fname = path.split(".", 1)
        spec = self.runtime.globals.get(gname)
        if spec is None:
            raise KeyError(f"no global {gname!r}")
        return self.run(spec.functions[spec.aliases.get(fname, fname)], args)

    def method(self, obj: Any, name: str, *args: Any) -> Any:
        """Call a method of a host object (``wf:execute(...)``)."""
        ot = self.session.object_type(obj)
        if ot is None:
            raise TypeError(f"{type(obj).__name__} is not a host object type")
        return self.run(ot.methods[name], (obj, *args))

    def run(self, op: Op, args: Sequence[Any]) -> Any:
        """One op call with script ``args``, awaited in a fresh loop."""

        async def go() -> Any:
            result = self.session.call(op, list(args))
            if asyncio.isfuture(result) or asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run(go())

    @property
    def stderr(self) -> str:
        """What the runtime wrote to stderr (when its output is a StringIO)."""
        return str(self.runtime.output.stderr.getvalue())  # type: ignore[attr-defined]
