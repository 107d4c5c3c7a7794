"""Retryable runs: a run whose worker process (or host) dies mid-run runs again while it
has ``retries`` left; other failures never retry (docs/serve.md#retries)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serve.conftest import TOKEN, Server, start, stop, wait_final, write_config
from tests.serve.test_dashboard import (
    browser,  # noqa: F401  (headless Chromium)
    open_page,
    row,
    text_of,
    wait_until,
)
from tests.serve.test_scale_out import fleet  # noqa: F401  (the PostgreSQL fleet)
from tests.serve.test_warm_workers import workers_of

BUSY = "local t = os.clock() while os.clock() - t < {s} do end"
#: prints, then works for a while: long enough to be killed mid-run
SLOW = 'print("started")\n' + BUSY.format(s=2.5) + '\nprint("finished")\nreturn "done"\n'
RETRY = "retry_backoff_seconds = 0.5\n"


def _serve(tmp_path: Path, extra: str = RETRY) -> Server:
    spells = tmp_path / "spells"
    spells.mkdir(exist_ok=True)
    (spells / "slow.lua").write_text(SLOW)
    (spells / "marked.lua").write_text("-- a slow spell, safe to run twice\n"
                                       "-- llmspell: retries = 1\n" + SLOW)  # fmt: skip
    (spells / "marked.js").write_text('// llmspell: retries = 2\nprint("js");\n')
    (spells / "greedy.lua").write_text("-- llmspell: retries = 9\nreturn 1\n")
    (spells / "typo.lua").write_text("-- llmspell: retries = many\nreturn 1\n")
    config = write_config(tmp_path / "llmspell.toml", spells, extra)
    proc, line = start("serve", tmp_path / "home", config, wait_for="llmspell serve: http")
    url = re.search(r"(http://\S+) ", line)
    assert url
    return Server(url.group(1), proc, tmp_path / "home", spells)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = _serve(tmp_path)
    yield srv
    stop(srv.proc)


def _kill_worker_mid_run(c: httpx.Client, pid: int, run_id: str, attempt: int) -> int:
    """Wait until attempt ``attempt`` of the run has printed "started" in a worker
    process of the service ``pid``, then ``kill -9`` that process; returns its pid."""
    deadline = time.monotonic() + 30
    while True:
        run = c.get(f"/v1/runs/{run_id}").json()
        running = workers_of(pid, "llmspell-run")
        if (run["status"] == "running" and run["attempts"] == attempt
                and run["output"].count("started") == attempt and len(running) == 1):  # fmt: skip
            victim = running.pop()
            os.kill(victim, signal.SIGKILL)
            return victim
        assert time.monotonic() < deadline, run
        time.sleep(0.05)


def test_killed_worker_process_is_retried_and_the_run_succeeds(server: Server) -> None:
    with server.client() as c:
        run_id = c.post("/v1/runs", json={"spell": "slow.lua", "retries": 2}).json()["id"]
        events: list[tuple[str, dict]] = []
        with c.stream("GET", f"/v1/runs/{run_id}/events") as r:
            kind = None
            killed = False
            for line in r.iter_lines():
                if line.startswith("event:"):
                    kind = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and kind:
                    events.append((kind, json.loads(line[5:])))
                    if not killed and kind == "output" and "started" in events[-1][1]["text"]:
                        killed = True
                        _kill_worker_mid_run(c, server.proc.pid, run_id, 1)
        run = c.get(f"/v1/runs/{run_id}").json()
        assert "\nllmspell_run_retries 1\n" in c.get("/metrics").text
    assert run["status"] == "succeeded", run
    assert run["result"] == "done" and run["attempts"] == 2 and run["retries"] == 2
    assert run["error"] is None
    [failed] = run["previous_errors"]
    assert failed["kind"] == "WorkerDied" and "signal 9" in failed["message"]
    assert failed["attempt"] == 1 and failed["executor"] == run["executor"]
    # the failed attempt's output is kept, then a separator line, then the new attempt's
    assert re.fullmatch(
        r"started\n--- llmspell: attempt 1 failed \(WorkerDied: the worker process ended "
        r"\(signal 9\)[^\n]*\); retrying in 0\.5 s ---\nstarted\nfinished\n",
        run["output"],
    ), run["output"]
    statuses = [(e["status"], e["attempts"]) for k, e in events if k == "status"]
    assert ("running", 1) in statuses and ("running", 2) in statuses, statuses
    assert statuses.index(("running", 1)) < statuses.index(("running", 2))
    assert statuses[-1] == ("succeeded", 2), statuses
    seps = [e["text"] for k, e in events if k == "output" and e["text"].startswith("--- ")]
    assert len(seps) == 1 and seps[0].startswith("--- llmspell: attempt 1 failed"), events


def test_retries_used_up_fail_with_the_last_error(server: Server) -> None:
    with server.client() as c:
        run_id = c.post("/v1/runs", json={"spell": "slow.lua", "retries": 1}).json()["id"]
        first = _kill_worker_mid_run(c, server.proc.pid, run_id, 1)
        second = _kill_worker_mid_run(c, server.proc.pid, run_id, 2)
        run = wait_final(c, run_id)
    assert first != second  # each attempt gets a fresh worker process
    assert run["status"] == "failed" and run["attempts"] == 2, run
    assert run["error"]["kind"] == "WorkerDied" and "signal 9" in run["error"]["message"]
    assert "its 1 retries are used up" in run["error"]["hint"]
    assert [e["attempt"] for e in run["previous_errors"]] == [1]
    assert run["output"].count("started") == 2 and run["output"].count("--- llmspell:") == 1


def test_no_retries_by_default(server: Server) -> None:
    with server.client() as c:
        run_id = c.post("/v1/runs", json={"spell": "slow.lua"}).json()["id"]
        _kill_worker_mid_run(c, server.proc.pid, run_id, 1)
        run = wait_final(c, run_id)
    assert run["status"] == "failed" and run["attempts"] == 1 and run["retries"] == 0
    assert run["error"]["kind"] == "WorkerDied" and run["previous_errors"] == []
    assert "--- llmspell" not in run["output"]


def test_spell_marker_and_its_override(server: Server) -> None:
    with server.client() as c:
        marked = c.post("/v1/runs", json={"spell": "marked.lua"}).json()["id"]
        _kill_worker_mid_run(c, server.proc.pid, marked, 1)
        run = wait_final(c, marked)
        assert run["status"] == "succeeded" and run["attempts"] == 2 and run["retries"] == 1
        # the request's retries win over the marker
        zero = c.post("/v1/runs", json={"spell": "marked.lua", "retries": 0}).json()["id"]
        _kill_worker_mid_run(c, server.proc.pid, zero, 1)
        run = wait_final(c, zero)
        assert run["status"] == "failed" and run["attempts"] == 1 and run["retries"] == 0
        js = wait_final(c, c.post("/v1/runs", json={"spell": "marked.js"}).json()["id"])
        assert js["status"] == "succeeded" and js["retries"] == 2 and js["attempts"] == 1
        src = c.post("/v1/runs", json={"source": "-- llmspell: retries = 3\nreturn 1"}).json()
        assert wait_final(c, src["id"])["retries"] == 3


def test_other_failures_never_retry(server: Server) -> None:
    with server.client() as c:
        err = c.post("/v1/runs", json={"source": 'error("boom")', "retries": 3}).json()["id"]
        limit = c.post("/v1/runs", json={"source": BUSY.format(s=30), "timeout": 0.5,
                                         "retries": 3}).json()["id"]  # fmt: skip
        run = wait_final(c, err)
        assert run["status"] == "failed" and run["attempts"] == 1, run
        assert "boom" in json.dumps(run["error"]) and run["previous_errors"] == []
        run = wait_final(c, limit, timeout=60)
        assert run["status"] == "failed" and run["attempts"] == 1, run
        assert run["error"]["kind"] == "LimitExceeded" and run["previous_errors"] == []
        # a cancel during the backoff before a retry stays a cancel
        slow = c.post("/v1/runs", json={"spell": "slow.lua", "retries": 3}).json()["id"]
        _kill_worker_mid_run(c, server.proc.pid, slow, 1)
        deadline = time.monotonic() + 10
        while c.get(f"/v1/runs/{slow}").json()["previous_errors"] == []:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert c.post(f"/v1/runs/{slow}/cancel").status_code == 200
        time.sleep(1.5)  # past the backoff: no attempt 2 starts
        run = c.get(f"/v1/runs/{slow}").json()
        assert run["status"] == "cancelled" and run["attempts"] == 1, run
        assert not workers_of(server.proc.pid, "llmspell-run")


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"spell": "slow.lua", "retries": -1}, 422, "must be a whole number"),
        ({"spell": "slow.lua", "retries": 4}, 422, "over the service's cap (3)"),
        ({"spell": "slow.lua", "retries": "2"}, 422, "retries"),
        ({"spell": "slow.lua", "retries": 1.5}, 422, "retries"),
        ({"spell": "slow.lua", "retries": True}, 422, "retries"),
        ({"spell": "greedy.lua"}, 422, "the spell's retry marker 9 is over the service's cap"),
        ({"spell": "typo.lua"}, 422, "bad retry marker"),
        ({"source": "// llmspell: retries=x\n1", "engine": "js"}, 422, "line 1"),
    ],
)
def test_bad_retries_are_refused(server: Server, body: dict, status: int, words: str) -> None:
    with server.client() as c:
        r = c.post("/v1/runs", json=body)
        assert r.status_code == status, r.text
        error = r.json()["error"]
        assert error["kind"] == "ValidationError" and words in json.dumps(error), error
        assert error.get("hint"), error


def test_schedules_take_retries(server: Server) -> None:
    with server.client() as c:
        r = c.post("/v1/schedules", json={"spell": "slow.lua", "cron": "0 0 1 1 *",
                                          "retries": 2, "name": "yearly"})  # fmt: skip
        assert r.status_code == 201, r.text
        listed = {s["id"]: s for s in c.get("/v1/schedules").json()["schedules"]}
        assert listed["yearly"]["retries"] == 2
        for retries, words in ((7, "over the service's cap"), (-2, "whole number")):
            r = c.post("/v1/schedules", json={"spell": "slow.lua", "every": "5m",
                                              "retries": retries})  # fmt: skip
            assert r.status_code == 422 and words in r.text, r.text
        r = c.post("/v1/schedules", json={"spell": "typo.lua", "every": "5m"})
        assert r.status_code == 422 and "bad retry marker" in r.text, r.text


def test_a_schedule_tick_is_retried(tmp_path: Path) -> None:
    srv = _serve(tmp_path, RETRY + '[[schedules]]\nname = "t"\nspell = "slow.lua"\n'
                 'every = "10s"\nretries = 1\n')  # fmt: skip
    try:
        with srv.client() as c:
            deadline = time.monotonic() + 20
            while not (ticks := c.get("/v1/runs").json()["runs"]):
                assert time.monotonic() < deadline
                time.sleep(0.2)
            run_id = ticks[-1]["id"]
            _kill_worker_mid_run(c, srv.proc.pid, run_id, 1)
            run = wait_final(c, run_id)
        assert run["kind"] == "schedule" and run["status"] == "succeeded", run
        assert run["attempts"] == 2 and run["retries"] == 1
    finally:
        stop(srv.proc)


def test_bad_retries_in_config_stop_the_start(tmp_path: Path) -> None:
    spells = tmp_path / "spells"
    spells.mkdir()
    (spells / "a.lua").write_text("return 1\n")
    entry = '[[schedules]]\nspell = "a.lua"\nevery = "5m"\nretries = 99\n'
    config = write_config(tmp_path / "llmspell.toml", spells, entry)
    env = {**os.environ, "LLMSPELL_HOME": str(tmp_path / "home"), "LLMSPELL_SERVE_TOKEN": TOKEN}
    proc = subprocess.run(
        [sys.executable, "-m", "llmspell_cli.main", "serve", "--config", str(config),
         "--port", "0"], env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "ConfigurationError: [[schedules]] #1" in proc.stderr, proc.stderr
    assert "retries" in proc.stderr and "max_retries" in proc.stderr, proc.stderr


def test_a_run_killed_by_the_drain_runs_again_after_a_restart(tmp_path: Path) -> None:
    srv = _serve(tmp_path, RETRY + "drain_seconds = 0.2\n")
    with srv.client() as c:
        run_id = c.post("/v1/runs", json={"spell": "slow.lua", "retries": 1}).json()["id"]
        deadline = time.monotonic() + 30
        while "started" not in c.get(f"/v1/runs/{run_id}").json()["output"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    stop(srv.proc)
    assert srv.proc.returncode == 0
    srv = _serve(tmp_path)  # the same home: the run is queued there
    try:
        with srv.client() as c:
            run = wait_final(c, run_id, timeout=60)
        assert run["status"] == "succeeded" and run["attempts"] == 2, run
        [stopped] = run["previous_errors"]
        assert stopped["kind"] == "WorkerDied" and "the service stopped" in stopped["message"]
        assert "retrying on another host ---" in run["output"]
    finally:
        stop(srv.proc)


@pytest.mark.parametrize("fleet", [RETRY], indirect=True)
def test_kill_9_of_a_worker_host_reruns_its_retryable_runs_elsewhere(
    fleet: tuple[Server, dict[str, object]],  # noqa: F811  (the fixture imported above)
) -> None:
    server, workers = fleet
    src = 'print("started")\n' + BUSY.format(s=3) + "\nreturn ARGS[1]\n"
    with server.client() as c:
        ids = [c.post("/v1/runs", json={"source": src, "args": [str(i)], "retries": 1}).json()["id"]
               for i in range(6)]  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            listed = {r["id"]: r for r in c.get("/v1/runs", params={"limit": 100}).json()["runs"]}
            running = [listed[i] for i in ids if listed[i]["status"] == "running"]
            victim = next((r for r in running if r["executor"] in workers), None)
            if victim is not None:
                break
            assert time.monotonic() < deadline, listed
            time.sleep(0.05)
        victim_host = victim["executor"]
        proc = workers[victim_host]
        os.kill(proc.pid, signal.SIGKILL)  # type: ignore[attr-defined]
        proc.wait()  # type: ignore[attr-defined]
        doomed = {r["id"] for r in running if r["executor"] == victim_host}
        runs = {i: wait_final(c, i, timeout=90) for i in ids}
    assert all(r["status"] == "succeeded" for r in runs.values()), runs
    assert [runs[i]["result"] for i in ids] == [str(i) for i in range(6)]
    for run_id in doomed:  # re-run by a live host, the dead host's attempt kept on record
        run = runs[run_id]
        assert run["attempts"] == 2 and run["executor"] != victim_host, run
        [died] = run["previous_errors"]
        assert died["kind"] == "WorkerDied" and victim_host in died["message"], died
        assert died["executor"] == victim_host
        assert "retrying on a live host ---" in run["output"], run["output"]


def test_run_records_of_an_older_version_get_the_new_column(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from llmspell_cli.serve.store import RunStore, runs

    url = f"sqlite:///{tmp_path / 'serve.sqlite'}"
    engine = sa.create_engine(url)
    runs.metadata.create_all(engine)
    with engine.begin() as conn:  # as an older version made it
        conn.execute(sa.text(f"ALTER TABLE {runs.name} DROP COLUMN previous_errors"))
    assert "previous_errors" not in {c["name"] for c in sa.inspect(engine).get_columns(runs.name)}
    engine.dispose()
    store = RunStore(url)
    try:
        store.create("r1", token="t", kind="source", spec={"source": "1", "retries": 2})
        assert store.start("r1", "host-a") == 1
        died = {"kind": "WorkerDied", "message": "m"}
        # not that host's attempt (another host decided first): nothing changes
        assert store.retry("r1", died, executor="host-b", attempt=1) is None
        assert store.retry("r1", died, executor="host-a", attempt=1) == ("queued", 1)
        assert store.retry("r1", died, executor="host-a", attempt=1) is None  # done once
        run = store.get("r1")
        assert run is not None and run["status"] == "queued" and run["retries"] == 2
        assert [e["attempt"] for e in run["previous_errors"]] == [1]
        assert run["output"].startswith("--- llmspell: attempt 1 failed (WorkerDied: m)")
    finally:
        store.close()
    store = RunStore(url)  # a second start finds the column there
    store.close()


def test_the_dashboard_shows_the_attempts(
    browser: Any, server: Server  # noqa: F811  (the fixture imported above)
) -> None:
    from selenium.webdriver.common.by import By

    with server.client() as c:
        run_id = c.post("/v1/runs", json={"spell": "slow.lua", "retries": 1}).json()["id"]
        _kill_worker_mid_run(c, server.proc.pid, run_id, 1)
        assert wait_final(c, run_id)["status"] == "succeeded"
    open_page(browser, server.url)
    wait_until(lambda: row(browser, run_id), what="the run's row")
    cells = [td.text for td in row(browser, run_id).find_elements(By.TAG_NAME, "td")]
    assert cells[3] == "succeeded attempt 2/2", cells
    row(browser, run_id).click()
    wait_until(lambda: text_of(browser, "run-id") == run_id, what="the run's detail")
    fields = text_of(browser, "run-fields")
    assert "failed attempts1: WorkerDied: the worker process ended (signal 9)" in fields, fields
    assert "--- llmspell: attempt 1 failed" in text_of(browser, "run-output")
