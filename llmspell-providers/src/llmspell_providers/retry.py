"""Retries with exponential backoff and full jitter, honouring ``Retry-After``.

SDK-agnostic: the caller passes ``classify``, which says whether an exception is worth
another attempt and how long the server asked us to wait. The last exception is
re-raised unchanged, so the adapter maps it to an llmspell error.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

__all__ = ["Retryable", "parse_retry_after", "with_retries"]

T = TypeVar("T")

#: ``classify(exc)`` → None (do not retry) or the server's Retry-After in seconds
#: (``0.0`` or a negative value means "retryable, no hint").
Retryable = Callable[[BaseException], float | None]


def parse_retry_after(
    headers: Mapping[str, str] | Any, *, now: float | None = None
) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP
    date); None when absent or unreadable."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


async def with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    max_retries: int,
    classify: Retryable,
    base_delay: float = 0.5,
    max_delay: float = 20.0,
    max_retry_after: float = 60.0,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    on_retry: Callable[[int, float, Exception], None] | None = None,
) -> T:
    """Await ``call()``; on a retryable failure wait and try again, at most
    ``max_retries`` more times. The wait is the server's Retry-After when given
    (capped at ``max_retry_after``), else full jitter: uniform in
    ``[0, min(max_delay, base_delay * 2**attempt)]``. ``on_retry(attempt, delay, exc)``
    is told before each wait (attempt counts from 1)."""
    attempt = 0
    while True:
        try:
            return await call()
        except Exception as exc:
            hint = classify(exc)
            if hint is None or attempt >= max_retries:
                raise
            if hint > 0:
                delay = min(hint, max_retry_after)
            else:
                delay = random.uniform(0.0, min(max_delay, base_delay * (2**attempt)))
            attempt += 1
            if on_retry is not None:
                on_retry(attempt, delay, exc)
            await sleep(delay)
