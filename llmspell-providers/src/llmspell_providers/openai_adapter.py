"""The OpenAI adapter (also every OpenAI-compatible server), on ``openai.AsyncOpenAI``.

``openai`` is imported on the first call, never when this module is imported.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

from llmspell.errors import LLMSpellError, ProviderError
from llmspell.llm import ChatRequest, ChatResponse, Usage
from llmspell_providers.base import SDKProvider
from llmspell_providers.openai_format import (
    build_kwargs,
    parse_completion,
    tool_call,
    usage_of,
)

__all__ = ["OpenAIProvider"]

OFFICIAL_HOST = "api.openai.com"


class OpenAIProvider(SDKProvider):
    """Chat Completions on OpenAI or a compatible server (``config.base_url``)."""

    provider_type = "openai"

    def _import_sdk(self) -> ModuleType:
        import openai

        return openai

    def _new_client(self, sdk: ModuleType, http_client: Any) -> Any:
        # never let the SDK fall back to OPENAI_API_KEY: a local server would receive it
        return sdk.AsyncOpenAI(
            api_key=self.config.api_key or "not-needed",
            base_url=self.config.base_url,
            max_retries=0,
            timeout=self.config.timeout_seconds,
            http_client=http_client,
        )

    @property
    def official(self) -> bool:
        """True when talking to api.openai.com itself."""
        return self.config.base_url is None or OFFICIAL_HOST in self.config.base_url

    def kwargs_for(self, request: ChatRequest) -> dict[str, Any]:
        """The ``chat.completions.create`` arguments for ``request``."""
        model = self.model_for(request)
        if request.model != model:
            request = ChatRequest(**{**request.__dict__, "model": model})
        return build_kwargs(
            request,
            native_schema=self.capabilities(model).supports_structured_output,
            max_tokens_key="max_completion_tokens" if self.official else "max_tokens",
        )

    async def chat(self, request: ChatRequest) -> ChatResponse:
        """One completion."""
        kwargs = self.kwargs_for(request)
        model = kwargs["model"]
        options = self.call_options(request)
        completion = await self.retrying(
            lambda: self.client.chat.completions.create(**kwargs, **options), model
        )
        return parse_completion(completion, model)

    async def stream(self, request: ChatRequest) -> AsyncIterator[str | ChatResponse]:
        """Text deltas as they arrive, then the assembled :class:`ChatResponse`."""
        kwargs = self.kwargs_for(request)
        model = kwargs["model"]
        options = self.call_options(request)
        kwargs.update(stream=True, stream_options={"include_usage": True})
        chunks = await self.retrying(
            lambda: self.client.chat.completions.create(**kwargs, **options), model
        )
        text: list[str] = []
        calls: dict[int, dict[str, str]] = {}
        usage = Usage()
        finish: str | None = None
        answered_by = model
        try:
            async for chunk in chunks:
                answered_by = getattr(chunk, "model", None) or answered_by
                if getattr(chunk, "usage", None) is not None:
                    usage = usage_of(chunk.usage)
                for choice in getattr(chunk, "choices", None) or []:
                    if choice.index != 0:
                        continue
                    finish = choice.finish_reason or finish
                    delta = choice.delta
                    if delta is None:
                        continue
                    for part in getattr(delta, "tool_calls", None) or []:
                        slot = calls.setdefault(part.index, {"id": "", "name": "", "args": ""})
                        slot["id"] = part.id or slot["id"]
                        if part.function is not None:
                            slot["name"] += part.function.name or ""
                            slot["args"] += part.function.arguments or ""
                    if delta.content:
                        text.append(delta.content)
                        yield delta.content
        except LLMSpellError:
            raise
        except Exception as exc:
            raise self.map_error(exc, model) from None
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                await close()
        tool_calls = [
            tool_call(slot["id"], slot["name"], slot["args"]) for _, slot in sorted(calls.items())
        ]
        if any(not call.name for call in tool_calls):
            raise ProviderError(f"model {model!r} streamed a tool call without a name")
        yield ChatResponse(
            text="".join(text),
            tool_calls=tool_calls,
            usage=usage,
            model=answered_by,
            finish_reason=finish,
        )
