"""The Anthropic adapter (also Anthropic-compatible servers), on
``anthropic.AsyncAnthropic``. ``anthropic`` is imported on the first call only.

The installed SDK (2.x) sends an API key as ``Authorization: Bearer``; many
Anthropic-compatible servers only read ``x-api-key``, so the key goes in both headers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

from llmspell.errors import LLMSpellError
from llmspell.llm import ChatRequest, ChatResponse, Usage
from llmspell_providers.anthropic_format import build_kwargs, parse_message
from llmspell_providers.base import SDKProvider
from llmspell_providers.openai_format import tool_call

__all__ = ["AnthropicProvider"]


class AnthropicProvider(SDKProvider):
    """The Anthropic Messages API (``config.base_url`` for a compatible server)."""

    provider_type = "anthropic"

    def _import_sdk(self) -> ModuleType:
        import anthropic

        return anthropic

    def _new_client(self, sdk: ModuleType, http_client: Any) -> Any:
        # an explicit key always: the SDK must not pick up ANTHROPIC_API_KEY, a
        # credentials file or a profile by itself
        key = self.config.api_key or "not-needed"
        return sdk.AsyncAnthropic(
            api_key=key,
            default_headers={"x-api-key": key},
            base_url=self.config.base_url,
            max_retries=0,
            timeout=self.config.timeout_seconds,
            http_client=http_client,
        )

    def kwargs_for(self, request: ChatRequest) -> dict[str, Any]:
        """The ``messages.create`` arguments for ``request``."""
        kwargs = build_kwargs(request)
        kwargs["model"] = self.model_for(request)
        return kwargs

    async def chat(self, request: ChatRequest) -> ChatResponse:
        """One message."""
        kwargs = self.kwargs_for(request)
        model = kwargs["model"]
        options = self.call_options(request)
        message = await self.retrying(
            lambda: self.client.messages.create(**kwargs, **options), model
        )
        return parse_message(message, model)

    async def stream(self, request: ChatRequest) -> AsyncIterator[str | ChatResponse]:
        """Text deltas as they arrive, then the assembled :class:`ChatResponse`."""
        kwargs = self.kwargs_for(request)
        model = kwargs["model"]
        options = self.call_options(request)
        events = await self.retrying(
            lambda: self.client.messages.create(**kwargs, stream=True, **options), model
        )
        text: list[str] = []
        tools: dict[int, dict[str, str]] = {}
        usage = Usage()
        finish: str | None = None
        answered_by = model
        try:
            async for event in events:
                kind = getattr(event, "type", None)
                if kind == "message_start":
                    answered_by = getattr(event.message, "model", None) or answered_by
                    start = getattr(event.message, "usage", None)
                    if start is not None:
                        usage.input_tokens = int(getattr(start, "input_tokens", 0) or 0)
                        usage.output_tokens = int(getattr(start, "output_tokens", 0) or 0)
                elif kind == "content_block_start":
                    block = event.content_block
                    if getattr(block, "type", None) == "tool_use":
                        tools[event.index] = {"id": block.id, "name": block.name, "json": ""}
                elif kind == "content_block_delta":
                    delta = event.delta
                    dtype = getattr(delta, "type", None)
                    if dtype == "text_delta" and delta.text:
                        text.append(delta.text)
                        yield delta.text
                    elif dtype == "input_json_delta" and event.index in tools:
                        tools[event.index]["json"] += delta.partial_json or ""
                elif kind == "message_delta":
                    finish = getattr(event.delta, "stop_reason", None) or finish
                    end = getattr(event, "usage", None)
                    if end is not None and getattr(end, "output_tokens", None) is not None:
                        usage.output_tokens = int(end.output_tokens)
                    if end is not None and getattr(end, "input_tokens", None):
                        usage.input_tokens = int(end.input_tokens)
        except LLMSpellError:
            raise
        except Exception as exc:
            raise self.map_error(exc, model) from None
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                await close()
        calls = [tool_call(t["id"], t["name"], t["json"]) for _, t in sorted(tools.items())]
        yield ChatResponse(
            text="".join(text),
            tool_calls=calls,
            usage=usage,
            model=answered_by,
            finish_reason=finish,
        )
