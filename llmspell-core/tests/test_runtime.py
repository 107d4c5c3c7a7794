"""The runtime with a minimal fake engine: ARGS parsing, running, limits, sessions."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import llmspell
from llmspell.config import load_settings
from llmspell.engine import ScriptEngine
from llmspell.errors import LimitExceeded, NotFoundError, ScriptError, ValidationError
from llmspell.ops import GlobalSpec, Param
from llmspell.plugins import PluginLoader
from llmspell.runtime import Limits, Output, RunResult, RunSession, Runtime, parse_args
from llmspell.state import MemoryStateBackend, SQLiteStateBackend

# -- a fake engine: the "source" names a Python coroutine function in SCRIPTS ----------------

Script = Callable[[RunSession], Awaitable[Any]]
SCRIPTS: dict[str, Script] = {}
CLOSED: list[str] = []


class FakeEngine(ScriptEngine):
    name = "fake"
    extensions = (".fake",)
    language = "Fake"

    async def run(self, source: str, chunk_name: str) -> Any:
        script = SCRIPTS.get(source.strip())
        if script is None:
            return source  # an unknown "script" evaluates to its own text
        return await script(self.session)

    def close(self) -> None:
        CLOSED.append(self.session.chunk_name)


class EnginePlugin:
    @llmspell.hookimpl
    def register_engines(self, register: Callable[..., None]) -> None:
        register(FakeEngine)


def script(fn: Script) -> Script:
    SCRIPTS[fn.__name__] = fn
    return fn


def make_runtime(overrides: dict[tuple[str, ...], Any] | None = None) -> Runtime:
    settings = load_settings(
        environ={},
        use_files=False,
        overrides={("state", "backend"): "memory", **(overrides or {})},
    )
    loader = PluginLoader(autoload=False, environ={})
    loader.register(EnginePlugin(), name="fake-engine")
    return Runtime(settings, loader=loader, output=Output(io.StringIO(), io.StringIO()))


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    CLOSED.clear()
    rt = make_runtime()
    yield rt
    rt.close()


async def op(session: RunSession, path: str, *args: Any) -> Any:
    gname, fname = path.split(".")
    spec = session.runtime.globals.get(gname)
    assert spec is not None
    result = session.call(spec.functions[fname], list(args))
    if asyncio.isfuture(result) or asyncio.iscoroutine(result):
        result = await result
    return result


# -- parse_args (script-api.md#args) --------------------------------------------------------------


def test_parse_args_spec_example() -> None:
    assert parse_args("s.lua", ["a", "b", "--k", "v", "--flag"]) == {
        0: "s.lua",
        1: "a",
        2: "b",
        "k": "v",
        "flag": "true",
    }


def test_parse_args_no_arguments() -> None:
    assert parse_args("spell.js", []) == {0: "spell.js"}


def test_parse_args_equals_form() -> None:
    assert parse_args("s", ["--k=v", "--empty=", "--expr=a=b"]) == {
        0: "s",
        "k": "v",
        "empty": "",
        "expr": "a=b",
    }


def test_parse_args_flag_followed_by_option() -> None:
    assert parse_args("s", ["--verbose", "--n", "3"]) == {0: "s", "verbose": "true", "n": "3"}


def test_parse_args_positional_after_options_keep_numbering() -> None:
    assert parse_args("s", ["--k=v", "x", "--flag", "--", "y"]) == {
        0: "s",
        "k": "v",
        "flag": "true",
        1: "x",
        2: "--",
        3: "y",
    }


def test_parse_args_negative_number_is_a_value() -> None:
    assert parse_args("s", ["--n", "-5", "-x"]) == {0: "s", "n": "-5", 1: "-x"}


def test_parse_args_last_repeat_wins() -> None:
    assert parse_args("s", ["--k", "1", "--k", "2"])["k"] == "2"


def test_parse_args_values_are_strings() -> None:
    args = parse_args("s", ["1", "--n", "2"])
    assert args[1] == "1"
    assert args["n"] == "2"
    assert all(isinstance(v, str) for v in args.values())


def test_parse_args_accepts_a_tuple() -> None:
    assert parse_args("s", ("a",)) == {0: "s", 1: "a"}


# -- Limits, Output, RunResult ----------------------------------------------------------------


def test_limits_from_settings() -> None:
    s = load_settings(
        environ={},
        use_files=False,
        overrides={("runtime", "timeout_seconds"): 9, ("runtime", "memory_mb"): 64},
    )
    limits = Limits.from_settings(s)
    assert limits.timeout_seconds == 9
    assert limits.memory_mb == 64
    assert limits.instruction_limit is None  # 0 in config means unlimited
    s2 = load_settings(environ={}, use_files=False, overrides={("runtime", "instruction_limit"): 5})
    assert Limits.from_settings(s2).instruction_limit == 5


def test_output_routes_streams() -> None:
    out, err = io.StringIO(), io.StringIO()
    o = Output(out, err)
    o.write("a\n")
    o.write("b\n", "stderr")
    o.write("c\n", "stdout")
    assert out.getvalue() == "a\nc\n"
    assert err.getvalue() == "b\n"
    assert o.stdout is out and o.stderr is err


def test_output_survives_a_closed_pipe() -> None:
    class Broken(io.StringIO):
        def write(self, s: str) -> int:
            raise BrokenPipeError

    err = io.StringIO()
    o = Output(Broken(), err)
    o.write("dropped")
    o.write("dropped again")
    o.write("still works\n", "stderr")
    assert err.getvalue() == "still works\n"


def test_run_result_json() -> None:
    r = RunResult({"a": 1}, 12.34567, "fake", {"total_tokens": 3})
    assert r.to_json() == {"result": {"a": 1}, "duration_ms": 12.346, "usage": {"total_tokens": 3}}


# -- running -----------------------------------------------------------------------------------


@script
async def returns_table(session: RunSession) -> Any:
    return {"answer": 42, "args": dict(session.args)}


def test_run_source(runtime: Runtime) -> None:
    result = runtime.run_sync("returns_table", engine="fake", argv=["x", "--k", "v"])
    assert isinstance(result, RunResult)
    assert result.engine == "fake"
    assert result.value["answer"] == 42
    assert result.value["args"] == {0: "<string>", 1: "x", "k": "v"}
    assert result.duration_ms >= 0
    assert result.usage == {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
    assert CLOSED == ["<string>"]


def test_run_path_uses_extension_and_file_name(runtime: Runtime, tmp_path: Path) -> None:
    spell = tmp_path / "hello.fake"
    spell.write_text("returns_table\n", encoding="utf-8")
    result = runtime.run_sync(path=spell, argv=["a"])
    assert result.value["args"] == {0: "hello.fake", 1: "a"}


def test_run_chunk_name(runtime: Runtime) -> None:
    result = runtime.run_sync("returns_table", engine="fake", chunk_name="custom.fake")
    assert result.value["args"][0] == "custom.fake"


def test_run_needs_source_or_path(runtime: Runtime) -> None:
    with pytest.raises(ValueError, match="source or path"):
        runtime.run_sync()


def test_run_missing_file(runtime: Runtime, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        runtime.run_sync(path=tmp_path / "nope.fake")


def test_run_undecodable_file(runtime: Runtime, tmp_path: Path) -> None:
    spell = tmp_path / "bad.fake"
    spell.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ScriptError, match="cannot read script"):
        runtime.run_sync(path=spell)


@pytest.mark.parametrize(
    ("name", "dist"), [("spell.js", "llmspell-engine-js"), ("spell.lua", "llmspell-engine-lua")]
)
def test_run_file_without_engine_names_the_distribution(
    runtime: Runtime, tmp_path: Path, name: str, dist: str
) -> None:
    spell = tmp_path / name
    spell.write_text("print('hi')")
    with pytest.raises(NotFoundError) as info:
        runtime.run_sync(path=spell)
    assert info.value.hint is not None and dist in info.value.hint


def test_run_unknown_extension(runtime: Runtime, tmp_path: Path) -> None:
    spell = tmp_path / "spell.xyz"
    spell.write_text("x")
    with pytest.raises(NotFoundError) as info:
        runtime.run_sync(path=spell)
    assert ".xyz" in str(info.value)
    assert info.value.hint is not None and "--engine" in info.value.hint


def test_engine_flag_beats_extension(runtime: Runtime, tmp_path: Path) -> None:
    spell = tmp_path / "spell.js"
    spell.write_text("plain text")
    assert runtime.run_sync(path=spell, engine="fake").value == "plain text"


def test_select_engine_default(runtime: Runtime) -> None:
    # the configured default is "lua", which this runtime does not have
    with pytest.raises(NotFoundError) as info:
        runtime.run_sync("x")
    assert "llmspell-engine-lua" in (info.value.hint or "")
    rt = make_runtime({("runtime", "default_engine"): "fake"})
    try:
        assert rt.select_engine(None, None) is FakeEngine
        assert rt.select_engine("no-extension", None) is FakeEngine
        assert rt.run_sync("x").value == "x"
    finally:
        rt.close()


@script
async def raises_script_error(session: RunSession) -> Any:
    raise ScriptError("boom").at("t.fake", 3)


def test_script_error_propagates_and_engine_is_closed(runtime: Runtime) -> None:
    with pytest.raises(ScriptError) as info:
        runtime.run_sync("raises_script_error", engine="fake")
    assert info.value.display() == "t.fake:3: ScriptError: boom"
    assert CLOSED == ["<string>"]


@script
async def sleeps(session: RunSession) -> Any:
    await asyncio.sleep(10)


def test_wall_time_limit(runtime: Runtime) -> None:
    with pytest.raises(LimitExceeded) as info:
        runtime.run_sync("sleeps", engine="fake", limits=Limits(timeout_seconds=0.05))
    assert info.value.limit == "timeout"
    assert str(info.value).startswith("wall-time limit of 0.05 s exceeded")
    assert info.value.hint is not None and "--timeout" in info.value.hint
    assert CLOSED == ["<string>"]
    # the runtime stays usable
    assert runtime.run_sync("after", engine="fake").value == "after"


def test_wall_time_limit_from_settings() -> None:
    rt = make_runtime({("runtime", "timeout_seconds"): 0.05})
    try:
        with pytest.raises(LimitExceeded):
            rt.run_sync("sleeps", engine="fake")
    finally:
        rt.close()


def test_check_deadline(runtime: Runtime) -> None:
    session = RunSession(
        runtime,
        engine_cls=FakeEngine,
        chunk_name="t",
        script_path=None,
        argv=(),
        limits=Limits(timeout_seconds=2),
        output=runtime.output,
    )
    assert session.deadline == pytest.approx(session.started + 2)
    session.check_deadline()  # not yet
    session.deadline = time.monotonic() - 0.001
    with pytest.raises(LimitExceeded) as info:
        session.check_deadline()
    assert info.value.limit == "timeout"
    assert "wall-time limit of 2 s exceeded" in str(info.value)


def test_no_timeout_means_no_deadline(runtime: Runtime) -> None:
    session = RunSession(
        runtime,
        engine_cls=FakeEngine,
        chunk_name="t",
        script_path=None,
        argv=(),
        limits=Limits(timeout_seconds=None),
        output=runtime.output,
    )
    assert session.deadline == float("inf")
    session.check_deadline()


ORDER: list[str] = []


@script
async def registers_cleanups(session: RunSession) -> Any:
    session.cleanups.append(lambda: ORDER.append("first"))
    session.cleanups.append(lambda: ORDER.append("second"))
    raise ScriptError("fail after registering cleanups")


def test_cleanups_run_in_reverse_even_on_error(runtime: Runtime) -> None:
    ORDER.clear()
    with pytest.raises(ScriptError):
        runtime.run_sync("registers_cleanups", engine="fake")
    assert ORDER == ["second", "first"]


def test_run_output_override(runtime: Runtime) -> None:
    out = Output(io.StringIO(), io.StringIO())

    @script
    async def writes(session: RunSession) -> Any:
        session.output.write("hello\n")

    runtime.run_sync("writes", engine="fake", output=out)
    assert out.stdout.getvalue() == "hello\n"
    assert runtime.output.stdout.getvalue() == ""  # type: ignore[attr-defined]


# -- RunSession.call ---------------------------------------------------------------------------


def _spec() -> GlobalSpec:
    spec = GlobalSpec("Probe")

    @spec.function("sync", Param("x", "integer"))
    def sync_op(ctx: RunSession, x: int) -> Any:
        return ("sync", x, ctx.chunk_name)

    @spec.function("async", Param("x", "integer"), mode="async")
    async def async_op(ctx: RunSession, x: int) -> Any:
        await asyncio.sleep(0)
        return ("async", x)

    @spec.function("blocking", Param("x", "integer"), mode="blocking")
    def blocking_op(ctx: RunSession, x: int) -> Any:
        import threading

        return ("blocking", x, threading.current_thread().name)

    @spec.function("fails")
    def fails(ctx: RunSession) -> Any:
        raise ValidationError("bad input")

    return spec


class ProbePlugin:
    @llmspell.hookimpl
    def register_globals(self, register: Callable[..., None]) -> None:
        register(_spec())


@pytest.fixture
def probe_runtime() -> Iterator[Runtime]:
    rt = make_runtime()
    rt.loader.register(ProbePlugin(), name="probe")
    rt.refresh()
    yield rt
    rt.close()


def test_session_call_modes(probe_runtime: Runtime) -> None:
    @script
    async def calls_modes(session: RunSession) -> Any:
        spec = session.runtime.globals.get("Probe")
        assert spec is not None
        sync_result = session.call(spec.functions["sync"], [1.0])
        async_result = session.call(spec.functions["async"], [2])
        assert asyncio.iscoroutine(async_result)
        blocking_result = session.call(spec.functions["blocking"], [3])
        assert asyncio.isfuture(blocking_result)
        return [sync_result, await async_result, await blocking_result]

    value = probe_runtime.run_sync("calls_modes", engine="fake").value
    assert value[0] == ("sync", 1, "<string>")
    assert value[1] == ("async", 2)
    kind, x, thread = value[2]
    assert (kind, x) == ("blocking", 3)
    assert thread.startswith("llmspell-io")


def test_session_call_validates_before_running(probe_runtime: Runtime) -> None:
    @script
    async def bad_call(session: RunSession) -> Any:
        return await op(session, "Probe.blocking", "three")

    with pytest.raises(
        ValidationError, match=r"Probe\.blocking: argument 1 'x' must be an integer"
    ):
        probe_runtime.run_sync("bad_call", engine="fake")


def test_session_call_propagates_host_errors(probe_runtime: Runtime) -> None:
    @script
    async def failing(session: RunSession) -> Any:
        return await op(session, "Probe.fails")

    with pytest.raises(ValidationError, match="bad input"):
        probe_runtime.run_sync("failing", engine="fake")


def test_session_globals_language_filter(runtime: Runtime) -> None:
    class LuaNamed(FakeEngine):
        name = "lua"

    class JsNamed(FakeEngine):
        name = "js"

    def names(cls: type[ScriptEngine]) -> list[str]:
        session = RunSession(
            runtime,
            engine_cls=cls,
            chunk_name="t",
            script_path=None,
            argv=(),
            limits=Limits(),
            output=runtime.output,
        )
        return [g.name for g in session.globals()]

    assert "JSON" in names(LuaNamed)  # Lua gets the JSON global
    assert "JSON" not in names(JsNamed)  # JavaScript keeps its own
    assert "State" in names(JsNamed)


def test_session_log_threshold() -> None:
    rt = make_runtime({("runtime", "log_level"): "info"})
    try:
        session = RunSession(
            rt,
            engine_cls=FakeEngine,
            chunk_name="t",
            script_path=None,
            argv=(),
            limits=Limits(),
            output=rt.output,
        )
        session.log("debug", "hidden")
        session.log("info", "shown", "mod")
        session.log("error", "also shown")
        assert rt.output.stderr.getvalue() == "[INFO] [mod] shown\n[ERROR] also shown\n"  # type: ignore[attr-defined]
        assert rt.output.stdout.getvalue() == ""  # type: ignore[attr-defined]
    finally:
        rt.close()


# -- state backend selection -------------------------------------------------------------------


def test_runtime_memory_state(runtime: Runtime) -> None:
    assert isinstance(runtime.state, MemoryStateBackend)
    assert runtime.state is runtime.state  # opened once


def test_runtime_sqlite_state_under_llmspell_home(tmp_path: Path) -> None:
    settings = load_settings(environ={}, use_files=False)
    assert settings.state.backend == "sqlite"
    rt = Runtime(settings, loader=PluginLoader(autoload=False, environ={}))
    try:
        backend = rt.state
        assert isinstance(backend, SQLiteStateBackend)
        # the autouse fixture points LLMSPELL_HOME into tmp_path
        assert backend.path == tmp_path / "llmspell-home" / "state.db"
        backend.set("s", "k", "1")
    finally:
        rt.close()
    assert (tmp_path / "llmspell-home" / "state.db").is_file()


def test_runtime_sqlite_state_configured_path(tmp_path: Path) -> None:
    path = tmp_path / "custom" / "my.db"
    settings = load_settings(environ={}, use_files=False, overrides={("state", "path"): str(path)})
    rt = Runtime(settings, loader=PluginLoader(autoload=False, environ={}))
    try:
        rt.state.set("s", "k", "1")
    finally:
        rt.close()
    assert path.is_file()


def test_close_is_idempotent_and_reopens_state(runtime: Runtime) -> None:
    first = runtime.state
    first.set("s", "k", "1")
    runtime.close()
    runtime.close()
    assert runtime.state is not first  # a fresh backend after close
