"""Session and Artifact through real engines in one process: the current session is the
runtime's (it lasts across runs of one runtime), sessions follow [state] backend =
"memory" into memory, and raw bytes are for Lua only."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

from llmspell.config import load_settings
from llmspell.errors import ValidationError
from llmspell.plugins import PluginLoader
from llmspell.runtime import Output, Runtime


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    settings = load_settings(
        environ={}, use_files=False, overrides={("state", "backend"): "memory"}
    )
    loader = PluginLoader(autoload=False, environ={})
    # (the engines are other distributions of the workspace)
    loader.register(pytest.importorskip("llmspell_lua.plugin"), name="lua")
    loader.register(pytest.importorskip("llmspell_js.plugin"), name="engine_js")
    rt = Runtime(settings, loader=loader, output=Output(io.StringIO(), io.StringIO()))
    yield rt
    rt.close()


def test_the_current_session_lasts_across_runs_of_one_runtime(runtime: Runtime) -> None:
    sid = runtime.run_sync(
        'local id = Session.create({name = "r"}) Session.set_current(id) return id',
        engine="lua",
    ).value
    assert runtime.current_session_id == sid
    again = runtime.run_sync("export default await Session.getCurrent();", engine="js")
    assert again.value == sid
    assert runtime.sessions.store.get(sid)["name"] == "r"


def test_raw_bytes_are_for_lua(runtime: Runtime) -> None:
    lua = runtime.run_sync(
        'local id = Session.create() local a = Artifact.store(id, "b", "n", "\\255\\0")'
        ' local g = Artifact.get(id, a, {encoding = "raw"})'
        " return {#g.content, g.content:byte(1), g.encoding}",
        engine="lua",
    )
    assert lua.value == [2, 255, "raw"]
    with pytest.raises(ValidationError, match="is for Lua"):
        runtime.run_sync(
            'const id = await Session.create(); await Artifact.store(id, "b", "n", "x");'
            'await Artifact.get(id, 1, {encoding: "raw"});',
            engine="js",
        )
