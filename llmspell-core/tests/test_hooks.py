"""llmspell.hooks: the registry's order, the actions, failing hooks, and around()."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from llmspell.errors import ToolError, ValidationError
from llmspell.hooks import (
    POINTS,
    HookContext,
    HookOutcome,
    HookRegistry,
    Points,
    around,
    point_name,
)

P = Points("BeforeToolExecution", "AfterToolExecution", "ToolError", "ToolError")


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_points_are_the_design_list() -> None:
    assert len(POINTS) == 23
    assert point_name("before_tool_execution") == "BeforeToolExecution"
    assert point_name("beforetoolexecution") == "BeforeToolExecution"
    with pytest.raises(ValidationError, match="did you mean 'BeforeToolExecution'"):
        point_name("BeforeToolExecutio")


def test_priority_then_registration_order() -> None:
    reg = HookRegistry()
    calls: list[str] = []
    for name, prio in [("n1", "normal"), ("low", "low"), ("hi", "highest"), ("n2", "normal")]:
        reg.register("BeforeToolExecution", lambda ctx, n=name: calls.append(n), prio)
    reg.register("BeforeToolExecution", lambda ctx: calls.append("lowest"), "lowest")
    reg.register("BeforeToolExecution", lambda ctx: calls.append("high"), "HIGH")
    run(reg.run("BeforeToolExecution", {}))
    assert calls == ["hi", "high", "n1", "n2", "low", "lowest"]
    assert [h.priority for h in reg.list("BeforeToolExecution")][:2] == ["highest", "high"]


def test_bad_priority_and_function() -> None:
    reg = HookRegistry()
    with pytest.raises(ValidationError, match="unknown hook priority 'urgent'"):
        reg.register("BeforeToolExecution", lambda c: None, "urgent")
    with pytest.raises(ValidationError, match="must be a function"):
        reg.register("BeforeToolExecution", "nope")  # type: ignore[arg-type]


def test_unregister_and_has() -> None:
    reg = HookRegistry()
    h = reg.register("ToolError", lambda c: None)
    assert reg.has("ToolError") and not reg.has("AgentError")
    assert reg.unregister(h) is True
    assert reg.unregister(h.id) is False
    assert not reg.has("ToolError")


def test_modified_data_flows_to_later_hooks() -> None:
    reg = HookRegistry()
    seen: list[Any] = []
    reg.register("BeforeToolExecution", lambda c: {"type": "modified", "data": {"x": 2}}, "high")
    reg.register("BeforeToolExecution", lambda c: seen.append(dict(c.data)))
    out = run(reg.run("BeforeToolExecution", {"x": 1, "y": 1}))
    assert seen == [{"x": 2, "y": 1}]
    assert out.action == "modified" and out.data == {"x": 2, "y": 1}


def test_first_deciding_hook_stops_the_rest() -> None:
    reg = HookRegistry()
    later: list[int] = []
    reg.register("BeforeToolExecution", lambda c: "skip", "high")
    reg.register("BeforeToolExecution", lambda c: later.append(1))
    out = run(reg.run("BeforeToolExecution", {}))
    assert out.action == "skip" and later == []
    assert out.by().startswith("hook 1")


def test_async_hooks_and_outcome_objects() -> None:
    reg = HookRegistry()

    async def hook(ctx: HookContext) -> HookOutcome:
        await asyncio.sleep(0)
        assert ctx.point == "AgentError" and ctx.component_id == "agent 'a'"
        return HookOutcome("replace", {"text": "recovered"})

    reg.register("AgentError", hook, name="recover")
    out = run(reg.run("AgentError", {}, component_id="agent 'a'"))
    assert out.action == "replace" and out.data == {"text": "recovered"}
    assert out.by() == "hook 1 (recover)"


@pytest.mark.parametrize(
    "returned, message",
    [
        (42, "returned number"),
        ("explode", "unknown action 'explode'"),
        ({"type": "modified"}, "'modified' needs data"),
        ({"type": "modified", "data": [1]}, "'modified' needs data = a table/object"),
    ],
)
def test_bad_returns_are_reported_and_ignored(returned: Any, message: str) -> None:
    reg = HookRegistry()
    reports: list[str] = []
    reg.register("BeforeToolExecution", lambda c: returned)
    out = run(reg.run("BeforeToolExecution", {}, report=reports.append))
    assert out.action == "continue"
    assert len(reports) == 1 and message in reports[0]
    assert reports[0].startswith("hook 1 at BeforeToolExecution failed:")


def test_raising_hook_is_reported_then_next_runs() -> None:
    reg = HookRegistry()
    reports: list[str] = []
    ran: list[int] = []

    def broken(ctx: HookContext) -> None:
        raise RuntimeError("oops")

    reg.register("BeforeToolExecution", broken, "high")
    reg.register("BeforeToolExecution", lambda c: ran.append(1))
    run(reg.run("BeforeToolExecution", {}, report=reports.append))
    assert ran == [1]
    assert reports == ["hook 1 at BeforeToolExecution failed: RuntimeError: oops"]


def test_on_error_fail_raises() -> None:
    reg = HookRegistry(on_error="fail")
    reg.register("BeforeToolExecution", lambda c: 1 / 0)
    with pytest.raises(ValidationError, match="ZeroDivisionError"):
        run(reg.run("BeforeToolExecution", {}))
    reg2 = HookRegistry(on_error="fail")
    reg2.register("BeforeToolExecution", lambda c: (_ for _ in ()).throw(ToolError("no")))
    with pytest.raises(ToolError, match="no"):
        run(reg2.run("BeforeToolExecution", {}))


# -- around ------------------------------------------------------------------------------


def _around(reg: HookRegistry, work: Any, data: dict[str, Any] | None = None) -> Any:
    return run(
        around(
            reg,
            P,
            data or {"params": {"a": 1}},
            work,
            component_id="tool 'demo'",
            skipped=lambda d: "SKIPPED",
            failure=lambda r: r.get("error") if isinstance(r, dict) else None,
        )
    )


def _ok(calls: list[Any]) -> Any:
    async def work(data: dict[str, Any]) -> Any:
        calls.append(data)
        return {"success": True, "n": len(calls)}

    return work


def test_around_without_hooks_just_runs() -> None:
    calls: list[Any] = []
    assert _around(HookRegistry(), _ok(calls)) == {"success": True, "n": 1}


def test_around_before_actions() -> None:
    for action, expected in [("skip", "SKIPPED"), ({"type": "replace", "data": 7}, 7)]:
        reg = HookRegistry()
        reg.register("BeforeToolExecution", lambda c, a=action: a)
        calls: list[Any] = []
        assert _around(reg, _ok(calls)) == expected
        assert calls == []
    reg = HookRegistry()
    reg.register("BeforeToolExecution", lambda c: "cancel")
    with pytest.raises(ToolError, match=r"tool 'demo' was cancelled by hook 1 .* at BeforeTool"):
        _around(reg, _ok([]))
    reg = HookRegistry()
    reg.register(
        "BeforeToolExecution", lambda c: {"type": "modified", "data": {"params": {"a": 5}}}
    )
    calls = []
    _around(reg, _ok(calls))
    assert calls == [{"params": {"a": 5}}]


def test_around_after_modified_and_replace() -> None:
    reg = HookRegistry()
    reg.register(
        "AfterToolExecution",
        lambda c: {"type": "modified", "data": {"result": {**c.data["result"], "extra": 1}}},
    )
    assert _around(reg, _ok([])) == {"success": True, "n": 1, "extra": 1}
    reg = HookRegistry()
    reg.register("AfterToolExecution", lambda c: {"type": "replace", "data": "new"})
    assert _around(reg, _ok([])) == "new"


def test_around_retry_is_bounded() -> None:
    reg = HookRegistry(max_retries=2)
    reg.register("AfterToolExecution", lambda c: "retry")
    calls: list[Any] = []
    assert _around(reg, _ok(calls)) == {"success": True, "n": 3}
    assert len(calls) == 3


def test_around_error_point_sees_failures_and_recovers() -> None:
    seen: list[dict[str, Any]] = []

    def on_error(ctx: HookContext) -> Any:
        seen.append(ctx.data)
        return {"type": "replace", "data": {"success": True, "recovered": True}}

    reg = HookRegistry()
    reg.register("ToolError", on_error)

    async def failing(data: dict[str, Any]) -> Any:
        return {"success": False, "error": "bad input"}

    assert _around(reg, failing) == {"success": True, "recovered": True}
    assert seen[0]["error"] == "bad input"

    async def raising(data: dict[str, Any]) -> Any:
        raise ToolError("exploded")

    assert _around(reg, raising) == {"success": True, "recovered": True}
    assert seen[1]["error"] == "exploded" and seen[1]["error_kind"] == "ToolError"


def test_around_error_retry_then_raise() -> None:
    reg = HookRegistry(max_retries=1)
    reg.register("ToolError", lambda c: "retry")
    attempts: list[int] = []

    async def raising(data: dict[str, Any]) -> Any:
        attempts.append(1)
        raise ToolError("still broken")

    with pytest.raises(ToolError, match="still broken"):
        _around(reg, raising)
    assert len(attempts) == 2
