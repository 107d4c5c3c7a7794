"""The script API implemented once (JSON, Debug, ARGS, Config, State, Tool), called through
RunSession.call the way an engine calls it, plus the value helpers in api.values."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import llmspell
from llmspell.api import state_api
from llmspell.api.debug_api import TIMER, Timer
from llmspell.api.tool_api import TOOL_HANDLE
from llmspell.config import load_settings
from llmspell.engine import ScriptEngine
from llmspell.errors import LLMSpellError, NotFoundError, ToolError, ValidationError
from llmspell.plugins import PluginLoader
from llmspell.runtime import Output, Runtime
from llmspell.testing import OpHost, PyFunction
from llmspell.tools import Tool, ToolFailure
from llmspell.values import check_json_value, dump_value, dumps

# -- fixtures -------------------------------------------------------------------------------


def upper(params: dict[str, Any], ctx: Any) -> Any:
    return params["text"].upper()


def failing(params: dict[str, Any], ctx: Any) -> Any:
    raise ToolFailure("could not do it")


class ToolsPlugin:
    @llmspell.hookimpl
    def register_tools(self, register: Callable[..., None]) -> None:
        register(
            Tool(
                name="text-upper",
                description="Upper-case text",
                handler=upper,
                parameters={
                    "type": "object",
                    "properties": {"text": {"type": "string"}},
                    "required": ["text"],
                },
                category="text",
                tags=("case", "text"),
            )
        )
        register(Tool(name="always-fails", description="Fails", handler=failing, category="test"))


def make_runtime(overrides: dict[tuple[str, ...], Any] | None = None) -> Runtime:
    settings = load_settings(
        environ={},
        use_files=False,
        overrides={("state", "backend"): "memory", **(overrides or {})},
    )
    loader = PluginLoader(autoload=False, environ={})
    loader.register(ToolsPlugin(), name="test-tools")
    return Runtime(settings, loader=loader, output=Output(io.StringIO(), io.StringIO()))


Host = OpHost
FakeFunction = PyFunction


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    rt = make_runtime()
    yield rt
    rt.close()


@pytest.fixture
def host(runtime: Runtime) -> Host:
    return Host(runtime)


# -- values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [None, True, 0, -3, 2.5, "", "s", [], {}, [1, "a", None], {"a": {"b": [1, {"c": False}]}}],
)
def test_check_json_value_accepts_json(value: Any) -> None:
    check_json_value(value, "X")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (math.nan, "X: value is nan, which JSON cannot hold"),
        (math.inf, "X: value is inf"),
        ({"a": [1, 2, math.inf]}, "X: value.a[3] is inf"),
        ({1: "x"}, "X: value has a non-string key 1"),
        ({"a": {2: "x"}}, "X: value.a has a non-string key 2"),
        (FakeFunction(print), "X: value is a function, which is not a JSON value"),
        ({"f": FakeFunction(print)}, "X: value.f is a function"),
        (object(), "X: value is a object"),
        ({1, 2}, "X: value is a set"),
        ((1, 2), "X: value is a"),
    ],
)
def test_check_json_value_names_the_place(value: Any, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        check_json_value(value, "X")
    assert str(info.value).startswith(fragment)


def test_dumps_is_deterministic_and_compact() -> None:
    assert dumps({"b": 1, "a": [1, 2, {"d": None, "c": "é"}]}) == (
        '{"a":[1,2,{"c":"é","d":null}],"b":1}'
    )


def test_dumps_pretty() -> None:
    assert dumps({"b": [1], "a": True}, pretty=True) == ('{\n  "a": true,\n  "b": [\n    1\n  ]\n}')


def test_dumps_refuses_nan() -> None:
    with pytest.raises(ValueError):
        dumps(math.nan)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "nil"),
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (3.0, "3"),
        (2.5, "2.5"),
        ("hi", '"hi"'),
        ('say "x"', '"say \\"x\\""'),
        ({}, "{}"),
        ([], "[]"),
        (FakeFunction(print), "<function>"),
        (math.inf, "inf"),
    ],
)
def test_dump_value_scalars(value: Any, text: str) -> None:
    assert dump_value(value) == text


def test_dump_value_nested() -> None:
    assert dump_value({"b": 1, "a": [1, "x"], "c": {}}) == (
        '{\n  a: [\n    1,\n    "x"\n  ],\n  b: 1,\n  c: {}\n}'
    )


def test_dump_value_orders_numeric_keys_numerically() -> None:
    text = dump_value({10: "ten", 2: "two", 1: "one", "k": "v"})
    assert text == '{\n  1: "one",\n  2: "two",\n  10: "ten",\n  k: "v"\n}'


# -- JSON --------------------------------------------------------------------------------------


def test_json_parse(host: Host) -> None:
    assert host("JSON.parse", '{"a": [1, 2.5, "x", null, true]}') == {
        "a": [1, 2.5, "x", None, True]
    }
    assert host("JSON.parse", "3") == 3
    assert isinstance(host("JSON.parse", "3"), int)


def test_json_parse_invalid(host: Host) -> None:
    with pytest.raises(ValidationError) as info:
        host("JSON.parse", '{"a": 1,\n  oops}')
    msg = str(info.value)
    assert msg.startswith("JSON.parse: invalid JSON at line 2 column 3")


def test_json_parse_wrong_argument(host: Host) -> None:
    with pytest.raises(
        ValidationError, match=r"JSON\.parse: argument 1 'text' must be a string, got number"
    ):
        host("JSON.parse", 5)
    with pytest.raises(ValidationError, match="argument 1 'text' is required"):
        host("JSON.parse")


def test_json_stringify(host: Host) -> None:
    assert host("JSON.stringify", {"b": 2, "a": 1}) == '{"a":1,"b":2}'
    assert host("JSON.stringify", [1, "x"], True) == '[\n  1,\n  "x"\n]'
    assert host("JSON.stringify", [None]) == "[null]"
    assert json.loads(host("JSON.stringify", {"n": 1.5})) == {"n": 1.5}


def test_json_stringify_refuses_non_json(host: Host) -> None:
    with pytest.raises(ValidationError, match=r"JSON.stringify: value.f is a function"):
        host("JSON.stringify", {"f": FakeFunction(print)})
    with pytest.raises(ValidationError, match=r"JSON\.stringify: value is nan"):
        host("JSON.stringify", math.nan)
    with pytest.raises(ValidationError, match="argument 2 'pretty' must be a boolean"):
        host("JSON.stringify", {}, "yes")


# -- Debug -------------------------------------------------------------------------------------


def test_debug_levels_filtered_by_log_level(host: Host) -> None:
    # the default log level is "warn"
    host("Debug.trace", "t")
    host("Debug.debug", "d")
    host("Debug.info", "i")
    host("Debug.warn", "w")
    host("Debug.error", "e", "net")
    assert host.stderr == "[WARN] w\n[ERROR] [net] e\n"
    assert host.runtime.output.stdout.getvalue() == ""  # type: ignore[attr-defined]


def test_debug_everything_at_trace() -> None:
    rt = make_runtime({("runtime", "log_level"): "trace"})
    try:
        host = Host(rt)
        host("Debug.trace", "t")
        host("Debug.info", {"k": 1})
        assert host.stderr == "[TRACE] t\n[INFO] {\n  k: 1\n}\n"
    finally:
        rt.close()


def test_debug_nothing_when_off() -> None:
    rt = make_runtime({("runtime", "log_level"): "off"})
    try:
        host = Host(rt)
        host("Debug.error", "e")
        host("Debug.log", "error", "e")
        assert host.stderr == ""
    finally:
        rt.close()


def test_debug_log(host: Host) -> None:
    host("Debug.log", "WARN", "careful", "db")
    assert host.stderr == "[WARN] [db] careful\n"


@pytest.mark.parametrize("level", ["loud", "off", ""])
def test_debug_log_unknown_level(host: Host, level: str) -> None:
    with pytest.raises(ValidationError, match=r"Debug\.log: unknown level"):
        host("Debug.log", level, "x")


def test_debug_log_wrong_module_type(host: Host) -> None:
    with pytest.raises(ValidationError, match="argument 2 'module' must be a string"):
        host("Debug.warn", "x", 5)


def test_debug_dump(host: Host) -> None:
    assert host("Debug.dump", {"a": [1]}) == "{\n  a: [\n    1\n  ]\n}"
    assert host("Debug.dump") == "nil"


def test_debug_timer(host: Host) -> None:
    timer = host("Debug.timer", "load")
    assert isinstance(timer, Timer)
    assert host.session.object_type(timer) is TIMER
    assert TIMER.fields(timer) == {"name": "load", "id": "load-1"}
    lap = host.method(timer, "lap")
    assert lap >= 0
    elapsed = host.method(timer, "elapsed")
    assert elapsed >= lap
    total = host.method(timer, "stop")
    assert total >= elapsed
    # stopped: frozen
    assert host.method(timer, "elapsed") == total
    assert host.method(timer, "stop") == total


def test_debug_timer_default_name(host: Host) -> None:
    assert TIMER.fields(host("Debug.timer")) == {"name": "timer", "id": "timer-1"}


def test_timer_method_needs_its_object(host: Host) -> None:
    with pytest.raises(ValidationError, match=r"Timer:stop: argument 1 'self' is required"):
        host.run(TIMER.methods["stop"], ())


# -- ARGS --------------------------------------------------------------------------------------


def test_args_global_value(runtime: Runtime) -> None:
    host = Host(runtime, argv=("a", "--k", "v", "--flag"))
    spec = runtime.globals.get("ARGS")
    assert spec is not None and spec.value is not None
    args = spec.value(host.session)
    assert args == {0: "spell.stub", 1: "a", "k": "v", "flag": "true", "positional": ["a"]}
    args["k"] = "changed"
    assert spec.value(host.session)["k"] == "v"  # each binding gets a copy


# -- Config ------------------------------------------------------------------------------------


def test_config_get_whole_and_paths(host: Host) -> None:
    whole = host("Config.get")
    assert whole["runtime"]["timeout_seconds"] == 300
    assert whole["state"]["backend"] == "memory"
    assert host("Config.get", "runtime.timeout_seconds") == 300
    assert host("Config.get", "security.allow_network") is False
    assert host("Config.get", "runtime") == whole["runtime"]
    assert host("Config.get", "runtime.nope") is None
    assert host("Config.get", "runtime.timeout_seconds.deeper") is None
    assert host("Config.get", "") == whole


def test_config_get_redacts_secrets(tmp_path: Path) -> None:
    cfg = tmp_path / "llmspell.toml"
    cfg.write_text(
        '[tools.web]\napi_key = "sk-live-secret"\n[providers.p]\napi_key_env = "P_KEY"\n',
        encoding="utf-8",
    )
    settings = load_settings(cfg, environ={}, overrides={("state", "backend"): "memory"})
    rt = Runtime(settings, loader=PluginLoader(autoload=False, environ={}))
    try:
        host = Host(rt)
        assert host("Config.get", "tools.web.api_key") == "***"
        assert host("Config.get", "providers.p.api_key_env") == "P_KEY"
        assert "sk-live-secret" not in repr(host("Config.get"))
    finally:
        rt.close()


def test_config_access_flags(host: Host) -> None:
    assert host("Config.is_network_access_allowed") is False
    assert host("Config.isNetworkAccessAllowed") is False
    assert host("Config.is_file_access_allowed") is True
    assert host("Config.isFileAccessAllowed") is True
    rt = make_runtime({("security", "allow_network"): True, ("security", "allowed_paths"): []})
    try:
        other = Host(rt)
        assert other("Config.is_network_access_allowed") is True
        assert other("Config.is_file_access_allowed") is False
    finally:
        rt.close()


def test_config_aliases_point_at_functions(runtime: Runtime) -> None:
    spec = runtime.globals.get("Config")
    assert spec is not None
    for alias, target in spec.aliases.items():
        assert target in spec.functions, alias


# -- State -------------------------------------------------------------------------------------


def test_state_save_load_round_trip(host: Host) -> None:
    value = {"name": "x", "n": 3, "f": 1.5, "list": [1, "two", None, False], "nested": {"a": {}}}
    assert host("State.save", "app", "k", value) is True
    loaded = host("State.load", "app", "k")
    assert loaded == value
    assert isinstance(loaded["n"], int)  # integers stay integers


@pytest.mark.parametrize("value", ["text", 0, -1.25, True, False, [], {}])
def test_state_scalar_values(host: Host, value: Any) -> None:
    host("State.save", "s", "k", value)
    assert host("State.load", "s", "k") == value
    assert type(host("State.load", "s", "k")) is type(value)


def test_state_load_missing(host: Host) -> None:
    assert host("State.load", "s", "missing") is None


def test_state_save_nil_deletes(host: Host) -> None:
    host("State.save", "s", "k", 1)
    assert host("State.save", "s", "k", None) is True
    assert host("State.load", "s", "k") is None
    assert host("State.list_keys", "s") == []
    host("State.save", "s", "k")  # an absent value is nil too
    assert host("State.load", "s", "k") is None


def test_state_delete(host: Host) -> None:
    host("State.save", "s", "k", 1)
    assert host("State.delete", "s", "k") is True
    assert host("State.delete", "s", "k") is False


def test_state_list_keys(host: Host) -> None:
    for k in ("b", "a", "c"):
        host("State.save", "s", k, 1)
    host("State.save", "other", "z", 1)
    assert host("State.list_keys", "s") == ["a", "b", "c"]
    assert host("State.list_keys", "nothing") == []


def test_state_global_shorthands(host: Host) -> None:
    assert host("State.set", "g", {"x": 1}) is True
    assert host("State.get", "g") == {"x": 1}
    assert host("State.load", "global", "g") == {"x": 1}
    host("State.save", "global", "h", 2)
    assert host("State.get", "h") == 2


def test_state_scoped_helpers(host: Host) -> None:
    host("State.agent_set", "a1", "memory", ["hi"])
    host("State.tool_set", "t1", "count", 3)
    assert host("State.agent_get", "a1", "memory") == ["hi"]
    assert host("State.tool_get", "t1", "count") == 3
    assert host("State.load", "agent:a1", "memory") == ["hi"]
    assert host("State.load", "tool:t1", "count") == 3
    assert host("State.agent_get", "a2", "memory") is None
    host("State.save", "workflow:w1", "step1", {"text": "ok"})
    host("State.save", "workflow:w1", "step2", {"text": "ok2"})
    assert host("State.workflow_get", "w1", "step1") == {"text": "ok"}
    assert host("State.workflow_list", "w1") == ["step1", "step2"]
    assert host("State.workflow_list", "w2") == []


def test_state_argument_messages(host: Host) -> None:
    with pytest.raises(ValidationError) as info:
        host("State.save", 1, "k", "v")
    assert str(info.value) == "State.save: argument 1 'scope' must be a string, got number"
    with pytest.raises(
        ValidationError, match=r"State\.load: argument 2 'key' is required, got nil"
    ):
        host("State.load", "s")
    with pytest.raises(ValidationError, match=r"State\.save takes at most 3 argument"):
        host("State.save", "s", "k", 1, 2)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("", "k", 1), "State.save: scope must not be empty"),
        (("s", "", 1), "State.save: key must not be empty"),
    ],
)
def test_state_empty_names(host: Host, args: tuple[Any, ...], fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        host("State.save", *args)


def test_state_set_empty_key(host: Host) -> None:
    with pytest.raises(ValidationError, match=r"State\.set: key must not be empty"):
        host("State.set", "", 1)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (FakeFunction(print), "State.save: value is a function"),
        ({"a": [1, math.nan]}, "State.save: value.a[2] is nan"),
        ({1: "x", "a": 2}, "State.save: value has a non-string key 1"),
    ],
)
def test_state_refuses_non_json(host: Host, value: Any, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        host("State.save", "s", "k", value)
    assert str(info.value).startswith(fragment)
    assert host("State.load", "s", "k") is None  # nothing was stored


def test_state_scoped_set_names_itself(host: Host) -> None:
    with pytest.raises(ValidationError, match=r"State.agent_set: value is a function"):
        host("State.agent_set", "a", "k", FakeFunction(print))


def test_state_value_size_limit(host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state_api, "MAX_VALUE_BYTES", 10)
    with pytest.raises(ValidationError, match="the limit is 10"):
        host("State.save", "s", "k", "a long string value")
    host("State.save", "s", "k", "short")
    assert host("State.load", "s", "k") == "short"


def test_state_persists_across_runtimes(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    overrides = {("state", "backend"): "sqlite", ("state", "path"): str(path)}
    first = make_runtime(overrides)
    try:
        Host(first)("State.save", "app", "counter", {"n": 1})
    finally:
        first.close()
    second = make_runtime(overrides)
    try:
        assert Host(second)("State.load", "app", "counter") == {"n": 1}
    finally:
        second.close()


def test_state_ops_run_on_the_io_thread(host: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    threads: list[str] = []
    backend = host.runtime.state
    original = backend.set

    def spy(scope: str, key: str, value: str) -> None:
        threads.append(threading.current_thread().name)
        original(scope, key, value)

    monkeypatch.setattr(backend, "set", spy)
    host("State.save", "s", "k", 1)
    assert len(threads) == 1
    assert threads[0] != threading.main_thread().name


# -- Tool --------------------------------------------------------------------------------------


def test_tool_execute(host: Host) -> None:
    result = host("Tool.execute", "text-upper", {"text": "abc"})
    assert result["success"] is True
    assert result["result"] == "ABC"
    assert result["text"] == "ABC"
    assert result["metadata"]["tool"] == "text-upper"
    assert result["metadata"]["execution_time_ms"] >= 0


def test_tool_execute_failure_is_a_result(host: Host) -> None:
    result = host("Tool.execute", "always-fails", [])  # an empty Lua table
    assert result["success"] is False
    assert result["error"] == "could not do it"
    assert result["error_kind"] == "ToolError"


def test_tool_execute_unknown(host: Host) -> None:
    with pytest.raises(NotFoundError) as info:
        host("Tool.execute", "text-uper", {"text": "x"})
    assert "did you mean 'text-upper'" in str(info.value)


def test_tool_execute_invalid_params(host: Host) -> None:
    with pytest.raises(ValidationError) as info:
        host("Tool.execute", "text-upper", {"text": 5})
    assert "parameter 'text'" in str(info.value)
    with pytest.raises(ValidationError, match="parameter 'text'"):
        host("Tool.execute", "text-upper")


def test_tool_execute_params_must_be_a_table(host: Host) -> None:
    with pytest.raises(
        ValidationError, match=r"Tool\.execute: argument 2 'params' must be a table"
    ):
        host("Tool.execute", "text-upper", "abc")


def test_tool_list_and_categories(host: Host) -> None:
    listed = host("Tool.list")
    assert [t["name"] for t in listed] == ["always-fails", "text-upper"]
    assert listed[1] == {
        "name": "text-upper",
        "description": "Upper-case text",
        "category": "text",
        "version": "1.0.0",
    }
    assert [t["name"] for t in host("Tool.list", {"category": "text"})] == ["text-upper"]
    assert host("Tool.list", {"category": "none"}) == []
    assert host("Tool.categories") == ["test", "text"]


def test_tool_discover(host: Host) -> None:
    found = host("Tool.discover", {"tag": "case"})
    assert [t["name"] for t in found] == ["text-upper"]
    assert found[0]["tags"] == ["case", "text"]
    assert len(host("Tool.discover")) == 2
    assert host("Tool.discover", {"category": "test", "tag": "case"}) == []


def test_tool_get_exists_schema(host: Host) -> None:
    t = host("Tool.get", "text-upper")
    assert isinstance(t, Tool)
    assert host.session.object_type(t) is TOOL_HANDLE
    fields = TOOL_HANDLE.fields(t)
    assert fields["name"] == "text-upper"
    assert fields["schema"]["required"] == ["text"]
    assert host("Tool.get", "nope") is None
    assert host("Tool.exists", "text-upper") is True
    assert host("Tool.exists", "nope") is False
    assert host("Tool.schema", "text-upper")["properties"]["text"] == {"type": "string"}
    with pytest.raises(NotFoundError):
        host("Tool.schema", "nope")


def test_tool_handle_execute(host: Host) -> None:
    t = host("Tool.get", "text-upper")
    result = host.method(t, "execute", {"text": "q"})
    assert result["success"] is True
    assert result["result"] == "Q"
    with pytest.raises(ValidationError):
        host.method(t, "execute", {})


def test_tool_register_from_script(host: Host) -> None:
    handler = FakeFunction(lambda params: f"hello {params['who']}")
    ok = host(
        "Tool.register",
        {
            "name": "greeter",
            "description": "Greets",
            "parameters": {
                "type": "object",
                "properties": {"who": {"type": "string"}},
                "required": ["who"],
            },
            "handler": handler,
            "tags": ["fun"],
        },
    )
    assert ok is True
    tool = host.runtime.tools.get("greeter")
    assert tool.source == "script"
    assert tool.category == "custom"
    assert tool.tags == ("fun",)
    result = host("Tool.execute", "greeter", {"who": "spell"})
    assert result["success"] is True
    assert result["result"] == "hello spell"
    assert result["text"] == "hello spell"
    assert handler.calls == [({"who": "spell"},)]
    # the params are validated before the handler runs
    with pytest.raises(ValidationError, match="parameter 'who'"):
        host("Tool.execute", "greeter", {})
    assert len(handler.calls) == 1


def test_tool_register_handler_error_is_success_false(host: Host) -> None:
    def raise_tool_error(params: dict[str, Any]) -> Any:
        raise ToolError("nope from the script")

    host("Tool.register", {"name": "bad", "handler": FakeFunction(raise_tool_error)})
    result = host("Tool.execute", "bad", {})
    assert result["success"] is False
    assert result["error"] == "nope from the script"
    assert result["error_kind"] == "ToolError"


def test_tool_register_script_error_keeps_its_kind(host: Host) -> None:
    class Oops(LLMSpellError):
        kind = "ScriptError"

    def raise_script_error(params: dict[str, Any]) -> Any:
        raise Oops("attempt to index a nil value")

    host("Tool.register", {"name": "oops", "handler": FakeFunction(raise_script_error)})
    result = host("Tool.execute", "oops", {})
    assert result["success"] is False
    assert result["error_kind"] == "ScriptError"
    assert "nil value" in result["error"]


def test_tool_register_may_replace_a_script_tool(host: Host) -> None:
    host("Tool.register", {"name": "t", "handler": FakeFunction(lambda p: 1)})
    host("Tool.register", {"name": "t", "handler": FakeFunction(lambda p: 2)})
    assert host("Tool.execute", "t", {})["result"] == 2


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ({"handler": "fn"}, "'name' must be a non-empty string"),
        ({"name": "", "handler": "fn"}, "'name' must be a non-empty string"),
        ({"name": "x"}, "'handler' must be a function"),
        ({"name": "x", "handler": "not a function"}, "'handler' must be a function"),
        (
            {"name": "x", "handler": "fn", "parameters": "schema"},
            "'parameters' must be a JSON schema",
        ),
        (
            {"name": "x", "handler": "fn", "parameters": {"type": "strnig"}},
            "is not a valid JSON schema",
        ),
        ({"name": "text-upper", "handler": "fn"}, "a built-in tool is already called 'text-upper'"),
    ],
)
def test_tool_register_refuses_bad_specs(host: Host, spec: dict[str, Any], fragment: str) -> None:
    spec = {k: (FakeFunction(lambda p: p) if v == "fn" else v) for k, v in spec.items()}
    with pytest.raises(ValidationError) as info:
        host("Tool.register", spec)
    assert str(info.value).startswith("Tool.register: ")
    assert fragment in str(info.value)
    assert host.runtime.tools.get("text-upper").source == "builtin"


def test_script_tools_are_removed_after_the_run(runtime: Runtime) -> None:
    class RegisteringEngine(ScriptEngine):
        name = "reg"

        async def run(self, source: str, chunk_name: str) -> Any:
            spec = self.session.runtime.globals.get("Tool")
            assert spec is not None
            self.session.call(
                spec.functions["register"], [{"name": "temp", "handler": FakeFunction(str)}]
            )
            return self.session.runtime.tools.exists("temp")

    runtime.engines.register(RegisteringEngine)
    assert runtime.run_sync("", engine="reg").value is True
    assert not runtime.tools.exists("temp")
    assert runtime.tools.exists("text-upper")


def test_tool_register_rejects_unknown_keys_and_reads_camel_case(runtime: Runtime) -> None:
    from llmspell.api.tool_api import _register_spec

    assert _register_spec({"name": "t", "timeoutSeconds": 5}) == {"name": "t", "timeout_seconds": 5}
    with pytest.raises(
        ValidationError, match="unknown key 'descripton'; did you mean 'description'"
    ):
        _register_spec({"name": "t", "descripton": "x"})


def test_dump_names_host_objects_by_type() -> None:
    from llmspell.api.debug_api import Timer
    from llmspell.values import dump_value

    assert dump_value({"t": Timer("x")}) == "{\n  t: <Timer>\n}"
