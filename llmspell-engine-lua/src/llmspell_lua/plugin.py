"""Entry point ``llmspell`` → registers :class:`LuaEngine` (imports lupa only when run)."""

from __future__ import annotations

from collections.abc import Callable

from llmspell import hookimpl


@hookimpl
def register_engines(register: Callable[..., None]) -> None:
    """Register the Lua engine (``lua``, ``.lua``)."""
    from llmspell_lua.engine import LuaEngine

    register(LuaEngine)
