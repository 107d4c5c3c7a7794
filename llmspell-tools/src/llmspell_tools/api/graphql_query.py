"""graphql-query: run a GraphQL query or mutation against an endpoint (POST JSON) and
return ``data`` and ``errors``; GraphQL errors make the call fail with their messages."""

from __future__ import annotations

from typing import Any

from llmspell.tools import Tool, ToolOutput
from llmspell_tools._support import fail
from llmspell_tools.api._request import (
    AUTH_SCHEMA,
    HEADERS_SCHEMA,
    TIMEOUT_SCHEMA,
    auth_headers,
    mask_value,
    public_url,
    secrets_of,
    timeout_s,
)


def _messages(errors: Any) -> str:
    if not isinstance(errors, list):
        return str(errors)
    parts = []
    for err in errors:
        message = err.get("message") if isinstance(err, dict) else None
        path = err.get("path") if isinstance(err, dict) else None
        text = str(message if message is not None else err)
        if path:
            text += f" (at {'.'.join(str(p) for p in path)})"
        parts.append(text)
    return "; ".join(parts)


async def run(params: dict[str, Any], ctx: Any) -> ToolOutput:
    """POST {query, variables, operationName}; success=false on GraphQL or HTTP errors."""
    import json

    from llmspell_tools._http import mask_secrets, request

    endpoint = params["endpoint"]
    query = params.get("input") if params.get("input") is not None else params.get("query")
    operation = params.get("operation", "query")  # rs-llmspell's operation
    if operation == "subscription":
        fail(
            "GraphQL subscriptions need a long-lived connection, which graphql-query does not "
            "keep; send a query (poll) instead",
            kind="ValidationError",
            operation=operation,
        )
    if operation == "introspection" and query is None:
        query = INTROSPECTION_QUERY
    if not isinstance(query, str) or not query.strip():
        fail("'input' (the GraphQL query) is required", kind="ValidationError")
    payload: dict[str, Any] = {"query": query}
    if params.get("variables") is not None:
        payload["variables"] = params["variables"]
    if params.get("operation_name"):
        payload["operationName"] = params["operation_name"]
    headers = {k: str(v) for k, v in (params.get("headers") or {}).items()}
    auth, auth_secrets = auth_headers(params.get("auth"))
    headers.update(auth)
    headers.setdefault("Accept", "application/graphql-response+json, application/json")
    secrets = secrets_of(endpoint, headers, None, auth_secrets)
    result = await request(
        ctx,
        "POST",
        endpoint,
        headers=headers,
        json=payload,
        timeout_s=timeout_s(params),
        retries=params.get("retry", 0),
        secrets=secrets,
    )
    shown = mask_secrets(public_url(result.url).split("?", 1)[0], secrets)
    try:
        answer = json.loads(result.text())
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or not ("data" in answer or "errors" in answer):
        excerpt = mask_secrets(result.text()[:200], secrets)
        fail(
            f"{shown} did not answer with a GraphQL response (HTTP {result.status}): {excerpt}",
            kind="HttpError" if result.status >= 400 else "ToolError",
        )
    data = mask_value(answer.get("data"), secrets)
    errors = mask_value(answer.get("errors"), secrets)
    if errors:
        count = len(errors) if isinstance(errors, list) else 1
        status = f"HTTP {result.status}, " if result.status != 200 else ""
        fail(
            f"GraphQL errors from {shown} ({status}{count}): {_messages(errors)}",
            kind="GraphQLError",
        )
    if result.status >= 400:
        fail(f"HTTP {result.status} from {shown}", kind="HttpError")
    text = json.dumps(data, ensure_ascii=False)
    return ToolOutput(
        result={"data": data, "errors": None, "status": result.status},
        text=text,
        metadata={"elapsed_ms": result.elapsed_ms},
    )


#: what ``operation = "introspection"`` asks when no query is given: the schema's types
INTROSPECTION_QUERY = (
    "query IntrospectionQuery { __schema { queryType { name } mutationType { name } "
    "subscriptionType { name } types { kind name description fields { name description "
    "type { kind name ofType { kind name } } } } } }"
)


TOOL = Tool(
    name="graphql-query",
    description="Run a GraphQL query or mutation: POSTs {query, variables, operationName} "
    "as JSON to 'endpoint'. Returns result.data (text: data as JSON); a response with "
    "GraphQL errors gives success=false with the errors' messages. Needs network access.",
    category="api",
    handler=run,
    timeout_seconds=120,
    security=("network",),
    tags=("graphql", "api", "query", "network"),
    parameters={
        "type": "object",
        "properties": {
            "endpoint": {"type": "string", "description": "the GraphQL endpoint URL"},
            "input": {"type": "string", "description": "the query or mutation document"},
            "query": {"type": "string", "description": "alias of 'input'"},
            "operation": {
                "type": "string",
                "enum": ["query", "mutation", "introspection", "subscription"],
                "default": "query",
                "description": "introspection without input asks for the schema's types; "
                "subscription is refused (no long-lived connections)",
            },
            "variables": {"type": "object", "description": "values of the $variables"},
            "operation_name": {
                "type": "string",
                "description": "which operation to run when the document has several",
            },
            "headers": HEADERS_SCHEMA,
            "auth": AUTH_SCHEMA,
            "timeout_ms": TIMEOUT_SCHEMA,
            "retry": {"type": "integer", "minimum": 0, "maximum": 10, "default": 0},
        },
        "required": ["endpoint"],
        "additionalProperties": False,
    },
)
