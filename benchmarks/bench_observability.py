"""What observability costs: agent calls and cold start with the run log and tracing.

1. Agent-call cost: ``agent:execute`` from Lua against a real llm-katan echo server
   (the agent benchmark of run.py), in four configurations, each in a fresh process,
   alternated round by round so that all see the same machine load:

   - ``off``: ``[logs] enabled = false``, no tracing (nothing observes the bus);
   - ``not-installed``: the same with every ``opentelemetry`` import blocked, as when
     the SDK and the API are absent;
   - ``log``: the default — the run log on, tracing off;
   - ``log+trace``: the run log and tracing (``--trace FILE``: spans as JSON lines).

2. The same in one process against an in-process provider that answers at once (no
   network): what observing an agent call costs, in microseconds, without the noise of
   HTTP — ``off``, ``log`` and ``log+trace`` runtimes alternated, many rounds.

3. Cold start: ``llmspell run examples/hello.lua`` with the run log off
   (``LLMSPELL_LOGS=0``), on (the default) and with ``--trace FILE``.

Run from the repository root::

    uv run --all-packages python benchmarks/bench_observability.py
    uv run --all-packages python benchmarks/bench_observability.py --rounds 7 --calls 200 --json

Every number is a median over the rounds [min..max]; percentages are against ``off``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as base  # noqa: E402  (benchmarks/run.py: katan, the bench plugin, cold runs)

MODES = ("off", "not-installed", "log", "log+trace")


class _BlockOpenTelemetry:
    """A meta-path finder that makes ``import opentelemetry...`` fail."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "opentelemetry" or name.startswith("opentelemetry."):
            raise ImportError(f"{name} is blocked (not-installed benchmark)")
        return None


def child(mode: str, port: int, calls: int, workdir: Path) -> None:
    """One measurement in this process: ms per agent call, printed as JSON."""
    import asyncio
    import os

    if mode == "not-installed":
        sys.meta_path.insert(0, _BlockOpenTelemetry())  # type: ignore[arg-type]
    from llmspell.config import load_settings
    from llmspell.runtime import Output, Runtime

    toml = workdir / f"obs-{mode}.toml"
    toml.write_text(
        f'[providers.fast]\nprovider_type = "openai"\n'
        f'base_url = "http://127.0.0.1:{port}/v1"\nmax_retries = 0\n'
        f"[logs]\nenabled = {'true' if mode.startswith('log') else 'false'}\n",
        encoding="utf-8",
    )
    os.environ["FAST_API_KEY"] = "not-needed"
    settings = load_settings(toml, environ={}, overrides={("state", "backend"): "memory"})
    devnull = open(os.devnull, "w")  # noqa: SIM115 - the process ends after this
    runtime = Runtime(settings, autoload=True, output=Output(devnull, devnull))
    runtime.loader.register(base._bench_plugin(), name="bench")
    runtime.refresh()
    if mode == "log+trace":
        from llmspell.observability import attach

        attach(runtime, trace_file=workdir / "obs-trace.jsonl")
    spell = base._OVERHEAD_SPELL.format(model=base.AGENT_MODEL, n=calls)
    result = asyncio.run(runtime.run(spell, engine="lua"))
    runtime.close()
    loaded = sorted({m.split(".")[0] for m in sys.modules if m.startswith("opentelemetry")})
    print(json.dumps({"ms_per_call": float(result.value) * 1000 / calls, "otel": loaded}))


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
    }


def bench_agents(rounds: int, calls: int, workdir: Path) -> dict[str, Any]:
    """ms per agent call in each mode (fresh processes, alternated)."""
    proc, port = base._start_katan(workdir)
    home = workdir / "home-agents"
    env = base._base_env(home, workdir / "pycache")
    results: dict[str, list[float]] = {m: [] for m in MODES}
    imported: dict[str, list[str]] = {}
    try:
        for _ in range(rounds):
            for mode in MODES:
                argv = [sys.executable, __file__, "--child", mode, "--port", str(port),
                        "--calls", str(calls), "--workdir", str(workdir)]  # fmt: skip
                done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    sys.exit(f"benchmark child {mode} failed:\n{done.stderr}")
                line = json.loads(done.stdout.strip().splitlines()[-1])
                results[mode].append(line["ms_per_call"])
                imported[mode] = line["otel"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    off = statistics.median(results["off"])
    return {
        mode: {
            **_stats(values),
            "added_pct": round((statistics.median(values) - off) / off * 100, 2),
            "opentelemetry_imported": bool(imported.get(mode)),
        }
        for mode, values in results.items()
    }


_INSTANT_SPELL = """
local a = Agent.create{{name = "instant", model = "instant/m", tools = {{"calculator"}},
  max_conversation_length = 1}}
local clock = Bench.clock
local t0 = clock()
for i = 1, {n} do a:execute("hi") end
return clock() - t0
"""


def bench_instant(rounds: int, calls: int, workdir: Path) -> dict[str, Any]:
    """µs per agent call (one tool round each) against an in-process provider."""
    import asyncio
    import os

    from llmspell import hookimpl
    from llmspell.config import load_settings
    from llmspell.llm import ChatProvider, ChatResponse, ToolCall, Usage
    from llmspell.observability import attach
    from llmspell.runtime import Output, Runtime

    class Instant(ChatProvider):
        async def chat(self, request: Any) -> ChatResponse:
            if request.messages[-1].role == "user":
                call = ToolCall("c1", "calculator", {"input": "1+1"})
                return ChatResponse("", tool_calls=[call], usage=Usage(5, 1), model="m")
            return ChatResponse("2", usage=Usage(7, 1), model="m", finish_reason="stop")

        async def stream(self, request: Any) -> Any:
            yield await self.chat(request)

        def cost_usd(self, model: str, usage: Usage) -> float | None:
            return None

    class Plugin:
        @hookimpl
        def register_providers(self, register: Any) -> None:
            register(Instant, name="instant", provider_type="instant")

    os.environ["LLMSPELL_HOME"] = str(workdir / "home-instant")
    devnull = open(os.devnull, "w")  # noqa: SIM115 - closed with the process
    runtimes: dict[str, Runtime] = {}
    #: seconds spent in the observer: [during the calls, at the run's end (the write)]
    spent: dict[str, list[float]] = {}
    for mode in ("off", "log", "log+trace"):
        overrides = {("state", "backend"): "memory", ("logs", "enabled"): mode != "off"}
        settings = load_settings(environ={}, use_files=False, overrides=overrides)
        runtime = Runtime(settings, autoload=True, output=Output(devnull, devnull))
        runtime.loader.register(base._bench_plugin(), name="bench")
        runtime.loader.register(Plugin(), name="instant")
        runtime.refresh()
        if mode == "log":
            attach(runtime)
        elif mode == "log+trace":
            attach(runtime, trace_file=workdir / "instant-trace.jsonl")
        runtimes[mode] = runtime
        observer = getattr(runtime, "observability", None)
        if observer is not None and observer.sinks:
            observer.on_event = _timed(observer.on_event, spent.setdefault(mode, [0.0, 0.0]))
    spell = _INSTANT_SPELL.format(n=calls)
    results: dict[str, list[float]] = {m: [] for m in runtimes}
    inside: dict[str, list[tuple[float, float]]] = {m: [] for m in spent}
    for runtime in runtimes.values():  # warm-up
        asyncio.run(runtime.run(spell, engine="lua"))
    for _ in range(rounds):
        for mode, runtime in runtimes.items():
            if mode in spent:
                spent[mode][:] = [0.0, 0.0]
            value = asyncio.run(runtime.run(spell, engine="lua")).value
            results[mode].append(float(value) * 1e6 / calls)
            if mode in spent:
                inside[mode].append((spent[mode][0] * 1e6 / calls, spent[mode][1] * 1e6 / calls))
    for runtime in runtimes.values():
        runtime.close()
    off = statistics.median(results["off"])
    out: dict[str, Any] = {}
    for mode, values in results.items():
        added = round(statistics.median(values) - off, 1)
        row: dict[str, Any] = {**_stats(values), "added_us": added}
        if inside.get(mode):
            row["observer_us_during_call"] = round(statistics.median(t[0] for t in inside[mode]), 1)
            row["observer_us_at_run_end"] = round(statistics.median(t[1] for t in inside[mode]), 1)
        out[mode] = row
    return out


def _timed(fn: Any, acc: list[float]) -> Any:
    """``fn`` (an observer's event handler), adding its time to ``acc``: [0] for events
    during the calls, [1] for the run's end (the run log's write, the tracer's flush)."""

    def timed(event: Any) -> None:
        t0 = time.perf_counter()
        fn(event)
        acc[1 if event.event_type.startswith("run.") else 0] += time.perf_counter() - t0

    return timed


def bench_cold(rounds: int, workdir: Path) -> dict[str, Any]:
    """Wall ms of a cold ``llmspell run examples/hello.lua`` per run-log/tracing mode."""
    llmspell = base._console_script()
    hello = str(base.HELLO)
    trace = str(workdir / "cold-trace.jsonl")
    cases = {
        "log off (LLMSPELL_LOGS=0)": ([llmspell, "run", hello], {"LLMSPELL_LOGS": "0"}),
        "log on (default)": ([llmspell, "run", hello], {}),
        "log on + --trace FILE": ([llmspell, "run", hello, "--trace", trace], {}),
    }
    env = base._base_env(workdir / "home-cold", workdir / "pycache")
    for argv, extra in cases.values():  # warm-up: bytecode, page cache, the home's files
        base._run_once(argv, {**env, **extra}, workdir)
    walls: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(rounds):
        for name, (argv, extra) in cases.items():
            wall, _ = base._run_once(argv, {**env, **extra}, workdir)
            walls[name].append(wall)
    off = statistics.median(walls["log off (LLMSPELL_LOGS=0)"])
    return {
        name: {**_stats(v), "added_ms": round(statistics.median(v) - off, 2)}
        for name, v in walls.items()
    }


def main() -> None:
    """Parse the options; run the groups; print a table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per group (default 5)")
    parser.add_argument("--calls", type=int, default=200, help="agent calls per measurement")
    parser.add_argument("--cold-runs", type=int, default=15, help="cold starts per case")
    parser.add_argument("--only", choices=("agents", "instant", "cold"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.port, args.calls, args.workdir)
        return
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="llmspell-obs-bench-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        if args.only in (None, "agents"):
            out["agent_ms_per_call"] = bench_agents(args.rounds, args.calls, workdir)
        if args.only in (None, "instant"):
            out["instant_agent_us_per_call"] = bench_instant(args.rounds * 4, args.calls, workdir)
        if args.only in (None, "cold"):
            out["cold_hello_lua_ms"] = bench_cold(args.cold_runs, workdir)
        out["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    for group, rows in out.items():
        if not isinstance(rows, dict):
            continue
        print(f"\n{group}  (median [min..max])")
        for name, row in rows.items():
            if "added_pct" in row:
                extra = f"{row['added_pct']:+.2f} %  otel imported: {row['opentelemetry_imported']}"
            elif "added_us" in row:
                extra = f"{row['added_us']:+.1f} µs"
                if "observer_us_during_call" in row:
                    extra += (
                        f"  (observer: {row['observer_us_during_call']:.1f} µs during the call"
                        f" + {row['observer_us_at_run_end']:.1f} µs at the run's end)"
                    )
            else:
                extra = f"{row['added_ms']:+.2f} ms"
            spread = f"[{row['min']:.3f}..{row['max']:.3f}]"
            print(f"  {name:<28} {row['median']:9.3f} {spread}  {extra}")
    print(f"\n({out['seconds']} s)")


if __name__ == "__main__":
    main()
