"""Fixtures for the Lua engine tests: a Runtime (installed plugins, in-memory state) and a
``spell`` helper that runs Lua source and captures its output."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from llmspell.config import load_settings
from llmspell.errors import LLMSpellError
from llmspell.runtime import Limits, Output, Runtime

#: limits for ordinary tests: generous, but a runaway test still stops
DEFAULT_LIMITS = Limits(timeout_seconds=10, memory_mb=128)


@dataclass
class Ran:
    """A finished run: the spell's return value and what it printed."""

    value: Any
    stdout: str
    stderr: str


@dataclass
class Failed:
    """A failed run: the error and what was printed before it."""

    error: LLMSpellError
    stdout: str
    stderr: str


class Spell:
    """Runs Lua source on one Runtime (``t.lua`` unless told otherwise)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def run(
        self,
        source: str,
        *,
        limits: Limits | None = None,
        argv: Sequence[str] = (),
        chunk_name: str = "t.lua",
        merged: bool = False,
    ) -> Ran:
        """Run ``source``; it must succeed."""
        out = io.StringIO()
        err = out if merged else io.StringIO()
        result = self.runtime.run_sync(
            source,
            chunk_name=chunk_name,
            limits=limits or DEFAULT_LIMITS,
            output=Output(stdout=out, stderr=err),
            argv=list(argv),
        )
        return Ran(result.value, out.getvalue(), err.getvalue())

    def value(self, source: str, **kwargs: Any) -> Any:
        """Run ``source`` and return only its result."""
        return self.run(source, **kwargs).value

    def fail(
        self,
        source: str,
        *,
        limits: Limits | None = None,
        argv: Sequence[str] = (),
        chunk_name: str = "t.lua",
    ) -> Failed:
        """Run ``source``; it must raise an LLMSpellError, which is returned."""
        out, err = io.StringIO(), io.StringIO()
        try:
            result = self.runtime.run_sync(
                source,
                chunk_name=chunk_name,
                limits=limits or DEFAULT_LIMITS,
                output=Output(stdout=out, stderr=err),
                argv=list(argv),
            )
        except LLMSpellError as exc:
            return Failed(exc, out.getvalue(), err.getvalue())
        raise AssertionError(f"the spell did not fail; it returned {result.value!r}")

    def timed_fail(self, source: str, limits: Limits | None = None) -> tuple[Failed, float]:
        """:meth:`fail`, and the seconds it took."""
        start = time.monotonic()
        failed = self.fail(source, limits=limits)
        return failed, time.monotonic() - start

    def check_usable(self) -> None:
        """After a limit, the same Runtime runs another spell normally."""
        ran = self.run('print("still alive") return JSON.stringify({ok = true})')
        assert ran.stdout == "still alive\n"
        assert ran.value == '{"ok":true}'


def make_runtime(environ: Mapping[str, str] | None = None) -> Runtime:
    """A Runtime with installed plugins, no config files, in-memory state by default."""
    env = {"LLMSPELL_STATE_BACKEND": "memory", **(environ or {})}
    return Runtime(load_settings(environ=env, use_files=False))


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    rt = make_runtime()
    yield rt
    rt.close()


@pytest.fixture
def spell(runtime: Runtime) -> Spell:
    return Spell(runtime)


@pytest.fixture
def spell_factory() -> Iterator[Any]:
    """Build extra runtimes, each wrapped in a :class:`Spell` (closed after the test)."""
    made: list[Runtime] = []

    def factory(environ: Mapping[str, str] | None = None) -> Spell:
        rt = make_runtime(environ)
        made.append(rt)
        return Spell(rt)

    yield factory
    for rt in made:
        rt.close()
