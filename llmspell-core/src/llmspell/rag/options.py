"""Checking what a spell passes to RAG: documents, options, metadata (caps on each)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from llmspell.errors import ValidationError
from llmspell.rag.chunking import STRATEGIES
from llmspell.rag.index import MAX_NAME_CHARS, check_name
from llmspell.vectorstore.base import Namespace

__all__ = [
    "MAX_METADATA_BYTES",
    "MAX_QUERY_BYTES",
    "RESERVED_PREFIX",
    "Chunking",
    "check_metadata",
    "check_query",
    "namespace_of",
]

#: the largest query (bytes of UTF-8)
MAX_QUERY_BYTES = 16 * 1024
#: the largest metadata table of one document or entry (bytes of JSON)
MAX_METADATA_BYTES = 16 * 1024
#: scopes that start with this belong to Memory; RAG refuses them
RESERVED_PREFIX = "memory:"


def check_query(what: str, query: Any) -> str:
    """A non-blank query string of at most :data:`MAX_QUERY_BYTES`."""
    if not isinstance(query, str):
        raise ValidationError(f"{what}: the query must be a string (got {type(query).__name__})")
    if not query.strip():
        raise ValidationError(f"{what}: the query must not be empty")
    size = len(query.encode("utf-8", "surrogatepass"))
    if size > MAX_QUERY_BYTES:
        raise ValidationError(
            f"{what}: the query is {size} bytes; the limit is {MAX_QUERY_BYTES}",
            hint="search with a shorter text",
        )
    return query


def check_metadata(what: str, value: Any, *, flat: bool) -> dict[str, Any]:
    """A metadata table: JSON, at most :data:`MAX_METADATA_BYTES` encoded; ``flat``: every
    value a scalar or a list of scalars (RAG filters compare them)."""
    if value is None or value == []:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(f"{what}: metadata must be a table/object")
    for key, item in value.items():
        if not isinstance(key, str) or not key or len(key) > MAX_NAME_CHARS:
            raise ValidationError(f"{what}: metadata keys must be non-empty strings")
        if flat and not _flat_value(item):
            raise ValidationError(
                f"{what}: metadata {key!r} must be a string, number, boolean or a list of them"
            )
    try:
        size = len(json.dumps(value, ensure_ascii=False, allow_nan=False).encode())
    except (TypeError, ValueError):
        raise ValidationError(f"{what}: metadata must hold JSON values only") from None
    if size > MAX_METADATA_BYTES:
        raise ValidationError(
            f"{what}: metadata is {size} bytes as JSON; the limit is {MAX_METADATA_BYTES}"
        )
    return dict(value)


def _flat_value(item: Any) -> bool:
    scalar = (str, int, float, bool)
    if isinstance(item, list):
        return all(isinstance(x, scalar) for x in item)
    return isinstance(item, scalar)


def namespace_of(
    what: str, opts: dict[str, Any], *, any_id: bool = False, reserved_ok: bool = False
) -> Namespace:
    """The namespace of ``opts`` (``scope`` "global", ``scope_id`` "", ``tenant_id``
    "default"); with ``any_id`` a missing scope_id means every id of the scope."""
    scope = check_name(f"{what}: scope", opts.get("scope") or "global")
    if scope.startswith(RESERVED_PREFIX) and not reserved_ok:
        raise ValidationError(
            f"{what}: scope {scope!r} is reserved for Memory",
            hint="use Memory.* for memory, another scope name for documents",
        )
    raw_id = opts.get("scope_id")
    scope_id: str | None
    if raw_id is None:
        scope_id = None if any_id else ""
    else:
        scope_id = check_name(f"{what}: scope_id", raw_id, allow_empty=True)
    tenant = check_name(f"{what}: tenant_id", opts.get("tenant_id") or "default")
    return Namespace(tenant, scope, scope_id)


@dataclass(frozen=True)
class Chunking:
    """How documents are split (``opts.chunking``, defaults from ``[rag]``)."""

    chunk_size: int
    overlap: int
    strategy: str

    @classmethod
    def of(cls, what: str, value: Any, defaults: Any) -> Chunking:
        """From ``opts.chunking`` (a table or nil) over ``[rag]``'s defaults."""
        if value is None or value == []:
            value = {}
        if not isinstance(value, dict):
            raise ValidationError(f"{what}: chunking must be a table/object")
        unknown = set(value) - {"chunk_size", "overlap", "strategy"}
        if unknown:
            raise ValidationError(
                f"{what}: unknown chunking option(s) {', '.join(sorted(unknown))} "
                "(known: chunk_size, overlap, strategy)"
            )
        size = value.get("chunk_size", defaults.chunk_size)
        overlap = value.get("overlap", defaults.chunk_overlap)
        strategy = value.get("strategy", defaults.chunk_strategy)
        for key, number, low, high in (
            ("chunk_size", size, 16, 8192),
            ("overlap", overlap, 0, 4096),
        ):
            if (
                isinstance(number, bool)
                or not isinstance(number, int | float)
                or not math.isfinite(number)
                or number != int(number)
            ):
                raise ValidationError(f"{what}: chunking.{key} must be an integer")
            if not low <= number <= high:
                raise ValidationError(
                    f"{what}: chunking.{key} must be {low}..{high} (got {number})"
                )
        if int(overlap) >= int(size):
            raise ValidationError(
                f"{what}: chunking.overlap {int(overlap)} must be less than chunk_size "
                f"{int(size)}"
            )
        if strategy not in STRATEGIES:
            raise ValidationError(
                f"{what}: chunking.strategy {strategy!r} is not one of {', '.join(STRATEGIES)}"
            )
        return cls(int(size), int(overlap), str(strategy))
