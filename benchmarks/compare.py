"""Side by side: this checkout against an earlier commit, on one machine, in one run.

Builds the earlier commit in a git worktree with its own venv (``uv sync``), then
alternates the two trees round by round so that both see the same machine load:

- cold start (``llmspell run examples/hello.lua`` and ``hello.js``, via run.py --only cold),
- host-call round trips (run.py --only calls, Lua and JavaScript),
- a tight Lua loop of 1e7 cheap instructions (``llmspell exec``, timed by ``os.clock``).

Run from the repository root::

    uv run --all-packages python benchmarks/compare.py --before 66b9e7f
    uv run --all-packages python benchmarks/compare.py --before HEAD~5 --rounds 5 --json
    uv run --all-packages python benchmarks/compare.py --before 4dd360a --only cold

Medians over the rounds are printed with the change in percent (positive: slower now).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LOOP_SPELL = (
    "local t0 = os.clock() local s = 0 for i = 1, 1e7 do s = s + i end return os.clock() - t0"
)


def _uv() -> list[str]:
    """uv: on PATH, else the module of the ``python3`` the README installs it into."""
    found = shutil.which("uv")
    return [found] if found else [shutil.which("python3") or sys.executable, "-m", "uv"]


def prepare(rev: str) -> Path:
    """A worktree of ``rev`` with its own synced venv (reused when it exists)."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    tree = Path(tempfile.gettempdir()) / f"llmspell-before-{sha}"
    if not (tree / ".git").exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), sha], cwd=ROOT, check=True)
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(tree / ".venv")}
    subprocess.run([*_uv(), "sync", "--all-packages", "-q"], cwd=tree, env=env, check=True)
    return tree


def _python(tree: Path) -> str:
    return str(tree / ".venv" / "bin" / "python")


def run_py(tree: Path, only: str, extra: list[str]) -> dict[str, Any]:
    """run.py --json of ``tree``, in its own venv."""
    out = subprocess.run(
        [_python(tree), str(tree / "benchmarks" / "run.py"), "--json", "--only", only, *extra],
        cwd=tree,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    report: dict[str, Any] = json.loads(out)
    return report


def tight_loop(tree: Path) -> float:
    """CPU seconds of a 1e7-iteration Lua loop, timed inside the spell (``os.clock``)."""
    exe = str(tree / ".venv" / "bin" / "llmspell")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMSPELL_")}
    with tempfile.TemporaryDirectory() as tmp:
        env["LLMSPELL_HOME"] = tmp
        out = subprocess.run(
            [exe, "exec", LOOP_SPELL], cwd=tmp, env=env, capture_output=True, text=True, check=True
        ).stdout
    return float(out.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="the earlier commit (e.g. HEAD~3)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (3)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--only",
        action="append",
        choices=["cold", "calls", "loop"],
        help="measure only this (repeatable; default: all three)",
    )
    args = parser.parse_args()
    only = set(args.only or ["cold", "calls", "loop"])
    before = prepare(args.before)
    trees = {"before": before, "after": ROOT}
    series: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}

    def add(side: str, name: str, value: float) -> None:
        series[side].setdefault(name, []).append(value)

    for _ in range(args.rounds):
        for side, tree in trees.items():
            if "cold" in only:
                cold = run_py(tree, "cold", ["--runs", "7"])
                walls = {c["name"]: c["wall_ms"]["median"] for c in cold["cold_start"]}
                for name, wall in walls.items():
                    add(side, f"cold {name} (ms)", wall)
                floor = walls.get("python -c pass")
                for name, wall in walls.items():
                    if floor and name.startswith("llmspell run") and "..." not in name:
                        add(side, f"cold {name} / python -c pass (x)", wall / floor)
            if "calls" in only:
                calls = run_py(tree, "calls", ["--repeats", "3"])
                for case in calls["host_calls"]:
                    add(side, f"call {case['name']} (us)", case["us_per_call"]["median"])
            if "loop" in only:
                add(side, "lua loop 1e7, CPU in the spell (s)", tight_loop(tree))
    rows = []
    for name in series["after"]:
        b = statistics.median(series["before"].get(name, [float("nan")]))
        a = statistics.median(series["after"][name])
        rows.append({"name": name, "before": b, "after": a, "change_pct": (a - b) / b * 100})
    if args.json:
        print(json.dumps({"before": args.before, "rounds": args.rounds, "rows": rows}, indent=2))
    else:
        print(f"before = {args.before}, after = working tree; medians of {args.rounds} rounds")
        print(f"{'measurement':58} {'before':>10} {'after':>10} {'change':>8}")
        for r in rows:
            print(
                f"{r['name'][:58]:58} {r['before']:10.3f} {r['after']:10.3f} "
                f"{r['change_pct']:+7.1f}%"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
