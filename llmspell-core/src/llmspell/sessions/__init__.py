"""Sessions and artifacts, stored beside State (docs/sessions-and-state.md).

:func:`open_sessions` opens them where the settings put State: the SQLite file
(``state.db``), PostgreSQL (``[storage] url``), or an in-memory SQLite database when
State is ``memory``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmspell.sessions.artifacts import ARTIFACT_TYPES, ArtifactStore
from llmspell.sessions.store import STATUSES, SessionStore

if TYPE_CHECKING:
    from llmspell.config import Settings

__all__ = [
    "ARTIFACT_TYPES",
    "STATUSES",
    "ArtifactStore",
    "SessionStore",
    "Sessions",
    "open_sessions",
]


class Sessions:
    """The session store and the artifact store of one database."""

    def __init__(self, store: SessionStore, artifacts: ArtifactStore) -> None:
        self.store = store
        self.artifacts = artifacts

    def close(self) -> None:
        """Close the database."""
        self.store.close()


def open_sessions(settings: Settings, location: str | None = None) -> Sessions:
    """Sessions and artifacts where ``settings`` keep State (or at ``location``: a path,
    ``sqlite:///...`` or ``postgresql://...``)."""
    from llmspell.state.db import open_database
    from llmspell.state.location import storage_location

    if location is None:
        where = storage_location(settings)
        if where.backend == "memory":
            location = ":memory:"
        elif where.backend in ("sqlite", "postgresql"):
            location = where.location
        else:  # a plugin's State backend: sessions stay in the default SQLite file
            from llmspell.config import llmspell_home

            location = settings.storage.url or str(llmspell_home() / "state.db")
    assert location is not None
    store = SessionStore(open_database(location))
    cfg = settings.sessions
    artifacts = ArtifactStore(
        store,
        max_bytes=cfg.max_artifact_bytes,
        max_per_session=cfg.max_artifacts_per_session,
    )
    return Sessions(store, artifacts)
