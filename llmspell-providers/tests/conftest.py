"""Fixtures of the provider tests: an in-process HTTP server (``httpx.MockTransport``)
that answers from recorded-shape fixtures and keeps every request it received."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "sk-test-very-secret-key-0123456789"

T = TypeVar("T")


class MockServer:
    """Answers requests with queued responses (the last one repeats)."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.responses: list[httpx.Response | Exception] = []
        self.transport = httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(item, Exception):
            raise item
        return item

    def reply(
        self, status: int, fixture: str, *, headers: dict[str, str] | None = None
    ) -> MockServer:
        """Queue ``fixture`` (a path under fixtures/) as the next answer."""
        body = (FIXTURES / fixture).read_bytes()
        kind = "text/event-stream" if fixture.endswith(".sse") else "application/json"
        self.responses.append(
            httpx.Response(status, content=body, headers={"content-type": kind, **(headers or {})})
        )
        return self

    def fail(self, exc: Exception) -> MockServer:
        """Queue a transport error as the next answer."""
        self.responses.append(exc)
        return self

    def body(self, index: int = -1) -> dict[str, Any]:
        """The JSON body of a received request."""
        data: dict[str, Any] = json.loads(self.requests[index].content)
        return data


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> MockServer:
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return MockServer()


class Sleeps(list[float]):
    """A fake ``asyncio.sleep`` recording its delays."""

    async def __call__(self, delay: float) -> None:
        self.append(delay)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def run() -> Callable[[Coroutine[Any, Any, T]], T]:
    return asyncio.run


@pytest.fixture
def secret() -> str:
    return SECRET
