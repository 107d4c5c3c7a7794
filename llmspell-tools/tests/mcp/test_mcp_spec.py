"""Server specs ([mcp.servers.NAME], MCP.connect tables) and the tool naming scheme."""

from __future__ import annotations

import re

import pytest

from llmspell.errors import ConfigurationError, ValidationError
from llmspell_tools.mcp.spec import (
    check_name,
    parse_spec,
    server_table_problems,
    split_tool_name,
    tool_names,
)

PROVIDER_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def test_stdio_and_http_specs() -> None:
    s = parse_spec("time", {"command": "mcp-server-time", "args": ["--x", 1], "env": {"A": "b"}})
    assert (s.transport, s.args, s.env) == ("stdio", ("--x", "1"), {"A": "b"})
    h = parse_spec("web", {"url": "http://127.0.0.1:9/mcp", "headers": {"X-Key": "k"}})
    assert (h.transport, h.headers, h.timeout_seconds) == ("http", {"X-Key": "k"}, 60.0)
    assert "k" not in h.describe()  # header values never shown


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        ({}, "exactly one of 'command'"),
        ({"command": "x", "url": "http://a/mcp"}, "exactly one of 'command'"),
        ({"command": ""}, "non-empty string"),
        ({"url": "ftp://a"}, "http(s) URL"),
        ({"command": "x", "args": "a b"}, "list of strings"),
        ({"command": "x", "env": {"A": ["b"]}}, "entry 'A'"),
        ({"command": "x", "headers": {"a": "b"}}, "'url' servers only"),
        ({"url": "http://a/mcp", "args": []}, "'command' servers only"),
        ({"command": "x", "timeout_seconds": 0}, "positive number"),
        ({"command": "x", "max_output_bytes": 1.5}, "positive integer"),
        ({"command": "x", "comand": "y"}, "did you mean 'command'"),
        ({"command": "x", "samplng": True}, "did you mean 'sampling'"),
        ({"command": "x", "sampling": 1}, "\"provider/model\" string"),
        ({"command": "x", "sampling": "  "}, "\"provider/model\" string"),
        ({"command": "x", "sampling": "a b"}, "\"provider/model\" string"),
        ({"command": "x", "sampling_max_tokens": 0}, "positive integer"),
        ({"command": "x", "sampling_max_tokens": 2_000_000}, "at most 1000000"),
    ],
)
def test_bad_config_tables_are_configuration_errors(table: dict, needle: str) -> None:
    with pytest.raises(ConfigurationError) as err:
        parse_spec("srv", table)
    assert needle in str(err.value)
    assert "[mcp.servers.srv]" in str(err.value)


def test_a_spells_spec_is_a_validation_error_and_never_expands_env(monkeypatch) -> None:
    monkeypatch.setenv("H6_SECRET", "s3cret")
    with pytest.raises(ValidationError):
        parse_spec("srv", {"command": 1}, origin="spell")
    spell = parse_spec("srv", {"command": "x", "env": {"T": "${H6_SECRET}"}}, origin="spell")
    assert spell.env == {"T": "${H6_SECRET}"}
    config = parse_spec("srv", {"command": "x", "env": {"T": "${H6_SECRET}"}})
    assert config.env == {"T": "s3cret"}
    with pytest.raises(ConfigurationError, match="H6_UNSET_VAR is not set"):
        parse_spec("srv", {"url": "http://a/mcp", "headers": {"A": "Bearer ${H6_UNSET_VAR}"}})


@pytest.mark.parametrize("name", ["", "a__b", "-a", "a-", "a b", "ä", "x" * 33, 3])
def test_bad_server_names(name: object) -> None:
    with pytest.raises(ConfigurationError, match="MCP server name"):
        check_name(name)


def test_tool_names_fit_every_provider_and_stay_unique() -> None:
    names = tool_names(
        "srv",
        ["get_time", "files/read", "files.read", "a" * 80, "a" * 81, "ok-name", "日本"],
    )
    assert len(names) == 7
    assert all(PROVIDER_NAME.match(n) for n in names)
    assert names["srv__get_time"] == "get_time"
    assert names["srv__ok-name"] == "ok-name"
    assert "srv__files_read" in names  # the first of the two; the second gets a hash
    assert sorted(names.values()) == sorted(
        ["get_time", "files/read", "files.read", "a" * 80, "a" * 81, "ok-name", "日本"]
    )
    assert split_tool_name("srv__get_time") == ("srv", "get_time")
    assert split_tool_name("my-srv__x__y") == ("my-srv", "x__y")
    assert split_tool_name("calculator") is None
    assert split_tool_name("__x") is None


def test_sampling_is_off_unless_asked() -> None:
    assert parse_spec("s", {"command": "x"}).sampling is None
    assert parse_spec("s", {"command": "x", "sampling": False}).sampling is None
    assert parse_spec("s", {"command": "x", "sampling": True}).sampling == ""
    on = parse_spec("s", {"command": "x", "sampling": "openai/gpt-4o-mini"})
    assert (on.sampling, on.sampling_max_tokens) == ("openai/gpt-4o-mini", 1024)
    capped = parse_spec("s", {"url": "http://a/mcp", "sampling": True, "sampling_max_tokens": 9})
    assert capped.sampling_max_tokens == 9


def test_server_table_problems_lists_each_bad_table() -> None:
    problems = server_table_problems(
        {
            "ok": {"command": "x", "sampling": "openai/gpt-4o-mini"},
            "typo": {"command": "x", "sampling_max_token": 5},
            "bad": {"url": "http://a/mcp", "sampling": 3},
        }
    )
    assert len(problems) == 2
    assert "[mcp.servers.typo]" in problems[0]
    assert "did you mean 'sampling_max_tokens'" in problems[0]
    assert "[mcp.servers.bad].sampling" in problems[1]
