"""Entry point ``llmspell`` → registers :class:`JSEngine` (imports quickjs only when run)."""

from __future__ import annotations

from collections.abc import Callable

from llmspell import hookimpl


@hookimpl
def register_engines(register: Callable[..., None]) -> None:
    """Register the JavaScript engine (``js``, ``.js``, ``.mjs``)."""
    from llmspell_js.engine import JSEngine

    register(JSEngine)
