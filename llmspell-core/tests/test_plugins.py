"""The plugin loader (DESIGN.md §2): builtins, entry points, broken and misspelled plugins."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from typing import Any

import pytest

import llmspell
import llmspell.plugins
from llmspell.config import load_settings
from llmspell.engine import ScriptEngine
from llmspell.errors import PluginError
from llmspell.plugins import ENTRY_POINT_GROUP, PluginLoader, create_plugin_manager
from llmspell.runtime import Runtime
from llmspell.tools import Tool

# -- fakes --------------------------------------------------------------------------------


class FakeDist:
    def __init__(self, name: str, version: str = "1.0") -> None:
        self.name = name
        self.metadata = {"Name": name}
        self.version = version


class FakeEntryPoint:
    """Quacks like llmspell.entry_points.FoundEntryPoint (and importlib's EntryPoint)."""

    def __init__(
        self,
        name: str,
        target: Any,
        dist: FakeDist | None,
        value: str | None = None,
    ) -> None:
        self.name = name
        self.value = value or f"fake_{name}:plugin"
        self.group = ENTRY_POINT_GROUP
        self.dist = dist
        self._target = target
        self.loads = 0

    @property
    def dist_name(self) -> str | None:
        return self.dist.metadata["Name"] if self.dist is not None else None

    @property
    def dist_version(self) -> str | None:
        return self.dist.version if self.dist is not None else None

    def load(self) -> Any:
        self.loads += 1
        if isinstance(self._target, BaseException):
            raise self._target
        return self._target


def make_tool(name: str) -> Tool:
    return Tool(name=name, description=f"{name} tool", handler=lambda p, c: name, inline=True)


class ToolPlugin:
    def __init__(self, *names: str) -> None:
        self.names = names

    @llmspell.hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        for n in self.names:
            register(make_tool(n))


class FakeEngine(ScriptEngine):
    name = "fake"
    extensions = (".fake",)
    language = "Fake"

    async def run(self, source: str, chunk_name: str) -> Any:
        return source


class EnginePlugin:
    @llmspell.hookimpl
    def register_engines(self, register: Callable[..., None]) -> None:
        register(FakeEngine)


class MisspelledPlugin:
    @llmspell.hookimpl
    def register_engine(self, register: Callable[..., None]) -> None:  # sic: no "s"
        register(FakeEngine)


class WrongArgumentPlugin:
    @llmspell.hookimpl
    def register_tools(self, add: Callable[..., None]) -> None:  # spec says `register`
        add(make_tool("never"))


class RaisingToolsPlugin:
    @llmspell.hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        raise RuntimeError("tool plugin exploded")


class InvalidToolPlugin:
    @llmspell.hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        register("not a tool")
        register(make_tool("valid-after-invalid"))


class StartupPlugin:
    def __init__(self) -> None:
        self.calls: list[str] = []

    @llmspell.hookimpl
    def llmspell_startup(self, runtime: Any) -> str:
        self.calls.append("startup")
        return "started"

    @llmspell.hookimpl
    def llmspell_shutdown(self, runtime: Any) -> None:
        self.calls.append("shutdown")


class RaisingStartupPlugin:
    @llmspell.hookimpl
    def llmspell_startup(self, runtime: Any) -> None:
        raise ValueError("startup failed")


@pytest.fixture
def entry_points(monkeypatch: pytest.MonkeyPatch) -> list[FakeEntryPoint]:
    """Replace entry-point discovery with a list the test fills in."""
    eps: list[FakeEntryPoint] = []
    groups: list[str | None] = []

    def fake_entry_points(group: str | None = None, **kwargs: Any) -> list[FakeEntryPoint]:
        groups.append(group)
        assert group == ENTRY_POINT_GROUP
        return list(eps)

    monkeypatch.setattr(importlib.metadata, "entry_points", fake_entry_points)
    if hasattr(llmspell.plugins, "entry_points"):  # tolerate `from importlib.metadata import`
        monkeypatch.setattr(llmspell.plugins, "entry_points", fake_entry_points)
    fake_entry_points.groups = groups  # type: ignore[attr-defined]
    return eps


def memory_settings() -> Any:
    return load_settings(environ={}, use_files=False, overrides={("state", "backend"): "memory"})


def infos(loader: PluginLoader, name: str) -> list[Any]:
    return [p for p in loader.plugins if p.name == name]


# -- builtins -----------------------------------------------------------------------------


def test_builtins_are_registered() -> None:
    loader = PluginLoader(autoload=False, environ={})
    (builtin,) = [p for p in loader.plugins if p.builtin]
    assert builtin.name == "llmspell.builtins"
    assert builtin.loaded
    assert "register_globals" in builtin.hooks
    assert loader.errors == []
    assert loader.pm.get_plugin("llmspell.builtins") is not None


def test_builtin_globals_reach_the_runtime() -> None:
    rt = Runtime(memory_settings(), loader=PluginLoader(autoload=False, environ={}))
    try:
        names = [g.name for g in rt.globals.all()]
        for name in ("ARGS", "Config", "Debug", "JSON", "State", "Tool"):
            assert name in names
        assert rt.engines.names() == []  # core ships no engine
    finally:
        rt.close()


def test_create_plugin_manager_passes_arguments() -> None:
    loader = create_plugin_manager(autoload=False, environ={}, strict=True)
    assert isinstance(loader, PluginLoader)
    assert loader.strict is True


# -- autoload switches ---------------------------------------------------------------------


def test_autoload_false_loads_no_entry_points(entry_points: list[FakeEntryPoint]) -> None:
    ep = FakeEntryPoint("tools", ToolPlugin("t"), FakeDist("llmspell-tools"))
    entry_points.append(ep)
    loader = PluginLoader(autoload=False, environ={})
    assert ep.loads == 0
    assert [p.name for p in loader.plugins] == ["llmspell.builtins"]


def test_disable_autoload_env(entry_points: list[FakeEntryPoint]) -> None:
    ep = FakeEntryPoint("tools", ToolPlugin("t"), FakeDist("llmspell-tools"))
    entry_points.append(ep)
    PluginLoader(environ={"LLMSPELL_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert ep.loads == 0


def test_autoload_true_loads_entry_points(entry_points: list[FakeEntryPoint]) -> None:
    plugin = ToolPlugin("t")
    ep = FakeEntryPoint("tools", plugin, FakeDist("llmspell-tools", "2.3"))
    entry_points.append(ep)
    loader = PluginLoader(environ={})
    assert ep.loads == 1
    (info,) = infos(loader, "tools")
    assert info.loaded
    assert info.distribution == "llmspell-tools"
    assert info.version == "2.3"
    assert info.module == ep.value
    assert info.hooks == ["register_tools"]
    assert not info.builtin
    assert loader.pm.get_plugin("tools") is plugin


def test_entry_point_without_distribution(entry_points: list[FakeEntryPoint]) -> None:
    entry_points.append(FakeEntryPoint("loose", ToolPlugin("t"), None))
    loader = PluginLoader(environ={})
    (info,) = infos(loader, "loose")
    assert info.loaded
    assert info.distribution is None


# -- broken and duplicate entry points -------------------------------------------------------


def test_broken_entry_point_is_reported_and_skipped(entry_points: list[FakeEntryPoint]) -> None:
    broken = FakeEntryPoint(
        "broken", ImportError("No module named 'llmspell_nope'"), FakeDist("llmspell-broken", "0.1")
    )
    good = FakeEntryPoint("good", ToolPlugin("ok-tool"), FakeDist("llmspell-good"))
    entry_points.extend([broken, good])
    loader = PluginLoader(environ={})
    (err,) = loader.errors
    assert err.name == "broken"
    assert err.distribution == "llmspell-broken"
    assert err.version == "0.1"
    assert not err.loaded
    assert err.error is not None
    assert "ImportError" in err.error and "llmspell_nope" in err.error
    assert err.hooks == []
    assert infos(loader, "good")[0].loaded
    rt = Runtime(memory_settings(), loader=loader)
    try:
        assert rt.tools.exists("ok-tool")
    finally:
        rt.close()


def test_entry_point_raising_other_errors(entry_points: list[FakeEntryPoint]) -> None:
    entry_points.append(
        FakeEntryPoint("syntax", SyntaxError("invalid syntax"), FakeDist("llmspell-syntax"))
    )
    loader = PluginLoader(environ={})
    (err,) = loader.errors
    assert err.error is not None and err.error.startswith("SyntaxError")


def test_duplicate_distribution_is_loaded_once(entry_points: list[FakeEntryPoint]) -> None:
    # the same distribution found twice on sys.path yields the entry point twice
    first = FakeEntryPoint("tools", ToolPlugin("t"), FakeDist("llmspell-tools"))
    second = FakeEntryPoint("tools", ToolPlugin("t"), FakeDist("llmspell-tools"))
    entry_points.extend([first, second])
    loader = PluginLoader(environ={})
    assert first.loads + second.loads == 1
    assert len(infos(loader, "tools")) == 1
    assert loader.errors == []
    rt = Runtime(memory_settings(), loader=loader)
    try:
        assert [t.name for t in rt.tools.all()] == ["t"]
    finally:
        rt.close()


def test_duplicate_broken_distribution_is_reported_once(entry_points: list[FakeEntryPoint]) -> None:
    entry_points.extend(
        FakeEntryPoint("broken", ImportError("nope"), FakeDist("llmspell-broken")) for _ in range(2)
    )
    loader = PluginLoader(environ={})
    assert len(loader.errors) == 1


def test_entry_point_named_like_a_builtin_is_skipped(entry_points: list[FakeEntryPoint]) -> None:
    ep = FakeEntryPoint("llmspell.builtins", ToolPlugin("x"), FakeDist("impostor"))
    entry_points.append(ep)
    loader = PluginLoader(environ={})
    assert ep.loads == 0
    assert len(infos(loader, "llmspell.builtins")) == 1
    assert infos(loader, "llmspell.builtins")[0].builtin


# -- allowlist ---------------------------------------------------------------------------------


@pytest.fixture
def three(entry_points: list[FakeEntryPoint]) -> dict[str, FakeEntryPoint]:
    eps = {
        "lua": FakeEntryPoint("lua", EnginePlugin(), FakeDist("llmspell-engine-lua")),
        "tools": FakeEntryPoint("tools", ToolPlugin("a"), FakeDist("llmspell-tools")),
        "broken": FakeEntryPoint("broken", ImportError("x"), FakeDist("llmspell-broken")),
    }
    entry_points.extend(eps.values())
    return eps


def test_allowlist_by_entry_point_name(three: dict[str, FakeEntryPoint]) -> None:
    loader = PluginLoader(environ={"LLMSPELL_LOAD_PLUGINS": "tools"})
    assert [three[n].loads for n in ("lua", "tools", "broken")] == [0, 1, 0]
    assert loader.allowlist == ["tools"]
    assert loader.errors == []


def test_allowlist_by_distribution_name_with_spaces(three: dict[str, FakeEntryPoint]) -> None:
    loader = PluginLoader(environ={"LLMSPELL_LOAD_PLUGINS": " llmspell-engine-lua , tools ,"})
    assert [three[n].loads for n in ("lua", "tools", "broken")] == [1, 1, 0]
    assert sorted(p.name for p in loader.plugins if not p.builtin) == ["lua", "tools"]


def test_empty_allowlist_loads_none(three: dict[str, FakeEntryPoint]) -> None:
    loader = PluginLoader(environ={"LLMSPELL_LOAD_PLUGINS": ""})
    assert sum(ep.loads for ep in three.values()) == 0
    assert [p.name for p in loader.plugins] == ["llmspell.builtins"]


def test_explicit_allowlist_beats_env(three: dict[str, FakeEntryPoint]) -> None:
    PluginLoader(allowlist=["lua"], environ={"LLMSPELL_LOAD_PLUGINS": "tools"})
    assert [three[n].loads for n in ("lua", "tools", "broken")] == [1, 0, 0]


def test_no_allowlist_loads_all(three: dict[str, FakeEntryPoint]) -> None:
    loader = PluginLoader(environ={})
    assert all(ep.loads == 1 for ep in three.values())
    assert [p.name for p in loader.errors] == ["broken"]


# -- strict mode -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "true", "yes", "ON"])
def test_strict_env_makes_broken_entry_point_fatal(
    three: dict[str, FakeEntryPoint], value: str
) -> None:
    with pytest.raises(PluginError) as info:
        PluginLoader(environ={"LLMSPELL_STRICT_PLUGINS": value})
    msg = str(info.value)
    assert "'broken'" in msg
    assert "llmspell-broken" in msg
    assert "ImportError" in msg
    assert info.value.hint and "LLMSPELL_STRICT_PLUGINS" in info.value.hint
    assert isinstance(info.value.__cause__, ImportError)


@pytest.mark.parametrize("value", ["0", "", "false", "no"])
def test_strict_env_off(three: dict[str, FakeEntryPoint], value: str) -> None:
    loader = PluginLoader(environ={"LLMSPELL_STRICT_PLUGINS": value})
    assert loader.strict is False
    assert [p.name for p in loader.errors] == ["broken"]


def test_strict_argument_beats_env(three: dict[str, FakeEntryPoint]) -> None:
    loader = PluginLoader(strict=False, environ={"LLMSPELL_STRICT_PLUGINS": "1"})
    assert [p.name for p in loader.errors] == ["broken"]
    with pytest.raises(PluginError):
        PluginLoader(strict=True, environ={})


# -- misspelled and invalid hookimpls ----------------------------------------------------------


def test_misspelled_hookimpl_is_reported_not_fatal() -> None:
    loader = PluginLoader(autoload=False, environ={})
    loader.register(MisspelledPlugin(), name="misspelled", distribution="llmspell-typo")
    loader.check_pending()
    (err,) = loader.errors
    assert err.name == "misspelled"
    assert err.error is not None
    assert "register_engine" in err.error
    assert loader.pm.get_plugin("misspelled") is None  # unregistered, so it cannot half-work
    # the loader still works afterwards
    loader.check_pending()
    assert len(loader.errors) == 1


def test_misspelled_entry_point_is_reported_at_startup(entry_points: list[FakeEntryPoint]) -> None:
    entry_points.append(FakeEntryPoint("typo", MisspelledPlugin(), FakeDist("llmspell-typo")))
    entry_points.append(FakeEntryPoint("tools", ToolPlugin("t"), FakeDist("llmspell-tools")))
    loader = PluginLoader(environ={})
    assert [p.name for p in loader.errors] == ["typo"]
    assert "register_engine" in (loader.errors[0].error or "")
    rt = Runtime(memory_settings(), loader=loader)
    try:
        assert rt.engines.names() == []  # the misspelled hook never ran
        assert rt.tools.exists("t")
    finally:
        rt.close()


def test_misspelled_hookimpl_is_fatal_under_strict() -> None:
    loader = PluginLoader(autoload=False, environ={}, strict=True)
    loader.register(MisspelledPlugin(), name="misspelled")
    with pytest.raises(PluginError) as info:
        loader.check_pending()
    assert "misspelled" in str(info.value)
    assert "register_engine" in str(info.value)


def test_misspelled_hookimpl_strict_from_env(entry_points: list[FakeEntryPoint]) -> None:
    entry_points.append(FakeEntryPoint("typo", MisspelledPlugin(), FakeDist("llmspell-typo")))
    with pytest.raises(PluginError, match="register_engine"):
        PluginLoader(environ={"LLMSPELL_STRICT_PLUGINS": "1"})


def test_hookimpl_with_wrong_argument_name_is_reported() -> None:
    loader = PluginLoader(autoload=False, environ={})
    info = loader.register(WrongArgumentPlugin(), name="wrongarg")
    assert not info.loaded
    assert info.error is not None and "add" in info.error
    assert loader.errors == [info]
    assert loader.pm.get_plugin("wrongarg") is None


def test_hookimpl_with_wrong_argument_name_strict() -> None:
    loader = PluginLoader(autoload=False, environ={}, strict=True)
    with pytest.raises(PluginError, match="wrongarg"):
        loader.register(WrongArgumentPlugin(), name="wrongarg")


def test_registering_the_same_name_twice_is_reported() -> None:
    loader = PluginLoader(autoload=False, environ={})
    first = loader.register(ToolPlugin("a"), name="dup")
    second = loader.register(ToolPlugin("b"), name="dup")
    assert first.loaded
    assert not second.loaded
    assert loader.errors == [second]


def test_register_records_hooks_and_module() -> None:
    loader = PluginLoader(autoload=False, environ={})
    info = loader.register(StartupPlugin(), name="life", distribution="d", version="9")
    assert info.hooks == ["llmspell_shutdown", "llmspell_startup"]
    assert info.module == "StartupPlugin"
    assert (info.distribution, info.version) == ("d", "9")
    assert info in loader.plugins


# -- PluginLoader.call -------------------------------------------------------------------------


def test_call_collects_results_and_reports_raising_hooks() -> None:
    loader = PluginLoader(autoload=False, environ={})
    good = StartupPlugin()
    loader.register(RaisingStartupPlugin(), name="bad-start")
    loader.register(good, name="good-start")
    results = loader.call("llmspell_startup", runtime=None)
    assert results == ["started"]
    assert good.calls == ["startup"]
    (err,) = loader.errors
    assert err.name == "bad-start"
    assert err.error is not None
    assert "llmspell_startup" in err.error and "ValueError" in err.error
    assert "startup failed" in err.error


def test_call_raising_hook_is_fatal_under_strict() -> None:
    loader = PluginLoader(autoload=False, environ={}, strict=True)
    loader.register(RaisingStartupPlugin(), name="bad-start")
    with pytest.raises(PluginError, match="bad-start"):
        loader.call("llmspell_startup", runtime=None)


# -- through the Runtime -----------------------------------------------------------------------


def test_raising_register_hook_is_reported_through_runtime() -> None:
    loader = PluginLoader(autoload=False, environ={})
    loader.register(RaisingToolsPlugin(), name="exploding")
    loader.register(ToolPlugin("still-here"), name="fine-tools")
    loader.register(EnginePlugin(), name="fake-engine")
    rt = Runtime(memory_settings(), loader=loader)
    try:
        errs = rt.loader.errors
        assert [e.name for e in errs] == ["exploding"]
        assert errs[0].error is not None
        assert "register_tools" in errs[0].error
        assert "RuntimeError" in errs[0].error
        assert "tool plugin exploded" in errs[0].error
        # the rest still works
        assert rt.tools.exists("still-here")
        assert rt.engines.get("fake") is FakeEngine
        assert rt.globals.get("State") is not None
        assert rt.run_sync("hello", engine="fake").value == "hello"
    finally:
        rt.close()


def test_invalid_registration_is_reported_and_later_ones_kept() -> None:
    loader = PluginLoader(autoload=False, environ={})
    loader.register(InvalidToolPlugin(), name="half-broken")
    rt = Runtime(memory_settings(), loader=loader)
    try:
        (err,) = rt.loader.errors
        assert err.name == "half-broken"
        assert err.error is not None and "not an llmspell.tools.Tool" in err.error
        assert rt.tools.exists("valid-after-invalid")
    finally:
        rt.close()


def test_raising_register_hook_is_fatal_under_strict() -> None:
    loader = PluginLoader(autoload=False, environ={}, strict=True)
    loader.register(RaisingToolsPlugin(), name="exploding")
    with pytest.raises(PluginError, match="exploding"):
        Runtime(memory_settings(), loader=loader)


def test_refresh_picks_up_plugins_registered_later() -> None:
    loader = PluginLoader(autoload=False, environ={})
    rt = Runtime(memory_settings(), loader=loader)
    try:
        assert not rt.tools.exists("late")
        loader.register(ToolPlugin("late"), name="late-plugin")
        rt.refresh()
        assert rt.tools.exists("late")
        assert rt.tools.get("late").name == "late"
    finally:
        rt.close()


def test_duplicate_tool_from_two_plugins_is_reported() -> None:
    loader = PluginLoader(autoload=False, environ={})
    loader.register(ToolPlugin("same"), name="first")
    loader.register(ToolPlugin("same"), name="second")
    rt = Runtime(memory_settings(), loader=loader)
    try:
        assert rt.tools.exists("same")
        # hooks run in pluggy's order (last registered first): one wins, the other is reported
        (err,) = rt.loader.errors
        assert err.name in {"first", "second"}
        assert "'same' is already registered" in (err.error or "")
    finally:
        rt.close()


def test_startup_and_shutdown_hooks_run_once() -> None:
    loader = PluginLoader(autoload=False, environ={})
    life = StartupPlugin()
    loader.register(life, name="life")
    loader.register(EnginePlugin(), name="fake-engine")
    rt = Runtime(memory_settings(), loader=loader)
    assert life.calls == []
    rt.run_sync("a", engine="fake")
    rt.run_sync("b", engine="fake")
    assert life.calls == ["startup"]
    rt.close()
    assert life.calls == ["startup", "shutdown"]
    rt.close()  # closing twice is harmless
    assert life.calls == ["startup", "shutdown"]
