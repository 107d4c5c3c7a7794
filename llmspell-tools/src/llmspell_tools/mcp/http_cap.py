"""The HTTP client of streamable-HTTP MCP servers, with a size cap on each JSON response
(the SDK caps one SSE event; a JSON body it reads whole). Imported when an HTTP server
starts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx2

__all__ = ["capped_http_client"]


class _Capped(httpx2.AsyncByteStream):
    def __init__(self, inner: Any, cap: int, state: Any) -> None:
        self._inner = inner
        self._cap = cap
        self._state = state

    async def __aiter__(self) -> AsyncIterator[bytes]:
        total = 0
        async for chunk in self._inner:
            total += len(chunk)
            if total > self._cap:
                self._state.failure = (
                    f"it sent a response over the limit of {self._cap} bytes (max_message_bytes)"
                )
                raise httpx2.ReadError(self._state.failure)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


class _CappedTransport(httpx2.AsyncBaseTransport):
    """Caps every response body that is not an SSE stream."""

    def __init__(self, cap: int, state: Any) -> None:
        self._inner = httpx2.AsyncHTTPTransport()
        self._cap = cap
        self._state = state

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self._inner.handle_async_request(request)
        if "text/event-stream" in response.headers.get("content-type", ""):
            return response
        return httpx2.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_Capped(response.stream, self._cap, self._state),
            extensions=response.extensions,
            request=request,
        )

    async def aclose(self) -> None:
        await self._inner.aclose()


def capped_http_client(headers: dict[str, str], cap: int, state: Any) -> httpx2.AsyncClient:
    """An AsyncClient with the MCP transports' timeouts (30 s, reads 300 s), ``headers``
    on every request, and JSON responses capped at ``cap`` bytes (``state.failure`` says
    why a response was cut)."""
    return httpx2.AsyncClient(
        headers=headers or None,
        timeout=httpx2.Timeout(30.0, read=300.0),
        transport=_CappedTransport(cap, state),
    )
