"""The run store's figures for /metrics (retries, the queue's oldest wait, hosts alive),
on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from llmspell_cli.serve.store import RunStore, database_urls


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_fleet_figures(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    storage = request.getfixturevalue("postgres_url") if kind == "postgresql" else None
    store = RunStore(database_urls(storage, tmp_path)[1])
    try:
        assert store.fleet(10) == {"retries": 0.0, "oldest_queued_seconds": 0.0, "hosts": 0.0}
        store.heartbeat("host-a", "a", 1)
        store.create("r1", token="t", kind="source", spec={"source": "1", "retries": 2})
        store.create("r2", token="t", kind="source", spec={"source": "1"})
        assert store.start("r1", "host-a") == 1
        died = {"kind": "WorkerDied", "message": "m"}
        assert store.retry("r1", died, executor="host-a", attempt=1) == ("queued", 1)
        assert store.start("r1", "host-a") == 2
        time.sleep(0.2)
        fleet = store.fleet(10)
        assert fleet["retries"] == 1.0 and fleet["hosts"] == 1.0
        assert 0.2 <= fleet["oldest_queued_seconds"] < 60  # r2 waits
        assert store.fleet(0.0)["hosts"] == 0.0  # not heard from within 0 s
    finally:
        store.close()
