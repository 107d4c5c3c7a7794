"""A run submitted with a W3C ``traceparent`` header carries it to its worker process
(``TRACEPARENT``), where the run's span continues the caller's trace when tracing is on
(the span side: llmspell-core/tests/observability/test_trace_context.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serve.conftest import Server, start, stop, wait_final, write_config

CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    spells = tmp_path / "spells"
    spells.mkdir()
    (spells / "tp.lua").write_text('print(os.getenv("TRACEPARENT") or "none")\n')
    # the spell may read this one variable, so the test sees what the worker was given
    config = write_config(
        tmp_path / "llmspell.toml", spells, '[security]\nenv_allowlist = ["TRACEPARENT"]\n'
    )
    proc, line = start("serve", tmp_path / "home", config, wait_for="llmspell serve: http")
    url = re.search(r"(http://\S+) ", line)
    assert url
    yield Server(url.group(1), proc, tmp_path / "home", spells)
    stop(proc)


def _output(server: Server, headers: dict[str, str]) -> str:
    with server.client() as client:
        reply = client.post("/v1/runs", json={"spell": "tp.lua"}, headers=headers)
        assert reply.status_code == 202, reply.text
        run = wait_final(client, reply.json()["id"])
    assert run["status"] == "succeeded", run
    return str(run["output"]).strip()


def test_a_runs_worker_gets_the_callers_traceparent(server: Server) -> None:
    assert _output(server, {"traceparent": CALLER}) == CALLER
    # malformed or absent: the worker gets none (a new trace)
    assert _output(server, {"traceparent": "00-xyz-01"}) == "none"
    assert _output(server, {}) == "none"
