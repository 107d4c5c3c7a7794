"""What the SQL vector stores share: checking records, vectors and namespaces, the
dimension-mismatch error, and metadata filters as SQL (a superset that
:func:`~llmspell.vectorstore.base.matches_filters` then makes exact)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from llmspell.errors import StateError, ValidationError
from llmspell.vectorstore.base import DimensionMismatchError, Namespace, VectorRecord

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "check_k",
    "check_namespace",
    "check_records",
    "check_vector",
    "dump_metadata",
    "mismatch_error",
    "sql_filters",
    "unbound_error",
]


def check_k(k: object) -> int:
    """``k`` must be a positive integer."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValidationError(f"k must be a positive integer (got {k!r})")
    return k


def check_namespace(namespace: object, *, query: bool) -> Namespace:
    """A :class:`Namespace` of strings; ``scope_id`` may be None only in a query."""
    if not isinstance(namespace, Namespace):
        raise ValidationError(f"expected a Namespace, got {type(namespace).__name__}")
    if not isinstance(namespace.tenant, str) or not isinstance(namespace.scope, str):
        raise ValidationError(f"a namespace's tenant and scope must be strings: {namespace!r}")
    if namespace.scope_id is None and query:
        return namespace
    if not isinstance(namespace.scope_id, str):
        what = "a string or None" if query else "a string (None only in queries)"
        raise ValidationError(f"a namespace's scope_id must be {what}: {namespace!r}")
    return namespace


def check_vector(vector: object, dimensions: int, what: str = "vector") -> npt.NDArray[np.float32]:
    """The vector as float32: ``dimensions`` finite numbers, not all zero (a zero vector
    has no direction, so no cosine); else a ValidationError."""
    import numpy as np

    try:
        arr = np.asarray(vector, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValidationError(f"{what} must be a sequence of numbers") from None
    if arr.ndim != 1 or arr.shape[0] != dimensions:
        got = arr.shape[0] if arr.ndim == 1 else f"shape {arr.shape}"
        raise ValidationError(
            f"{what} has {got} dimensions; this store holds {dimensions}-dimensional vectors"
        )
    out = arr.astype(np.float32)
    if not np.isfinite(out).all():
        raise ValidationError(f"{what} contains NaN or infinite (or out of float32 range) values")
    if not out.any():
        raise ValidationError(f"{what} is all zeros: it has no direction to compare by cosine")
    return out


def dump_metadata(metadata: object, record_id: str) -> str:
    """A record's metadata as JSON text (a JSON object; no NaN)."""
    if not isinstance(metadata, Mapping) or not all(isinstance(k, str) for k in metadata):
        raise ValidationError(f"record {record_id!r}: metadata must be an object with string keys")
    try:
        return json.dumps(dict(metadata), allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"record {record_id!r}: metadata is not JSON: {exc}") from None


def _has_nul(value: object) -> bool:
    """Whether a string inside ``value`` holds NUL (PostgreSQL's text cannot)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


def check_records(
    records: Sequence[VectorRecord], dimensions: int
) -> list[tuple[VectorRecord, npt.NDArray[np.float32], str]]:
    """Every record checked before anything is written: id, namespace, content, vector
    and metadata; returns ``(record, float32 vector, metadata JSON)`` triples."""
    if isinstance(records, (str, bytes)) or not isinstance(records, Sequence):
        raise ValidationError("add() takes a sequence of VectorRecord")
    out = []
    for rec in records:
        if not isinstance(rec, VectorRecord):
            raise ValidationError(f"add() takes VectorRecord objects, got {type(rec).__name__}")
        if not isinstance(rec.id, str) or not rec.id:
            raise ValidationError(f"a record id must be a non-empty string (got {rec.id!r})")
        check_namespace(rec.namespace, query=False)
        if not isinstance(rec.content, str):
            raise ValidationError(f"record {rec.id!r}: content must be a string")
        if not isinstance(rec.doc_id, str):
            raise ValidationError(f"record {rec.id!r}: doc_id must be a string")
        if isinstance(rec.created_at, bool) or not isinstance(rec.created_at, (int, float)):
            raise ValidationError(f"record {rec.id!r}: created_at must be a number")
        vec = check_vector(rec.vector, dimensions, f"record {rec.id!r}'s vector")
        meta = dump_metadata(rec.metadata, rec.id)
        texts = (rec.id, rec.content, rec.doc_id, rec.namespace.tenant, rec.namespace.scope)
        if _has_nul([*texts, rec.namespace.scope_id, rec.metadata]):
            raise ValidationError(
                f"record {rec.id!r} contains a NUL character (\\x00)",
                hint="remove NUL characters from the text before adding it",
            )
        out.append((rec, vec, meta))
    return out


def mismatch_error(
    location: str, store_model: str, store_dims: int, model: str, dims: int
) -> DimensionMismatchError:
    """The store was built with another embedding model or dimensions."""
    return DimensionMismatchError(
        f"the vector store {location} holds vectors of {store_model!r} ({store_dims} "
        f"dimensions) but the embedder is {model!r} ({dims} dimensions)",
        hint="re-index: run `llmspell rag clear --all` and ingest again, "
        f"or set [rag] embedder back to the one that produced {store_model!r}",
    )


def unbound_error(location: str) -> StateError:
    """A write before :meth:`VectorStore.ensure` bound the store to a model."""
    return StateError(
        f"the vector store {location} is not bound to an embedding model yet",
        hint="call ensure(model, dimensions) before adding records",
    )


# -- metadata filters as SQL ------------------------------------------------------


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _sqlite_cond(path: str, wanted: object, loose: bool) -> tuple[str, list[Any]] | None:
    """A condition on ``metadata`` at ``path`` equal to ``wanted`` (``loose``: as
    Python's ``in`` compares, True == 1); None when SQL cannot say it exactly."""
    typ, val = "json_type(metadata, ?)", "json_extract(metadata, ?)"
    if wanted is None:
        return f"{typ} = 'null'", [path]
    if isinstance(wanted, bool) and not loose:
        return f"{typ} = '{'true' if wanted else 'false'}'", [path]
    if isinstance(wanted, bool) or (_number(wanted) and loose and wanted in (0, 1)):
        kinds = "'true','false','integer','real'"
        return f"({typ} IN ({kinds}) AND {val} = ?)", [path, path, int(wanted)]
    if _number(wanted):
        if not math.isfinite(wanted) or abs(wanted) > 2**53:  # type: ignore[arg-type]
            return None
        return f"({typ} IN ('integer','real') AND {val} = ?)", [path, path, wanted]
    if isinstance(wanted, str):
        return f"({typ} = 'text' AND {val} = ?)", [path, path, wanted]
    return None


def _pg_alternatives(wanted: object, loose: bool) -> list[str] | None:
    """jsonb texts equal (as ``matches_filters`` compares) to ``wanted``."""
    if wanted is None or isinstance(wanted, (bool, str)) or _number(wanted):
        if _number(wanted) and not math.isfinite(wanted):  # type: ignore[arg-type]
            return []
        alts = [json.dumps(wanted)]
        if loose and (isinstance(wanted, bool) or (_number(wanted) and wanted in (0, 1))):
            alts += [json.dumps(bool(wanted)), json.dumps(int(wanted))]
        return alts
    return None


def sql_filters(
    filters: Mapping[str, Any] | None, dialect: str
) -> tuple[list[str], list[Any], bool]:
    """``(conditions, params, exact)``: SQL conditions on the ``metadata`` column
    (``dialect`` "sqlite": JSON text; "postgres": jsonb) that every record matching
    ``filters`` passes; ``exact`` when they match exactly those records, else callers
    check :func:`matches_filters` on what the SQL returns."""
    if filters is None:
        return [], [], True
    if not isinstance(filters, Mapping) or not all(isinstance(k, str) for k in filters):
        raise ValidationError("filters must be an object with string keys")
    conds: list[str] = []
    params: list[Any] = []
    exact = True
    for key, wanted in filters.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        loose = isinstance(wanted, list)
        if dialect == "postgres":
            alts: list[str] | None = []
            for value in values:
                more = _pg_alternatives(value, loose)
                if more is None:
                    alts = None
                    break
                alts += more  # type: ignore[operator]
            if alts is None:
                conds.append("metadata ? %s")
                params.append(key)
                exact = False
            else:
                conds.append("metadata -> %s = ANY(%s::jsonb[])")
                params += [key, alts]
            continue
        if '"' in key or "\\" in key or any(ord(c) < 32 for c in key):
            exact = False  # not expressible as a JSON path: matches_filters decides
            continue
        path = f'$."{key}"'
        parts: list[str] | None = []
        part_params: list[Any] = []
        for value in values:
            cond = _sqlite_cond(path, value, loose)
            if cond is None:
                parts = None
                break
            parts.append(cond[0])  # type: ignore[union-attr]
            part_params += cond[1]
        if parts is None:
            conds.append("json_type(metadata, ?) IS NOT NULL")
            params.append(path)
            exact = False
        else:
            conds.append("(" + (" OR ".join(parts) or "0") + ")")
            params += part_params
    return conds, params, exact
