"""State backends through the StateBackend interface; SQLite durability (DESIGN.md §7)."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmspell.errors import ConfigurationError, StateError
from llmspell.state import MemoryStateBackend, SQLiteStateBackend, StateBackend, open_backend


@pytest.fixture(params=["memory", "sqlite"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateBackend]:
    b: StateBackend
    if request.param == "memory":
        b = MemoryStateBackend()
    else:
        b = SQLiteStateBackend(tmp_path / "state.db")
    yield b
    b.close()


def test_is_a_state_backend(backend: StateBackend) -> None:
    assert isinstance(backend, StateBackend)


def test_get_missing_is_none(backend: StateBackend) -> None:
    assert backend.get("global", "nope") is None


def test_set_then_get(backend: StateBackend) -> None:
    backend.set("global", "k", '{"a":1}')
    assert backend.get("global", "k") == '{"a":1}'


def test_set_replaces(backend: StateBackend) -> None:
    backend.set("global", "k", "1")
    backend.set("global", "k", "2")
    assert backend.get("global", "k") == "2"
    assert backend.keys("global") == ["k"]


def test_scopes_are_separate(backend: StateBackend) -> None:
    backend.set("a", "k", "1")
    backend.set("b", "k", "2")
    assert backend.get("a", "k") == "1"
    assert backend.get("b", "k") == "2"
    assert backend.delete("a", "k") is True
    assert backend.get("a", "k") is None
    assert backend.get("b", "k") == "2"


def test_delete(backend: StateBackend) -> None:
    backend.set("s", "k", '"v"')
    assert backend.delete("s", "k") is True
    assert backend.get("s", "k") is None
    assert backend.delete("s", "k") is False
    assert backend.delete("other", "k") is False


def test_empty_string_value_is_kept(backend: StateBackend) -> None:
    # values are JSON text, but the interface must not confuse "" with absent
    backend.set("s", "k", "")
    assert backend.get("s", "k") == ""
    assert backend.delete("s", "k") is True


def test_keys_sorted_and_scoped(backend: StateBackend) -> None:
    for k in ["b", "a", "c"]:
        backend.set("s", k, "1")
    backend.set("other", "z", "1")
    assert backend.keys("s") == ["a", "b", "c"]
    assert backend.keys("other") == ["z"]
    assert backend.keys("empty") == []


def test_keys_prefix(backend: StateBackend) -> None:
    for k in ["user:1", "user:2", "users", "item:1", "use"]:
        backend.set("s", k, "1")
    assert backend.keys("s", "user:") == ["user:1", "user:2"]
    assert backend.keys("s", "user") == ["user:1", "user:2", "users"]
    assert backend.keys("s", "") == ["item:1", "use", "user:1", "user:2", "users"]
    assert backend.keys("s", "nomatch") == []


def test_keys_prefix_with_like_wildcards_is_literal(backend: StateBackend) -> None:
    for k in ["50%", "50% off", "500", "5000", "a_b", "axb", "a_c", "back\\slash", "backXslash"]:
        backend.set("s", k, "1")
    assert backend.keys("s", "50%") == ["50%", "50% off"]
    assert backend.keys("s", "a_") == ["a_b", "a_c"]
    assert backend.keys("s", "%") == []
    assert backend.keys("s", "_") == []
    assert backend.keys("s", "back\\") == ["back\\slash"]


def test_keys_prefix_is_case_sensitive(backend: StateBackend) -> None:
    for k in ["Apple", "apple", "APPLE"]:
        backend.set("s", k, "1")
    assert backend.keys("s", "a") == ["apple"]
    assert backend.keys("s", "A") == ["APPLE", "Apple"]
    assert backend.keys("s", "Ap") == ["Apple"]


def test_unicode_keys_and_values(backend: StateBackend) -> None:
    backend.set("ß", "ключ", '"värde ✓"')
    assert backend.get("ß", "ключ") == '"värde ✓"'
    assert backend.keys("ß", "клю") == ["ключ"]


def test_large_value(backend: StateBackend) -> None:
    big = '"' + "x" * 1_000_000 + '"'
    backend.set("s", "big", big)
    assert backend.get("s", "big") == big


# -- memory ---------------------------------------------------------------------------------


def test_memory_backends_do_not_share_data() -> None:
    a, b = MemoryStateBackend(), MemoryStateBackend()
    a.set("s", "k", "1")
    assert b.get("s", "k") is None


# -- sqlite -----------------------------------------------------------------------------------


def test_sqlite_persists_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    first = SQLiteStateBackend(path)
    first.set("s", "k", '{"n":1}')
    first.close()
    second = SQLiteStateBackend(path)
    try:
        assert second.get("s", "k") == '{"n":1}'
        assert second.keys("s") == ["k"]
    finally:
        second.close()


def test_sqlite_creates_parent_directories(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "state.db"
    b = SQLiteStateBackend(path)
    try:
        b.set("s", "k", "1")
    finally:
        b.close()
    assert path.is_file()


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    b = SQLiteStateBackend(path)
    b.set("s", "k", "1")
    try:
        db = sqlite3.connect(path)
        try:
            assert db.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
            # a second connection sees the committed write while the first is still open
            assert db.execute("SELECT value FROM state WHERE scope='s' AND key='k'").fetchone() == (
                "1",
            )
        finally:
            db.close()
    finally:
        b.close()


def test_sqlite_two_connections_see_each_others_writes(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    a, b = SQLiteStateBackend(path), SQLiteStateBackend(path)
    try:
        a.set("s", "k", "1")
        assert b.get("s", "k") == "1"
        b.set("s", "k", "2")
        assert a.get("s", "k") == "2"
    finally:
        a.close()
        b.close()


def test_sqlite_write_survives_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    code = textwrap.dedent(
        f"""
        import os, signal, sys
        from pathlib import Path
        from llmspell.state import SQLiteStateBackend
        b = SQLiteStateBackend(Path({str(path)!r}))
        b.set("global", "survivor", '{{"ok":true}}')
        sys.stdout.write("written\\n")
        sys.stdout.flush()
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert proc.stdout == "written\n"
    b = SQLiteStateBackend(path)
    try:
        assert b.get("global", "survivor") == '{"ok":true}'
    finally:
        b.close()


def test_sqlite_path_under_a_file_is_a_state_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    with pytest.raises(StateError) as info:
        SQLiteStateBackend(blocker / "state.db")
    assert str(blocker / "state.db") in str(info.value)
    assert info.value.hint is not None
    assert "LLMSPELL_HOME" in info.value.hint
    assert "memory" in info.value.hint
    assert info.value.kind == "StateError"


def test_sqlite_path_that_is_a_directory_is_a_state_error(tmp_path: Path) -> None:
    d = tmp_path / "state.db"
    d.mkdir()
    with pytest.raises(StateError, match="cannot open the state database"):
        SQLiteStateBackend(d)


def test_sqlite_not_a_database_is_a_state_error(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not an sqlite database, just some text" * 100)
    with pytest.raises(StateError) as info:
        SQLiteStateBackend(path)
    assert str(path) in str(info.value)


def test_sqlite_use_after_close_is_a_state_error(tmp_path: Path) -> None:
    b = SQLiteStateBackend(tmp_path / "state.db")
    b.close()
    with pytest.raises(StateError):
        b.get("s", "k")


def test_sqlite_concurrent_writers_from_threads(tmp_path: Path) -> None:
    b = SQLiteStateBackend(tmp_path / "state.db")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(50):
                b.set("s", f"t{n}-{i:02d}", str(i))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        assert len(b.keys("s")) == 200
        assert b.keys("s", "t3-") == [f"t3-{i:02d}" for i in range(50)]
    finally:
        b.close()


# -- open_backend ------------------------------------------------------------------------------


def test_open_backend_memory() -> None:
    assert isinstance(open_backend("memory", None), MemoryStateBackend)


def test_open_backend_sqlite(tmp_path: Path) -> None:
    b = open_backend("sqlite", tmp_path / "s.db")
    try:
        assert isinstance(b, SQLiteStateBackend)
    finally:
        b.close()


def test_open_backend_sqlite_needs_a_path() -> None:
    with pytest.raises(ValueError, match="path"):
        open_backend("sqlite", None)


def test_open_backend_unknown_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="redis"):
        open_backend("redis", tmp_path / "s.db")
    assert not (tmp_path / "s.db").exists()
