"""llmspell benchmarks: cold start, host-call cost (Lua and JavaScript), agent overhead.

Run from the repository root::

    uv run --all-packages python benchmarks/run.py          # a table
    uv run --all-packages python benchmarks/run.py --json   # machine-readable

See benchmarks/README.md for what each number means and the goals.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HELLO = ROOT / "examples" / "hello.lua"
HELLO_JS = ROOT / "examples" / "hello.js"

#: goals (docs: benchmarks/README.md)
GOAL_COLD_WALL_MS = 150.0
GOAL_COLD_WALL_MS_JS = 200.0
GOAL_COLD_RSS_MB = 40.0
GOAL_CALL_US = 5.0
GOAL_CALL_US_JS = 25.0
GOAL_TOOLS_STARTUP_MS = 30.0  # what loading the built-in tool library adds to a cold start


# -- statistics -----------------------------------------------------------------------------


@dataclass
class Stats:
    """Median, min and max of a series of measurements."""

    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def min(self) -> float:
        return min(self.values)

    @property
    def max(self) -> float:
        return max(self.values)

    def to_json(self, digits: int = 3) -> dict[str, Any]:
        return {
            "median": round(self.median, digits),
            "min": round(self.min, digits),
            "max": round(self.max, digits),
            "n": len(self.values),
        }


# -- 1. cold start ------------------------------------------------------------------------


@dataclass
class ColdCase:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    goal_ms: float | None = None  # the start-up goals apply to this case (wall-time goal)


@dataclass
class ColdResult:
    case: ColdCase
    wall_ms: Stats
    rss_mb: Stats | None

    def goal_met(self) -> bool | None:
        if self.case.goal_ms is None:
            return None
        rss_ok = self.rss_mb is None or self.rss_mb.median < GOAL_COLD_RSS_MB
        return self.wall_ms.median < self.case.goal_ms and rss_ok


def _console_script() -> str:
    exe = Path(sys.executable).with_name("llmspell")
    if not exe.exists():
        sys.exit(
            f"benchmarks: no llmspell console script next to {sys.executable}; "
            "run with: uv run --all-packages python benchmarks/run.py"
        )
    return str(exe)


def _base_env(home: Path, pycache: Path | None) -> dict[str, str]:
    """The environment of a measured process: ours minus llmspell settings, plus a home.

    With ``pycache`` set, bytecode is cached there (``PYTHONPYCACHEPREFIX``) even when
    ``PYTHONDONTWRITEBYTECODE`` is set, as it is for an installed wheel; otherwise every
    process would recompile each edited source file.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMSPELL_")}
    env["LLMSPELL_HOME"] = str(home)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def _gnu_time() -> str | None:
    """``/usr/bin/time`` if it is GNU time (``-f %M`` prints the peak RSS in KiB)."""
    path = "/usr/bin/time"
    if not os.path.exists(path):
        return None
    try:
        proc = subprocess.run(
            [path, "-f", "%M", "true"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return path if proc.returncode == 0 and proc.stderr.strip().isdigit() else None


#: how peak RSS is measured: "/usr/bin/time -f %M" or "wait4"
RSS_METHOD = ""


def _run_once(argv: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[float, float | None]:
    """Run a process to completion; returns (wall ms, peak RSS MB of that process).

    Peak RSS comes from GNU ``/usr/bin/time -f %M`` when present. Linux carries the
    spawning process's memory high-water mark across ``exec`` into the child's
    ``ru_maxrss``, so measuring from this (larger) Python process directly would report
    at least our own footprint; ``time`` is a small C program and does not inflate it.
    Without it, ``os.wait4`` gives the child's rusage (a floor of this process's RSS).
    """
    global RSS_METHOD
    time_bin = _GNU_TIME
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss_file:
        cmd = list(argv)
        if time_bin:
            cmd = [time_bin, "-f", "%M", "-o", rss_file.name, *cmd]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        rss: float | None = None
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(proc.pid, 0)
            wall = (time.perf_counter() - start) * 1000
            code = os.waitstatus_to_exitcode(status)
            proc.returncode = code
            scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes vs KiB
            rss = usage.ru_maxrss / scale
            RSS_METHOD = "wait4 (floor: the benchmark process's own RSS)"
        else:  # pragma: no cover - Windows
            code = proc.wait()
            wall = (time.perf_counter() - start) * 1000
        if code != 0:
            err.seek(0)
            message = err.read().decode("utf-8", "replace")
            sys.exit(f"benchmarks: {' '.join(argv)} exited with {code}:\n{message}")
        if time_bin:
            text = rss_file.read().strip().splitlines()
            if text and text[-1].isdigit():
                rss = int(text[-1]) / 1024
                RSS_METHOD = "/usr/bin/time -f %M"
    return wall, rss


_GNU_TIME = _gnu_time()


def bench_cold(runs: int, workdir: Path, bytecode_cache: bool = True) -> list[ColdResult]:
    """Start-up of fresh processes: the CLI running hello.lua and hello.js, and baselines."""
    llmspell = _console_script()
    py = sys.executable
    memory = {"LLMSPELL_STATE_BACKEND": "memory"}
    lua_goal, js_goal = GOAL_COLD_WALL_MS, GOAL_COLD_WALL_MS_JS
    cases = [
        ColdCase("python -c pass", [py, "-c", "pass"]),
        ColdCase('python -c "import llmspell.runtime"', [py, "-c", "import llmspell.runtime"]),
        ColdCase(
            "llmspell run examples/hello.lua", [llmspell, "run", str(HELLO)], goal_ms=lua_goal
        ),
        ColdCase(
            "  ... with LLMSPELL_STATE_BACKEND=memory",
            [llmspell, "run", str(HELLO)],
            env=memory,
            goal_ms=lua_goal,
        ),
    ]
    if HELLO_JS.exists() and _js_installed():
        cases += [
            ColdCase(
                "llmspell run examples/hello.js", [llmspell, "run", str(HELLO_JS)], goal_ms=js_goal
            ),
            ColdCase(
                "  ... with LLMSPELL_STATE_BACKEND=memory",
                [llmspell, "run", str(HELLO_JS)],
                env=memory,
                goal_ms=js_goal,
            ),
        ]
    results = []
    for i, case in enumerate(cases):
        home = workdir / f"home{i}"
        pycache = workdir / "pycache" if bytecode_cache else None
        env = {**_base_env(home, pycache), **case.env}
        _run_once(case.argv, env, workdir)  # warm-up: bytecode caches, page cache, state.db
        walls: list[float] = []
        rsss: list[float] = []
        for _ in range(runs):
            wall, rss = _run_once(case.argv, env, workdir)
            walls.append(wall)
            if rss is not None:
                rsss.append(rss)
        results.append(ColdResult(case, Stats(walls), Stats(rsss) if rsss else None))
    return results


def _js_installed() -> bool:
    from importlib import metadata

    try:
        metadata.version("llmspell-engine-js")
    except metadata.PackageNotFoundError:
        return False
    return True


# -- 4. the tool library: start-up cost --------------------------------------------------

#: the entry-point name of llmspell-tools, and the other plugins of this workspace
TOOLS_PLUGIN = "tools"
OTHER_PLUGINS = ("lua", "engine_js", "providers")
NO_TOOLS_SPELL = 'local x = 1 + 1\nprint("no tools used: " .. x)\n'
#: run in a fresh interpreter: import + register every tool module, print "ms count"
_IMPORT_TOOLS = """
import time
import llmspell.tools
t0 = time.perf_counter()
from llmspell_tools import plugin
tools = []
plugin.register_tools(tools.append)
t1 = time.perf_counter()
for lazy in tools:
    lazy.load()
t2 = time.perf_counter()
print((t1 - t0) * 1000, (t2 - t1) * 1000, len(tools))
"""


@dataclass
class ToolsStartup:
    with_tools: Stats
    without_tools: Stats
    import_register_ms: Stats
    tool_count: int
    load_all_ms: Stats | None = None

    @property
    def added_ms(self) -> float:
        return self.with_tools.median - self.without_tools.median

    def goal_met(self) -> bool:
        return self.added_ms < GOAL_TOOLS_STARTUP_MS


def bench_tools_startup(runs: int, workdir: Path, bytecode_cache: bool = True) -> ToolsStartup:
    """Cold ``llmspell run`` of a spell that uses no tool, with the ``tools`` plugin loaded
    and not (``LLMSPELL_LOAD_PLUGINS``), alternating the two so drift hits both alike; and,
    in fresh interpreters, the time to import and register every tool module."""
    llmspell = _console_script()
    spell = workdir / "no_tools.lua"
    spell.write_text(NO_TOOLS_SPELL, encoding="utf-8")
    pycache = workdir / "pycache" if bytecode_cache else None
    base = {**_base_env(workdir / "home-tools", pycache), "LLMSPELL_STATE_BACKEND": "memory"}
    with_env = {**base, "LLMSPELL_LOAD_PLUGINS": ",".join([*OTHER_PLUGINS, TOOLS_PLUGIN])}
    without_env = {**base, "LLMSPELL_LOAD_PLUGINS": ",".join(OTHER_PLUGINS)}
    argv = [llmspell, "run", str(spell)]
    for env in (with_env, without_env):
        _run_once(argv, env, workdir)  # warm-up
    with_ms: list[float] = []
    without_ms: list[float] = []
    for _ in range(runs):
        with_ms.append(_run_once(argv, with_env, workdir)[0])
        without_ms.append(_run_once(argv, without_env, workdir)[0])
    imports: list[float] = []
    loads: list[float] = []
    count = 0
    for i in range(runs + 1):
        proc = subprocess.run(
            [sys.executable, "-c", _IMPORT_TOOLS],
            env=base,
            cwd=workdir,
            capture_output=True,
            text=True,
            check=True,
        )
        ms, load_ms, count_text = proc.stdout.split()
        count = int(count_text)
        if i:  # the first run fills the bytecode cache
            imports.append(float(ms))
            loads.append(float(load_ms))
    return ToolsStartup(Stats(with_ms), Stats(without_ms), Stats(imports), count, Stats(loads))


# -- 2. host calls (in-process) -----------------------------------------------------------


@dataclass
class CallCase:
    name: str
    body: str  # statement run `calls` times (`i` is the loop variable)
    divisor: int = 1  # run calls // divisor iterations (slow paths)
    goal: bool = False
    setup: str = ""
    lang: str = "lua"  # "lua" or "js"
    per_iteration: int = 1  # host calls one iteration makes (Promise.all batches)

    @property
    def goal_us(self) -> float:
        return GOAL_CALL_US_JS if self.lang == "js" else GOAL_CALL_US


@dataclass
class CallResult:
    case: CallCase
    calls: int
    us_per_call: Stats

    def goal_met(self) -> bool | None:
        if not self.case.goal:
            return None
        return self.us_per_call.median <= self.case.goal_us


def _bench_plugin() -> Any:
    """A plugin object registering ``Bench``: no-op ops in each mode and a clock."""
    from llmspell.hookspecs import hookimpl
    from llmspell.ops import GlobalSpec, Param

    bench = GlobalSpec("Bench", doc="Benchmark helpers (benchmarks/run.py).")

    @bench.function("clock")
    def clock(ctx: Any) -> float:
        """Wall clock in seconds (time.perf_counter)."""
        return time.perf_counter()

    @bench.function("noop")
    def noop(ctx: Any) -> None:
        """Does nothing (sync op: a direct call from Lua)."""

    @bench.function("echo", Param("value"))
    def echo(ctx: Any, value: Any) -> Any:
        """Returns its argument (sync op with one argument and a result)."""
        return value

    @bench.function("noop_async", mode="async")
    async def noop_async(ctx: Any) -> None:
        """Does nothing (async op: the Lua coroutine yields a request)."""

    @bench.function("noop_blocking", mode="blocking")
    def noop_blocking(ctx: Any) -> None:
        """Does nothing (blocking op: a request answered from the worker thread)."""

    class BenchPlugin:
        @hookimpl
        def register_globals(self, register: Callable[..., None]) -> None:
            register(bench)

    return BenchPlugin()


CALL_CASES = [
    CallCase("empty Lua loop (per iteration)", ""),
    CallCase("pure Lua function call", "f()", setup="local function f() end"),
    CallCase("sync op: Bench.noop()", "noop()", setup="local noop = Bench.noop", goal=True),
    CallCase("sync op: Bench.echo(i)", "echo(i)", setup="local echo = Bench.echo", goal=True),
    CallCase(
        "sync op: Config.is_network_access_allowed()",
        "allowed()",
        setup="local allowed = Config.is_network_access_allowed",
        goal=True,
    ),
    CallCase(
        "async op: Bench.noop_async() (coroutine yield)",
        "noop()",
        setup="local noop = Bench.noop_async",
        goal=True,
    ),
    CallCase(
        "blocking op: Bench.noop_blocking() (worker thread)",
        "noop()",
        setup="local noop = Bench.noop_blocking",
        divisor=10,
    ),
    CallCase(
        "State.get (memory backend, blocking op)",
        'get("k")',
        setup='State.set("k", 1) local get = State.get',
        divisor=10,
    ),
    CallCase(
        'Tool.execute("calculator", {input="1+2"}) (round trip)',
        "exe(name, args)",
        setup='local exe, name, args = Tool.execute, "calculator", {input = "1+2"} '
        "assert(exe(name, args).success)",
        divisor=100,
    ),
]


#: the same measurements in JavaScript: every host call returns a Promise and is awaited
JS_CALL_CASES = [
    CallCase("empty JS loop (per iteration)", "", lang="js"),
    CallCase("pure JS function call", "f();", setup="function f() {}", lang="js"),
    CallCase(
        "sync op: await Bench.noop()",
        "await noop();",
        setup="const noop = Bench.noop;",
        goal=True,
        lang="js",
    ),
    CallCase(
        "sync op: await Bench.echo(i)",
        "await echo(i);",
        setup="const echo = Bench.echo;",
        goal=True,
        lang="js",
    ),
    CallCase(
        "sync op: await Config.isNetworkAccessAllowed()",
        "await allowed();",
        setup="const allowed = Config.isNetworkAccessAllowed;",
        goal=True,
        lang="js",
    ),
    CallCase(
        "async op: await Bench.noopAsync()",
        "await noop();",
        setup="const noop = Bench.noopAsync;",
        goal=True,
        lang="js",
    ),
    CallCase(
        "sync op, 100 in flight: await Promise.all([noop() x 100])",
        "await Promise.all(batch.map((f) => f()));",
        setup="const batch = Array(100).fill(Bench.noop);",
        divisor=100,
        per_iteration=100,
        lang="js",
    ),
    CallCase(
        "blocking op: await Bench.noopBlocking() (worker thread)",
        "await noop();",
        setup="const noop = Bench.noopBlocking;",
        divisor=10,
        lang="js",
    ),
    CallCase(
        "State.get (memory backend, blocking op)",
        'await get("k");',
        setup='await State.set("k", 1); const get = State.get;',
        divisor=10,
        lang="js",
    ),
    CallCase(
        'await Tool.execute("calculator", {input: "1+2"}) (round trip)',
        "await exe(name, args);",
        setup='const exe = Tool.execute; const name = "calculator"; const args = {input: "1+2"}; '
        'if (!(await exe(name, args)).success) throw new Error("calculator failed");',
        divisor=20,
        lang="js",
    ),
]


def _spell(case: CallCase, n: int) -> str:
    if case.lang == "js":
        return (
            f"{case.setup}\n"
            "const clock = Bench.clock;\n"
            "const t0 = await clock();\n"
            f"for (let i = 1; i <= {n}; i++) {{ {case.body} }}\n"
            "export default (await clock()) - t0;\n"
        )
    return (
        f"{case.setup}\n"
        "local clock = Bench.clock\n"
        "local t0 = clock()\n"
        f"for i = 1, {n} do {case.body} end\n"
        "return clock() - t0\n"
    )


#: the smallest spell per language, for the warm in-process run
WARM_SPELL = {"lua": "return 1", "js": "1"}


async def _bench_calls_async(
    calls: int, js_calls: int, repeats: int, languages: Sequence[str]
) -> tuple[list[CallResult], dict[str, Stats]]:
    from llmspell.config import load_settings
    from llmspell.runtime import Output, Runtime

    settings = load_settings(
        use_files=False, environ={}, overrides={("state", "backend"): "memory"}
    )
    devnull = open(os.devnull, "w")  # noqa: SIM115 - closed in the finally below
    runtime = Runtime(settings, autoload=True, output=Output(devnull, devnull))
    runtime.loader.register(_bench_plugin(), name="bench")
    runtime.refresh()
    installed = runtime.engines.names()
    if "lua" not in installed:
        sys.exit("benchmarks: the Lua engine is not installed (llmspell-engine-lua)")
    results: list[CallResult] = []
    warm: dict[str, Stats] = {}
    plan = [("lua", calls, CALL_CASES), ("js", js_calls, JS_CALL_CASES)]
    try:
        for lang, count, cases in plan:
            if lang not in languages or lang not in installed:
                continue
            # a warm run of the smallest spell: engine creation, bindings, run, close
            times: list[float] = []
            for _ in range(max(20, repeats)):
                start = time.perf_counter()
                await runtime.run(WARM_SPELL[lang], engine=lang)
                times.append((time.perf_counter() - start) * 1000)
            warm[lang] = Stats(times)
            for case in cases:
                n = max(1, count // case.divisor)
                source = _spell(case, n)
                await runtime.run(source, engine=lang)  # warm-up
                per_call: list[float] = []
                for _ in range(repeats):
                    result = await runtime.run(source, engine=lang)
                    per_call.append(float(result.value) / (n * case.per_iteration) * 1e6)
                results.append(CallResult(case, n * case.per_iteration, Stats(per_call)))
    finally:
        runtime.close()
        devnull.close()
    return results, warm


def bench_calls(
    calls: int, repeats: int, js_calls: int = 20_000, languages: Sequence[str] = ("lua", "js")
) -> tuple[list[CallResult], dict[str, Stats]]:
    """µs per call of script → host calls (Lua and JavaScript), measured inside the spell."""
    return asyncio.run(_bench_calls_async(calls, js_calls, repeats, languages))


# -- 5. agents against a real llm-katan echo server ----------------------------------------

GOAL_AGENT_OVERHEAD_MS = 1.0  # added per agent:execute vs a raw SDK call
GOAL_STREAM_P50_MS = 2.0  # adapter yields a delta -> the script's callback runs
GOAL_EXECUTE_ALL_FACTOR = 2.0  # 50 calls of 200 ms with Agent.execute_all: wall <= 2 x 0.2 s
AGENT_MODEL = "echo-model"


def _katan_installed() -> bool:
    return Path(sys.executable).with_name("llm-katan").exists()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_katan(workdir: Path, *extra: str) -> tuple[subprocess.Popen[bytes], int]:
    """``llm-katan --backend echo`` on a free port of 127.0.0.1, once /health answers."""
    import urllib.request

    katan = Path(sys.executable).with_name("llm-katan")
    if not katan.exists():
        sys.exit(f"benchmarks: no llm-katan next to {sys.executable} (the agents group needs it)")
    port = _free_port()
    argv = [str(katan), "--model", AGENT_MODEL, "--backend", "echo", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--disable-dashboard"]
    argv += ["--stats-file", str(workdir / f"katan-stats-{port}.json"), *extra]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return proc, port
        except OSError:
            if proc.poll() is not None:
                sys.exit("benchmarks: llm-katan exited at start-up")
            time.sleep(0.2)
    proc.kill()
    sys.exit("benchmarks: llm-katan did not start within 30 s")


@dataclass
class AgentsResult:
    calls: int
    raw_ms: Stats  # per raw openai call (median of each run's mean)
    agent_ms: Stats  # per agent:execute from Lua
    chunks: int
    stream_ms: Stats  # delta yielded by the adapter -> the Lua callback runs
    batch: int
    latency_ms: int
    execute_all_s: Stats

    @property
    def added_ms(self) -> float:
        return self.agent_ms.median - self.raw_ms.median

    @property
    def stream_p95(self) -> float:
        return statistics.quantiles(self.stream_ms.values, n=20)[18]

    @property
    def ideal_s(self) -> float:
        return self.latency_ms / 1000

    def goals(self) -> dict[str, bool]:
        return {
            "overhead": self.added_ms <= GOAL_AGENT_OVERHEAD_MS,
            "stream": self.stream_ms.median <= GOAL_STREAM_P50_MS,
            "execute_all": self.execute_all_s.median <= GOAL_EXECUTE_ALL_FACTOR * self.ideal_s,
        }


_OVERHEAD_SPELL = """
local a = Agent.create{{name = "bench-overhead", model = "fast/{model}",
  max_conversation_length = 1}}
for i = 1, 10 do a:execute("hi") end
local clock = Bench.clock
local t0 = clock()
for i = 1, {n} do a:execute("hi") end
return clock() - t0
"""

_STREAM_SPELL = """
local a = Agent.create{{name = "bench-stream", model = "itl/{model}",
  max_conversation_length = 1}}
local mark = AgentBench.mark
local count = 0
for i = 1, {n} do
  local r = a:stream("stream this sentence back to me please, word by word", function(c)
    mark(c.index)
    count = count + 1
  end)
end
return count
"""

_EXECUTE_ALL_SPELL = """
local items = {{}}
for i = 1, {batch} do
  items[i] = {{agent = Agent.create{{name = "bench-all-" .. i, model = "slow/{model}",
    max_conversation_length = 1}}, input = "hi " .. i}}
end
Agent.execute_all(items)  -- warm-up: opens the connections
local clock = Bench.clock
local times = {{}}
for r = 1, {repeats} do
  local t0 = clock()
  local results = Agent.execute_all(items)
  times[r] = clock() - t0
  assert(#results == {batch})
end
return times
"""


def _agents_plugin(marks: list[float]) -> Any:
    """``AgentBench.mark(i)``: the time the script's stream callback ran."""
    from llmspell.hookspecs import hookimpl
    from llmspell.ops import GlobalSpec, Param

    spec = GlobalSpec("AgentBench", doc="Agent benchmark helpers (benchmarks/run.py).")

    @spec.function("mark", Param("index"))
    def mark(ctx: Any, index: Any) -> None:
        """Record time.perf_counter() now."""
        marks.append(time.perf_counter())

    class AgentsPlugin:
        @hookimpl
        def register_globals(self, register: Callable[..., None]) -> None:
            register(spec)

    return AgentsPlugin()


async def _bench_agents_async(
    ports: dict[str, int], workdir: Path, calls: int, streams: int, batch: int, repeats: int
) -> tuple[Stats, Stats, list[float], Stats]:
    import openai

    from llmspell.config import load_settings
    from llmspell.runtime import Output, Runtime
    from llmspell_providers.openai_adapter import OpenAIProvider

    toml = workdir / "llmspell-agents.toml"
    toml.write_text(
        "".join(
            f'[providers.{name}]\nprovider_type = "openai"\n'
            f'base_url = "http://127.0.0.1:{port}/v1"\nmax_retries = 0\n'
            for name, port in ports.items()
        ),
        encoding="utf-8",
    )
    settings = load_settings(
        toml, environ={}, overrides={("state", "backend"): "memory"}, cwd=workdir
    )
    marks: list[float] = []
    yields: list[float] = []
    devnull = open(os.devnull, "w")  # noqa: SIM115 - closed in the finally below
    runtime = Runtime(settings, autoload=True, output=Output(devnull, devnull))
    runtime.loader.register(_bench_plugin(), name="bench")
    runtime.loader.register(_agents_plugin(marks), name="agent-bench")
    runtime.refresh()
    original_stream = OpenAIProvider.stream

    async def timed_stream(self: Any, request: Any) -> Any:
        async for piece in original_stream(self, request):
            if isinstance(piece, str) and piece:
                yields.append(time.perf_counter())
            yield piece

    raw = openai.AsyncOpenAI(
        base_url=f"http://127.0.0.1:{ports['fast']}/v1", api_key="not-needed", max_retries=0
    )
    messages = [{"role": "user", "content": "hi"}]
    try:
        # 1. overhead: raw SDK calls and agent:execute from Lua, alternating
        for _ in range(10):
            await raw.chat.completions.create(model=AGENT_MODEL, messages=messages)
        raw_ms: list[float] = []
        agent_ms: list[float] = []
        spell = _OVERHEAD_SPELL.format(model=AGENT_MODEL, n=calls)
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(calls):
                await raw.chat.completions.create(model=AGENT_MODEL, messages=messages)
            raw_ms.append((time.perf_counter() - t0) * 1000 / calls)
            result = await runtime.run(spell, engine="lua")
            agent_ms.append(float(result.value) * 1000 / calls)
        # 2. streaming: when the adapter yields each delta vs when the callback runs
        OpenAIProvider.stream = timed_stream  # type: ignore[method-assign]
        try:
            await runtime.run(_STREAM_SPELL.format(model=AGENT_MODEL, n=1), engine="lua")
            marks.clear()
            yields.clear()
            await runtime.run(_STREAM_SPELL.format(model=AGENT_MODEL, n=streams), engine="lua")
        finally:
            OpenAIProvider.stream = original_stream  # type: ignore[method-assign]
        if len(marks) != len(yields) or not marks:
            sys.exit(f"benchmarks: {len(yields)} deltas yielded but {len(marks)} callbacks ran")
        stream_ms = [(m - y) * 1000 for y, m in zip(yields, marks, strict=True)]
        # 3. Agent.execute_all of `batch` agents against a server answering in latency_ms
        source = _EXECUTE_ALL_SPELL.format(model=AGENT_MODEL, batch=batch, repeats=repeats)
        result = await runtime.run(source, engine="lua")
        walls = [float(v) for v in _as_list(result.value)]
    finally:
        await raw.close()
        runtime.close()
        devnull.close()
    return Stats(raw_ms), Stats(agent_ms), stream_ms, Stats(walls)


def _as_list(value: Any) -> list[Any]:
    """A Lua sequence as returned by a run (a list, or a dict keyed 1..n)."""
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    return list(value)


def bench_agents(
    workdir: Path,
    calls: int = 200,
    streams: int = 5,
    batch: int = 50,
    repeats: int = 5,
    latency_ms: int = 200,
) -> AgentsResult:
    """Agents against real llm-katan echo servers started here (and stopped at the end):
    per-call overhead, stream delivery latency, Agent.execute_all concurrency."""
    servers: list[subprocess.Popen[bytes]] = []
    try:
        ports: dict[str, int] = {}
        for name, extra in (
            ("fast", ()),
            ("itl", ("--itl-ms", "20")),
            ("slow", ("--latency-ms", str(latency_ms), "--max-concurrent", str(batch * 2))),
        ):
            proc, ports[name] = _start_katan(workdir, *extra)
            servers.append(proc)
        raw, agent, stream_ms, walls = asyncio.run(
            _bench_agents_async(ports, workdir, calls, streams, batch, repeats)
        )
    finally:
        for proc in servers:
            proc.terminate()
        for proc in servers:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return AgentsResult(
        calls, raw, agent, len(stream_ms), Stats(stream_ms), batch, latency_ms, walls
    )


# -- report -------------------------------------------------------------------------------


def _machine() -> dict[str, Any]:
    from importlib import metadata

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "lupa": version("lupa"),
        "quickjs-ng": version("quickjs-ng"),
        "llmspell-core": version("llmspell-core"),
    }


def _short(arg: str) -> str:
    """An argument for the report: paths relative to the repository, executables by name."""
    if os.sep not in arg:
        return arg
    path = Path(arg)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def _fmt(stats: Stats | None, digits: int) -> str:
    if stats is None:
        return "n/a"
    return f"{stats.median:.{digits}f} [{stats.min:.{digits}f}..{stats.max:.{digits}f}]"


def _mark(met: bool | None) -> str:
    return "" if met is None else ("ok" if met else "MISSED")


def print_table(
    cold: list[ColdResult] | None,
    calls: list[CallResult] | None,
    warm: dict[str, Stats] | None,
    machine: dict[str, Any],
    args: argparse.Namespace,
) -> None:
    print(
        f"llmspell benchmarks — Python {machine['python']}, lupa {machine['lupa']}, "
        f"quickjs-ng {machine['quickjs-ng']}, {machine['cpus']} CPUs, {machine['platform']}"
    )
    print("values: median [min..max]")
    if cold is not None:
        print(f"peak RSS measured with: {RSS_METHOD or 'n/a'}")
    if cold is not None:
        print()
        print(
            f"1. Cold start: fresh process, {args.runs} runs each (goals: "
            f"< {GOAL_COLD_WALL_MS:g} ms for .lua, < {GOAL_COLD_WALL_MS_JS:g} ms for .js, "
            f"< {GOAL_COLD_RSS_MB:g} MB)"
        )
        rows = [
            (r.case.name, _fmt(r.wall_ms, 1), _fmt(r.rss_mb, 1), _mark(r.goal_met())) for r in cold
        ]
        _table(["case", "wall ms", "peak RSS MB", "goal"], rows)
    if calls is not None:
        sections = [
            ("lua", "2. Lua → host calls", GOAL_CALL_US, "return 1"),
            ("js", "3. JavaScript → host calls (awaited Promises)", GOAL_CALL_US_JS, "1"),
        ]
        for lang, title, goal, warm_spell in sections:
            lang_calls = [r for r in calls if r.case.lang == lang]
            if not lang_calls:
                continue
            print()
            print(
                f"{title}, in-process, {args.repeats} repeats (goal: ≤ {goal:g} µs per host call)"
            )
            rows = [
                (r.case.name, f"{r.calls:,}", _fmt(r.us_per_call, 3), _mark(r.goal_met()))
                for r in lang_calls
            ]
            _table(["case", "calls", "µs per call", "goal"], rows)
            if warm and lang in warm:
                print(
                    f"   warm in-process run of `{warm_spell}` (engine setup included): "
                    f"{_fmt(warm[lang], 2)} ms"
                )


def print_tools(tools: ToolsStartup, args: argparse.Namespace) -> None:
    print()
    print(
        f"4. Tool library start-up: cold `llmspell run` of a spell using no tool, {args.runs} "
        f"runs each, memory state (goal: tools add < {GOAL_TOOLS_STARTUP_MS:g} ms)"
    )
    others = ",".join(OTHER_PLUGINS)
    rows = [
        (f"LLMSPELL_LOAD_PLUGINS={others},{TOOLS_PLUGIN}", _fmt(tools.with_tools, 1), ""),
        (f"LLMSPELL_LOAD_PLUGINS={others}", _fmt(tools.without_tools, 1), ""),
        ("added by the tool library (difference of medians)", f"{tools.added_ms:.1f}",
         _mark(tools.goal_met())),
        (f"in-process: register all {tools.tool_count} tools (by name, modules not imported)",
         _fmt(tools.import_register_ms, 1), ""),
        (f"in-process: then import all {tools.tool_count} tool modules (first Tool.list())",
         _fmt(tools.load_all_ms, 1) if tools.load_all_ms else "-", ""),
    ]  # fmt: skip
    _table(["case", "wall ms", "goal"], rows)


def print_agents(agents: AgentsResult, args: argparse.Namespace) -> None:
    goals = agents.goals()
    print()
    print(
        "5. Agents against llm-katan --backend echo on 127.0.0.1 (Lua spells, in-process, "
        f"{args.repeats} repeats)"
    )
    rows = [
        (f"raw openai.AsyncOpenAI chat.completions.create, {agents.calls} sequential",
         "ms per call", _fmt(agents.raw_ms, 3), ""),
        (f"agent:execute(\"hi\") from Lua, {agents.calls} sequential",
         "ms per call", _fmt(agents.agent_ms, 3), ""),
        ("  added by llmspell (difference of medians)", "ms per call",
         f"{agents.added_ms:.3f}", f"≤ {GOAL_AGENT_OVERHEAD_MS:g} {_mark(goals['overhead'])}"),
        (f"stream: adapter yields a delta -> Lua callback runs ({agents.chunks} chunks, "
         "--itl-ms 20)", "ms p50", _fmt(agents.stream_ms, 3),
         f"≤ {GOAL_STREAM_P50_MS:g} {_mark(goals['stream'])}"),
        ("  the same, 95th percentile", "ms p95", f"{agents.stream_p95:.3f}", ""),
        (f"Agent.execute_all of {agents.batch} agents, --latency-ms {agents.latency_ms}",
         "s wall", _fmt(agents.execute_all_s, 3),
         f"≤ {GOAL_EXECUTE_ALL_FACTOR * agents.ideal_s:g} {_mark(goals['execute_all'])}"),
    ]  # fmt: skip
    _table(["case", "unit", "value", "goal"], rows)


def _table(header: list[str], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print("   " + line.rstrip())
    print("   " + "  ".join("-" * w for w in widths))
    for row in rows:
        print("   " + "  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--runs", type=int, default=15, help="cold-start runs per case (15)")
    parser.add_argument(
        "--calls", type=int, default=100_000, help="Lua host calls per run (100000)"
    )
    parser.add_argument(
        "--js-calls", type=int, default=20_000, help="JavaScript host calls per run (20000)"
    )
    parser.add_argument("--repeats", type=int, default=5, help="runs per host-call case (5)")
    parser.add_argument(
        "--agent-calls", type=int, default=200, help="sequential agent calls per run (200)"
    )
    parser.add_argument(
        "--only",
        choices=["cold", "calls", "tools", "agents", "workflows"],
        help="run one group only",
    )
    parser.add_argument(
        "--lang",
        choices=["lua", "js"],
        action="append",
        help="host calls: only this language (repeatable; default both)",
    )
    parser.add_argument(
        "--env-as-is",
        action="store_true",
        help="cold start: keep PYTHONDONTWRITEBYTECODE and the usual bytecode cache",
    )
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a goal is missed (noisy machines!)"
    )
    parser.add_argument(
        "--save",
        action="store_true",
        help="also write the JSON report to benchmarks/results/<time>.json (git-ignored)",
    )
    import workflows as workflow_bench  # benchmarks/workflows.py (imports this module)

    workflow_bench.add_arguments(parser)
    args = parser.parse_args(argv)

    machine = _machine()
    workflows: dict[str, Any] | None = None
    cold = calls = None
    warm = None
    tools: ToolsStartup | None = None
    agents: AgentsResult | None = None
    with tempfile.TemporaryDirectory(prefix="llmspell-bench-") as tmp:
        if args.only in (None, "cold"):
            cold = bench_cold(args.runs, Path(tmp), bytecode_cache=not args.env_as_is)
        if args.only in (None, "tools"):
            tools = bench_tools_startup(args.runs, Path(tmp), bytecode_cache=not args.env_as_is)
        if args.only in (None, "calls"):
            calls, warm = bench_calls(
                args.calls, args.repeats, args.js_calls, args.lang or ("lua", "js")
            )
        if args.only == "agents" or (args.only is None and _katan_installed()):
            agents = bench_agents(Path(tmp), calls=args.agent_calls, repeats=args.repeats)
        if args.only == "workflows" or (args.only is None and _katan_installed()):
            workflows = workflow_bench.run_all(args, Path(tmp))

    report = {
        "machine": machine,
        "goals": {
            "cold_wall_ms": GOAL_COLD_WALL_MS,
            "cold_wall_ms_js": GOAL_COLD_WALL_MS_JS,
            "cold_rss_mb": GOAL_COLD_RSS_MB,
            "host_call_us": GOAL_CALL_US,
            "host_call_us_js": GOAL_CALL_US_JS,
            "tools_startup_ms": GOAL_TOOLS_STARTUP_MS,
            "agent_overhead_ms": GOAL_AGENT_OVERHEAD_MS,
            "stream_p50_ms": GOAL_STREAM_P50_MS,
            "execute_all_factor": GOAL_EXECUTE_ALL_FACTOR,
        },
        "rss_method": RSS_METHOD or None,
        "cold_start": [
            {
                "name": r.case.name.strip(" ."),
                "argv": [_short(a) for a in r.case.argv],
                "env": r.case.env,
                "wall_ms": r.wall_ms.to_json(),
                "peak_rss_mb": r.rss_mb.to_json() if r.rss_mb else None,
                "goal_met": r.goal_met(),
            }
            for r in cold or []
        ],
        "host_calls": [
            {
                "name": r.case.name,
                "language": r.case.lang,
                "calls": r.calls,
                "us_per_call": r.us_per_call.to_json(4),
                "goal_met": r.goal_met(),
            }
            for r in calls or []
        ],
        "warm_run_ms": {lang: stats.to_json() for lang, stats in (warm or {}).items()},
        "tools_startup": None
        if tools is None
        else {
            "plugins_with": [*OTHER_PLUGINS, TOOLS_PLUGIN],
            "plugins_without": list(OTHER_PLUGINS),
            "run_with_tools_ms": tools.with_tools.to_json(),
            "run_without_tools_ms": tools.without_tools.to_json(),
            "added_ms": round(tools.added_ms, 3),
            "import_register_ms": tools.import_register_ms.to_json(),
            "load_all_ms": tools.load_all_ms.to_json() if tools.load_all_ms else None,
            "tool_count": tools.tool_count,
            "goal_met": tools.goal_met(),
        },
        "agents": None
        if agents is None
        else {
            "calls": agents.calls,
            "raw_ms_per_call": agents.raw_ms.to_json(),
            "agent_ms_per_call": agents.agent_ms.to_json(),
            "added_ms_per_call": round(agents.added_ms, 3),
            "stream_chunks": agents.chunks,
            "stream_delivery_ms": agents.stream_ms.to_json(),
            "stream_delivery_p95_ms": round(agents.stream_p95, 3),
            "execute_all_batch": agents.batch,
            "execute_all_latency_ms": agents.latency_ms,
            "execute_all_wall_s": agents.execute_all_s.to_json(),
            "goals_met": agents.goals(),
        },
        "workflows": workflows,
    }
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_table(cold, calls, warm, machine, args)
        if tools is not None:
            print_tools(tools, args)
        if agents is not None:
            print_agents(agents, args)
        if workflows is not None:
            workflow_bench.print_report(workflows)
    if args.save:
        out = ROOT / "benchmarks" / "results" / time.strftime("%Y%m%d-%H%M%S.json")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"saved {out.relative_to(ROOT)}", file=sys.stderr)

    if args.check:
        met = [r.goal_met() for r in [*(cold or []), *(calls or [])]]
        met.append(tools.goal_met() if tools is not None else None)
        met.extend((agents.goals() if agents is not None else {}).values())
        if any(m is False for m in met):
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
