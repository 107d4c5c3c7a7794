"""Where State, sessions and artifacts live: one decision from the settings.

``[state] backend = "memory"`` keeps everything in the process. Otherwise an explicit
``[state] path`` is an SQLite file; else ``[storage] url`` (``LLMSPELL_DATABASE_URL``)
picks SQLite (``sqlite:///PATH``) or PostgreSQL (``postgresql://...``); else the SQLite
file ``$LLMSPELL_HOME/state.db``. Sessions and artifacts share State's database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from llmspell.config import llmspell_home

if TYPE_CHECKING:
    from llmspell.config import Settings

__all__ = ["StorageLocation", "storage_location"]


@dataclass(frozen=True)
class StorageLocation:
    """The State backend's registered name and where it stores (a path, a URL, or None
    for memory)."""

    backend: str
    location: str | None

    @property
    def is_postgres(self) -> bool:
        """Whether the location is a PostgreSQL URL."""
        return self.backend == "postgresql"

    def shown(self) -> str:
        """The location for messages (a URL's host and database, never its password)."""
        if self.location is None:
            return "memory (this process only)"
        if self.is_postgres:
            from llmspell.state.db import describe_url

            return f"postgresql://{describe_url(self.location)}"
        return self.location


def _sqlite_path(url: str) -> str:
    return str(Path(url[len("sqlite:///") :]).expanduser())


def storage_location(settings: Settings) -> StorageLocation:
    """Where State (and sessions, artifacts) live for ``settings``."""
    cfg = settings.state
    if cfg.backend == "memory":
        return StorageLocation("memory", None)
    if cfg.backend != "sqlite":
        return StorageLocation(cfg.backend, cfg.path or settings.storage.url)
    if cfg.path:
        return StorageLocation("sqlite", str(Path(cfg.path).expanduser()))
    url = settings.storage.url
    if url and url.startswith(("postgresql://", "postgres://")):
        return StorageLocation("postgresql", url)
    if url and url.startswith("sqlite:///"):
        return StorageLocation("sqlite", _sqlite_path(url))
    return StorageLocation("sqlite", str(llmspell_home() / "state.db"))
