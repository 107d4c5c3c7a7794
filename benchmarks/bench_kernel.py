"""The llmspell Jupyter kernel: start to ``kernel_info`` reply, and the round trip of a
trivial cell (``1 + 1`` until the kernel is idle again), each beside ipykernel's own
Python kernel. Prints medians [min..max].

    uv run --all-packages python benchmarks/bench_kernel.py [--runs N] [--cells N]

The kernel specs are installed into a temporary Jupyter path (``llmspell kernel install
--prefix`` and ipykernel's ``install --prefix``) and started by jupyter_client as
Jupyter starts them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

LLMSPELL = str(Path(sys.executable).parent / "llmspell")
KERNELS = [
    ("python (ipykernel)", "bench-python"),
    ("llmspell lua", "bench-llmspell-lua"),
    ("llmspell js", "bench-llmspell-js"),
]


def _fmt(values: list[float], unit: str = "ms") -> str:
    return f"{statistics.median(values):.2f} [{min(values):.2f}..{max(values):.2f}] {unit}"


def _install(prefix: Path) -> None:
    from ipykernel.kernelspec import install

    install(prefix=str(prefix), kernel_name="bench-python")
    for engine in ("lua", "js"):
        subprocess.run(
            [LLMSPELL, "kernel", "install", "--prefix", str(prefix), "--engine", engine,
             "--name", f"bench-llmspell-{engine}"],
            check=True, capture_output=True,
        )  # fmt: skip


def _start(name: str) -> tuple[Any, Any, float]:
    from jupyter_client.manager import KernelManager

    started = time.perf_counter()
    km = KernelManager(kernel_name=name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)  # the kernel_info reply has arrived
    return km, kc, (time.perf_counter() - started) * 1000


def _cell(kc: Any) -> float:
    started = time.perf_counter()
    reply = kc.execute("1 + 1", reply=True, timeout=30)
    took = (time.perf_counter() - started) * 1000
    assert reply["content"]["status"] == "ok", reply["content"]
    return took


def main() -> None:
    """Install the specs, then time start-ups and cells."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="kernel starts per kernel")
    parser.add_argument("--cells", type=int, default=200, help="cells per kernel")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-kernel-") as tmp:
        prefix = Path(tmp)
        _install(prefix)
        os.environ["JUPYTER_PATH"] = str(prefix / "share" / "jupyter")
        os.environ["JUPYTER_RUNTIME_DIR"] = str(prefix / "runtime")
        os.environ.setdefault("LLMSPELL_HOME", str(prefix / "home"))
        print(f"start to kernel_info reply ({args.runs} starts)")
        for label, name in KERNELS:
            times = []
            for _ in range(args.runs):
                km, kc, took = _start(name)
                times.append(took)
                kc.stop_channels()
                km.shutdown_kernel(now=True)
            print(f"  {label:22} {_fmt(times)}")
        print(f"cell '1 + 1' round trip ({args.cells} cells)")
        for label, name in KERNELS:
            km, kc, _ = _start(name)
            try:
                for _ in range(10):
                    _cell(kc)
                times = [_cell(kc) for _ in range(args.cells)]
            finally:
                kc.stop_channels()
                km.shutdown_kernel(now=True)
            print(f"  {label:22} {_fmt(times)}")


if __name__ == "__main__":
    main()
