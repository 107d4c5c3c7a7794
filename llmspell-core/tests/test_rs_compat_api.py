"""rs-llmspell's Agent, Provider, Debug and Config extras (issue 14), called through the
op table the way engines call them, with a scripted provider registered as a plugin."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

import llmspell
from llmspell.api.agent_compat import register_fields, split_compat
from llmspell.api.debug_state import MAX_ENTRIES
from llmspell.config import load_settings
from llmspell.errors import LimitExceeded, SecurityError, ValidationError
from llmspell.llm import ChatProvider, ChatRequest, ChatResponse, Usage
from llmspell.plugins import PluginLoader
from llmspell.provider_resolution import list_providers
from llmspell.runtime import Output, Runtime
from llmspell.testing import OpHost
from llmspell.tools import Tool


class Echo(ChatProvider):
    """Answers with the request's last message; counts tokens."""

    async def chat(self, request: ChatRequest) -> ChatResponse:
        return ChatResponse(f"echo: {request.messages[-1].content}", usage=Usage(3, 2))

    async def stream(self, request: ChatRequest) -> AsyncIterator[str | ChatResponse]:
        yield await self.chat(request)


def _upper(params: dict[str, Any], ctx: Any) -> Any:
    return params["text"].upper()


class Providers:
    @llmspell.hookimpl
    def register_tools(self, register: Any) -> None:
        register(
            Tool(
                name="text-upper",
                description="Upper-case text",
                handler=_upper,
                parameters={"type": "object", "properties": {"text": {"type": "string"}}},
                category="text",
            )
        )

    @llmspell.hookimpl
    def register_providers(self, register: Any) -> None:
        register(Echo, name="echo", provider_type="echo", default_model="e1")
        register(Echo, name="keyed", provider_type="echo", api_key_env="RS_KEYED_KEY")
        register(Echo, name="lonely", provider_type="echo", api_key_env="RS_LONELY_KEY")


def make_host(providers: dict[str, Any] | None = None, default: str | None = "echo") -> OpHost:
    overrides: dict[tuple[str, ...], Any] = {("state", "backend"): "memory"}
    if providers:
        overrides[("providers",)] = providers
    if default:
        overrides[("default_provider",)] = default
    settings = load_settings(environ={}, use_files=False, overrides=overrides)
    loader = PluginLoader(autoload=False, environ={})
    loader.register(Providers(), name="rs-providers")
    rt = Runtime(settings, loader=loader, output=Output(io.StringIO(), io.StringIO()))
    return OpHost(rt)


@pytest.fixture
def host(monkeypatch: pytest.MonkeyPatch) -> OpHost:
    monkeypatch.delenv("RS_KEYED_KEY", raising=False)
    monkeypatch.delenv("RS_LONELY_KEY", raising=False)
    return make_host()


# -- agents ---------------------------------------------------------------------------------


def test_split_compat_maps_rs_fields_onto_ours() -> None:
    rest, compat = split_compat(
        {
            "model": "echo/e1",
            "type": "conversational",
            "resource_limits": {"max_execution_time_secs": 30, "max_tool_calls": 4.0,
                                "max_memory_mb": 128, "max_recursion_depth": 3},
            "custom_config": {"system_prompt": "terse", "max_conversation_length": 6, "x": 1},
        }
    )  # fmt: skip
    assert rest == {
        "model": "echo/e1",
        "system_prompt": "terse",
        "max_conversation_length": 6,
        "timeout": 30,
        "max_tool_calls": 4,
    }
    assert compat.agent_type == "conversational"
    assert compat.resource_limits["max_memory_mb"] == 128
    assert compat.custom_config == {"system_prompt": "terse", "max_conversation_length": 6, "x": 1}
    # our own fields win over theirs
    rest, _ = split_compat(
        {"timeout": 5, "system_prompt": "mine", "resourceLimits": {"maxExecutionTimeSecs": 9},
         "customConfig": {"system_prompt": "theirs"}}
    )  # fmt: skip
    assert rest == {"timeout": 5, "system_prompt": "mine"}


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"resource_limits": {"max_tool_call": 1}}, "did you mean 'max_tool_calls'"),
        ({"resource_limits": {"max_tool_calls": 0}}, "positive integer"),
        ({"resource_limits": {"max_tool_calls": 2.5}}, "must be an integer"),
        ({"resource_limits": {"max_execution_time_secs": float("inf")}}, "positive number"),
        ({"resource_limits": {"max_tool_calls": 10**9}}, "up to 1000"),
        ({"resource_limits": "fast"}, "must be a table"),
        ({"custom_config": "x"}, "custom_config must be a table"),
        ({"type": ""}, "non-empty string"),
        ({"max_memory_mb": True}, "positive integer"),
    ],
)
def test_split_compat_rejects_bad_values(table: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        split_compat(table)


def test_register_fields_reads_rs_model_tables() -> None:
    fields = register_fields(
        {"name": "a", "model": {"provider": "echo", "model_id": "e2", "temperature": 0.3,
                                "max_tokens": 50, "settings": {}}}
    )  # fmt: skip
    assert fields == {"name": "a", "model": "echo/e2", "temperature": 0.3, "max_tokens": 50}
    with pytest.raises(ValidationError, match="model_id"):
        register_fields({"name": "a", "model": {"provider": "echo"}})
    with pytest.raises(ValidationError, match="unknown model field"):
        register_fields({"name": "a", "model": {"model_id": "x", "colour": "red"}})
    with pytest.raises(ValidationError, match="name is required"):
        register_fields({"model": "echo/e1"})


def test_limits_apply_and_config_reads_back(host: OpHost) -> None:
    agent = host(
        "Agent.create",
        {"name": "w", "model": "echo/e1", "type": "llm", "api_key": "sk-own-key",
         "resource_limits": {"max_execution_time_secs": 12, "max_tool_calls": 2,
                             "max_memory_mb": 64, "max_recursion_depth": 3},
         "custom_config": {"system_prompt": "You are terse.", "tag": "x"}},
    )  # fmt: skip
    assert agent.spec.timeout_seconds == 12 and agent.spec.max_tool_calls == 2
    config = host.method(agent, "get_config")
    assert config["resource_limits"] == {
        "max_execution_time_secs": 12,
        "max_tool_calls": 2,
        "max_memory_mb": 64,
        "max_recursion_depth": 3,
    }
    assert config["system_prompt"] == "You are terse." and config["custom_config"]["tag"] == "x"
    assert config["type"] == "llm" and config["model"] == "echo/e1"
    assert "sk-own-key" not in json.dumps(config)


def test_invoke_counts_metrics(host: OpHost) -> None:
    agent = host("Agent.create", {"name": "m", "model": "echo/e1"})
    assert host.method(agent, "invoke", {"text": "hi", "temperature": 1})["text"] == "echo: hi"
    assert host.method(agent, "execute", "again")["text"] == "echo: again"
    with pytest.raises(ValidationError):
        host.method(agent, "invoke", {"text": 5})
    metrics = host.method(agent, "get_metrics")
    assert metrics["agent_id"] == "m"
    assert (metrics["requests_total"], metrics["requests_failed"]) == (3, 1)
    assert metrics["total_tokens"] == 10
    assert host.method(agent, "get_state") == "ready"


def test_register_get_info_discovery_and_wrapping(host: OpHost) -> None:
    name = host(
        "Agent.register",
        {"name": "analyst", "agent_type": "llm", "model": {"provider": "echo", "model_id": "e1"},
         "allowed_tools": [], "custom_config": {"system_prompt": "analyse"}},
    )  # fmt: skip
    assert name == "analyst"
    info = host("Agent.get_info", "analyst")
    assert info["name"] == "analyst" and info["provider"] == "echo"
    assert host("Agent.get_info", "llm")["required_parameters"] == ["model"]
    assert host("Agent.get_info", "nobody") is None
    assert host("Agent.discover")[0]["type"] == "llm"
    assert "analyst" in host("Agent.list_capabilities")
    assert [a["name"] for a in host("Agent.discover_by_capability", "text_generation")] == [
        "analyst"
    ]
    assert host("Agent.discover_by_capability", "tool_use") == []
    assert host("Agent.wrap_as_tool", "analyst", {"name": "ask-analyst"}) == "ask-analyst"
    assert host.runtime.tools.exists("ask-analyst")
    with pytest.raises(ValidationError, match="no agent is called"):
        host("Agent.wrap_as_tool", "ghost")
    with pytest.raises(ValidationError, match="an agent or its name"):
        host("Agent.wrap_as_tool", 42)


# -- providers ------------------------------------------------------------------------------


def test_provider_list_is_what_is_usable_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RS_LONELY_KEY", raising=False)
    monkeypatch.setenv("RS_KEYED_KEY", "sk-keyed-secret")
    host = make_host({"custom": {"base_url": "http://127.0.0.1:9/v1"},
                      "off": {"base_url": "http://127.0.0.1:9/v1", "enabled": False}})  # fmt: skip
    names = [p["name"] for p in host("Provider.list")]
    # the default provider, a preset whose key is set, a configured table; not "lonely"
    # (no key) and not "off" (disabled)
    assert names == ["custom", "echo", "keyed"]
    every = {p["name"]: p for p in host("Provider.list", {"all": True})}
    assert set(every) == {"custom", "echo", "keyed", "lonely", "off"}
    assert every["lonely"]["available"] is False and "RS_LONELY_KEY" in every["lonely"]["reason"]
    assert every["off"]["enabled"] is False
    assert every["keyed"]["key_env"] == "RS_KEYED_KEY" and every["keyed"]["key_found"] is True
    assert every["custom"]["local"] is True and every["custom"]["source"] == "config"
    assert every["echo"]["capabilities"]["available_models"] == ["e1"]
    text = json.dumps([every, host("Provider.get", "keyed"), host("Config.get_provider", "keyed")])
    assert "sk-keyed-secret" not in text
    assert host("Provider.get_capabilities", "echo")["supports_streaming"] is True
    assert host("Provider.getCapabilities", "nowhere") is None
    with pytest.raises(ValidationError, match="unknown option"):
        host("Provider.list", {"everything": True})
    with pytest.raises(ValidationError, match="must be a boolean"):
        host("Provider.list", {"all": "yes"})
    assert list_providers(host.runtime) == list_providers(host.runtime, all=False)


def test_provider_list_without_config_or_keys_is_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RS_KEYED_KEY", raising=False)
    monkeypatch.delenv("RS_LONELY_KEY", raising=False)
    assert make_host(default=None)("Provider.list") == []


# -- debug ----------------------------------------------------------------------------------


def test_debug_level_switch_and_filters(host: OpHost) -> None:
    err = host.runtime.output.stderr
    assert host("Debug.getLevel") == "warn"
    host("Debug.info", "hidden")
    assert host("Debug.setLevel", "INFO") is True
    host("Debug.info", "shown", "app.db")
    host("Debug.addModuleFilter", "app.db", False)
    host("Debug.info", "hidden child", "app.db.pool")
    host("Debug.add_advanced_filter", "^app\\.x", "regex", False)
    host("Debug.info", "hidden x", "app.xyz")
    host("Debug.addAdvancedFilter", "app.*", "wildcard", True)
    host("Debug.info", "shown again", "app.db")  # the latest matching rule decides
    summary = host("Debug.getFilterSummary")
    assert summary["total_rules"] == 3 and summary["rules"][1]["pattern_type"] == "regex"
    assert host("Debug.removeModuleFilter", "app.*") is True
    assert host("Debug.removeModuleFilter", "app.*") is False
    host("Debug.setDefaultFilterEnabled", False)
    host("Debug.info", "hidden other", "other")
    host("Debug.info", "no module is shown")
    host("Debug.setEnabled", False)
    host("Debug.error", "hidden when off")
    assert host("Debug.isEnabled") is False
    text = err.getvalue()
    assert "[INFO] [app.db] shown" in text and "shown again" in text
    assert "no module is shown" in text and "hidden" not in text
    with pytest.raises(ValidationError, match="unknown level 'loud'"):
        host("Debug.setLevel", "loud")
    with pytest.raises(ValidationError, match="unknown pattern type"):
        host("Debug.addAdvancedFilter", "x", "glob", True)
    with pytest.raises(ValidationError, match="invalid regex"):
        host("Debug.addAdvancedFilter", "(", "regex", True)


def test_debug_captured_entries_are_bounded(host: OpHost) -> None:
    host("Debug.setLevel", "trace")
    for i in range(MAX_ENTRIES + 5):
        host("Debug.trace", f"m{i}")
    entries = host("Debug.getCapturedEntries")
    assert len(entries) == MAX_ENTRIES and entries[-1]["message"] == f"m{MAX_ENTRIES + 4}"
    assert [e["message"] for e in host("Debug.getCapturedEntries", 2)] == [
        f"m{MAX_ENTRIES + 3}",
        f"m{MAX_ENTRIES + 4}",
    ]
    assert host("Debug.getCapturedEntries", 0) == []
    host("Debug.clearCaptured")
    big = "x" * (400 * 1024)
    for _ in range(5):
        host("Debug.logWithData", "info", big, {"n": 1}, "mod")
    kept = host("Debug.getCapturedEntries")
    assert len(kept) == 2 and kept[0]["metadata"] == {"n": 1} and kept[0]["module"] == "mod"
    with pytest.raises(ValidationError, match="limit must be 0 or more"):
        host("Debug.getCapturedEntries", -1)


def test_debug_filter_count_is_bounded(host: OpHost) -> None:
    for i in range(100):
        host("Debug.addModuleFilter", f"m{i}", True)
    with pytest.raises(LimitExceeded, match="at most 100 Debug filters"):
        host("Debug.addModuleFilter", "one-more", True)


def test_debug_timers_reports_and_dumps(host: OpHost) -> None:
    timer = host("Debug.timer", "work")
    assert timer.id == "work-1"
    assert isinstance(host.method(timer, "lap", "phase one"), float)
    assert host("Debug.recordEvent", timer.id, "checkpoint", {"n": 1}) is True
    assert host("Debug.recordEvent", "nope", "checkpoint") is False
    host.method(timer, "stop")
    report = json.loads(host("Debug.jsonReport"))
    assert report["timers"][0]["laps"][0]["name"] == "phase one"
    assert report["timers"][0]["events"][0]["metadata"] == {"n": 1}
    assert "work:" in host("Debug.performanceReport")
    assert host("Debug.dumpCompact", {"b": [1, 2], "a": "x"}, "v") == 'v: { a: "x", b: [ 1, 2 ] }'
    assert host("Debug.dump", 1, "n") == "n: 1"
    shown = host(
        "Debug.dumpWithOptions",
        {"s": "abcdef", "l": [1, 2, 3], "d": {"e": {"f": 1}}},
        {"max_string_length": 2, "max_array_elements": 1, "max_depth": 1, "compact_mode": True},
    )
    assert shown == '{ d: "{...}", l: "[...]", s: "ab..." }'
    with pytest.raises(ValidationError, match="max_depth must be an integer"):
        host("Debug.dumpWithOptions", 1, {"max_depth": -1})


# -- config ---------------------------------------------------------------------------------


def test_config_helpers_read_and_refuse_writes(host: OpHost) -> None:
    assert host("Config.getDefaultEngine") == "lua"
    assert host("Config.get_section", "security") == host("Config.getSecurity")
    assert host("Config.getSection", "nothing") is None
    assert isinstance(host("Config.getTools"), dict)
    assert "echo" in host("Config.listProviders")
    assert host("Config.getProvider", "nowhere") is None
    permissions = host("Config.getPermissions")
    assert permissions["network_access"] is False and permissions["process_spawn"] is False
    assert json.loads(host("Config.toJson")) == host("Config.snapshot")
    for writer, args in (
        ("addAllowedPath", ("/etc",)),
        ("setProvider", ("x", {})),
        ("setSecurity", ({"allow_network": True},)),
        ("restoreSnapshot", ({},)),
    ):
        with pytest.raises(SecurityError, match="cannot change the configuration"):
            host(f"Config.{writer}", *args)
    assert host.runtime.settings.security.allow_network is False


def test_debug_regex_filters_are_time_bounded(host: OpHost) -> None:
    import time

    host("Debug.addAdvancedFilter", "^(a+)+$", "regex", False)
    started = time.monotonic()
    try:
        host("Debug.error", "x", "a" * 40 + "b")
    except LimitExceeded as exc:
        assert "took longer" in exc.message
    assert time.monotonic() - started < 5


def test_agent_tool_methods_use_only_its_tools(host: OpHost) -> None:
    agent = host("Agent.create", {"model": "echo/e1", "allowed_tools": ["text-upper"]})
    result = host.method(agent, "invoke_tool", "text-upper", {"text": "hi"})
    assert result["success"] is True and result["result"] == "HI"
    with pytest.raises(ValidationError, match="is not of type 'string'"):  # as Tool.execute
        host.method(agent, "invokeTool", "text-upper", {"text": 5})
    with pytest.raises(ValidationError, match="may not call tool 'calculator'"):
        host.method(agent, "invoke_tool", "calculator", {})
    assert host.method(agent, "has_tool", "text-upper") is True
    assert host.method(agent, "discover_tools") == ["text-upper"]
    meta = host.method(agent, "get_tool_metadata", "text-upper")
    assert meta["category"] == "text" and meta["parameters"]["type"] == "object"
    assert host.method(agent, "get_tool_metadata", "calculator") is None
    assert list(host.method(agent, "get_all_tool_metadata")) == ["text-upper"]
