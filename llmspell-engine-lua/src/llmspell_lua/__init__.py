"""llmspell's Lua 5.4 engine (lupa): a sandboxed Lua state driven as coroutines."""

from llmspell_lua.engine import LuaEngine

__all__ = ["LuaEngine"]
