"""The Anthropic adapter against an in-process mock of the Messages API."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from llmspell.errors import AuthenticationError, ProviderError, RateLimitError
from llmspell.llm import (
    ChatRequest,
    ChatResponse,
    ImagePart,
    Message,
    ProviderConfig,
    ToolCall,
    ToolSpec,
)
from llmspell_providers.anthropic_adapter import AnthropicProvider

BASE = "https://api.anthropic.com"


def provider(server: Any, sleeps: Any, secret: str | None, **kw: Any) -> AnthropicProvider:
    config = ProviderConfig(
        name=kw.pop("name", "anthropic"),
        provider_type="anthropic",
        base_url=kw.pop("base_url", BASE),
        api_key=secret,
        api_key_env=kw.pop("api_key_env", "ANTHROPIC_API_KEY"),
        transport=server.transport,
        **kw,
    )
    p = AnthropicProvider(config)
    p.sleep = sleeps
    return p


def hello(**kw: Any) -> ChatRequest:
    return ChatRequest(
        model=kw.pop("model", "claude-haiku-4-5"), messages=[Message("user", "Hi")], **kw
    )


def collect(p: AnthropicProvider, request: ChatRequest) -> list[str | ChatResponse]:
    async def go() -> list[str | ChatResponse]:
        return [item async for item in p.stream(request)]

    return asyncio.run(go())


def test_chat_sends_x_api_key_system_and_default_max_tokens(server, sleeps, secret):
    server.reply(200, "anthropic/message.json")
    answer = asyncio.run(provider(server, sleeps, secret).chat(hello(system="Be brief.")))
    assert answer.text == "Hi! My name is Claude."
    assert answer.model == "claude-sonnet-4-5-20250929"
    assert answer.finish_reason == "end_turn"
    assert answer.usage.as_dict() == {
        "input_tokens": 2095,
        "output_tokens": 503,
        "total_tokens": 2598,
    }
    request = server.requests[0]
    assert str(request.url) == BASE + "/v1/messages"
    assert request.headers["x-api-key"] == secret
    assert "anthropic-version" in request.headers
    body = server.body()
    assert body["model"] == "claude-haiku-4-5"
    assert body["system"] == "Be brief."
    assert body["max_tokens"] == 1024
    assert body["messages"] == [{"role": "user", "content": "Hi"}]


def test_compatible_server_gets_x_api_key(server, sleeps):
    server.reply(200, "anthropic/message.json")
    p = provider(server, sleeps, "local-key", name="myproxy", base_url="http://127.0.0.1:9000")
    asyncio.run(p.chat(hello(max_tokens=99, temperature=0.0)))
    request = server.requests[0]
    assert str(request.url) == "http://127.0.0.1:9000/v1/messages"
    assert request.headers["x-api-key"] == "local-key"
    assert server.body()["max_tokens"] == 99
    assert server.body()["temperature"] == 0.0
    assert request.headers["authorization"] == "Bearer local-key"


def test_images_tools_and_tool_results(server, sleeps, secret):
    server.reply(200, "anthropic/message.json")
    messages = [
        Message("system", "Extra rules."),
        Message("user", "Look", images=[ImagePart("R0lGOD==", "image/gif")]),
        Message(
            "assistant",
            "Calling",
            tool_calls=[
                ToolCall("toolu_1", "calculator", {"expression": "1+1"}),
                ToolCall("toolu_2", "clock", {}),
            ],
        ),
        Message("tool", '{"result": 2}', tool_call_id="toolu_1"),
        Message("tool", '{"now": "noon"}', tool_call_id="toolu_2"),
    ]
    tools = [ToolSpec("calculator", "Maths", {"type": "object"})]
    request = ChatRequest(model="claude-opus-4-6", messages=messages, tools=tools, system="S")
    asyncio.run(provider(server, sleeps, secret).chat(request))
    body = server.body()
    assert body["system"] == "S\n\nExtra rules."
    assert body["tools"] == [
        {"name": "calculator", "description": "Maths", "input_schema": {"type": "object"}}
    ]
    assert body["messages"] == [
        {
            "role": "user",
            "content": [
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/gif", "data": "R0lGOD=="},
                },
                {"type": "text", "text": "Look"},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Calling"},
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "calculator",
                    "input": {"expression": "1+1"},
                },
                {"type": "tool_use", "id": "toolu_2", "name": "clock", "input": {}},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": '{"result": 2}'},
                {"type": "tool_result", "tool_use_id": "toolu_2", "content": '{"now": "noon"}'},
            ],
        },
    ]


def test_tool_use_blocks_become_tool_calls(server, sleeps, secret):
    server.reply(200, "anthropic/message_tool_use.json")
    answer = asyncio.run(provider(server, sleeps, secret).chat(hello()))
    assert answer.text == "I'll check the current weather in San Francisco for you."
    assert answer.tool_calls == [
        ToolCall(
            "toolu_01A09q90qw90lq917835lq9",
            "get_weather",
            {"location": "San Francisco, CA", "unit": "celsius"},
        )
    ]
    assert answer.finish_reason == "tool_use"


def test_structured_output_is_a_system_instruction(server, sleeps, secret):
    server.reply(200, "anthropic/message.json")
    schema = {"type": "object", "properties": {"answer": {"type": "integer"}}}
    p = provider(server, sleeps, secret)
    asyncio.run(p.chat(hello(system="Be brief.", output_schema=schema)))
    system = server.body()["system"]
    assert system.startswith("Be brief.\n\n")
    assert '"answer"' in system and "JSON" in system
    assert p.capabilities("claude-haiku-4-5").supports_structured_output is False


def test_stream_yields_deltas_then_response(server, sleeps, secret):
    server.reply(200, "anthropic/stream.sse")
    items = collect(provider(server, sleeps, secret), hello())
    assert items[:-1] == ["Hello", "!"]
    final = items[-1]
    assert isinstance(final, ChatResponse)
    assert final.text == "Hello!"
    assert final.finish_reason == "end_turn"
    assert final.usage.as_dict() == {"input_tokens": 25, "output_tokens": 15, "total_tokens": 40}
    assert final.model == "claude-sonnet-4-5-20250929"
    assert server.body()["stream"] is True


def test_stream_assembles_tool_use_from_json_deltas(server, sleeps, secret):
    server.reply(200, "anthropic/stream_tool_use.sse")
    items = collect(provider(server, sleeps, secret), hello())
    assert items[:-1] == ["Okay, let's check the weather", " for San Francisco, CA:"]
    final = items[-1]
    assert isinstance(final, ChatResponse)
    assert final.tool_calls == [
        ToolCall("toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather", {"location": "San Francisco, CA"})
    ]
    assert final.finish_reason == "tool_use"
    assert final.usage.as_dict() == {"input_tokens": 472, "output_tokens": 89, "total_tokens": 561}


def test_429_then_200_honours_retry_after(server, sleeps, secret):
    server.reply(429, "anthropic/error_429.json", headers={"retry-after": "7"})
    server.reply(200, "anthropic/message.json")
    answer = asyncio.run(provider(server, sleeps, secret).chat(hello()))
    assert answer.text.startswith("Hi!")
    assert sleeps == [7.0]


def test_429_exhausted(server, sleeps, secret):
    server.reply(429, "anthropic/error_429.json")
    with pytest.raises(RateLimitError, match="rate limit"):
        asyncio.run(provider(server, sleeps, secret, max_retries=1).chat(hello()))
    assert len(server.requests) == 2


def test_overloaded_529_retried_then_provider_error(server, sleeps, secret):
    server.reply(529, "anthropic/error_529.json")
    with pytest.raises(ProviderError, match=r"HTTP 529.*Overloaded"):
        asyncio.run(provider(server, sleeps, secret, max_retries=2).chat(hello()))
    assert len(server.requests) == 3 and len(sleeps) == 2


def test_401_names_env_var_without_key(server, sleeps, secret):
    server.reply(401, "anthropic/error_401.json")
    with pytest.raises(AuthenticationError) as info:
        asyncio.run(provider(server, sleeps, secret).chat(hello()))
    assert len(server.requests) == 1
    assert "ANTHROPIC_API_KEY" in str(info.value)
    assert secret not in str(info.value)


def test_unknown_model_names_it(server, sleeps, secret):
    server.reply(404, "anthropic/error_404_model.json")
    with pytest.raises(ProviderError, match="'claude-nope'"):
        asyncio.run(provider(server, sleeps, secret).chat(hello(model="claude-nope")))


def test_connection_error_names_base_url(server, sleeps, secret):
    server.fail(httpx.ConnectError("Connection refused"))
    p = provider(server, sleeps, secret, base_url="http://127.0.0.1:9999", max_retries=0)
    with pytest.raises(ProviderError, match=re.escape("127.0.0.1:9999")):
        asyncio.run(p.chat(hello()))


def test_stream_error_mapped(server, sleeps, secret):
    server.reply(401, "anthropic/error_401.json")
    with pytest.raises(AuthenticationError, match="ANTHROPIC_API_KEY"):
        collect(provider(server, sleeps, secret), hello())
