"""RAG, Memory and Context over every built-in store: the in-memory one, sqlite-vec (a
file) and pgvector (a real PostgreSQL with pgvector, the session's test server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmspell.errors import LLMSpellError
from llmspell.runtime import Runtime
from llmspell.testing import OpHost


@pytest.fixture(params=["memory", "sqlite-vec", "pgvector"])
def store_host(
    request: pytest.FixtureRequest, make_runtime: Any, tmp_path: Path
) -> Iterator[OpHost]:
    name = request.param
    if name == "pgvector":
        location = request.getfixturevalue("postgres_url")
    else:
        location = str(tmp_path / "rag.db")
    rt: Runtime = make_runtime({("rag", "store"): name, ("rag", "location"): location})
    yield OpHost(rt)
    rt.close()  # before the database is dropped


def test_the_services_behave_the_same_on_every_store(store_host: OpHost) -> None:
    host = store_host
    assert host("RAG.search", "nothing yet")["total"] == 0
    docs = [
        {
            "id": "a",
            "content": "Alpacas are gentle animals from the Andes.",
            "metadata": {"tag": "x"},
        },
        {"id": "b", "content": "Compilers translate source code.", "metadata": {"tag": "y"}},
    ]
    assert host("RAG.ingest", docs, {"scope": "s", "scope_id": "1"})["vectors_created"] == 2
    hit = host("RAG.search", "gentle alpacas Andes", {"scope": "s"})["results"][0]
    assert (hit["id"], hit["metadata"]["tag"]) == ("a#0", "x")
    only = host("RAG.search", "alpacas", {"scope": "s", "filters": {"tag": "y"}})
    assert [r["id"] for r in only["results"]] == ["b#0"]
    long = " ".join(f"Sentence {i} about alpacas." for i in range(60))
    host(
        "RAG.ingest",
        {"id": "a", "content": long},
        {"scope": "s", "scope_id": "1", "chunking": {"chunk_size": 32, "overlap": 0}},
    )
    many = host("RAG.get_stats", "s")["total_vectors"]
    host("RAG.ingest", {"id": "a", "content": "Short."}, {"scope": "s", "scope_id": "1"})
    assert many > 3 and host("RAG.get_stats", "s")["total_vectors"] == 2
    entry = host("Memory.episodic.add", "sess", "user", "The alpaca is called Pico.")
    assert host("Memory.episodic.search", "sess", "alpaca name")[0]["id"] == entry
    ctx = host("Context.assemble", "alpaca", "episodic", 50, "sess")
    assert ctx["token_count"] <= 50 and len(ctx["chunks"]) == 1
    assert host("Memory.stats")["episodic_count"] == 1
    assert host("RAG.cleanup_scope", "s") == 2
    assert host("RAG.get_stats")["total_vectors"] == 0


def test_a_postgresql_that_is_down_is_a_clear_error(make_runtime: Any, tmp_path: Path) -> None:
    url = f"postgresql://postgres@/nothing?host={tmp_path / 'no-server'}"
    host = OpHost(make_runtime({("rag", "store"): "pgvector", ("rag", "location"): url}))
    with pytest.raises(LLMSpellError) as err:
        host("RAG.ingest", {"content": "x"})
    text = str(err.value)
    assert "PostgreSQL" in text or "postgres" in text.lower()
    assert err.value.hint
    with pytest.raises(LLMSpellError):  # and it stays an error, not a hang or a crash
        host("Memory.episodic.add", "s", "user", "x")
