"""The HTTP client every network tool uses: policy-checked, capped, rate-limited, retried.

:func:`request` sends one HTTP request and returns an :class:`HttpResult`. Around it:

- **Policy**: the URL and every redirect hop (followed here, not by httpx) go through
  ``ctx.policy.resolve_url`` (scheme, ``allow_network``, denied/allowed hosts, private
  addresses). SecurityError and ValidationError from the policy propagate (the tool
  raises, as for files).
- **DNS pinning**: the connection goes to an address the policy checked (the URL's host
  is replaced by that address; ``Host`` and TLS SNI/certificate checks keep the name),
  so a second DNS answer (rebinding) is never used. Environment proxies
  (``HTTP_PROXY``...) and ``.netrc`` are ignored for the same reason.
- **Rate limit**: a token bucket per (policy, host) of
  ``[security] requests_per_second_per_host``; a request over the rate waits its turn.
- **Size cap**: the body is streamed and cut off past ``max_bytes`` (default and
  ceiling: ``[security] max_response_bytes``) with a ToolFailure naming the setting.
  The cap counts decoded bytes, so a gzip bomb is stopped too.
- **Timeout**: ``timeout_s`` (default ``[security] network_timeout_seconds``) bounds
  each attempt (connect, send and the whole body) → ToolFailure kind ``TimeoutError``.
- **Retries** (``retries`` extra attempts): on connection errors, 429 and 5xx, with
  exponential backoff and full jitter, honouring ``Retry-After`` (capped at 30 s). When
  retries run out on 429/5xx the last response is returned (the caller judges it).
- **Errors** are ToolFailure with readable messages (no traceback) that name the URL
  without its query string or credentials; every string in ``secrets`` is replaced by
  ``***`` in them.

Redirects: 301/302/303 turn a POST (any non-GET/HEAD for 303) into a body-less GET,
307/308 keep method and body; ``Authorization``/``Cookie`` headers are dropped when the
redirect leaves the origin (scheme, host, port).
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import random
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

from llmspell.errors import LLMSpellError, ValidationError
from llmspell.tools import ToolFailure

if TYPE_CHECKING:
    import ssl

__all__ = ["HttpResult", "mask_secrets", "request"]

#: statuses that are followed as redirects
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: the longest ``Retry-After`` honoured, in seconds
RETRY_AFTER_CAP_S = 30.0
#: the first backoff step and the largest, in seconds (full jitter: a random share)
BACKOFF_BASE_S = 0.25
BACKOFF_CAP_S = 8.0

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_SSL_CONTEXT: ssl.SSLContext | None = None


@dataclass
class HttpResult:
    """One HTTP response, body read in full (within the cap)."""

    status: int
    #: lower-cased names; repeated headers joined with ", "
    headers: dict[str, str]
    body: bytes
    #: the final URL, after redirects
    url: str
    #: the URLs that answered with a redirect, in order (``redirects + [url]`` is the chain)
    redirects: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0
    #: how many times the last hop was sent (1 + the retries it took)
    attempts: int = 1
    #: strings masked in the messages of :meth:`json`
    _secrets: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def text(self) -> str:
        """The body decoded with the response charset (fallback UTF-8, bad bytes replaced)."""
        charset = _charset(self.headers.get("content-type", "")) or "utf-8"
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON; ToolFailure (ValidationError) naming the URL if it is not."""
        try:
            return jsonlib.loads(self.text())
        except ValueError as exc:
            message = f"the response from {_shown(self.url)} is not valid JSON: {exc}"
            raise ToolFailure(
                mask_secrets(message, self._secrets), kind="ValidationError"
            ) from None

    @property
    def is_json(self) -> bool:
        """Whether the Content-Type says JSON (``application/json``, ``+json``)."""
        ctype = self.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        return ctype == "application/json" or ctype.endswith("+json")


def mask_secrets(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every non-empty string of ``secrets`` replaced by ``***``."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


async def request(
    ctx: Any,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
    content: bytes | str | None = None,
    json: Any = None,
    data: Mapping[str, Any] | None = None,
    timeout_s: float | None = None,
    retries: int = 0,
    follow_redirects: bool = True,
    max_redirects: int = 10,
    max_bytes: int | None = None,
    secrets: Sequence[str] = (),
) -> HttpResult:
    """Send ``method url`` under ``ctx.policy`` and return the response (see the module
    docstring for policy, pinning, rate limit, cap, timeout, retries and redirects).

    At most one of ``content`` (raw body), ``json`` (serialised, Content-Type set) and
    ``data`` (form-encoded) may be given. ``params`` are appended to the URL's query.
    """
    try:
        return await _request(
            ctx,
            method,
            url,
            headers=headers,
            params=params,
            content=content,
            json_body=json,
            data=data,
            timeout_s=timeout_s,
            retries=retries,
            follow_redirects=follow_redirects,
            max_redirects=max_redirects,
            max_bytes=max_bytes,
            secrets=list(secrets),
        )
    except ToolFailure as exc:
        raise ToolFailure(
            mask_secrets(str(exc), secrets), kind=exc.kind, operation=exc.operation
        ) from None
    except LLMSpellError as exc:
        if not any(s and s in str(exc) for s in secrets):
            raise
        masked = type(exc)(mask_secrets(exc.message, secrets))
        masked.hint = mask_secrets(exc.hint, secrets) if exc.hint else None
        raise masked from None


@dataclass
class _Call:
    """What stays fixed across the hops and attempts of one :func:`request`."""

    ctx: Any
    httpx: Any
    timeout: float
    retries: int
    limit: int
    cap_setting: str
    secrets: list[str]

    def log(self, message: str) -> None:
        log = getattr(self.ctx, "log", None)
        if callable(log):
            log("debug", mask_secrets(message, self.secrets), "http")


async def _request(
    ctx: Any,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None,
    params: Mapping[str, Any] | None,
    content: bytes | str | None,
    json_body: Any,
    data: Mapping[str, Any] | None,
    timeout_s: float | None,
    retries: int,
    follow_redirects: bool,
    max_redirects: int,
    max_bytes: int | None,
    secrets: list[str],
) -> HttpResult:
    import httpx

    policy = ctx.policy
    verb = _method(method)
    send_headers = _headers(headers)
    if not any(k.lower() == "user-agent" for k in send_headers):
        from llmspell import __version__

        send_headers["User-Agent"] = f"llmspell/{__version__}"
    body, body_type = _body(content, json_body, data)
    if not any(k.lower() == "traceparent" for k in send_headers):
        # with tracing on, the tool call's span becomes the remote parent (W3C trace context)
        from llmspell.observability.propagation import trace_headers

        send_headers.update(trace_headers())
    if body_type and "content-type" not in {k.lower() for k in send_headers}:
        send_headers["Content-Type"] = body_type
    limit = policy.max_response_bytes
    cap_setting = "[security] max_response_bytes (LLMSPELL_MAX_RESPONSE_BYTES)"
    if max_bytes is not None:
        if max_bytes < 1:
            raise ToolFailure(
                f"max_bytes must be at least 1 (got {max_bytes})", kind="ValidationError"
            )
        if max_bytes < limit:
            limit, cap_setting = max_bytes, "the tool's max_bytes"
    timeout = float(timeout_s) if timeout_s is not None else policy.network_timeout_seconds
    if timeout <= 0:
        raise ToolFailure(
            f"the timeout must be positive (got {timeout:g} s)", kind="ValidationError"
        )
    if retries < 0:
        raise ToolFailure(f"retries must be 0 or more (got {retries})", kind="ValidationError")
    call = _Call(ctx, httpx, timeout, retries, limit, cap_setting, secrets)

    started = time.perf_counter()
    current = _with_params(url, params)
    what = verb
    redirects: list[str] = []
    while True:
        checked = await asyncio.to_thread(policy.resolve_url, current, what=what)
        response = await _send_with_retries(call, verb, checked, send_headers, body)
        location = response.headers.get("location")
        if not (follow_redirects and response.status in REDIRECT_STATUSES and location):
            response.url = checked.url
            response.redirects = redirects
            response.elapsed_ms = round((time.perf_counter() - started) * 1000, 3)
            response._secrets = tuple(secrets)
            return response
        redirects.append(checked.url)
        if len(redirects) > max_redirects:
            raise ToolFailure(
                f"too many redirects: more than {max_redirects} starting at "
                f"{_shown(redirects[0])} (last: {_shown(checked.url)}); a redirect loop?",
                kind="ToolError",
            )
        target = urljoin(checked.url, location.strip())
        if _origin(target) != _origin(checked.url):
            dropped = ("authorization", "cookie", "proxy-authorization")
            send_headers = {k: v for k, v in send_headers.items() if k.lower() not in dropped}
        if (response.status == 303 and verb != "HEAD") or (
            response.status in (301, 302) and verb == "POST"
        ):
            verb, body = "GET", None
            send_headers = {
                k: v
                for k, v in send_headers.items()
                if k.lower() not in ("content-type", "content-length")
            }
        what = f"redirect from {_shown(checked.url)} to"
        current = target


async def _send_with_retries(
    call: _Call, verb: str, checked: Any, headers: dict[str, str], body: bytes | None
) -> HttpResult:
    attempt = 0
    while True:
        wait = call.ctx.policy.reserve_request(checked.host)
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            result = await _send_once(call, verb, checked, headers, body)
        except _Unreachable as exc:
            if attempt >= call.retries:
                tries = f" (after {attempt + 1} attempts)" if attempt else ""
                raise ToolFailure(f"{exc}{tries}", kind=exc.kind) from None
            delay = _backoff(attempt)
        else:
            result.attempts = attempt + 1
            retryable = result.status == 429 or result.status >= 500
            if not retryable or attempt >= call.retries:
                return result
            delay = max(_backoff(attempt), _retry_after(result.headers.get("retry-after")))
        call.log(f"retrying {verb} {_shown(checked.url)} in {delay:.2f} s")
        await asyncio.sleep(delay)
        attempt += 1


class _Unreachable(Exception):
    """A connection-level failure worth a retry."""

    def __init__(self, message: str, kind: str = "ToolError") -> None:
        super().__init__(message)
        self.kind = kind


async def _send_once(
    call: _Call, verb: str, checked: Any, headers: dict[str, str], body: bytes | None
) -> HttpResult:
    httpx = call.httpx
    shown = _shown(checked.url)
    original = httpx.URL(checked.url)
    send_headers = dict(headers)
    if not any(k.lower() == "host" for k in send_headers):
        default = 443 if original.scheme == "https" else 80
        port = original.port
        host = f"[{checked.host}]" if ":" in checked.host else checked.host
        send_headers["Host"] = host if port in (None, default) else f"{host}:{port}"
    extensions: dict[str, Any] = {}
    if original.scheme == "https":
        extensions["sni_hostname"] = checked.host
    timed_out = (
        f"{verb} {shown} timed out after {call.timeout:g} s (set the tool's timeout, or "
        "[security] network_timeout_seconds / LLMSPELL_NETWORK_TIMEOUT)"
    )
    errors: list[str] = []
    deadline = asyncio.timeout(call.timeout)
    try:
        async with deadline:
            for address in checked.addresses:
                # connect to the address the policy checked; Host/SNI keep the name
                pinned = original.copy_with(host=address)
                async with httpx.AsyncClient(
                    verify=_ssl_context(),
                    trust_env=False,
                    follow_redirects=False,
                    timeout=httpx.Timeout(call.timeout),
                ) as client:
                    req = client.build_request(
                        verb, pinned, headers=send_headers, content=body, extensions=extensions
                    )
                    try:
                        resp = await client.send(req, stream=True)
                    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                        errors.append(f"{address}: {_reason(exc)}")
                        continue
                    try:
                        data = (
                            b""
                            if verb == "HEAD"  # no body, whatever Content-Length says
                            else await _read_capped(resp, call.limit, shown, call.cap_setting)
                        )
                    finally:
                        await resp.aclose()
                call.log(f"{verb} {shown} -> {resp.status_code} ({len(data)} bytes)")
                return HttpResult(
                    status=resp.status_code,
                    headers=_header_dict(resp.headers),
                    body=data,
                    url=checked.url,
                )
    except TimeoutError:
        if not deadline.expired():
            raise
        raise ToolFailure(timed_out, kind="TimeoutError") from None
    except httpx.TimeoutException:
        raise ToolFailure(timed_out, kind="TimeoutError") from None
    except httpx.HTTPError as exc:
        raise ToolFailure(f"{verb} {shown} failed: {_reason(exc)}", kind="ToolError") from None
    raise _Unreachable(
        f"cannot connect to {shown} ({'; '.join(errors)}); check that the server is running "
        "and the host and port are right"
    )


async def _read_capped(resp: Any, limit: int, shown: str, cap_setting: str) -> bytes:
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ToolFailure(_too_big(shown, limit, cap_setting, f"it declares {declared} bytes"))
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise ToolFailure(_too_big(shown, limit, cap_setting, "the download was stopped"))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(shown: str, limit: int, setting: str, detail: str) -> str:
    return (
        f"the response from {shown} is larger than the limit of {limit} bytes ({detail}); "
        f"the limit is {setting}"
    )


def _reason(exc: BaseException) -> str:
    """A one-line reason for an httpx error (its message, or its class name)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text or type(exc).__name__


def _backoff(attempt: int) -> float:
    """Full jitter: a random delay up to base * 2**attempt (capped)."""
    ceiling: float = min(BACKOFF_CAP_S, BACKOFF_BASE_S * (2**attempt))
    return random.uniform(0, ceiling)  # jitter, not cryptography


def _retry_after(value: str | None) -> float:
    """Seconds a ``Retry-After`` header asks for (number or HTTP date), capped."""
    if not value:
        return 0.0
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return 0.0
        seconds = when.timestamp() - time.time()
    return max(0.0, min(RETRY_AFTER_CAP_S, seconds))


def _method(method: str) -> str:
    verb = str(method).strip().upper()
    if not verb or not _TOKEN.match(verb):
        raise ToolFailure(f"invalid HTTP method {method!r}", kind="ValidationError")
    return verb


def _headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not _TOKEN.match(name):
            raise ToolFailure(f"invalid header name {name!r}", kind="ValidationError")
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ToolFailure(
                f"header {name!r} must have a string value (got {type(value).__name__})",
                kind="ValidationError",
            )
        text = str(value)
        if any(c in text for c in "\r\n\x00"):
            # the value itself is never shown: it may be a credential
            raise ToolFailure(
                f"header {name!r} contains a line break or NUL character", kind="ValidationError"
            )
        out[name] = text
    return out


def _body(
    content: bytes | str | None, json_body: Any, data: Mapping[str, Any] | None
) -> tuple[bytes | None, str | None]:
    given = [
        n for n, v in (("content", content), ("json", json_body), ("data", data)) if v is not None
    ]
    if len(given) > 1:
        raise ToolFailure(
            f"give only one request body, not {' and '.join(given)}", kind="ValidationError"
        )
    if content is not None:
        return (content.encode("utf-8") if isinstance(content, str) else bytes(content)), None
    if json_body is not None:
        try:
            encoded = jsonlib.dumps(json_body, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise ToolFailure(
                f"the JSON body cannot be encoded: {exc}", kind="ValidationError"
            ) from None
        return encoded.encode("utf-8"), "application/json"
    if data is not None:
        return urlencode(_query_items(data), doseq=True).encode("ascii"), (
            "application/x-www-form-urlencoded"
        )
    return None, None


def _query_items(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for key, value in values.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            if item is None:
                continue
            if isinstance(item, bool):
                items.append((str(key), "true" if item else "false"))
            elif isinstance(item, str | int | float):
                items.append((str(key), str(item)))
            else:
                raise ToolFailure(
                    f"parameter {key!r} must be a string, number or boolean (or a list of "
                    f"them), not {type(item).__name__}",
                    kind="ValidationError",
                )
    return items


def _with_params(url: str, params: Mapping[str, Any] | None) -> str:
    if not params:
        return url
    if not isinstance(url, str):
        raise ValidationError(f"url must be a string (got {url!r})")
    parts = urlsplit(url)
    extra = urlencode(_query_items(params), doseq=True)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _header_dict(headers: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers.multi_items():
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*\"?([\w.:-]+)", content_type, re.I)
    return match.group(1) if match else None


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, (parts.hostname or "").lower(), port


def _shown(url: str) -> str:
    """``url`` for messages: no credentials, no query string, no fragment."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path or "/", "", ""))


def _ssl_context() -> ssl.SSLContext:
    """One verifying SSL context (certifi's CAs) shared by every request."""
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        import ssl

        import certifi

        _SSL_CONTEXT = ssl.create_default_context(cafile=certifi.where())
    return _SSL_CONTEXT
