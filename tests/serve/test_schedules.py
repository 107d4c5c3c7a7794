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
