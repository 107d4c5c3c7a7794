"""ChatRequest → Anthropic Messages arguments, and a message → ChatResponse.

Pure functions, no network. Anthropic takes the system prompt apart from the turns,
answers tools with ``tool_result`` blocks inside a user turn, and wants consecutive
turns of one role merged (all results of one tool round go in one user turn).
"""

from __future__ import annotations

from typing import Any

from llmspell.llm import ChatRequest, ChatResponse, Message, ToolCall, Usage
from llmspell_providers.structured import with_instruction

__all__ = ["DEFAULT_MAX_TOKENS", "build_kwargs", "parse_message", "to_blocks", "usage_of"]

#: Anthropic requires max_tokens; used when the request sets none
DEFAULT_MAX_TOKENS = 1024


def to_blocks(message: Message) -> list[dict[str, Any]]:
    """The content blocks of one (user, assistant or tool) message."""
    if message.role == "tool":
        return [
            {
                "type": "tool_result",
                "tool_use_id": message.tool_call_id or "",
                "content": message.content,
            }
        ]
    blocks: list[dict[str, Any]] = []
    for image in message.images if message.role == "user" else []:
        blocks.append(
            {
                "type": "image",
                "source": {"type": "base64", "media_type": image.media_type, "data": image.data},
            }
        )
    if message.content:
        blocks.append({"type": "text", "text": message.content})
    if message.role == "assistant":
        blocks.extend(
            {"type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments}
            for call in message.tool_calls
        )
    return blocks


def _turns(messages: list[Message]) -> tuple[list[str], list[dict[str, Any]]]:
    systems: list[str] = []
    turns: list[dict[str, Any]] = []
    for message in messages:
        if message.role == "system":
            if message.content:
                systems.append(message.content)
            continue
        role = "assistant" if message.role == "assistant" else "user"
        blocks = to_blocks(message)
        if not blocks:
            continue
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    for turn in turns:  # a lone text block reads better as a plain string
        content = turn["content"]
        if len(content) == 1 and content[0]["type"] == "text":
            turn["content"] = content[0]["text"]
    return systems, turns


def build_kwargs(request: ChatRequest) -> dict[str, Any]:
    """Keyword arguments of ``messages.create`` for ``request``. ``output_schema`` becomes
    an instruction in the system prompt: no native JSON-schema mode is assumed, since
    Anthropic-compatible servers lack ``output_config.format`` (the agent validates)."""
    systems, turns = _turns(request.messages)
    system = "\n\n".join([s for s in (request.system, *systems) if s]) or None
    system = with_instruction(system, request.output_schema)
    kwargs: dict[str, Any] = {
        "model": request.model,
        "messages": turns,
        "max_tokens": request.max_tokens or DEFAULT_MAX_TOKENS,
    }
    if system:
        kwargs["system"] = system
    if request.tools:
        kwargs["tools"] = [
            {"name": t.name, "description": t.description, "input_schema": t.parameters}
            for t in request.tools
        ]
    if request.temperature is not None:
        # the 2.x SDK dropped ``temperature`` from create(); the API still reads it
        kwargs["extra_body"] = {"temperature": request.temperature}
    return kwargs


def usage_of(usage: Any) -> Usage:
    """An Anthropic ``usage`` object (or None) as :class:`Usage`."""
    if usage is None:
        return Usage()
    return Usage(
        input_tokens=int(getattr(usage, "input_tokens", 0) or 0),
        output_tokens=int(getattr(usage, "output_tokens", 0) or 0),
    )


def parse_message(message: Any, model: str) -> ChatResponse:
    """A ``Message`` as a :class:`ChatResponse` (text blocks joined, tool_use → ToolCall)."""
    text: list[str] = []
    calls: list[ToolCall] = []
    for block in getattr(message, "content", None) or []:
        kind = getattr(block, "type", None)
        if kind == "text":
            text.append(block.text)
        elif kind == "tool_use":
            args = block.input if isinstance(block.input, dict) else {}
            calls.append(ToolCall(id=block.id, name=block.name, arguments=dict(args)))
    return ChatResponse(
        text="".join(text),
        tool_calls=calls,
        usage=usage_of(getattr(message, "usage", None)),
        model=getattr(message, "model", None) or model,
        finish_reason=getattr(message, "stop_reason", None),
    )
