"""End-to-end tests of ``llmspell rag ingest|search|stats|clear`` and ``llmspell memory
add|search|stats|consolidate``: the real command in a subprocess with a private
``LLMSPELL_HOME`` (see conftest.py), the local embedder (all-MiniLM-L6-v2, no network)
and the default sqlite-vec store file."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import CLI
from tests.e2e.test_progress import _on_pty

DOCS = {
    "kb/billing.md": "# Billing\n\nInvoices are due thirty days after delivery. Late payments "
    "cost two percent a month.\n",
    "kb/people/leave.txt": "Holiday requests go to your manager two weeks ahead.\n",
    "kb/security.html": "<html><head><title>t</title><script>steal()</script></head><body>"
    "<h1>Security</h1><p>Rotate your passwords every ninety days.</p></body></html>",
    "kb/.hidden.md": "never ingested from a directory\n",
    "kb/node_modules/dep.md": "never ingested either\n",
    "kb/image.png": "not a document type\n",
}


def _json(cli: CLI, proc: Any) -> Any:
    assert proc.returncode == 0, cli.explain(proc)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"stdout is not JSON\n{cli.explain(proc)}")


@pytest.fixture
def kb(cli: CLI) -> CLI:
    for name, text in DOCS.items():
        cli.write(name, text)
    return cli


def test_ingest_a_directory_then_search_stats_and_clear(kb: CLI):
    cli = kb
    proc = cli("rag", "ingest", "kb", "--scope", "handbook")
    assert proc.returncode == 0, cli.explain(proc)
    assert proc.stdout == (
        "ingested 3 of 3 file(s) into scope 'handbook': 3 chunks, "
        + proc.stdout.split("chunks, ")[1]
    )
    assert proc.stderr == ""  # no progress bar off a terminal
    assert (cli.home / "rag.db").is_file()

    proc = cli("rag", "search", "when must an invoice be paid", "--scope", "handbook")
    assert proc.returncode == 0, cli.explain(proc)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("1. ") and lines[0].endswith("  kb/billing.md")
    assert "Invoices are due thirty days" in lines[1]
    assert "steal()" not in proc.stdout  # the HTML's script is not text

    found = _json(cli, cli("rag", "search", "changing passwords", "--scope", "handbook",
                           "--top-k", "1", "-o", "json"))  # fmt: skip
    assert found["success"] is True and found["total"] == 1
    (hit,) = found["results"]
    assert hit["id"] == "kb/security.html#0" and hit["metadata"]["source"] == "kb/security.html"
    assert set(hit) >= {"id", "content", "text", "score", "metadata"}

    # another scope sees nothing; a threshold no chunk reaches gives nothing
    assert _json(cli, cli("rag", "search", "invoice", "-o", "json"))["total"] == 0
    found = _json(cli, cli("rag", "search", "invoice", "--scope", "handbook",
                           "--threshold", "0.99", "-o", "json"))  # fmt: skip
    assert found["results"] == []

    stats = _json(cli, cli("rag", "stats", "-o", "json"))
    assert stats["total_vectors"] == 3 and stats["total_documents"] == 3
    assert stats["store"] == "sqlite-vec" and stats["model"] == "all-MiniLM-L6-v2"
    assert stats["dimensions"] == 384
    assert stats["scopes"] == [{"tenant_id": "default", "scope": "handbook", "scope_id": "",
                                "vectors": 3, "documents": 3}]  # fmt: skip
    text = cli("rag", "stats").stdout
    assert "store: sqlite-vec" in text and "default: handbook: 3 chunks, 3 documents" in text

    # ingesting a file again replaces its chunks
    cli.write("kb/billing.md", "Invoices are now due sixty days after delivery.\n")
    proc = cli("rag", "ingest", "kb/billing.md", "--scope", "handbook", "-o", "json")
    assert _json(cli, proc)["vectors_created"] == 1
    assert _json(cli, cli("rag", "stats", "-o", "json"))["total_vectors"] == 3
    found = _json(cli, cli("rag", "search", "invoice due", "--scope", "handbook",
                           "-k", "1", "-o", "json"))  # fmt: skip
    assert "sixty days" in found["results"][0]["content"]

    # clear: refused off a terminal without --yes, then done
    proc = cli("rag", "clear", "--scope", "handbook")
    assert proc.returncode == 2, cli.explain(proc)
    assert "without --yes" in proc.stderr
    proc = cli("rag", "clear", "--scope", "handbook", "--yes", "-o", "json")
    assert _json(cli, proc)["deleted"] == 3
    assert _json(cli, cli("rag", "stats", "-o", "json"))["total_vectors"] == 0


def test_ingest_options_and_json(kb: CLI):
    cli = kb
    long_text = " ".join(f"Sentence number {n} talks about topic {n}." for n in range(200))
    cli.write("long.txt", long_text)
    result = _json(cli, cli("rag", "ingest", "long.txt", "--chunk-size", "32", "--strategy",
                            "fixed", "--scope-id", "v1", "--tenant", "acme", "-o", "json"))
    assert result["documents_processed"] == 1 and result["vectors_created"] > 20
    assert (result["scope"], result["scope_id"], result["tenant_id"]) == ("global", "v1", "acme")
    found = _json(cli, cli("rag", "search", "topic 150", "--tenant", "acme", "--scope-id", "v1",
                           "-o", "json"))  # fmt: skip
    assert found["total"] == 5
    assert _json(cli, cli("rag", "search", "topic 150", "-o", "json"))["total"] == 0  # tenant
    proc = cli("rag", "ingest", "long.txt", "--strategy", "paragraphs")
    assert proc.returncode == 1 and "chunking.strategy 'paragraphs'" in proc.stderr


def test_bad_paths(kb: CLI, tmp_path_factory):
    cli = kb
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "secret.md").write_text("outside the allowed paths\n")
    cli.write("llmspell.toml", '[security]\nallowed_paths = ["."]\n')
    proc = cli("rag", "ingest", str(outside / "secret.md"))
    assert proc.returncode == 1, cli.explain(proc)
    assert "SecurityError: access to" in proc.stderr and "[security] allowed_paths" in proc.stderr
    proc = cli("rag", "ingest", "missing.md")
    assert proc.returncode == 2 and "NotFoundError: 'missing.md' does not exist" in proc.stderr
    (cli.cwd / "kb" / "blob.txt").write_bytes(b"\x89PNG\x00\x00binary")
    proc = cli("rag", "ingest", "kb")
    assert proc.returncode == 1 and "is binary" in proc.stderr
    # nothing of the failed ingest was written
    assert _json(cli, cli("rag", "stats", "-o", "json"))["total_vectors"] == 0
    proc = cli("rag", "ingest", "kb/image.png")  # named on the command line: refused by type
    assert proc.returncode == 1, cli.explain(proc)
    cli.write("empty/readme.rst", "no document types here\n")
    proc = cli("rag", "ingest", "empty")
    assert proc.returncode == 2 and "no .txt, .md, .html or .pdf files" in proc.stderr


def test_usage_errors(cli: CLI):
    proc = cli("rag", "clear")
    assert proc.returncode == 2 and "--scope SCOPE" in proc.stderr
    proc = cli("rag", "clear", "--scope", "x", "--all")
    assert proc.returncode == 2
    proc = cli("rag", "search", "x", "--top-k", "0")
    assert proc.returncode == 2
    proc = cli("rag", "search", "x", "--scope", "memory:episodic")
    assert proc.returncode == 1 and "reserved for Memory" in proc.stderr
    proc = cli("rag", "search", "   ")
    assert proc.returncode == 1 and "must not be empty" in proc.stderr
    # nothing ingested yet: no results, not an error
    assert _json(cli, cli("rag", "search", "anything", "-o", "json"))["total"] == 0


def test_progress_bar_on_a_terminal(kb: CLI):
    code, text = _on_pty(kb, "rag", "ingest", "kb", "--scope", "p")
    assert code == 0, text
    assert "[########################] 3/3" in text  # the bar, drawn on stderr
    assert "\r\x1b[2K" in text  # and cleared before the summary
    assert "ingested 3 of 3 file(s)" in text


def test_clear_all_rebinds_the_model(kb: CLI):
    cli = kb
    assert cli("rag", "ingest", "kb").returncode == 0
    assert cli("memory", "add", "s1", "user", "hello").returncode == 0
    proc = cli("rag", "clear", "--all", "--yes")
    assert proc.returncode == 0 and "deleted 4 chunk(s) of everything" in proc.stdout
    stats = _json(cli, cli("rag", "stats", "-o", "json"))
    assert stats["model"] is None and stats["total_vectors"] == 0
    assert _json(cli, cli("memory", "stats", "-o", "json"))["episodic_count"] == 0


# -- llmspell memory -----------------------------------------------------------------------


def test_memory_add_search_stats(cli: CLI):
    first = cli("memory", "add", "s1", "user", "I prefer green tea over coffee")
    assert first.returncode == 0, cli.explain(first)
    assert first.stdout.strip().startswith("ep-")
    added = _json(cli, cli("memory", "add", "s1", "assistant", "The deploy runs on Fridays",
                           "--metadata", '{"topic": "ops"}', "-o", "json"))  # fmt: skip
    assert added["session_id"] == "s1" and added["role"] == "assistant"
    cli("memory", "add", "s2", "user", "A different session about tea")

    proc = cli("memory", "search", "s1", "which drink do I like")
    assert proc.returncode == 0, cli.explain(proc)
    assert "[user] I prefer green tea over coffee" in proc.stdout.splitlines()[0]
    found = _json(cli, cli("memory", "search", "s1", "tea", "--limit", "5", "-o", "json"))
    assert {e["session_id"] for e in found} == {"s1"} and len(found) == 2
    by_role = {e["role"]: e for e in found}
    assert by_role["assistant"]["metadata"]["topic"] == "ops"

    stats = _json(cli, cli("memory", "stats", "-o", "json"))
    assert stats["episodic_count"] == 3 and stats["has_episodic"] is True
    assert stats["sessions_with_unprocessed"] == 2
    assert "episodic_count: 3" in cli("memory", "stats").stdout


def test_memory_bad_input(cli: CLI):
    proc = cli("memory", "add", "s1", "user", "x", "--metadata", "[1]")
    assert proc.returncode == 2 and "must be a JSON object" in proc.stderr
    proc = cli("memory", "add", "s1", "user", "x", "--metadata", "{oops")
    assert proc.returncode == 2 and "not valid JSON" in proc.stderr
    proc = cli("memory", "add", "s1", "user", "")
    assert proc.returncode == 1, cli.explain(proc)
    # consolidation needs an LLM: without a key it says which one, it does not pretend
    cli("memory", "add", "s1", "user", "My name is Ada")
    proc = cli("memory", "consolidate", "s1", env={"OPENAI_API_KEY": ""})
    assert proc.returncode == 2, cli.explain(proc)
    assert "ConfigurationError" in proc.stderr and "consolidation_model" in proc.stderr


# -- moving to PostgreSQL: llmspell rag copy -----------------------------------------------


def test_copy_from_sqlite_to_postgresql(kb: CLI, postgres_url: str):
    cli = kb
    assert cli("rag", "ingest", "kb", "--scope", "handbook").returncode == 0
    assert cli("memory", "add", "s1", "user", "I prefer green tea").returncode == 0
    old = cli.home / "rag.db"
    cli.write("llmspell.toml", f'[storage]\nurl = "{postgres_url}"\n')
    proc = cli("rag", "copy", str(old), "-o", "json")
    copied = _json(cli, proc)
    assert copied["records"] == 4 and copied["namespaces"] == 2
    assert copied["model"] == "all-MiniLM-L6-v2" and copied["from"] == str(old)
    stats = _json(cli, cli("rag", "stats", "-o", "json"))
    assert stats["store"] == "pgvector" and stats["total_vectors"] == 3
    found = _json(cli, cli("rag", "search", "when must an invoice be paid", "--scope",
                           "handbook", "-k", "1", "-o", "json"))  # fmt: skip
    assert found["results"][0]["id"] == "kb/billing.md#0"
    entries = _json(cli, cli("memory", "search", "s1", "drink", "-o", "json"))
    assert [e["content"] for e in entries] == ["I prefer green tea"]
    # copying again replaces (same ids), it does not duplicate
    assert _json(cli, cli("rag", "copy", str(old), "-o", "json"))["records"] == 4
    assert _json(cli, cli("rag", "stats", "-o", "json"))["total_vectors"] == 3
    # the configured store itself, or a file that does not exist, is refused
    proc = cli("rag", "copy", postgres_url)
    assert proc.returncode == 1 and "the configured store itself" in proc.stderr
    proc = cli("rag", "copy", "missing.db")
    assert proc.returncode == 2 and "no vector store file 'missing.db'" in proc.stderr
