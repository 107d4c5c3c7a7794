"""Agents over HTTP (``/v1/agents/{name}:execute``, ``/v1/chat/completions``) through a
real ``llmspell serve``, the agent backed by a scripted OpenAI-compatible server, and
the OpenAI Python SDK as the client."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest

from tests.e2e.scripted_openai import Reply, ScriptedOpenAI
from tests.serve.conftest import TOKEN, Server, start, stop, write_config


@pytest.fixture
def llm() -> Iterator[ScriptedOpenAI]:
    with ScriptedOpenAI() as server:
        yield server


@pytest.fixture
def served(tmp_path: Path, llm: ScriptedOpenAI) -> Iterator[Server]:
    spells = tmp_path / "spells"
    spells.mkdir()
    extra = llm.toml() + (
        '\n[agents.helper]\nmodel = "scripted/m1"\nsystem_prompt = "You help."\n'
        "temperature = 0.2\n"
    )
    config = write_config(tmp_path / "llmspell.toml", spells, extra)
    env = {"SCRIPTED_KEY": "sk-operator-secret"}
    proc, line = start("serve", tmp_path / "home", config, extra_env=env,
                       wait_for="llmspell serve: http")  # fmt: skip
    url = re.search(r"(http://\S+) ", line)
    assert url
    yield Server(url.group(1), proc, tmp_path / "home", spells)
    stop(proc)


def _sdk(server: Server, token: str = TOKEN) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=token, max_retries=0, timeout=60)


def test_execute_configured_agent(served: Server, llm: ScriptedOpenAI) -> None:
    llm.replies.append(Reply(text="four"))
    with served.client() as c:
        r = c.post("/v1/agents/helper:execute", json={"input": "2+2?"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["agent"] == "helper" and body["text"] == "four"
        assert body["usage"]["total_tokens"] == 15
        run = c.get(f"/v1/runs/{body['id']}").json()  # the call is a run like any other
        assert run["status"] == "succeeded" and run["spell"] == "<agent helper>"
    sent = llm.requests[-1]
    assert sent["model"] == "m1" and sent["temperature"] == 0.2
    assert sent["messages"][0] == {"role": "system", "content": "You help."}
    assert sent["messages"][-1]["content"] == "2+2?"
    assert llm.request_headers[-1]["authorization"] == "Bearer sk-operator-secret"


def test_execute_ad_hoc_agents(served: Server, llm: ScriptedOpenAI) -> None:
    llm.replies += [Reply(text="one"), Reply(text="two")]
    with served.client() as c:
        r = c.post("/v1/agents/quick:execute", json={"prompt": "hi", "agent": "scripted/m2"})
        assert r.status_code == 200, r.text
        assert r.json()["text"] == "one" and llm.requests[-1]["model"] == "m2"
        full = {"model": "scripted/m3", "system_prompt": "Be brief.", "max_tokens": 7}
        r = c.post("/v1/agents/quick:execute", json={"input": "hi", "agent": full})
        assert r.status_code == 200, r.text
        assert r.json()["text"] == "two"
        assert llm.requests[-1]["messages"][0]["content"] == "Be brief."


def test_execute_streams_deltas(served: Server, llm: ScriptedOpenAI) -> None:
    llm.replies.append(Reply(text="a b c", chunk_delay=0.3))
    events = []
    with served.client() as c, c.stream(
        "POST", "/v1/agents/helper:execute", json={"input": "x", "stream": True}
    ) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        kind = None
        for line in r.iter_lines():
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                events.append((kind, json.loads(line[5:]), time.monotonic()))
    deltas = [e for e in events if e[0] == "delta"]
    assert "".join(e[1]["text"] for e in deltas) == "a b c"
    assert len(deltas) == 3 and deltas[-1][2] - deltas[0][2] > 0.3  # live, not at the end
    assert events[-1][0] == "done" and events[-1][1]["text"] == "a b c"


def test_agent_bad_requests(served: Server, llm: ScriptedOpenAI) -> None:
    with served.client() as c:
        cases = [
            ("nobody", {"input": "x"}, 404, "NotFoundError"),
            ("helper", {"input": "x", "agent": "scripted/m9"}, 422, "ValidationError"),
            ("helper", {}, 422, "ValidationError"),
            ("helper", {"input": "x", "prompt": "y"}, 422, "ValidationError"),
            ("q", {"input": "x", "agent": {"model": "scripted/m", "api_key": "k"}}, 422,
             "ValidationError"),
            ("q", {"input": "x", "agent": {"model": "scripted/m", "temperature": "hot"}}, 422,
             "ValidationError"),
        ]  # fmt: skip
        for name, body, status, kind in cases:
            r = c.post(f"/v1/agents/{name}:execute", json=body)
            assert r.status_code == status, (name, body, r.text)
            assert r.json()["error"]["kind"] == kind, r.json()
        assert "helper" in c.post("/v1/agents/nobody:execute", json={"input": "x"}).json()[
            "error"]["message"]  # fmt: skip
        # the operator's key goes only to the configured endpoint: an ad-hoc agent that
        # points it elsewhere is refused before any request
        before = len(llm.requests)
        r = c.post("/v1/agents/q:execute", json={"input": "x", "agent": {
            "model": "scripted/m", "base_url": f"http://127.0.0.1:{llm.port}/evil"}})  # fmt: skip
        assert r.status_code == 403 and r.json()["error"]["kind"] == "SecurityError", r.text
        assert "SCRIPTED_KEY" in r.json()["error"]["message"]
        assert "sk-operator-secret" not in r.text
        assert len(llm.requests) == before
        # a provider error is the run's failure, answered as a 502 with its kind
        llm.replies.append(Reply(status=500))
        r = c.post("/v1/agents/helper:execute", json={"input": "x"})
        assert r.status_code == 502, r.text
        assert r.json()["error"]["kind"] and "run " in r.json()["error"]["message"]


def test_chat_completions_with_the_openai_sdk(served: Server, llm: ScriptedOpenAI) -> None:
    llm.replies.append(Reply(text="Paris."))
    client = _sdk(served)
    done = client.chat.completions.create(
        model="helper",
        messages=[
            {"role": "system", "content": "Answer in one word."},
            {"role": "user", "content": "Capital of Spain?"},
            {"role": "assistant", "content": "Madrid."},
            {"role": "user", "content": "And of France?"},
        ],
        temperature=0.5,
    )
    assert done.choices[0].message.content == "Paris."
    assert done.choices[0].finish_reason == "stop"
    assert done.model == "helper" and done.usage and done.usage.total_tokens == 15
    sent = llm.requests[-1]
    assert [m["role"] for m in sent["messages"]] == ["system", "user", "assistant", "user"]
    assert sent["messages"][0]["content"] == "You help.\n\nAnswer in one word."
    assert sent["messages"][2]["content"] == "Madrid."
    assert sent["temperature"] == 0.5


def test_chat_completions_stream(served: Server, llm: ScriptedOpenAI) -> None:
    llm.replies.append(Reply(text="one two three", chunk_delay=0.2))
    client = _sdk(served)
    pieces = []
    stream = client.chat.completions.create(
        model="helper", messages=[{"role": "user", "content": "count"}], stream=True
    )
    finish = None
    for chunk in stream:
        if chunk.choices:
            if chunk.choices[0].delta.content:
                pieces.append((chunk.choices[0].delta.content, time.monotonic()))
            finish = chunk.choices[0].finish_reason or finish
    assert "".join(p for p, _ in pieces) == "one two three"
    assert len(pieces) == 3 and pieces[-1][1] - pieces[0][1] > 0.2
    assert finish == "stop"


def test_chat_completions_errors_reach_the_sdk(served: Server, llm: ScriptedOpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        _sdk(served).chat.completions.create(
            model="nobody", messages=[{"role": "user", "content": "x"}]
        )
    with pytest.raises(openai.PermissionDeniedError):
        _sdk(served, "wrong").chat.completions.create(
            model="helper", messages=[{"role": "user", "content": "x"}]
        )
    with pytest.raises(openai.UnprocessableEntityError):
        _sdk(served).chat.completions.create(
            model="helper", messages=[{"role": "assistant", "content": "x"}]
        )
    llm.replies.append(Reply(status=500))
    with pytest.raises(openai.APIError):
        list(_sdk(served).chat.completions.create(
            model="helper", messages=[{"role": "user", "content": "x"}], stream=True))  # fmt: skip
