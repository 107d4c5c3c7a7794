"""The vector-store conformance suite: one set of tests every backend passes
(``backend``/``store`` fixtures in conftest.py: sqlite-vec, pgvector, memory).

Vectors are 8-dimensional; expected results are computed independently here (cosine
by numpy, filters by :func:`matches_filters`), never copied from a backend.
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import pytest

from llmspell.errors import ValidationError
from llmspell.vectorstore.base import (
    DimensionMismatchError,
    Namespace,
    VectorRecord,
    VectorStore,
    matches_filters,
)

from .conftest import Backend

DIMS = 8
MODEL = "test/model-8"
NS = Namespace("default", "global", "")


def vec(seed: int) -> list[float]:
    """A deterministic random unit-ish vector."""
    rng = random.Random(seed)
    return [rng.uniform(-1, 1) for _ in range(DIMS)]


def cosine(a: list[float], b: list[float]) -> float:
    x, y = np.asarray(a), np.asarray(b)
    return float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))


def rec(
    rid: str,
    seed: int,
    ns: Namespace = NS,
    content: str | None = None,
    metadata: dict[str, Any] | None = None,
    doc_id: str = "",
    created_at: float = 0.0,
) -> VectorRecord:
    return VectorRecord(
        rid,
        ns,
        content if content is not None else f"text {rid}",
        vec(seed),
        metadata or {},
        doc_id,
        created_at,
    )


@pytest.fixture
def bound(store: VectorStore) -> VectorStore:
    store.ensure(MODEL, DIMS)
    return store


# -- binding -----------------------------------------------------------------------


def test_an_empty_unbound_store_answers_every_read(store: VectorStore) -> None:
    info = store.info()
    assert info["model"] is None and info["dimensions"] is None
    assert "location" in info
    assert store.search(NS, vec(1), 5) == []
    assert store.list(NS) == []
    assert store.count() == 0 and store.count(NS) == 0
    assert store.namespaces() == []
    assert store.delete(NS) == 0


def test_ensure_binds_the_model_and_is_idempotent(store: VectorStore) -> None:
    store.ensure(MODEL, DIMS)
    store.ensure(MODEL, DIMS)
    info = store.info()
    assert (info["model"], info["dimensions"]) == (MODEL, DIMS)
    assert store.search(NS, vec(1), 3) == []  # bound but empty


@pytest.mark.parametrize(("model", "dims"), [(MODEL, 16), ("other/model", DIMS)])
def test_another_embedder_is_a_dimension_mismatch(
    bound: VectorStore, model: str, dims: int
) -> None:
    bound.add([rec("a", 1)])
    with pytest.raises(DimensionMismatchError) as err:
        bound.ensure(model, dims)
    text = str(err.value)
    assert MODEL in text and model in text and str(DIMS) in text and str(dims) in text
    assert "rag clear" in text
    assert bound.info()["model"] == MODEL and bound.count() == 1  # nothing changed


def test_clear_deletes_everything_and_unbinds(bound: VectorStore) -> None:
    bound.add([rec("a", 1), rec("b", 2, Namespace("t2", "s", "x"))])
    bound.clear()
    assert bound.count() == 0 and bound.namespaces() == []
    assert bound.info()["model"] is None
    bound.ensure("new/model", 4)  # re-indexing with another embedder starts here
    bound.add([VectorRecord("n", NS, "new", [1.0, 0.0, 0.0, 0.0])])
    assert [h.id for h in bound.search(NS, [1.0, 0.1, 0.0, 0.0], 3)] == ["n"]


# -- add and search ------------------------------------------------------------------


def test_search_ranks_by_cosine_similarity(bound: VectorStore) -> None:
    records = [rec(f"r{i}", i, metadata={"i": i}, doc_id=f"d{i % 3}") for i in range(30)]
    bound.add(records)
    query = vec(1000)
    hits = bound.search(NS, query, 10)
    expected = sorted(records, key=lambda r: -cosine(list(r.vector), query))[:10]
    assert [h.id for h in hits] == [r.id for r in expected]
    for hit, want in zip(hits, expected, strict=True):
        assert hit.score == pytest.approx(cosine(list(want.vector), query), abs=1e-5)
        assert hit.content == want.content and hit.metadata == want.metadata
        assert hit.doc_id == want.doc_id and hit.namespace == NS
        assert hit.created_at > 0
    exact = bound.search(NS, vec(7), 1)[0]
    assert exact.id == "r7" and exact.score == pytest.approx(1.0, abs=1e-5)


def test_scores_span_opposite_to_identical(bound: VectorStore) -> None:
    v = vec(3)
    bound.add(
        [
            VectorRecord("same", NS, "s", v),
            VectorRecord("opposite", NS, "o", [-x for x in v]),
        ]
    )
    hits = bound.search(NS, v, 5)
    assert [h.id for h in hits] == ["same", "opposite"]
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert hits[1].score == pytest.approx(-1.0, abs=1e-5)


def test_k_larger_than_the_count_returns_everything(bound: VectorStore) -> None:
    bound.add([rec(f"r{i}", i) for i in range(4)])
    assert len(bound.search(NS, vec(9), 50)) == 4


def test_threshold_drops_weak_matches(bound: VectorStore) -> None:
    records = [rec(f"r{i}", i) for i in range(20)]
    bound.add(records)
    query = vec(5)
    wanted = {r.id for r in records if cosine(list(r.vector), query) >= 0.3}
    hits = bound.search(NS, query, 20, threshold=0.3)
    assert {h.id for h in hits} == wanted
    assert all(h.score >= 0.3 for h in hits)
    assert bound.search(NS, query, 20, threshold=1.01) == []


def test_add_replaces_by_id(bound: VectorStore) -> None:
    other = Namespace("default", "session", "s1")
    bound.add([rec("a", 1, content="old", metadata={"v": 1}), rec("b", 2)])
    bound.add([rec("a", 50, other, content="new", metadata={"v": 2})])
    assert bound.count() == 2
    assert [h.id for h in bound.search(NS, vec(1), 5)] == ["b"]
    (hit,) = bound.search(other, vec(50), 5)
    assert (hit.id, hit.content, hit.metadata) == ("a", "new", {"v": 2})
    assert hit.score == pytest.approx(1.0, abs=1e-5)


def test_unicode_content_and_metadata_round_trip(bound: VectorStore) -> None:
    texts = {
        "emoji": "spells 🧙‍♀️✨ and 🐍",
        "cjk": "魔法の呪文 — 검색 — 搜索",
        "rtl": "تعويذة سحرية",
        "combining": "e\u0301le\u0300ve, \u00e9l\u00e8ve",
        "quotes": 'it\'s "quoted" and back\\slashed; DROP TABLE x; --',
    }
    ns = Namespace("ténant-ü", "scöpe", "ïd-🙂")
    bound.add(
        [
            rec(name, i, ns, content=text, metadata={"lang": name, "label": text})
            for i, (name, text) in enumerate(texts.items())
        ]
    )
    for i, (name, text) in enumerate(texts.items()):
        hit = bound.search(ns, vec(i), 1)[0]
        assert (hit.id, hit.content, hit.metadata["label"]) == (name, text, text)
    (hit,) = bound.search(ns, vec(0), 5, filters={"label": texts["cjk"]})
    assert hit.id == "cjk"
    assert bound.namespaces() == [(ns, 5, 0)]


# -- namespaces ------------------------------------------------------------------------


def test_namespaces_isolate_tenants_scopes_and_ids(bound: VectorStore) -> None:
    spaces = {
        "a": Namespace("t1", "global", ""),
        "b": Namespace("t2", "global", ""),
        "c": Namespace("t1", "session", "s1"),
        "d": Namespace("t1", "session", "s2"),
        "e": Namespace("t1", "user", "s1"),
    }
    bound.add([rec(name, 7, ns) for name, ns in spaces.items()])  # one identical vector
    for name, ns in spaces.items():
        assert [h.id for h in bound.search(ns, vec(7), 10)] == [name]
        assert [h.id for h in bound.list(ns)] == [name]
        assert bound.count(ns) == 1
    every_session = Namespace("t1", "session", None)
    assert sorted(h.id for h in bound.search(every_session, vec(7), 10)) == ["c", "d"]
    assert sorted(h.id for h in bound.list(every_session)) == ["c", "d"]
    assert bound.count(every_session) == 2
    assert bound.search(Namespace("t3", "global", ""), vec(7), 10) == []
    assert bound.count() == 5


def test_namespaces_lists_counts_sorted(bound: VectorStore) -> None:
    a, b, c = (
        Namespace("t1", "global", ""),
        Namespace("t1", "session", "x"),
        Namespace("t0", "g", ""),
    )
    bound.add(
        [
            rec("1", 1, a, doc_id="d1"),
            rec("2", 2, a, doc_id="d1"),
            rec("3", 3, a, doc_id="d2"),
            rec("4", 4, b, doc_id="d9"),
            rec("5", 5, c, doc_id="d1"),
        ]
    )
    assert bound.namespaces() == [(c, 1, 1), (a, 3, 2), (b, 1, 1)]
    assert bound.namespaces("t1") == [(a, 3, 2), (b, 1, 1)]
    assert bound.namespaces("nobody") == []


def test_delete_by_namespace_and_document(bound: VectorStore) -> None:
    s1, s2 = Namespace("t", "session", "1"), Namespace("t", "session", "2")
    bound.add(
        [
            rec("a", 1, s1, doc_id="x"),
            rec("b", 2, s1, doc_id="x"),
            rec("c", 3, s1, doc_id="y"),
            rec("d", 4, s2, doc_id="x"),
            rec("e", 5, NS, doc_id="x"),
        ]
    )
    assert bound.delete(s1, doc_id="x") == 2
    assert [h.id for h in bound.list(s1)] == ["c"]
    assert bound.delete(Namespace("t", "session", None), doc_id="x") == 1  # d
    assert bound.delete(Namespace("t", "session", None)) == 1  # c
    assert bound.delete(s1) == 0
    assert bound.count() == 1 and [h.id for h in bound.search(NS, vec(5), 3)] == ["e"]


# -- filters ------------------------------------------------------------------------------

FILTER_RECORDS: list[dict[str, Any]] = [
    {"lang": "en", "n": 1, "flag": True, "tags": ["a", "b"], "f": 1.0, "none": None},
    {"lang": "fr", "n": 2, "flag": False, "tags": ["b"], "f": 2.5},
    {"lang": "en", "n": 0, "flag": False, "f": 0.0, 'we"ird': "q"},
    {"lang": "de", "n": True, "flag": 1, "nested": {"k": [1, 2]}},
    {"lang": "en", "n": 1.0, "flag": "yes", "tags": "a", "none": "x"},
    {"lang": "EN", "n": "1", "f": -3},
    {},
]

FILTERS: list[dict[str, Any]] = [
    {"lang": "en"},
    {"lang": "EN"},
    {"lang": "xx"},
    {"missing": "x"},
    {"n": 1},
    {"n": 1.0},
    {"n": True},
    {"n": "1"},
    {"flag": True},
    {"flag": False},
    {"flag": 1},
    {"flag": 0},
    {"n": [1]},
    {"n": [True]},
    {"flag": [True, "yes"]},
    {"flag": [0]},
    {"lang": ["en", "de"]},
    {"lang": []},
    {"lang": "en", "n": 1},
    {"lang": "en", "flag": False},
    {"tags": "a"},
    {"tags": ["a"]},
    {"tags": [["a", "b"]]},
    {"none": None},
    {"none": [None, "x"]},
    {"f": 0},
    {"f": -3.0},
    {'we"ird': "q"},
    {"nested": {"k": [1, 2]}},
    {"nested": [{"k": [1, 2]}]},
]


@pytest.mark.parametrize("filters", FILTERS, ids=[repr(f) for f in FILTERS])
def test_filters_follow_matches_filters(bound: VectorStore, filters: dict[str, Any]) -> None:
    records = [
        rec(f"r{i}", i, metadata=m, created_at=1000.0 + i) for i, m in enumerate(FILTER_RECORDS)
    ]
    bound.add(records)
    wanted = {r.id for r in records if matches_filters(r.metadata, filters)}
    assert {h.id for h in bound.search(NS, vec(99), 50, filters=filters)} == wanted
    assert {h.id for h in bound.list(NS, filters=filters)} == wanted


def test_a_filter_never_loses_matches_to_a_top_k_cut(bound: VectorStore) -> None:
    """The only matches are the records least similar to the query: a store that took
    the top k first and filtered after would find none of them."""
    query = vec(1)
    far = [-x for x in query]
    records = [
        VectorRecord(
            f"near{i}",
            NS,
            "near",
            [q + 0.01 * ((i * 7 + j) % 5) for j, q in enumerate(query)],
            {"kind": "near"},
        )
        for i in range(300)
    ]
    records += [
        VectorRecord(
            f"far{i}",
            NS,
            "far",
            [f + 0.02 * i * (j % 2) for j, f in enumerate(far)],
            {"kind": "far"},
        )
        for i in range(3)
    ]
    bound.add(records)
    hits = bound.search(NS, query, 3, filters={"kind": "far"})
    assert sorted(h.id for h in hits) == ["far0", "far1", "far2"]
    assert all(h.score < 0 for h in hits)
    hits = bound.search(Namespace("default", "global", None), query, 5, filters={"kind": ["far"]})
    assert len(hits) == 3


# -- list -----------------------------------------------------------------------------


def test_list_is_newest_first_with_since_limit_and_filters(bound: VectorStore) -> None:
    bound.add(
        [rec(f"r{i}", i, metadata={"even": i % 2 == 0}, created_at=1000.0 + i) for i in range(10)]
    )
    listed = bound.list(NS)
    assert [h.id for h in listed] == [f"r{i}" for i in range(9, -1, -1)]
    assert all(h.score == 0.0 for h in listed)
    assert listed[0].created_at == 1009.0
    assert [h.id for h in bound.list(NS, limit=3)] == ["r9", "r8", "r7"]
    assert [h.id for h in bound.list(NS, since=1007.0)] == ["r9", "r8", "r7"]
    assert [h.id for h in bound.list(NS, filters={"even": True}, limit=2)] == ["r8", "r6"]
    assert bound.list(NS, since=5000.0) == []


# -- bad input and atomicity -------------------------------------------------------------

BAD_VECTORS = {
    "too short": [0.1] * (DIMS - 1),
    "too long": [0.1] * (DIMS + 1),
    "NaN": [math.nan] + [0.1] * (DIMS - 1),
}


@pytest.mark.parametrize("bad", BAD_VECTORS, ids=list(BAD_VECTORS))
def test_an_add_with_one_bad_record_adds_nothing(bound: VectorStore, bad: str) -> None:
    bound.add([rec("keep", 1)])
    batch = [rec("new1", 2), rec("keep", 3, content="replaced"), rec("new2", 4)]
    batch.append(VectorRecord("bad", NS, "bad", BAD_VECTORS[bad]))
    with pytest.raises(ValidationError):
        bound.add(batch)
    assert bound.count() == 1
    (hit,) = bound.search(NS, vec(1), 5)
    assert (hit.id, hit.content) == ("keep", "text keep")


def test_a_query_vector_of_the_wrong_length_is_refused(bound: VectorStore) -> None:
    bound.add([rec("a", 1)])
    with pytest.raises(ValidationError):
        bound.search(NS, [0.1] * (DIMS + 2), 3)


def test_replace_documents_is_atomic(bound: VectorStore) -> None:
    if not hasattr(bound, "replace_documents"):
        pytest.skip("this store has no replace_documents")
    bound.add([rec("a", 1, doc_id="d"), rec("b", 2, doc_id="d"), rec("c", 3, doc_id="e")])
    bound.replace_documents(NS, ["d"], [rec("a2", 4, doc_id="d")])
    assert sorted(h.id for h in bound.list(NS)) == ["a2", "c"]
    with pytest.raises(ValidationError):
        bound.replace_documents(NS, ["d", "e"], [VectorRecord("x", NS, "x", [math.nan] * DIMS)])
    assert sorted(h.id for h in bound.list(NS)) == ["a2", "c"]


# -- persistence ---------------------------------------------------------------------------


def test_everything_survives_a_reopen(backend: Backend, bound: VectorStore) -> None:
    if not backend.persistent:
        pytest.skip(f"{backend.name} keeps nothing across a reopen")
    ns = Namespace("t", "session", "s")
    bound.add([rec("a", 1, ns, content="héllo 🌍", metadata={"k": [1, "x"]}, doc_id="d")])
    bound.close()
    again = backend.open()
    assert again.info()["model"] == MODEL and again.info()["dimensions"] == DIMS
    (hit,) = again.search(ns, vec(1), 3)
    assert (hit.id, hit.content, hit.metadata, hit.doc_id) == (
        "a",
        "héllo 🌍",
        {"k": [1, "x"]},
        "d",
    )
    with pytest.raises(DimensionMismatchError):
        again.ensure(MODEL, DIMS * 2)
