"""Retrieval quality of the local embedder on a labelled set written for llmspell
(retrieval_set.json: short documents on varied topics, some on neighbouring topics, and
paraphrased queries with their relevant document ids): a relevant document must rank
first for at least 90 % of the queries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("onnxruntime")

from llmspell_providers.embeddings.local import open_local

SET = Path(__file__).parent / "retrieval_set.json"


def test_the_labelled_set_is_well_formed():
    data = json.loads(SET.read_text(encoding="utf-8"))
    ids = [d["id"] for d in data["documents"]]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)
    assert len(data["queries"]) >= 40
    for q in data["queries"]:
        assert q["relevant"] and set(q["relevant"]) <= set(ids)
    # a relevant document of every query exists, and every document is relevant to one
    assert {r for q in data["queries"] for r in q["relevant"]} == set(ids)


def test_the_local_embedder_ranks_a_relevant_document_first_for_90_percent():
    data = json.loads(SET.read_text(encoding="utf-8"))
    embedder = open_local()
    docs = data["documents"]
    doc_vectors = embedder.embed([d["text"] for d in docs])
    query_vectors = embedder.embed([q["query"] for q in data["queries"]])
    first = 0
    reciprocal = 0.0
    misses = []
    for q, qv in zip(data["queries"], query_vectors, strict=True):
        scores = [sum(a * b for a, b in zip(qv, dv, strict=True)) for dv in doc_vectors]
        ranking = sorted(range(len(docs)), key=lambda i: -scores[i])
        ranked_ids = [docs[i]["id"] for i in ranking]
        rank = min(ranked_ids.index(r) for r in q["relevant"]) + 1
        reciprocal += 1.0 / rank
        if rank == 1:
            first += 1
        else:
            misses.append(f"{q['query']!r}: {ranked_ids[0]} first, relevant at {rank}")
    total = len(data["queries"])
    ratio = first / total
    print(
        f"\nlocal embedder: relevant document first for {first}/{total} queries "
        f"({ratio:.1%}), MRR {reciprocal / total:.3f}"
    )
    for miss in misses:
        print("  miss:", miss)
    assert ratio >= 0.9, misses
