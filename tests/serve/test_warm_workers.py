"""Warm worker processes (serve/pool.py) and the drain on SIGTERM, on a real
``llmspell serve`` process."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.serve.conftest import Server, start, stderr_of, stop, wait_final, write_config

LOOP = "while true do end"


def workers_of(pid: int, name: str) -> set[int]:
    """Worker processes of the service ``pid`` named ``name`` (llmspell-warm: waiting
    for a run; llmspell-run: running one)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if f"({name})" in stat and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry))
    return found


def wait_warm(pid: int, count: int, timeout: float = 30) -> set[int]:
    """Wait until the service has ``count`` warm workers; returns their pids."""
    deadline = time.monotonic() + timeout
    while len(warm := workers_of(pid, "llmspell-warm")) != count:
        assert time.monotonic() < deadline, f"{len(warm)} warm workers, not {count}"
        time.sleep(0.05)
    return warm


def serve(tmp_path: Path, extra: str = "", workers: int = 2) -> Server:
    """Start ``llmspell serve`` with home ``tmp_path/home`` (the same on a restart)."""
    spells = tmp_path / "spells"
    spells.mkdir(exist_ok=True)
    (spells / "hello.lua").write_text('print("hello")\nreturn 42\n')
    config = write_config(tmp_path / "llmspell.toml", spells, extra)
    config.write_text(config.read_text().replace("workers = 2", f"workers = {workers}"))
    home = "home"
    proc, line = start("serve", tmp_path / home, config, wait_for="llmspell serve: http")
    url = re.search(r"(http://\S+) ", line)
    assert url
    return Server(url.group(1), proc, tmp_path / home, spells)


@pytest.fixture
def warm_server(tmp_path: Path) -> Iterator[Server]:
    server = serve(tmp_path)
    yield server
    stop(server.proc)


def test_warm_workers_wait_and_every_run_gets_a_fresh_process(warm_server: Server) -> None:
    pid = warm_server.proc.pid
    before = wait_warm(pid, 2)  # [serve] workers = 2
    with warm_server.client() as c:
        first = c.post("/v1/runs", json={"source": 'leak = "kept?"\nreturn leak'}).json()
        assert wait_final(c, first["id"])["result"] == "kept?"
        second = c.post("/v1/runs", json={"source": "return leak == nil"}).json()
        run = wait_final(c, second["id"])
    assert run["status"] == "succeeded" and run["result"] is True  # nothing leaked
    after = wait_warm(pid, 2)
    # each run took one of the warm workers (oldest first), which then exited, and the
    # pool started replacements
    assert not before & after
    for used in before:
        assert not Path(f"/proc/{used}").exists() or "(llmspell" not in Path(
            f"/proc/{used}/stat"
        ).read_text()


def test_a_warm_worker_killed_while_waiting_is_replaced(warm_server: Server) -> None:
    pid = warm_server.proc.pid
    warm = wait_warm(pid, 2)
    for victim in warm:
        os.kill(victim, signal.SIGKILL)
    with warm_server.client() as c:
        run = wait_final(c, c.post("/v1/runs", json={"spell": "hello.lua"}).json()["id"])
    assert run["status"] == "succeeded" and run["result"] == 42, run
    assert run["output"] == "hello\n"
    assert not wait_warm(pid, 2) & warm


def test_without_warm_workers_every_run_starts_its_own(tmp_path: Path) -> None:
    server = serve(tmp_path, "warm_workers = false\n")
    try:
        time.sleep(1.0)
        assert not workers_of(server.proc.pid, "llmspell-warm")
        with server.client() as c:
            run = wait_final(c, c.post("/v1/runs", json={"spell": "hello.lua"}).json()["id"])
        assert run["status"] == "succeeded" and run["result"] == 42, run
        assert not workers_of(server.proc.pid, "llmspell-warm")
    finally:
        stop(server.proc)


def _wait_running(c: object, run_id: str) -> None:
    deadline = time.monotonic() + 30
    while c.get(f"/v1/runs/{run_id}").json()["status"] != "running":  # type: ignore[attr-defined]
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_sigterm_lets_in_flight_runs_finish_and_refuses_new_ones(tmp_path: Path) -> None:
    server = serve(tmp_path, "drain_seconds = 20\n")
    try:
        with server.client() as c:
            # long enough that the run is still in flight when the refused submit arrives
            busy = "local t = os.clock() while os.clock() - t < 5 do end return 'done'"
            run_id = c.post("/v1/runs", json={"source": busy}).json()["id"]
            _wait_running(c, run_id)
            server.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            refused = c.post("/v1/runs", json={"spell": "hello.lua"})
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"]["kind"] == "StateError"
            assert "stopping" in refused.json()["error"]["message"]
            # the API answers while the service drains (if the run ended early, the
            # connection is refused and its record below says why)
            with contextlib.suppress(httpx.ConnectError):
                assert c.get(f"/v1/runs/{run_id}").json()["status"] == "running"
        assert server.proc.wait(30) == 0, stderr_of(server.proc)
    finally:
        stop(server.proc)
    # the service exited once the run had finished: the next start shows it succeeded
    again = serve(tmp_path, "drain_seconds = 20\n")
    try:
        with again.client() as c:
            run = c.get(f"/v1/runs/{run_id}").json()
        assert run["status"] == "succeeded", (run, stderr_of(server.proc))
        assert run["result"] == "done", run
    finally:
        stop(again.proc)


def test_sigterm_kills_runs_left_after_the_grace_period_and_exits_0(tmp_path: Path) -> None:
    server = serve(tmp_path, "drain_seconds = 1\n", workers=1)
    with server.client() as c:
        looping = c.post("/v1/runs", json={"source": LOOP, "timeout": 50}).json()["id"]
        _wait_running(c, looping)
        queued = c.post("/v1/runs", json={"spell": "hello.lua"}).json()["id"]
        assert c.get(f"/v1/runs/{queued}").json()["status"] == "queued"
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(30) == 0
    assert time.monotonic() - started < 15
    assert not workers_of(server.proc.pid, "llmspell-run")
    # the next start (the same home) shows the killed run failed, and runs the queued one
    again = serve(tmp_path, "drain_seconds = 1\n", workers=1)
    try:
        with again.client() as c:
            run = c.get(f"/v1/runs/{looping}").json()
            assert run["status"] == "failed", run
            assert run["error"]["kind"] == "WorkerDied"
            assert "service stopped" in run["error"]["message"]
            assert "drain_seconds" in run["error"]["hint"]
            later = wait_final(c, queued)
        assert later["status"] == "succeeded" and later["result"] == 42, later
    finally:
        stop(again.proc)


def test_a_second_sigterm_ends_the_drain_at_once(tmp_path: Path) -> None:
    server = serve(tmp_path, "drain_seconds = 300\n")
    try:
        with server.client() as c:
            run_id = c.post("/v1/runs", json={"source": LOOP, "timeout": 50}).json()["id"]
            _wait_running(c, run_id)
        server.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert server.proc.poll() is None  # draining
        started = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(20) == 0
        assert time.monotonic() - started < 15
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()
