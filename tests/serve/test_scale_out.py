"""Scale-out on a real PostgreSQL: one ``llmspell serve`` and two ``llmspell worker``
processes (separate homes standing in for three hosts) share ``[storage] url``."""

from __future__ import annotations

import os
import re
import signal
import time
from collections import Counter
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from tests.serve.conftest import Server, start, stop, wait_final, write_config

BUSY = "local t = os.clock() while os.clock() - t < {s} do end return ARGS[1]"


@pytest.fixture
def fleet(
    tmp_path: Path, postgres_url: str, request: pytest.FixtureRequest
) -> Iterator[tuple[Server, dict[str, object]]]:
    spells = tmp_path / "spells"
    spells.mkdir()
    (spells / "busy.lua").write_text(BUSY.format(s=0.4))
    (spells / "tick.lua").write_text("return 1\n")
    config = write_config(tmp_path / "llmspell.toml", spells, getattr(request, "param", ""))
    env = {"LLMSPELL_DATABASE_URL": postgres_url}
    procs = []
    try:
        proc, line = start("serve", tmp_path / "home-api", config, extra_env=env,
                           wait_for="llmspell serve: http")  # fmt: skip
        procs.append(proc)
        url = re.search(r"(http://\S+) ", line)
        assert url
        workers: dict[str, object] = {}
        for name in ("a", "b"):
            wproc, wline = start("worker", tmp_path / f"home-{name}", config, extra_env=env,
                                 wait_for="taking runs")  # fmt: skip
            procs.append(wproc)
            executor = re.search(r"llmspell worker: (\S+) taking runs", wline)
            assert executor
            workers[executor.group(1)] = wproc
        yield Server(url.group(1), proc, tmp_path / "home-api", spells), workers
    finally:
        for p in procs:
            stop(p)


def test_runs_spread_over_hosts(fleet: tuple[Server, dict[str, object]]) -> None:
    server, workers = fleet
    with server.client() as c:
        ids = []
        for i in range(8):
            r = c.post("/v1/runs", json={"spell": "busy.lua", "args": [str(i)]})
            assert r.status_code == 202, r.text
            ids.append(r.json()["id"])
        runs = [wait_final(c, i, timeout=60) for i in ids]
        api_host = c.get("/v1/health").json()["executor"]
    assert [r["status"] for r in runs] == ["succeeded"] * 8, runs
    assert [r["result"] for r in runs] == [str(i) for i in range(8)]
    by_host = Counter(r["executor"] for r in runs)
    for executor in workers:
        assert by_host[executor] >= 1, by_host  # both worker hosts took runs
    assert set(by_host) <= {*workers, api_host}, by_host


def test_kill_9_of_a_worker_host_loses_no_run(
    fleet: tuple[Server, dict[str, object]],
) -> None:
    server, workers = fleet
    with server.client() as c:
        long_ids = [
            c.post("/v1/runs", json={"source": BUSY.format(s=20), "args": [str(i)]}).json()["id"]
            for i in range(6)
        ]  # 6 runs, 2 at once per host: every host runs two
        deadline = time.monotonic() + 60
        while True:
            listed = {r["id"]: r for r in c.get("/v1/runs", params={"limit": 100}).json()["runs"]}
            running = [listed[i] for i in long_ids if listed[i]["status"] == "running"]
            victim = next((r for r in running if r["executor"] in workers), None)
            if victim is not None:
                break
            assert time.monotonic() < deadline, listed
            time.sleep(0.1)
        victim_host = victim["executor"]
        proc = workers[victim_host]
        os.kill(proc.pid, signal.SIGKILL)  # type: ignore[attr-defined]
        proc.wait()  # type: ignore[attr-defined]
        doomed = [r["id"] for r in running if r["executor"] == victim_host]
        # the other hosts take over: the dead host's runs fail (never stuck in running)
        for run_id in doomed:
            run = wait_final(c, run_id, timeout=30)
            assert run["status"] == "failed", run
            assert run["error"]["kind"] == "WorkerDied", run["error"]
            assert victim_host in run["error"]["message"]
        # and the rest finish; runs queued behind are taken by the hosts still alive
        after = [c.post("/v1/runs", json={"spell": "busy.lua", "args": [f"x{i}"]}).json()["id"]
                 for i in range(2)]  # fmt: skip
        for run_id in long_ids:
            c.post(f"/v1/runs/{run_id}/cancel")
        for run_id in long_ids:
            assert wait_final(c, run_id, timeout=30)["status"] in ("failed", "cancelled")
        for run_id in after:
            run = wait_final(c, run_id, timeout=60)
            assert run["status"] == "succeeded", run
            assert run["executor"] != victim_host


TICK = '\n[[schedules]]\nname = "tick"\nspell = "tick.lua"\nevery = "1s"\n'


@pytest.mark.parametrize("fleet", [TICK], indirect=True)
def test_each_tick_fires_once_across_hosts(fleet: tuple[Server, dict[str, object]]) -> None:
    server, _workers = fleet
    with server.client() as c:
        time.sleep(8)
        runs = [r for r in c.get("/v1/runs", params={"limit": 1000}).json()["runs"]
                if r["kind"] == "schedule"]  # fmt: skip
        # every host runs the schedule, yet each 1 s tick made one run: none twice
        created = sorted(r["created_at"] for r in runs)
        assert len(runs) >= 4, runs
        assert all(b - a > 0.5 for a, b in pairwise(created)), created
        assert len(runs) <= created[-1] - created[0] + 2, created
        assert len({r["executor"] for r in runs}) >= 2  # the ticks' runs spread over hosts
        assert all(wait_final(c, r["id"])["status"] == "succeeded" for r in runs)
