"""The child process json-processor runs a jq program in (``python -P _jq_child.py``).

jq's C code cannot be interrupted from Python and allocates outside any Python budget
(``last(range(1e15))`` spins forever, ``[range(1e8)]`` takes gigabytes), so it runs
here, under RLIMIT_AS and RLIMIT_CPU, and the parent kills it at the tool's timeout or
the run's deadline. This file imports only the standard library and ``jq``.

Protocol: stdin holds one line of JSON (``query``, ``memory_bytes``, ``cpu_seconds``,
``max_outputs``, ``max_bytes``), then the input as JSON text. stdout gets one JSON
object: ``{"results": [...]}`` or ``{"error": KIND, "message": TEXT}`` with KIND one of
``compile``, ``jq``, ``outputs``, ``bytes``, ``memory``.
"""

from __future__ import annotations

import json
import resource
import sys
from typing import Any


def _limit(which: int, value: int) -> None:
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard))


def _answer(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False))
    sys.stdout.flush()


def _run() -> dict[str, Any]:
    header = json.loads(sys.stdin.buffer.readline())
    _limit(resource.RLIMIT_CPU, int(header["cpu_seconds"]))
    text = sys.stdin.buffer.read().decode("utf-8")
    _limit(resource.RLIMIT_AS, int(header["memory_bytes"]))
    import jq

    try:
        program = jq.compile(header["query"])
    except ValueError as exc:
        return {"error": "compile", "message": str(exc)}
    max_outputs = int(header["max_outputs"])
    max_bytes = int(header["max_bytes"])
    parts: list[str] = []
    size = 2
    try:
        for value in program.input_text(text):
            if len(parts) >= max_outputs:
                return {"error": "outputs", "message": str(max_outputs)}
            part = json.dumps(value, ensure_ascii=False)
            size += len(part) + 1
            if size > max_bytes:
                return {"error": "bytes", "message": str(max_bytes)}
            parts.append(part)
    except ValueError as exc:
        return {"error": "jq", "message": str(exc)}
    sys.stdout.write('{"results": [' + ",".join(parts) + "]}")
    sys.stdout.flush()
    return {}


def main() -> None:
    try:
        answer = _run()
    except MemoryError:
        answer = {"error": "memory", "message": "out of memory"}
    if answer:
        _answer(answer)


if __name__ == "__main__":
    main()
