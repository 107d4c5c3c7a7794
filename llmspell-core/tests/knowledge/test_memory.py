"""Memory and Context through their globals' ops: episodic entries, semantic facts,
stats, context assembly within a budget, and the bad inputs of each."""

from __future__ import annotations

from typing import Any

import pytest

from llmspell.embedders import approx_tokens
from llmspell.errors import ConfigurationError, ValidationError
from llmspell.memory import memory_service
from llmspell.runtime import Runtime
from llmspell.testing import OpHost


@pytest.fixture
def host(rt: Runtime) -> OpHost:
    return OpHost(rt)


def test_episodic_add_and_search_within_a_session(host: OpHost) -> None:
    first = host(
        "Memory.episodic.add", "s1", "user", "I love green tea in the morning", {"mood": "calm"}
    )
    host("Memory.episodic.add", "s1", "assistant", "Noted: green tea.")
    host("Memory.episodic.add", "s2", "user", "green tea is for the other session")
    assert isinstance(first, str) and first
    found = host("Memory.episodic.search", "s1", "I love tea in the morning", 5)
    assert {e["session_id"] for e in found} == {"s1"} and len(found) == 2
    top = found[0]
    assert (top["id"], top["role"], top["metadata"]) == (first, "user", {"mood": "calm"})
    assert set(top) == {"id", "session_id", "role", "content", "metadata", "created_at", "score"}
    assert top["created_at"] > 1.7e9 and 0 < top["score"] <= 1
    assert host("Memory.episodic.search", "nobody", "tea") == []


def test_stats_count_entries_and_sessions(host: OpHost) -> None:
    assert host("Memory.stats") == {
        "episodic_count": 0,
        "semantic_count": 0,
        "sessions_with_unprocessed": 0,
        "has_episodic": False,
        "has_semantic": False,
        "has_consolidation": False,
    }
    host("Memory.episodic.add", "a", "user", "one")
    host("Memory.episodic.add", "b", "user", "two")
    got = host("Memory.stats")
    assert (got["episodic_count"], got["sessions_with_unprocessed"], got["has_episodic"]) == (
        2,
        2,
        True,
    )


def test_semantic_query_on_an_empty_memory_is_empty(host: OpHost) -> None:
    assert host("Memory.semantic.query", "anything", 3) == []


def test_memory_and_rag_do_not_see_each_other(host: OpHost) -> None:
    host("Memory.episodic.add", "s", "user", "private memory about llamas")
    host("RAG.ingest", {"content": "a document about llamas"})
    assert [r["content"] for r in host("RAG.search", "llamas")["results"]] == [
        "a document about llamas"
    ]
    assert host("RAG.get_stats")["total_vectors"] == 1
    assert host("RAG.cleanup_scope", "global") == 1
    assert host("Memory.stats")["episodic_count"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", "user", "x"), "session_id must not be empty"),
        (("s" * 300, "user", "x"), "limit is 256"),
        (("s", "", "x"), "role must not be empty"),
        (("s", "r" * 65, "x"), "longer than 64"),
        (("s", "user", "   "), "non-empty string"),
        (("s", "user", "x", {"k": "v" * 20000}), "limit is 16384"),
        (("s\n", "user", "x"), "control characters"),
    ],
)
def test_bad_entries_are_refused(host: OpHost, args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        host("Memory.episodic.add", *args)


def test_an_entry_over_max_entry_bytes_names_the_limit(make_runtime: Any) -> None:
    host = OpHost(make_runtime({("memory", "max_entry_bytes"): 10}))
    with pytest.raises(ValidationError, match="11 bytes; the limit is 10") as err:
        host("Memory.episodic.add", "s", "user", "x" * 11)
    assert "max_entry_bytes" in (err.value.hint or "")


def test_bad_searches_are_refused(host: OpHost) -> None:
    with pytest.raises(ValidationError, match="limit must be a positive integer"):
        host("Memory.episodic.search", "s", "q", 0)
    with pytest.raises(ValidationError, match="must not be empty"):
        host("Memory.semantic.query", " ")
    with pytest.raises(ValidationError, match="limit is 16384"):
        host("Memory.episodic.search", "s", "q" * 17000)


# -- context ---------------------------------------------------------------------------


def _fill(host: OpHost, n: int = 30) -> None:
    for i in range(n):
        host("Memory.episodic.add", "s", "user", f"note {i}: the project deadline is in week {i}")


@pytest.mark.parametrize("budget", [1, 12, 40, 100, 8192])
def test_context_stays_within_the_token_budget(host: OpHost, budget: int) -> None:
    _fill(host)
    got = host("Context.assemble", "project deadline", "episodic", budget, "s")
    assert got["token_count"] <= budget
    assert got["token_count"] == (approx_tokens(got["formatted"]) if got["formatted"] else 0)
    assert len(got["formatted"].splitlines()) == len(got["chunks"])
    if budget >= 100:
        assert len(got["chunks"]) >= 3


def test_context_shape_and_strategies(host: OpHost) -> None:
    _fill(host, 3)
    host("RAG.ingest", {"id": "plan", "content": "The project plan has three phases."})
    got = host("Context.assemble", "project", "episodic", 500, "s")
    item = got["chunks"][0]
    assert set(item) == {"chunk", "score", "ranker"} and item["ranker"] == "episodic"
    assert set(item["chunk"]) == {"role", "content", "source", "timestamp", "metadata"}
    assert item["chunk"]["source"] == "episodic:s" and item["chunk"]["role"] == "user"
    assert 0 < got["total_confidence"] <= 1
    span = got["temporal_span"]
    assert span["start"] <= span["end"]
    rag = host("Context.assemble", "project", "rag")
    assert [c["chunk"]["source"] for c in rag["chunks"]] == ["rag:plan"]
    assert host("Context.assemble", "project", "semantic")["chunks"] == []
    hybrid = host("Context.assemble", "project", {"strategy": "hybrid", "max_tokens": 500})
    assert len(hybrid["chunks"]) == 3
    assert [t["strategy"] for t in host("Context.test", "project", "s")] == [
        "episodic", "semantic", "hybrid", "rag"
    ]  # fmt: skip
    assert host("Context.strategy_stats") == {
        "episodic_count": 3,
        "semantic_count": 0,
        "strategies": ["episodic", "semantic", "hybrid", "rag"],
    }


def test_context_of_an_empty_memory(host: OpHost) -> None:
    got = host("Context.assemble", "anything")
    assert (got["chunks"], got["token_count"], got["formatted"]) == ([], 0, "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("q", "fuzzy"), "not one of"),
        (("q", "hybrid", 0), "from 1 to"),
        (("q", "hybrid", 2_000_000), "from 1 to"),
        (("q", {"strategy": "hybrid", "budget": 3}), "unknown option"),
        (("",), "must not be empty"),
        (("q", "episodic", 10, ""), "must not be empty"),
    ],
)
def test_bad_context_requests(host: OpHost, args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        host("Context.assemble", *args)


# -- consolidation without a provider --------------------------------------------------


def test_consolidate_without_a_provider_says_so(host: OpHost) -> None:
    host("Memory.episodic.add", "s", "user", "I moved to Lisbon")
    with pytest.raises(ConfigurationError, match="needs an LLM") as err:
        host("Memory.consolidate")
    assert "consolidation_model" in (err.value.hint or "")
    assert host("Memory.stats")["sessions_with_unprocessed"] == 1


def test_services_are_one_per_runtime_and_closed_with_it(make_runtime: Any) -> None:
    rt = make_runtime()
    mem = memory_service(rt)
    assert memory_service(rt) is mem
    OpHost(rt)("Memory.episodic.add", "s", "user", "x")
    index = rt.services["vector_index"]
    assert index.opened_store() is not None
    rt.close()
    assert rt.services == {} and index.opened_store() is None
