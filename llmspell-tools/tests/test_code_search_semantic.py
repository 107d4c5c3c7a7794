"""semantic-search and code-search's semantic operation over the runtime's RAG service:
a real sqlite-vec store file and the test HashEmbedder (bag of words, deterministic)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmspell.config import load_settings
from llmspell.embedders import HashEmbedder
from llmspell.runtime import Runtime

FIXTURES = Path(__file__).parent / "data" / "code"


def _runtime(sandbox: Path, store: Path) -> Runtime:
    overrides: dict[tuple[str, ...], Any] = {
        ("security", "allowed_paths"): [str(sandbox)],
        ("rag", "embedder"): "test-hash",
        ("rag", "store"): "sqlite-vec",
        ("rag", "location"): str(store),
    }
    env = {"LLMSPELL_STATE_BACKEND": "memory", "HOME": str(sandbox)}
    runtime = Runtime(load_settings(environ=env, use_files=False, overrides=overrides))
    runtime.embedders.register(
        lambda model=None, **kw: HashEmbedder(model, dimensions=1024), name="test-hash"
    )
    return runtime


@pytest.fixture
def rag_tools(tools, sandbox: Path, tmp_path: Path) -> Iterator[Any]:
    """A ToolRunner whose runtime embeds with HashEmbedder into a sqlite-vec file."""
    runtime = _runtime(sandbox, tmp_path / "rag.db")
    runner = type(tools)(runtime, sandbox)
    shutil.copytree(FIXTURES, sandbox / "proj")
    yield runner
    runtime.close()


def _top(result: dict[str, Any]) -> tuple[str, str]:
    hit = result["result"]["results"][0]
    return hit["file"], hit["name"]


def test_semantic_indexes_then_finds_by_meaning(rag_tools):
    r = rag_tools.ok("code-search", operation="semantic", path="proj",
                     query="restock the item quantity by an amount")  # fmt: skip
    res = r["result"]
    assert res["files_indexed"] == 7 and res["files_unchanged"] == 0
    assert res["vectors_created"] >= 25
    assert res["scope"] == f"code:{rag_tools.root / 'proj'}"
    assert _top(r) == ("inventory.py", "restock")
    hit = res["results"][0]
    assert hit["kind"] == "method" and hit["line"] == 11 and hit["parent"] == "Item"
    assert hit["signature"] == "def restock(self, amount: int) -> int"
    assert 0 < hit["score"] <= 1 and "self.quantity += amount" in hit["content"]
    assert r["text"].splitlines()[0].startswith("inventory.py:11: method restock (")
    r = rag_tools.ok("code-search", operation="semantic", path="proj",
                     query="push an item onto the queue unless it is at capacity", top_k=3)
    assert _top(r) == ("queue.rs", "push") and len(r["result"]["results"]) == 3


def test_only_changed_files_are_reindexed(rag_tools, sandbox):
    ok = rag_tools.ok
    ok("code-search", operation="semantic", path="proj", query="greet")
    again = ok("code-search", operation="semantic", path="proj", query="greet")["result"]
    assert (again["files_indexed"], again["files_unchanged"]) == (0, 7)
    assert again["vectors_created"] == 0
    # a changed file (content and mtime) is re-embedded, alone; its old symbols are gone
    lua = sandbox / "proj" / "greeter.lua"
    lua.write_text("local M = {}\nfunction M.wave(name)\n  return 'waves at ' .. name\nend\n")
    os.utime(lua, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    r = ok("code-search", operation="semantic", path="proj", query="waves at a name")
    assert (r["result"]["files_indexed"], r["result"]["files_unchanged"]) == (1, 6)
    assert _top(r) == ("greeter.lua", "M.wave")
    r = ok("code-search", operation="semantic", path="proj", query="Goodbye farewell", top_k=50)
    assert "M:farewell" not in {hit["name"] for hit in r["result"]["results"]}
    # a deleted file is forgotten
    (sandbox / "proj" / "server.go").unlink()
    r = ok("code-search", operation="semantic", path="proj", query="handler", top_k=50)
    assert r["result"]["files_removed"] == 1
    assert "server.go" not in {hit["file"] for hit in r["result"]["results"]}
    # reindex embeds every file again
    r = ok("code-search", operation="semantic", path="proj", query="handler", reindex=True)
    assert (r["result"]["files_indexed"], r["result"]["files_unchanged"]) == (6, 0)


def test_the_index_outlives_the_runtime(rag_tools, sandbox, tmp_path):
    rag_tools.ok("code-search", operation="semantic", path="proj", query="cart total")
    rag_tools.runtime.close()
    runtime = _runtime(sandbox, tmp_path / "rag.db")
    try:
        runner = type(rag_tools)(runtime, sandbox)
        r = runner.ok("code-search", operation="semantic", path="proj",
                      query="sum of the price times the quantity of the cart items")  # fmt: skip
        assert r["result"]["files_unchanged"] == 7 and r["result"]["files_indexed"] == 0
        assert _top(r) == ("cart.js", "cartTotal")
        # the code scope is a RAG scope like any other (llmspell rag stats lists it)
        r = runner.ok("semantic-search", query="cartTotal items reduce",
                      scope=f"code:{sandbox / 'proj'}", top_k=1)  # fmt: skip
        assert r["result"]["results"][0]["metadata"]["name"] == "cartTotal"
    finally:
        runtime.close()


def test_semantic_bad_input(rag_tools, tmp_path):
    bad = rag_tools.failed("code-search", operation="semantic", path="proj", query="  ")
    assert bad["error_kind"] == "ValidationError"
    bad = rag_tools.failed("code-search", operation="semantic", path="missing", query="x")
    assert bad["error_kind"] == "NotFoundError"
    from llmspell.errors import SecurityError

    with pytest.raises(SecurityError):
        rag_tools("code-search", operation="semantic", path=str(tmp_path), query="x")


def test_a_store_of_another_model_is_a_clear_error(rag_tools, sandbox, tmp_path):
    rag_tools.ok("code-search", operation="semantic", path="proj", query="cart")
    rag_tools.runtime.close()
    runtime = _runtime(sandbox, tmp_path / "rag.db")
    runtime.embedders._items.pop("test-hash")
    runtime.embedders.register(
        lambda model=None, **kw: HashEmbedder("other", dimensions=32), name="test-hash"
    )
    try:
        runner = type(rag_tools)(runtime, sandbox)
        (sandbox / "proj" / "new.py").write_text("def added(): pass\n")
        from llmspell.errors import ValidationError

        # a configuration the spell cannot fix: raised (as RAG.search raises it)
        with pytest.raises(ValidationError, match="hash-bow") as err:
            runner("code-search", operation="semantic", path="proj", query="cart")
        assert "llmspell rag clear --all" in str(err.value)  # how to re-index
    finally:
        runtime.close()


# -- semantic-search -----------------------------------------------------------------------


def _ingest(runtime: Runtime, docs: list[dict[str, Any]], **opts: Any) -> None:
    from llmspell.rag import rag_service

    rag_service(runtime).ingest(docs, opts)


def test_semantic_search_finds_ingested_documents(rag_tools):
    _ingest(rag_tools.runtime, [
        {"id": "pay", "content": "Invoices are due thirty days after delivery.",
         "metadata": {"team": "finance"}},
        {"id": "leave", "content": "Holiday requests go to your manager two weeks ahead.",
         "metadata": {"team": "people"}},
    ], scope="handbook")  # fmt: skip
    r = rag_tools.ok("semantic-search", query="when are invoices due", scope="handbook")
    res = r["result"]
    assert res["results"][0]["id"] == "pay#0" and res["total"] == 2
    assert res["results"][0]["metadata"]["team"] == "finance"
    assert r["text"].splitlines()[0].endswith("Invoices are due thirty days after delivery.")
    r = rag_tools.ok("semantic-search", query="invoices", scope="handbook",
                     filters={"team": "people"})  # fmt: skip
    assert [h["id"] for h in r["result"]["results"]] == ["leave#0"]
    r = rag_tools.ok("semantic-search", query="invoices", scope="handbook", threshold=0.99)
    assert r["result"]["results"] == [] and r["text"] == "no results"
    # another scope or tenant sees nothing
    r = rag_tools.ok("semantic-search", query="invoices due", scope="other")
    assert r["result"]["total"] == 0
    r = rag_tools.ok("semantic-search", query="invoices due", scope="handbook", tenant_id="t2")
    assert r["result"]["total"] == 0


def test_semantic_search_bad_input(rag_tools):
    from llmspell.errors import ValidationError

    with pytest.raises(ValidationError):
        rag_tools("semantic-search", scope="handbook")  # no query
    with pytest.raises(ValidationError):
        rag_tools("semantic-search", query="x", top_k=0)
    with pytest.raises(ValidationError, match="reserved for Memory"):
        rag_tools("semantic-search", query="x", scope="memory:episodic")
    with pytest.raises(ValidationError, match="the query is 20000 bytes"):
        rag_tools("semantic-search", query="x" * 20_000)


class _SlowEmbedder(HashEmbedder):
    """One text per batch, 0.2 s each: a long indexing job."""

    max_batch = 1

    def embed(self, texts):  # type: ignore[no-untyped-def]
        import time

        time.sleep(0.2)
        return super().embed(texts)


def test_the_run_limit_stops_a_long_indexing(sandbox, tmp_path):
    import time

    from llmspell.errors import LimitExceeded
    from llmspell.runtime import Limits

    runtime = _runtime(sandbox, tmp_path / "rag.db")
    runtime.embedders._items.pop("test-hash")
    runtime.embedders.register(
        lambda model=None, **kw: _SlowEmbedder(model, dimensions=64), name="test-hash"
    )
    (sandbox / "proj").mkdir()
    (sandbox / "proj" / "many.py").write_text(  # one file, one ingest: 8 s of embedding
        "".join(f"def handler_{n}(event):\n    return event + {n}\n\n" for n in range(40))
    )
    spell = 'Tool.execute("code-search", {operation = "semantic", path = "proj", query = "x"})'
    start = time.monotonic()
    try:
        with pytest.raises(LimitExceeded):
            runtime.run_sync(spell, engine="lua", limits=Limits(timeout_seconds=1.5))
    finally:
        runtime.close()  # waits for RAG's worker thread: it stopped between batches too
    assert time.monotonic() - start < 4
