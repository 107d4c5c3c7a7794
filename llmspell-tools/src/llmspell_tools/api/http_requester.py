"""http-requester: send one HTTP request (any method, headers, body, auth, retries)
under the network policy and return status, headers and the body (parsed when JSON)."""

from __future__ import annotations

from typing import Any

from llmspell.tools import Tool, ToolOutput
from llmspell_tools._support import fail
from llmspell_tools.api._request import (
    REQUEST_PROPERTIES,
    auth_headers,
    body_options,
    mask_value,
    public_url,
    response_view,
    secrets_of,
    timeout_s,
)

#: how much of an error response's body goes into the error message
_EXCERPT = 300


async def run(params: dict[str, Any], ctx: Any) -> ToolOutput:
    """Send the request; HTTP 4xx/5xx is success=false unless ``accept_error_status``."""
    from llmspell_tools._http import mask_secrets, request

    url = params["input"]
    method = params.get("method", "GET").upper()
    headers = {
        k: str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in (params.get("headers") or {}).items()
    }
    auth, auth_secrets = auth_headers(params.get("auth"))
    if auth and any(k.lower() == "authorization" for k in headers):
        fail("give either 'auth' or an Authorization header, not both", kind="ValidationError")
    headers.update(auth)
    query = params.get("query")
    secrets = secrets_of(url, headers, query, auth_secrets)
    result = await request(
        ctx,
        method,
        url,
        headers=headers,
        params=query,
        timeout_s=timeout_s(params),
        retries=params.get("retry", 0),
        follow_redirects=params.get("follow_redirects", True),
        max_bytes=params.get("max_bytes"),
        secrets=secrets,
        **body_options(params),
    )
    view, text = response_view(result, secrets)
    if result.status >= 400 and not params.get("accept_error_status", False):
        excerpt = text.strip().replace("\n", " ")
        if len(excerpt) > _EXCERPT:
            excerpt = excerpt[:_EXCERPT] + "..."
        shown = mask_secrets(public_url(result.url).split("?", 1)[0], secrets)
        fail(
            f"HTTP {result.status} from {method} {shown}" + (f": {excerpt}" if excerpt else ""),
            kind="HttpError",
        )
    meta = {"attempts": result.attempts, "method": method}
    return ToolOutput(result=mask_value(view, secrets), text=text, metadata=meta)


TOOL = Tool(
    name="http-requester",
    description="Send an HTTP request (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS) with "
    "headers, query parameters, a body or JSON, basic/bearer auth and retries. Returns "
    "result.status, result.headers, result.json (JSON responses) or result.body (text), "
    "result.url (after redirects), result.redirects and result.elapsed_ms; text is the "
    "body. HTTP 4xx/5xx gives success=false unless accept_error_status. Needs network "
    "access ([security] allow_network or --allow-net).",
    category="api",
    handler=run,
    timeout_seconds=300,
    security=("network",),
    tags=("http", "api", "rest", "request", "network"),
    parameters={
        "type": "object",
        "properties": {
            **REQUEST_PROPERTIES,
            "max_bytes": {
                "type": "integer",
                "minimum": 1,
                "description": "largest response body read (can only lower "
                "[security] max_response_bytes)",
            },
            "accept_error_status": {
                "type": "boolean",
                "default": False,
                "description": "return 4xx/5xx responses as success (check result.status)",
            },
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
