"""RAG through its global's ops (as an engine calls them) and its service: ingest,
search, scopes, filters, limits, atomicity, files, stats and cleanup."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from llmspell.embedders import Embedder, HashEmbedder
from llmspell.errors import LimitExceeded, SecurityError, ValidationError
from llmspell.rag import rag_service
from llmspell.runtime import Runtime
from llmspell.testing import OpHost
from llmspell.vectorstore.base import DimensionMismatchError

DOCS = [
    {"id": "cats", "content": "Cats are small furry pets. A cat purrs when happy.",
     "metadata": {"kind": "pet"}},
    {"id": "rust", "content": "Rust is a systems programming language with a borrow checker.",
     "metadata": {"kind": "code"}},
    {"id": "tea", "content": "Green tea is brewed from unoxidised leaves.",
     "metadata": {"kind": "food"}},
]  # fmt: skip


@pytest.fixture
def host(rt: Runtime) -> OpHost:
    return OpHost(rt)


def test_ingest_then_search_finds_the_relevant_document(host: OpHost) -> None:
    got = host("RAG.ingest", DOCS, {})
    assert got == {
        "success": True,
        "documents_processed": 3,
        "vectors_created": 3,
        "total_tokens": got["total_tokens"],
        "documents_skipped": 0,
    }
    assert got["total_tokens"] > 20
    found = host("RAG.search", "furry cat pets", {"top_k": 2})
    assert found["success"] is True and found["total"] == 2
    top = found["results"][0]
    assert top["id"] == "cats#0" and top["text"] == top["content"]
    assert top["metadata"] == {"kind": "pet", "doc_id": "cats", "chunk_index": 0}
    assert 0 < top["score"] <= 1


def test_a_single_document_and_k_alias(host: OpHost) -> None:
    assert (
        host("RAG.ingest", {"text": "only one document here", "id": "one"})["vectors_created"] == 1
    )
    assert host("RAG.search", "document", {"k": 5})["results"][0]["id"] == "one#0"


def test_a_search_before_anything_was_ingested_is_empty_not_an_error(host: OpHost) -> None:
    assert host("RAG.search", "anything") == {"success": True, "total": 0, "results": []}


def test_filters_threshold_and_top_k_cap(make_runtime: Any) -> None:
    host = OpHost(make_runtime({("rag", "max_top_k"): 2}))
    host("RAG.ingest", DOCS)
    only = host("RAG.search", "pets code tea", {"metadata_filter": {"kind": "code"}})
    assert [r["id"] for r in only["results"]] == ["rust#0"]
    either = host("RAG.search", "pets code tea", {"filters": {"kind": ["code", "food"]}})
    assert sorted(r["id"] for r in either["results"]) == ["rust#0", "tea#0"]
    assert host("RAG.search", "pets", {"top_k": 50})["total"] == 2  # capped at max_top_k
    assert host("RAG.search", "furry cats", {"threshold": 0.99})["total"] == 0


def test_scopes_and_tenants_isolate(host: OpHost) -> None:
    host("RAG.ingest", DOCS[:1], {"scope": "user", "scope_id": "alice"})
    host("RAG.ingest", DOCS[1:2], {"scope": "user", "scope_id": "bob", "tenant_id": "t2"})
    assert host("RAG.search", "cats", {"scope": "user", "scope_id": "bob"})["total"] == 0
    assert host("RAG.search", "cats", {"scope": "user"})["total"] == 1  # every id of the scope
    assert host("RAG.search", "rust", {"scope": "user", "tenant_id": "t2"})["total"] == 1
    assert host("RAG.search", "cats")["total"] == 0  # the global scope is empty
    stats = host("RAG.get_stats")
    assert stats["total_vectors"] == 2 and len(stats["scopes"]) == 2
    assert host("RAG.get_stats", "user", "alice")["total_documents"] == 1
    assert host("RAG.cleanup_scope", "user", "alice") == 1
    assert host("RAG.get_stats", None, None, "t2")["total_vectors"] == 1


def test_reingesting_a_document_replaces_its_chunks(host: OpHost) -> None:
    long = " ".join(f"Fact {i} about llamas." for i in range(80))
    first = host(
        "RAG.ingest", {"id": "d", "content": long}, {"chunking": {"chunk_size": 32, "overlap": 0}}
    )
    assert first["vectors_created"] > 3
    host("RAG.ingest", {"id": "d", "content": "Short now."})
    assert host("RAG.get_stats")["total_vectors"] == 1
    assert host("RAG.search", "llamas")["results"][0]["content"] == "Short now."


def test_markdown_chunks_carry_their_heading(host: OpHost) -> None:
    md = "# Guide\n\nIntro text.\n\n## Install\n\nRun the installer."
    host("RAG.ingest", {"id": "g", "content": md}, {"chunking": {"strategy": "markdown"}})
    hit = host("RAG.search", "installer")["results"][0]
    assert hit["metadata"]["heading"] == "Guide > Install"


def test_empty_documents_are_skipped_and_all_empty_is_an_error(host: OpHost) -> None:
    got = host("RAG.ingest", [{"content": "real text"}, {"content": "   "}])
    assert (got["documents_processed"], got["documents_skipped"]) == (1, 1)
    with pytest.raises(ValidationError, match="every document is empty"):
        host("RAG.ingest", [{"content": ""}, {"content": "\n"}])


@pytest.mark.parametrize(
    ("docs", "opts", "message"),
    [
        ({"content": 5}, {}, "needs content"),
        ([{"content": "a", "bogus": 1}], {}, "unknown field"),
        ([{"id": "x", "content": "a"}, {"id": "x", "content": "b"}], {}, "appears twice"),
        ({"content": "a", "metadata": {"nested": {"a": 1}}}, {}, "metadata 'nested'"),
        ({"content": "a", "metadata": {"k": "v" * 20000}}, {}, "limit is 16384"),
        ({"content": "a"}, {"scope": ""}, None),
        ({"content": "a"}, {"scope": "x" * 300}, "limit is 256"),
        ({"content": "a"}, {"scope": "memory:episodic"}, "reserved for Memory"),
        ({"content": "a"}, {"tenant_id": 5}, "must be a string"),
        ({"content": "a"}, {"chunking": {"strategy": "words"}}, "not one of"),
        ({"content": "a"}, {"chunking": {"chunk_size": 8}}, "16..8192"),
        ({"content": "a"}, {"chunking": {"chunk_size": 32, "overlap": 32}}, "less than"),
        ({"content": "a"}, {"chunking": {"size": 32}}, "unknown chunking"),
        (42, {}, "must be a document"),
    ],
)
def test_bad_input_is_a_validation_error(
    host: OpHost, docs: Any, opts: Any, message: str | None
) -> None:
    if message is None:  # an empty scope name falls back to the default
        assert host("RAG.ingest", docs, opts)["success"] is True
        return
    with pytest.raises(ValidationError, match=message):
        host("RAG.ingest", docs, opts)


def test_size_and_count_caps_name_the_limit(make_runtime: Any) -> None:
    host = OpHost(make_runtime({("rag", "max_document_bytes"): 100, ("rag", "max_documents"): 2}))
    with pytest.raises(ValidationError, match=r"document 'big' is 101 bytes; the limit is 100"):
        host("RAG.ingest", {"id": "big", "content": "x" * 101})
    with pytest.raises(ValidationError, match="3 documents in one call; the limit is 2"):
        host("RAG.ingest", [{"content": "a"}, {"content": "b"}, {"content": "c"}])


@pytest.mark.parametrize(
    ("query", "opts", "message"),
    [
        ("", {}, "must not be empty"),
        ("q" * 20000, {}, "limit is 16384"),
        ("q", {"top_k": 0}, "positive integer"),
        ("q", {"threshold": 2}, "from -1 to 1"),
        ("q", {"filters": "kind=pet"}, "table/object"),
        (7, {}, "must be a string"),
        ("q", {"provider": 5}, "provider must be"),
    ],
)
def test_bad_searches_are_refused(host: OpHost, query: Any, opts: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        host("RAG.search", query, opts)


class Failing(HashEmbedder):
    """Embeds the first batch, then fails (an embedder that dies mid-ingest)."""

    calls = 0

    def embed(self, texts: Any) -> list[list[float]]:
        type(self).calls += 1
        if type(self).calls > 1:
            raise RuntimeError("the model crashed")
        return super().embed(texts)


def test_a_failing_embedder_leaves_the_store_as_it_was(make_runtime: Any) -> None:
    rt = make_runtime({("rag", "embedder"): "flaky"})
    rt.embedders.register(lambda model=None, **kw: _small_batches(Failing()), name="flaky")
    host = OpHost(rt)
    Failing.calls = -10  # the first ingest succeeds
    host("RAG.ingest", {"id": "keep", "content": "old content stays"})
    Failing.calls = 0
    docs = [{"id": "keep", "content": "new"}] + [{"content": f"doc {i}"} for i in range(5)]
    with pytest.raises(RuntimeError, match="crashed"):
        rag_service(rt).ingest(docs, {})
    Failing.calls = -10
    assert host("RAG.get_stats")["total_vectors"] == 1
    assert host("RAG.search", "content")["results"][0]["content"] == "old content stays"


def _small_batches(embedder: Embedder) -> Embedder:
    embedder.max_batch = 2
    return embedder


def test_the_run_limit_stops_a_long_ingest_between_batches(make_runtime: Any) -> None:
    rt = make_runtime()
    rt.embedders.register(lambda model=None, **kw: _small_batches(HashEmbedder()), name="small")
    calls = []

    def check() -> None:
        calls.append(1)
        if len(calls) > 2:
            raise LimitExceeded("wall-time limit of 1 s exceeded", limit="timeout")

    docs = [{"content": f"document {i}"} for i in range(10)]
    with pytest.raises(LimitExceeded):
        rag_service(rt).ingest(docs, {"provider": "small"}, check=check)
    assert rag_service(rt).stats()["total_vectors"] == 0


def test_a_provider_of_another_model_is_a_dimension_mismatch(rt: Runtime) -> None:
    rt.embedders.register(
        lambda model=None, **kw: HashEmbedder("other", dimensions=32), name="other"
    )
    host = OpHost(rt)
    host("RAG.ingest", DOCS)
    with pytest.raises(DimensionMismatchError, match="hash-bow") as err:
        host("RAG.ingest", {"content": "x"}, {"provider": "other"})
    assert "clear the store" in (err.value.hint or "")
    same = host("RAG.ingest", {"content": "x"}, {"provider": "test-hash"})
    assert same["vectors_created"] == 1


def test_embedding_runs_off_the_event_loop_and_off_the_state_worker(rt: Runtime) -> None:
    seen: list[str] = []

    class Spy(HashEmbedder):
        def embed(self, texts: Any) -> list[list[float]]:
            seen.append(threading.current_thread().name)
            return super().embed(texts)

    rt.embedders.register(lambda model=None, **kw: Spy(), name="spy")
    OpHost(rt)("RAG.ingest", {"content": "x"}, {"provider": "spy"})
    assert seen and all(name.startswith("llmspell-rag") for name in seen)


def test_configure_sets_the_runs_defaults_and_save_is_true(host: OpHost) -> None:
    assert host("RAG.configure", {"scope": "notes", "top_k": 1}) is True
    host("RAG.ingest", DOCS)
    assert host("RAG.get_stats", "notes")["total_vectors"] == 3
    assert host("RAG.search", "cats")["total"] == 1
    with pytest.raises(ValidationError, match="unknown option"):
        host("RAG.configure", {"embedder": "x"})
    assert host("RAG.save") is True


def test_list_providers_names_the_registered_embedders(host: OpHost) -> None:
    got = host("RAG.list_providers")
    assert {"name": "test-hash", "description": "", "default": True} in got


# -- files ---------------------------------------------------------------------------


def _pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (Helvetica), with a correct xref table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_ingest_file_reads_text_markdown_html_and_pdf(rt: Runtime, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Plain text about volcanoes.")
    (tmp_path / "b.md").write_text("# Title\n\nMarkdown about glaciers.")
    (tmp_path / "c.html").write_text(
        "<html><head><title>t</title><style>p{}</style></head><body><p>HTML about deserts."
        "</p><script>var secret = 1;</script></body></html>"
    )
    (tmp_path / "d.pdf").write_bytes(_pdf("PDF about rainforests"))
    host = OpHost(rt)
    paths = [str(tmp_path / n) for n in ("a.txt", "b.md", "c.html", "d.pdf")]
    got = host("RAG.ingest_file", paths)
    assert (got["documents_processed"], got["vectors_created"]) == (4, 4)
    for word, name in (
        ("volcanoes", "a.txt"),
        ("glaciers", "b.md"),
        ("deserts", "c.html"),
        ("rainforests", "d.pdf"),
    ):
        hit = host("RAG.search", word, {"top_k": 1})["results"][0]
        assert hit["metadata"]["file_name"] == name
        assert "secret" not in hit["content"]


def test_ingest_file_refuses_binary_outside_unknown_and_huge_files(
    make_runtime: Any, tmp_path: Path
) -> None:
    host = OpHost(make_runtime({("rag", "max_document_bytes"): 64}))
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "latin.txt").write_bytes("caf\xe9".encode("latin-1"))
    (tmp_path / "x.docx").write_text("x")
    (tmp_path / "big.md").write_text("y" * 65)
    (tmp_path / "fake.pdf").write_text("not a pdf")
    with pytest.raises(ValidationError, match="is binary"):
        host("RAG.ingest_file", str(tmp_path / "bin.txt"))
    with pytest.raises(ValidationError, match="not UTF-8"):
        host("RAG.ingest_file", str(tmp_path / "latin.txt"))
    with pytest.raises(ValidationError, match=r"unsupported file type '\.docx'"):
        host("RAG.ingest_file", str(tmp_path / "x.docx"))
    with pytest.raises(ValidationError, match="over the limit of 64 bytes"):
        host("RAG.ingest_file", str(tmp_path / "big.md"))
    with pytest.raises(ValidationError, match="not a PDF"):
        host("RAG.ingest_file", str(tmp_path / "fake.pdf"))
    with pytest.raises(SecurityError, match="outside the allowed paths"):
        host("RAG.ingest_file", "/etc/hostname")
    # a refused file among good ones: nothing was ingested
    (tmp_path / "ok.txt").write_text("fine")
    with pytest.raises(ValidationError):
        host("RAG.ingest_file", [str(tmp_path / "ok.txt"), str(tmp_path / "bin.txt")])
    assert host("RAG.get_stats")["total_vectors"] == 0


def test_ingest_files_reports_progress(rt: Runtime, tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(f"file number {i}")
    seen: list[tuple[int, int, str]] = []
    paths = [str(tmp_path / f"{i}.txt") for i in range(3)]
    got = rag_service(rt).ingest_files(
        paths, {}, policy=rt.policy, progress=lambda *a: seen.append(a)
    )
    assert got["documents_processed"] == 3
    assert [(d, t) for d, t, _ in seen] == [(1, 3), (2, 3), (3, 3)]


def test_nothing_heavy_opens_before_first_use(rt: Runtime) -> None:
    rag_service(rt)
    assert rt.services["vector_index"].opened_store() is None


def test_the_spells_deadline_stops_an_ingest_through_the_global(make_runtime: Any) -> None:
    import time

    class Slow(HashEmbedder):
        max_batch = 1

        def embed(self, texts: Any) -> list[list[float]]:
            time.sleep(0.05)
            return super().embed(texts)

    rt = make_runtime({("rag", "embedder"): "slow"})
    rt.embedders.register(lambda model=None, **kw: Slow(), name="slow")
    host = OpHost(rt)
    host.session.deadline = time.monotonic() + 0.3
    started = time.monotonic()
    with pytest.raises(LimitExceeded, match="wall-time"):
        host("RAG.ingest", [{"content": f"document {i}"} for i in range(200)])
    assert time.monotonic() - started < 3  # stopped between batches, not after all 200
    host.session.deadline = float("inf")
    assert host("RAG.get_stats")["total_vectors"] == 0
