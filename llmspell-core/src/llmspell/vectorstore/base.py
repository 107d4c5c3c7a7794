"""The vector store interface: chunks with vectors, by namespace, searched by cosine.

A store holds one index: every vector in it comes from one embedding model with one
number of dimensions (recorded by :meth:`VectorStore.ensure`). Records live in a
:class:`Namespace` ``(tenant, scope, scope_id)``; a search never crosses namespaces
unless asked (``scope_id=None`` in a query means every id of the scope).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from llmspell.errors import ValidationError

__all__ = [
    "DimensionMismatchError",
    "Namespace",
    "SearchHit",
    "VectorRecord",
    "VectorStore",
    "matches_filters",
]


class DimensionMismatchError(ValidationError):
    """The embedder's model or dimensions differ from those the store was built with."""

    kind = "ValidationError"


@dataclass(frozen=True)
class Namespace:
    """Where records live: a tenant, a scope ("global", "session", "user", ...) and an id
    within the scope. In a query, ``scope_id=None`` matches every id of the scope."""

    tenant: str = "default"
    scope: str = "global"
    scope_id: str | None = ""


@dataclass
class VectorRecord:
    """One chunk: its id (unique in the store), namespace, text, vector and metadata.

    ``doc_id`` names the document the chunk came from (deleting a document deletes its
    chunks); ``metadata`` is a JSON object of scalars and lists.
    """

    id: str
    namespace: Namespace
    content: str
    vector: Sequence[float]
    metadata: dict[str, Any] = field(default_factory=dict)
    doc_id: str = ""
    created_at: float = 0.0


@dataclass
class SearchHit:
    """A record found by a search or a listing; ``score`` is the cosine similarity
    (1.0 identical, 0 unrelated) or 0.0 for a listing."""

    id: str
    namespace: Namespace
    content: str
    score: float
    metadata: dict[str, Any]
    doc_id: str = ""
    created_at: float = 0.0


def matches_filters(metadata: Mapping[str, Any], filters: Mapping[str, Any] | None) -> bool:
    """The filter semantics every store implements: each key must be present and equal
    to the filter's value; a list in the filter means "one of" these values."""
    if not filters:
        return True
    for key, wanted in filters.items():
        if key not in metadata:
            return False
        value = metadata[key]
        if isinstance(wanted, list):
            if value not in wanted:
                return False
        elif value != wanted or isinstance(value, bool) != isinstance(wanted, bool):
            return False
    return True


#: what :meth:`VectorStore.namespaces` returns (a method named ``list`` shadows the
#: builtin inside the class body)
_Listing = list[tuple[Namespace, int, int]]


class VectorStore(ABC):
    """A persistent index of :class:`VectorRecord`.

    Every write is atomic (all records of one :meth:`add` or none) and durable when it
    returns. Implementations are used from one thread at a time.
    """

    #: the registered name ("sqlite-vec", "pgvector")
    name: str = ""

    @abstractmethod
    def ensure(self, model: str, dimensions: int) -> None:
        """Bind the store to an embedding model: record (model, dimensions) if the store
        is empty and unbound; raise :class:`DimensionMismatchError` naming the store's
        model, its dimensions and how to re-index if they differ."""

    @abstractmethod
    def info(self) -> dict[str, Any]:
        """``{"model", "dimensions", "location"}`` (model None while unbound); the location
        with any password masked."""

    @abstractmethod
    def add(self, records: Sequence[VectorRecord]) -> None:
        """Insert or replace records by id, atomically."""

    @abstractmethod
    def search(
        self,
        namespace: Namespace,
        vector: Sequence[float],
        k: int,
        *,
        filters: Mapping[str, Any] | None = None,
        threshold: float | None = None,
    ) -> list[SearchHit]:
        """The ``k`` records of ``namespace`` most similar to ``vector`` (best first),
        only those matching ``filters`` (:func:`matches_filters`) and scoring at least
        ``threshold``."""

    @abstractmethod
    def list(
        self,
        namespace: Namespace,
        *,
        limit: int = 100,
        filters: Mapping[str, Any] | None = None,
        since: float | None = None,
    ) -> list[SearchHit]:
        """Records of ``namespace`` (matching ``filters``, created at or after
        ``since``), newest first, at most ``limit``; ``score`` is 0.0."""

    @abstractmethod
    def delete(self, namespace: Namespace, *, doc_id: str | None = None) -> int:
        """Delete the records of ``namespace`` (only document ``doc_id``'s if given);
        returns how many were deleted."""

    @abstractmethod
    def count(self, namespace: Namespace | None = None) -> int:
        """How many records ``namespace`` holds (the whole store if None)."""

    @abstractmethod
    def namespaces(self, tenant: str | None = None) -> _Listing:
        """Every non-empty namespace (of ``tenant`` if given) with its record and
        distinct-document counts, sorted."""

    @abstractmethod
    def clear(self) -> None:
        """Delete every record and unbind the model (re-indexing starts here)."""

    def close(self) -> None:  # noqa: B027 - optional
        """Release connections."""
