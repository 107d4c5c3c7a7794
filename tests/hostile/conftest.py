"""The hostile-spell suite (issues 11 and 12): marker, fixtures. The helpers live in
``hostile_support.py`` beside this file, which test modules import by name."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from hostile_support import bound, hostile, slow_model, startup

__all__ = ["bound", "hostile", "slow_model", "startup"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "hostile: hostile-spell suite through the real llmspell command "
        "(issues 11 and 12; docs/security.md)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.hostile)
