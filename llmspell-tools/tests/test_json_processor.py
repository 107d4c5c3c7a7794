"""json-processor: jq queries, transforms, schema validation, formatting, failures."""

from __future__ import annotations

import json

import pytest

from llmspell.errors import LimitExceeded, ValidationError

DATA = {"users": [{"name": "a", "age": 31}, {"name": "b", "age": 25}]}


def test_query_with_jq(tools):
    r = tools.ok("json-processor", input=DATA, query=".users[] | select(.age > 30) | .name")
    assert r["result"]["result"] == "a" and r["result"]["count"] == 1
    r = tools.ok("json-processor", input=json.dumps(DATA), query=".users[].name")
    assert r["result"]["result"] == ["a", "b"]
    assert tools.ok("json-processor", input="[1,2]")["result"]["result"] == [1, 2]


def test_transform(tools):
    r = tools.ok(
        "json-processor",
        operation="transform",
        input=DATA,
        query="{names: [.users[].name], total: (.users | length)}",
    )
    assert r["result"]["result"] == {"names": ["a", "b"], "total": 2}
    assert "query" in tools.failed("json-processor", operation="transform", input=DATA)["error"]


def test_validate(tools):
    schema = {"type": "object", "required": ["users"]}
    r = tools.ok("json-processor", operation="validate", input=DATA, schema=schema)
    assert r["result"]["valid"] is True
    r = tools.ok("json-processor", operation="validate", input="{}", schema=schema)
    assert r["result"]["valid"] is False and "users" in r["result"]["errors"][0]["message"]
    r = tools.ok("json-processor", operation="validate", input="{oops", schema=schema)
    assert r["result"]["valid"] is False


def test_format(tools):
    r = tools.ok("json-processor", operation="format", input='{"b":1,"a":[1]}', sort_keys=True)
    assert r["text"] == '{\n  "a": [\n    1\n  ],\n  "b": 1\n}'
    r = tools.ok("json-processor", operation="format", input={"a": 1}, compact=True)
    assert r["result"]["result"] == '{"a":1}'


def test_failures(tools):
    assert "not valid JSON" in tools.failed("json-processor", input="{nope")["error"]
    assert "invalid jq" in tools.failed("json-processor", input=DATA, query=".[[[")["error"]
    assert "jq error" in tools.failed("json-processor", input=DATA, query=".users + 1")["error"]
    assert "more than" in tools.failed("json-processor", input=1, query="range(100000)")["error"]
    assert "over the limit" in tools.failed("json-processor", input=" " * 10_000_001)["error"]


def test_misuse(tools):
    with pytest.raises(ValidationError, match="parameter 'operation'"):
        tools("json-processor", operation="explode", input="{}")
    with pytest.raises(ValidationError, match="parameter 'query'"):
        tools("json-processor", input="{}", query=5)


# -- jq runs in a killable child process with memory, CPU and output limits (issue 11) ---


def _RunCtx(inner, seconds):
    from llmspell.testing import DeadlineContext

    return DeadlineContext(inner, seconds)


def _run(runtime, params, ctx=None):
    import asyncio

    from llmspell.tools import execute_tool

    tool = runtime.tools.get("json-processor")
    return asyncio.run(execute_tool(tool, params, ctx or runtime.tool_context()))


def _children():
    """The jq worker processes still running (other children of the test session, such
    as a model server another test started, do not count)."""
    import psutil

    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.is_running() and any("_jq_child" in part for part in child.cmdline()):
                found.append(child)
        except psutil.Error:  # it ended while we looked
            continue
    return found


def test_endless_jq_generator_is_killed_at_the_run_deadline(tools):
    from llmspell_tools.data.json_processor import close_workers

    close_workers()  # no idle worker left from earlier queries: only this query's
    import time

    start = time.monotonic()
    ctx = _RunCtx(tools.runtime.tool_context(), 1.0)
    # the run's own limit ends the run (not a tool failure), and the child is gone
    with pytest.raises(LimitExceeded, match="wall-time"):
        _run(tools.runtime, {"input": [1], "query": "last(range(1e15))"}, ctx)
    assert time.monotonic() - start < 8
    assert not _children(), "the jq child was not killed"


def test_jq_memory_bomb_hits_the_child_memory_limit(sandbox):
    import time

    from llmspell.config import load_settings
    from llmspell.runtime import Runtime
    from llmspell_tools.data.json_processor import close_workers

    close_workers()
    env = {"LLMSPELL_STATE_BACKEND": "memory", "HOME": str(sandbox)}
    overrides = {("tools", "json-processor"): {"max_memory_mb": 96}}
    runtime = Runtime(load_settings(environ=env, use_files=False, overrides=overrides))
    try:
        start = time.monotonic()
        r = _run(runtime, {"input": [1], "query": "[range(1e8)] | length"})
        assert time.monotonic() - start < 20
        assert r["error_kind"] == "LimitExceeded", r
        assert "96 MB" in r["error"] and "max_memory_mb" in r["error"]
        assert not _children()
    finally:
        runtime.close()


def test_jq_output_is_capped_in_values_and_bytes(sandbox, tools):
    from llmspell.config import load_settings
    from llmspell.runtime import Runtime

    r = tools.failed("json-processor", input=[1], query="range(20000)")
    assert r["error_kind"] == "LimitExceeded" and "10000 results" in r["error"]
    env = {"LLMSPELL_STATE_BACKEND": "memory", "HOME": str(sandbox)}
    overrides = {("tools", "json-processor"): {"max_result_bytes": 1000}}
    runtime = Runtime(load_settings(environ=env, use_files=False, overrides=overrides))
    try:
        r = _run(runtime, {"input": [1], "query": "[range(1000)]"})
        assert r["error_kind"] == "LimitExceeded", r
        assert "1000 bytes" in r["error"] and "max_result_bytes" in r["error"]
        assert _run(runtime, {"input": [1], "query": "[range(10)]"})["success"]
    finally:
        runtime.close()


def test_jq_errors_from_the_child_are_clear(tools):
    r = tools.failed("json-processor", input=[1], query='error("boom")')
    assert r["error"] == "jq error: boom"
    r = tools.failed("json-processor", input={"a": "é"}, query=".a | error")
    assert "é" in r["error"]
    assert tools.ok("json-processor", input={"a": "é"}, query=".a")["result"]["result"] == "é"


def test_jq_workers_are_reused_and_replaced_after_a_failure(tools):
    from llmspell_tools.data import json_processor

    json_processor.close_workers()
    assert tools.ok("json-processor", input={"a": 1}, query=".a")["result"]["result"] == 1
    first = _children()
    assert len(first) == 1  # one idle worker kept
    r = tools.ok("json-processor", input=[1, 2, 3], query="map(. * 2)")
    assert r["result"]["result"] == [2, 4, 6]
    assert [c.pid for c in _children()] == [c.pid for c in first]  # the same worker served it
    bad = tools.failed("json-processor", input=[1], query=".[")
    assert bad["error_kind"] == "ValidationError"  # a compile error keeps the worker
    assert [c.pid for c in _children()] == [c.pid for c in first]
    json_processor.close_workers()
    assert not _children()
