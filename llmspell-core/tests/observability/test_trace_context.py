"""Trace context in: a run continues the caller's trace (TRACEPARENT, set by
``llmspell serve`` from a request's ``traceparent`` header); a malformed value starts a
new trace. Trace context out (HTTP tools) is tested in tests/e2e/test_trace.py."""

from __future__ import annotations

import pytest

from llmspell.observability.propagation import valid_traceparent
from llmspell.runtime import Runtime

from .conftest import make_runtime, run, trace

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (f"00-{CALLER_TRACE}-{CALLER_SPAN}-01", True),
        (f" 00-{CALLER_TRACE}-{CALLER_SPAN}-00 ", True),
        (f"00-{'0' * 32}-{CALLER_SPAN}-01", False),
        (f"00-{CALLER_TRACE}-{'0' * 16}-01", False),
        (f"01-{CALLER_TRACE}-{CALLER_SPAN}-01", False),
        (f"00-{CALLER_TRACE.upper()}-{CALLER_SPAN}-01", False),
        ("garbage", False),
        ("", False),
        (None, False),
    ],
)
def test_valid_traceparent(value: str | None, ok: bool) -> None:
    assert valid_traceparent(value) is ok


def test_a_run_continues_the_callers_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACEPARENT", f"00-{CALLER_TRACE}-{CALLER_SPAN}-01")
    rt: Runtime = make_runtime()
    try:
        t = trace(rt)
        run(rt, "return 1")
        run_span = t.by_name("run t.lua")
        assert f"{run_span.context.trace_id:032x}" == CALLER_TRACE
        assert run_span.parent is not None and run_span.parent.is_remote
        assert f"{run_span.parent.span_id:016x}" == CALLER_SPAN
    finally:
        rt.close()


def test_a_malformed_traceparent_starts_a_new_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACEPARENT", "00-not-a-trace-01")
    rt: Runtime = make_runtime()
    try:
        t = trace(rt)
        run(rt, "return 1")
        run_span = t.by_name("run t.lua")
        assert run_span.parent is None
        assert f"{run_span.context.trace_id:032x}" != CALLER_TRACE
    finally:
        rt.close()
