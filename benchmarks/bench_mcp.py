"""What MCP costs (issue 17), against real processes on this machine:

1. **A tool call through MCP over stdio vs the same tool called directly.** One runtime
   calls ``calculator`` directly (``execute_tool``) and as ``calc__calculator``: the same
   tool served by ``llmspell mcp serve --tool calculator`` over stdio and reached through
   the MCP client (``[mcp.servers.calc]``). Calls alternate; the added cost is the
   difference of the medians (goal: ≤ 2 ms p50).
2. **``llmspell mcp serve`` over streamable HTTP under load**: N concurrent clients (the
   official Python ``Client``, each its own session) x M calls of ``calculator``:
   throughput, p50/p99 latency per call, errors (goal: zero).
3. **``tools/list`` of every tool** over HTTP: median latency and the tool count.

The run log ([logs], on by default) records every tool call in both processes and costs
more than MCP itself on a busy machine, so it is off here (``LLMSPELL_LOGS=0``) unless
``--with-logs``.

Run from the repository root::

    uv run --all-packages python benchmarks/bench_mcp.py
    uv run --all-packages python benchmarks/bench_mcp.py --calls 500 --clients 50 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LLMSPELL = str(Path(sys.executable).with_name("llmspell"))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def bench_stdio(calls: int, tool_name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Direct vs through MCP (stdio), alternating, in one runtime."""
    from llmspell.config import load_settings
    from llmspell.runtime import Runtime
    from llmspell.tools import execute_tool

    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "llmspell.toml"
        cfg.write_text(
            "[mcp.servers.calc]\n"
            f"command = {json.dumps(LLMSPELL)}\n"
            f'args = ["mcp", "serve", "--tool", "{tool_name}"]\n'
            # the server gets a minimal environment: pass the run log switch on
            f'env = {{ LLMSPELL_LOGS = "{os.environ.get("LLMSPELL_LOGS", "1")}" }}\n',
            encoding="utf-8",
        )
        runtime = Runtime(load_settings(cfg))
        try:
            runtime.run_sync("return 1", chunk_name="warm.lua")  # plugins' start-up
            ctx = runtime.tool_context()
            direct_tool = runtime.tools.get(tool_name)
            mcp_tool = runtime.tools.get(f"calc__{tool_name}")  # starts the server

            async def main() -> tuple[list[float], list[float], int]:
                direct: list[float] = []
                through: list[float] = []
                errors = 0
                for i in range(calls + 20):
                    for tool, out in ((direct_tool, direct), (mcp_tool, through)):
                        start = time.perf_counter()
                        r = await execute_tool(tool, params, ctx)
                        elapsed = (time.perf_counter() - start) * 1000
                        if not r["success"]:
                            errors += 1
                        if i >= 20:  # warm-up
                            out.append(elapsed)
                return direct, through, errors

            direct, through, errors = asyncio.run(main())
        finally:
            runtime.close()
    d50, m50 = statistics.median(direct), statistics.median(through)
    return {
        "tool": tool_name,
        "calls": calls,
        "direct_p50_ms": round(d50, 3),
        "mcp_stdio_p50_ms": round(m50, 3),
        "added_p50_ms": round(m50 - d50, 3),
        "mcp_stdio_p99_ms": round(_pct(through, 0.99), 3),
        "errors": errors,
        "goal": "added p50 <= 2 ms",
    }


def _start_http() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [LLMSPELL, "mcp", "serve", "--transport", "http", "--port", "0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ},
    )  # fmt: skip
    assert proc.stderr is not None
    for _ in range(200):
        line = proc.stderr.readline()
        if " tools at http://" in line:
            return proc, line.split(" tools at ", 1)[1].split(" ", 1)[0]
        if not line:
            break
    proc.kill()
    raise SystemExit("llmspell mcp serve did not start")


def _client(url: str) -> Any:
    from mcp import Client

    return Client(url)


def bench_http(clients: int, per_client: int, lists: int) -> dict[str, Any]:
    """N clients x M calculator calls at once, then tools/list latency."""
    proc, url = _start_http()
    try:

        async def one(n: int) -> tuple[list[float], int]:
            lat: list[float] = []
            errors = 0
            try:
                async with _client(url) as c:
                    for i in range(per_client):
                        start = time.perf_counter()
                        r = await c.call_tool("calculator", {"input": f"{n}+{i}"})
                        lat.append((time.perf_counter() - start) * 1000)
                        if r.is_error or r.structured_content["result"] != n + i:
                            errors += 1
            except Exception:
                errors += per_client - len(lat)
            return lat, errors

        async def load() -> tuple[list[float], int, float]:
            start = time.perf_counter()
            results = await asyncio.gather(*(one(n) for n in range(clients)))
            wall = time.perf_counter() - start
            lat = [x for r in results for x in r[0]]
            return lat, sum(r[1] for r in results), wall

        async def listing() -> tuple[list[float], int]:
            out = []
            count = 0
            async with _client(url) as c:
                for _ in range(lists):
                    start = time.perf_counter()
                    page = await c.list_tools(cache_mode="bypass")
                    out.append((time.perf_counter() - start) * 1000)
                    count = len(page.tools)
            return out, count

        lat, errors, wall = asyncio.run(load())
        list_lat, count = asyncio.run(listing())
    finally:
        proc.terminate()
        proc.wait(15)
    total = clients * per_client
    return {
        "clients": clients,
        "calls_per_client": per_client,
        "calls": total,
        "errors": errors,
        "wall_s": round(wall, 3),
        "calls_per_s": round(total / wall, 1),
        "p50_ms": round(statistics.median(lat), 3) if lat else None,
        "p99_ms": round(_pct(lat, 0.99), 3) if lat else None,
        "tools_list": {"tools": count, "p50_ms": round(statistics.median(list_lat), 3),
                       "max_ms": round(max(list_lat), 3)},
        "goal": "zero errors",
    }


def main() -> None:
    """Parse options, run the three measurements, print a table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--calls", type=int, default=300, help="stdio calls of each kind")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=20)
    parser.add_argument("--lists", type=int, default=30, help="tools/list requests")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--with-logs", action="store_true",
        help="keep the run log on (it records every tool call, on both sides of MCP)",
    )  # fmt: skip
    args = parser.parse_args()
    if not args.with_logs:
        os.environ["LLMSPELL_LOGS"] = "0"  # measure MCP, not the run log's writes
    stdio = [
        bench_stdio(args.calls, "base64-encoder", {"operation": "encode", "input": "hello"}),
        bench_stdio(args.calls, "calculator", {"input": "6*7+1"}),
    ]
    http = bench_http(args.clients, args.per_client, args.lists)
    if args.json:
        print(json.dumps({"stdio": stdio, "http": http}, indent=2))
        return
    print("MCP over stdio: a tool called directly vs through llmspell mcp serve")
    for row in stdio:
        print(f"  {row['tool']}: direct p50 {row['direct_p50_ms']} ms, through MCP p50 "
              f"{row['mcp_stdio_p50_ms']} ms (p99 {row['mcp_stdio_p99_ms']} ms): "
              f"added {row['added_p50_ms']} ms p50 ({row['goal']}), errors {row['errors']}")
    print(f"llmspell mcp serve over HTTP: {http['clients']} clients x "
          f"{http['calls_per_client']} calculator calls")
    print(f"  {http['calls_per_s']} calls/s, p50 {http['p50_ms']} ms, p99 {http['p99_ms']} ms, "
          f"errors {http['errors']} of {http['calls']}")
    tl = http["tools_list"]
    print(f"  tools/list of {tl['tools']} tools: p50 {tl['p50_ms']} ms, max {tl['max_ms']} ms")


if __name__ == "__main__":
    main()
