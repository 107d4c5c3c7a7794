"""The OpenAI adapter against an in-process mock of the Chat Completions API."""

from __future__ import annotations

import asyncio
import email.utils
import re
import time
from typing import Any

import httpx
import pytest

from llmspell.errors import AuthenticationError, ProviderError, RateLimitError, TimeoutError
from llmspell.llm import (
    ChatRequest,
    ChatResponse,
    ImagePart,
    Message,
    ProviderConfig,
    ToolCall,
    ToolSpec,
)
from llmspell_providers.openai_adapter import OpenAIProvider

BASE = "http://127.0.0.1:11434/v1"


def provider(server: Any, sleeps: Any, secret: str, **kw: Any) -> OpenAIProvider:
    config = ProviderConfig(
        name=kw.pop("name", "openai"),
        provider_type="openai",
        base_url=kw.pop("base_url", "https://api.openai.com/v1"),
        api_key=kw.pop("api_key", secret),
        api_key_env=kw.pop("api_key_env", "OPENAI_API_KEY"),
        transport=server.transport,
        **kw,
    )
    p = OpenAIProvider(config)
    p.sleep = sleeps
    return p


def hello(**kw: Any) -> ChatRequest:
    return ChatRequest(model=kw.pop("model", "gpt-4o-mini"), messages=[Message("user", "Hi")], **kw)


def collect(p: OpenAIProvider, request: ChatRequest) -> list[str | ChatResponse]:
    async def go() -> list[str | ChatResponse]:
        return [item async for item in p.stream(request)]

    return asyncio.run(go())


def test_chat_sends_model_messages_and_parses_answer(server, sleeps, secret):
    server.reply(200, "openai/chat_completion.json")
    p = provider(server, sleeps, secret)
    answer = asyncio.run(p.chat(hello(system="Be brief.", temperature=0.2, max_tokens=50)))
    assert answer.text == "Hello! How can I assist you today?"
    assert answer.model == "gpt-4o-mini-2024-07-18"
    assert answer.finish_reason == "stop"
    assert answer.usage.as_dict() == {"input_tokens": 19, "output_tokens": 10, "total_tokens": 29}
    request = server.requests[0]
    assert request.url == "https://api.openai.com/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {secret}"
    body = server.body()
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"},
    ]
    assert body["temperature"] == 0.2
    # api.openai.com: reasoning models refuse max_tokens
    assert body["max_completion_tokens"] == 50 and "max_tokens" not in body
    assert "tools" not in body and "response_format" not in body and "stream" not in body


def test_compatible_server_gets_max_tokens_and_placeholder_key(server, sleeps):
    server.reply(200, "openai/chat_completion.json")
    p = provider(server, sleeps, None, name="ollama", base_url=BASE, api_key_env=None)
    asyncio.run(p.chat(hello(model="llama3.2", max_tokens=7)))
    assert str(server.requests[0].url) == BASE + "/chat/completions"
    assert server.body()["max_tokens"] == 7
    assert server.requests[0].headers["authorization"] == "Bearer not-needed"


def test_default_model_used_when_request_has_none(server, sleeps, secret):
    server.reply(200, "openai/chat_completion.json")
    p = provider(server, sleeps, secret, default_model="gpt-4.1-mini")
    asyncio.run(p.chat(ChatRequest(model="", messages=[Message("user", "x")])))
    assert server.body()["model"] == "gpt-4.1-mini"


def test_images_tool_calls_and_tool_results_are_mapped(server, sleeps, secret):
    server.reply(200, "openai/chat_completion.json")
    p = provider(server, sleeps, secret)
    messages = [
        Message("user", "What is this?", images=[ImagePart("iVBORw0KGgo=", "image/png")]),
        Message(
            "assistant",
            "",
            tool_calls=[ToolCall("call_1", "calculator", {"expression": "2+2"})],
        ),
        Message("tool", '{"result": 4}', tool_call_id="call_1"),
    ]
    tools = [ToolSpec("calculator", "Evaluates maths", {"type": "object", "properties": {}})]
    asyncio.run(p.chat(ChatRequest(model="gpt-4o", messages=messages, tools=tools)))
    body = server.body()
    assert body["messages"][0] == {
        "role": "user",
        "content": [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
        ],
    }
    assert body["messages"][1] == {
        "role": "assistant",
        "content": "",  # a string: llama.cpp's server rejects null
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "calculator", "arguments": '{"expression": "2+2"}'},
            }
        ],
    }
    assert body["messages"][2] == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": '{"result": 4}',
    }
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "calculator",
                "description": "Evaluates maths",
                "parameters": {"type": "object", "properties": {}},
            },
        }
    ]


def test_tool_calls_are_parsed_with_decoded_arguments(server, sleeps, secret):
    server.reply(200, "openai/chat_tool_calls.json")
    answer = asyncio.run(provider(server, sleeps, secret).chat(hello()))
    assert answer.text == ""
    assert answer.finish_reason == "tool_calls"
    assert answer.tool_calls == [
        ToolCall("call_abc123", "get_current_weather", {"location": "Boston, MA"}),
        ToolCall("call_def456", "calculator", {"expression": "2+2"}),
    ]


def test_invalid_tool_arguments_become_the_calls_error(server, sleeps, secret):
    # small models write broken JSON: the call carries the error (the agent answers the
    # model with it) instead of the whole request failing
    server.reply(200, "openai/chat_tool_bad_args.json")
    answer = asyncio.run(provider(server, sleeps, secret).chat(hello()))
    call = answer.tool_calls[0]
    assert call.name == "calculator" and call.arguments == {}
    assert call.error is not None and "'calculator'" in call.error and "invalid JSON" in call.error


def test_tools_are_offered_with_tool_choice_auto(server, sleeps, secret):
    server.reply(200, "openai/chat_tool_bad_args.json")
    tool = ToolSpec("calculator", "calc", {"type": "object", "properties": {}})
    asyncio.run(provider(server, sleeps, secret).chat(hello(tools=[tool])))
    assert server.body()["tool_choice"] == "auto"


def test_structured_output_uses_json_schema_response_format(server, sleeps, secret):
    server.reply(200, "openai/chat_structured.json")
    schema = {"type": "object", "properties": {"name": {"type": "string"}}}
    answer = asyncio.run(
        provider(server, sleeps, secret).chat(hello(model="gpt-4o", output_schema=schema))
    )
    assert answer.text.startswith('{"name":"Science Fair"')
    assert server.body()["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "output", "schema": schema, "strict": False},
    }


def test_structured_output_on_unknown_local_model_is_an_instruction(server, sleeps):
    server.reply(200, "openai/chat_structured.json")
    schema = {"type": "object"}
    p = provider(server, sleeps, None, name="ollama", base_url=BASE, api_key_env=None)
    asyncio.run(p.chat(hello(model="my-finetune", output_schema=schema)))
    body = server.body()
    assert "response_format" not in body
    assert body["messages"][0]["role"] == "system"
    assert "JSON schema" in body["messages"][0]["content"]


def test_stream_yields_deltas_then_response(server, sleeps, secret):
    server.reply(200, "openai/stream_text.sse")
    items = collect(provider(server, sleeps, secret), hello())
    assert items[:-1] == ["Hello", ", world", "!"]
    final = items[-1]
    assert isinstance(final, ChatResponse)
    assert final.text == "Hello, world!"
    assert final.finish_reason == "stop"
    assert final.usage.as_dict() == {"input_tokens": 9, "output_tokens": 4, "total_tokens": 13}
    body = server.body()
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


def test_stream_accumulates_tool_call_deltas_by_index(server, sleeps, secret):
    server.reply(200, "openai/stream_tool_calls.sse")
    items = collect(provider(server, sleeps, secret), hello())
    assert len(items) == 1
    final = items[0]
    assert isinstance(final, ChatResponse)
    assert final.tool_calls == [
        ToolCall("call_w1", "get_current_weather", {"location": "Paris"}),
        ToolCall("call_c2", "calculator", {"expression": "6*7"}),
    ]
    assert final.finish_reason == "tool_calls"
    assert final.usage.total_tokens == 161


def test_429_then_200_succeeds_after_retry_after(server, sleeps, secret):
    server.reply(429, "openai/error_429.json", headers={"retry-after": "2"})
    server.reply(200, "openai/chat_completion.json")
    answer = asyncio.run(provider(server, sleeps, secret).chat(hello()))
    assert answer.text.startswith("Hello")
    assert len(server.requests) == 2
    assert sleeps == [2.0]


def test_retry_after_http_date_is_honoured(server, sleeps, secret):
    when = email.utils.formatdate(time.time() + 5, usegmt=True)
    server.reply(503, "openai/error_500.json", headers={"retry-after": when})
    server.reply(200, "openai/chat_completion.json")
    asyncio.run(provider(server, sleeps, secret).chat(hello()))
    assert len(sleeps) == 1 and 3.0 <= sleeps[0] <= 5.0


def test_429_exhausted_is_rate_limit_error(server, sleeps, secret):
    server.reply(429, "openai/error_429.json")
    with pytest.raises(RateLimitError) as info:
        asyncio.run(provider(server, sleeps, secret, max_retries=2).chat(hello()))
    assert len(server.requests) == 3
    assert len(sleeps) == 2
    # full jitter: each delay within [0, base * 2**attempt]
    assert 0 <= sleeps[0] <= 0.5 and 0 <= sleeps[1] <= 1.0
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_500_retried_then_provider_error_with_status(server, sleeps, secret):
    server.reply(500, "openai/error_500.json")
    with pytest.raises(ProviderError, match="HTTP 500") as info:
        asyncio.run(provider(server, sleeps, secret, max_retries=3).chat(hello()))
    assert len(server.requests) == 4
    assert len(sleeps) == 3
    assert "server had an error" in str(info.value)


def test_401_not_retried_names_env_var_and_hides_key(server, sleeps, secret):
    server.reply(401, "openai/error_401.json")
    with pytest.raises(AuthenticationError) as info:
        asyncio.run(provider(server, sleeps, secret).chat(hello()))
    assert len(server.requests) == 1 and sleeps == []
    text = str(info.value)
    assert "OPENAI_API_KEY" in text
    assert secret not in text and "sk-test" not in text
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_403_is_authentication_error(server, sleeps, secret):
    server.reply(403, "openai/error_401.json")
    with pytest.raises(AuthenticationError, match="OPENAI_API_KEY"):
        asyncio.run(provider(server, sleeps, secret).chat(hello()))


def test_unknown_model_names_the_model(server, sleeps, secret):
    server.reply(404, "openai/error_404_model.json")
    with pytest.raises(ProviderError, match="'gpt-nope'") as info:
        asyncio.run(provider(server, sleeps, secret).chat(hello(model="gpt-nope")))
    assert len(server.requests) == 1
    assert type(info.value) is ProviderError


def test_400_unknown_model_names_the_model(server, sleeps):
    server.reply(400, "openai/error_400_model.json")
    p = provider(server, sleeps, None, name="ollama", base_url=BASE, api_key_env=None)
    with pytest.raises(ProviderError, match=r"'llama-nope'.*HTTP 400"):
        asyncio.run(p.chat(hello(model="llama-nope")))


def test_connection_error_names_the_base_url(server, sleeps):
    server.fail(httpx.ConnectError("Connection refused"))
    p = provider(
        server, sleeps, None, name="ollama", base_url=BASE, api_key_env=None, max_retries=1
    )
    with pytest.raises(ProviderError, match=re.escape("127.0.0.1:11434")) as info:
        asyncio.run(p.chat(hello(model="llama3.2")))
    assert len(server.requests) == 2  # connection errors are retried
    assert info.value.__cause__ is None


def test_timeout_is_llmspell_timeout_error(server, sleeps, secret):
    server.fail(httpx.ReadTimeout("timed out"))
    with pytest.raises(TimeoutError, match="did not answer within 5 s"):
        asyncio.run(
            provider(server, sleeps, secret, max_retries=0, timeout_seconds=5).chat(hello())
        )


def test_stream_errors_are_mapped_too(server, sleeps, secret):
    server.reply(401, "openai/error_401.json")
    with pytest.raises(AuthenticationError, match="OPENAI_API_KEY"):
        collect(provider(server, sleeps, secret), hello())


def test_key_never_in_errors_even_when_server_echoes_it(server, sleeps, secret):
    server.responses.append(
        httpx.Response(500, json={"error": {"message": f"bad key {secret} in request"}})
    )
    with pytest.raises(ProviderError) as info:
        asyncio.run(provider(server, sleeps, secret, max_retries=0).chat(hello()))
    assert secret not in str(info.value)
    assert secret not in repr(provider(server, sleeps, secret).config)


def test_capabilities_of_the_provider(server, sleeps, secret):
    p = provider(server, sleeps, secret, default_model="gpt-4o-mini")
    assert p.capabilities().supports_structured_output
    assert p.capabilities("o1-mini").supports_tools is False


def test_close_is_idempotent(server, sleeps, secret):
    server.reply(200, "openai/chat_completion.json")
    p = provider(server, sleeps, secret)

    async def go() -> None:
        await p.chat(hello())
        await p.close()
        await p.close()

    asyncio.run(go())
