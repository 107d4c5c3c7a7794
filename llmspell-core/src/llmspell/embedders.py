"""Embedders: text in, vectors out (RAG, Memory and Context build on them).

An :class:`Embedder` turns texts into fixed-size vectors. Plugins register factories
through ``register_embedders``; ``[rag] embedder`` selects one by name: ``"local"`` (the
all-MiniLM-L6-v2 model on this machine, ``llmspell-providers[local]``), or
``"PROVIDER/MODEL"`` for a registered embedder name or, failing that, an
OpenAI-compatible ``/v1/embeddings`` of a configured provider (handled by the embedder
registered as ``"openai"``).
"""

from __future__ import annotations

import hashlib
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llmspell.errors import ConfigurationError, NotFoundError

if TYPE_CHECKING:
    from llmspell.backends import BackendRegistry
    from llmspell.config import Settings

__all__ = ["Embedder", "HashEmbedder", "approx_tokens", "open_embedder", "split_spec"]

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def approx_tokens(text: str) -> int:
    """A quick token count: words and punctuation marks (close to a WordPiece count for
    English prose; embedders with a real tokenizer override :meth:`Embedder.count_tokens`)."""
    return len(_TOKEN.findall(text))


class Embedder(ABC):
    """A text embedding model.

    ``model`` and ``dimensions`` are recorded by a vector store when it is first filled,
    so vectors of different models never mix. :meth:`embed` may block (a model on the
    CPU, an HTTP call); callers run it off the event loop.
    """

    #: the registered name that made it ("local", "openai", ...)
    name: str = ""
    #: the model id, stable across runs ("all-MiniLM-L6-v2", "text-embedding-3-small")
    model: str = ""
    #: the length of every vector
    dimensions: int = 0
    #: the most texts :meth:`embed` is given at once (callers batch)
    max_batch: int = 64
    #: the most tokens of one text the model reads (longer texts are truncated by it)
    max_input_tokens: int = 512

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit-length (L2-normalised) vector per text, in order."""

    def count_tokens(self, text: str) -> int:
        """The tokens ``text`` costs this model (an estimate unless overridden)."""
        return approx_tokens(text)

    def close(self) -> None:  # noqa: B027 - optional
        """Release the model or the HTTP client."""

    def describe(self) -> str:
        """``name/model (N dims)`` for messages."""
        return f"{self.name}/{self.model} ({self.dimensions} dims)"


class HashEmbedder(Embedder):
    """A deterministic bag-of-words embedder for unit tests: texts sharing words get
    similar vectors, nothing more. Never a default; tests register it explicitly."""

    name = "test-hash"

    def __init__(self, model: str | None = None, *, dimensions: int = 64, **_: Any) -> None:
        self.model = model or "hash-bow"
        self.dimensions = dimensions

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """See :meth:`Embedder.embed`."""
        out: list[list[float]] = []
        for text in texts:
            vec = [0.0] * self.dimensions
            for word in re.findall(r"\w+", text.lower()):
                h = hashlib.blake2b(word.encode(), digest_size=8).digest()
                vec[int.from_bytes(h[:4], "little") % self.dimensions] += (
                    1.0 if h[4] & 1 else -1.0
                )
            norm = math.sqrt(sum(v * v for v in vec)) or 1.0
            out.append([v / norm for v in vec])
        return out


def split_spec(spec: str) -> tuple[str, str | None]:
    """``"openai/text-embedding-3-small"`` -> ("openai", "text-embedding-3-small");
    ``"local"`` -> ("local", None)."""
    name, sep, model = spec.strip().partition("/")
    if not name or (sep and not model):
        raise ConfigurationError(
            f"embedder {spec!r} is not NAME or NAME/MODEL",
            hint='set [rag] embedder to "local" or "PROVIDER/MODEL"',
        )
    return name, (model or None)


def open_embedder(
    spec: str,
    registry: BackendRegistry,
    settings: Settings,
    *,
    transport: Any = None,
    runtime: Any = None,
) -> Embedder:
    """The embedder ``spec`` names: a registered embedder (``local``, ``openai``,
    ``local/MODEL``), or ``PROVIDER/MODEL`` for an OpenAI-compatible provider of
    ``[providers]``, the presets or a provider plugin (opened by the ``openai`` embedder
    factory, which is given ``runtime`` to see the providers plugins registered)."""
    name, model = split_spec(spec)
    if name in registry:
        info = registry.get(name)
        embedder: Embedder = info.factory(model, settings=settings, transport=transport)
        return embedder
    if model is not None and "openai" in registry:
        info = registry.get("openai")
        embedder = info.factory(
            model, settings=settings, transport=transport, provider=name, runtime=runtime
        )
        return embedder
    known = ", ".join(registry.names()) or "none installed"
    raise NotFoundError(
        f"no embedder {spec!r} (embedders: {known})",
        hint='use "local" (pip install \'llmspell-providers[local]\') or "PROVIDER/MODEL" '
        "of an OpenAI-compatible provider",
    )
