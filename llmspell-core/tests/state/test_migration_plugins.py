"""Migrations a plugin registers (``register_state_migrations``) apply with a spell's,
in one transaction; a bad registration is the plugin's error, not the run's."""

from __future__ import annotations

import io
import types
from collections.abc import Iterator
from typing import Any

import pytest

from llmspell.config import load_settings
from llmspell.hookspecs import hookimpl
from llmspell.plugins import PluginLoader
from llmspell.runtime import Output, Runtime


def _plugin() -> types.ModuleType:
    mod = types.ModuleType("migrating_plugin")

    def to_v1(value: Any, key: str) -> Any:
        return {"name": value} if isinstance(value, str) else value

    async def to_v2(value: Any, key: str) -> Any:
        return None if key.startswith("tmp") else {**value, "v": 2}

    @hookimpl
    def register_state_migrations(register: Any) -> None:
        register("users", 1, to_v1)
        register("users", 2, to_v2)
        register("", 1, to_v1)  # refused: reported as the plugin's error

    mod.register_state_migrations = register_state_migrations  # type: ignore[attr-defined]
    return mod


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    settings = load_settings(
        environ={}, use_files=False, overrides={("state", "backend"): "memory"}
    )
    loader = PluginLoader(autoload=False, environ={})
    loader.register(pytest.importorskip("llmspell_lua.plugin"), name="lua")
    loader.register(_plugin(), name="migrating")
    rt = Runtime(settings, loader=loader, output=Output(io.StringIO(), io.StringIO()))
    yield rt
    rt.close()


def test_plugin_and_spell_migrations_apply_together(runtime: Runtime) -> None:
    assert [(s, v) for s, v, _, _ in runtime.state_migrations] == [("users", 1), ("users", 2)]
    assert any("register_state_migrations" in str(e) for e in runtime.loader.errors)
    spell = """
    State.save("users", "ann", "Ann")
    State.save("users", "tmp1", "x")
    State.register_migration("users", 3, function(v) v.v = 3; return v end)
    local r = State.migrate()[1]
    return {r.from, r.to, r.changed, r.deleted, State.load("users", "ann").name,
            State.load("users", "ann").v, #State.list_keys("users")}
    """
    assert runtime.run_sync(spell, engine="lua").value == [0, 3, 1, 1, "Ann", 3, 1]
    # a later run has only the plugins' migrations, all applied: nothing pending
    again = runtime.run_sync("local r = State.migrate()[1] return {r.to, #r.applied}", engine="lua")
    assert again.value == [3, 0]
