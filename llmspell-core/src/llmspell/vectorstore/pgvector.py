"""The scale-out vector store: PostgreSQL with pgvector, through psycopg 3.

One table ``llmspell_vectors`` (metadata as jsonb, btree indexes on the namespace
columns) whose ``embedding`` column becomes ``vector(dims)`` with an HNSW index
(``vector_cosine_ops``) when :meth:`PgVectorStore.ensure` binds the store to a model;
``llmspell_vector_meta`` records that binding. A search uses the index with pgvector's
iterative scan (``hnsw.iterative_scan = relaxed_order``), so namespaced and filtered
queries keep scanning until they have ``k`` matches; when the index still yields fewer
than ``k`` (rare matches past ``hnsw.max_scan_tuples``) the query runs again exactly.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from llmspell.errors import ConfigurationError, StateError, ValidationError
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
    import psycopg

    from llmspell.config import Settings

__all__ = ["PgVectorStore", "open_store"]

T = TypeVar("T")
Listing = list[tuple[Namespace, int, int]]

#: candidates the HNSW search keeps (pgvector's default is 40); raised to 2k for large k
EF_SEARCH = 100
CONNECT_TIMEOUT_S = 10
_SETTING = "[rag] location or [storage] url (LLMSPELL_DATABASE_URL)"
_LOCK = 727_112_015  # pg_advisory_xact_lock key: schema changes, one process at a time

_SCHEMA = [
    "CREATE EXTENSION IF NOT EXISTS vector",
    "CREATE TABLE IF NOT EXISTS llmspell_vector_meta (key text PRIMARY KEY, value text NOT NULL)",
    """CREATE TABLE IF NOT EXISTS llmspell_vectors (
        id text PRIMARY KEY,
        tenant text NOT NULL,
        scope text NOT NULL,
        scope_id text NOT NULL,
        doc_id text NOT NULL,
        content text NOT NULL,
        metadata jsonb NOT NULL,
        created_at double precision NOT NULL,
        embedding vector NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS llmspell_vectors_ns"
    " ON llmspell_vectors (tenant, scope, scope_id, created_at)",
    "CREATE INDEX IF NOT EXISTS llmspell_vectors_doc"
    " ON llmspell_vectors (tenant, scope, scope_id, doc_id)",
]

_COLUMNS = "id, tenant, scope, scope_id, content, metadata, doc_id, created_at"


def open_store(location: str | None = None, *, settings: Settings | None = None) -> PgVectorStore:
    """The pgvector store at ``location`` (a ``postgresql://`` URL), else ``[rag]
    location``, else ``[storage] url``; creates the extension and tables if missing."""
    url = location
    if not url and settings is not None:
        url = settings.rag.location or settings.storage.url
    if not url:
        raise ConfigurationError(
            "the pgvector store needs a PostgreSQL URL",
            hint=f"set {_SETTING} to postgresql://USER@HOST/DATABASE",
        )
    if not url.startswith(("postgresql://", "postgres://")):
        from llmspell.config import _mask_password

        raise ConfigurationError(
            f"the pgvector store needs a postgresql:// URL, got {_mask_password(url)!r}",
            hint=f"set {_SETTING} to postgresql://USER@HOST/DATABASE",
        )
    return PgVectorStore(url)


def _server_name(url: str) -> str:
    """``host:port/dbname`` of a URL (a socket directory for ``host``), for errors."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(url)
    except Exception:
        return "the configured server"
    host = str(parts.get("host") or "localhost")
    return f"{host}:{parts.get('port') or 5432}/{parts.get('dbname') or ''}"


def _to_hit(row: Sequence[Any], score: float = 0.0) -> SearchHit:
    rid, tenant, scope, scope_id, content, metadata, doc_id, created = row[:8]
    return SearchHit(
        id=rid,
        namespace=Namespace(tenant, scope, scope_id),
        content=content,
        score=score,
        metadata=metadata,
        doc_id=doc_id,
        created_at=created,
    )


def _ns_where(namespace: Namespace) -> tuple[str, list[Any]]:
    sql = "tenant = %s AND scope = %s"
    params: list[Any] = [namespace.tenant, namespace.scope]
    if namespace.scope_id is not None:
        sql += " AND scope_id = %s"
        params.append(namespace.scope_id)
    return sql, params


class PgVectorStore(VectorStore):
    """A :class:`VectorStore` in PostgreSQL (see the module's docstring); one
    connection per store, reconnected once when the server dropped it."""

    name = "pgvector"

    def __init__(self, url: str, *, ef_search: int = EF_SEARCH) -> None:
        from llmspell.config import _mask_password
        from llmspell.extras import require

        what = "the pgvector store"
        self._psycopg = require("psycopg", dist="llmspell-core", extra="postgres", what=what)
        require("pgvector.psycopg", dist="llmspell-core", extra="postgres", what=what)
        require("numpy", dist="llmspell-core", extra="postgres", what=what)
        self._url = url
        self.location = _mask_password(url)
        self.server = _server_name(url)
        self.ef_search = ef_search
        self._conn: psycopg.Connection[Any] | None = None
        self._run(self._create_schema)

    # -- plumbing -----------------------------------------------------------------

    def _unavailable(self, exc: Exception) -> StateError:
        from llmspell.config import _mask_password

        detail = _mask_password(str(exc).strip().splitlines()[0] if str(exc).strip() else "")
        return StateError(
            f"PostgreSQL at {self.server} is unavailable ({self.location}): {detail}",
            hint=f"start the server, or fix {_SETTING}",
        )

    def _connect(self) -> psycopg.Connection[Any]:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        from pgvector.psycopg import register_vector

        try:
            conn = self._psycopg.connect(
                self._url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True
            )
        except self._psycopg.OperationalError as exc:
            raise self._unavailable(exc) from None
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
                conn.execute(_SCHEMA[0])
            register_vector(conn)
        except self._psycopg.Error as exc:
            conn.close()
            raise StateError(
                f"PostgreSQL at {self.server} cannot provide the vector extension: {exc}",
                hint="install pgvector on the server, or have a superuser run "
                "CREATE EXTENSION vector in that database",
            ) from None
        self._conn = conn
        return conn  # type: ignore[no-any-return]

    def _run(self, fn: Callable[[psycopg.Connection[Any]], T]) -> T:
        """``fn(conn)`` in one transaction (rolled back if it raises); a dropped
        connection is reopened and ``fn`` retried once."""
        for attempt in (1, 2):
            conn = self._connect()
            try:
                with conn.transaction():
                    return fn(conn)
            except self._psycopg.OperationalError as exc:
                if not conn.closed and not conn.broken:
                    raise StateError(f"PostgreSQL at {self.server}: {exc}") from None
                conn.close()
                self._conn = None
                if attempt == 2:
                    raise self._unavailable(exc) from None
            except self._psycopg.errors.DataException as exc:
                raise ValidationError(
                    f"PostgreSQL at {self.server} refused a value: {exc}"
                ) from None
            except self._psycopg.Error as exc:
                raise StateError(f"PostgreSQL at {self.server}: {exc}") from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _create_schema(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        for statement in _SCHEMA[1:]:
            conn.execute(statement)

    @staticmethod
    def _binding(conn: psycopg.Connection[Any]) -> tuple[str | None, int | None]:
        rows = dict(conn.execute("SELECT key, value FROM llmspell_vector_meta").fetchall())
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
        if dimensions > 2000:
            raise ValidationError(
                f"pgvector's HNSW index takes at most 2000 dimensions (got {dimensions})"
            )

        def bind(conn: psycopg.Connection[Any]) -> None:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            bound_model, bound_dims = self._binding(conn)
            if bound_model is None:
                conn.execute("TRUNCATE llmspell_vectors")
                conn.execute(
                    f"ALTER TABLE llmspell_vectors ALTER COLUMN embedding TYPE vector({dimensions})"
                )
                conn.execute(
                    "CREATE INDEX IF NOT EXISTS llmspell_vectors_hnsw ON llmspell_vectors"
                    " USING hnsw (embedding vector_cosine_ops)"
                )
                conn.execute(
                    "INSERT INTO llmspell_vector_meta (key, value) VALUES"
                    " ('model', %s), ('dimensions', %s)",
                    (model, str(dimensions)),
                )
            elif (bound_model, bound_dims) != (model, dimensions):
                raise mismatch_error(self.location, bound_model, bound_dims or 0, model, dimensions)

        self._run(bind)

    def info(self) -> dict[str, Any]:
        """See :meth:`VectorStore.info`."""
        model, dims = self._run(self._binding)
        return {"model": model, "dimensions": dims, "location": self.location}

    def add(self, records: Sequence[VectorRecord]) -> None:
        """See :meth:`VectorStore.add`."""
        if records:
            self._run(lambda conn: self._insert(conn, records))

    def replace_documents(
        self, namespace: Namespace, doc_ids: Sequence[str], records: Sequence[VectorRecord]
    ) -> None:
        """Delete documents ``doc_ids`` of ``namespace`` and add ``records``, atomically."""
        check_namespace(namespace, query=True)

        def replace(conn: psycopg.Connection[Any]) -> None:
            for doc_id in doc_ids:
                self._remove(conn, namespace, doc_id)
            self._insert(conn, records)

        self._run(replace)

    def _insert(self, conn: psycopg.Connection[Any], records: Sequence[VectorRecord]) -> None:
        _model, dims = self._binding(conn)
        if dims is None:
            raise unbound_error(self.location)
        now = time.time()
        rows = [
            (rec.id, rec.namespace.tenant, rec.namespace.scope, rec.namespace.scope_id,
             rec.doc_id, rec.content, meta, float(rec.created_at) or now, vec)
            for rec, vec, meta in check_records(records, dims)
        ]
        if not rows:
            return
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO llmspell_vectors (id, tenant, scope, scope_id, doc_id, content,"
                " metadata, created_at, embedding)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s)"
                " ON CONFLICT (id) DO UPDATE SET tenant = excluded.tenant,"
                " scope = excluded.scope, scope_id = excluded.scope_id,"
                " doc_id = excluded.doc_id, content = excluded.content,"
                " metadata = excluded.metadata, created_at = excluded.created_at,"
                " embedding = excluded.embedding",
                rows,
            )

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
        where, params = _ns_where(namespace)
        conds, fparams, exact = sql_filters(filters, "postgres")
        if conds:
            where += " AND " + " AND ".join(conds)
            params += fparams

        def query(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
            _model, dims = self._binding(conn)
            if dims is None:
                return []
            vec = check_vector(vector, dims, "the query vector")
            if exact:
                ef = min(1000, max(self.ef_search, 2 * k))
                conn.execute(f"SET LOCAL hnsw.ef_search = {ef}")
                conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
                rows = conn.execute(
                    f"SELECT {_COLUMNS}, embedding <=> %s AS d FROM llmspell_vectors"
                    f" WHERE {where} ORDER BY embedding <=> %s LIMIT %s",
                    [vec, *params, vec, k],
                ).fetchall()
                if len(rows) == k:
                    return rows
            # exactly: "+ 0" keeps the planner off the approximate index
            cur = conn.execute(
                f"SELECT {_COLUMNS}, embedding <=> %s AS d FROM llmspell_vectors"
                f" WHERE {where} ORDER BY (embedding <=> %s) + 0"
                + (" LIMIT %s" if exact else ""),
                [vec, *params, vec] + ([k] if exact else []),
            )
            if exact:
                return cur.fetchall()
            out: list[tuple[Any, ...]] = []
            for row in cur:
                if matches_filters(row[5], filters):
                    out.append(row)
                    if len(out) >= k:
                        break
            return out

        rows = self._run(query)
        hits = [_to_hit(row, 1.0 - float(row[8])) for row in rows]
        hits.sort(key=lambda h: -h.score)
        if threshold is not None:
            hits = [h for h in hits if h.score >= threshold]
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
        where, params = _ns_where(namespace)
        conds, fparams, exact = sql_filters(filters, "postgres")
        if since is not None:
            conds.append("created_at >= %s")
            fparams.append(float(since))
        if conds:
            where += " AND " + " AND ".join(conds)
        sql = f"SELECT {_COLUMNS} FROM llmspell_vectors WHERE {where} ORDER BY created_at DESC, id"
        if exact:
            sql += f" LIMIT {int(limit)}"

        def fetch(conn: psycopg.Connection[Any]) -> list[SearchHit]:
            hits: list[SearchHit] = []
            for row in conn.execute(sql, params + fparams):
                if exact or matches_filters(row[5], filters):
                    hits.append(_to_hit(row))
                    if len(hits) >= limit:
                        break
            return hits

        return self._run(fetch)

    def delete(self, namespace: Namespace, *, doc_id: str | None = None) -> int:
        """See :meth:`VectorStore.delete`."""
        check_namespace(namespace, query=True)
        return self._run(lambda conn: self._remove(conn, namespace, doc_id))

    @staticmethod
    def _remove(conn: psycopg.Connection[Any], namespace: Namespace, doc_id: str | None) -> int:
        where, params = _ns_where(namespace)
        if doc_id is not None:
            where += " AND doc_id = %s"
            params.append(doc_id)
        return conn.execute(f"DELETE FROM llmspell_vectors WHERE {where}", params).rowcount

    def count(self, namespace: Namespace | None = None) -> int:
        """See :meth:`VectorStore.count`."""
        if namespace is None:
            where, params = "true", []  # type: ignore[var-annotated]
        else:
            where, params = _ns_where(check_namespace(namespace, query=True))
        sql = f"SELECT count(*) FROM llmspell_vectors WHERE {where}"
        return int(self._run(lambda conn: conn.execute(sql, params).fetchall())[0][0])

    def namespaces(self, tenant: str | None = None) -> Listing:
        """See :meth:`VectorStore.namespaces`."""
        sql = (
            "SELECT tenant, scope, scope_id, count(*), count(DISTINCT NULLIF(doc_id, ''))"
            " FROM llmspell_vectors"
        )
        params: list[Any] = []
        if tenant is not None:
            sql += " WHERE tenant = %s"
            params.append(tenant)
        sql += " GROUP BY tenant, scope, scope_id ORDER BY tenant, scope, scope_id"
        rows = self._run(lambda conn: conn.execute(sql, params).fetchall())
        return [(Namespace(t, s, i), int(n), int(d)) for t, s, i, n, d in rows]

    def clear(self) -> None:
        """See :meth:`VectorStore.clear`."""

        def wipe(conn: psycopg.Connection[Any]) -> None:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            conn.execute("DROP INDEX IF EXISTS llmspell_vectors_hnsw")
            conn.execute("TRUNCATE llmspell_vectors")
            conn.execute("ALTER TABLE llmspell_vectors ALTER COLUMN embedding TYPE vector")
            conn.execute("DELETE FROM llmspell_vector_meta")

        self._run(wipe)

    def close(self) -> None:
        """Close the connection (a later call opens a new one)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
