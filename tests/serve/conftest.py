"""A real ``llmspell serve`` (or ``llmspell worker``) process on 127.0.0.1 per test."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

TOKEN = "test-token-1"


@dataclass
class Server:
    """A running service: its URL, process, home and an authenticated client."""

    url: str
    proc: subprocess.Popen[str]
    home: Path
    spells: Path

    def client(self, token: str | None = TOKEN) -> httpx.Client:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def start(cmd: str, home: Path, config: Path, *, extra_env: dict[str, str] | None = None,
          wait_for: str) -> tuple[subprocess.Popen[str], str]:  # fmt: skip
    """Start ``llmspell CMD`` and wait for its start-up line (returned)."""
    env = {**os.environ, "LLMSPELL_HOME": str(home), "LLMSPELL_SERVE_TOKEN": TOKEN,
           **(extra_env or {})}  # fmt: skip
    env.pop("LLMSPELL_DATABASE_URL", None) if "LLMSPELL_DATABASE_URL" not in (
        extra_env or {}
    ) else None
    args = [sys.executable, "-m", "llmspell_cli.main", cmd, "--config", str(config)]
    if cmd == "serve":
        args += ["--port", "0"]
    proc = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            text=True)  # fmt: skip
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    seen = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if wait_for in line:
            _drain_stderr(proc)
            return proc, line
    proc.kill()
    raise AssertionError(f"llmspell {cmd} did not start: {''.join(seen)}")


#: the last lines each started process wrote to stderr (read on, so a chatty service
#: never blocks on a full pipe), for a failing test's message
STDERR: dict[int, list[str]] = {}


def _drain_stderr(proc: subprocess.Popen[str]) -> None:
    tail = STDERR.setdefault(proc.pid, [])

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            tail.append(line)
            del tail[:-200]

    threading.Thread(target=read, daemon=True).start()


def stderr_of(proc: subprocess.Popen[str]) -> str:
    """What the process wrote to stderr since it started (the last 200 lines)."""
    return "".join(STDERR.get(proc.pid, []))


def stop(proc: subprocess.Popen[str]) -> None:
    """End a process started by :func:`start`."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def write_config(path: Path, spells: Path, extra: str = "") -> Path:
    path.write_text(
        f'[serve]\nspells_dir = "{spells}"\nworkers = 2\nmax_body_bytes = 4096\n'
        f"max_timeout_seconds = 60\nmax_runs_in_flight_per_token = 8\ndead_after_seconds = 3\n"
        f"{extra}",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    spells = tmp_path / "spells"
    spells.mkdir()
    (spells / "hello.lua").write_text('print("hello " .. (ARGS[1] or "world"))\nreturn 42\n')
    (spells / "hello.js").write_text('print("hi from js");\n({ok: true});\n')
    config = write_config(tmp_path / "llmspell.toml", spells)
    proc, line = start("serve", tmp_path / "home", config, wait_for="llmspell serve: http")
    url = re.search(r"(http://\S+) ", line)
    assert url
    yield Server(url.group(1), proc, tmp_path / "home", spells)
    stop(proc)


def wait_final(client: httpx.Client, run_id: str, timeout: float = 30) -> dict:
    """Poll the run until it is final."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/v1/runs/{run_id}").json()
        if run["status"] in ("succeeded", "failed", "cancelled"):
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} not final after {timeout} s: {run}")
