"""Capability detection, the price table, and the retry policy."""

from __future__ import annotations

import asyncio
import email.utils
from typing import Any

import pytest

from llmspell.llm import Usage
from llmspell_providers.capabilities import PRICES, PRICES_AS_OF, capabilities, cost_usd
from llmspell_providers.retry import parse_retry_after, with_retries
from llmspell_providers.sdk_errors import redact


@pytest.mark.parametrize(
    ("provider_type", "model", "vision", "structured", "tools", "context"),
    [
        ("openai", "gpt-4o", True, True, True, 128_000),
        ("openai", "gpt-4o-mini-2024-07-18", True, True, True, 128_000),
        ("openai", "gpt-4.1-nano", True, True, True, 1_047_576),
        ("openai", "gpt-5.4-mini", True, True, True, 400_000),
        ("openai", "o3", True, True, True, 200_000),
        ("openai", "o1-mini", False, False, False, 128_000),
        ("openai", "gpt-3.5-turbo", False, False, True, 16_385),
        ("openai", "openai/gpt-4o", True, True, True, 128_000),  # OpenRouter style
        ("anthropic", "claude-3-5-sonnet-latest", True, False, True, 200_000),
        ("anthropic", "claude-sonnet-4-6", True, False, True, 200_000),
        ("anthropic", "claude-opus-4-5-20251101", True, False, True, 200_000),
        ("openai", "llama3.1:8b", False, False, True, 131_072),
        ("openai", "my-local-finetune", False, False, True, None),
    ],
)
def test_capabilities(provider_type, model, vision, structured, tools, context):
    caps = capabilities(provider_type, model)
    assert caps.supports_streaming
    assert caps.supports_multimodal is vision
    assert caps.supports_structured_output is structured
    assert caps.supports_tools is tools
    assert caps.max_context_tokens == context


def test_unknown_model_is_conservative():
    caps = capabilities("openai", None)
    assert caps.as_dict() == {
        "supports_streaming": True,
        "supports_tools": True,
        "supports_structured_output": False,
        "supports_multimodal": False,
        "max_context_tokens": None,
    }


def test_cost_usd():
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    assert cost_usd("gpt-4o-mini", usage) == pytest.approx(0.75)
    assert cost_usd("gpt-4o-mini-2024-07-18", usage) == pytest.approx(0.75)
    assert cost_usd("gpt-4o", usage) == pytest.approx(12.5)
    assert cost_usd("claude-3-haiku-20240307", Usage(1000, 2000)) == pytest.approx(0.00275)
    assert cost_usd("openai/gpt-4o", usage) == pytest.approx(12.5)
    assert cost_usd("llama3.2", usage) is None
    assert cost_usd("gpt-4o", Usage()) == 0.0
    assert PRICES_AS_OF == "2026-11"
    assert all(i >= 0 and o >= i for i, o in PRICES.values())


@pytest.mark.parametrize(
    "model, per_million",
    [
        # families whose name extends a cheaper one's must not inherit its price
        ("gpt-5-pro", (15.00, 120.00)),
        ("gpt-5.2-pro-2025-12-11", (21.00, 168.00)),
        ("gpt-5.4-mini", (0.75, 4.50)),
        ("gpt-5.4", (2.50, 15.00)),
        ("gpt-5-mini-2025-08-07", (0.25, 2.00)),
        ("claude-opus-4-6", (5.00, 25.00)),
        ("claude-opus-4-1-20250805", (15.00, 75.00)),
        ("claude-sonnet-4-6", (3.00, 15.00)),
    ],
)
def test_price_lookup_takes_the_longest_family(model, per_million):
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    assert cost_usd(model, usage) == pytest.approx(sum(per_million))


def test_parse_retry_after():
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after": "1.5"}) == 1.5
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    when = email.utils.formatdate(1_000_010, usegmt=True)
    assert parse_retry_after({"retry-after": when}, now=1_000_000) == pytest.approx(10)
    assert parse_retry_after({"retry-after": when}, now=2_000_000) == 0.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None
    assert parse_retry_after(None) is None


class Flaky:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


def _classify(exc: BaseException) -> float | None:
    if isinstance(exc, ConnectionError):
        return 0.0
    if isinstance(exc, LookupError):
        return float(str(exc))  # the "server" asked for this delay
    return None


def _run(call: Any, sleeps: list[float], **kw: Any) -> Any:
    async def fake_sleep(delay: float) -> None:
        sleeps.append(delay)

    return asyncio.run(with_retries(call, classify=_classify, sleep=fake_sleep, **kw))


def test_backoff_with_full_jitter_bounds():
    sleeps: list[float] = []
    call = Flaky([ConnectionError()] * 5)
    assert _run(call, sleeps, max_retries=5, base_delay=1.0, max_delay=4.0) == "ok"
    assert call.calls == 6
    for attempt, delay in enumerate(sleeps):
        assert 0 <= delay <= min(4.0, 1.0 * 2**attempt)


def test_retry_after_hint_wins_and_is_capped():
    sleeps: list[float] = []
    _run(Flaky([LookupError("3"), LookupError("500")]), sleeps, max_retries=3)
    assert sleeps == [3.0, 60.0]


def test_gives_up_after_max_retries_with_the_last_error():
    sleeps: list[float] = []
    with pytest.raises(ConnectionError):
        _run(Flaky([ConnectionError()] * 4), sleeps, max_retries=2)
    assert len(sleeps) == 2


def test_final_errors_are_not_retried():
    sleeps: list[float] = []
    call = Flaky([ValueError("bad request")])
    with pytest.raises(ValueError):
        _run(call, sleeps, max_retries=5)
    assert call.calls == 1 and sleeps == []


def test_redact():
    assert redact("key sk-abc123456789 and secret", "secret") == "key *** and ***"
    assert "gsk_" not in redact("gsk_0123456789abcdef was refused", None)
