"""Vector stores: the interface and the built-in backends (sqlite-vec, pgvector).

The backends import their libraries (``llmspell-core[rag]``, ``llmspell-core[postgres]``)
when opened, never at start-up.
"""

from __future__ import annotations

from llmspell.vectorstore.base import (
    DimensionMismatchError,
    Namespace,
    SearchHit,
    VectorRecord,
    VectorStore,
    matches_filters,
)

__all__ = [
    "DimensionMismatchError",
    "Namespace",
    "SearchHit",
    "VectorRecord",
    "VectorStore",
    "matches_filters",
]
