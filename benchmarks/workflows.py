"""llmspell benchmarks for workflows, hooks and events (issue 7).

Run from the repository root::

    uv run --all-packages python benchmarks/workflows.py          # a table
    uv run --all-packages python benchmarks/workflows.py --json   # machine-readable

(``benchmarks/run.py --only workflows`` runs the same.) Three measurements:

1. hook overhead: a tool-heavy sequential workflow (10 tool steps: calculator,
   text-manipulator, hash-calculator, json-processor) run from Lua with no hooks, with 5
   no-op *script* hooks, and with 5 no-op *Python plugin* hooks, alternating
   (goal: < 5 % added);
2. event throughput: events published and received (publish → receive) per second, from
   Lua, from JavaScript, and on the bus from Python (goal: > 50 000 events/s);
3. a parallel workflow of 20 agent steps with ``max_concurrency(10)`` against a real
   llm-katan echo server answering in 200 ms (goal: at most 2x the ideal 0.4 s).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import AGENT_MODEL, Stats, _bench_plugin, _start_katan

GOAL_HOOK_OVERHEAD_PCT = 5.0
GOAL_EVENTS_PER_S = 50_000.0
GOAL_PARALLEL_FACTOR = 2.0
HOOK_POINTS = (
    "BeforeToolExecution",
    "AfterToolExecution",
    "BeforeWorkflowStage",
    "AfterWorkflowStage",
    "WorkflowStageTransition",
)

_WORKFLOW_SPELL = """
local steps = {{}}
for i = 1, 10 do
  local k = i % 4
  if k == 0 then
    steps[i] = {{name = "s" .. i, tool = "calculator",
      input = {{input = "(17 * 23 + " .. i .. ") / 7"}}}}
  elseif k == 1 then
    steps[i] = {{name = "s" .. i, tool = "text-manipulator",
      input = {{input = "The quick brown fox jumps over the lazy dog", operation = "reverse"}}}}
  elseif k == 2 then
    steps[i] = {{name = "s" .. i, tool = "hash-calculator",
      input = {{operation = "hash", input = string.rep("llmspell ", 200), algorithm = "sha256"}}}}
  else
    steps[i] = {{name = "s" .. i, tool = "json-processor",
      input = {{input = {{items = {{1, 2, 3, 4, 5}}}}, operation = "query",
                query = ".items | map(. * 2)"}}}}
  end
end
local wf = Workflow.sequential{{name = "bench-tools", steps = steps}}
{hooks}
assert(wf:execute().success)  -- warm-up (imports the tools)
local clock = Bench.clock
local t0 = clock()
for r = 1, {runs} do assert(wf:execute().success) end
return (clock() - t0) / {runs}
"""

_EVENTS_LUA = """
local sub = Event.subscribe("bench.*", {{queue_size = {n}}})
local publish, receive, clock = Event.publish, Event.receive, Bench.clock
local t0 = clock()
for i = 1, {n} do publish("bench.tick", i) end
for i = 1, {n} do assert(receive(sub, 0)) end
return clock() - t0
"""

_EVENTS_JS = """
const sub = await Event.subscribe("bench.*", {{queueSize: {n}}});
const t0 = await Bench.clock();
for (let i = 1; i <= {n}; i++) await Event.publish("bench.tick", i);
for (let i = 1; i <= {n}; i++) await Event.receive(sub, 0);
export default (await Bench.clock()) - t0;
"""

_EVENTS_JS_BATCHED = """
const sub = await Event.subscribe("bench.*", {{queueSize: {n}}});
const t0 = await Bench.clock();
await Promise.all(Array.from({{length: {n}}}, (_, i) => Event.publish("bench.tick", i)));
await Promise.all(Array.from({{length: {n}}}, () => Event.receive(sub, 0)));
export default (await Bench.clock()) - t0;
"""

_PARALLEL_SPELL = """
local steps = {{}}
for i = 1, {agents} do
  local a = Agent.create{{name = "par-" .. i, model = "slow/{model}", max_conversation_length = 1}}
  steps[i] = {{name = "ask" .. i, agent = a, input = "question " .. i}}
end
local wf = Workflow.parallel{{name = "bench-parallel", max_concurrency = {concurrency},
  steps = steps}}
assert(wf:execute().success)  -- warm-up: opens the connections
local clock = Bench.clock
local times = {{}}
for r = 1, {repeats} do
  local t0 = clock()
  local result = wf:execute()
  times[r] = clock() - t0
  assert(result.success and result.metadata.extra.successful_steps == {agents})
end
return times
"""


def _python_hooks_plugin() -> Any:
    from llmspell.hookspecs import hookimpl

    def noop(ctx: Any) -> None:
        return None

    class NoopHooks:
        @hookimpl
        def register_hooks(self, register: Callable[..., None]) -> None:
            for point in HOOK_POINTS:
                register(point, noop, name="bench-noop")

    return NoopHooks()


def _runtime(workdir: Path, *plugins: Any, toml: str = "") -> Any:
    from llmspell.config import load_settings
    from llmspell.runtime import Output, Runtime

    path = workdir / "llmspell-wf.toml"
    path.write_text(toml, encoding="utf-8")
    settings = load_settings(
        path, environ={}, overrides={("state", "backend"): "memory"}, cwd=workdir
    )
    devnull = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    runtime = Runtime(settings, autoload=True, output=Output(devnull, devnull))
    runtime.loader.register(_bench_plugin(), name="bench")
    for i, plugin in enumerate(plugins):
        runtime.loader.register(plugin, name=f"bench-extra-{i}")
    runtime.refresh()
    return runtime


def bench_hooks(workdir: Path, runs: int, repeats: int) -> dict[str, Stats]:
    """Milliseconds per workflow execution: none / 5 script hooks / 5 Python hooks."""
    spread = "\n".join(f'Hook.register("{p}", function(ctx) end)' for p in HOOK_POINTS)
    one_point = 'Hook.register("BeforeToolExecution", function(ctx) end)\n' * 5
    plain = _runtime(workdir)
    with_python = _runtime(workdir, _python_hooks_plugin())
    cases = {
        "none": (plain, _WORKFLOW_SPELL.format(hooks="", runs=runs)),
        "script_one_point": (plain, _WORKFLOW_SPELL.format(hooks=one_point, runs=runs)),
        "script": (plain, _WORKFLOW_SPELL.format(hooks=spread, runs=runs)),
        "python": (with_python, _WORKFLOW_SPELL.format(hooks="", runs=runs)),
    }
    out: dict[str, list[float]] = {k: [] for k in cases}

    async def go() -> None:
        for _ in range(repeats):  # alternate the cases: the machine's noise hits all alike
            for name, (runtime, source) in cases.items():
                result = await runtime.run(source, engine="lua")
                out[name].append(float(result.value) * 1000)

    try:
        asyncio.run(go())
    finally:
        plain.close()
        with_python.close()
    return {k: Stats(v) for k, v in out.items()}


def bench_events(workdir: Path, n: int, repeats: int) -> dict[str, Stats]:
    """Events per second, publish → receive, from Lua, JavaScript and Python."""
    from llmspell.events import EventBus

    runtime = _runtime(workdir)
    rates: dict[str, list[float]] = {"lua": [], "js": [], "js_batched": [], "python": []}

    async def go() -> None:
        for _ in range(repeats):
            lua = await runtime.run(_EVENTS_LUA.format(n=n), engine="lua")
            rates["lua"].append(n / float(lua.value))
            js = await runtime.run(_EVENTS_JS.format(n=n // 5), engine="js")
            rates["js"].append((n // 5) / float(js.value))
            batched = await runtime.run(_EVENTS_JS_BATCHED.format(n=n), engine="js")
            rates["js_batched"].append(n / float(batched.value))
            bus = EventBus(queue_size=n)
            sub = bus.subscribe("bench.*")
            t0 = time.perf_counter()
            for i in range(n):
                bus.publish("bench.tick", i)
            for _ in range(n):
                await bus.receive(sub.id, 0)
            rates["python"].append(n / (time.perf_counter() - t0))

    try:
        asyncio.run(go())
    finally:
        runtime.close()
    return {k: Stats(v) for k, v in rates.items()}


def bench_parallel(
    workdir: Path, agents: int, concurrency: int, latency_ms: int, repeats: int
) -> Stats:
    """Seconds for a parallel workflow of ``agents`` agent steps."""
    proc, port = _start_katan(
        workdir, "--latency-ms", str(latency_ms), "--max-concurrent", str(agents * 2)
    )
    toml = (
        f'[providers.slow]\nprovider_type = "openai"\n'
        f'base_url = "http://127.0.0.1:{port}/v1"\nmax_retries = 0\n'
    )
    try:
        runtime = _runtime(workdir, toml=toml)
        source = _PARALLEL_SPELL.format(
            agents=agents, model=AGENT_MODEL, concurrency=concurrency, repeats=repeats
        )
        try:
            result = asyncio.run(runtime.run(source, engine="lua"))
        finally:
            runtime.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    value = result.value
    times = [value[k] for k in sorted(value)] if isinstance(value, dict) else list(value)
    return Stats([float(t) for t in times])


def run_all(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Every measurement; the report as a dict."""
    hooks = bench_hooks(workdir, args.workflow_runs, args.repeats)
    events = bench_events(workdir, args.events, args.repeats)
    ideal = -(-args.agents // args.concurrency) * args.latency_ms / 1000
    parallel = bench_parallel(workdir, args.agents, args.concurrency, args.latency_ms, args.repeats)
    base = hooks["none"].median
    return {
        "goals": {
            "hook_overhead_pct": GOAL_HOOK_OVERHEAD_PCT,
            "events_per_s": GOAL_EVENTS_PER_S,
            "parallel_factor": GOAL_PARALLEL_FACTOR,
        },
        "hooks": {
            "workflow": "10 tool steps, sequential, from Lua",
            "hook_points": list(HOOK_POINTS),
            "ms_per_workflow": {k: v.to_json() for k, v in hooks.items()},
            "script_one_point_overhead_pct": round(
                (hooks["script_one_point"].median / base - 1) * 100, 2
            ),
            "script_overhead_pct": round((hooks["script"].median / base - 1) * 100, 2),
            "python_overhead_pct": round((hooks["python"].median / base - 1) * 100, 2),
        },
        "events_per_s": {k: v.to_json(0) for k, v in events.items()},
        "parallel": {
            "agents": args.agents,
            "max_concurrency": args.concurrency,
            "latency_ms": args.latency_ms,
            "ideal_s": ideal,
            "wall_s": parallel.to_json(),
            "factor": round(parallel.median / ideal, 3),
        },
    }


def print_report(report: dict[str, Any]) -> None:
    """The report as a readable table."""
    hooks = report["hooks"]
    ms = hooks["ms_per_workflow"]
    print("\nWorkflows, hooks and events (medians; 2-core shared machine, noisy)")
    print(f"  hook overhead, {hooks['workflow']}, 5 no-op hooks")
    print(f"    no hooks                           {ms['none']['median']:8.3f} ms per workflow")
    for key, label in (
        ("script_one_point", "5 Lua hooks at BeforeToolExecution"),
        ("script", "5 Lua hooks, one at each of 5 points"),
        ("python", "5 Python hooks, one at each point"),
    ):
        pct = hooks[f"{key}_overhead_pct"]
        mark = "ok" if pct < GOAL_HOOK_OVERHEAD_PCT else "MISSED"
        print(f"    {label:34} {ms[key]['median']:8.3f} ms  (+{pct:.1f} %, goal < 5 %: {mark})")
    print(f"    (the 5 points: {', '.join(HOOK_POINTS)})")
    print("  events published and received per second (goal > 50 000)")
    labels = {
        "lua": "Lua, one call at a time",
        "js": "JS, awaiting each call",
        "js_batched": "JS, Promise.all batches",
        "python": "the bus from Python",
    }
    for lang, stats in report["events_per_s"].items():
        mark = "ok" if stats["median"] > GOAL_EVENTS_PER_S else "MISSED"
        print(f"    {labels[lang]:26} {stats['median']:12,.0f} /s  ({mark})")
    par = report["parallel"]
    mark = "ok" if par["factor"] <= GOAL_PARALLEL_FACTOR else "MISSED"
    print(
        f"  parallel workflow: {par['agents']} agent steps, "
        f"max_concurrency {par['max_concurrency']}, server latency {par['latency_ms']} ms"
    )
    print(
        f"    {par['wall_s']['median']:.3f} s (ideal {par['ideal_s']:.1f} s, "
        f"{par['factor']:.2f} x; goal <= 2 x: {mark})"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of this group (shared with run.py)."""
    parser.add_argument(
        "--workflow-runs", type=int, default=50, help="workflow runs per sample (50)"
    )
    parser.add_argument("--events", type=int, default=20_000, help="events per sample (20000)")
    parser.add_argument("--agents", type=int, default=20, help="agent steps (20)")
    parser.add_argument("--concurrency", type=int, default=10, help="max_concurrency (10)")
    parser.add_argument("--latency-ms", type=int, default=200, help="server latency (200)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--repeats", type=int, default=5, help="samples per case (5)")
    add_arguments(parser)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="llmspell-bench-wf-") as tmp:
        report = run_all(args, Path(tmp))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
