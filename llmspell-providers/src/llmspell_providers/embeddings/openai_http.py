"""One ``POST {base_url}/embeddings`` of an OpenAI-compatible server: the request, the
capped response, its checks, and the llmspell error for every way it can fail.

Requests go through the same HTTP client as the chat providers
(:func:`llmspell_providers.transport.http_client_for`: no redirects, the configured test
transport, pinned addresses).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections.abc import Sequence
from typing import Any

import httpx2

from llmspell.errors import (
    AuthenticationError,
    LLMSpellError,
    ProviderError,
    RateLimitError,
    TimeoutError,
    UnavailableError,
)
from llmspell.llm import ProviderConfig
from llmspell_providers.retry import parse_retry_after
from llmspell_providers.sdk_errors import redact

__all__ = ["HTTPStatusError", "classify", "endpoint_url", "map_error", "post_embeddings"]

#: the response of one batch may hold this much plus :data:`BYTES_PER_TEXT` per text
BASE_RESPONSE_BYTES = 1 << 20
#: room for one vector of 3072 floats as JSON text (~22 bytes a float) and then some
BYTES_PER_TEXT = 128 << 10
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class HTTPStatusError(Exception):
    """The server answered with a status other than 200."""

    def __init__(self, status: int, headers: Any, detail: str) -> None:
        super().__init__(f"HTTP {status}: {detail}")
        self.status_code = status
        self.headers = headers
        self.detail = detail


class BadResponse(Exception):
    """The server's answer is not a usable embeddings response (never retried)."""


def endpoint_url(config: ProviderConfig) -> str:
    """``{base_url}/embeddings`` (OpenAI's own URL when none is configured)."""
    base = (config.base_url or "https://api.openai.com/v1").rstrip("/")
    return base + "/embeddings"


def _detail(body: bytes, secret: str | None) -> str:
    """The server's error message (``error.message`` of a JSON body, else the text),
    short, printable and without the key."""
    text = body[:4000].decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        err = data.get("error", data)
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            text = err["message"]
        elif isinstance(err, str):
            text = err
    text = _CONTROL.sub("", text).strip()[:300]
    return redact(text, secret) or "no details"


async def _read_capped(response: httpx2.Response, cap: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise BadResponse(f"the response is larger than {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def post_embeddings(
    client: httpx2.AsyncClient, config: ProviderConfig, model: str, texts: Sequence[str]
) -> list[list[float]]:
    """The vectors the server returns for ``texts`` (as sent, not yet normalised), in
    the order of ``texts``; HTTPStatusError, BadResponse or an httpx2 error otherwise."""
    headers = {"content-type": "application/json", "accept": "application/json"}
    if config.api_key:
        headers["authorization"] = f"Bearer {config.api_key}"
    payload = {"model": model, "input": list(texts)}
    cap = BASE_RESPONSE_BYTES + BYTES_PER_TEXT * len(texts)
    async with client.stream(
        "POST", endpoint_url(config), json=payload, headers=headers
    ) as response:
        if response.status_code != 200:
            body = b""
            with contextlib.suppress(BadResponse):  # an error page too large: no detail
                body = await _read_capped(response, 64 << 10)
            raise HTTPStatusError(
                response.status_code, response.headers, _detail(body, config.api_key)
            )
        body = await _read_capped(response, cap)
    return parse_response(body, len(texts))


def parse_response(body: bytes, count: int) -> list[list[float]]:
    """``data[i].embedding`` sorted by ``index``; BadResponse unless there is exactly one
    finite vector per text, all of one length."""
    try:
        data = json.loads(body)
    except ValueError:
        raise BadResponse("the response is not JSON") from None
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise BadResponse('the response has no "data" list')
    if len(items) != count:
        raise BadResponse(f"it returned {len(items)} vectors for {count} texts")
    by_index: dict[int, list[float]] = {}
    for position, item in enumerate(items):
        if not isinstance(item, dict):
            raise BadResponse(f"data[{position}] is not an object")
        index = item.get("index", position)
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < count:
            raise BadResponse(f"data[{position}] has an invalid index {index!r}")
        if index in by_index:
            raise BadResponse(f"two vectors have the index {index}")
        vector = item.get("embedding")
        if not isinstance(vector, list) or not vector:
            raise BadResponse(f"data[{position}].embedding is not a list of numbers")
        if not all(
            isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)
            for x in vector
        ):
            raise BadResponse(f"data[{position}].embedding holds something not a finite number")
        by_index[index] = [float(x) for x in vector]
    vectors = [by_index[i] for i in range(count)]
    lengths = {len(v) for v in vectors}
    if len(lengths) != 1:
        raise BadResponse(f"its vectors have different lengths ({sorted(lengths)})")
    return vectors


def classify(exc: BaseException) -> float | None:
    """For :func:`llmspell_providers.retry.with_retries`: retry connection failures,
    timeouts, 408, 409, 429 and 5xx (after the server's Retry-After when given)."""
    if isinstance(exc, httpx2.TransportError):
        return 0.0
    if isinstance(exc, HTTPStatusError):
        status = exc.status_code
        if status in (408, 409, 429) or status >= 500:
            hint = parse_retry_after(exc.headers)
            return hint if hint is not None else 0.0
    return None


def map_error(exc: BaseException, config: ProviderConfig, model: str) -> LLMSpellError:
    """The llmspell error for a failed embeddings request (never with the key)."""
    if isinstance(exc, LLMSpellError):
        return exc
    name = config.name
    where = endpoint_url(config)
    if isinstance(exc, HTTPStatusError):
        status, detail = exc.status_code, exc.detail
        if status in (401, 403):
            if config.api_key_env:
                return AuthenticationError(
                    f"provider {name!r} rejected the API key for embeddings (HTTP {status})",
                    hint=f"set {config.api_key_env} to a valid key",
                )
            return AuthenticationError(
                f"provider {name!r} at {where} refused the embeddings request "
                f"(HTTP {status}): {detail}",
                hint=f"set api_key_env in [providers.{name}] to the variable holding its key",
            )
        if status == 404 or (status == 400 and "model" in detail.lower()):
            return ProviderError(
                f"provider {name!r} does not serve embedding model {model!r} at {where} "
                f"(HTTP {status}): {detail}",
                hint="check the model name and that the server has an /embeddings "
                "endpoint (llama.cpp: start llama-server with --embeddings)",
            )
        if status == 429:
            return RateLimitError(
                f"provider {name!r} rate-limited the embeddings request (HTTP 429) after "
                f"{config.max_retries} retries: {detail}"
            )
        if 300 <= status < 400:
            return ProviderError(
                f"provider {name!r} redirected the embeddings request (HTTP {status}); "
                "redirects are not followed",
                hint=f"set [providers.{name}] base_url to the final URL",
            )
        return ProviderError(f"provider {name!r} failed to embed (HTTP {status}): {detail}")
    if isinstance(exc, BadResponse):
        return ProviderError(
            f"provider {name!r} sent a bad embeddings response for model {model!r}: {exc}",
            hint="is base_url an OpenAI-compatible /v1 endpoint?",
        )
    if isinstance(exc, httpx2.TimeoutException):
        return TimeoutError(
            f"provider {name!r} did not answer the embeddings request within "
            f"{config.timeout_seconds:g} s",
            hint=f"raise [providers.{name}] timeout_seconds",
        )
    if isinstance(exc, httpx2.TransportError):
        return UnavailableError(
            f"cannot reach provider {name!r} at {where}: "
            f"{redact(str(exc), config.api_key) or type(exc).__name__}",
            hint="is the server running and the base URL right?",
        )
    return ProviderError(
        f"provider {name!r} failed to embed: {type(exc).__name__}: "
        f"{redact(str(exc), config.api_key)}"
    )
