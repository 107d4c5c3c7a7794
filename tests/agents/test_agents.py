"""Agents against a scripted fake provider: the tool-call loop, structured output,
conversation memory, streaming, concurrency, agents as tools, and configuration errors.
The fake is registered like a real provider plugin (through register_providers)."""

from __future__ import annotations

import asyncio
import io
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from llmspell import hookimpl
from llmspell.config import load_settings
from llmspell.errors import ConfigurationError, LLMSpellError, SecurityError
from llmspell.llm import ChatProvider, ChatRequest, ChatResponse, ProviderConfig, ToolCall, Usage
from llmspell.runtime import Limits, Output, Runtime

Reply = ChatResponse | Any


class FakeProvider(ChatProvider):
    """Answers from a script of replies; records every request."""

    script: list[Reply] = []
    requests: list[ChatRequest] = []
    delay = 0.0

    async def chat(self, request: ChatRequest) -> ChatResponse:
        FakeProvider.requests.append(request)
        if FakeProvider.delay:
            await asyncio.sleep(FakeProvider.delay)
        reply = FakeProvider.script.pop(0) if FakeProvider.script else ChatResponse("ok")
        if callable(reply):
            reply = reply(request)
        if isinstance(reply, Exception):
            raise reply
        return reply

    async def stream(self, request: ChatRequest) -> AsyncIterator[str | ChatResponse]:
        final = await self.chat(request)
        for word in final.text.split(" "):
            yield word
        yield final

    def cost_usd(self, model: str, usage: Usage) -> float | None:
        return 0.001 if model == "priced" else None


class FakePlugin:
    """A provider plugin: type "fake" (no key) and "keyed" (needs FAKE_KEY)."""

    @hookimpl
    def register_providers(self, register: Any) -> None:
        register(FakeProvider, name="fake", provider_type="fake")
        register(FakeProvider, name="keyed", provider_type="fake", api_key_env="FAKE_KEY")


@pytest.fixture
def rt(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.delenv("FAKE_KEY", raising=False)
    FakeProvider.script = []
    FakeProvider.requests = []
    FakeProvider.delay = 0.0
    settings = load_settings(
        environ={"LLMSPELL_STATE_BACKEND": "memory", "HOME": str(tmp_path)},
        use_files=False,
        overrides={("default_provider",): "fake"},
    )
    runtime = Runtime(settings, autoload=True)
    runtime.loader.register(FakePlugin(), name="fake-provider")
    runtime.refresh()
    yield runtime
    runtime.close()


def run(rt: Runtime, source: str, name: str = "t.lua") -> tuple[Any, str]:
    out = io.StringIO()
    result = rt.run_sync(
        source, chunk_name=name, output=Output(out, io.StringIO()), limits=Limits(10, 64)
    )
    return result.value, out.getvalue()


def call(name: str, **arguments: Any) -> ChatResponse:
    return ChatResponse("", tool_calls=[ToolCall(f"c-{name}", name, arguments)], usage=Usage(3, 1))


def test_execute_returns_the_result_shape_and_keeps_the_conversation(rt: Runtime) -> None:
    FakeProvider.script = [
        ChatResponse("hi there", usage=Usage(5, 2), model="m1", finish_reason="stop"),
        ChatResponse("again"),
    ]
    value, _ = run(
        rt,
        """
        local a = Agent.create{name = "bot", model = "fake/m1", system_prompt = "be brief"}
        local r = a:execute("hello")
        a:execute({text = "more"})
        return {r = r, name = a.name, model = a.model, listed = Agent.list(), got = Agent.get("bot").name}
    """,
    )
    r = value["r"]
    assert r["text"] == "hi there" and r["model"] == "m1" and r["finish_reason"] == "stop"
    assert r["usage"] == {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}
    assert r["metadata"]["token_count"] == 7 and r["metadata"]["model"] == "fake/m1"
    assert value["name"] == "bot" and value["model"] == "fake/m1" and value["got"] == "bot"
    assert value["listed"] == [{"name": "bot", "model": "fake/m1", "description": ""}]
    second = FakeProvider.requests[1]
    assert second.system == "be brief" and second.model == "m1"
    assert [(m.role, m.content) for m in second.messages] == [
        ("user", "hello"),
        ("assistant", "hi there"),
        ("user", "more"),
    ]


def test_tool_call_loop_runs_tools_and_returns_their_results(rt: Runtime) -> None:
    FakeProvider.script = [call("adder", a=2, b=3), ChatResponse("the sum is 5", usage=Usage(4, 2))]
    value, _ = run(
        rt,
        """
        Tool.register{name = "adder", parameters = {type = "object", properties = {a = {type = "number"}, b = {type = "number"}}},
                      handler = function(p) return p.a + p.b end}
        local a = Agent.builder():name("calc"):model("fake/m"):tools({"adder"}):build()
        return a:execute("add 2 and 3")
    """,
    )
    assert value["text"] == "the sum is 5"
    assert value["tool_calls"][0]["name"] == "adder"
    assert value["tool_calls"][0]["result"]["result"] == 5
    assert value["usage"]["total_tokens"] == 10
    offered = FakeProvider.requests[0].tools
    assert [t.name for t in offered] == ["adder"]
    answer = FakeProvider.requests[1].messages[-1]
    assert answer.role == "tool" and json.loads(answer.content)["result"] == 5


def test_tool_calls_are_bounded_and_bad_calls_go_back_to_the_model(rt: Runtime) -> None:
    FakeProvider.script = [
        call("nope"),
        call("calculator", input=5),
        call("calculator", input="1+1"),
        ChatResponse("done"),
    ]
    value, _ = run(
        rt,
        """
        local a = Agent.create{model = "fake/m", tools = {"calculator"}, max_tool_calls = 2}
        return a:execute("go")
    """,
    )
    results = [c["result"] for c in value["tool_calls"]]
    assert "not available" in results[0]["error"]
    assert results[1]["error_kind"] == "ValidationError"
    assert len(value["tool_calls"]) == 2  # the third request offered no tools
    assert FakeProvider.requests[2].tools == []


def test_structured_output_is_parsed_validated_and_repaired_once(rt: Runtime) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    FakeProvider.script = [ChatResponse("not json"), ChatResponse('```json\n{"n": 3}\n```')]
    value, _ = run(
        rt,
        f"""
        local a = Agent.create{{model = "fake/m", output_schema = JSON.parse('{json.dumps(schema)}')}}
        return a:execute("count")
    """,
    )
    assert value["data"] == {"n": 3}
    assert "not valid" in FakeProvider.requests[1].messages[-1].content
    FakeProvider.script = [ChatResponse('{"n": "x"}'), ChatResponse('{"m": 1}')]
    with pytest.raises(LLMSpellError, match="after one repair attempt"):
        run(
            rt,
            f"""
            local a = Agent.create{{model = "fake/m", output_schema = JSON.parse('{json.dumps(schema)}')}}
            return a:execute("count")
        """,
        )


def test_structured_output_found_inside_prose(rt: Runtime) -> None:
    # small models often wrap the value in a sentence: the first JSON object is taken
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    FakeProvider.script = [ChatResponse('Sure! Here it is: {"n": 7} [as asked]')]
    value, _ = run(
        rt,
        f"""
        local a = Agent.create{{model = "fake/m", output_schema = JSON.parse('{json.dumps(schema)}')}}
        return a:execute("count")
    """,
    )
    assert value["data"] == {"n": 7}
    assert len(FakeProvider.requests) == 1  # no repair was needed


def test_concurrent_calls_of_one_agent_each_keep_their_turn(rt: Runtime) -> None:
    FakeProvider.delay = 0.05
    FakeProvider.script = [
        lambda req: ChatResponse("answer " + req.messages[-1].content) for _ in range(3)
    ]
    run(
        rt,
        """
        local a = Agent.create{name = "shared", model = "fake/m"}
        Agent.execute_all({{agent = a, input = "q1"}, {agent = a, input = "q2"}})
        a:execute("q3")
    """,
    )
    # the third call sees both concurrent turns, in the order they finished
    contents = [m.content for m in FakeProvider.requests[2].messages]
    assert sorted(contents[:4]) == ["answer q1", "answer q2", "q1", "q2"]
    assert contents[4] == "q3"


def test_conversation_is_capped_and_reset(rt: Runtime) -> None:
    run(
        rt,
        """
        local a = Agent.create{name = "m", model = "fake/m", max_conversation_length = 3}
        for i = 1, 4 do a:execute("q" .. i) end
        a:reset()
        a:execute("fresh")
    """,
    )
    assert len(FakeProvider.requests[3].messages) <= 3
    assert [m.content for m in FakeProvider.requests[4].messages] == ["fresh"]


def test_stream_calls_the_callback_per_chunk_in_both_languages(rt: Runtime) -> None:
    FakeProvider.script = [ChatResponse("one two three")]
    value, out = run(
        rt,
        """
        local a = Agent.create{model = "fake/m"}
        local r = a:stream("go", function(chunk) print(chunk.index, chunk.text) end)
        return r.text
    """,
    )
    assert value == "one two three" and out == "1\tone\n2\ttwo\n3\tthree\n"
    FakeProvider.script = [ChatResponse("a b")]
    value, out = run(
        rt,
        """
        const a = await Agent.create({model: "fake/m"})
        const r = await a.stream("go", (chunk) => print(chunk.index, chunk.text))
        export default r.text
    """,
        name="t.js",
    )
    assert value == "a b" and out == "1\ta\n2\tb\n"


def test_execute_all_runs_concurrently(rt: Runtime) -> None:
    FakeProvider.delay = 0.2
    started = time.perf_counter()
    value, _ = run(
        rt,
        """
        local items = {}
        for i = 1, 5 do items[i] = {agent = Agent.create{name = "a" .. i, model = "fake/m"}, input = "x" .. i} end
        local results = Agent.execute_all(items)
        return #results
    """,
    )
    assert value == 5
    assert time.perf_counter() - started < 0.8  # 5 calls of 0.2 s would be 1 s serially


def test_agent_as_tool_lets_one_agent_call_another(rt: Runtime) -> None:
    FakeProvider.script = [
        call("helper", input="sub-question"),
        ChatResponse("sub-answer"),
        ChatResponse("final"),
    ]
    value, _ = run(
        rt,
        """
        local helper = Agent.create{name = "helper", model = "fake/m", description = "answers sub-questions"}
        local name = helper:as_tool()
        local boss = Agent.create{name = "boss", model = "fake/m", tools = {name}}
        return boss:execute("big question")
    """,
    )
    assert value["text"] == "final"
    assert value["tool_calls"][0]["result"]["result"] == "sub-answer"


def test_configuration_errors_name_the_fix(rt: Runtime) -> None:
    cases = {
        'Agent.create{name = "x"}': "has no model",
        'Agent.create{model = "nowhere/m"}': "unknown provider 'nowhere'",
        'Agent.create{model = "keyed/m"}': "set the environment variable FAKE_KEY",
        'Agent.create{model = "fake/m", tools = {"no-such-tool"}}': "unknown tool 'no-such-tool'",
        'Agent.create{model = "fake/m", sytem_prompt = "x"}': "did you mean 'system_prompt'",
        'Agent.builder():model("fake/m"):type(42):build()': "type must be a non-empty string",
        'Agent.builder():model("fake/m"):resource_limits({max_tool_calls = 0}):build()': "max_tool_calls must be a positive integer",
    }
    for source, fragment in cases.items():
        with pytest.raises(LLMSpellError) as info:
            run(rt, source)
        assert fragment in str(info.value), (source, str(info.value))
    with pytest.raises(ConfigurationError):
        run(rt, 'Agent.create{model = "keyed/m"}')
    value, _ = run(
        rt,
        'local ok = pcall(Agent.create, {model = "keyed/m"}) return {ok, Provider.is_available("fake"), Provider.is_available("keyed")}',
    )
    assert value == [False, True, False]


def test_key_from_env_and_provider_listing(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_KEY", "sk-secret-value")
    value, _ = run(
        rt,
        'local a = Agent.create{model = "keyed/m"} return {Provider.is_available("keyed"), Provider.get("keyed").available, Provider.get("zzz")}',
    )
    assert value == [True, True]
    listed = run(rt, "return Provider.list()")[0]
    assert {p["name"] for p in listed} >= {"fake", "keyed"}
    assert "sk-secret-value" not in json.dumps(listed)


def test_provider_errors_reach_the_script_with_their_kind(rt: Runtime) -> None:
    from llmspell.errors import RateLimitError

    FakeProvider.script = [RateLimitError("slow down")]
    value, _ = run(
        rt,
        'local a = Agent.create{model = "fake/m"} local ok, err = pcall(function() return a:execute("x") end) return err',
    )
    assert "RateLimitError: slow down" in value


def test_usage_adds_up_per_run_and_cost_is_reported(rt: Runtime) -> None:
    FakeProvider.script = [
        ChatResponse("a", usage=Usage(10, 5), model="priced"),
        ChatResponse("b", usage=Usage(1, 1)),
    ]
    result = rt.run_sync(
        'local a = Agent.create{model = "fake/priced"} local r = a:execute("x") a:execute("y") return r.metadata.cost_usd',
        chunk_name="t.lua",
        output=Output(io.StringIO(), io.StringIO()),
    )
    assert result.value == 0.001
    usage = result.usage
    assert (usage["input_tokens"], usage["output_tokens"], usage["total_tokens"]) == (11, 6, 17)
    assert usage["by_model"]["fake/priced"]["calls"] == 2
    assert usage["cost_usd"] == 0.002  # two calls on the priced model, 0.001 each


def test_provider_config_precedence(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    from llmspell.provider_resolution import resolve_provider_config, split_model_spec

    assert split_model_spec(rt, "fake/org/model") == ("fake", "org/model")
    assert split_model_spec(rt, "bare-model") == ("fake", "bare-model")
    config = resolve_provider_config(
        rt, "fake", environ={"LLMSPELL_PROVIDER_FAKE_BASE_URL": "http://127.0.0.1:9/v1"}
    )
    assert isinstance(config, ProviderConfig) and config.base_url == "http://127.0.0.1:9/v1"
    # the agent's own base_url wins when it lies under an endpoint the operator set...
    config = resolve_provider_config(
        rt, "fake", base_url="http://e/v1", environ={"LLMSPELL_PROVIDER_FAKE_BASE_URL": "http://e"}
    )
    assert config.base_url == "http://e/v1"
    # ...anywhere else it passes the network policy first (tests/security/test_credentials.py)
    with pytest.raises(SecurityError, match="network access is not allowed"):
        resolve_provider_config(
            rt, "fake", base_url="http://b", environ={"LLMSPELL_PROVIDER_FAKE_BASE_URL": "http://e"}
        )


def test_stream_without_a_callback_is_an_iterator_in_both_languages(rt: Runtime) -> None:
    FakeProvider.script = [ChatResponse("one two three")]
    value, out = run(
        rt,
        """
        local a = Agent.create{model = "fake/m"}
        local s = a:stream("go")
        for chunk in s do print(chunk.index, chunk.text) end
        return s:result().text
    """,
    )
    assert value == "one two three" and out == "1\tone\n2\ttwo\n3\tthree\n"
    FakeProvider.script = [ChatResponse("a b")]
    value, out = run(
        rt,
        """
        const a = await Agent.create({model: "fake/m"})
        const s = await a.stream("go")
        for await (const chunk of s) print(chunk.index, chunk.text)
        export default (await s.result()).text
    """,
        name="t.js",
    )
    assert value == "a b" and out == "1\ta\n2\tb\n"


def test_stream_iterator_raises_the_agents_error(rt: Runtime) -> None:
    from llmspell.errors import ProviderError

    FakeProvider.script = [ProviderError("server went away")]
    value, _ = run(
        rt,
        """
        local s = Agent.create{model = "fake/m"}:stream("go")
        local ok, err = pcall(function() for chunk in s do end end)
        return err
    """,
    )
    assert "ProviderError: server went away" in value


def test_provider_default_model_and_execute_all_failure(rt: Runtime) -> None:
    from llmspell.errors import ProviderError

    rt.providers._providers["fake"].info["default_model"] = "dflt"
    value, _ = run(rt, 'return Agent.builder():provider("fake"):build().model')
    assert value == "fake/dflt"
    with pytest.raises(LLMSpellError, match="has no default model"):
        run(rt, 'Agent.builder():provider("keyed"):api_key("k"):build()')
    FakeProvider.delay = 0.05
    FakeProvider.script = [ChatResponse("ok"), ProviderError("boom"), ChatResponse("ok")]
    value, _ = run(
        rt,
        """
        local items = {}
        for i = 1, 3 do items[i] = {agent = Agent.create{model = "fake/m"}, input = "x"} end
        local ok, err = pcall(Agent.execute_all, items)
        return err
    """,
    )
    assert "ProviderError: boom" in value


def test_unreadable_tool_arguments_go_back_to_the_model(rt: Runtime) -> None:
    bad = ChatResponse(
        "", tool_calls=[ToolCall("c1", "calculator", {}, error="invalid JSON arguments")]
    )
    FakeProvider.script = [bad, ChatResponse("sorry")]
    value, _ = run(rt, 'return Agent.create{model = "fake/m", tools = {"calculator"}}:execute("x")')
    assert value["text"] == "sorry"
    assert value["tool_calls"][0]["result"] == {"success": False, "error": "invalid JSON arguments"}
    assert json.loads(FakeProvider.requests[1].messages[-1].content)["success"] is False
