"""Spells as chat models: ``POST /v1/chat/completions`` with ``model = "spell:NAME"`` and
``GET /v1/models``, through a real ``llmspell serve`` with the OpenAI Python SDK as the
client; the spells' agents talk to a scripted OpenAI-compatible server."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from tests.e2e.scripted_openai import Reply, ScriptedOpenAI
from tests.serve.conftest import TOKEN, Server, start, stop, wait_final

#: asks a scripted agent the user's last message; prints a line first
CHAT_LUA = """
print("thinking about: " .. ARGS.input)
local agent = Agent.create({model = "scripted/m1", system_prompt = "You help."})
local r = agent:execute(ARGS.input)
return r.text
"""
#: answers with what it got, as a table (JSON text for the client)
ECHO_LUA = """
local msgs = JSON.parse(ARGS.messages)
local roles = {}
for _, m in ipairs(msgs) do roles[#roles + 1] = m.role end
return {input = ARGS.input, roles = roles, last = msgs[#msgs].content,
        model = ARGS.model, stream = ARGS.stream}
"""
#: two agents at once (JavaScript): their texts must not interleave in the stream
PAIR_JS = """
const a = await Agent.create({model: "scripted/m1"});
const b = await Agent.create({model: "scripted/m2"});
const both = await Agent.executeAll([{agent: a, input: ARGS.input}, {agent: b, input: ARGS.input}]);
export default both.map((r) => r.text).join(" | ");
"""
SPELLS = {
    "chat.lua": CHAT_LUA,
    "pair.js": PAIR_JS,
    "echo.lua": ECHO_LUA,
    "sub/shout.js": "ARGS.input.toUpperCase() + '!';\n",
    "printer.lua": 'print("line one")\nprint("line two: " .. ARGS.input)\n',
    "boom.lua": 'local function f() error("the spell broke") end\nf()\n',
    "spin.lua": "while true do end\n",
    "dup.lua": "return 1\n",
    "dup.js": "2;\n",
    "notes.txt": "not a spell\n",
    ".hidden.lua": "return 'hidden'\n",
}


@pytest.fixture
def llm() -> Iterator[ScriptedOpenAI]:
    with ScriptedOpenAI() as server:
        yield server


@pytest.fixture
def served(tmp_path: Path, llm: ScriptedOpenAI) -> Iterator[Server]:
    spells = tmp_path / "spells"
    for name, text in SPELLS.items():
        (spells / name).parent.mkdir(parents=True, exist_ok=True)
        (spells / name).write_text(text, encoding="utf-8")
    (tmp_path / "outside.lua").write_text("return 'outside'\n", encoding="utf-8")
    (spells / "link.lua").symlink_to(tmp_path / "outside.lua")
    config = tmp_path / "llmspell.toml"
    config.write_text(
        f'[serve]\nspells_dir = "{spells}"\nworkers = 2\nmax_body_bytes = 8192\n'
        "max_timeout_seconds = 60\nmax_runs_in_flight_per_token = 1\n"
        f"dead_after_seconds = 3\n{llm.toml()}\n"
        '[agents.helper]\nmodel = "scripted/m1"\n',
        encoding="utf-8",
    )
    proc, line = start("serve", tmp_path / "home", config,
                       extra_env={"SCRIPTED_KEY": "sk-operator-secret"},
                       wait_for="llmspell serve: http")  # fmt: skip
    url = re.search(r"(http://\S+) ", line)
    assert url
    yield Server(url.group(1), proc, tmp_path / "home", spells)
    stop(proc)


def _sdk(server: Server) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=TOKEN, max_retries=0, timeout=60)


def _ask(server: Server, model: str, text: str = "hi", **more: Any) -> Any:
    return _sdk(server).chat.completions.create(
        model=model, messages=[{"role": "user", "content": text}], **more
    )


def _error(exc: openai.APIStatusError) -> dict[str, Any]:
    body = exc.response.json()
    assert set(body) == {"error"}, body
    return dict(body["error"])


def test_models_lists_agents_and_spells(served: Server) -> None:
    ids = {m.id: m for m in _sdk(served).models.list()}
    assert set(ids) == {
        "helper", "spell:chat.lua", "spell:pair.js", "spell:echo.lua", "spell:sub/shout.js",
        "spell:printer.lua", "spell:boom.lua", "spell:spin.lua", "spell:dup.lua", "spell:dup.js",
    }  # fmt: skip  (no .txt, no hidden file, no symlink leading outside)
    assert ids["helper"].owned_by == "llmspell"
    assert _sdk(served).models.retrieve("spell:chat").id == "spell:chat.lua"
    assert _sdk(served).models.retrieve("spell:sub/shout").id == "spell:sub/shout.js"
    assert _sdk(served).models.retrieve("helper").id == "helper"
    with pytest.raises(openai.NotFoundError):
        _sdk(served).models.retrieve("nobody")
    with served.client(token=None) as c:
        assert c.get("/v1/models").status_code == 401


def test_chat_with_a_spell_that_calls_an_agent(served: Server, llm: ScriptedOpenAI) -> None:
    llm.replies.append(Reply(text="Paris."))
    done = _ask(served, "spell:chat.lua", "Capital of France?")
    assert done.choices[0].message.content == "Paris."  # the result, not what it printed
    assert done.choices[0].finish_reason == "stop"
    assert done.model == "spell:chat.lua"
    assert done.usage and done.usage.total_tokens == 15  # the run's token usage
    sent = llm.requests[-1]
    assert sent["messages"][-1] == {"role": "user", "content": "Capital of France?"}
    assert not sent.get("stream")
    with served.client() as c:
        run = c.get(f"/v1/runs/{done.id.removeprefix('chatcmpl-')}").json()
        assert run["kind"] == "chat" and run["spell"] == "chat.lua"
        assert run["status"] == "succeeded" and run["result"] == "Paris."
        assert run["output"] == "thinking about: Capital of France?\n"
        assert [r["kind"] for r in c.get("/v1/runs").json()["runs"]][:1] == ["chat"]


def test_spell_gets_the_conversation(served: Server) -> None:
    done = _sdk(served).chat.completions.create(
        model="spell:echo",  # the extension may be left out
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "one"},
            {"role": "assistant", "content": "1"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "two "},
                    {"type": "text", "text": "--and=more"},
                ],
            },
        ],
    )
    got = json.loads(done.choices[0].message.content or "")  # a table: JSON text
    assert got == {
        "input": "two --and=more",
        "roles": ["system", "user", "assistant", "user"],
        "last": "two --and=more",
        "model": "spell:echo.lua",
        "stream": "false",
    }
    assert done.usage and done.usage.total_tokens == 0
    # a JavaScript spell in a subdirectory; a spell that returns nothing answers with
    # what it printed
    assert _ask(served, "spell:sub/shout.js", "hey").choices[0].message.content == "HEY!"
    printed = _ask(served, "spell:printer.lua", "x").choices[0].message.content
    assert printed == "line one\nline two: x\n"


def _stream(server: Server, model: str, text: str) -> tuple[list[tuple[str, float]], Any]:
    pieces: list[tuple[str, float]] = []
    last = None
    for chunk in _ask(server, model, text, stream=True):
        last = chunk
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append((chunk.choices[0].delta.content, time.monotonic()))
    return pieces, last


def test_stream_prints_and_agent_tokens_live(served: Server, llm: ScriptedOpenAI) -> None:
    llm.replies.append(Reply(text="one two three", chunk_delay=0.3))
    pieces, last = _stream(served, "spell:chat.lua", "count")
    text = "".join(p for p, _ in pieces)
    assert text == "thinking about: count\none two three\n"  # no repeat of the result
    tokens = [(p, t) for p, t in pieces if p.strip() in ("one", "two", "three")]
    assert len(tokens) == 3 and tokens[-1][1] - tokens[0][1] > 0.4  # live, not at the end
    assert last.choices[0].finish_reason == "stop"
    assert last.usage.total_tokens == 15
    assert llm.requests[-1]["stream"] is True  # the spell's agent streamed from its provider
    with served.client() as c:  # the run's output is what the spell printed (the tokens
        run_id = last.id.removeprefix("chatcmpl-")  # are in its events, stream "agent")
        run = c.get(f"/v1/runs/{run_id}").json()
        assert run["kind"] == "chat" and run["output"] == "thinking about: count\n"
        with c.stream("GET", f"/v1/runs/{run_id}/events") as r:
            agent = [line for line in r.iter_lines() if '"stream": "agent"' in line]
        assert "".join(json.loads(x.split(":", 1)[1])["text"] for x in agent) == "one two three\n"


def test_stream_of_concurrent_agents_in_javascript(served: Server, llm: ScriptedOpenAI) -> None:
    llm.by_model["m1"] = [Reply(text="alpha beta gamma", chunk_delay=0.2)]
    llm.by_model["m2"] = [Reply(text="one two three", chunk_delay=0.2)]
    pieces, last = _stream(served, "spell:pair.js", "go")
    text = "".join(p for p, _ in pieces)
    # one call streams live, the other is written whole when it ends: never mixed
    assert sorted(text.splitlines()[:2]) == ["alpha beta gamma", "one two three"], text
    assert text.splitlines()[2:] == ["alpha beta gamma | one two three"]  # the result
    assert last.choices[0].finish_reason == "stop" and last.usage.total_tokens == 30


def test_agent_tokens_of_calls_at_once() -> None:
    from llmspell_cli.serve.agent_tokens import AgentTokens

    sent: list[str] = []
    tokens = AgentTokens(lambda m: sent.append(m["x"]) if m["s"] == "agent" else None)
    tokens.call_started("a", 1)
    tokens.token("a1 ", 1)
    tokens.call_started("b", 2)
    tokens.token("b1 ", 2)
    tokens.token("a2", 1)
    tokens.token("b2", 2)
    assert sent == ["a1 ", "a2"]  # the first call live; the second held back
    tokens.call_started("x", 9)
    tokens.token("x1", 9)
    tokens.call_finished(9)  # ended while the live call goes on: written after it
    assert sent == ["a1 ", "a2"]
    tokens.call_finished(1)
    tokens.call_started("c", 3)  # the live one ended: the next call to start streams live
    tokens.token("c1\n", 3)
    tokens.call_finished(2)
    tokens.call_finished(3)
    tokens.call_started("d", 4)  # alone again: live
    tokens.token("d1", 4)
    tokens.call_finished(4)
    tokens.call_started("e", 5)  # no tokens: nothing written
    tokens.call_finished(5)
    assert "".join(sent) == "a1 a2\nx1\nc1\nb1 b2\nd1\n"


def test_stream_ends_with_a_result_not_printed(served: Server) -> None:
    pieces, last = _stream(served, "spell:echo.lua", "q")
    got = json.loads("".join(p for p, _ in pieces))
    assert got["input"] == "q" and got["stream"] == "true"
    assert last.choices[0].finish_reason == "stop"


def test_unknown_and_forbidden_spells(served: Server) -> None:
    with pytest.raises(openai.NotFoundError) as nf:
        _ask(served, "spell:nosuch.lua")
    err = _error(nf.value)
    assert err["kind"] == "NotFoundError" and "spell:nosuch.lua" in err["message"]
    assert "spell:chat.lua" in err["hint"] and "spell:sub/shout.js" in err["hint"]
    outside = ("spell:../outside.lua", "spell:../outside", "spell:link.lua", "spell:/etc/hostname")
    for model in outside:
        with pytest.raises(openai.PermissionDeniedError) as pd:
            _ask(served, model)
        assert _error(pd.value)["kind"] == "SecurityError", model
    for model, words in (("spell:dup", "spell:dup.js, spell:dup.lua"), ("spell:", "names no"),
                         ("spell:notes.txt", "notes.txt")):  # fmt: skip
        with pytest.raises(openai.UnprocessableEntityError) as bad:
            _ask(served, model)
        assert _error(bad.value)["kind"] == "ValidationError"
        assert words in _error(bad.value)["message"], model
    with pytest.raises(openai.UnprocessableEntityError):  # the last message must be the user's
        _sdk(served).chat.completions.create(
            model="spell:echo.lua", messages=[{"role": "assistant", "content": "x"}]
        )
    with pytest.raises(openai.NotFoundError):  # agent names never reach the spells
        _ask(served, "chat.lua")
    with served.client() as c:  # none of these made a run
        assert c.get("/v1/runs").json()["runs"] == []


def test_failing_spell_is_a_500_with_its_kind(served: Server) -> None:
    with pytest.raises(openai.InternalServerError) as failed:
        _ask(served, "spell:boom.lua")
    assert failed.value.status_code == 500
    err = _error(failed.value)
    assert err["kind"] == "ScriptError"
    assert "the spell broke" in err["message"] and "boom.lua:1" in err["message"]
    assert "Traceback" not in failed.value.response.text
    # streaming: the error arrives as an error event, which the SDK raises
    with pytest.raises(openai.APIError) as streamed:
        list(_ask(served, "spell:boom.lua", stream=True))
    assert "the spell broke" in str(streamed.value)


def test_timeout_and_in_flight_limit(served: Server) -> None:
    started = time.monotonic()
    with pytest.raises(openai.InternalServerError) as slow:
        _ask(served, "spell:spin.lua", extra_body={"timeout": 1})
    assert slow.value.status_code == 504
    assert _error(slow.value)["kind"] == "LimitExceeded"
    assert time.monotonic() - started < 20
    with pytest.raises(openai.UnprocessableEntityError):  # over [serve] max_timeout_seconds
        _ask(served, "spell:echo.lua", extra_body={"timeout": 600})
    with served.client() as c:
        busy = c.post("/v1/runs", json={"spell": "spin.lua", "timeout": 30}).json()["id"]
        try:  # the chat is a run like any other: counted against the token's runs in flight
            with pytest.raises(openai.RateLimitError) as limited:
                _ask(served, "spell:echo.lua")
            assert _error(limited.value)["kind"] == "LimitExceeded"
        finally:
            c.post(f"/v1/runs/{busy}/cancel")
        wait_final(c, busy)
        assert _ask(served, "spell:echo.lua").choices[0].message.content


def _chat_body(model: str, **more: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": "hi"}], **more}


@pytest.mark.parametrize("model", ["spell:spin.lua", "helper"])
def test_a_client_that_disconnects_mid_stream_cancels_its_run(
    served: Server, llm: ScriptedOpenAI, model: str
) -> None:
    llm.replies.append(Reply(text="slow words never read", chunk_delay=3))  # a slow agent
    with served.client() as c:
        body = _chat_body(model, stream=True)
        with c.stream("POST", "/v1/chat/completions", json=body) as r:
            assert r.status_code == 200
            first = json.loads(next(r.iter_lines()).removeprefix("data: "))
        run_id = first["id"].removeprefix("chatcmpl-")
        run = wait_final(c, run_id)
        assert run["status"] == "cancelled", run
        assert run["error"]["message"] == "cancelled: the client disconnected before the answer"


def test_a_client_that_gives_up_waiting_cancels_its_run(served: Server) -> None:
    with served.client() as c:
        with pytest.raises(httpx.ReadTimeout):
            c.post("/v1/chat/completions", json=_chat_body("spell:spin.lua"), timeout=2)
        runs = c.get("/v1/runs", params={"limit": 1}).json()["runs"]
        run = wait_final(c, runs[0]["id"])
        assert run["status"] == "cancelled", run
        assert "client disconnected" in run["error"]["message"]
        # a run submitted through /v1/runs is not tied to its request: it keeps running
        busy = c.post("/v1/runs", json={"spell": "spin.lua", "timeout": 30}).json()["id"]
        time.sleep(1)
        assert c.get(f"/v1/runs/{busy}").json()["status"] in ("queued", "running")
        c.post(f"/v1/runs/{busy}/cancel")
        wait_final(c, busy)
