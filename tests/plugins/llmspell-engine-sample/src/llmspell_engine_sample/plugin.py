"""The entry point (group ``llmspell``, name ``sample``): registers :class:`SampleEngine`.

A plugin module must stay cheap to import (DESIGN.md §2): it imports the engine class
only when the runtime asks for engines.
"""

from __future__ import annotations

from collections.abc import Callable

from llmspell import hookimpl


@hookimpl
def register_engines(register: Callable[..., None]) -> None:
    """Register the ``sample`` engine (``.sample`` files)."""
    from llmspell_engine_sample.engine import SampleEngine

    register(SampleEngine)
