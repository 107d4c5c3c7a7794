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
