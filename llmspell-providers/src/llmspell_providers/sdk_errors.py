"""SDK exceptions → llmspell errors, and which of them are worth a retry.

The openai and anthropic SDKs share one exception hierarchy by name (APIStatusError,
AuthenticationError, RateLimitError, APITimeoutError, APIConnectionError, ...), so one
mapper serves both; ``sdk`` is the SDK module. Messages never carry the API key nor an
SDK traceback (callers raise the result ``from None``).
"""

from __future__ import annotations

import re
from typing import Any

from llmspell.errors import (
    AuthenticationError,
    ProviderError,
    RateLimitError,
    TimeoutError,
    UnavailableError,
)
from llmspell.llm import ProviderConfig
from llmspell_providers.retry import parse_retry_after

__all__ = ["classify", "map_error", "redact"]

_KEYLIKE = re.compile(r"\b(sk|key|xai|gsk|pplx|fw)[-_][A-Za-z0-9_\-*.]{6,}", re.I)


def redact(text: str, secret: str | None) -> str:
    """``text`` without ``secret`` and without anything that looks like an API key."""
    if secret:
        text = text.replace(secret, "***")
    return _KEYLIKE.sub("***", text)


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def classify(sdk: Any, exc: BaseException) -> float | None:
    """For :func:`llmspell_providers.retry.with_retries`: None when ``exc`` is final,
    else the server's Retry-After in seconds (0.0 when it gave none)."""
    if isinstance(exc, sdk.APIConnectionError):  # includes APITimeoutError
        return 0.0
    status = _status(exc)
    if (
        isinstance(exc, sdk.APIStatusError)
        and status is not None
        and (status in (408, 409, 429) or status >= 500)
    ):
        response = getattr(exc, "response", None)
        hint = parse_retry_after(getattr(response, "headers", None))
        return hint if hint is not None else 0.0
    return None


def _detail(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return str(err["message"])
        if isinstance(err, str):
            return err
    message = getattr(exc, "message", None)
    return message if isinstance(message, str) else str(exc)


def _where(config: ProviderConfig) -> str:
    return config.base_url or f"the default {config.provider_type} endpoint"


def map_error(sdk: Any, exc: BaseException, config: ProviderConfig, model: str) -> ProviderError:
    """The llmspell error for an SDK exception raised while calling ``model``."""
    name = config.name
    key_env = config.api_key_env
    if isinstance(exc, sdk.AuthenticationError | sdk.PermissionDeniedError):
        status = _status(exc)
        if key_env:
            return AuthenticationError(
                f"provider {name!r} rejected the API key (HTTP {status})",
                hint=f"set {key_env} to a valid key",
            )
        return AuthenticationError(
            f"provider {name!r} at {_where(config)} refused the request (HTTP {status})",
            hint="configure api_key_env for this provider or pass api_key to the agent",
        )
    secret = config.api_key
    detail = redact(_detail(exc), secret)
    if isinstance(exc, sdk.RateLimitError):
        return RateLimitError(
            f"provider {name!r} rate-limited the request (HTTP 429) after "
            f"{config.max_retries} retries: {detail}"
        )
    if isinstance(exc, sdk.APITimeoutError):
        return TimeoutError(
            f"provider {name!r} did not answer within {config.timeout_seconds:g} s "
            f"(model {model!r})",
            hint="raise the agent's timeout",
        )
    if isinstance(exc, sdk.APIConnectionError):
        return UnavailableError(
            f"cannot reach provider {name!r} at {_where(config)}: {redact(str(exc), secret)}",
            hint="is the server running and the base URL right?",
        )
    if isinstance(exc, sdk.NotFoundError):
        return ProviderError(
            f"provider {name!r} does not know model {model!r} (HTTP 404): {detail}"
        )
    status = _status(exc)
    if isinstance(exc, sdk.APIStatusError) and status is not None:
        if status == 400 and "model" in detail.lower():
            return ProviderError(f"provider {name!r} refused model {model!r} (HTTP 400): {detail}")
        return ProviderError(f"provider {name!r} failed (HTTP {status}): {detail}")
    return ProviderError(
        f"provider {name!r} failed: {type(exc).__name__}: {redact(str(exc), secret)}"
    )
