"""The core's part of the limits (issue 11): stop/stop_error, the watchdog in
cooperative mode, the RSS watch, limit ranges, event queues in bytes, sizing, loop
workflows under the deadline, and handle type checks."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Iterator
from typing import Any

import pytest

import llmspell
from llmspell.config import load_settings
from llmspell.engine import ScriptEngine
from llmspell.errors import (
    ConfigurationError,
    Interrupted,
    LimitExceeded,
    ValidationError,
    split_kind,
)
from llmspell.events import EventBus
from llmspell.ops import ObjectType, Param, check_param, method
from llmspell.plugins import PluginLoader
from llmspell.runtime import Limits, Output, RunSession, Runtime
from llmspell.sizing import approx_bytes
from llmspell.watchdog import Watchdog, grace_for, watchdog

# -- a fake engine whose "script" is a Python coroutine --------------------------------------

BEHAVIOUR: dict[str, Any] = {}


class SleepyEngine(ScriptEngine):
    name = "sleepy"
    extensions = (".sleepy",)
    language = "Sleepy"

    async def run(self, source: str, chunk_name: str) -> Any:
        return await BEHAVIOUR[source](self.session)


class Plugin:
    @llmspell.hookimpl
    def register_engines(self, register: Any) -> None:
        register(SleepyEngine)


def make_runtime(**overrides: Any) -> Runtime:
    settings = load_settings(
        environ={},
        use_files=False,
        overrides={("state", "backend"): "memory", **overrides},
    )
    loader = PluginLoader(autoload=False, environ={})
    loader.register(Plugin(), name="sleepy")
    return Runtime(settings, loader=loader, output=Output(io.StringIO(), io.StringIO()))


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    rt = make_runtime()
    yield rt
    rt.close()


def test_stop_makes_stop_error_and_check_deadline_raise(runtime: Runtime) -> None:
    seen: list[Any] = []

    async def script(session: RunSession) -> Any:
        assert session.stop_error() is None
        session.check_deadline()
        session.stop(Interrupted())
        session.stop(LimitExceeded("later reason"))  # the first reason wins
        seen.append(session.stop_error())
        session.check_deadline()

    BEHAVIOUR["stop"] = script
    with pytest.raises(Interrupted) as info:
        runtime.run_sync("stop", engine="sleepy", limits=Limits(timeout_seconds=5))
    assert isinstance(seen[0], Interrupted)
    assert info.value.kind == "Interrupted" and info.value.limit == "interrupt"


def test_interrupted_is_a_known_kind() -> None:
    assert split_kind("Interrupted: interrupted") == ("Interrupted", "interrupted")
    assert issubclass(Interrupted, LimitExceeded)


def test_a_stop_from_another_thread_cancels_a_run_waiting_on_the_host(runtime: Runtime) -> None:
    async def script(session: RunSession) -> Any:
        loop = asyncio.get_running_loop()
        loop.call_later(0.2, lambda: None)
        import threading

        threading.Timer(0.2, lambda: session.stop(Interrupted())).start()
        await asyncio.sleep(30)  # an agent call that takes long

    BEHAVIOUR["wait"] = script
    started = time.monotonic()
    with pytest.raises(Interrupted):
        runtime.run_sync("wait", engine="sleepy", limits=Limits(timeout_seconds=60))
    # the watchdog polls every 50 ms; far less than the 30 s the script waits
    assert time.monotonic() - started < 10


def test_deadline_while_waiting_on_the_host_is_a_timeout(runtime: Runtime) -> None:
    async def script(session: RunSession) -> Any:
        await asyncio.sleep(30)

    BEHAVIOUR["slow"] = script
    with pytest.raises(LimitExceeded) as info:
        runtime.run_sync("slow", engine="sleepy", limits=Limits(timeout_seconds=0.2))
    assert info.value.limit == "timeout"
    assert "wall-time limit of 0.2 s exceeded" in str(info.value)


def test_a_cancel_by_the_caller_is_not_turned_into_a_limit(runtime: Runtime) -> None:
    async def script(session: RunSession) -> Any:
        await asyncio.sleep(30)

    BEHAVIOUR["cancelled"] = script

    async def main() -> None:
        task = asyncio.ensure_future(runtime.run("cancelled", engine="sleepy"))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())


def test_runtime_is_usable_after_a_limit(runtime: Runtime) -> None:
    async def script(session: RunSession) -> Any:
        await asyncio.sleep(30)

    async def quick(session: RunSession) -> Any:
        return 42

    BEHAVIOUR["slow2"] = script
    BEHAVIOUR["quick"] = quick
    with pytest.raises(LimitExceeded):
        runtime.run_sync("slow2", engine="sleepy", limits=Limits(timeout_seconds=0.1))
    assert runtime.run_sync("quick", engine="sleepy").value == 42


def test_host_bytes_budget(runtime: Runtime) -> None:
    async def script(session: RunSession) -> Any:
        session.check_host_bytes(1024, "a small value")
        session.check_host_bytes(3 * 1024 * 1024, "a big value")

    BEHAVIOUR["bytes"] = script
    with pytest.raises(LimitExceeded) as info:
        runtime.run_sync("bytes", engine="sleepy", limits=Limits(host_memory_mb=2))
    assert info.value.limit == "host_memory"
    assert "a big value needs about 3 MB, over the host memory limit of 2 MB" in str(info.value)
    assert "--host-memory-mb" in str(info.value)


def test_rss_watch_stops_a_run_that_grows(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    import llmspell.watchdog as wd

    rss = [100 * 1024 * 1024]
    monkeypatch.setattr(wd, "_rss_bytes", lambda: rss[0])

    async def script(session: RunSession) -> Any:
        await asyncio.sleep(0.1)
        rss[0] += 10 * 1024 * 1024 * 1024  # the process grew by 10 GB
        await asyncio.sleep(30)

    BEHAVIOUR["grow"] = script
    with pytest.raises(LimitExceeded) as info:
        limits = Limits(timeout_seconds=60, memory_mb=64, host_memory_mb=64)
        runtime.run_sync("grow", engine="sleepy", limits=limits)
    assert info.value.limit == "host_memory"
    assert "host memory limit exceeded" in str(info.value)


def test_grace_is_half_the_limit_within_bounds() -> None:
    assert grace_for(1) == 0.5
    assert grace_for(0.1) == 0.5
    assert grace_for(4) == 2.0
    assert grace_for(300) == 5.0
    assert grace_for(None) == 5.0


def test_watchdog_exit_mode_prints_and_exits(monkeypatch: pytest.MonkeyPatch) -> None:
    dog = Watchdog()
    dog.set_mode("exit")
    exits: list[int] = []
    written: list[bytes] = []
    monkeypatch.setattr("os._exit", lambda code: exits.append(code))
    monkeypatch.setattr("os.write", lambda fd, data: written.append(data) or len(data))
    dog._exit(LimitExceeded("wall-time limit of 1 s exceeded").at("spell.lua", 3), 1)
    assert exits == [1]
    assert written[0].decode() == "spell.lua:3: LimitExceeded: wall-time limit of 1 s exceeded\n"
    dog.set_mode("cooperative")
    dog._exit(LimitExceeded("x"), 1)
    assert exits == [1]  # cooperative mode never ends the process


def test_watchdog_is_cooperative_by_default() -> None:
    assert watchdog.mode in ("cooperative", "exit")
    assert Watchdog().mode == "cooperative"


# -- limit ranges -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("memory_mb", 99999999999999999999, "from 1 to 1048576"),
        ("memory_mb", 0, "from 1 to 1048576"),
        ("instruction_limit", 99999999999999999999999, "from 0 to 9007199254740992"),
        ("timeout_seconds", -1, "greater than 0 and at most 31536000"),
        ("timeout_seconds", float("inf"), "greater than 0 and at most 31536000"),
        ("timeout_seconds", float("nan"), "greater than 0 and at most 31536000"),
        ("host_memory_mb", -5, "from 0 to 1048576"),
    ],
)
def test_out_of_range_limits_name_the_range(key: str, value: Any, words: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ={}, use_files=False, overrides={("runtime", key): value})
    assert f"runtime.{key}: must be {words}" in str(info.value)


def test_out_of_range_env_var_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(environ={"LLMSPELL_INSTRUCTION_LIMIT": "1" + "0" * 30}, use_files=False)
    assert "LLMSPELL_INSTRUCTION_LIMIT" in str(info.value)
    assert "from 0 to 9007199254740992" in str(info.value)


def test_host_memory_setting_and_env() -> None:
    s = load_settings(environ={"LLMSPELL_HOST_MEMORY_MB": "64"}, use_files=False)
    assert s.runtime.host_memory_mb == 64
    assert Limits.from_settings(s).host_memory_bytes == 64 * 1024 * 1024
    s0 = load_settings(environ={"LLMSPELL_HOST_MEMORY_MB": "0"}, use_files=False)
    assert Limits.from_settings(s0).host_memory_bytes is None


# -- sizing -------------------------------------------------------------------------------------


def test_approx_bytes_counts_shared_references_each_time() -> None:
    big = "x" * 1_000_000
    assert approx_bytes([big] * 200) > 200_000_000
    assert approx_bytes({"a": [1, 2, 3], "b": "hello"}) < 200


def test_approx_bytes_stops_past_the_limit() -> None:
    huge = ["y" * 1000] * 10_000_000  # ten million references, ~10 GB as text
    started = time.perf_counter()
    assert approx_bytes(huge, 1_000_000) > 1_000_000
    assert time.perf_counter() - started < 5  # it stopped early, not after 10M items


# -- events bounded in bytes --------------------------------------------------------------------


def test_event_queue_is_bounded_in_bytes() -> None:
    bus = EventBus(queue_size=1000, queue_bytes=3 * 1024 * 1024)
    sub = bus.subscribe("big.*")
    for _ in range(10):
        bus.publish("big.one", {"payload": "z" * (1024 * 1024)})
    assert len(sub.queue) == 2  # three would pass 3 MiB with their keys
    assert sub.queued_bytes <= 3 * 1024 * 1024
    assert sub.dropped == 8
    first = bus.poll(sub.id)
    assert first is not None and first.sequence == 9  # drop_oldest kept the newest
    assert sub.queued_bytes == sub.queue[0].size


def test_event_larger_than_the_queue_is_dropped() -> None:
    bus = EventBus(queue_size=10, queue_bytes=1024 * 1024, overflow="drop_newest")
    sub = bus.subscribe("*")
    bus.publish("small", 1)
    bus.publish("huge", "q" * (2 * 1024 * 1024))
    assert [e.event_type for e in sub.queue] == ["small"]
    assert sub.dropped == 1 and bus.stats()["queue_bytes"] == 1024 * 1024


# -- handles are type-checked at the op boundary -------------------------------------------------


class Thing:
    pass


class Other:
    pass


def test_method_self_must_be_its_object_type() -> None:
    thing_type = ObjectType("Thing", Thing)

    @method(thing_type, "poke")
    def poke(ctx: Any, obj: Thing) -> str:
        return "poked"

    op = thing_type.methods["poke"]
    assert op.bind_args([Thing()])  # the right type passes
    with pytest.raises(ValidationError) as info:
        op.bind_args([Other()])
    assert "Thing:poke: argument 1 'self' must be a Thing object, got Other" in str(info.value)
    with pytest.raises(ValidationError, match=r"Thing\.poke: .* must be a Thing object"):
        op.bind_args([{"not": "a handle"}], "camel")


def test_untyped_handle_param_accepts_anything() -> None:
    assert check_param("X.y", 1, Param("h", "handle"), 5) == 5
