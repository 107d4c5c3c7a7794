"""The HTTP client handed to the SDKs.

Always our own client, never the SDK's default one: it does not follow redirects (a
redirect would carry the key, ``x-api-key`` included, to wherever the server points,
past the network policy), and for a ``base_url`` the spell chose it connects only to
the addresses the network policy checked (``ProviderConfig.pinned_addresses``; the
name is kept for the Host header and TLS), so a DNS answer that changes after the
check is not trusted.

The installed openai and anthropic SDKs are built on ``httpx2`` (the anthropic SDK
refuses ``httpx`` objects outright). ``ProviderConfig.transport`` may be either an
``httpx2`` transport or a classic ``httpx`` one (tests commonly pass
``httpx.MockTransport``); the latter is bridged so both SDKs accept it.
Imported only when a provider makes its first call.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import httpx2

from llmspell.llm import ProviderConfig

__all__ = ["PinnedTransport", "http_client_for"]


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


class PinnedTransport(httpx2.AsyncBaseTransport):
    """Sends requests for ``host`` to one of ``addresses`` (tried in order while the
    connection fails), keeping the name in the Host header and for TLS (SNI and the
    certificate check). A request for any other host is refused."""

    def __init__(self, inner: httpx2.AsyncBaseTransport, host: str, addresses: list[str]):
        self.inner = inner
        self.host = host.lower()
        self.addresses = list(addresses)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Connect to a checked address of the request's host."""
        if request.url.host.lower() != self.host:
            raise httpx2.ConnectError(
                f"refusing to connect to {request.url.host!r}: only {self.host!r} was "
                "checked by the network policy",
                request=request,
            )
        errors: list[str] = []
        for address in self.addresses:
            extensions = dict(request.extensions)
            if request.url.scheme == "https":
                extensions["sni_hostname"] = self.host
            pinned = httpx2.Request(
                request.method,
                request.url.copy_with(host=address),
                headers=request.headers,  # Host: still the name
                stream=request.stream,
                extensions=extensions,
            )
            try:
                return await self.inner.handle_async_request(pinned)
            except httpx2.ConnectError as exc:
                errors.append(f"{address}: {exc}")
        raise httpx2.ConnectError(
            f"cannot connect to {self.host!r} ({'; '.join(errors) or 'no address'})",
            request=request,
        )

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self.inner.aclose()


async def _add_trace_headers(request: httpx2.Request) -> None:
    """Add ``traceparent`` (W3C trace context) while tracing is on (docs/observability.md)."""
    from llmspell.observability.propagation import trace_headers

    for name, value in trace_headers().items():
        request.headers[name] = value


def http_client_for(config: ProviderConfig, sdk: ModuleType | None = None) -> httpx2.AsyncClient:
    """The ``httpx2.AsyncClient`` the SDK client of ``config`` uses: the SDK's default
    client class and limits, ``config.transport`` when set (tests), no redirects, and
    pinned to ``config.pinned_addresses`` when there are any."""
    transport: Any = config.transport
    if transport is not None and _is_legacy(transport):
        transport = LegacyTransportBridge(transport)
    if config.pinned_addresses:
        host = httpx2.URL(config.base_url or "").host
        inner = transport if transport is not None else httpx2.AsyncHTTPTransport()
        transport = PinnedTransport(inner, host, config.pinned_addresses)
    cls = getattr(sdk, "DefaultAsyncHttpxClient", None) or httpx2.AsyncClient
    kwargs: dict[str, Any] = {"timeout": config.timeout_seconds, "follow_redirects": False}
    # with tracing on, each request carries the agent call's span as `traceparent`
    kwargs["event_hooks"] = {"request": [_add_trace_headers]}
    if transport is not None:
        kwargs["transport"] = transport
    client: httpx2.AsyncClient = cls(**kwargs)
    return client
