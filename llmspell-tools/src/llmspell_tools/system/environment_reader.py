"""environment-reader: read environment variables, with secrets redacted.

A variable whose name looks like it holds a secret (KEY, TOKEN, SECRET, PASSWORD,
CREDENTIAL, AUTH, ...) is reported with its value replaced by ``[REDACTED]``; passwords
embedded in URL values (``scheme://user:pass@host``) are masked too.
"""

from __future__ import annotations

import fnmatch
import os
from typing import Any

from llmspell import security
from llmspell.tools import Tool
from llmspell_tools._support import dispatch, fail, output

REDACTED = "[REDACTED]"
#: name fragments (upper-cased) that mark a variable as secret: the core's list, which
#: also keeps them from os.getenv in a spell
SECRET_MARKERS = security.SECRET_MARKERS


def is_secret(name: str) -> bool:
    """Whether the variable ``name`` looks like it holds a secret."""
    return security.looks_secret(name)


def shown(name: str, value: str) -> str:
    """``value`` as the tool reports it: redacted when secret, URL passwords masked."""
    if is_secret(name):
        return REDACTED
    return security.mask_url_password(value, REDACTED)


def _get(params: dict[str, Any]) -> Any:
    name = params.get("variable_name")
    if not name:
        fail("parameter 'variable_name' is required for get", kind="ValidationError")
    value = os.environ.get(name)
    if value is None:
        missing = {"name": name, "exists": False, "value": None}
        # rs-llmspell's names beside ours: variable_name, found
        return output({**missing, "variable_name": name, "found": False}, text="")
    text = shown(name, value)
    return output(
        {
            "name": name,
            "exists": True,
            "value": text,
            "redacted": text != value,
            "variable_name": name,
            "found": True,
        },
        text=text,
    )


def _select(pattern: str | None) -> Any:
    variables = {
        name: shown(name, value)
        for name, value in sorted(os.environ.items())
        if pattern is None or fnmatch.fnmatchcase(name, pattern)
    }
    redacted = sorted(n for n, v in variables.items() if v != os.environ[n])
    return output(
        {"variables": variables, "count": len(variables), "redacted": redacted},
        text="\n".join(f"{k}={v}" for k, v in variables.items()),
    )


def _list(params: dict[str, Any]) -> Any:
    return _select(params.get("pattern"))


def _pattern(params: dict[str, Any]) -> Any:
    if not params.get("pattern"):
        fail("parameter 'pattern' (a glob such as 'PATH*') is required", kind="ValidationError")
    return _select(params["pattern"])


def _set(params: dict[str, Any]) -> Any:
    fail(
        "environment-reader does not set variables (rs-llmspell's set): a spell may not "
        "change the environment of the host and the processes it starts; give a child "
        "process its variables with process-executor's environment = {...}",
        kind="SecurityError",
        operation="set",
    )


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Get one variable, list all, or list those whose names match a glob (set is
    refused)."""
    ops = {"get": _get, "list": _list, "pattern": _pattern, "set": _set}
    return dispatch(params, ops, params, default="get" if "variable_name" in params else None)


TOOL = Tool(
    name="environment-reader",
    description="Read environment variables (one, all, or by name glob); values of "
    "secret-looking variables are redacted.",
    category="system",
    handler=run,
    inline=True,
    timeout_seconds=5,
    tags=("environment", "system"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {"type": "string", "enum": ["get", "list", "pattern", "set"]},
            "variable_name": {"type": "string", "minLength": 1},
            "value": {"type": "string", "description": "set (refused: see the description)"},
            "pattern": {"type": "string", "description": "glob on names, e.g. 'LLMSPELL_*'"},
        },
        "additionalProperties": False,
    },
)
