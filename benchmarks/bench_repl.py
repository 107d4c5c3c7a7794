"""``llmspell repl``: start to first prompt, beside ``python -q``'s, and the per-entry
overhead of a trivial expression. Prints medians [min..max].

    uv run --all-packages python benchmarks/bench_repl.py [--runs N] [--entries N]

Start-up runs the REPL on a pseudo-terminal (pexpect, ``PROMPT_TOOLKIT_NO_CPR=1``) and
times until the prompt appears (goal: median <= 1 s on the 2-core machine). The entry
overhead runs ``1 + 1`` through ``InteractiveSession.run`` in process (per engine).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

LLMSPELL = str(Path(sys.executable).parent / "llmspell")


def _fmt(values: list[float], unit: str = "ms") -> str:
    return f"{statistics.median(values):.2f} [{min(values):.2f}..{max(values):.2f}] {unit}"


def _time_to_prompt(argv: list[str], prompt: str, env: dict[str, str]) -> float:
    import pexpect

    started = time.perf_counter()
    child = pexpect.spawn(argv[0], argv[1:], env=env, encoding="utf-8", timeout=30)
    child.expect(prompt)
    took = (time.perf_counter() - started) * 1000
    child.terminate(force=True)
    return took


def start_up(runs: int) -> None:
    """REPL start to first prompt vs ``python -q`` start to ``>>>``."""
    home = tempfile.mkdtemp(prefix="bench-repl-")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", LLMSPELL_HOME=home)
    cases = [
        ("python -q (>>> )", [sys.executable, "-q"], ">>> "),
        ("llmspell repl (lua> )", [LLMSPELL, "repl"], "lua>"),
        ("llmspell repl --engine js", [LLMSPELL, "repl", "--engine", "js"], "js>"),
    ]
    for _, argv, prompt in cases:  # warm the file cache
        _time_to_prompt(argv, prompt, env)
    for label, argv, prompt in cases:
        times = [_time_to_prompt(argv, prompt, env) for _ in range(runs)]
        print(f"{label:32} {_fmt(times)}")


def per_entry(entries: int) -> None:
    """The cost of one trivial entry (``1 + 1``) through the interactive session."""
    from llmspell.runtime import Runtime

    async def measure(engine: str) -> list[float]:
        runtime = Runtime()
        session = runtime.interactive(engine=engine)
        await session.run("1 + 1")
        times = []
        for _ in range(entries):
            started = time.perf_counter()
            await session.run("1 + 1")
            times.append((time.perf_counter() - started) * 1_000_000)
        session.close()
        runtime.close()
        return times

    for engine in ("lua", "js"):
        times = asyncio.run(measure(engine))
        print(f"{'entry 1 + 1 (' + engine + ')':32} {_fmt(times, 'µs')}")


def main() -> None:
    """Parse the options and print both tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="start-ups per case")
    parser.add_argument("--entries", type=int, default=500, help="entries per engine")
    args = parser.parse_args()
    start_up(args.runs)
    per_entry(args.entries)


if __name__ == "__main__":
    main()
