"""tools.execute_tool: schema validation, the ToolResult shape, failures and timeouts."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from typing import Any

import pytest

from llmspell.errors import LimitExceeded, NotFoundError, SecurityError, ValidationError
from llmspell.testing import DeadlineContext
from llmspell.tools import Tool, ToolFailure, ToolOutput, execute_tool, validate_params

SCHEMA = {
    "type": "object",
    "properties": {
        "input": {"type": "string"},
        "operation": {"type": "string"},
        "options": {
            "type": "object",
            "properties": {"precision": {"type": "integer"}, "mode": {"enum": ["a", "b"]}},
            "required": ["mode"],
        },
        "items": {"type": "array", "items": {"type": "number"}},
    },
    "required": ["input"],
    "additionalProperties": False,
}


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def make(handler: Any, **kw: Any) -> Tool:
    kw.setdefault("parameters", SCHEMA)
    return Tool(name=kw.pop("name", "demo"), description="a demo tool", handler=handler, **kw)


def echo(params: dict[str, Any], ctx: Any) -> Any:
    return {"echo": params["input"]}


def assert_metadata(result: dict[str, Any], tool_name: str = "demo") -> None:
    meta = result["metadata"]
    assert meta["tool"] == tool_name
    assert isinstance(meta["execution_time_ms"], int | float)
    assert meta["execution_time_ms"] >= 0


# -- validation -------------------------------------------------------------------------------


def test_missing_required_parameter() -> None:
    called = []
    t = make(lambda p, c: called.append(p))
    with pytest.raises(ValidationError) as info:
        run(execute_tool(t, {}))
    assert str(info.value).startswith(
        "tool 'demo': parameter 'input': 'input' is a required property"
    )
    assert info.value.hint == "Tool.schema('demo') shows the parameters"
    assert called == []  # the handler never ran


def test_params_none_is_an_empty_table() -> None:
    with pytest.raises(ValidationError, match="parameter 'input'"):
        run(execute_tool(make(echo), None))


def test_wrong_type_names_the_parameter() -> None:
    with pytest.raises(ValidationError) as info:
        run(execute_tool(make(echo), {"input": 5}))
    msg = str(info.value)
    assert "parameter 'input'" in msg
    assert "is not of type 'string'" in msg


def test_nested_parameter_path() -> None:
    with pytest.raises(ValidationError, match=r"parameter 'options\.precision'"):
        run(execute_tool(make(echo), {"input": "x", "options": {"precision": "high", "mode": "a"}}))


def test_nested_required_parameter_path() -> None:
    with pytest.raises(ValidationError, match=r"parameter 'options\.mode': 'mode' is a required"):
        run(execute_tool(make(echo), {"input": "x", "options": {}}))


def test_enum_violation() -> None:
    with pytest.raises(ValidationError, match=r"parameter 'options\.mode'"):
        run(execute_tool(make(echo), {"input": "x", "options": {"mode": "c"}}))


def test_array_item_path() -> None:
    with pytest.raises(ValidationError, match=r"parameter 'items\[1\]'"):
        run(execute_tool(make(echo), {"input": "x", "items": [1, "two"]}))


def test_unexpected_parameter() -> None:
    with pytest.raises(ValidationError) as info:
        run(execute_tool(make(echo), {"input": "x", "extra": 1}))
    assert "'extra'" in str(info.value)
    assert "not allowed" in str(info.value)


# a schema with keywords the fast validator leaves to the jsonschema library
FALLBACK_SCHEMA = {
    "$defs": {"n": {"type": "number"}},
    "type": "object",
    "properties": {
        "values": {"type": "array", "items": {"$ref": "#/$defs/n"}},
        "opts": {
            "type": "object",
            "properties": {"deep": {"type": "array", "items": {}}},
            "required": ["need"],
        },
    },
    "required": ["values"],
}


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({}, "values"),
        ({"values": [1, "x"]}, "values[1]"),
        ({"values": [1], "opts": {}}, "opts.need"),
    ],
)
def test_parameter_paths_read_the_same_with_any_schema(params: dict[str, Any], path: str) -> None:
    # the message names the parameter the same way whichever validator ran
    for schema in (FALLBACK_SCHEMA, _without_refs(FALLBACK_SCHEMA)):
        with pytest.raises(ValidationError) as info:
            run(execute_tool(make(echo, parameters=schema), params))
        assert f"parameter '{path}'" in str(info.value), schema


def _without_refs(schema: dict[str, Any]) -> dict[str, Any]:
    simple = {k: v for k, v in schema.items() if k != "$defs"}
    props = dict(simple["properties"])
    props["values"] = {"type": "array", "items": {"type": "number"}}
    simple["properties"] = props
    return simple


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_non_finite_number_against_multiple_of(value: float) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "number", "multipleOf": 2}}}
    with pytest.raises(ValidationError, match="parameter 'n'"):
        run(execute_tool(make(echo, parameters=schema), {"n": value}))


def test_validate_params_directly() -> None:
    validate_params(make(echo), {"input": "ok", "items": [1, 2.5]})
    with pytest.raises(ValidationError):
        validate_params(make(echo), {"input": None})


def test_default_schema_accepts_anything() -> None:
    t = Tool(name="free", description="", handler=lambda p, c: p, inline=True)
    result = run(execute_tool(t, {"anything": [1, {"x": None}]}))
    assert result["success"] is True
    assert result["result"] == {"anything": [1, {"x": None}]}


# -- success -----------------------------------------------------------------------------------


def test_success_shape_with_structured_result() -> None:
    result = run(execute_tool(make(echo), {"input": "hi"}))
    assert result["success"] is True
    assert result["result"] == {"echo": "hi"}
    assert "text" not in result
    assert "error" not in result
    assert "error_kind" not in result
    assert "operation" not in result
    assert set(result) == {"success", "result", "metadata"}
    assert_metadata(result)


def test_string_result_is_also_text() -> None:
    result = run(execute_tool(make(lambda p, c: p["input"].upper()), {"input": "hi"}))
    assert result["result"] == "HI"
    assert result["text"] == "HI"


def test_none_result() -> None:
    result = run(execute_tool(make(lambda p, c: None), {"input": "x"}))
    assert result["success"] is True
    assert result["result"] is None
    assert "text" not in result


def test_tool_output_controls_fields() -> None:
    def handler(params: dict[str, Any], ctx: Any) -> ToolOutput:
        return ToolOutput(
            result={"lines": 2}, text="a\nb", operation="read", metadata={"path": "/tmp/x"}
        )

    result = run(execute_tool(make(handler), {"input": "x", "operation": "ignored"}))
    assert result["success"] is True
    assert result["result"] == {"lines": 2}
    assert result["text"] == "a\nb"
    assert result["operation"] == "read"
    assert result["metadata"]["path"] == "/tmp/x"
    assert_metadata(result)


def test_operation_comes_from_params() -> None:
    result = run(execute_tool(make(echo), {"input": "x", "operation": "hash"}))
    assert result["operation"] == "hash"


def test_handler_gets_params_and_ctx() -> None:
    seen: list[Any] = []
    ctx = object()
    run(execute_tool(make(lambda p, c: seen.append((p, c))), {"input": "x"}, ctx))
    assert seen == [({"input": "x"}, ctx)]


def test_handler_may_mutate_its_params_without_touching_the_callers() -> None:
    params = {"input": "x"}

    def handler(p: dict[str, Any], ctx: Any) -> None:
        p["added"] = True

    run(execute_tool(make(handler), params))
    assert params == {"input": "x"}


def test_async_handler() -> None:
    async def handler(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {"async": params["input"]}

    result = run(execute_tool(make(handler), {"input": "a"}))
    assert result == {
        "success": True,
        "result": {"async": "a"},
        "metadata": result["metadata"],
    }
    assert_metadata(result)


def test_sync_handler_runs_in_a_worker_thread() -> None:
    threads: list[threading.Thread] = []
    run(execute_tool(make(lambda p, c: threads.append(threading.current_thread())), {"input": "x"}))
    assert threads and threads[0] is not threading.main_thread()


def test_inline_handler_runs_on_the_loop_thread() -> None:
    threads: list[threading.Thread] = []
    t = make(lambda p, c: threads.append(threading.current_thread()), inline=True)
    run(execute_tool(t, {"input": "x"}))
    assert threads == [threading.main_thread()]


def test_sync_handlers_do_not_block_the_loop() -> None:
    def slow(params: dict[str, Any], ctx: Any) -> str:
        time.sleep(0.2)
        return params["input"]

    async def both() -> list[dict[str, Any]]:
        t = make(slow)
        return list(await asyncio.gather(*(execute_tool(t, {"input": str(i)}) for i in range(4))))

    start = time.perf_counter()
    results = run(both())
    elapsed = time.perf_counter() - start
    assert [r["result"] for r in results] == ["0", "1", "2", "3"]
    assert elapsed < 0.75  # ran concurrently, not 4 x 0.2 s


# -- failures ----------------------------------------------------------------------------------


def test_tool_failure_is_success_false() -> None:
    def handler(params: dict[str, Any], ctx: Any) -> None:
        raise ToolFailure("file not found: x.txt")

    result = run(execute_tool(make(handler), {"input": "x"}))
    assert result["success"] is False
    assert result["error"] == "file not found: x.txt"
    assert result["error_kind"] == "ToolError"
    assert "result" not in result
    assert_metadata(result)


def test_tool_failure_kind_and_operation() -> None:
    async def handler(params: dict[str, Any], ctx: Any) -> None:
        raise ToolFailure("HTTP 404", kind="NotFoundError", operation="get")

    result = run(execute_tool(make(handler), {"input": "x", "operation": "other"}))
    assert result["success"] is False
    assert result["error_kind"] == "NotFoundError"
    assert result["operation"] == "get"


def test_raising_handler_is_success_false() -> None:
    def handler(params: dict[str, Any], ctx: Any) -> None:
        raise ZeroDivisionError("division by zero")

    result = run(execute_tool(make(handler), {"input": "1/0"}))
    assert result["success"] is False
    assert result["error"] == "ZeroDivisionError: division by zero"
    assert result["error_kind"] == "ToolError"
    assert_metadata(result)


def test_raising_async_handler_is_success_false() -> None:
    async def handler(params: dict[str, Any], ctx: Any) -> None:
        raise KeyError("missing")

    result = run(execute_tool(make(handler), {"input": "x"}))
    assert result["success"] is False
    assert result["error"].startswith("KeyError")


def test_llmspell_error_from_handler_keeps_its_kind() -> None:
    def handler(params: dict[str, Any], ctx: Any) -> None:
        raise NotFoundError("no such file", hint="check the path")

    result = run(execute_tool(make(handler), {"input": "x"}))
    assert result["success"] is False
    assert result["error_kind"] == "NotFoundError"
    assert result["error"] == "no such file (check the path)"


@pytest.mark.parametrize("inline", [False, True])
def test_security_error_propagates(inline: bool) -> None:
    def handler(params: dict[str, Any], ctx: Any) -> None:
        raise SecurityError("path '/etc/shadow' is outside the allowed paths")

    with pytest.raises(SecurityError, match="outside the allowed paths"):
        run(execute_tool(make(handler, inline=inline), {"input": "x"}))


def test_security_error_from_async_handler_propagates() -> None:
    async def handler(params: dict[str, Any], ctx: Any) -> None:
        raise SecurityError("network access is disabled")

    with pytest.raises(SecurityError):
        run(execute_tool(make(handler), {"input": "x"}))


def test_validation_error_from_handler_propagates() -> None:
    def handler(params: dict[str, Any], ctx: Any) -> None:
        raise ValidationError("operation 'frobnicate' is not supported")

    with pytest.raises(ValidationError, match="frobnicate"):
        run(execute_tool(make(handler), {"input": "x"}))


# -- timeouts ----------------------------------------------------------------------------------


def test_async_handler_timeout() -> None:
    async def handler(params: dict[str, Any], ctx: Any) -> None:
        await asyncio.sleep(5)

    start = time.perf_counter()
    result = run(execute_tool(make(handler, timeout_seconds=0.05), {"input": "x"}))
    assert time.perf_counter() - start < 2
    assert result["success"] is False
    assert result["error_kind"] == "TimeoutError"
    assert result["error"] == "tool 'demo' timed out after 0.05 s"
    assert_metadata(result)


def test_sync_handler_timeout() -> None:
    def handler(params: dict[str, Any], ctx: Any) -> None:
        time.sleep(0.3)

    result = run(execute_tool(make(handler, timeout_seconds=0.05), {"input": "x"}))
    assert result["success"] is False
    assert result["error_kind"] == "TimeoutError"
    assert "timed out after 0.05 s" in result["error"]
    assert result["metadata"]["execution_time_ms"] < 300


def test_handler_finishing_in_time_is_fine() -> None:
    async def handler(params: dict[str, Any], ctx: Any) -> str:
        await asyncio.sleep(0.01)
        return "done"

    result = run(execute_tool(make(handler, timeout_seconds=5), {"input": "x"}))
    assert result["success"] is True
    assert result["text"] == "done"


# -- the model ---------------------------------------------------------------------------------


def test_tool_defaults() -> None:
    t = Tool(name="x", description="d", handler=echo)
    assert t.parameters == {"type": "object", "properties": {}}
    assert t.category == "utility"
    assert t.version == "1.0.0"
    assert t.timeout_seconds > 0
    assert t.inline is False
    # default schemas are not shared between tools
    Tool(name="y", description="d", handler=echo).parameters["properties"]["z"] = {}
    assert t.parameters == {"type": "object", "properties": {}}


def test_tool_failure_defaults() -> None:
    exc = ToolFailure("bad")
    assert str(exc) == "bad"
    assert exc.kind == "ToolError"
    assert exc.operation is None


# -- cancellation: a timed-out or cancelled call really stops its handler thread ---------


def _FakeRun(seconds: float) -> DeadlineContext:
    return DeadlineContext(object(), seconds)


def test_cooperative_handler_sees_the_tool_timeout_and_stops() -> None:
    from llmspell.tools import current_call

    seen: dict[str, Any] = {}

    def coop(params: dict[str, Any], ctx: Any) -> Any:
        scope = current_call()
        assert scope is not None
        seen["remaining"] = scope.remaining()
        try:
            while True:
                scope.check()
                time.sleep(0.005)
        except ToolFailure as exc:
            seen["stopped"] = exc.kind
            raise

    r = run(execute_tool(make(coop, parameters={}, timeout_seconds=0.2), {}))
    assert r["error_kind"] == "TimeoutError"
    deadline = time.monotonic() + 5
    while "stopped" not in seen and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen["stopped"] == "TimeoutError"
    assert 0 < seen["remaining"] <= 0.2


def test_handler_ignoring_the_signal_is_interrupted() -> None:
    finished = threading.Event()

    def spin(params: dict[str, Any], ctx: Any) -> Any:
        try:
            while True:
                try:
                    time.sleep(0)
                except Exception:  # a handler's broad except does not swallow it
                    continue
        finally:
            finished.set()

    start = time.monotonic()
    r = run(execute_tool(make(spin, parameters={}, timeout_seconds=0.2), {}))
    assert r["error_kind"] == "TimeoutError"
    assert finished.wait(5), "the handler thread went on running"
    assert time.monotonic() - start < 5


def test_run_deadline_stops_a_thread_handler() -> None:
    from llmspell.tools import current_call

    def coop(params: dict[str, Any], ctx: Any) -> Any:
        while True:
            current_call().check()  # type: ignore[union-attr]
            time.sleep(0.005)

    # the run's own limit is not a tool failure: it ends the run (the spell cannot carry on)
    with pytest.raises(LimitExceeded, match="wall-time"):
        run(execute_tool(make(coop, parameters={}, timeout_seconds=30), {}, _FakeRun(0.2)))


def test_cancelled_call_interrupts_its_handler() -> None:
    finished = threading.Event()

    def spin(params: dict[str, Any], ctx: Any) -> Any:
        try:
            while True:
                pass
        finally:
            finished.set()

    async def main() -> None:
        task = asyncio.create_task(execute_tool(make(spin, parameters={}), {}))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(main())
    assert finished.wait(5)


def test_no_call_scope_outside_a_call() -> None:
    from llmspell.tools import current_call

    assert current_call() is None
