"""What the MCP client answers when a server asks it something, against the reference
server (npm ``server-everything``; skipped without it unless LLMSPELL_REQUIRE_MCP_DEPS=1):
roots (the allowed paths, only those), sampling (opt-in per server, answered by the
scripted OpenAI-compatible server on 127.0.0.1 through the real provider code; off: the
capability is not offered and a server asking gets an error), elicitation (never
offered). list_changed is tested against the fake Python server (a 2026-07-28 session:
the client listens with ``subscriptions/listen``) and server-everything (which announces
the tools it adds once it knows the client's capabilities)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")


def _load_scripted() -> Any:
    """tests/e2e/scripted_openai.py (the repository's tests are not a package)."""
    path = Path(__file__).resolve().parents[3] / "tests" / "e2e" / "scripted_openai.py"
    spec = importlib.util.spec_from_file_location("llmspell_test_scripted_openai", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_scripted = _load_scripted()
Reply, ScriptedOpenAI = _scripted.Reply, _scripted.ScriptedOpenAI


def _everything(kit: Any, **extra: Any) -> dict[str, Any]:
    return {"command": "node", "args": [kit.everything_js(), "stdio"], **extra}


#: ``{ok, error}`` of a tool call that may fail (a raised error or a failed result)
TRY = """
local ok, r = pcall(Tool.execute, %s, %s)
if not ok then return {false, tostring(r)} end
return {r.success ~= false, tostring(r.error or r.text)}
"""

TOOL_NAMES = """
local names = {}
for _, t in ipairs(MCP.list_tools("ev")) do names[#names + 1] = t.mcp_name end
table.sort(names)
return table.concat(names, ",")
"""


def test_roots_are_the_allowed_paths_only(mcp_runtime, kit, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (tmp_path / "secret").mkdir()
    extra = f'[security]\nallowed_paths = ["{data}"]\n'
    rt = mcp_runtime({"ev": _everything(kit)}, extra)
    text = rt.run('return Tool.execute("ev__get-roots-list", {}).text')
    assert "(1 total)" in text
    assert data.as_uri() in text
    assert "secret" not in text


def test_no_allowed_path_means_no_roots(mcp_runtime, kit) -> None:
    rt = mcp_runtime({"ev": _everything(kit)}, "[security]\nallowed_paths = []\n")
    text = rt.run('return Tool.execute("ev__get-roots-list", {}).text')
    assert "no roots are currently configured" in text


def test_sampling_off_is_not_offered(mcp_runtime, kit) -> None:
    rt = mcp_runtime({"ev": _everything(kit)})
    names = rt.run(TOOL_NAMES).split(",")
    # server-everything offers these only to clients with the capability
    assert "trigger-sampling-request" not in names
    assert "trigger-elicitation-request" not in names
    assert "get-roots-list" in names
    ok, err = rt.run(TRY % ('"ev__trigger-sampling-request"', '{prompt = "x"}'))
    assert ok is False
    assert "trigger-sampling-request" in err


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SCRIPTED_KEY", "sk-scripted-test")
    with ScriptedOpenAI() as server:
        yield server


def test_sampling_answers_with_the_configured_model(mcp_runtime, kit, model) -> None:
    model.replies = [Reply(text="Paris is the capital.")]
    extra = model.toml()
    rt = mcp_runtime(
        {"ev": _everything(kit, sampling="scripted/samp-1", sampling_max_tokens=64)}, extra
    )
    out = rt.run(
        'local r = Tool.execute("ev__trigger-sampling-request", '
        '{prompt = "capital of France?", maxTokens = 5000})\n'
        "return r.text"
    )
    assert "Paris is the capital." in out
    assert "scripted/samp-1" in out
    assert "endTurn" in out
    request = model.requests[0]
    assert request["model"] == "samp-1"
    # the server asked for 5000 tokens: capped at sampling_max_tokens
    limit = request.get("max_tokens") or request.get("max_completion_tokens")
    assert limit == 64
    messages = request["messages"]
    assert messages[0] == {"role": "system", "content": "You are a helpful test server."}
    assert "capital of France?" in messages[-1]["content"]


def test_roots_and_sampling_over_streamable_http(
    mcp_runtime, everything_http, model, tmp_path: Path
) -> None:
    model.replies = [Reply(text="over http")]
    extra = model.toml() + f'[security]\nallowed_paths = ["{tmp_path}"]\n'
    rt = mcp_runtime({"ev": {"url": everything_http, "sampling": "scripted/samp-1"}}, extra)
    roots, sampled = rt.run(
        'return {Tool.execute("ev__get-roots-list", {}).text, '
        'Tool.execute("ev__trigger-sampling-request", {prompt = "hi"}).text}'
    )
    assert tmp_path.as_uri() in roots and "(1 total)" in roots
    assert "over http" in sampled


def test_sampling_is_charged_to_the_run(mcp_runtime, kit, model) -> None:
    model.replies = [Reply(text="fine")]
    rt = mcp_runtime({"ev": _everything(kit, sampling="scripted/samp-1")}, model.toml())
    result = rt.runtime.run_sync(
        'return Tool.execute("ev__trigger-sampling-request", {prompt = "hi"}).text',
        chunk_name="spell.lua",
    )
    assert "fine" in result.value
    row = result.usage["by_model"]["scripted/samp-1"]
    assert row["calls"] == 1


def test_sampling_true_is_the_default_model(mcp_runtime, kit, model) -> None:
    model.replies = [Reply(text="default says hi")]
    extra = 'default_provider = "scripted"\n' + model.toml() + 'default_model = "dflt"\n'
    rt = mcp_runtime({"ev": _everything(kit, sampling=True)}, extra)
    out = rt.run('return Tool.execute("ev__trigger-sampling-request", {prompt = "hi"}).text')
    assert "default says hi" in out
    assert model.requests[0]["model"] == "dflt"


def test_sampling_provider_failure_is_a_clear_tool_error(
    mcp_runtime, kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCRIPTED_KEY", raising=False)
    with ScriptedOpenAI() as model:
        rt = mcp_runtime({"ev": _everything(kit, sampling="scripted/m")}, model.toml())
        ok, err = rt.run(TRY % ('"ev__trigger-sampling-request"', '{prompt = "x"}'))
        assert model.requests == []
    assert ok is False
    assert "llmspell sampling failed" in err
    assert "SCRIPTED_KEY" in err


def test_sampling_from_javascript(mcp_runtime, kit, model) -> None:
    model.replies = [Reply(text="from js")]
    rt = mcp_runtime({"ev": _everything(kit, sampling="scripted/samp-1")}, model.toml())
    out = rt.run(
        """
        const r = await Tool.execute("ev__trigger-sampling-request", {prompt: "hi"});
        export default r.text;
        """,
        name="spell.js",
    )
    assert "from js" in out


ASK = """
local ok, r = pcall(MCP.call_tool, "fk", "ask", {kind = %r})
if not ok then return {false, tostring(r)} end
return {r.success ~= false, r.text or tostring(r.error)}
"""


def test_input_required_flow_roots_sampling_elicitation(
    mcp_runtime, kit, model, tmp_path: Path
) -> None:
    """The fake server (a 2026-07-28 session) asks through InputRequiredResult."""
    model.replies = [Reply(text="4")]
    extra = model.toml() + f'[security]\nallowed_paths = ["{tmp_path}"]\n'
    fk = kit.fake("ok", sampling="scripted/samp-2", sampling_max_tokens=7)
    rt = mcp_runtime({"fk": fk}, extra)
    ok, roots = rt.run(ASK % "roots")
    assert ok is True
    assert json.loads(roots) == {"roots": [{"uri": tmp_path.as_uri(), "name": tmp_path.name}]}
    ok, sampled = rt.run(ASK % "sample")
    assert ok is True
    answer = json.loads(sampled)
    assert answer["content"] == {"type": "text", "text": "4"}
    assert answer["model"] == "scripted/samp-2"
    request = model.requests[0]
    assert (request.get("max_tokens") or request.get("max_completion_tokens")) == 7
    assert request["messages"][0] == {"role": "system", "content": "Be brief."}
    ok, err = rt.run(ASK % "elicit")
    assert ok is False
    assert "Elicitation not supported" in err
    assert "no user to ask" in err  # the hint


def test_sampling_off_is_refused_with_a_hint(mcp_runtime, kit) -> None:
    rt = mcp_runtime({"fk": kit.fake("ok")})
    ok, err = rt.run(ASK % "sample")
    assert ok is False
    assert "Sampling not supported" in err
    assert 'sampling = "provider/model" in [mcp.servers.fk]' in err  # the hint


def test_list_changed_updates_the_tools(mcp_runtime, kit) -> None:
    rt = mcp_runtime({"fk": kit.fake("ok")})
    out = rt.run(
        """
        local function names()
          local out = {}
          for _, t in ipairs(MCP.list_tools("fk")) do out[#out + 1] = t.mcp_name end
          table.sort(out)
          return table.concat(out, ",")
        end
        local before = names()
        Tool.execute("fk__grow", {name = "added"})
        local after = names()
        local r = Tool.execute("fk__added", {text = "hi"})
        Tool.execute("fk__shrink", {name = "added"})
        local gone = names()
        local ok, res = pcall(Tool.execute, "fk__added", {text = "x"})
        return {before, after, r.text, gone, ok and res.success ~= false}
        """
    )
    before, after, text, gone, ok = out
    assert "added" not in before.split(",")
    assert "added" in after.split(",")
    assert text == "added: hi"
    assert "added" not in gone.split(",")
    assert ok is False


def test_list_changed_from_everything(mcp_runtime, kit, model) -> None:
    """server-everything adds its capability-dependent tools after the handshake and
    announces them; the client's list has them whichever came first."""
    rt = mcp_runtime({"ev": _everything(kit, sampling="scripted/m")}, model.toml())
    names = rt.run(TOOL_NAMES).split(",")
    assert "trigger-sampling-request" in names
    assert "get-roots-list" in names
    entries = json.loads(
        rt.run(
            'local t = MCP.list_tools("ev")\n'
            "local n = 0 for _ in ipairs(t) do n = n + 1 end\n"
            'return "[" .. n .. "]"'
        )
    )
    assert entries[0] == len(names)


def _params(*messages: Any, **extra: Any) -> Any:
    import mcp_types as types

    return types.CreateMessageRequestParams(
        messages=[types.SamplingMessage(role=role, content=content) for role, content in messages],
        max_tokens=10,
        **extra,
    )


def _text(text: str) -> Any:
    import mcp_types as types

    return types.TextContent(type="text", text=text)


def _answer(caller: Any, params: Any) -> Any:
    import asyncio

    from llmspell_tools.mcp.server_requests import Sampler

    return asyncio.run(Sampler("srv", "scripted/m", 64, 5.0).answer(caller, params))


def test_sampling_refuses_what_it_cannot_answer() -> None:
    import asyncio

    import mcp_types as types

    from llmspell_tools.mcp.server_requests import MAX_SAMPLES_PER_CALL, Caller

    def caller() -> Caller:
        return Caller(object(), asyncio.new_event_loop())

    outside = _answer(None, _params(("user", _text("hi"))))
    assert isinstance(outside, types.ErrorData)
    assert "only while a spell's call" in outside.message
    image = types.ImageContent(type="image", data="aGk=", mime_type="image/png")
    refused = _answer(caller(), _params(("user", _text("hi")), ("user", image)))
    assert isinstance(refused, types.ErrorData)
    assert "text content only; message 2 has image content" in refused.message
    audio = types.AudioContent(type="audio", data="aGk=", mime_type="audio/wav")
    assert "audio content" in _answer(caller(), _params(("user", audio))).message
    last = _answer(caller(), _params(("user", _text("q")), ("assistant", _text("a"))))
    assert "must be the user's" in last.message
    tools = _params(
        ("user", _text("q")), tools=[types.Tool(name="t", input_schema={"type": "object"})]
    )
    assert "does not offer tools" in _answer(caller(), tools).message
    busy = caller()
    busy.samples = MAX_SAMPLES_PER_CALL
    assert f"at most {MAX_SAMPLES_PER_CALL}" in _answer(busy, _params(("user", audio))).message
