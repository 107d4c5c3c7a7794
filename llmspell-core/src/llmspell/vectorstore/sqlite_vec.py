"""The embedded vector store: one SQLite file with sqlite-vec, through apsw.

Records (text, metadata, document, time) live in an ordinary table ``chunks``; their
vectors in a ``vec0`` table with the same rowids, cosine distance and ``(tenant, scope,
scope_id)`` as partition keys: a search within a namespace reads only its vectors (a
query with ``scope_id=None`` reads the scope's namespaces). Search is exact (sqlite-vec
compares every vector it reads); metadata filters pick the candidate rowids first, so a filter never
loses matches to a top-k cut. Every write is one ``BEGIN IMMEDIATE`` transaction in
WAL mode with ``synchronous=FULL``: atomic, durable on return, safe with several
processes on one file (writers wait up to the busy timeout).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from llmspell.errors import ConfigurationError, LLMSpellError, StateError, ValidationError
from llmspell.vectorstore._common import (
    check_k,
    check_namespace,
    check_records,
    check_vector,
    mismatch_error,
    sql_filters,
    unbound_error,
)
from llmspell.vectorstore.base import (
    Namespace,
    SearchHit,
    VectorRecord,
    VectorStore,
    matches_filters,
)

if TYPE_CHECKING:
    import apsw

    from llmspell.config import Settings

__all__ = ["SqliteVecStore", "open_store"]

T = TypeVar("T")
Rows = list[tuple[Any, ...]]
Listing = list[tuple[Namespace, int, int]]

#: vectors per vec0 chunk: storage is allocated a chunk at a time per namespace, so a
#: namespace costs at least 64 x dims x 4 bytes (96 KiB at 384 dimensions); larger
#: chunks measured no faster
CHUNK_SIZE = 64
#: sqlite-vec's largest k for a KNN query; larger k compute distances directly
KNN_MAX_K = 4096
BUSY_TIMEOUT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    tenant TEXT NOT NULL,
    scope TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    content TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_ns ON chunks (tenant, scope, scope_id, created_at);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (tenant, scope, scope_id, doc_id);
"""

_COLUMNS = (
    "c.rowid, c.id, c.tenant, c.scope, c.scope_id, c.content, c.metadata, c.doc_id, c.created_at"
)


def open_store(location: str | None = None, *, settings: Settings | None = None) -> SqliteVecStore:
    """The sqlite-vec store in ``location`` (a path or ``sqlite:///PATH``), else
    ``[rag] location``, else ``LLMSPELL_HOME/rag.db``; the file is created if missing."""
    from llmspell.config import llmspell_home

    where = location or (settings.rag.location if settings is not None else None)
    if where and where.startswith(("postgresql://", "postgres://")):
        raise ConfigurationError(
            "the sqlite-vec store needs a file path, not a PostgreSQL URL",
            hint='set [rag] store = "pgvector" to use PostgreSQL, or [rag] location to a file',
        )
    if where and where.startswith("sqlite:///"):
        where = where[len("sqlite:///") :]  # as [storage] url: sqlite:////abs, sqlite:///rel
    path = Path(where).expanduser() if where else llmspell_home() / "rag.db"
    return SqliteVecStore(path)


def _to_hit(row: Sequence[Any], score: float = 0.0) -> SearchHit:
    _rowid, rid, tenant, scope, scope_id, content, metadata, doc_id, created = row
    return SearchHit(
        id=rid,
        namespace=Namespace(tenant, scope, scope_id),
        content=content,
        score=score,
        metadata=json.loads(metadata),
        doc_id=doc_id,
        created_at=created,
    )


def _ns_where(namespace: Namespace, prefix: str = "") -> tuple[str, list[Any]]:
    sql = f"{prefix}tenant = ? AND {prefix}scope = ?"
    params: list[Any] = [namespace.tenant, namespace.scope]
    if namespace.scope_id is not None:
        sql += f" AND {prefix}scope_id = ?"
        params.append(namespace.scope_id)
    return sql, params


class SqliteVecStore(VectorStore):
    """A :class:`VectorStore` in one SQLite file (see the module's docstring)."""

    name = "sqlite-vec"

    def __init__(self, path: Path) -> None:
        from llmspell.extras import require

        self._apsw = require("apsw", dist="llmspell-core", extra="rag", what="the sqlite-vec store")
        sqlite_vec = require(
            "sqlite_vec", dist="llmspell-core", extra="rag", what="the sqlite-vec store"
        )
        require("numpy", dist="llmspell-core", extra="rag", what="the sqlite-vec store")
        self.path = Path(path)
        self.location = str(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db: apsw.Connection = self._apsw.Connection(str(self.path))
            self._db.set_busy_timeout(BUSY_TIMEOUT_MS)
            self._db.enable_load_extension(True)
            sqlite_vec.load(self._db)
            self._db.enable_load_extension(False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._write(lambda: self._db.execute(_SCHEMA))
        except (self._apsw.Error, OSError) as exc:
            raise StateError(
                f"cannot open the vector store {self.path}: {exc}",
                hint="set [rag] location (or LLMSPELL_HOME) to a writable SQLite file",
            ) from None

    # -- plumbing -----------------------------------------------------------------

    def _error(self, exc: Exception) -> StateError:
        return StateError(f"vector store {self.path}: {exc}")

    def _write(self, fn: Callable[[], T]) -> T:
        """``fn`` in one write transaction: all of it or none, committed on return."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except self._apsw.Error as exc:
            raise self._error(exc) from None
        try:
            result = fn()
        except BaseException as exc:
            if not self._db.in_transaction:  # pragma: no cover - SQLite rolled back itself
                raise
            self._db.execute("ROLLBACK")
            if isinstance(exc, self._apsw.Error):
                raise self._error(exc) from None
            raise
        try:
            self._db.execute("COMMIT")
        except self._apsw.Error as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise self._error(exc) from None
        return result

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """One read transaction (a consistent snapshot across statements)."""
        try:
            with self._db:
                yield
        except LLMSpellError:
            raise
        except self._apsw.Error as exc:
            raise self._error(exc) from None

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        return self._db.execute(sql, params).fetchall()

    def _binding(self) -> tuple[str | None, int | None]:
        rows: dict[str, str] = dict(self._rows("SELECT key, value FROM meta"))
        dims = rows.get("dimensions")
        return rows.get("model"), int(dims) if dims is not None else None

    # -- the interface ------------------------------------------------------------

    def ensure(self, model: str, dimensions: int) -> None:
        """See :meth:`VectorStore.ensure`."""
        if not isinstance(model, str) or not model:
            raise ValidationError(f"ensure() needs a model name (got {model!r})")
        if isinstance(dimensions, bool) or not isinstance(dimensions, int) or dimensions < 1:
            raise ValidationError(
                f"ensure() needs a positive number of dimensions (got {dimensions!r})"
            )

        def bind() -> None:
            bound_model, bound_dims = self._binding()
            if bound_model is None:
                self._db.execute("DROP TABLE IF EXISTS vectors")
                self._db.execute("DELETE FROM chunks")
                self._db.execute(
                    "CREATE VIRTUAL TABLE vectors USING vec0(tenant TEXT PARTITION KEY, "
                    "scope TEXT PARTITION KEY, scope_id TEXT PARTITION KEY, "
                    f"embedding float[{dimensions}] distance_metric=cosine, "
                    f"chunk_size={CHUNK_SIZE})"
                )
                self._db.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("model", model), ("dimensions", str(dimensions))],
                )
            elif (bound_model, bound_dims) != (model, dimensions):
                raise mismatch_error(self.location, bound_model, bound_dims or 0, model, dimensions)

        self._write(bind)

    def info(self) -> dict[str, Any]:
        """See :meth:`VectorStore.info`."""
        with self._reading():
            model, dims = self._binding()
        return {"model": model, "dimensions": dims, "location": self.location}

    def add(self, records: Sequence[VectorRecord]) -> None:
        """See :meth:`VectorStore.add`."""
        if records:
            self._write(lambda: self._insert(records))

    def replace_documents(
        self, namespace: Namespace, doc_ids: Sequence[str], records: Sequence[VectorRecord]
    ) -> None:
        """Delete documents ``doc_ids`` of ``namespace`` and add ``records``, atomically."""
        check_namespace(namespace, query=True)

        def replace() -> None:
            for doc_id in doc_ids:
                self._remove(namespace, doc_id)
            self._insert(records)

        self._write(replace)

    def _insert(self, records: Sequence[VectorRecord]) -> None:
        _model, dims = self._binding()
        if dims is None:
            raise unbound_error(self.location)
        now = time.time()
        for rec, vec, meta in check_records(records, dims):
            ns = rec.namespace
            old = self._db.execute("SELECT rowid FROM chunks WHERE id = ?", (rec.id,)).fetchall()
            if old:
                self._db.execute("DELETE FROM vectors WHERE rowid = ?", (old[0][0],))
                self._db.execute("DELETE FROM chunks WHERE rowid = ?", (old[0][0],))
            self._db.execute(
                "INSERT INTO chunks (id, tenant, scope, scope_id, doc_id, content, metadata,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (rec.id, ns.tenant, ns.scope, ns.scope_id, rec.doc_id, rec.content, meta,
                 float(rec.created_at) or now),
            )
            self._db.execute(
                "INSERT INTO vectors (rowid, tenant, scope, scope_id, embedding)"
                " VALUES (?, ?, ?, ?, ?)",
                (self._db.last_insert_rowid(), ns.tenant, ns.scope, ns.scope_id, vec.tobytes()),
            )

    def _candidates(
        self, namespace: Namespace, filters: Mapping[str, Any] | None
    ) -> list[int]:
        """Rowids of the namespace's records that match ``filters`` exactly."""
        where, params = _ns_where(namespace)
        conds, fparams, exact = sql_filters(filters, "sqlite")
        sql = f"SELECT rowid, metadata FROM chunks WHERE {where}"
        if conds:
            sql += " AND " + " AND ".join(conds)
        rows = self._db.execute(sql, params + fparams)
        if exact:
            return [r[0] for r in rows]
        return [r[0] for r in rows if matches_filters(json.loads(r[1]), filters)]

    def search(
        self,
        namespace: Namespace,
        vector: Sequence[float],
        k: int,
        *,
        filters: Mapping[str, Any] | None = None,
        threshold: float | None = None,
    ) -> list[SearchHit]:
        """See :meth:`VectorStore.search`."""
        check_namespace(namespace, query=True)
        k = check_k(k)
        with self._reading():
            _model, dims = self._binding()
            if dims is None:
                return []
            query = check_vector(vector, dims, "the query vector").tobytes()
            where, params = _ns_where(namespace)
            if filters:
                ids = self._candidates(namespace, filters)
                if not ids:
                    return []
                where += " AND rowid IN (SELECT value FROM json_each(?))"
                params.append(json.dumps(ids))
            if k <= KNN_MAX_K:
                sql = (
                    "SELECT rowid, distance FROM vectors WHERE embedding MATCH ? AND k = ?"
                    f" AND {where}"
                )
                found = self._rows(sql, [query, k, *params])
            else:
                sql = (
                    "SELECT rowid, vec_distance_cosine(embedding, ?) AS d FROM vectors"
                    f" WHERE {where} ORDER BY d LIMIT ?"
                )
                found = self._rows(sql, [query, *params, k])
            scores = {rowid: 1.0 - float(dist) for rowid, dist in found}
            if threshold is not None:
                scores = {r: s for r, s in scores.items() if s >= threshold}
            if not scores:
                return []
            rows = self._rows(
                f"SELECT {_COLUMNS} FROM chunks c"
                " WHERE c.rowid IN (SELECT value FROM json_each(?))",
                (json.dumps([*scores]),),
            )
        hits = [_to_hit(row, scores[row[0]]) for row in rows]
        hits.sort(key=lambda h: -h.score)
        return hits

    def list(
        self,
        namespace: Namespace,
        *,
        limit: int = 100,
        filters: Mapping[str, Any] | None = None,
        since: float | None = None,
    ) -> list[SearchHit]:
        """See :meth:`VectorStore.list`."""
        check_namespace(namespace, query=True)
        limit = check_k(limit)
        where, params = _ns_where(namespace, "c.")
        conds, fparams, exact = sql_filters(filters, "sqlite")
        if since is not None:
            conds.append("c.created_at >= ?")
            fparams.append(float(since))
        sql = f"SELECT {_COLUMNS} FROM chunks c WHERE {where}"
        if conds:
            sql += " AND " + " AND ".join(conds)
        sql += " ORDER BY c.created_at DESC, c.id"
        if exact:
            sql += f" LIMIT {int(limit)}"
        hits: list[SearchHit] = []
        with self._reading():
            for row in self._db.execute(sql, params + fparams):
                hit = _to_hit(row)
                if exact or matches_filters(hit.metadata, filters):
                    hits.append(hit)
                    if len(hits) >= limit:
                        break
        return hits

    def delete(self, namespace: Namespace, *, doc_id: str | None = None) -> int:
        """See :meth:`VectorStore.delete`."""
        check_namespace(namespace, query=True)
        return self._write(lambda: self._remove(namespace, doc_id))

    def _remove(self, namespace: Namespace, doc_id: str | None) -> int:
        where, params = _ns_where(namespace)
        if doc_id is not None:
            where += " AND doc_id = ?"
            params.append(doc_id)
        ids = [r[0] for r in self._db.execute(f"SELECT rowid FROM chunks WHERE {where}", params)]
        if ids and self._binding()[1] is not None:
            self._db.execute(
                "DELETE FROM vectors WHERE rowid IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            )
        self._db.execute(f"DELETE FROM chunks WHERE {where}", params)
        return len(ids)

    def count(self, namespace: Namespace | None = None) -> int:
        """See :meth:`VectorStore.count`."""
        if namespace is None:
            where, params = "1", []  # type: ignore[var-annotated]
        else:
            where, params = _ns_where(check_namespace(namespace, query=True))
        with self._reading():
            row = self._rows(f"SELECT count(*) FROM chunks WHERE {where}", params)
        return int(row[0][0])

    def namespaces(self, tenant: str | None = None) -> Listing:
        """See :meth:`VectorStore.namespaces`."""
        sql = (
            "SELECT tenant, scope, scope_id, count(*), count(DISTINCT NULLIF(doc_id, ''))"
            " FROM chunks"
        )
        params: list[Any] = []
        if tenant is not None:
            sql += " WHERE tenant = ?"
            params.append(tenant)
        sql += " GROUP BY tenant, scope, scope_id ORDER BY tenant, scope, scope_id"
        with self._reading():
            rows = self._rows(sql, params)
        return [(Namespace(t, s, i), int(n), int(d)) for t, s, i, n, d in rows]

    def clear(self) -> None:
        """See :meth:`VectorStore.clear`."""

        def wipe() -> None:
            self._db.execute("DROP TABLE IF EXISTS vectors")
            self._db.execute("DELETE FROM chunks")
            self._db.execute("DELETE FROM meta")

        self._write(wipe)

    def close(self) -> None:
        """Close the file (later calls fail)."""
        self._db.close()
