"""The ``openai`` embedder: ``POST {base_url}/embeddings`` of OpenAI or any
OpenAI-compatible server (llama.cpp, Ollama, vLLM, LM Studio, hosted services).

``[rag] embedder = "openai/text-embedding-3-small"`` uses OpenAI; ``"PROVIDER/MODEL"``
uses a configured provider (a preset such as ``llamacpp`` or a ``[providers.NAME]``
table), resolved like an agent's provider: its base URL, its key from the environment
variable it names (docs/providers.md). Vectors are L2-normalised here (not every
server does). The vector length of OpenAI's models is known; for other models it is
learnt from the first answer (reading :attr:`OpenAIEmbedder.dimensions` before any
embedding embeds one short text).
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar, cast

from llmspell.embedders import Embedder
from llmspell.errors import ConfigurationError, LLMSpellError, ProviderError
from llmspell.llm import ProviderConfig
from llmspell_providers.embeddings.local import check_texts

if TYPE_CHECKING:
    from llmspell.runtime import Runtime

__all__ = ["KNOWN_DIMENSIONS", "OpenAIEmbedder", "open_openai", "resolve_config"]

T = TypeVar("T")

#: vector lengths of OpenAI's embedding models
KNOWN_DIMENSIONS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}
#: the model ``openai`` (without ``/MODEL``) uses
DEFAULT_MODEL = "text-embedding-3-small"
_PROBE = "dimension probe"


def _run(make: Callable[[], Awaitable[T]]) -> T:
    """Run the coroutine ``make()`` to completion from blocking code: here when this
    thread has no event loop, else in a helper thread (never blocking a running loop's
    own coroutines on themselves)."""

    async def main() -> T:
        return await make()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    with ThreadPoolExecutor(1, thread_name_prefix="llmspell-embed") as pool:
        return pool.submit(asyncio.run, main()).result()


class OpenAIEmbedder(Embedder):
    """An OpenAI-compatible embeddings endpoint. :meth:`embed` blocks (one HTTP client
    per call, batches of :attr:`max_batch` texts, retries like the chat providers)."""

    name = "openai"

    def __init__(self, config: ProviderConfig, model: str, *, max_batch: int = 128) -> None:
        if config.provider_type != "openai":
            raise ConfigurationError(
                f"provider {config.name!r} is of type {config.provider_type!r}, which has "
                "no OpenAI-compatible /embeddings endpoint",
                hint='use "local" or an OpenAI-compatible provider for [rag] embedder',
            )
        self.config = config
        self.model = model
        self.max_batch = max(1, int(max_batch))
        known = KNOWN_DIMENSIONS.get(model.rpartition("/")[2])
        self._dimensions: int | None = known
        self.max_input_tokens = 8191 if known else 512
        #: the sleep between retries (tests inject a fake)
        self.sleep: Callable[[float], Awaitable[Any]] | None = None
        self._lock = threading.Lock()

    @property
    def dimensions(self) -> int:
        """The vector length: known for OpenAI's models, else learnt from the first
        answer (embedding one short text now when nothing was embedded yet)."""
        if self._dimensions is None:
            self.embed([_PROBE])
        assert self._dimensions is not None
        return self._dimensions

    @dimensions.setter
    def dimensions(self, value: int) -> None:
        self._dimensions = value

    def describe(self) -> str:
        """``provider/model (N dims)`` (without probing the server)."""
        dims = f"{self._dimensions} dims" if self._dimensions else "dims not known yet"
        return f"{self.config.name}/{self.model} ({dims})"

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector per text, in order (requests of at most :attr:`max_batch`)."""
        items = check_texts(texts)
        if not items:
            return []
        batches = [items[i : i + self.max_batch] for i in range(0, len(items), self.max_batch)]
        vectors = _run(lambda: self._embed_batches(batches))
        return [self._normalised(v) for v in vectors]

    async def _embed_batches(self, batches: list[list[str]]) -> list[list[float]]:
        from llmspell_providers.transport import http_client_for

        out: list[list[float]] = []
        async with http_client_for(self.config) as client:
            for batch in batches:
                vectors = await self._request(client, batch)
                self._check_length(len(vectors[0]))
                out.extend(vectors)
        return out

    async def _request(self, client: Any, batch: list[str]) -> list[list[float]]:
        from llmspell.progress import report_retry
        from llmspell_providers.embeddings import openai_http
        from llmspell_providers.retry import with_retries

        config = self.config

        def on_retry(attempt: int, delay: float, exc: Exception) -> None:
            report_retry(
                provider=config.name,
                model=self.model,
                attempt=attempt,
                max_retries=config.max_retries,
                delay_s=delay,
                error=exc,
            )

        kwargs: dict[str, Any] = {} if self.sleep is None else {"sleep": self.sleep}
        try:
            return await with_retries(
                lambda: openai_http.post_embeddings(client, config, self.model, batch),
                max_retries=config.max_retries,
                classify=openai_http.classify,
                on_retry=on_retry,
                **kwargs,
            )
        except LLMSpellError:
            raise
        except Exception as exc:
            raise openai_http.map_error(exc, config, self.model) from None

    def _check_length(self, length: int) -> None:
        with self._lock:
            if self._dimensions is None:
                self._dimensions = length
            elif length != self._dimensions:
                raise ProviderError(
                    f"provider {self.config.name!r} returned vectors of {length} "
                    f"dimensions for model {self.model!r}, expected {self._dimensions}",
                    hint="the server may have loaded another model; check its configuration",
                )

    def _normalised(self, vector: list[float]) -> list[float]:
        norm = math.sqrt(math.fsum(x * x for x in vector))
        if norm == 0.0 or not math.isfinite(norm):
            raise ProviderError(
                f"provider {self.config.name!r} returned a zero or overflowing vector "
                f"for model {self.model!r}"
            )
        return [x / norm for x in vector]


class _Resolver:
    """What :func:`llmspell.provider_resolution.resolve_provider_config` reads of a
    runtime, for an embedder opened with only the settings: this package's presets and
    the ``[providers.NAME]`` tables."""

    def __init__(self, settings: Any, transport: Any) -> None:
        from llmspell.registry import ProviderRegistry
        from llmspell_providers import plugin

        self.settings = settings
        self.provider_transport = transport
        self.providers = ProviderRegistry()
        plugin.register_providers(self.providers.register)

    @property
    def policy(self) -> Any:
        raise ConfigurationError("an embedder has no spell-chosen base_url to check")


def resolve_config(
    provider: str, *, settings: Any, transport: Any = None, runtime: Runtime | None = None
) -> ProviderConfig:
    """Provider ``provider``'s configuration, as an agent would get it (preset,
    ``[providers.NAME]``, ``LLMSPELL_PROVIDER_<NAME>_BASE_URL``, the key's env var)."""
    from llmspell.provider_resolution import resolve_provider_config

    if runtime is None:
        if settings is None:
            from llmspell.config import Settings

            settings = Settings()
        runtime = cast("Runtime", _Resolver(settings, transport))
    config = resolve_provider_config(runtime, provider)
    if transport is not None and config.transport is None:
        config = dataclasses.replace(config, transport=transport)
    return config


def open_openai(
    model: str | None = None,
    *,
    settings: Any = None,
    transport: Any = None,
    provider: str | None = None,
    runtime: Runtime | None = None,
    max_batch: int = 128,
    **_: Any,
) -> OpenAIEmbedder:
    """The ``openai`` embedder factory: ``model`` of ``provider`` (default ``openai``;
    ``text-embedding-3-small`` when it is OpenAI and no model is named).
    ConfigurationError when the provider is unknown or its key is not set."""
    name = provider or "openai"
    if not model:
        if name != "openai":
            raise ConfigurationError(
                f"the embedder of provider {name!r} needs a model",
                hint=f'set [rag] embedder = "{name}/MODEL"',
            )
        model = DEFAULT_MODEL
    config = resolve_config(name, settings=settings, transport=transport, runtime=runtime)
    return OpenAIEmbedder(config, model, max_batch=max_batch)
