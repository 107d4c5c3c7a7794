"""ChatRequest → OpenAI Chat Completions arguments, and a completion → ChatResponse.

Pure functions over plain dicts and SDK objects (read by attribute), no network.
"""

from __future__ import annotations

import json
from typing import Any

from llmspell.errors import ProviderError
from llmspell.llm import ChatRequest, ChatResponse, Message, ToolCall, Usage
from llmspell_providers.structured import with_instruction

__all__ = [
    "build_kwargs",
    "decode_arguments",
    "parse_completion",
    "to_openai_message",
    "tool_call",
    "usage_of",
]


def to_openai_message(message: Message) -> dict[str, Any]:
    """One llmspell message as an OpenAI chat message."""
    if message.role == "tool":
        return {
            "role": "tool",
            "tool_call_id": message.tool_call_id or "",
            "content": message.content,
        }
    out: dict[str, Any] = {"role": message.role}
    if message.name:
        out["name"] = message.name
    if message.role == "user" and message.images:
        parts: list[dict[str, Any]] = []
        if message.content:
            parts.append({"type": "text", "text": message.content})
        for image in message.images:
            url = f"data:{image.media_type};base64,{image.data}"
            parts.append({"type": "image_url", "image_url": {"url": url}})
        out["content"] = parts
    elif message.role == "assistant" and message.tool_calls:
        # "" rather than null: OpenAI accepts both, llama.cpp's server only a string
        out["content"] = message.content or ""
        out["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
            }
            for call in message.tool_calls
        ]
    else:
        out["content"] = message.content
    return out


def build_kwargs(
    request: ChatRequest, *, native_schema: bool, max_tokens_key: str = "max_tokens"
) -> dict[str, Any]:
    """Keyword arguments of ``chat.completions.create`` for ``request``.

    ``native_schema``: send ``output_schema`` as ``response_format`` json_schema;
    otherwise ask for it in the system prompt (the agent validates the answer).
    ``max_tokens_key``: ``max_completion_tokens`` on api.openai.com (its reasoning
    models refuse ``max_tokens``), ``max_tokens`` on compatible servers.
    """
    system = request.system
    if request.output_schema is not None and not native_schema:
        system = with_instruction(system, request.output_schema)
    messages: list[dict[str, Any]] = []
    if system:
        messages.append({"role": "system", "content": system})
    messages.extend(to_openai_message(m) for m in request.messages)
    kwargs: dict[str, Any] = {"model": request.model, "messages": messages}
    if request.tools:
        # some servers (llama.cpp's function-calling formats) only consider tools when
        # asked to choose: "auto" is also OpenAI's default when tools are present
        kwargs["tool_choice"] = "auto"
        kwargs["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": tool.parameters,
                },
            }
            for tool in request.tools
        ]
    if request.output_schema is not None and native_schema:
        kwargs["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "output", "schema": request.output_schema, "strict": False},
        }
    if request.temperature is not None:
        kwargs["temperature"] = request.temperature
    if request.max_tokens is not None:
        kwargs[max_tokens_key] = request.max_tokens
    return kwargs


def tool_call(call_id: str, name: str, raw: str | None) -> ToolCall:
    """A ToolCall from the model's raw JSON arguments; unreadable arguments become the
    call's ``error`` (answered to the model) rather than failing the whole request."""
    try:
        return ToolCall(id=call_id, name=name, arguments=decode_arguments(name, raw))
    except ProviderError as exc:
        return ToolCall(id=call_id, name=name, arguments={}, error=exc.message)


def decode_arguments(name: str, raw: str | None) -> dict[str, Any]:
    """A tool call's JSON arguments; ProviderError naming the tool when invalid."""
    if not raw or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ProviderError(
            f"the model called tool {name!r} with invalid JSON arguments ({exc.msg})"
        ) from None
    if not isinstance(value, dict):
        raise ProviderError(
            f"the model called tool {name!r} with arguments that are not a JSON object"
        )
    return value


def usage_of(usage: Any) -> Usage:
    """An OpenAI ``usage`` object (or None) as :class:`Usage`."""
    if usage is None:
        return Usage()
    return Usage(
        input_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
        output_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
    )


def parse_completion(completion: Any, model: str) -> ChatResponse:
    """A ``ChatCompletion`` as a :class:`ChatResponse`."""
    choices = getattr(completion, "choices", None) or []
    if not choices:
        raise ProviderError(f"model {model!r} returned no choices")
    choice = choices[0]
    message = choice.message
    calls = [
        tool_call(call.id, call.function.name, call.function.arguments)
        for call in (getattr(message, "tool_calls", None) or [])
        if getattr(call, "function", None) is not None
    ]
    text = message.content
    if text is None:
        text = getattr(message, "refusal", None) or ""
    return ChatResponse(
        text=text,
        tool_calls=calls,
        usage=usage_of(getattr(completion, "usage", None)),
        model=getattr(completion, "model", None) or model,
        finish_reason=choice.finish_reason,
    )
