"""webhook-caller: deliver a JSON payload to a webhook URL, optionally signed with
HMAC-SHA256, retrying on connection errors, 429 and 5xx.

A ``secret`` parameter is the spell's own. A ``secret_env`` (an operator secret in the
environment) signs only for the URLs the operator bound it to in
``[tools.webhook-caller] secret_envs = { NAME = ["https://hooks.example.com/build"] }``
(the same matching as ``[providers.NAME] allowed_base_urls``: scheme, host, port and a
path under the listed one): anything else is a SecurityError, so a spell can neither sign
for a server of its choosing (a signing oracle for the operator's receiver) nor use an
arbitrary variable (an API key, say) as a key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from typing import Any

from llmspell.tools import Tool, ToolOutput
from llmspell_tools._support import fail
from llmspell_tools.api._request import (
    HEADERS_SCHEMA,
    TIMEOUT_SCHEMA,
    public_url,
    secrets_of,
    timeout_s,
)

SIGNATURE_HEADER = "X-Llmspell-Signature"
TIMESTAMP_HEADER = "X-Llmspell-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value: ``sha256=`` + hex HMAC-SHA256 of
    ``"<timestamp>." + body`` keyed with ``secret`` (what a receiver recomputes)."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def _bound_urls(ctx: Any) -> dict[str, list[str]]:
    """``[tools.webhook-caller] secret_envs``: env var name -> the URLs it may sign for."""
    table = (getattr(ctx.settings, "tools", None) or {}).get("webhook-caller") or {}
    unknown = sorted(k for k in table if k != "secret_envs")
    if unknown:
        fail(
            f"[tools.webhook-caller] has an unknown key {unknown[0]!r} (known: secret_envs)",
            kind="ConfigurationError",
        )
    raw = table.get("secret_envs") or {}
    bound: dict[str, list[str]] = {}
    shape_ok = isinstance(raw, dict)
    for name, urls in raw.items() if isinstance(raw, dict) else []:
        listed = [urls] if isinstance(urls, str) else urls
        if not isinstance(listed, list) or not all(isinstance(u, str) for u in listed):
            shape_ok = False
            break
        bound[str(name)] = listed
    if not shape_ok:
        fail(
            "[tools.webhook-caller] secret_envs must map each variable name to a URL or a "
            'list of URLs (BUILD_WEBHOOK_SECRET = ["https://hooks.example.com/build"])',
            kind="ConfigurationError",
        )
    return bound


def _covered(url: str, allowed: list[str]) -> bool:
    from llmspell.provider_resolution import parse_endpoint

    target = url.strip().split("#", 1)[0].split("?", 1)[0]
    try:
        wanted = parse_endpoint(target)
    except ValueError:
        return False
    for entry in allowed:
        try:
            if parse_endpoint(entry).covers(wanted):
                return True
        except ValueError:
            continue
    return False


def _secret(params: dict[str, Any], ctx: Any) -> str | None:
    if params.get("secret") is not None and params.get("secret_env") is not None:
        fail("give either 'secret' or 'secret_env', not both", kind="ValidationError")
    name = params.get("secret_env")
    if name is None:
        secret: str | None = params.get("secret")
        if secret == "":
            fail("'secret' is empty", kind="ValidationError")
        return secret
    bound = _bound_urls(ctx)
    if name not in bound:
        # refused before the variable is read: whether it exists is not revealed
        fail(
            f"secret_env {name!r} is not a webhook secret the operator configured; list it "
            "with the URLs it may sign for in [tools.webhook-caller] secret_envs in "
            "llmspell.toml, or pass the spell's own 'secret'",
            kind="SecurityError",
        )
    if not _covered(str(params["input"]), bound[name]):
        from llmspell_tools.api._request import public_url

        shown = public_url(str(params["input"])).split("?", 1)[0]
        fail(
            f"secret_env {name!r} signs only requests to {', '.join(bound[name]) or 'no URL'}"
            f" ([tools.webhook-caller] secret_envs), not to {shown}",
            kind="SecurityError",
        )
    value = os.environ.get(name)
    if not value:
        fail(
            f"environment variable {name!r} (secret_env) is not set or empty",
            kind="ConfigurationError",
        )
    return value


async def run(params: dict[str, Any], ctx: Any) -> ToolOutput:
    """POST (or PUT/PATCH) the payload; success=false when it was not delivered (2xx)."""
    from llmspell_tools._http import mask_secrets, request

    url = params["input"]
    method = params.get("method", "POST").upper()
    secret = _secret(params, ctx)
    headers = {k: str(v) for k, v in (params.get("headers") or {}).items()}
    lowered = {k.lower() for k in headers}
    for reserved in (SIGNATURE_HEADER, TIMESTAMP_HEADER):
        if reserved.lower() in lowered:
            fail(
                f"header {reserved} is set by the tool; remove it from 'headers'",
                kind="ValidationError",
            )
    try:
        body = json.dumps(
            params.get("payload"), ensure_ascii=False, separators=(",", ":"), allow_nan=False
        ).encode("utf-8")
    except (TypeError, ValueError) as exc:
        fail(f"the payload cannot be encoded as JSON: {exc}", kind="ValidationError")
    if "content-type" not in lowered:
        headers["Content-Type"] = "application/json"
    timestamp = str(int(time.time()))
    headers[TIMESTAMP_HEADER] = timestamp
    secrets = secrets_of(url, headers, None, [secret] if secret else [])
    if secret:
        headers[SIGNATURE_HEADER] = sign(secret, timestamp, body)
    result = await request(
        ctx,
        method,
        url,
        headers=headers,
        content=body,
        timeout_s=timeout_s(params),
        retries=params.get("max_retries", 3),
        follow_redirects=False,  # a webhook that redirects is not delivered
        max_bytes=1024 * 1024,
        secrets=secrets,
    )
    delivered = 200 <= result.status < 300
    shown = mask_secrets(public_url(result.url).split("?", 1)[0], secrets)
    if not delivered:
        fail(
            f"webhook not delivered: {method} {shown} answered HTTP {result.status} after "
            f"{result.attempts} attempt{'s' if result.attempts != 1 else ''}",
            kind="HttpError",
        )
    report = {
        "status": result.status,
        "delivered": True,
        "attempts": result.attempts,
        "signed": bool(secret),
        "timestamp": int(timestamp),
        "elapsed_ms": result.elapsed_ms,
        "response": mask_secrets(result.text()[:2000], secrets),
    }
    text = f"delivered to {shown}: HTTP {result.status} ({result.attempts} attempt(s))"
    return ToolOutput(result=report, text=text)


TOOL = Tool(
    name="webhook-caller",
    description="Deliver a JSON payload to a webhook (POST by default), retrying on "
    "connection errors, 429 and 5xx (max_retries, default 3). With 'secret' (or "
    "'secret_env' naming an operator secret bound to this URL) the request is signed: header "
    "X-Llmspell-Signature = 'sha256=' + hex HMAC-SHA256 of '<timestamp>.<body>', and "
    "X-Llmspell-Timestamp = the Unix time. Returns result.status, delivered, attempts; "
    "not delivered (non-2xx) is success=false. Needs network access.",
    category="api",
    handler=run,
    timeout_seconds=300,
    security=("network",),
    settings={
        "secret_envs": {
            "type": "object",
            "description": "environment variable name -> the URL or URLs its secret may sign for",
        },
    },
    tags=("webhook", "http", "hmac", "notify", "network"),
    parameters={
        "type": "object",
        "properties": {
            "input": {"type": "string", "description": "the webhook URL (http or https)"},
            "payload": {"description": "the JSON payload (any JSON value)"},
            "headers": HEADERS_SCHEMA,
            "method": {
                "type": "string",
                "enum": ["POST", "PUT", "PATCH", "post", "put", "patch"],
                "default": "POST",
            },
            "max_retries": {"type": "integer", "minimum": 0, "maximum": 10, "default": 3},
            "secret": {"type": "string", "description": "HMAC-SHA256 signing secret"},
            "secret_env": {
                "type": "string",
                "description": "name of the environment variable holding the signing "
                "secret (only one the operator bound to this URL)",
            },
            "timeout_ms": TIMEOUT_SCHEMA,
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
