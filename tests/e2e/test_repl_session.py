"""The interactive-session contract (``ScriptEngine.run_entry``), the same for both
engines: globals and top-level declarations live on between entries, an expression's
value is echoed, errors carry the entry's line and leave the session usable, limits
start over for every entry."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import pytest

from llmspell.errors import ConfigurationError, LimitExceeded, LLMSpellError, ScriptError
from llmspell.interactive import InteractiveSession
from llmspell.runtime import Limits, Runtime


def _run(engine: str, entries: list[str], limits: Limits | None = None) -> list[Any]:
    """Each entry's echoed values, or the error it raised."""

    async def go() -> list[Any]:
        runtime = Runtime()
        session = runtime.interactive(engine=engine, limits=limits)
        out: list[Any] = []
        try:
            for entry in entries:
                try:
                    out.append(await session.run(entry))
                except LLMSpellError as exc:
                    out.append(exc)
        finally:
            session.close()
            runtime.close()
        return out

    return asyncio.run(go())


CASES = {
    "lua": [
        ("6 * 7", (42,)),
        ("local x = 10", ()),
        ("x + 1", (11,)),
        ("local function f(n) return n + x end", ()),
        ("f(1)", (11,)),
        ("local count = 0 function inc() count = count + 1 end", ()),
        ("inc() inc()", ()),
        ("count", (2,)),
        ("local x = x * 2", ()),
        ("x", (20,)),
        ("1, nil, 'a'", (1, None, "a")),
        ("{a = 1}", ({"a": 1},)),
        ("if true then local z = 1 end", ()),
        ("z", (None,)),
        ("State.save('repl', 'k', 'v')", (True,)),
        ("State.load('repl', 'k')", ("v",)),
    ],
    "js": [
        ("6 * 7", (42,)),
        ("let x = 10", ()),
        ("x + 1", (11,)),
        ("function f(n) { return n + x }", ()),
        ("f(1)", (11,)),
        ("const c = await Promise.resolve(5)", ()),
        ("c * 2", (10,)),
        ("await Promise.resolve(c + 1)", (6,)),
        ("async function g() { return 7 }\nconst r = await g()", ()),
        ("[r, g.name]", ([7, "g"],)),
        ("let a = 1,\n  b = await Promise.resolve(2)", ()),
        ("a + b", (3,)),
        ("({a: 1})", ({"a": 1},)),
        ("await State.save('repl', 'k', 'v')", (True,)),
        ("await State.load('repl', 'k')", ("v",)),
    ],
}


@pytest.mark.parametrize("engine", ["lua", "js"])
def test_entries_keep_their_state_and_echo_values(engine: str) -> None:
    entries = [entry for entry, _ in CASES[engine]]
    got = _run(engine, entries)
    for (entry, want), value in zip(CASES[engine], got, strict=True):
        assert value == want, f"{entry!r}: {value!r}"


@pytest.mark.parametrize(
    ("engine", "entries"),
    [
        ("lua", ["local y = 1", "error('boom')", "y + 1"]),
        ("js", ["let y = 1", "throw new Error('boom')", "y + 1"]),
    ],
)
def test_an_error_names_the_entry_line_and_the_session_goes_on(
    engine: str, entries: list[str]
) -> None:
    got = _run(engine, entries)
    err = got[1]
    assert isinstance(err, ScriptError)
    assert err.display() == "stdin:1: ScriptError: boom"
    assert got[2] == (2,)


@pytest.mark.parametrize(
    ("engine", "entry"),
    [("lua", "x = = 1"), ("js", "let = = 1")],
)
def test_a_syntax_error_is_reported_as_one(engine: str, entry: str) -> None:
    (err, after) = _run(engine, [entry, "1 + 1"])
    assert isinstance(err, ScriptError) and "syntax" in str(err).lower()
    assert err.line == 1
    assert after == (2,)


@pytest.mark.parametrize(
    ("engine", "loop"),
    [("lua", "while true do end"), ("js", "while (true) {}")],
)
def test_limits_start_over_for_every_entry(engine: str, loop: str) -> None:
    started = time.monotonic()
    got = _run(engine, [loop, "1", loop, "2"], Limits(timeout_seconds=0.5))
    assert isinstance(got[0], LimitExceeded) and got[0].limit == "timeout"
    assert got[1] == (1,)
    assert isinstance(got[2], LimitExceeded)
    assert got[3] == (2,)
    assert time.monotonic() - started < 10


def test_an_instruction_budget_is_per_entry() -> None:
    loop = "local n = 0 for i = 1, 100000 do n = n + 1 end"
    got = _run("lua", [loop, loop, "for i = 1, 1e9 do end"], Limits(instruction_limit=1_000_000))
    assert got[0] == () and got[1] == ()
    assert isinstance(got[2], LimitExceeded) and got[2].limit == "instructions"


def test_an_engine_without_an_interactive_mode_is_refused() -> None:
    from llmspell.engine import ScriptEngine

    class Batch(ScriptEngine):
        name = "batch"

        async def run(self, source: str, chunk_name: str) -> Any:
            return None

    runtime = Runtime()
    runtime.engines.register(Batch)
    try:
        with pytest.raises(ConfigurationError, match="no interactive mode"):
            InteractiveSession(runtime, engine="batch")
    finally:
        runtime.close()


def test_successful_entries_are_kept_in_order() -> None:
    async def go() -> list[str]:
        runtime = Runtime()
        session = runtime.interactive(engine="lua")
        for entry in ["x = 1", "error('no')", "x = x + 1"]:
            with contextlib.suppress(LLMSpellError):
                await session.run(entry)
        session.close()
        runtime.close()
        return session.entries

    assert asyncio.run(go()) == ["x = 1", "x = x + 1"]


def test_a_js_entry_stopped_while_awaiting_does_not_answer_for_the_next(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry stopped during an agent call (a limit here; Ctrl-C or a kernel interrupt
    alike) settles later inside QuickJS: its completion must not be taken for the
    completion of the entries after it."""
    from llmspell.config import load_settings
    from tests.e2e.scripted_openai import Reply, ScriptedOpenAI

    monkeypatch.setenv("SCRIPTED_KEY", "sk-scripted-test")

    async def go(server: ScriptedOpenAI) -> list[Any]:
        config = tmp_path / "llmspell.toml"
        config.write_text(server.toml(), encoding="utf-8")
        runtime = Runtime(load_settings(config))
        # generous against a loaded machine: only the agent call must outlast the limit
        session = runtime.interactive(engine="js", limits=Limits(timeout_seconds=2.5))
        out: list[Any] = []
        try:
            await session.run(
                "const a = await Agent.builder().name('s').model('scripted/m').build()"
            )
            for entry in ["const r = await a.execute('hi')", "6 * 7", "6 * 8"]:
                try:
                    out.append(await session.run(entry))
                except LLMSpellError as exc:
                    out.append(exc.kind)
            await asyncio.sleep(3.0)  # the reply comes: the stopped call settles now
            out.append(await session.run("6 * 9"))
        finally:
            session.close()
            runtime.close()
        return out

    with ScriptedOpenAI() as server:
        server.replies = [Reply(text="late", delay=5.0)]
        out = asyncio.run(go(server))
    assert out == ["LimitExceeded", (42,), (48,), (54,)]
