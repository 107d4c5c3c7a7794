"""Backups copy tables in pages (artifact content a few rows at a time): every row
arrives, on SQLite and PostgreSQL, and a restore puts back exactly what was there."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmspell.sessions import ArtifactStore, SessionStore
from llmspell.state import open_backend
from llmspell.state.backup import BATCH, BLOB_BATCH, create_backup, restore_backup
from llmspell.state.db import open_database
from llmspell.state.location import StorageLocation


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_paged_copy_and_exact_restore(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    loc = str(tmp_path / "s.db") if kind == "sqlite" else request.getfixturevalue("postgres_url")
    where = StorageLocation(kind, loc)
    state = open_backend(kind, loc)
    state.write_batch([("s", f"k{i:05d}", str(i)) for i in range(BATCH * 2 + 7)])
    store = SessionStore(open_database(loc))
    arts = ArtifactStore(store, max_bytes=1 << 20, max_per_session=1000)
    sid = store.create(name="paged")
    blobs = [bytes([i]) * (1000 + i) for i in range(BLOB_BATCH * 3 + 1)]
    for i, blob in enumerate(blobs):
        arts.store(sid, "t", f"b{i}", blob)
    info = create_backup(where, tmp_path / "backups")
    assert info.counts["state"] == BATCH * 2 + 7
    assert info.counts["llmspell_blobs"] == len(blobs)
    assert Path(info.path).stat().st_mode & 0o777 == 0o600  # a full copy: owner only
    # change everything, then restore: the same rows come back
    state.write_batch([("s", "k00000", "changed"), ("other", "x", "1")])
    store.delete(sid)
    restore_backup(where, Path(info.path))
    assert state.get("s", "k00000") == "0" and state.get("other", "x") is None
    assert len(state.keys("s")) == BATCH * 2 + 7
    assert [arts.get(sid, i + 1)[1] for i in range(len(blobs))] == blobs
    state.close()
    store.close()
