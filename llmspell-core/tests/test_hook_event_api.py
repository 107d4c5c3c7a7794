"""Hook and Event globals through the op table, and plugin hooks (register_hooks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import llmspell
from llmspell.errors import ToolError, ValidationError
from llmspell.tools import Tool


class Tools:
    @llmspell.hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        register(
            Tool(
                name="upper",
                description="upper-cases",
                handler=lambda p, c: p["text"].upper(),
                parameters={"type": "object", "properties": {"text": {"type": "string"}}},
            )
        )


class AuditPlugin:
    def __init__(self) -> None:
        self.seen: list[str] = []

    @llmspell.hookimpl
    def register_hooks(self, register: Callable[..., None]) -> None:
        register(
            "BeforeToolExecution",
            lambda ctx: self.seen.append(ctx.data["tool"]),
            "highest",
            name="audit",
        )


@pytest.fixture
def host(api_host: Any) -> Any:
    return api_host(Tools())


def test_register_list_unregister(host: Any, fn: Any) -> None:
    h = host("Hook.register", "BeforeToolExecution", fn(lambda ctx: None), "low")
    h2 = host("Hook.register", "before_tool_execution", fn(lambda ctx: None))
    assert [x["id"] for x in host("Hook.list")] == [h2.id, h.id]
    assert host.method(h, "hook_point") == "BeforeToolExecution" and host.method(h, "id") == h.id
    assert host("Hook.unregister", h) is True and host.method(h, "unregister") is False
    assert host("Hook.unregister", h2.id) is True and host("Hook.list") == []
    with pytest.raises(ValidationError, match="unknown hook point"):
        host("Hook.register", "Nowhere", fn(lambda ctx: None))
    assert len(host("Hook.points")) == 23


def test_script_hooks_end_with_the_run(host: Any, fn: Any) -> None:
    host("Hook.register", "ToolError", fn(lambda ctx: None))
    for cleanup in host.session.cleanups:
        cleanup()
    assert host.runtime.hooks.list() == []


def test_tool_hook_actions(host: Any, fn: Any) -> None:
    calls: list[Any] = []
    hook = host(
        "Hook.register",
        "BeforeToolExecution",
        fn(
            lambda ctx: (
                calls.append(ctx) or {"type": "modified", "data": {"params": {"text": "changed"}}}
            )
        ),
    )
    assert host("Tool.execute", "upper", {"text": "x"})["result"] == "CHANGED"
    ctx = calls[0]
    assert set(ctx) == {"point", "component_id", "data", "metadata", "correlation_id"}
    assert ctx["correlation_id"] == host.session.run_id and ctx["data"]["tool"] == "upper"
    host("Hook.unregister", hook)
    host("Hook.register", "BeforeToolExecution", fn(lambda ctx: "skip"))
    skipped = host("Tool.execute", "upper", {"text": "x"})
    assert skipped["success"] is True and skipped["skipped"] is True and skipped["result"] is None
    host.runtime.hooks.__init__()  # drop every hook
    host("Hook.register", "BeforeToolExecution", fn(lambda ctx: "cancel"))
    with pytest.raises(ToolError, match="cancelled by hook"):
        host("Tool.execute", "upper", {"text": "x"})


def test_failing_script_hook_is_reported_on_stderr(host: Any, fn: Any) -> None:
    def broken(ctx: Any) -> Any:
        raise llmspell.ScriptError("spell.lua:3: oops")

    host("Hook.register", "BeforeToolExecution", fn(broken))
    assert host("Tool.execute", "upper", {"text": "x"})["result"] == "X"
    assert (
        "[WARN] hook 1 at BeforeToolExecution failed: ScriptError: spell.lua:3: oops" in host.stderr
    )


def test_on_error_fail_fails_the_call(api_host: Any, fn: Any) -> None:
    host = api_host(Tools(), overrides={("hooks", "on_error"): "fail"})
    host("Hook.register", "BeforeToolExecution", fn(lambda ctx: 1 / 0))
    with pytest.raises(ValidationError, match="ZeroDivisionError"):
        host("Tool.execute", "upper", {"text": "x"})


def test_plugin_hooks_share_the_registry(api_host: Any, fn: Any) -> None:
    audit = AuditPlugin()
    host = api_host(Tools(), audit)
    order: list[str] = []
    host("Hook.register", "BeforeToolExecution", fn(lambda ctx: order.append("script")))
    host("Tool.execute", "upper", {"text": "x"})
    assert audit.seen == ["upper"]
    listed = host("Hook.list", "BeforeToolExecution")
    assert listed[0]["source"] == "test-plugin-1" and listed[0]["name"] == "audit"
    assert listed[1]["source"] == "script"


def test_discovery_and_validation_hooks(host: Any, fn: Any) -> None:
    host(
        "Hook.register",
        "AfterToolDiscovery",
        fn(
            lambda ctx: {
                "type": "modified",
                "data": {"tools": [t for t in ctx["data"]["tools"] if t["name"] != "upper"]},
            }
        ),
    )
    assert host("Tool.list", None) == []
    host(
        "Hook.register",
        "ToolValidation",
        fn(lambda ctx: "cancel" if ctx["data"]["params"].get("text") == "no" else None),
    )
    with pytest.raises(ValidationError, match=r"rejected by hook .* at ToolValidation"):
        host("Tool.execute", "upper", {"text": "no"})


def test_state_changed_hook_and_event(host: Any, fn: Any) -> None:
    seen: list[Any] = []
    host("Hook.register", "StateChanged", fn(lambda ctx: seen.append(ctx["data"])))
    sub = host("Event.subscribe", "state.*")
    host("State.save", "s", "k", {"secret": "v"})
    host("State.delete", "s", "k")
    assert seen == [
        {"scope": "s", "key": "k", "action": "set"},
        {"scope": "s", "key": "k", "action": "delete"},
    ]
    first = host("Event.receive", sub, 0)
    assert first["event_type"] == "state.changed" and "secret" not in str(first)


def test_event_api(host: Any, fn: Any) -> None:
    sub = host("Event.subscribe", "app.*")
    assert host("Event.publish", "app.one", {"n": 1}) is True
    assert host("Event.publish", "app.two", None, {"correlation_id": "c-9"}) is True
    one = host("Event.receive", sub, 100)
    assert one["data"] == {"n": 1} and one["correlation_id"] == host.session.run_id
    assert host("Event.receive", sub, 100)["correlation_id"] == "c-9"
    assert host("Event.receive", sub, 10) is None
    assert host("Event.list_subscriptions")[0]["received"] == 2
    assert host("Event.get_stats")["published"] == 2
    assert host("Event.unsubscribe", sub) is True and host("Event.unsubscribe", sub) is False
    with pytest.raises(ValidationError, match="timeout_ms must be >= 0"):
        host("Event.receive", sub, -1)
    with pytest.raises(ValidationError, match="queue_size"):
        host("Event.subscribe", "*", {"queue_size": 0})


def test_event_published_hook(host: Any, fn: Any) -> None:
    sub = host("Event.subscribe", "*")
    host(
        "Hook.register",
        "EventPublished",
        fn(
            lambda ctx: (
                "skip"
                if ctx["data"]["event_type"] == "drop"
                else {"type": "modified", "data": {"data": "changed"}}
            )
        ),
    )
    assert host("Event.publish", "drop", 1) is False
    assert host("Event.publish", "keep", 1) is True
    assert host("Event.receive", sub, 0)["data"] == "changed"


def test_tool_events(host: Any) -> None:
    sub = host("Event.subscribe", "tool.*")
    host("Tool.execute", "upper", {"text": "x"})
    types = [host("Event.receive", sub, 0)["event_type"] for _ in range(2)]
    assert types == ["tool.started", "tool.completed"]


def test_event_options_take_both_spellings_and_reject_unknown_keys(host: Any) -> None:
    sub = host("Event.subscribe", "o.*", {"queueSize": 1})
    host("Event.publish", "o.a", 1, {"correlationId": "given"})
    host("Event.publish", "o.b", 2)
    event = host("Event.receive", sub, 0)
    assert event["data"] == 2  # the queue held one: the oldest was dropped
    with pytest.raises(ValidationError, match="unknown option 'queue'"):
        host("Event.subscribe", "*", {"queue": 1})
    with pytest.raises(ValidationError, match="unknown option 'correlation'"):
        host("Event.publish", "x", 1, {"correlation": "c"})


def test_workflow_save_fires_state_changed(host: Any, fn: Any) -> None:
    seen: list[Any] = []
    host("Hook.register", "StateChanged", fn(lambda ctx: seen.append(ctx["data"])))
    wf = host("Workflow.sequential", {"name": "w", "steps": [{"name": "a", "fn": fn(lambda c: 1)}]})
    host.method(wf, "execute", None)
    assert seen == [{"scope": "workflow:w", "keys": ["a"], "action": "set"}]


class LifecyclePlugin:
    def __init__(self) -> None:
        self.points: list[str] = []

    @llmspell.hookimpl
    def register_hooks(self, register: Callable[..., None]) -> None:
        for point in ("SystemStartup", "SystemShutdown"):
            register(point, lambda ctx: self.points.append(ctx.point))


def test_system_startup_and_shutdown_hooks(api_host: Any) -> None:
    import asyncio

    from llmspell.engine import ScriptEngine

    class Quiet(ScriptEngine):
        name = "quiet"
        extensions = (".q",)

        async def run(self, source: str, chunk_name: str) -> Any:
            return source

    plugin = LifecyclePlugin()
    host = api_host(plugin)
    rt = host.runtime
    rt.engines.register(Quiet)
    assert asyncio.run(rt.run("x", engine="quiet")).value == "x"
    asyncio.run(rt.run("y", engine="quiet"))  # startup fires once per runtime
    rt.close()
    assert plugin.points == ["SystemStartup", "SystemShutdown"]
