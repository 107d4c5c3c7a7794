"""Entry point of llmspell-providers: registers the OpenAI and Anthropic adapters,
every preset (DESIGN.md §2) and the embedders ``local`` and ``openai``
(docs/embedders.md).

Importing this module imports neither SDK nor any HTTP client nor onnxruntime: the
adapters and embedders import them on their first use (a test checks this in a fresh
interpreter).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from llmspell import hookimpl
from llmspell_providers.presets import PRESETS

__all__ = ["FACTORIES", "register_embedders", "register_providers"]


def openai_factory(config: Any) -> Any:
    """An :class:`~llmspell_providers.openai_adapter.OpenAIProvider` (imported on first
    use: a spell without agents never loads the adapters)."""
    from llmspell_providers.openai_adapter import OpenAIProvider

    return OpenAIProvider(config)


def anthropic_factory(config: Any) -> Any:
    """An :class:`~llmspell_providers.anthropic_adapter.AnthropicProvider` (imported on
    first use)."""
    from llmspell_providers.anthropic_adapter import AnthropicProvider

    return AnthropicProvider(config)


#: the factory for each ``provider_type``
FACTORIES: dict[str, Callable[..., Any]] = {
    "openai": openai_factory,
    "anthropic": anthropic_factory,
}


def _capabilities(kind: str, model: str | None) -> dict[str, Any]:
    """What ``model`` of a ``kind`` provider can do (the tables load on first use)."""
    from llmspell_providers import capabilities as caps

    table: dict[str, Any] = caps.capabilities(kind, model).as_dict()
    return table


def __getattr__(name: str) -> Any:
    # the adapter classes, for code that imported them from here
    if name == "OpenAIProvider":
        from llmspell_providers.openai_adapter import OpenAIProvider

        return OpenAIProvider
    if name == "AnthropicProvider":
        from llmspell_providers.anthropic_adapter import AnthropicProvider

        return AnthropicProvider
    raise AttributeError(name)


@hookimpl
def register_providers(register: Callable[..., None]) -> None:
    """Register ``openai`` and ``anthropic`` (the factories of their provider types) and
    every OpenAI-compatible preset."""
    for name, preset in PRESETS.items():
        kind = preset["provider_type"]
        register(
            FACTORIES[kind],
            name=name,
            # Provider.list() shows capabilities without building a client (no SDK import)
            capabilities=lambda model, _kind=kind: _capabilities(_kind, model),
            **preset,
        )


def local_embedder_factory(model: str | None = None, **kwargs: Any) -> Any:
    """The ``local`` embedder (all-MiniLM-L6-v2 on the CPU; imported on first use)."""
    from llmspell_providers.embeddings.local import open_local

    return open_local(model, **kwargs)


def openai_embedder_factory(model: str | None = None, **kwargs: Any) -> Any:
    """The ``openai`` embedder (an OpenAI-compatible ``/embeddings``; imported on first
    use); ``provider=NAME`` selects another OpenAI-compatible provider."""
    from llmspell_providers.embeddings.openai import open_openai

    return open_openai(model, **kwargs)


@hookimpl
def register_embedders(register: Callable[..., None]) -> None:
    """Register ``local`` (all-MiniLM-L6-v2, ``llmspell-providers[local]``) and
    ``openai`` (``/embeddings`` of OpenAI or of any OpenAI-compatible provider)."""
    register(
        local_embedder_factory,
        name="local",
        description="all-MiniLM-L6-v2 (int8 ONNX, 384 dims) on this machine's CPU; "
        "no key, no network (llmspell-providers[local])",
    )
    register(
        openai_embedder_factory,
        name="openai",
        description="POST /embeddings of OpenAI or an OpenAI-compatible provider "
        "(PROVIDER/MODEL)",
    )
