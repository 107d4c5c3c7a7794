"""json-processor: jq queries and transforms, JSON-schema validation, formatting.

jq programs run in a child process (``_jq_child.py``) under an address-space limit
(``[tools.json-processor] max_memory_mb``, default 512) and a CPU limit, killed at the
tool's timeout or the run's deadline; their output is capped in values (10,000) and in
bytes (``max_result_bytes``, default 16 MiB). jq's C code cannot be interrupted in
process: ``last(range(1e15))`` would spin and ``[range(1e8)]`` take gigabytes.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import select
import subprocess
import sys
import threading
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


class _Worker:
    """One jq worker process (``_jq_child.py``), serving requests one at a time."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-P", str(_CHILD)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.uses = 0

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """End the worker (a query past its limits, or one no longer needed)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


#: idle workers, reused by the next query; at most _MAX_IDLE are kept
_IDLE: list[_Worker] = []
_IDLE_LOCK = threading.Lock()
_MAX_IDLE = 2
#: a worker is replaced after this many queries (what jq and Python keep grows)
_MAX_USES = 200


def _take_worker() -> _Worker:
    with _IDLE_LOCK:
        while _IDLE:
            worker = _IDLE.pop()
            if worker.alive():
                return worker
            worker.kill()
    return _Worker()


def _give_back(worker: _Worker) -> None:
    worker.uses += 1
    if worker.uses < _MAX_USES and worker.alive():
        with _IDLE_LOCK:
            if len(_IDLE) < _MAX_IDLE:
                _IDLE.append(worker)
                return
    worker.kill()


def close_workers() -> None:
    """End the idle jq workers (tests; they also end when this process exits)."""
    with _IDLE_LOCK:
        workers = list(_IDLE)
        _IDLE.clear()
    for worker in workers:
        worker.kill()


atexit.register(close_workers)


def _run_child(query: str, text: str, ctx: Any) -> list[Any]:
    """Run ``query`` over the JSON ``text`` in a jq worker; the results, or a failure."""
    memory_mb = limit(ctx, NAME, "max_memory_mb", DEFAULT_MEMORY_MB)
    max_bytes = limit(ctx, NAME, "max_result_bytes", DEFAULT_MAX_RESULT_BYTES)
    seconds = min(remaining(DEFAULT_SECONDS), 3600.0)
    end = time.monotonic() + seconds
    body = text.encode("utf-8")
    header = {
        "query": query,
        "size": len(body),
        "memory_bytes": memory_mb * 1024 * 1024,
        "cpu_seconds": max(1, math.ceil(seconds)) + 1,
        "max_outputs": MAX_OUTPUTS,
        "max_bytes": max_bytes,
    }
    worker = _take_worker()
    reusable = False
    try:
        line = _exchange(worker, (json.dumps(header) + "\n").encode("utf-8") + body, end, seconds)
        try:
            answer = json.loads(line) if line else {}
        except ValueError:
            answer = {}
        # a worker that ran out of memory is not trusted with the next query
        reusable = bool(line) and answer.get("error") != "memory"
    finally:
        if reusable:
            _give_back(worker)
        else:
            worker.kill()
    return _answer(worker.proc.returncode or 0, answer, memory_mb, max_bytes)


def _exchange(worker: _Worker, request: bytes, end: float, seconds: float) -> bytes:
    """Send ``request``; the worker's answer line (b"" when it died). Checks the call's
    deadline while waiting; past it the worker is killed by the caller."""
    stdin, stdout = worker.proc.stdin, worker.proc.stdout
    assert stdin is not None and stdout is not None
    try:
        stdin.write(request)
        stdin.flush()
    except BrokenPipeError:
        worker.proc.wait()
        return b""
    fd = stdout.fileno()
    chunks: list[bytes] = []
    while True:
        wait = max(0.0, min(_POLL, end - time.monotonic()))
        ready, _, _ = select.select([fd], [], [], wait)
        if ready:
            chunk = os.read(fd, 1 << 20)
            if not chunk:  # the worker died (its CPU or memory limit)
                worker.proc.wait()
                return b""
            chunks.append(chunk)
            if chunk.endswith(b"\n"):
                return b"".join(chunks)
            continue
        check()  # the tool timeout, the run's deadline or stop, a cancelled call
        if time.monotonic() >= end:
            fail(f"the jq query did not finish within {seconds:g} s (stopped)",
                 kind="TimeoutError")  # fmt: skip


def _answer(code: int, answer: dict[str, Any], memory_mb: int, max_bytes: int) -> list[Any]:
    """The results of a jq query, or the failure the worker reported (or died of)."""
    if "results" in answer:
        results: list[Any] = answer["results"]
        return results
    kind = answer.get("error")
    message = str(answer.get("message", ""))
    if kind == "compile":
        fail(f"invalid jq query: {message}", kind="ValidationError")
    if kind == "jq" and "allocate" not in message:
        fail(f"jq error: {message}")
    if kind == "outputs":
        fail(f"the query produced more than {MAX_OUTPUTS} results", kind="LimitExceeded")
    if kind == "bytes":
        over_limit("the JSON text of the query's results", f"{max_bytes} bytes",
                   setting=f"[tools.{NAME}] max_result_bytes")  # fmt: skip
    if kind in ("memory", "jq") or code in (-6, -11):  # ("jq": cannot allocate memory)
        over_limit("the jq query's memory use", f"{memory_mb} MB",
                   setting=f"[tools.{NAME}] max_memory_mb")  # fmt: skip
    if code in (-24, -9):  # SIGXCPU / SIGKILL: the CPU limit
        fail("the jq query ran past its CPU time limit (stopped)", kind="TimeoutError")
    fail(f"jq failed (exit {code}): {message or 'no message'}")


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
    settings={
        "max_memory_mb": {
            "type": "integer",
            "minimum": 1,
            "default": DEFAULT_MEMORY_MB,
            "description": "the memory limit of the jq worker, in MB",
        },
        "max_result_bytes": {
            "type": "integer",
            "minimum": 1,
            "default": DEFAULT_MAX_RESULT_BYTES,
            "description": "the largest query result, in bytes",
        },
    },
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
