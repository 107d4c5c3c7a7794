"""What the SDK adapters share: the lazily built client, retries, error mapping."""

from __future__ import annotations

import asyncio
import contextlib
from abc import abstractmethod
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any, TypeVar

from llmspell.errors import LLMSpellError
from llmspell.llm import Capabilities, ChatProvider, ChatRequest, ProviderConfig, Usage
from llmspell.progress import report_retry
from llmspell_providers import capabilities as caps
from llmspell_providers import sdk_errors
from llmspell_providers.retry import with_retries

__all__ = ["SDKProvider"]

T = TypeVar("T")


class SDKProvider(ChatProvider):
    """A :class:`ChatProvider` on an official SDK, imported on the first call."""

    #: ``"openai"`` or ``"anthropic"`` (capability tables, default names)
    provider_type: str = ""

    def __init__(self, config: ProviderConfig) -> None:
        super().__init__(config)
        self._client: Any = None
        #: the sleep between retries (tests inject a fake)
        self.sleep: Callable[[float], Awaitable[Any]] | None = None

    @abstractmethod
    def _import_sdk(self) -> ModuleType:
        """Import and return the SDK module (the expensive part)."""

    @abstractmethod
    def _new_client(self, sdk: ModuleType, http_client: Any) -> Any:
        """Build the SDK's async client."""

    @property
    def sdk(self) -> ModuleType:
        """The SDK module, imported now if it was not yet."""
        return self._import_sdk()

    @property
    def client(self) -> Any:
        """The SDK client, built on first use."""
        if self._client is None:
            from llmspell_providers.transport import http_client_for

            sdk = self.sdk
            self._client = self._new_client(sdk, http_client_for(self.config, sdk))
        return self._client

    def model_for(self, request: ChatRequest) -> str:
        """The model a request uses (its own, else the provider's default)."""
        return request.model or self.config.default_model or ""

    def capabilities(self, model: str | None = None) -> Capabilities:
        """Capabilities of ``model`` (default: the provider's default model)."""
        return caps.capabilities(
            self.provider_type or self.config.provider_type, model or self.config.default_model
        )

    def cost_usd(self, model: str, usage: Usage) -> float | None:
        """The price of ``usage`` on ``model`` from the dated price table, or None."""
        return caps.cost_usd(model, usage)

    def call_options(self, request: ChatRequest) -> dict[str, Any]:
        """Per-call SDK options: the request's own timeout, when set."""
        if request.timeout_seconds is not None:
            return {"timeout": request.timeout_seconds}
        return {}

    async def retrying(self, call: Callable[[], Awaitable[T]], model: str) -> T:
        """Await ``call()`` with retries; SDK errors come out as llmspell errors."""
        if self._client is None:
            # the SDK's first import takes up to a second: off the event loop, so a Ctrl-C
            # or a limit during it stops the call at once, at the spell's line
            await asyncio.to_thread(lambda: self.client)
        sdk = self.sdk
        kwargs: dict[str, Any] = {}
        if self.sleep is not None:
            kwargs["sleep"] = self.sleep
        max_retries = self.config.max_retries

        def on_retry(attempt: int, delay: float, exc: Exception) -> None:
            report_retry(
                provider=self.config.name,
                model=model,
                attempt=attempt,
                max_retries=max_retries,
                delay_s=delay,
                error=exc,
            )

        try:
            return await with_retries(
                call,
                max_retries=max_retries,
                classify=lambda exc: sdk_errors.classify(sdk, exc),
                on_retry=on_retry,
                **kwargs,
            )
        except LLMSpellError:
            raise
        except Exception as exc:
            raise self.map_error(exc, model) from None

    def map_error(self, exc: BaseException, model: str) -> LLMSpellError:
        """The llmspell error for ``exc`` (already-mapped errors pass through)."""
        if isinstance(exc, LLMSpellError):
            return exc
        return sdk_errors.map_error(self.sdk, exc, self.config, model)

    async def close(self) -> None:
        """Close the HTTP client (a later call builds a new one)."""
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):  # closing must not fail a finished run
                await client.close()
