"""json-processor: jq queries and transforms, JSON-schema validation, formatting.

jq programs run in a child process (``_jq_child.py``) under an address-space limit
(``[tools.json-processor] max_memory_mb``, default 512) and a CPU limit, killed at the
tool's timeout or the run's deadline; their output is capped in values (10,000) and in
bytes (``max_result_bytes``, default 16 MiB). jq's C code cannot be interrupted in
process: ``last(range(1e15))`` would spin and ``[range(1e8)]`` take gigabytes.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import check, dispatch, fail, limit, output, over_limit, remaining
from llmspell_tools.data._values import check_text, json_input, plain
from llmspell_tools.data.data_validator import _with_schema

NAME = "json-processor"
#: the most values a jq program may emit (stops runaway generators like `range(1e9)`)
MAX_OUTPUTS = 10_000
MAX_QUERY = 10_000
#: the jq child's address-space limit and the JSON text its results may take
DEFAULT_MEMORY_MB = 512
DEFAULT_MAX_RESULT_BYTES = 16 * 1024 * 1024
#: how long a jq query may run when the call has no deadline (a direct handler call)
DEFAULT_SECONDS = 15.0
_CHILD = Path(__file__).with_name("_jq_child.py")
_POLL = 0.05


def _run_child(query: str, text: str, ctx: Any) -> list[Any]:
    """Run ``query`` over the JSON ``text`` in a jq child; the results, or a failure."""
    memory_mb = limit(ctx, NAME, "max_memory_mb", DEFAULT_MEMORY_MB)
    max_bytes = limit(ctx, NAME, "max_result_bytes", DEFAULT_MAX_RESULT_BYTES)
    seconds = min(remaining(DEFAULT_SECONDS), 3600.0)
    end = time.monotonic() + seconds
    header = {
        "query": query,
        "memory_bytes": memory_mb * 1024 * 1024,
        "cpu_seconds": max(1, math.ceil(seconds)) + 1,
        "max_outputs": MAX_OUTPUTS,
        "max_bytes": max_bytes,
    }
    payload = (json.dumps(header) + "\n" + text).encode("utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-P", str(_CHILD)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    data: bytes | None = payload
    try:
        while True:
            try:
                wait = max(0.0, min(_POLL, end - time.monotonic()))
                data, sent = None, data  # communicate() takes the input once
                out, err = proc.communicate(sent, timeout=wait)
                break
            except subprocess.TimeoutExpired:
                check()  # the tool timeout, the run's deadline or stop, a cancelled call
                if time.monotonic() >= end:
                    fail(f"the jq query did not finish within {seconds:g} s (stopped)",
                         kind="TimeoutError")  # fmt: skip
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return _answer(proc.returncode, out, err, memory_mb, max_bytes)


def _answer(code: int, out: bytes, err: bytes, memory_mb: int, max_bytes: int) -> list[Any]:
    """The results of a finished jq child, or the failure it reported (or died of)."""
    try:
        answer = json.loads(out) if out else {}
    except ValueError:
        answer = {}
    if code == 0 and "results" in answer:
        results: list[Any] = answer["results"]
        return results
    kind = answer.get("error")
    message = str(answer.get("message", ""))
    if kind == "compile":
        fail(f"invalid jq query: {message}", kind="ValidationError")
    if kind == "jq":
        fail(f"jq error: {message}")
    if kind == "outputs":
        fail(f"the query produced more than {MAX_OUTPUTS} results", kind="LimitExceeded")
    if kind == "bytes":
        over_limit("the JSON text of the query's results", f"{max_bytes} bytes",
                   setting=f"[tools.{NAME}] max_result_bytes")  # fmt: skip
    stderr = err.decode("utf-8", "replace")
    if kind == "memory" or "allocate memory" in stderr or code in (-6, -11):
        over_limit("the jq query's memory use", f"{memory_mb} MB",
                   setting=f"[tools.{NAME}] max_memory_mb")  # fmt: skip
    if code in (-24, -9):  # SIGXCPU / SIGKILL: the CPU limit
        fail("the jq query ran past its CPU time limit (stopped)", kind="TimeoutError")
    fail(f"jq failed (exit {code}): {stderr.strip()[-500:] or 'no message'}")


def _jq(params: dict[str, Any], default: str | None, ctx: Any) -> list[Any]:
    query = params.get("query", default)
    if not isinstance(query, str) or not query.strip():
        fail(
            "'query' (a jq program such as '.items[] | .name') is required", kind="ValidationError"
        )
    check_text(query, "query", MAX_QUERY)
    data = json_input(params["input"])
    results = _run_child(query, json.dumps(data, ensure_ascii=False), ctx)
    return [plain(v, "result") for v in results]


def _query(params: dict[str, Any], ctx: Any) -> Any:
    results = _jq(params, ".", ctx)
    value = results[0] if len(results) == 1 else results
    return output(
        {"result": value, "results": results, "count": len(results)},
        text=json.dumps(value, ensure_ascii=False),
    )


def _transform(params: dict[str, Any], ctx: Any) -> Any:
    results = _jq(params, None, ctx)
    value = results[0] if len(results) == 1 else results
    return output(
        {"result": value, "count": len(results)}, text=json.dumps(value, ensure_ascii=False)
    )


def _validate(params: dict[str, Any], ctx: Any) -> Any:
    schema = params.get("schema")
    if not isinstance(schema, dict):
        fail("'schema' (a JSON schema object) is required to validate", kind="ValidationError")
    raw = params["input"]
    if isinstance(raw, str):
        check_text(raw)
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            err = {"field": "(input)", "rule": "json", "message": f"not valid JSON: {exc}"}
            return output({"valid": False, "errors": [err], "result": False}, text="invalid JSON")
    else:
        data = plain(raw)
    errors = _with_schema(data, schema)
    text = "valid" if not errors else f"invalid: {errors[0]['field']}: {errors[0]['message']}"
    return output({"valid": not errors, "errors": errors, "result": not errors}, text=text)


def _format(params: dict[str, Any], ctx: Any) -> Any:
    data = json_input(params["input"])
    if params.get("compact"):
        text = json.dumps(
            data, ensure_ascii=False, separators=(",", ":"), sort_keys=bool(params.get("sort_keys"))
        )
    else:
        text = json.dumps(
            data,
            ensure_ascii=False,
            indent=params.get("indent", 2),
            sort_keys=bool(params.get("sort_keys")),
        )
    return output({"result": text}, text=text)


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Query, transform, validate or format JSON."""
    if "input" not in params:
        fail("'input' (JSON text or a value) is required", kind="ValidationError")
    ops = {"query": _query, "transform": _transform, "validate": _validate, "format": _format}
    return dispatch(params, ops, params, ctx, default="query")


TOOL = Tool(
    name="json-processor",
    description="Process JSON: 'query' or 'transform' runs a jq program (e.g. "
    "'.users[] | select(.age > 30) | .name') over input; 'validate' checks input against a "
    "JSON schema; 'format' pretty-prints or compacts. input may be JSON text or a value. "
    "result.result holds the answer (one jq output as itself, several as an array).",
    category="data",
    handler=run,
    timeout_seconds=15,
    tags=("json", "jq", "query", "schema"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["query", "transform", "validate", "format"],
                "default": "query",
            },
            "input": {"description": "JSON text, or any value (table/array/string/number)"},
            "query": {"type": "string", "description": "a jq program; default '.' for query"},
            "schema": {"type": "object", "description": "a JSON schema (validate)"},
            "indent": {"type": "integer", "minimum": 0, "maximum": 16, "default": 2},
            "sort_keys": {"type": "boolean", "default": False},
            "compact": {"type": "boolean", "default": False, "description": "format: no spaces"},
        },
        "required": ["input"],
        "additionalProperties": False,
    },
)
