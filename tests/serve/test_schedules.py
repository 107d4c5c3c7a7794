"""Schedules (``[[schedules]]`` and ``/v1/schedules``) through a real ``llmspell serve``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import httpx
import pytest

from tests.serve.conftest import TOKEN, Server, start, stop, wait_final, write_config

CONFIG_SCHEDULE = (
    '\n[[schedules]]\nname = "tick"\nspell = "hello.lua"\nevery = "1s"\nargs = ["sched"]\n'
)


@pytest.fixture
def scheduled(tmp_path: Path) -> Iterator[Server]:
    spells = tmp_path / "spells"
    spells.mkdir()
    (spells / "hello.lua").write_text('print("hello " .. (ARGS[1] or "world"))\nreturn 42\n')
    config = write_config(tmp_path / "llmspell.toml", spells, CONFIG_SCHEDULE)
    proc, line = start("serve", tmp_path / "home", config, wait_for="llmspell serve: http")
    url = re.search(r"(http://\S+) ", line)
    assert url
    yield Server(url.group(1), proc, tmp_path / "home", spells)
    stop(proc)


def _schedule_runs(c: httpx.Client, spell: str = "hello.lua") -> list[dict]:
    runs = c.get("/v1/runs", params={"limit": 1000}).json()["runs"]
    return [r for r in runs if r["kind"] == "schedule" and r["spell"] == spell]


def _wait_runs(c: httpx.Client, n: int, spell: str = "hello.lua", timeout: float = 30) -> list:
    deadline = time.monotonic() + timeout
    while len(found := _schedule_runs(c, spell)) < n:
        assert time.monotonic() < deadline, found
        time.sleep(0.2)
    return found


def test_config_schedule_makes_runs(scheduled: Server) -> None:
    with scheduled.client() as c:
        listed = c.get("/v1/schedules").json()["schedules"]
        tick = next(s for s in listed if s["id"] == "config-tick")
        assert tick["origin"] == "config" and tick["every"] == "1s"
        assert tick["cron"] == "*/1 * * * * *" and tick["spell"] == "hello.lua"
        started = time.monotonic()
        runs = _wait_runs(c, 3)
        elapsed = time.monotonic() - started
        done = [wait_final(c, r["id"]) for r in runs[-3:]]
        assert all(r["status"] == "succeeded" and r["output"] == "hello sched\n" for r in done)
        # one run per tick (1 s apart), not a burst
        assert len(_schedule_runs(c)) <= elapsed + 3
        created = sorted(r["created_at"] for r in runs)
        assert all(b - a > 0.5 for a, b in pairwise(created)), created
        r = c.delete("/v1/schedules/config-tick")
        assert r.status_code == 409 and r.json()["error"]["kind"] == "StateError"
        assert "[[schedules]]" in r.json()["error"]["hint"]


def test_api_schedules(scheduled: Server) -> None:
    (scheduled.spells / "other.lua").write_text('print("other")\n')
    with scheduled.client() as c:
        r = c.post("/v1/schedules", json={"name": "mine", "spell": "other.lua", "every": "1s"})
        assert r.status_code == 201, r.text
        assert r.json()["id"] == "mine" and r.json()["origin"] == "api"
        assert {s["id"] for s in c.get("/v1/schedules").json()["schedules"]} >= {"mine"}
        runs = _wait_runs(c, 2, "other.lua")
        assert wait_final(c, runs[0]["id"])["output"] == "other\n"
        again = c.post("/v1/schedules", json={"name": "mine", "spell": "other.lua", "every": "5s"})
        assert again.status_code == 409 and again.json()["error"]["kind"] == "StateError"
        cron = c.post("/v1/schedules", json={"spell": "other.lua", "cron": "0 3 * * *"})
        assert cron.status_code == 201 and cron.json()["id"].startswith("s-")
        assert c.delete(f"/v1/schedules/{cron.json()['id']}").status_code == 200
        r = c.delete("/v1/schedules/mine")
        assert r.status_code == 200 and r.json() == {"id": "mine", "deleted": True}
        assert "mine" not in {s["id"] for s in c.get("/v1/schedules").json()["schedules"]}
        time.sleep(3)  # a tick already under way may still land
        count = len(_schedule_runs(c, "other.lua"))
        time.sleep(3)
        assert len(_schedule_runs(c, "other.lua")) == count  # stopped
        assert c.delete("/v1/schedules/mine").status_code == 404


def test_bad_schedules(scheduled: Server) -> None:
    cases = [
        ({"spell": "hello.lua", "cron": "61 * * * *"}, 422, "cron"),
        ({"spell": "hello.lua", "cron": "* * * *"}, 422, "cron"),
        ({"spell": "hello.lua", "every": "7s"}, 422, "evenly"),
        ({"spell": "hello.lua", "every": "soon"}, 422, "interval"),
        ({"spell": "hello.lua"}, 422, "exactly one"),
        ({"spell": "hello.lua", "every": "1s", "cron": "* * * * *"}, 422, "exactly one"),
        ({"spell": "missing.lua", "every": "1s"}, 404, "missing.lua"),
        ({"spell": "../../etc/passwd", "every": "1s"}, 403, "outside"),
        ({"spell": "hello.lua", "every": "1s", "when": 1}, 422, "when"),
        ({"spell": "hello.lua", "every": "1s", "name": "a b"}, 422, "name"),
        ({"spell": "hello.lua", "every": "1s", "timeout": 1e9}, 422, "timeout"),
    ]
    with scheduled.client() as c:
        for body, status, word in cases:
            r = c.post("/v1/schedules", json=body)
            assert r.status_code == status, (body, r.text)
            assert word in r.text, (body, r.text)
        assert c.get("/v1/health").status_code == 200
        assert scheduled.client(None).get("/v1/schedules").status_code == 401


def test_bad_config_schedule_stops_the_start(tmp_path: Path) -> None:
    spells = tmp_path / "spells"
    spells.mkdir()
    (spells / "a.lua").write_text("return 1\n")
    for entry, word in [
        ('spell = "a.lua"\ncron = "*/5 * * *"', "bad cron expression"),
        ('spell = "nope.lua"\nevery = "1m"', "no spell file"),
        ('spell = "a.lua"', "exactly one of 'cron' or 'every'"),
    ]:
        config = write_config(tmp_path / "llmspell.toml", spells, f"\n[[schedules]]\n{entry}\n")
        env = {**os.environ, "LLMSPELL_HOME": str(tmp_path / "home"),
               "LLMSPELL_SERVE_TOKEN": TOKEN}  # fmt: skip
        env.pop("LLMSPELL_DATABASE_URL", None)
        proc = subprocess.run(
            [sys.executable, "-m", "llmspell_cli.main", "serve", "--config", str(config),
             "--port", "0"], env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert proc.returncode == 2, proc.stderr
        assert "ConfigurationError: [[schedules]] #1" in proc.stderr and word in proc.stderr


# -- pausing and resuming -------------------------------------------------------------------
def _ts(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()


def _check_paused(c: httpx.Client, sched_id: str, spell: str) -> None:
    """Pause ``sched_id`` (twice: idempotent) and see it fire nowhere for 4 ticks."""
    r = c.post(f"/v1/schedules/{sched_id}:pause")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == sched_id and body["paused"] is True and body["status"] == "paused"
    paused_at = _ts(body["paused_at"])
    assert abs(paused_at - time.time()) < 5
    again = c.post(f"/v1/schedules/{sched_id}:pause")
    assert again.status_code == 200 and again.json()["paused_at"] == body["paused_at"]
    listed = {s["id"]: s for s in c.get("/v1/schedules").json()["schedules"]}
    assert listed[sched_id]["paused"] is True
    assert listed[sched_id]["paused_at"] == body["paused_at"]
    time.sleep(1.5)  # a tick due just before the pause may still be recorded
    count = len(_schedule_runs(c, spell))
    time.sleep(4)
    runs = _schedule_runs(c, spell)
    assert len(runs) == count, runs[: len(runs) - count]  # four ticks: none fired
    # no run of a tick due after the pause (paused_at has whole seconds)
    assert all(r["created_at"] < paused_at + 2 for r in runs), (paused_at, runs[:3])


def _check_resumed(c: httpx.Client, sched_id: str, spell: str) -> None:
    """Resume ``sched_id`` (twice) and see it fire again, without the missed ticks."""
    before = len(_schedule_runs(c, spell))
    resumed_at = time.time()
    r = c.post(f"/v1/schedules/{sched_id}:resume")
    assert r.status_code == 200, r.text
    assert r.json()["paused"] is False and r.json()["paused_at"] is None
    assert r.json()["status"] == "active"
    assert c.post(f"/v1/schedules/{sched_id}:resume").status_code == 200  # not paused: fine
    listed = {s["id"]: s for s in c.get("/v1/schedules").json()["schedules"]}
    assert listed[sched_id]["paused"] is False and listed[sched_id]["paused_at"] is None
    runs = _wait_runs(c, before + 2, spell)
    elapsed = time.time() - resumed_at
    new = [r for r in runs if r["created_at"] >= resumed_at]
    assert len(new) >= 2
    # the ticks missed while paused are not made up: one per second since the resume
    assert len(runs) - before <= elapsed + 2, (elapsed, len(runs) - before)
    assert wait_final(c, new[-1]["id"])["status"] == "succeeded"


def test_pause_and_resume_an_api_schedule(scheduled: Server) -> None:
    (scheduled.spells / "other.lua").write_text('print("other")\n')
    with scheduled.client() as c:
        r = c.post("/v1/schedules", json={"name": "p1", "spell": "other.lua", "every": "1s"})
        assert r.status_code == 201 and r.json()["paused"] is False, r.text
        assert r.json()["paused_at"] is None and r.json()["status"] == "active"
        _wait_runs(c, 2, "other.lua")
        _check_paused(c, "p1", "other.lua")
        # the config schedule of the same service kept firing meanwhile
        ticks = len(_schedule_runs(c))
        _wait_runs(c, ticks + 1)
        _check_resumed(c, "p1", "other.lua")
        # deleting a paused schedule forgets its pause: one made again with its name runs
        assert c.post("/v1/schedules/p1:pause").status_code == 200
        assert c.delete("/v1/schedules/p1").status_code == 200
        r = c.post("/v1/schedules", json={"name": "p1", "spell": "other.lua", "every": "1s"})
        assert r.status_code == 201 and r.json()["paused"] is False
        listed = {s["id"]: s for s in c.get("/v1/schedules").json()["schedules"]}
        assert listed["p1"]["paused"] is False
        c.delete("/v1/schedules/p1")


def test_pause_bad_ids(scheduled: Server) -> None:
    with scheduled.client() as c:
        for bad in ("nope", "a%20b", "config-nope", "..", "x" * 65, "p1%3Apause"):
            for action in ("pause", "resume"):
                r = c.post(f"/v1/schedules/{bad}:{action}")
                assert r.status_code == 404, (bad, action, r.text)
                err = r.json()["error"]
                assert err["kind"] == "NotFoundError" and "GET /v1/schedules" in err["hint"]
        for target in ("config-tick:stop", "config-tick"):
            r = c.post(f"/v1/schedules/{target}")
            assert r.status_code == 404 and ":pause" in r.json()["error"]["hint"], r.text
        assert c.get("/v1/schedules/config-tick:pause").status_code == 405
        assert c.delete("/v1/schedules/config-tick:pause").status_code == 404
        listed = {s["id"]: s for s in c.get("/v1/schedules").json()["schedules"]}
        assert listed["config-tick"]["paused"] is False  # none of that paused it
    no_token = scheduled.client(None)
    assert no_token.post("/v1/schedules/config-tick:pause").status_code == 401
    assert scheduled.client("wrong").post("/v1/schedules/config-tick:pause").status_code == 403


def _start(home: Path, config: Path, env: dict[str, str] | None = None) -> Server:
    proc, line = start("serve", home, config, extra_env=env, wait_for="llmspell serve: http")
    url = re.search(r"(http://\S+) ", line)
    assert url
    return Server(url.group(1), proc, home, config.parent / "spells")


def test_a_paused_config_schedule_stays_paused_across_restarts(tmp_path: Path) -> None:
    spells = tmp_path / "spells"
    spells.mkdir()
    (spells / "hello.lua").write_text('print("hello " .. (ARGS[1] or "world"))\nreturn 42\n')
    config = write_config(tmp_path / "llmspell.toml", spells, CONFIG_SCHEDULE)
    home = tmp_path / "home"
    server = _start(home, config)
    try:
        with server.client() as c:
            _wait_runs(c, 1)
            paused = c.post("/v1/schedules/config-tick:pause").json()
            assert paused["paused"] is True and paused["origin"] == "config"
    finally:
        stop(server.proc)
    server = _start(home, config)  # the same configuration: still paused, same paused_at
    try:
        with server.client() as c:
            started = time.time()
            listed = {s["id"]: s for s in c.get("/v1/schedules").json()["schedules"]}
            assert listed["config-tick"]["paused"] is True
            assert listed["config-tick"]["paused_at"] == paused["paused_at"]
            time.sleep(4)
            assert not [r for r in _schedule_runs(c) if r["created_at"] > started]
            _check_resumed(c, "config-tick", "hello.lua")
            assert c.post("/v1/schedules/config-tick:pause").status_code == 200
    finally:
        stop(server.proc)
    # the entry removed from the configuration: the schedule and its pause are gone ...
    write_config(config, spells)
    server = _start(home, config)
    try:
        with server.client() as c:
            assert c.get("/v1/schedules").json()["schedules"] == []
            assert c.post("/v1/schedules/config-tick:pause").status_code == 404
    finally:
        stop(server.proc)
    # ... so put back, it starts active
    write_config(config, spells, CONFIG_SCHEDULE)
    server = _start(home, config)
    try:
        with server.client() as c:
            listed = {s["id"]: s for s in c.get("/v1/schedules").json()["schedules"]}
            assert listed["config-tick"]["paused"] is False
    finally:
        stop(server.proc)


def test_pause_across_two_hosts_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    spells = tmp_path / "spells"
    spells.mkdir()
    (spells / "hello.lua").write_text('print("hello " .. (ARGS[1] or "world"))\nreturn 42\n')
    config = write_config(tmp_path / "llmspell.toml", spells, CONFIG_SCHEDULE)
    env = {"LLMSPELL_DATABASE_URL": postgres_url, "LLMSPELL_SERVE_TOKEN": f"{TOKEN},other"}
    hosts = []
    try:
        for name in ("a", "b"):
            hosts.append(_start(tmp_path / f"home-{name}", config, env))
        a, b = hosts
        with a.client() as ca, b.client() as cb, b.client("other") as other:
            (spells / "other.lua").write_text('print("other")\n')
            r = ca.post("/v1/schedules", json={"name": "fleet", "spell": "other.lua",
                                               "every": "1s"})  # fmt: skip
            assert r.status_code == 201, r.text
            _wait_runs(ca, 3, "other.lua")
            # another token neither sees nor pauses it; the config schedule is everyone's
            assert other.post("/v1/schedules/fleet:pause").status_code == 404
            assert other.post("/v1/schedules/fleet:resume").status_code == 404
            _check_paused(cb, "fleet", "other.lua")  # paused on b: fires on neither host
            assert {s["id"]: s for s in ca.get("/v1/schedules").json()["schedules"]}[
                "fleet"]["paused"] is True  # fmt: skip
            _check_resumed(ca, "fleet", "other.lua")  # resumed on a
            runs = _schedule_runs(ca, "other.lua")
            ticks = [wait_final(ca, r["id"]) for r in runs]
            assert len({r["id"] for r in ticks}) == len(ticks)  # one run per tick
            _check_paused(other, "config-tick", "hello.lua")
            _check_resumed(ca, "config-tick", "hello.lua")
    finally:
        for host in hosts:
            stop(host.proc)
