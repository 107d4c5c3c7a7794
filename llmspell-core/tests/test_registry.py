"""Registries: engines by name/extension, providers, tools, globals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import llmspell
from llmspell.api import state_api
from llmspell.config import load_settings
from llmspell.engine import ScriptEngine
from llmspell.errors import NotFoundError, PluginError
from llmspell.ops import GlobalSpec, ObjectType, Param
from llmspell.plugins import PluginLoader
from llmspell.registry import (
    KNOWN_ENGINE_DISTRIBUTIONS,
    EngineRegistry,
    GlobalRegistry,
    ProviderRegistry,
    ToolRegistry,
)
from llmspell.runtime import Runtime
from llmspell.tools import Tool


class FakeEngine(ScriptEngine):
    name = "fake"
    extensions = (".fake", "fk")
    language = "Fake"

    async def run(self, source: str, chunk_name: str) -> Any:
        return None


class OtherFakeEngine(ScriptEngine):
    name = "fake"
    extensions = (".other",)

    async def run(self, source: str, chunk_name: str) -> Any:
        return None


class UpperExtEngine(ScriptEngine):
    name = "upper"
    extensions = (".UPR", "LOUD")

    async def run(self, source: str, chunk_name: str) -> Any:
        return None


class NamelessEngine(ScriptEngine):
    async def run(self, source: str, chunk_name: str) -> Any:
        return None


def tool(name: str, category: str = "utility", **kw: Any) -> Tool:
    return Tool(
        name=name,
        description=f"the {name} tool",
        handler=lambda p, c: None,
        category=category,
        **kw,
    )


# -- engines ---------------------------------------------------------------------------------


@pytest.fixture
def engines() -> EngineRegistry:
    reg = EngineRegistry()
    reg.register(FakeEngine, origin="fake-plugin")
    return reg


def test_engine_by_name(engines: EngineRegistry) -> None:
    assert engines.get("fake") is FakeEngine
    assert engines.names() == ["fake"]
    assert engines.all() == [FakeEngine]
    assert engines.origins == {"fake": "fake-plugin"}


@pytest.mark.parametrize("path", ["spell.fake", "dir/x.FAKE", "/abs/path/s.Fake", "a.fk"])
def test_engine_by_extension(engines: EngineRegistry, path: str) -> None:
    assert engines.for_path(path) is FakeEngine


@pytest.mark.parametrize("path", ["spell.lua", "spell", "spell.fake.txt", ".fake"])
def test_engine_by_extension_unknown(engines: EngineRegistry, path: str) -> None:
    assert engines.for_path(path) is None


def test_extensions_are_case_insensitive_as_registered() -> None:
    reg = EngineRegistry()
    reg.register(UpperExtEngine)
    assert reg.for_path("x.upr") is UpperExtEngine
    assert reg.for_path("x.loud") is UpperExtEngine
    assert reg.for_path("x.LOUD") is UpperExtEngine


def test_duplicate_engine_name_keeps_the_first(engines: EngineRegistry) -> None:
    with pytest.raises(PluginError, match="already registered by plugin 'fake-plugin'"):
        engines.register(OtherFakeEngine, origin="second")
    engines.register(FakeEngine, origin="again")  # the same class twice is not a clash
    assert engines.get("fake") is FakeEngine
    assert engines.origins["fake"] == "fake-plugin"
    assert engines.for_path("x.other") is None


@pytest.mark.parametrize("bad", [object, int, "lua", None])
def test_register_non_engine_is_a_plugin_error(bad: Any) -> None:
    with pytest.raises(PluginError, match="not a ScriptEngine subclass"):
        EngineRegistry().register(bad)


def test_register_engine_instance_is_refused() -> None:
    with pytest.raises(PluginError):
        EngineRegistry().register(FakeEngine(None))  # type: ignore[arg-type]


def test_register_nameless_engine_is_a_plugin_error() -> None:
    with pytest.raises(PluginError, match="NamelessEngine has no name"):
        EngineRegistry().register(NamelessEngine)


@pytest.mark.parametrize(
    ("name", "dist"),
    [
        ("js", "llmspell-engine-js"),
        ("JS", "llmspell-engine-js"),
        (".js", "llmspell-engine-js"),
        ("javascript", "llmspell-engine-js"),
        ("lua", "llmspell-engine-lua"),
    ],
)
def test_missing_known_engine_names_the_distribution(
    engines: EngineRegistry, name: str, dist: str
) -> None:
    with pytest.raises(NotFoundError) as info:
        engines.get(name)
    assert repr(name) in str(info.value)
    assert "not installed" in str(info.value)
    assert info.value.hint == f"install it with: pip install {dist}"
    assert dist in info.value.display()


def test_unknown_engine_suggests_a_close_name(engines: EngineRegistry) -> None:
    with pytest.raises(NotFoundError) as info:
        engines.get("fak")
    msg = str(info.value)
    assert "unknown script engine 'fak'" in msg
    assert "installed: fake" in msg
    assert "did you mean 'fake'?" in msg


def test_unknown_engine_without_any_installed() -> None:
    with pytest.raises(NotFoundError) as info:
        EngineRegistry().get("python")
    assert "installed: none" in str(info.value)
    assert "did you mean" not in str(info.value)


@pytest.mark.parametrize(
    ("path", "dist"),
    [
        ("spell.js", "llmspell-engine-js"),
        ("spell.JS", "llmspell-engine-js"),
        ("spell.mjs", "llmspell-engine-js"),
        ("spell.lua", "llmspell-engine-lua"),
    ],
)
def test_missing_for_path_names_the_distribution(
    engines: EngineRegistry, path: str, dist: str
) -> None:
    err = engines.missing_for_path(path)
    assert isinstance(err, NotFoundError)
    assert err.hint == f"install it with: pip install {dist}"
    assert "no installed script engine runs" in str(err)


def test_missing_for_path_unknown_extension(engines: EngineRegistry) -> None:
    err = engines.missing_for_path("spell.xyz")
    assert ".xyz" in str(err)
    assert ".fake" in str(err)  # lists what is known
    assert err.hint is not None and "--engine" in err.hint


def test_missing_for_path_without_extension() -> None:
    err = EngineRegistry().missing_for_path("spell")
    assert "without an extension" in str(err)
    assert "none" in str(err)


def test_known_distributions_table() -> None:
    assert KNOWN_ENGINE_DISTRIBUTIONS["js"] == "llmspell-engine-js"
    assert KNOWN_ENGINE_DISTRIBUTIONS[".js"] == "llmspell-engine-js"
    assert KNOWN_ENGINE_DISTRIBUTIONS[".lua"] == "llmspell-engine-lua"


# -- providers ---------------------------------------------------------------------------------


def factory(**kwargs: Any) -> Any:
    return kwargs


def test_provider_register_and_get() -> None:
    reg = ProviderRegistry()
    reg.register(factory, name="openai", origin="providers", streaming=True)
    info = reg.get("openai")
    assert info.name == "openai"
    assert info.factory is factory
    assert info.info == {"streaming": True}
    assert info.origin == "providers"


def test_provider_names_sorted_and_first_wins() -> None:
    reg = ProviderRegistry()
    reg.register(factory, name="openai")
    reg.register(factory, name="anthropic")
    reg.register(factory, name="openai")  # the same factory twice is not a clash
    with pytest.raises(PluginError, match="'openai' is already registered"):
        reg.register(lambda: None, name="openai", origin="later")
    assert reg.names() == ["anthropic", "openai"]
    assert reg.get("openai").factory is factory


def test_provider_needs_a_name() -> None:
    with pytest.raises(PluginError, match="needs a name"):
        ProviderRegistry().register(factory, name="")


def test_unknown_provider() -> None:
    reg = ProviderRegistry()
    reg.register(factory, name="anthropic")
    with pytest.raises(NotFoundError) as info:
        reg.get("antropic")
    msg = str(info.value)
    assert "unknown provider 'antropic'" in msg
    assert "registered: anthropic" in msg
    assert "did you mean 'anthropic'?" in msg
    assert info.value.hint is not None and "llmspell-providers" in info.value.hint


def test_unknown_provider_when_none_registered() -> None:
    with pytest.raises(NotFoundError, match="registered: none"):
        ProviderRegistry().get("openai")


# -- tools -------------------------------------------------------------------------------------


@pytest.fixture
def tools() -> ToolRegistry:
    reg = ToolRegistry()
    reg.register(tool("calculator", "utility"))
    reg.register(tool("file-reader", "filesystem"))
    reg.register(tool("uuid-generator", "utility"))
    return reg


def test_tool_get_find_exists(tools: ToolRegistry) -> None:
    assert tools.get("calculator").name == "calculator"
    assert tools.find("calculator") is tools.get("calculator")
    assert tools.find("nope") is None
    assert tools.exists("file-reader")
    assert not tools.exists("file_reader")


def test_unknown_tool_did_you_mean(tools: ToolRegistry) -> None:
    with pytest.raises(NotFoundError) as info:
        tools.get("calculater")
    assert str(info.value).startswith("unknown tool 'calculater'; did you mean 'calculator'?")
    assert info.value.hint == "Tool.list() shows the available tools"
    assert info.value.kind == "NotFoundError"


def test_unknown_tool_without_close_match(tools: ToolRegistry) -> None:
    with pytest.raises(NotFoundError) as info:
        tools.get("zzzz")
    assert "did you mean" not in str(info.value)


def test_duplicate_tool_is_refused(tools: ToolRegistry) -> None:
    original = tools.get("calculator")
    with pytest.raises(PluginError, match="'calculator' is already registered"):
        tools.register(tool("calculator"))
    assert tools.get("calculator") is original


def test_duplicate_tool_with_replace(tools: ToolRegistry) -> None:
    new = tool("calculator", "math")
    tools.register(new, replace=True)
    assert tools.get("calculator") is new


def test_register_non_tool(tools: ToolRegistry) -> None:
    with pytest.raises(PluginError, match=r"is not an llmspell\.tools\.Tool"):
        tools.register({"name": "x"})  # type: ignore[arg-type]


def test_unregister(tools: ToolRegistry) -> None:
    assert tools.unregister("calculator") is True
    assert tools.unregister("calculator") is False
    assert not tools.exists("calculator")


def test_all_sorted_and_by_category(tools: ToolRegistry) -> None:
    assert [t.name for t in tools.all()] == ["calculator", "file-reader", "uuid-generator"]
    assert [t.name for t in tools.all("utility")] == ["calculator", "uuid-generator"]
    assert tools.all("nope") == []
    assert tools.categories() == ["filesystem", "utility"]


def test_tool_info_shape() -> None:
    assert tool("x", "data", version="2.0.0").info() == {
        "name": "x",
        "description": "the x tool",
        "category": "data",
        "version": "2.0.0",
    }


# -- globals -----------------------------------------------------------------------------------


def _op_impl(ctx: Any, *args: Any) -> Any:
    return "extra"


def test_global_register_and_get() -> None:
    reg = GlobalRegistry()
    spec = GlobalSpec("Demo")
    reg.register(spec)
    got = reg.get("Demo")
    assert got is not None and got.name == "Demo"
    assert reg.get("Nope") is None


def test_globals_sorted() -> None:
    reg = GlobalRegistry()
    for name in ("Zeta", "Alpha", "Mid"):
        reg.register(GlobalSpec(name))
    assert [g.name for g in reg.all()] == ["Alpha", "Mid", "Zeta"]


def test_register_non_spec() -> None:
    with pytest.raises(PluginError, match=r"is not an llmspell\.ops\.GlobalSpec"):
        GlobalRegistry().register("State")  # type: ignore[arg-type]


def test_same_name_merges_functions_and_keeps_existing() -> None:
    reg = GlobalRegistry()
    first = GlobalSpec("Demo")
    first.function("a")(_op_impl)
    first.function("shared")(lambda ctx: "first")
    second = GlobalSpec("Demo")
    second.function("b")(_op_impl)
    reg.register(first)
    reg.register(second)
    merged = reg.get("Demo")
    assert merged is not None
    assert sorted(merged.functions) == ["a", "b", "shared"]
    assert len(reg.all()) == 1
    clash = GlobalSpec("Demo")
    clash.function("shared")(lambda ctx: "second")
    with pytest.raises(PluginError, match=r"Demo\.shared is already defined"):
        reg.register(clash)
    assert merged.functions["shared"].impl(None) == "first"


def test_merge_keeps_aliases_and_object_types_of_the_later_spec() -> None:
    class Thing:
        pass

    ot = ObjectType("Thing", Thing)
    reg = GlobalRegistry()
    reg.register(GlobalSpec("Demo"))
    later = GlobalSpec("Demo", aliases={"doIt": "do_it"}, object_types=[ot])
    later.function("do_it")(_op_impl)
    reg.register(later)
    merged = reg.get("Demo")
    assert merged is not None
    assert "do_it" in merged.functions
    assert merged.aliases.get("doIt") == "do_it"  # engines bind aliases from the merged spec
    assert ot in merged.object_types  # engines bind methods from spec.object_types
    assert reg.object_types[Thing] is ot


def test_object_types_collected() -> None:
    class Thing:
        pass

    ot = ObjectType("Thing", Thing)
    reg = GlobalRegistry()
    reg.register(GlobalSpec("Demo", object_types=[ot]))
    assert reg.object_types == {Thing: ot}


def test_merging_does_not_mutate_the_registered_spec() -> None:
    base = GlobalSpec("Demo")
    base.function("a")(_op_impl)
    extra = GlobalSpec("Demo")
    extra.function("b")(_op_impl)
    reg = GlobalRegistry()
    reg.register(base)
    reg.register(extra)
    assert sorted(base.functions) == ["a"]
    fresh = GlobalRegistry()
    fresh.register(base)
    got = fresh.get("Demo")
    assert got is not None and sorted(got.functions) == ["a"]


class StateExtension:
    """A third-party plugin adding ``State.extra`` to the core's State global."""

    @llmspell.hookimpl
    def register_globals(self, register: Callable[..., None]) -> None:
        spec = GlobalSpec("State")
        spec.function("extra", Param("x", optional=True))(_op_impl)
        register(spec)


def settings() -> Any:
    return load_settings(environ={}, use_files=False, overrides={("state", "backend"): "memory"})


def test_plugin_extension_of_a_core_global_stays_in_its_runtime() -> None:
    loader = PluginLoader(autoload=False, environ={})
    loader.register(StateExtension(), name="state-ext")
    with_ext = Runtime(settings(), loader=loader)
    without = Runtime(settings(), loader=PluginLoader(autoload=False, environ={}))
    try:
        state = with_ext.globals.get("State")
        assert state is not None
        assert "extra" in state.functions
        assert "save" in state.functions  # the core functions are still there
        plain = without.globals.get("State")
        assert plain is not None
        assert "extra" not in plain.functions
        assert "extra" not in state_api.STATE.functions
    finally:
        with_ext.close()
        without.close()
