"""service-checker: does a service answer? A TCP connect, an HTTP(S) GET or a DNS lookup
(rs-llmspell's tool of the same name).

Every target goes through the network policy first (``allow_network``, denied/allowed
hosts, private addresses): a denied target raises SecurityError. A check that runs ends
with ``success = true`` and ``result.healthy`` saying whether the service answered; a
service that is down is a finding, not a failure of the tool.
"""

from __future__ import annotations

import asyncio
import builtins
import re
import time
from typing import Any
from urllib.parse import urlsplit

from llmspell.errors import LimitExceeded, LLMSpellError, SecurityError, ValidationError
from llmspell.tools import Tool, ToolFailure, ToolOutput
from llmspell_tools._hostcheck import check_host
from llmspell_tools._support import fail, output

DEFAULT_TIMEOUT_S = 5.0
MAX_TIMEOUT_S = 30.0
#: the most of a health endpoint's body an HTTP check reads
MAX_HTTP_BYTES = 64 * 1024
#: what a dns target may be
_HOST_NAME = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?")
#: failures that are the spell's or the operator's business, never a "down" finding
_RAISED = (SecurityError, ValidationError, LimitExceeded)


def _host_port(target: str) -> tuple[str, int]:
    """``host:port`` (``[v6]:port`` too) of a TCP target."""
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536 or not host:
        fail(
            f"a tcp target is host:port (e.g. example.com:443), got {target!r}",
            kind="ValidationError",
        )
    return host.strip("[]"), int(port)


def _down(info: dict[str, Any], started: float, error: str) -> ToolOutput:
    info.update(healthy=False, error=error, latency_ms=_elapsed(started))
    return output(info, text=f"{info['check_type']} {info['target']}: down ({error})")


def _up(info: dict[str, Any], started: float, detail: str = "") -> ToolOutput:
    info.update(healthy=True, latency_ms=_elapsed(started))
    more = f", {detail}" if detail else ""
    text = f"{info['check_type']} {info['target']}: up ({info['latency_ms']:g} ms{more})"
    return output(info, text=text)


def _elapsed(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 3)


async def _tcp(ctx: Any, info: dict[str, Any], timeout: float) -> ToolOutput:
    host, port = _host_port(info["target"])
    info.update(host=host, port=port)
    started = time.monotonic()
    try:
        addresses = await asyncio.to_thread(check_host, ctx, host, port, what="service-checker")
    except _RAISED:
        raise
    except LLMSpellError as exc:  # the name does not resolve
        return _down(info, started, exc.message)
    errors = []
    for address in addresses:  # the checked addresses only: no second DNS answer
        left = timeout - (time.monotonic() - started)
        if left <= 0:
            break
        try:
            async with asyncio.timeout(left):
                _, writer = await asyncio.open_connection(address, port)
        except builtins.TimeoutError:
            errors.append(f"{address}: timed out")
            continue
        except OSError as exc:
            errors.append(f"{address}: {exc.strerror or exc}")
            continue
        writer.close()
        info["address"] = address
        return _up(info, started, f"connected to {address}")
    return _down(info, started, "no connection (" + ("; ".join(errors) or "timed out") + ")")


async def _http(ctx: Any, info: dict[str, Any], timeout: float) -> ToolOutput:
    from llmspell_tools import _http

    target = info["target"]
    url = target if "://" in target else f"{info['check_type']}://{target}"
    scheme = urlsplit(url).scheme
    if scheme != info["check_type"]:
        fail(
            f"check_type {info['check_type']!r} with a {scheme}:// target; give a "
            f"{info['check_type']}:// URL or a bare host",
            kind="ValidationError",
        )
    info["url"] = url
    started = time.monotonic()
    try:
        result = await _http.request(
            ctx, "GET", url, timeout_s=timeout, retries=0, max_bytes=MAX_HTTP_BYTES
        )
    except _RAISED:
        raise
    except (ToolFailure, LLMSpellError) as exc:
        return _down(info, started, str(exc))
    info["status_code"] = result.status
    if result.status >= 400:
        return _down(info, started, f"HTTP {result.status}")
    return _up(info, started, f"HTTP {result.status}")


async def _dns(ctx: Any, info: dict[str, Any], timeout: float) -> ToolOutput:
    host = info["target"]
    if not _HOST_NAME.fullmatch(host):
        fail(f"a dns target is a host name (example.com), got {host!r}", kind="ValidationError")
    started = time.monotonic()
    try:
        addresses = await asyncio.wait_for(
            asyncio.to_thread(check_host, ctx, host, 443, what="service-checker"), timeout
        )
    except _RAISED:
        raise
    except builtins.TimeoutError:
        return _down(info, started, f"no answer within {timeout:g} s")
    except LLMSpellError as exc:
        return _down(info, started, exc.message)
    info.update(host=host, addresses=addresses)
    return _up(info, started, ", ".join(addresses))


_CHECKS = {"tcp": _tcp, "http": _http, "https": _http, "dns": _dns}


async def run(params: dict[str, Any], ctx: Any) -> ToolOutput:
    """Check the target; ``result.healthy`` says whether it answered."""
    target = params["target"].strip()
    kind = params["check_type"]
    timeout = float(params.get("timeout_seconds", DEFAULT_TIMEOUT_S))
    info: dict[str, Any] = {"target": target, "check_type": kind}
    return await _CHECKS[kind](ctx, info, timeout)


TOOL = Tool(
    name="service-checker",
    description="Check whether a service answers: tcp (connect to host:port), http/https "
    "(GET the URL; healthy below HTTP 400) or dns (resolve a host name). result.healthy "
    "says up or down, with latency_ms and the status code or addresses. Needs network "
    "access; targets go through the network policy.",
    category="system",
    handler=run,
    timeout_seconds=MAX_TIMEOUT_S + 10,
    security=("network",),
    tags=("network", "health", "monitoring", "tcp", "dns", "http"),
    parameters={
        "type": "object",
        "properties": {
            "target": {
                "type": "string",
                "minLength": 1,
                "maxLength": 2048,
                "description": "tcp: host:port; http/https: a URL or host[:port][/path]; "
                "dns: a host name",
            },
            "check_type": {"type": "string", "enum": list(_CHECKS)},
            "timeout_seconds": {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": MAX_TIMEOUT_S,
                "default": DEFAULT_TIMEOUT_S,
            },
        },
        "required": ["target", "check_type"],
        "additionalProperties": False,
    },
)
