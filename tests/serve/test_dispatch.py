"""How runs reach a worker on one host (SQLite): a run submitted while a worker is free
starts at once (a DBOS workflow of no queue), the others wait on the queue; either way
no more runs are in flight than ``[serve] workers``, and cancels give the worker back."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from tests.serve.conftest import Server, start, stop, wait_final, write_config
from tests.serve.test_warm_workers import serve, workers_of

#: a run that stays busy for about ``s`` seconds of CPU and returns its argument
BUSY = "local t = os.clock() while os.clock() - t < {s} do end return ARGS[1]"


def _queue_of(home: Path, run_id: str) -> str | None:
    with sqlite3.connect(home / "serve.sqlite") as db:
        row = db.execute(
            "SELECT queue_name FROM workflow_status WHERE workflow_uuid = ?", (run_id,)
        ).fetchone()
    assert row is not None, f"no DBOS workflow for run {run_id}"
    return row[0]


def test_a_free_worker_starts_the_run_at_once_and_busy_ones_queue_it(tmp_path: Path) -> None:
    server = serve(tmp_path, workers=1)
    try:
        with server.client() as c:
            first = c.post("/v1/runs", json={"source": BUSY.format(s=1.5), "args": ["a"]})
            later = [
                c.post("/v1/runs", json={"source": BUSY.format(s=0.2), "args": [n]}).json()["id"]
                for n in ("b", "c", "d")
            ]
            runs_seen: set[int] = set()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                runs = [c.get(f"/v1/runs/{i}").json() for i in [first.json()["id"], *later]]
                runs_seen.add(sum(r["status"] == "running" for r in runs))
                if all(r["status"] == "succeeded" for r in runs):
                    break
                time.sleep(0.05)
            assert [r["result"] for r in runs] == ["a", "b", "c", "d"], runs
        assert max(runs_seen) == 1, runs_seen  # [serve] workers = 1: one at a time
        # queued runs start in the order they came
        assert [r["started_at"] for r in runs] == sorted(r["started_at"] for r in runs)
        assert _queue_of(server.home, first.json()["id"]) is None  # started at once
        assert {_queue_of(server.home, i) for i in later} == {"llmspell-runs"}
    finally:
        stop(server.proc)


def test_never_more_worker_processes_than_workers(tmp_path: Path) -> None:
    server = serve(tmp_path, workers=2)
    try:
        with server.client() as c:
            ids = [
                c.post("/v1/runs", json={"source": BUSY.format(s=0.6), "args": [str(n)]}).json()[
                    "id"
                ]
                for n in range(6)
            ]
            most = 0
            while not all(c.get(f"/v1/runs/{i}").json()["status"] == "succeeded" for i in ids):
                most = max(most, len(workers_of(server.proc.pid, "llmspell-run")))
                time.sleep(0.05)
        assert 1 <= most <= 2, most
    finally:
        stop(server.proc)


def test_cancelling_runs_gives_their_worker_back(tmp_path: Path) -> None:
    server = serve(tmp_path, workers=1)
    try:
        with server.client() as c:
            running = c.post("/v1/runs", json={"source": "while true do end"}).json()["id"]
            queued = c.post("/v1/runs", json={"source": "while true do end"}).json()["id"]
            for run_id in (queued, running):
                assert c.post(f"/v1/runs/{run_id}/cancel").status_code == 200
                assert wait_final(c, run_id)["status"] == "cancelled"
            # the one worker is free again: the next runs start and finish
            for n in ("x", "y"):
                run = c.post("/v1/runs", json={"source": BUSY.format(s=0), "args": [n]})
                done = wait_final(c, run.json()["id"])
                assert done["status"] == "succeeded" and done["result"] == n, done
    finally:
        stop(server.proc)


def test_on_postgresql_every_run_goes_through_the_shared_queue(
    tmp_path: Path, postgres_url: str
) -> None:
    spells = tmp_path / "spells"
    spells.mkdir()
    (spells / "hello.lua").write_text("return 42\n")
    config = write_config(tmp_path / "llmspell.toml", spells)
    proc, line = start(
        "serve",
        tmp_path / "home",
        config,
        extra_env={"LLMSPELL_DATABASE_URL": postgres_url},
        wait_for="llmspell serve: http",
    )
    server = Server(line.split()[2], proc, tmp_path / "home", spells)
    try:
        with server.client() as c:
            run_id = c.post("/v1/runs", json={"spell": "hello.lua"}).json()["id"]
            assert wait_final(c, run_id)["result"] == 42
        import psycopg

        with psycopg.connect(postgres_url) as db:
            row = db.execute(
                "SELECT queue_name FROM dbos.workflow_status WHERE workflow_uuid = %s", (run_id,)
            ).fetchone()
        assert row == ("llmspell-runs",)
    finally:
        stop(proc)
