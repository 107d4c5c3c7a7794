"""The runs API through a real ``llmspell serve`` on 127.0.0.1."""

from __future__ import annotations

import json
import os
import time

import httpx

from tests.serve.conftest import Server, wait_final

BUSY = "local t = os.clock() while os.clock() - t < {s} do end"


def test_health_needs_no_token(server: Server) -> None:
    r = server.client(None).get("/v1/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["database"] == "ok"


def test_missing_and_wrong_token(server: Server) -> None:
    r = server.client(None).get("/v1/runs")
    assert r.status_code == 401
    assert r.json()["error"]["kind"] == "AuthenticationError"
    assert "Bearer" in r.json()["error"]["hint"]
    r = server.client("nope").post("/v1/runs", json={"spell": "hello.lua"})
    assert r.status_code == 403
    assert r.json()["error"]["kind"] == "PermissionError"


def test_spell_file_run_succeeds(server: Server) -> None:
    with server.client() as c:
        r = c.post("/v1/runs", json={"spell": "hello.lua", "args": ["there"]})
        assert r.status_code == 202, r.text
        assert r.json()["status"] == "queued"
        run = wait_final(c, r.json()["id"])
        assert run["status"] == "succeeded", run
        assert run["result"] == 42
        assert run["output"] == "hello there\n"
        assert run["created_at"] <= run["started_at"] <= run["finished_at"]
        assert run["usage"]["total_tokens"] == 0
        js = wait_final(c, c.post("/v1/runs", json={"spell": "hello.js"}).json()["id"])
        assert js["status"] == "succeeded" and js["output"] == "hi from js\n", js
        listed = c.get("/v1/runs", params={"status": "succeeded"}).json()["runs"]
        assert {x["id"] for x in listed} == {run["id"], js["id"]}
        assert c.get("/v1/runs", params={"status": "failed"}).json()["runs"] == []


def test_source_run_error_is_failed_with_kind(server: Server) -> None:
    with server.client() as c:
        r = c.post("/v1/runs", json={"source": 'print("a")\nerror("boom")', "engine": "lua"})
        run = wait_final(c, r.json()["id"])
        assert run["status"] == "failed"
        assert run["error"]["kind"] == "ScriptError" and "boom" in run["error"]["message"]
        assert run["output"] == "a\n"


def test_bad_requests(server: Server) -> None:
    with server.client() as c:
        cases = [
            ({"spell": "../../etc/passwd"}, 403, "SecurityError"),
            ({"spell": "/etc/passwd"}, 403, "SecurityError"),
            ({"spell": "missing.lua"}, 404, "NotFoundError"),
            ({"source": "print(1)", "engine": "cobol"}, 422, "ValidationError"),
            ({"spell": "hello.lua", "source": "x"}, 422, "ValidationError"),
            ({}, 422, "ValidationError"),
            ({"spell": "hello.lua", "timeout": 1e9}, 422, "ValidationError"),
            ({"spell": "hello.lua", "timeout": -1}, 422, "ValidationError"),
            ({"spell": "hello.lua", "unknown": 1}, 422, "ValidationError"),
        ]
        for body, status, kind in cases:
            r = c.post("/v1/runs", json=body)
            assert r.status_code == status, (body, r.text)
            err = r.json()["error"]
            assert err["kind"] == kind and err["message"], (body, err)
        r = c.post("/v1/runs", content=b"{not json", headers={"content-type": "application/json"})
        assert r.status_code == 422 and r.json()["error"]["kind"] == "ValidationError"
        r = c.post("/v1/runs", json={"source": "x" * 10_000})
        assert r.status_code == 413 and "max_body_bytes" in r.json()["error"]["hint"]
        r = c.get("/v1/runs/nope")
        assert r.status_code == 404 and r.json()["error"]["kind"] == "NotFoundError"
        assert c.get("/v1/health").status_code == 200  # still up


def test_time_limit_kills_the_run(server: Server) -> None:
    with server.client() as c:
        r = c.post("/v1/runs", json={"source": "while true do end", "timeout": 1})
        run = wait_final(c, r.json()["id"])
        assert run["status"] == "failed"
        assert run["error"]["kind"] == "LimitExceeded", run["error"]
        assert run["finished_at"] - run["started_at"] < 15


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmd = f.read()
            except OSError:
                continue
            # a worker process running a run (warm ones waiting for a run are not counted)
            if (
                int(stat.rsplit(")", 1)[1].split()[1]) == pid
                and b"serve.child" in cmd
                and "(llmspell-run)" in stat
            ):
                out.append(int(entry))
    return out


def _wait_running(c: httpx.Client, run_id: str) -> None:
    deadline = time.monotonic() + 30
    while c.get(f"/v1/runs/{run_id}").json()["status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_cancel_kills_the_worker_process(server: Server) -> None:
    with server.client() as c:
        run_id = c.post("/v1/runs", json={"source": "while true do end", "timeout": 50}).json()[
            "id"
        ]
        _wait_running(c, run_id)
        time.sleep(0.3)
        assert _children(server.proc.pid)
        r = c.post(f"/v1/runs/{run_id}/cancel")
        assert r.status_code == 200 and r.json()["status"] == "cancelled"
        assert wait_final(c, run_id)["status"] == "cancelled"
        deadline = time.monotonic() + 5
        while _children(server.proc.pid):
            assert time.monotonic() < deadline, "the worker process was not killed"
            time.sleep(0.05)
        again = c.post(f"/v1/runs/{run_id}/cancel")
        assert again.status_code == 409 and again.json()["error"]["kind"] == "StateError"


def test_dead_worker_process_fails_the_run(server: Server) -> None:
    with server.client() as c:
        run_id = c.post("/v1/runs", json={"source": "while true do end", "timeout": 50}).json()[
            "id"
        ]
        _wait_running(c, run_id)
        deadline = time.monotonic() + 10
        while not (kids := _children(server.proc.pid)):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(kids[0], 9)
        run = wait_final(c, run_id)
        assert run["status"] == "failed"
        assert run["error"]["kind"] == "WorkerDied" and "signal 9" in run["error"]["message"]


def test_sse_events_are_live(server: Server) -> None:
    src = 'for i = 1, 3 do print("line " .. i) ' + BUSY.format(s=0.4) + " end"
    with server.client() as c:
        run_id = c.post("/v1/runs", json={"source": src}).json()["id"]
        events: list[tuple[str, dict, float]] = []
        with c.stream("GET", f"/v1/runs/{run_id}/events") as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            kind = None
            for line in r.iter_lines():
                if line.startswith("event:"):
                    kind = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and kind:
                    events.append((kind, json.loads(line[5:]), time.monotonic()))
        outputs = [(e[1]["text"], e[2]) for e in events if e[0] == "output"]
        assert [t for t, _ in outputs] == ["line 1\n", "line 2\n", "line 3\n"]
        # live: the first line reached the client well before the last one
        assert outputs[-1][1] - outputs[0][1] > 0.4
        statuses = [e[1]["status"] for e in events if e[0] == "status"]
        assert statuses[-1] == "succeeded" and "running" in statuses


def test_metrics_and_in_flight_limit(server: Server) -> None:
    with server.client() as c:
        ids = [c.post("/v1/runs", json={"source": "while true do end", "timeout": 50}).json()["id"]
               for _ in range(8)]  # fmt: skip
        r = c.post("/v1/runs", json={"spell": "hello.lua"})
        assert r.status_code == 429 and r.json()["error"]["kind"] == "LimitExceeded"
        time.sleep(0.3)
        text = c.get("/metrics").text
        assert 'llmspell_runs{status="queued"}' in text
        values = dict(line.rsplit(" ", 1) for line in text.splitlines() if line[:1] != "#")
        assert values["llmspell_hosts"] == "1"
        assert float(values["llmspell_queue_oldest_seconds"]) > 0.2  # workers are all busy
        assert values["llmspell_run_retries"] == "0"
        for run_id in ids:
            c.post(f"/v1/runs/{run_id}/cancel")
        assert all(wait_final(c, i)["status"] == "cancelled" for i in ids)
        assert c.post("/v1/runs", json={"spell": "hello.lua"}).status_code == 202
