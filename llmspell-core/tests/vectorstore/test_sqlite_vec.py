"""sqlite-vec specifics: where the file lives, bad locations, large k, and several
processes on one file (concurrent writers; a writer killed with SIGKILL mid-add)."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from llmspell.config import load_settings
from llmspell.errors import ConfigurationError, StateError, ValidationError
from llmspell.vectorstore.base import Namespace, VectorRecord
from llmspell.vectorstore.sqlite_vec import SqliteVecStore, open_store

NS = Namespace("default", "global", "")


def _records(n: int, prefix: str = "r", ns: Namespace = NS) -> list[VectorRecord]:
    return [
        VectorRecord(f"{prefix}{i}", ns, f"text {i}", [1.0, float(i % 7), float(i % 3), 0.5])
        for i in range(n)
    ]


def test_the_default_file_is_rag_db_under_llmspell_home(tmp_path: Path) -> None:
    store = open_store(None)
    try:
        assert store.path == Path(os.environ["LLMSPELL_HOME"]) / "rag.db"
        assert store.path.exists() and store.info()["location"] == str(store.path)
    finally:
        store.close()


def test_rag_location_and_sqlite_urls_choose_the_file(tmp_path: Path) -> None:
    settings = load_settings(
        overrides={("rag", "location"): str(tmp_path / "a" / "kb.db")}, use_files=False
    )
    store = open_store(None, settings=settings)
    assert store.path == tmp_path / "a" / "kb.db"
    store.close()
    store = open_store(f"sqlite:///{tmp_path}/b.db", settings=settings)  # the argument wins
    assert store.path == tmp_path / "b.db"
    store.close()


def test_a_postgresql_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="pgvector"):
        open_store("postgresql://u:secret@db.example/x")


def test_an_unusable_location_is_a_state_error(tmp_path: Path) -> None:
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(StateError) as err:
        open_store(str(tmp_path / "dir.db"))
    assert "[rag] location" in str(err.value)
    not_a_db = tmp_path / "junk.db"
    not_a_db.write_bytes(b"this is not an SQLite database" * 100)
    with pytest.raises(StateError):
        open_store(str(not_a_db))


def test_the_file_uses_wal_and_a_partitioned_vec0_table(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "x.db"))
    store.ensure("m", 4)
    db = store._db
    assert db.execute("PRAGMA journal_mode").fetchall() == [("wal",)]
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'vectors'").fetchall()[0]
    assert "PARTITION KEY" in sql and "distance_metric=cosine" in sql
    store.close()


def test_bad_arguments_are_validation_errors(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "x.db"))
    with pytest.raises(StateError, match="ensure"):
        store.add(_records(1))  # not bound yet
    store.ensure("m", 4)
    for k in (0, -1, 2.5, True):
        with pytest.raises(ValidationError):
            store.search(NS, [1, 0, 0, 0], k)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        store.ensure("", 4)
    with pytest.raises(ValidationError):
        store.add([VectorRecord("z", NS, "zero", [0.0, 0.0, 0.0, 0.0])])
    with pytest.raises(ValidationError):
        store.add([VectorRecord("x", Namespace("t", "s", None), "x", [1, 0, 0, 0])])
    with pytest.raises(ValidationError, match="NUL"):
        store.add([VectorRecord("n", NS, "a\x00b", [1, 0, 0, 0])])
    with pytest.raises(ValidationError):
        store.add([VectorRecord("m", NS, "x", [1, 0, 0, 0], {"bad": float("inf")})])
    assert store.count() == 0
    store.close()


def test_k_beyond_sqlite_vecs_knn_limit(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "x.db"))
    store.ensure("m", 4)
    store.add(_records(5000))
    hits = store.search(NS, [1, 0, 0, 0.5], 4500)
    assert len(hits) == 4500
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))
    filtered = store.search(NS, [1, 0, 0, 0.5], 5000, filters={"none": None})
    assert filtered == []
    store.close()


_WRITER = textwrap.dedent(
    """
    import sys
    from llmspell.vectorstore.base import Namespace, VectorRecord
    from llmspell.vectorstore.sqlite_vec import open_store
    path, name, batches = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = open_store(path)
    store.ensure("m", 4)
    ns = Namespace("default", "global", name)
    for b in range(batches):
        store.add([
            VectorRecord(f"{name}-{b}-{i}", ns, "t", [1.0, b + 1.0, i + 1.0, 0.5], {"b": b})
            for i in range(10)
        ])
        hits = store.search(ns, [1.0, b + 1.0, 1.0, 0.5], 1, filters={"b": b})
        assert hits and hits[0].id == f"{name}-{b}-0", hits
    print("done", flush=True)
    """
)


def test_two_processes_writing_one_file_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, path, name, "40"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("p1", "p2", "p3")
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
        assert out.strip() == "done"
    store = open_store(path)
    assert store.count() == 3 * 40 * 10
    for name in ("p1", "p2", "p3"):
        assert store.count(Namespace("default", "global", name)) == 400
    assert store._db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert len(store.search(Namespace("default", "global", None), [1, 2, 3, 0.5], 1200)) == 1200
    store.close()


_KILLED = textwrap.dedent(
    """
    import sys
    from llmspell.vectorstore.base import Namespace, VectorRecord
    from llmspell.vectorstore.sqlite_vec import open_store
    store = open_store(sys.argv[1])
    store.ensure("m", 4)
    ns = Namespace("default", "global", "")
    store.add([VectorRecord(f"first{i}", ns, "t", [1.0, i, 1.0, 0.5]) for i in range(10)])
    print("committed", flush=True)
    big = [VectorRecord(f"big{i}", ns, "x" * 500, [1.0, i, 2.0, 0.5]) for i in range(200_000)]
    print("adding", flush=True)
    store.add(big)
    print("finished", flush=True)
    """
)


def test_a_writer_killed_mid_add_leaves_all_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "killed.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "committed"
    assert proc.stdout.readline().strip() == "adding"
    wal = Path(f"{path}-wal")
    deadline = time.monotonic() + 120
    # the transaction is under way once its pages spill into the WAL
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 4_000_000:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the big add finished before it could be killed"
    assert wal.stat().st_size > 4_000_000, "the big add never started writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    store: SqliteVecStore = open_store(str(path))
    assert store.count() == 10  # the committed add, none of the killed one
    assert store._db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert len(store.search(NS, [1, 0, 1, 0.5], 100)) == 10
    store.add(_records(3, "after"))
    assert store.count() == 13
    store.close()
