"""A soak of 1000 short runs on a real ``llmspell serve``: every run succeeds, and the
service process's memory (RSS) grows less than 10 % after a warm-up of 100 runs.
Several minutes on a small machine: marked ``slow``."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.serve.conftest import start, stop, write_config

TOTAL = 1000
WARM_UP = 100
#: runs kept in flight by the client (the service runs [serve] workers of them at once)
IN_FLIGHT = 8


def _soak(client: httpx.Client, count: int, kinds: list[dict[str, object]]) -> list[str]:
    """Submit ``count`` runs, ``IN_FLIGHT`` at a time; the ids of the ones that did not
    succeed."""
    pending: dict[str, dict[str, object]] = {}
    bad: list[str] = []
    submitted = 0
    while submitted < count or pending:
        while submitted < count and len(pending) < IN_FLIGHT:
            body = kinds[submitted % len(kinds)]
            r = client.post("/v1/runs", json=body)
            assert r.status_code == 202, r.text
            pending[r.json()["id"]] = body
            submitted += 1
        time.sleep(0.02)
        done = client.get("/v1/runs", params={"limit": 50}).json()["runs"]
        for run in done:
            if run["id"] in pending and run["status"] in ("succeeded", "failed", "cancelled"):
                pending.pop(run["id"])
                if run["status"] != "succeeded":
                    bad.append(run["id"])
    return bad


@pytest.mark.slow
def test_1000_short_runs_keep_the_service_memory_flat(tmp_path: Path) -> None:
    spells = tmp_path / "spells"
    spells.mkdir()
    (spells / "hello.lua").write_text('print("hello " .. (ARGS[1] or "world"))\nreturn 42\n')
    (spells / "hello.js").write_text('print("hi from js");\n({ok: true});\n')
    config = write_config(tmp_path / "llmspell.toml", spells)
    config.write_text(config.read_text().replace("max_runs_in_flight_per_token = 8", ""))
    proc, line = start("serve", tmp_path / "home", config, wait_for="llmspell serve: http")
    url = re.search(r"(http://\S+) ", line)
    assert url
    kinds: list[dict[str, object]] = [
        {"spell": "hello.lua", "args": ["soak"]},
        {"spell": "hello.js"},
        {"source": "local t = {} for i = 1, 1000 do t[i] = i end return #t"},
        {"source": "error('expected failure')"},
    ]
    service = psutil.Process(proc.pid)
    try:
        with httpx.Client(
            base_url=url.group(1),
            headers={"authorization": "Bearer test-token-1"},
            timeout=60,
        ) as c:
            ok = kinds[:3]
            assert _soak(c, WARM_UP, ok) == []
            baseline = service.memory_info().rss
            bad = _soak(c, TOTAL - WARM_UP - 50, ok)
            failing = _soak(c, 50, kinds[3:])  # failed runs are kept and counted too
            final = service.memory_info().rss
            counts = c.get("/metrics").text
        assert bad == [], f"{len(bad)} runs did not succeed"
        assert len(failing) == 50
        assert 'llmspell_runs{status="succeeded"} 950' in counts, counts
        assert 'llmspell_runs{status="failed"} 50' in counts, counts
        growth = (final - baseline) / baseline
        print(f"service RSS after warm-up {baseline / 2**20:.1f} MiB, "
              f"after {TOTAL} runs {final / 2**20:.1f} MiB ({growth:+.1%})")  # fmt: skip
        assert growth < 0.10, f"RSS grew {growth:.1%}: {baseline} -> {final}"
    finally:
        stop(proc)
