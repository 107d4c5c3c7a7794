"""api-tester: send a request and check the response against expectations (status,
headers, JSONPath values, body text, time) → a pass/fail report with every check."""

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
    secrets_of,
    timeout_s,
)

_MISSING = "(missing)"


def _same(expected: Any, actual: Any) -> bool:
    """JSON equality: true is not 1, 1 equals 1.0, lists and objects compared deeply."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return float(expected) == float(actual)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(map(_same, expected, actual))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(
            _same(v, actual[k]) for k, v in expected.items()
        )
    return type(expected) is type(actual) and bool(expected == actual)


def _check(name: str, expected: Any, actual: Any, passed: bool) -> dict[str, Any]:
    return {"check": name, "expected": expected, "actual": actual, "passed": bool(passed)}


def _status_check(expected: Any, status: int) -> dict[str, Any]:
    if expected is None:
        return _check("status", "< 400", status, status < 400)
    if isinstance(expected, list):
        return _check("status", expected, status, status in expected)
    return _check("status", expected, status, status == expected)


def _header_checks(expected: dict[str, Any], headers: dict[str, str]) -> list[dict[str, Any]]:
    checks = []
    for name, want in expected.items():
        actual = headers.get(name.lower())
        label = f"header {name}"
        if want is None:  # the header must be absent
            checks.append(_check(label, None, actual, actual is None))
        elif actual is None:
            checks.append(_check(label, want, _MISSING, False))
        else:
            checks.append(_check(label, want, actual, str(want).lower() in actual.lower()))
    return checks


def _json_checks(expected: dict[str, Any], document: Any, is_json: bool) -> list[dict[str, Any]]:
    from llmspell_tools.api._jsonpath import find

    checks = []
    for path, want in expected.items():
        label = f"json_path {path}"
        if not is_json:
            checks.append(_check(label, want, "(response is not JSON)", False))
            continue
        try:
            values, wild = find(document, path)
        except ValueError as exc:
            fail(str(exc), kind="ValidationError")
        if wild:
            checks.append(_check(label, want, values, _same(want, values)))
        elif not values:
            checks.append(_check(label, want, _MISSING, False))
        else:
            checks.append(_check(label, want, values[0], _same(want, values[0])))
    return checks


def _body_checks(expected: Any, text: str) -> list[dict[str, Any]]:
    wanted = expected if isinstance(expected, list) else [expected]
    return [
        _check("body_contains", w, "found" if w in text else "not found", w in text) for w in wanted
    ]


def _check_paths(paths: dict[str, Any]) -> None:
    """Fail before sending anything when a JSONPath cannot be read."""
    from llmspell_tools.api._jsonpath import compile_path

    for path in paths:
        try:
            compile_path(path)
        except ValueError as exc:
            fail(f"expect.json_path: {exc}", kind="ValidationError")


async def run(params: dict[str, Any], ctx: Any) -> ToolOutput:
    """Send the request and evaluate ``expect``; passed=false is still success=true."""
    import json

    from llmspell_tools._http import mask_secrets, request

    url = params["input"]
    method = params.get("method", "GET").upper()
    headers = {k: str(v) for k, v in (params.get("headers") or {}).items()}
    auth, auth_secrets = auth_headers(params.get("auth"))
    headers.update(auth)
    secrets = secrets_of(url, headers, params.get("query"), auth_secrets)
    expect: dict[str, Any] = params.get("expect") or {}
    _check_paths(expect.get("json_path") or {})
    result = await request(
        ctx,
        method,
        url,
        headers=headers,
        params=params.get("query"),
        timeout_s=timeout_s(params),
        retries=params.get("retry", 0),
        follow_redirects=params.get("follow_redirects", True),
        secrets=secrets,
        **body_options(params),
    )
    text = result.text()
    document: Any = None
    is_json = False
    try:
        document = json.loads(text) if text.strip() else None
        is_json = text.strip() != ""
    except ValueError:
        is_json = False

    checks = [_status_check(expect.get("status"), result.status)]
    checks += _header_checks(expect.get("headers") or {}, result.headers)
    checks += _json_checks(expect.get("json_path") or {}, document, is_json)
    if expect.get("body_contains") is not None:
        checks += _body_checks(expect["body_contains"], text)
    if expect.get("max_time_ms") is not None:
        limit = expect["max_time_ms"]
        checks.append(_check("max_time_ms", limit, result.elapsed_ms, result.elapsed_ms <= limit))
    checks = mask_value(checks, secrets)
    failed = [c for c in checks if not c["passed"]]
    report = {
        "passed": not failed,
        "checks": checks,
        "status": result.status,
        "elapsed_ms": result.elapsed_ms,
        "url": mask_secrets(public_url(result.url), secrets),
    }
    if failed:
        first = failed[0]
        summary = (
            f"FAILED {len(failed)} of {len(checks)} checks; first: {first['check']} expected "
            f"{json.dumps(first['expected'])}, got {json.dumps(first['actual'])}"
        )
    else:
        summary = f"PASSED {len(checks)} of {len(checks)} checks"
    return ToolOutput(result=report, text=mask_secrets(summary, secrets))


TOOL = Tool(
    name="api-tester",
    description="Test an HTTP API endpoint: send a request and check the response against "
    "'expect' (status or list of statuses, headers that must contain a text or be absent "
    "(null), json_path {'$.a.b': value, '$.items[*].id': [..]}, body_contains, max_time_ms). "
    "Returns result.passed and result.checks [{check, expected, actual, passed}]; a failed "
    "check is success=true with passed=false. Needs network access.",
    category="api",
    handler=run,
    timeout_seconds=300,
    security=("network",),
    tags=("http", "api", "test", "assert", "jsonpath", "network"),
    parameters={
        "type": "object",
        "properties": {
            **REQUEST_PROPERTIES,
            "expect": {
                "type": "object",
                "properties": {
                    "status": {
                        "type": ["integer", "array"],
                        "items": {"type": "integer"},
                        "description": "the status, or a list of accepted statuses "
                        "(default: any status below 400)",
                    },
                    "headers": {
                        "type": "object",
                        "additionalProperties": {"type": ["string", "null"]},
                        "description": "{name: text the value must contain} (case-insensitive)"
                        "; null: the header must be absent",
                    },
                    "json_path": {
                        "type": "object",
                        "description": "{'$.path': expected value}; paths: .name, ['name'], "
                        "[n], [*], .*; a wildcard path is compared with the list of matches",
                    },
                    "body_contains": {
                        "type": ["string", "array"],
                        "items": {"type": "string"},
                        "description": "text (or texts) the body must contain",
                    },
                    "max_time_ms": {"type": "number", "minimum": 0},
                },
                "additionalProperties": False,
            },
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
