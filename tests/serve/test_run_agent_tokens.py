"""A run that asks ``stream_agents``: its agents' tokens arrive live in
``GET /v1/runs/{id}/events`` (output events of stream ``agent``) and stay out of the
run's ``output``; without it, no tokens."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.scripted_openai import Reply, ScriptedOpenAI
from tests.serve.conftest import Server, start, stop, wait_final, write_config

SPELL = """
local a = Agent.builder():name("w"):model("scripted/m1"):build()
print("asking")
local r = a:execute({text = "hi"})
print("got " .. r.text)
return r.text
"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, ScriptedOpenAI]]:
    with ScriptedOpenAI() as llm:
        spells = tmp_path / "spells"
        spells.mkdir()
        (spells / "ask.lua").write_text(SPELL)
        config = write_config(tmp_path / "llmspell.toml", spells, llm.toml())
        proc, line = start("serve", tmp_path / "home", config, wait_for="llmspell serve: http",
                           extra_env={"SCRIPTED_KEY": "k"})  # fmt: skip
        server = Server(line.split()[2], proc, tmp_path / "home", spells)
        try:
            yield server, llm
        finally:
            stop(proc)


def _events(c: httpx.Client, run_id: str) -> list[tuple[str, dict]]:
    out: list[tuple[str, dict]] = []
    event = ""
    with c.stream("GET", f"/v1/runs/{run_id}/events") as r:
        for line in r.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                out.append((event, json.loads(line.split(":", 1)[1])))
    return out


def test_tokens_stream_live_and_stay_out_of_the_output(
    served: tuple[Server, ScriptedOpenAI],
) -> None:
    server, llm = served
    llm.replies.append(Reply(text="one two three", chunk_delay=0.05))
    with server.client() as c:
        r = c.post("/v1/runs", json={"spell": "ask.lua", "stream_agents": True})
        assert r.status_code == 202, r.text
        events = _events(c, r.json()["id"])
        run = wait_final(c, r.json()["id"])
    assert run["status"] == "succeeded" and run["result"] == "one two three", run
    assert run["output"] == "asking\ngot one two three\n", run  # printed lines only
    outputs = [(e["stream"], e["text"]) for kind, e in events if kind == "output"]
    tokens = [text for stream, text in outputs if stream == "agent"]
    assert len(tokens) > 1 and "".join(tokens).strip() == "one two three", outputs
    order = [stream for stream, _ in outputs]  # the tokens come between the two prints
    assert order[0] == "stdout" and order[-1] == "stdout", outputs
    assert llm.requests[-1].get("stream") is True


def test_without_it_no_tokens(served: tuple[Server, ScriptedOpenAI]) -> None:
    server, llm = served
    llm.replies.append(Reply(text="plain"))
    with server.client() as c:
        r = c.post("/v1/runs", json={"spell": "ask.lua"})
        events = _events(c, r.json()["id"])
    assert not [e for kind, e in events if kind == "output" and e["stream"] == "agent"]


def test_a_bad_value_is_refused(served: tuple[Server, ScriptedOpenAI]) -> None:
    server, _llm = served
    with server.client() as c:
        r = c.post("/v1/runs", json={"spell": "ask.lua", "stream_agents": "yes"})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["kind"] == "ValidationError"
    assert "stream_agents" in r.text


def test_a_bad_last_event_id_replays_from_the_start(
    served: tuple[Server, ScriptedOpenAI],
) -> None:
    server, llm = served
    llm.replies.append(Reply(text="x"))
    with server.client() as c:
        run_id = c.post("/v1/runs", json={"spell": "ask.lua"}).json()["id"]
        wait_final(c, run_id)
        for bad in ("-1", "abc", "", "1e3"):
            with c.stream("GET", f"/v1/runs/{run_id}/events",
                          headers={"last-event-id": bad}) as r:  # fmt: skip
                assert r.status_code == 200
                lines = [line for line in r.iter_lines() if line.startswith("data:")]
            assert '"asking\\n"' in lines[0], (bad, lines)
