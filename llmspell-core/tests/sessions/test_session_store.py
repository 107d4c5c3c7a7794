"""Sessions and artifacts on SQLite (a file and ``:memory:``) and on a real PostgreSQL:
the same behaviour on each, content-addressed blobs shared and collected, sequences
unique under two writing processes, a newer schema refused."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmspell.errors import NotFoundError, StateError, ValidationError
from llmspell.sessions import ArtifactStore, SessionStore
from llmspell.state.db import open_database


@pytest.fixture(params=["sqlite", "memory", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "state.db")
    if request.param == "memory":
        return ":memory:"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def stores(location: str) -> Iterator[tuple[SessionStore, ArtifactStore]]:
    store = SessionStore(open_database(location))
    yield store, ArtifactStore(store, max_bytes=1024, max_per_session=5)
    store.close()


def test_session_lifecycle(stores: tuple[SessionStore, ArtifactStore]) -> None:
    store, _ = stores
    sid = store.create(name="n", description="d", tags=["a", "a", "b"], metadata={"k": 1})
    info = store.get(sid)
    assert info["tags"] == ["a", "b"] and info["metadata"] == {"k": 1}
    assert info["status"] == "active" and info["artifact_count"] == 0
    assert info["created_at"].endswith("Z")
    assert store.set_status(sid, "suspended")["status"] == "suspended"
    assert store.set_status(sid, "active")["status"] == "active"
    assert store.set_status(sid, "completed")["status"] == "completed"
    with pytest.raises(StateError, match="it is completed"):
        store.set_status(sid, "active")
    assert store.delete(sid) is True
    with pytest.raises(NotFoundError, match="it was deleted"):
        store.get(sid)
    assert store.delete(sid) is False


def test_list_filters_newest_first(stores: tuple[SessionStore, ArtifactStore]) -> None:
    store, _ = stores
    ids = [store.create(name=f"s{i}", tags=["t"] if i % 2 else []) for i in range(4)]
    assert [s["id"] for s in store.list()] == ids[::-1]
    assert [s["name"] for s in store.list(tags=["t"])] == ["s3", "s1"]
    assert len(store.list(limit=2)) == 2
    store.set_status(ids[0], "completed")
    assert [s["name"] for s in store.list(status="completed")] == ["s0"]


def test_bad_names_are_validation_errors(stores: tuple[SessionStore, ArtifactStore]) -> None:
    store, artifacts = stores
    with pytest.raises(ValidationError, match="not valid UTF-8"):
        store.create(name="bad \udcff surrogate")
    with pytest.raises(ValidationError, match="not valid UTF-8"):
        store.create(name="nul \x00")
    with pytest.raises(ValidationError, match="limit is 256"):
        store.create(name="x" * 257)
    sid = store.create()
    with pytest.raises(ValidationError):
        artifacts.store(sid, "t", "bad \udcff", b"x")


def test_artifacts_dedup_binary_and_collect_blobs(
    stores: tuple[SessionStore, ArtifactStore],
) -> None:
    store, artifacts = stores
    s1, s2 = store.create(), store.create()
    data = bytes(range(256))
    a = artifacts.store(s1, "tool_result", "bin", data, {"tags": ["x"]})
    b = artifacts.store(s2, "tool_result", "bin2", data)
    assert a["content_hash"] == b["content_hash"] == hashlib.sha256(data).hexdigest()
    assert a["sequence"] == 1 and b["sequence"] == 1
    blobs = store.db.run("SELECT COUNT(*) FROM llmspell_blobs")[0][0]
    assert blobs == 1
    info, content = artifacts.get(s1, a)
    assert content == data and info["size"] == 256 and info["metadata"] == {"tags": ["x"]}
    assert artifacts.get(s2, a["content_hash"])[1] == data
    # deleting one user of the blob keeps it; the last one removes it
    assert artifacts.delete(s1, 1) is True
    assert store.db.run("SELECT COUNT(*) FROM llmspell_blobs")[0][0] == 1
    store.delete(s2)
    assert store.db.run("SELECT COUNT(*) FROM llmspell_blobs")[0][0] == 0
    with pytest.raises(NotFoundError, match="no artifact"):
        artifacts.get(s1, 1)


def test_caps_are_checked_before_writing(stores: tuple[SessionStore, ArtifactStore]) -> None:
    store, artifacts = stores
    sid = store.create()
    with pytest.raises(ValidationError, match="limit is 1024"):
        artifacts.store(sid, "t", "big", b"x" * 1025)
    assert artifacts.list(sid) == []
    for i in range(5):
        artifacts.store(sid, "t", f"n{i}", str(i).encode())
    with pytest.raises(ValidationError, match="already holds 5"):
        artifacts.store(sid, "t", "sixth", b"6")
    assert [a["sequence"] for a in artifacts.list(sid)] == [1, 2, 3, 4, 5]


def test_query(stores: tuple[SessionStore, ArtifactStore]) -> None:
    store, artifacts = stores
    sid = store.create()
    artifacts.store(sid, "agent_output", "report.md", b"abc", {"tags": ["final", "x"]})
    artifacts.store(sid, "tool_result", "data.json", b"abcdef")
    q = artifacts.query
    assert [a["name"] for a in q({"session_id": sid, "type": "tool_result"})] == ["data.json"]
    assert [a["name"] for a in q({"name_pattern": "*.md"})] == ["report.md"]
    assert [a["name"] for a in q({"tags": ["final"]})] == ["report.md"]
    assert [a["name"] for a in q({"min_size": 4})] == ["data.json"]
    assert len(q({"created_after": "2000-01-01T00:00:00Z", "limit": 1})) == 1
    assert q({"created_before": 0}) == []
    with pytest.raises(ValidationError, match="unknown filter"):
        q({"bogus": 1})


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    SessionStore(open_database(path)).close()
    db = open_database(path)
    db.execute("UPDATE llmspell_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StateError, match="schema 99"):
        SessionStore(db)
    db.close()


_WRITER = textwrap.dedent(
    """
    import sys
    from llmspell.sessions import ArtifactStore, SessionStore
    from llmspell.state.db import open_database
    store = SessionStore(open_database(sys.argv[1]))
    arts = ArtifactStore(store, max_bytes=1 << 20, max_per_session=10_000)
    for i in range(40):
        arts.store(sys.argv[2], "t", sys.argv[3] + str(i), (sys.argv[3] + str(i)).encode())
    store.close()
    """
)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_two_processes_storing_artifacts_get_unique_sequences(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    loc = str(tmp_path / "s.db") if kind == "sqlite" else request.getfixturevalue("postgres_url")
    store = SessionStore(open_database(loc))
    sid = store.create()
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, loc, sid, tag]) for tag in ("a", "b")
    ]
    for p in procs:
        assert p.wait(timeout=120) == 0
    arts = ArtifactStore(store, max_bytes=1024, max_per_session=10_000).list(sid)
    assert sorted(a["sequence"] for a in arts) == list(range(1, 81))
    assert {a["name"] for a in arts} == {f"{t}{i}" for t in "ab" for i in range(40)}
    store.close()


def test_session_metadata_is_json_and_capped(stores: tuple[SessionStore, ArtifactStore]) -> None:
    store, _ = stores
    with pytest.raises(ValidationError, match="limit is 65536"):
        store.create(metadata={"blob": "x" * 70_000})
    with pytest.raises(ValidationError, match="JSON cannot hold"):
        store.create(metadata={"n": float("nan")})
    assert store.list() == []
