"""One State backend suite, run against memory, SQLite and a real PostgreSQL (the root
conftest's ``postgres_url``: a fresh database per test): the same promises on each,
plus durability and concurrency across processes for the ones that outlive a process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmspell.state import StateBackend, open_backend


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _location(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str | None:
    if kind == "memory":
        return None
    if kind == "sqlite":
        return str(tmp_path / "state.db")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def location(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str | None:
    return _location(kind, tmp_path, request)


@pytest.fixture
def backend(kind: str, location: str | None) -> Iterator[StateBackend]:
    b = open_backend(kind, location)
    yield b
    b.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def durable(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    kind = str(request.param)
    loc = _location(kind, tmp_path, request)
    assert loc is not None
    return kind, loc


def test_get_set_delete(backend: StateBackend) -> None:
    assert backend.get("s", "k") is None
    backend.set("s", "k", '"v"')
    assert backend.get("s", "k") == '"v"'
    backend.set("s", "k", '"w"')
    assert backend.get("s", "k") == '"w"'
    assert backend.delete("s", "k") is True
    assert backend.delete("s", "k") is False
    assert backend.get("s", "k") is None


def test_scopes_are_separate_and_listed(backend: StateBackend) -> None:
    backend.set("a", "k", "1")
    backend.set("b", "k", "2")
    backend.set("b", "j", "3")
    assert backend.get("a", "k") == "1"
    assert backend.keys("b") == ["j", "k"]
    assert backend.scopes() == ["a", "b"]
    assert backend.items("b") == [("j", "3"), ("k", "2")]


def test_keys_sorted_by_code_point_with_literal_prefix(backend: StateBackend) -> None:
    for key in ["b", "B", "a_1", "a%", "ab", "é", "Z"]:
        backend.set("s", key, "0")
    assert backend.keys("s") == sorted(["b", "B", "a_1", "a%", "ab", "é", "Z"])
    assert backend.keys("s", "a_") == ["a_1"]
    assert backend.keys("s", "a%") == ["a%"]
    assert backend.keys("s", "A") == []


def test_unicode_and_empty_and_large_values(backend: StateBackend) -> None:
    backend.set("ü", "ключ", '"значение ✓"')
    assert backend.get("ü", "ключ") == '"значение ✓"'
    backend.set("s", "empty", '""')
    assert backend.get("s", "empty") == '""'
    big = '"' + "x" * 3_000_000 + '"'
    backend.set("s", "big", big)
    assert backend.get("s", "big") == big


def test_set_many_and_write_batch(backend: StateBackend) -> None:
    backend.set_many("w", {"a": "1", "b": "2"})
    assert backend.items("w") == [("a", "1"), ("b", "2")]
    backend.write_batch([("w", "a", None), ("w", "c", "3"), ("x", "y", "4")])
    assert backend.items("w") == [("b", "2"), ("c", "3")]
    assert backend.get("x", "y") == "4"


def test_write_batch_is_all_or_nothing(kind: str, backend: StateBackend) -> None:
    if kind == "memory":
        pytest.skip("the memory backend has no transactions (and cannot fail half-way)")
    backend.set("t", "keep", "1")
    bad = [("t", "keep", "2"), ("t", "new", "3"), ("t", "broken", object())]
    with pytest.raises(Exception):  # noqa: B017 - the driver's own type error
        backend.write_batch(bad)  # type: ignore[arg-type]
    assert backend.items("t") == [("keep", "1")]


def test_a_returned_write_is_seen_by_a_new_connection(durable: tuple[str, str]) -> None:
    kind, loc = durable
    a = open_backend(kind, loc)
    a.set("s", "k", "42")
    b = open_backend(kind, loc)
    try:
        assert b.get("s", "k") == "42"
    finally:
        a.close()
        b.close()


_WRITER = textwrap.dedent(
    """
    import sys
    from llmspell.state import open_backend
    kind, loc, tag, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    b = open_backend(kind, loc)
    for i in range(n):
        b.set("shared", f"k{i % 7}", f'"{tag}{i}"')
        b.set("own", f"{tag}{i}", str(i))
        print(i, flush=True)
    b.close()
    """
)


def test_two_processes_writing_the_same_keys_lose_no_returned_write(
    durable: tuple[str, str],
) -> None:
    kind, loc = durable
    n = 60
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, kind, loc, tag, str(n)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for tag in ("a", "b")
    ]
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        assert len(out.split()) == n
    b = open_backend(kind, loc)
    try:
        own = dict(b.items("own"))
        # every write that returned is there
        assert sorted(own) == sorted([f"a{i}" for i in range(n)] + [f"b{i}" for i in range(n)])
        # each shared key holds one of the values written last by one of the writers
        shared = dict(b.items("shared"))
        assert sorted(shared) == [f"k{i}" for i in range(7)]
        for key, value in shared.items():
            last = {f'"{t}{i}"' for t in "ab" for i in range(n) if f"k{i % 7}" == key}
            assert value in last
    finally:
        b.close()


def test_kill_9_during_writes_keeps_every_returned_write(durable: tuple[str, str]) -> None:
    kind, loc = durable
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, kind, loc, "x", "100000"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    confirmed = -1
    deadline = time.monotonic() + 60
    while confirmed < 40 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        confirmed = int(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert confirmed >= 40
    b = open_backend(kind, loc)
    try:
        own = dict(b.items("own"))
        for i in range(confirmed + 1):
            assert own[f"x{i}"] == str(i)
    finally:
        b.close()


def test_postgres_down_is_a_clear_state_error_with_masked_password(tmp_path: Path) -> None:
    from llmspell.errors import StateError

    url = f"postgresql://alice:s3cret@/nodb?host={tmp_path}&port=1"
    with pytest.raises(StateError) as info:
        open_backend("postgresql", url)
    text = str(info.value)
    assert "s3cret" not in text
    assert str(tmp_path) in text
    assert "not reachable" in text
    assert info.value.hint and "LLMSPELL_DATABASE_URL" in info.value.hint
