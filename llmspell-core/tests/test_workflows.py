"""Workflows through the Workflow global: types, placeholders, error strategies, timeouts,
hooks, events and State (engines run the same through the conformance suite)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

import llmspell
from llmspell.errors import NotFoundError, ValidationError, WorkflowError
from llmspell.tools import Tool, ToolFailure


def _add(params: dict[str, Any], ctx: Any) -> Any:
    return {"sum": params["a"] + params["b"]}


def _fail(params: dict[str, Any], ctx: Any) -> Any:
    raise ToolFailure("no luck")


async def _slow(params: dict[str, Any], ctx: Any) -> Any:
    await asyncio.sleep(params.get("s", 0.2))
    return "slept"


class Tools:
    @llmspell.hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        obj = {"type": "object"}
        register(Tool(name="add", description="a+b", handler=_add, parameters=obj))
        register(Tool(name="fail", description="fails", handler=_fail, parameters=obj))
        register(Tool(name="slow", description="sleeps", handler=_slow, parameters=obj))
        register(
            Tool(
                name="echo", description="echo", handler=lambda p, c: p.get("input"), parameters=obj
            )
        )


@pytest.fixture
def host(api_host: Any) -> Any:
    return api_host(Tools())


def test_sequential_with_placeholders(host: Any, fn: Any) -> None:
    wf = host(
        "Workflow.sequential",
        {
            "name": "seq",
            "steps": [
                {"name": "sum", "tool": "add", "input": {"a": 2, "b": 3}},
                {
                    "name": "say",
                    "tool": "echo",
                    "input": "sum={{steps.sum.result.sum}} in={{input.x}}",
                },
                {
                    "name": "f",
                    "fn": fn(lambda ctx: [ctx["input"], ctx["steps"]["say"]["text"]]),
                    "input": "{{steps.say}}",
                },
                {"name": "list", "fn": fn(lambda ctx: {"items": ["a", "b"]})},
                {"name": "second", "tool": "echo", "input": "{{steps.list.result.items.2}}"},
            ],
        },
    )
    r = host.method(wf, "execute", {"x": 7})
    assert r["success"] is True
    assert r["text"] == "Sequential workflow 'seq' completed successfully (5 of 5 steps)"
    assert r["outputs"]["say"]["text"] == "sum=5 in=7"
    assert r["outputs"]["f"] == ["sum=5 in=7", "sum=5 in=7"]
    assert r["outputs"]["second"]["text"] == "b"
    extra = r["metadata"]["extra"]
    assert extra["workflow_type"] == "sequential" and extra["total_steps"] == 5
    assert extra["execution_id"].startswith("exec-")
    assert [s["name"] for s in r["steps"]] == ["sum", "say", "f", "list", "second"]


def test_missing_placeholder_fails_the_step_naming_it(host: Any) -> None:
    wf = host(
        "Workflow.sequential",
        {"name": "p", "steps": [{"name": "a", "tool": "echo", "input": "{{steps.nope.text}}"}]},
    )
    with pytest.raises(WorkflowError, match=r"step 'a'.*\{\{steps.nope.text\}\} names no step"):
        host.method(wf, "execute", None)


def test_parallel_runs_concurrently_within_max_concurrency(host: Any) -> None:
    steps = [{"name": f"s{i}", "tool": "slow", "input": {"s": 0.2}} for i in range(6)]
    wf = host("Workflow.parallel", {"name": "par", "max_concurrency": 3, "steps": steps})
    started = time.perf_counter()
    r = host.method(wf, "execute", None)
    elapsed = time.perf_counter() - started
    assert r["success"] and [s["name"] for s in r["steps"]] == [f"s{i}" for i in range(6)]
    # two waves of 0.2 s, not six (generous bound: this is a behaviour, not a benchmark)
    assert elapsed < 1.0


def test_parallel_fail_fast_cancels_the_rest(host: Any) -> None:
    steps = [{"name": "slow", "tool": "slow", "input": {"s": 5}}, {"name": "bad", "tool": "fail"}]
    wf = host("Workflow.parallel", {"name": "pf", "steps": steps})
    started = time.perf_counter()
    with pytest.raises(WorkflowError, match="failed at step 'bad': ToolError: no luck"):
        host.method(wf, "execute", None)
    assert time.perf_counter() - started < 2


def test_continue_and_retry(host: Any, fn: Any) -> None:
    wf = host(
        "Workflow.sequential",
        {
            "name": "c",
            "error_strategy": "continue",
            "steps": [
                {"name": "bad", "tool": "fail"},
                {"name": "ok", "tool": "add", "input": {"a": 1, "b": 1}},
            ],
        },
    )
    r = host.method(wf, "execute", None)
    assert r["success"] is False and r["metadata"]["extra"]["failed_steps"] == 1
    assert r["steps"][0] == {
        "name": "bad",
        "success": False,
        "duration_ms": r["steps"][0]["duration_ms"],
        "error": "ToolError: no luck",
    }
    assert "completed with 1 failed step(s) (1 of 2 succeeded)" in r["text"]
    attempts: list[int] = []

    def flaky(ctx: Any) -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise llmspell.ToolError("not yet")
        return "third time"

    wf = host(
        "Workflow.sequential",
        {
            "name": "r",
            "error_strategy": "retry",
            "max_retries": 3,
            "backoff_ms": 1,
            "steps": [{"name": "f", "fn": fn(flaky)}],
        },
    )
    assert host.method(wf, "execute", None)["outputs"]["f"] == "third time"
    assert len(attempts) == 3


def test_validation_errors_are_not_retried(host: Any, fn: Any) -> None:
    calls: list[int] = []

    def bad(ctx: Any) -> None:
        calls.append(1)
        raise ValidationError("wrong input")

    wf = host(
        "Workflow.sequential",
        {"name": "v", "steps": [{"name": "f", "fn": fn(bad), "retry_count": 5}]},
    )
    with pytest.raises(WorkflowError, match="ValidationError: wrong input"):
        host.method(wf, "execute", None)
    assert calls == [1]


def test_timeouts(host: Any) -> None:
    wf = host(
        "Workflow.sequential",
        {
            "name": "t",
            "timeout_ms": 100,
            "steps": [{"name": "s", "tool": "slow", "input": {"s": 5}}],
        },
    )
    with pytest.raises(WorkflowError, match="timed out after 100 ms"):
        host.method(wf, "execute", None)
    wf = host(
        "Workflow.sequential",
        {
            "name": "st",
            "error_strategy": "continue",
            "steps": [
                {"name": "s", "tool": "slow", "input": {"s": 5}, "timeout_ms": 50},
                {"name": "after", "tool": "echo", "input": "x"},
            ],
        },
    )
    r = host.method(wf, "execute", None)
    assert (
        r["steps"][0]["error"]
        == "TimeoutError: step 's' timed out after 50 ms (raise the step's timeout_ms)"
        and r["outputs"]["after"]["text"] == "x"
    )


def test_conditional_declarative_and_function(host: Any, fn: Any) -> None:
    def make(condition: Any) -> Any:
        return host(
            "Workflow.conditional",
            {
                "name": "c",
                "condition": condition,
                "then_steps": [{"name": "t", "tool": "echo", "input": "then"}],
                "else_steps": [{"name": "e", "tool": "echo", "input": "else"}],
            },
        )

    assert (
        host.method(make({"type": "always"}), "execute", None)["metadata"]["extra"]["branch"]
        == "then"
    )
    assert host.method(make({"type": "never"}), "execute", None)["outputs"]["e"]["text"] == "else"
    wf = make({"type": "shared_data_equals", "key": "mode", "value": 1})
    host.method(wf, "set_shared_data", "mode", 1.0)
    assert "t" in host.method(wf, "execute", None)["outputs"]
    wf = make(fn(lambda ctx: ctx["input"] == "go"))
    assert "t" in host.method(wf, "execute", "go")["outputs"]
    assert "e" in host.method(wf, "execute", "stop")["outputs"]


def test_loops(host: Any, fn: Any) -> None:
    wf = host(
        "Workflow.loop",
        {
            "name": "r",
            "range": {"start": 3, "end": 1, "step": -1},
            "steps": [{"name": "i", "tool": "echo", "input": "{{loop.index}}:{{loop.item}}"}],
        },
    )
    r = host.method(wf, "execute", None)
    assert [it["outputs"]["i"]["text"] for it in r["iterations"]] == ["1:3", "2:2", "3:1"]
    assert (
        r["outputs"]["i"]["text"] == "3:1" and r["metadata"]["extra"]["stopped_by"] == "completed"
    )
    wf = host(
        "Workflow.loop",
        {
            "name": "w",
            "while_fn": fn(lambda ctx: True),
            "max_iterations": 4,
            "steps": [{"name": "x", "fn": fn(lambda ctx: ctx["loop"]["index"])}],
        },
    )
    r = host.method(wf, "execute", None)
    assert r["outputs"]["x"] == 4 and r["metadata"]["extra"]["stopped_by"] == "max_iterations"
    wf = host(
        "Workflow.loop",
        {
            "name": "b",
            "collection": ["a", "b", "c"],
            "break_when": fn(lambda ctx: ctx["steps"]["x"] == "b"),
            "steps": [{"name": "x", "fn": fn(lambda ctx: ctx["loop"]["item"])}],
        },
    )
    r = host.method(wf, "execute", None)
    assert len(r["iterations"]) == 2 and r["metadata"]["extra"]["stopped_by"] == "break_when"


def test_nested_workflow_sees_outer_outputs(host: Any) -> None:
    inner = host(
        "Workflow.sequential",
        {
            "name": "inner",
            "steps": [{"name": "i", "tool": "echo", "input": "outer said {{steps.o.text}}"}],
        },
    )
    outer = host(
        "Workflow.sequential",
        {
            "name": "outer",
            "steps": [
                {"name": "o", "tool": "echo", "input": "hi"},
                {"name": "n", "workflow": inner},
            ],
        },
    )
    r = host.method(outer, "execute", None)
    assert r["outputs"]["n"]["outputs"]["i"]["text"] == "outer said hi"


@pytest.mark.parametrize(
    "table, error, message",
    [
        ({"name": "x", "steps": [{"name": "a", "tool": "nope"}]}, NotFoundError, "nope"),
        (
            {"name": "x", "steps": [{"name": "a", "tool": "echo", "inptu": 1}]},
            ValidationError,
            "did you mean 'input'",
        ),
        (
            {"name": "x", "steps": [{"name": "a", "tool": "echo"}, {"name": "a", "tool": "echo"}]},
            ValidationError,
            "two steps are called 'a'",
        ),
        ({"name": "x", "steps": []}, ValidationError, "needs at least one step"),
        ({"name": "x", "steps": [{"name": "a"}]}, ValidationError, "'type' must be one of"),
        (
            {"name": "x", "error_strategy": "yolo", "steps": [{"tool": "echo"}]},
            ValidationError,
            "error_strategy must be one of",
        ),
        ({"name": "x", "stepz": []}, ValidationError, "did you mean 'steps'"),
    ],
)
def test_build_errors(host: Any, table: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        host("Workflow.sequential", table)


def test_loop_and_conditional_shape_errors(host: Any, fn: Any) -> None:
    with pytest.raises(ValidationError, match="exactly one of range, collection or while_fn"):
        host("Workflow.loop", {"name": "l", "steps": [{"tool": "echo"}]})
    with pytest.raises(ValidationError, match="needs a condition"):
        host("Workflow.conditional", {"name": "c", "then_steps": [{"tool": "echo"}]})
    with pytest.raises(ValidationError, match="range step must not be 0"):
        host(
            "Workflow.loop",
            {"name": "l", "range": {"end": 3, "step": 0}, "steps": [{"tool": "echo"}]},
        )


def test_outputs_saved_to_state_and_listed(host: Any) -> None:
    wf = host(
        "Workflow.sequential",
        {"name": "saved", "steps": [{"name": "a", "tool": "echo", "input": "one"}]},
    )
    host.method(wf, "execute", None)
    assert host("State.workflow_get", "saved", "a")["text"] == "one"
    assert host("State.workflow_list", "saved") == ["a"]
    assert [w["id"] for w in host("Workflow.list")] == ["saved"]
    assert host("Workflow.get", "saved") is wf and host("Workflow.get", "other") is None


def test_hooks_and_events_fire(host: Any, fn: Any) -> None:
    order: list[str] = []
    rt = host.runtime
    for point in (
        "BeforeWorkflowStart",
        "BeforeWorkflowStage",
        "AfterWorkflowStage",
        "WorkflowStageTransition",
        "AfterWorkflowComplete",
    ):
        rt.hooks.register(
            point, lambda ctx, p=point: order.append(f"{p}:{ctx.data.get('step', '')}")
        )
    rt.hooks.register(
        "BeforeWorkflowStage", lambda ctx: "skip" if ctx.data["step"] == "b" else None, "low"
    )
    sub = rt.events.subscribe("workflow.*")
    wf = host(
        "Workflow.sequential",
        {
            "name": "h",
            "steps": [
                {"name": "a", "tool": "echo", "input": "1"},
                {"name": "b", "tool": "echo", "input": "2"},
            ],
        },
    )
    r = host.method(wf, "execute", None)
    assert r["steps"][1] == {
        "name": "b",
        "success": True,
        "duration_ms": r["steps"][1]["duration_ms"],
        "skipped": True,
    }
    assert "b" not in r["outputs"] and r["metadata"]["extra"]["total_steps"] == 1
    assert order == [
        "BeforeWorkflowStart:", "BeforeWorkflowStage:a", "AfterWorkflowStage:a",
        "WorkflowStageTransition:", "BeforeWorkflowStage:b", "AfterWorkflowComplete:",
    ]  # fmt: skip
    types = []
    while (e := rt.events.poll(sub.id)) is not None:
        types.append(e.event_type)
        assert e.correlation_id == r["metadata"]["extra"]["execution_id"]
    assert types == [
        "workflow.started",
        "workflow.step.started",
        "workflow.step.completed",
        "workflow.step.started",
        "workflow.step.completed",
        "workflow.completed",
    ]


def test_stage_hook_replace_and_start_cancel(host: Any) -> None:
    rt = host.runtime
    rt.hooks.register("AfterWorkflowStage", lambda ctx: {"type": "replace", "data": "swapped"})
    wf = host(
        "Workflow.sequential", {"name": "x", "steps": [{"name": "a", "tool": "echo", "input": "1"}]}
    )
    assert host.method(wf, "execute", None)["outputs"]["a"] == "swapped"
    rt.hooks.register("BeforeWorkflowStart", lambda ctx: "cancel")
    with pytest.raises(WorkflowError, match=r"cancelled by hook .* at BeforeWorkflowStart"):
        host.method(wf, "execute", None)


def test_runaway_nesting_is_a_clear_error(host: Any, fn: Any) -> None:
    box: dict[str, Any] = {}
    step = {"name": "self", "fn": fn(lambda ctx: box["wf"].execute(host.session))}
    box["wf"] = host("Workflow.sequential", {"name": "again", "steps": [step]})
    with pytest.raises(WorkflowError) as info:
        host.method(box["wf"], "execute", None)
    assert "nested more than 32 deep (does a step run its own workflow?)" in info.value.message
    assert len(info.value.message) < 3000  # the chain of nested failures is shortened
