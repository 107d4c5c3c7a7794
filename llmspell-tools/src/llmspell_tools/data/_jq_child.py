"""The worker process json-processor runs jq programs in (``python -P _jq_child.py``).

jq's C code cannot be interrupted from Python and allocates outside any Python budget
(``last(range(1e15))`` spins forever, ``[range(1e8)]`` takes gigabytes), so it runs
here, under RLIMIT_AS and RLIMIT_CPU, and the parent kills the worker at the tool's
timeout or the run's deadline. The worker serves one request after another, so a query
does not pay for starting Python and importing jq (about 90 ms). This file imports only
the standard library and ``jq``.

Protocol, per request: stdin holds one line of JSON (``query``, ``size``,
``memory_bytes``, ``cpu_seconds``, ``max_outputs``, ``max_bytes``), then ``size`` bytes
of input JSON text. stdout gets one line: ``{"results": [...]}`` or
``{"error": KIND, "message": TEXT}`` with KIND one of ``compile``, ``jq``, ``outputs``,
``bytes``, ``memory``. The worker ends when stdin closes.
"""

from __future__ import annotations

import json
import math
import resource
import sys
from typing import Any


def _limit(which: int, value: int) -> None:
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard))


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _run(header: dict[str, Any], text: str) -> str:
    import jq

    try:
        program = jq.compile(header["query"])
    except ValueError as exc:
        return json.dumps({"error": "compile", "message": str(exc)})
    max_outputs = int(header["max_outputs"])
    max_bytes = int(header["max_bytes"])
    parts: list[str] = []
    size = 2
    try:
        for value in program.input_text(text):
            if len(parts) >= max_outputs:
                return json.dumps({"error": "outputs", "message": str(max_outputs)})
            part = json.dumps(value, ensure_ascii=False)
            size += len(part) + 1
            if size > max_bytes:
                return json.dumps({"error": "bytes", "message": str(max_bytes)})
            parts.append(part)
    except ValueError as exc:
        return json.dumps({"error": "jq", "message": str(exc)})
    return '{"results": [' + ",".join(parts) + "]}"


def main() -> None:
    """Serve requests until stdin closes."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    import jq  # noqa: F401 - imported once, before any limit applies

    while True:
        line = stdin.readline()
        if not line:
            return
        header = json.loads(line)
        text = stdin.read(int(header["size"])).decode("utf-8")
        # the CPU limit counts the process's whole life: this request gets its seconds
        _limit(resource.RLIMIT_CPU, math.ceil(_cpu_used()) + int(header["cpu_seconds"]))
        _limit(resource.RLIMIT_AS, int(header["memory_bytes"]))
        try:
            answer = _run(header, text)
        except MemoryError:
            answer = json.dumps({"error": "memory", "message": "out of memory"})
        stdout.write(answer.encode("utf-8") + b"\n")
        stdout.flush()


if __name__ == "__main__":
    main()
