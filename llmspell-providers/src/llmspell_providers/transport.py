"""The HTTP client handed to the SDKs when a custom transport is configured.

The installed openai and anthropic SDKs are built on ``httpx2`` (the anthropic SDK
refuses ``httpx`` objects outright). ``ProviderConfig.transport`` may be either an
``httpx2`` transport or a classic ``httpx`` one (tests commonly pass
``httpx.MockTransport``); the latter is bridged so both SDKs accept it.
Imported only when a provider makes its first call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx2

__all__ = ["http_client_for"]


def _is_legacy(transport: Any) -> bool:
    return any(
        getattr(cls, "__module__", "").partition(".")[0] == "httpx"
        for cls in type(transport).__mro__
    )


class _LegacyStream(httpx2.AsyncByteStream):
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        close = getattr(self._inner, "aclose", None)
        if close is not None:
            await close()


class LegacyTransportBridge(httpx2.AsyncBaseTransport):
    """Runs an ``httpx`` async transport under an ``httpx2`` client: requests,
    responses (streamed) and transport errors are translated class by class."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        import httpx

        body = await request.aread()
        legacy = httpx.Request(
            request.method,
            str(request.url),
            headers=list(request.headers.multi_items()),
            content=body,
        )
        try:
            response = await self.inner.handle_async_request(legacy)
        except httpx.TransportError as exc:
            cls = getattr(httpx2, type(exc).__name__, None)
            if not (isinstance(cls, type) and issubclass(cls, httpx2.TransportError)):
                cls = (
                    httpx2.ReadTimeout
                    if isinstance(exc, httpx.TimeoutException)
                    else httpx2.ConnectError
                )
            raise cls(str(exc), request=request) from None
        return httpx2.Response(
            response.status_code,
            headers=list(response.headers.multi_items()),
            stream=_LegacyStream(response.stream),
            request=request,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


def http_client_for(transport: Any, timeout: float) -> httpx2.AsyncClient | None:
    """An ``httpx2.AsyncClient`` over ``transport`` (None → let the SDK build its own)."""
    if transport is None:
        return None
    if _is_legacy(transport):
        transport = LegacyTransportBridge(transport)
    return httpx2.AsyncClient(transport=transport, timeout=timeout)
