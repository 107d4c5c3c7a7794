"""What the api tools share: parameter schemas, auth, secret collection and the shape of
a response in a ToolResult."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from llmspell_tools._http import HttpResult, mask_secrets
from llmspell_tools._support import fail

__all__ = [
    "AUTH_SCHEMA",
    "HEADERS_SCHEMA",
    "METHODS",
    "QUERY_SCHEMA",
    "REQUEST_PROPERTIES",
    "TIMEOUT_SCHEMA",
    "auth_headers",
    "body_options",
    "mask_value",
    "public_url",
    "response_view",
    "secrets_of",
    "timeout_s",
]

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

HEADERS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {"type": ["string", "number", "boolean"]},
    "description": "request headers, {name: value}",
}
QUERY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {"type": ["string", "number", "boolean", "array", "null"]},
    "description": "query parameters appended to the URL, {name: value or [values]}",
}
AUTH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["basic", "bearer"]},
        "username": {"type": "string"},
        "password": {"type": "string"},
        "token": {"type": "string"},
    },
    "required": ["type"],
    "additionalProperties": False,
    "description": "basic {username, password} or bearer {token}; never echoed back",
}
TIMEOUT_SCHEMA: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "maximum": 600_000,
    "description": "per-request timeout in ms (default [security] network_timeout_seconds)",
}

#: the request parameters http-requester and api-tester share (one definition)
REQUEST_PROPERTIES: dict[str, Any] = {
    "input": {"type": "string", "description": "the URL (http or https)"},
    "method": {"type": "string", "enum": METHODS + [m.lower() for m in METHODS], "default": "GET"},
    "headers": HEADERS_SCHEMA,
    "query": QUERY_SCHEMA,
    "body": {
        "type": ["string", "object", "array"],
        "description": "request body: a string is sent as is, an object/array as JSON",
    },
    "json": {"description": "a JSON body (sets Content-Type: application/json)"},
    "auth": AUTH_SCHEMA,
    "timeout_ms": TIMEOUT_SCHEMA,
    "retry": {
        "type": "integer",
        "minimum": 0,
        "maximum": 10,
        "default": 0,
        "description": "retries on connection errors, 429 and 5xx (backoff, Retry-After)",
    },
    "follow_redirects": {"type": "boolean", "default": True},
}

#: header names whose values are credentials (masked wherever they could show up)
_SECRET_HEADERS = ("authorization", "proxy-authorization", "cookie", "x-api-key", "api-key")
#: words that make a header or query parameter name look like it holds a credential
_SECRET_WORDS = ("token", "secret", "password", "passwd", "apikey", "api_key", "api-key", "sig")


def _looks_secret(name: str) -> bool:
    lowered = name.lower()
    return (
        lowered in _SECRET_HEADERS
        or any(w in lowered for w in _SECRET_WORDS)
        or (lowered in ("key", "access_key", "auth"))
    )


def auth_headers(auth: Mapping[str, Any] | None) -> tuple[dict[str, str], list[str]]:
    """The Authorization header of ``auth`` and the strings to mask."""
    if not auth:
        return {}, []
    kind = auth.get("type")
    if kind == "bearer":
        token = auth.get("token")
        if not token:
            fail("auth type 'bearer' needs 'token'", kind="ValidationError")
        return {"Authorization": f"Bearer {token}"}, [str(token)]
    username, password = auth.get("username"), auth.get("password")
    if username is None or password is None:
        fail("auth type 'basic' needs 'username' and 'password'", kind="ValidationError")
    pair = f"{username}:{password}"
    encoded = base64.b64encode(pair.encode("utf-8")).decode("ascii")
    return {"Authorization": f"Basic {encoded}"}, [encoded, pair, str(password)]


def secrets_of(
    url: str,
    headers: Mapping[str, Any] | None = None,
    query: Mapping[str, Any] | None = None,
    extra: list[str] | None = None,
) -> list[str]:
    """Every credential a request carries: the URL's password and secret-looking query
    values, secret-looking header values (and their tokens), ``extra``."""
    found = list(extra or [])
    try:
        parts = urlsplit(url)
        if parts.password:
            found.append(parts.password)
        pairs = parse_qsl(parts.query, keep_blank_values=False)
    except ValueError:
        pairs = []
    pairs += [(k, str(v)) for k, v in (query or {}).items() if not isinstance(v, list)]
    pairs += [(k, str(i)) for k, v in (query or {}).items() if isinstance(v, list) for i in v]
    found += [v for k, v in pairs if _looks_secret(k)]
    for name, value in (headers or {}).items():
        if _looks_secret(str(name)):
            text = str(value)
            found.append(text)
            scheme, _, credential = text.partition(" ")
            if credential and scheme.lower() in ("bearer", "basic", "token"):
                found.append(credential)
    return [s for s in found if len(s) >= 3]  # masking "a" or "" would ruin any output


def mask_value(value: Any, secrets: list[str]) -> Any:
    """``value`` (JSON) with every secret masked inside its strings (keys too)."""
    if not secrets:
        return value
    if isinstance(value, str):
        return mask_secrets(value, secrets)
    if isinstance(value, list):
        return [mask_value(v, secrets) for v in value]
    if isinstance(value, dict):
        return {mask_secrets(str(k), secrets): mask_value(v, secrets) for k, v in value.items()}
    return value


def public_url(url: str) -> str:
    """``url`` without a ``user:password@`` part."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def timeout_s(params: Mapping[str, Any]) -> float | None:
    """``timeout_ms`` in seconds (None: the policy default)."""
    value = params.get("timeout_ms")
    return None if value is None else value / 1000


def body_options(params: Mapping[str, Any]) -> dict[str, Any]:
    """``content``/``json`` for ``_http.request`` from ``body`` (string: sent as is;
    object/array: sent as JSON) and ``json``; both at once is a ValidationError."""
    body, json_body = params.get("body"), params.get("json")
    if body is not None and json_body is not None:
        fail("give either 'body' or 'json', not both", kind="ValidationError")
    if isinstance(body, str):
        return {"content": body}
    if body is not None:
        return {"json": body}
    if json_body is not None:
        return {"json": json_body}
    return {}


def _text_like(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return (
        not media
        or media.startswith("text/")
        or media.endswith(
            ("+json", "+xml", "/json", "/xml", "/javascript", "/x-www-form-urlencoded")
        )
    )


def response_view(result: HttpResult, secrets: list[str]) -> tuple[dict[str, Any], str]:
    """The ToolResult ``result`` of a response and its ``text``: status, headers, ``json``
    (a JSON response that parses; ``body`` too) or ``body`` (text; ``body_base64`` for
    binary), final URL, redirects, elapsed_ms, timestamp, and rs-llmspell's
    ``status_code`` beside ``status`` — secrets masked throughout."""
    view: dict[str, Any] = {
        "status": result.status,
        "status_code": result.status,  # rs-llmspell's name
        "headers": mask_value(result.headers, secrets),
    }
    content_type = result.headers.get("content-type", "")
    text = mask_secrets(result.text(), secrets)
    parsed: Any = None
    is_json = False
    if result.is_json and result.body.strip():
        try:
            import json

            parsed = json.loads(result.text())
            is_json = True
        except ValueError:
            is_json = False
    if is_json:
        view["json"] = mask_value(parsed, secrets)
        view["body"] = text  # rs-llmspell spells read body whatever the content type
    elif _text_like(content_type) or _decodes(result.body):
        view["body"] = text
    else:
        view["body_base64"] = base64.b64encode(result.body).decode("ascii")
        text = f"<{len(result.body)} bytes of {content_type or 'binary data'}>"
    view["url"] = mask_secrets(public_url(result.url), secrets)
    view["redirects"] = [mask_secrets(public_url(u), secrets) for u in result.redirects]
    view["elapsed_ms"] = result.elapsed_ms
    view["timestamp"] = datetime.now(UTC).isoformat(timespec="milliseconds")
    return view, text


def _decodes(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
