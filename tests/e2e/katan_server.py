"""One llm-katan server (``--backend echo``) on 127.0.0.1 for the end-to-end agent tests:
started by a test, stopped by it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

KATAN = str(Path(sys.executable).parent / "llm-katan")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_katan(tmp: Path, *extra: str) -> tuple[subprocess.Popen[bytes], int]:
    """Start llm-katan on a free port (``extra``: more options); (process, port) once it
    answers /health."""
    port = free_port()
    proc = subprocess.Popen(
        [
            KATAN,
            "--model",
            "echo-model",
            "--backend",
            "echo",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--providers",
            "openai,anthropic",
            "--disable-dashboard",
            "--stats-file",
            str(tmp / f"stats-{port}.json"),
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
            return proc, port
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("llm-katan exited at start-up") from None
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("llm-katan did not start within 30 s")
