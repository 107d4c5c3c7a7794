"""The llmspell Jupyter kernel's inspection (Shift-Tab help) and history requests,
through jupyter_client against kernels started from specs that ``llmspell kernel
install`` wrote: help from the op table in each engine's spelling, a tool's ``tool
info`` text, an agent's configuration with its secret redacted, ``found: false`` for
what has no help; ``tail``, ``range`` and ``search`` over the cells the kernel ran."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.kernel_support import KernelSession, install_spec, jupyter_env

CONFIG = """
[agents.writer]
model = "gpt-4o-mini"
provider = "openai"
system_prompt = "You write short poems."
api_key = "sk-kernel-inspect-secret"
"""


@pytest.fixture(scope="module")
def jupyter_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    prefix = tmp_path_factory.mktemp("jupyter-prefix")
    config = prefix / "llmspell.toml"
    config.write_text(CONFIG, encoding="utf-8")
    install_spec(prefix, "lua", "llmspell-inspect-lua", "--config", str(config))
    data = install_spec(prefix, "js", "llmspell-inspect-js")
    with jupyter_env(data):
        yield data


@pytest.fixture(scope="module")
def lua(jupyter_dir: Path) -> Iterator[KernelSession]:
    k = KernelSession("llmspell-inspect-lua")
    yield k
    k.close()


@pytest.fixture(scope="module")
def js(jupyter_dir: Path) -> Iterator[KernelSession]:
    k = KernelSession("llmspell-inspect-js")
    yield k
    k.close()


def inspect(k: KernelSession, code: str, pos: int | None = None, detail: int = 0) -> Any:
    """The ``inspect_reply`` content for the cursor at ``pos`` (the end when None)."""
    msg_id = k.kc.inspect(code, len(code) if pos is None else pos, detail)
    return k.reply(msg_id)["content"]


def history(k: KernelSession, **kwargs: Any) -> list[Any]:
    """The ``history`` of a ``history_reply``."""
    msg_id = k.kc.history(**kwargs)
    content = k.reply(msg_id)["content"]
    assert content["status"] == "ok"
    return list(content["history"])


def test_a_function_of_a_global_in_lua(lua: KernelSession) -> None:
    reply = inspect(lua, "State.save", 8)
    assert reply["status"] == "ok" and reply["found"] is True
    text = reply["data"]["text/plain"]
    assert text.startswith("State.save(scope, key, value?)\n")
    assert "saving nil deletes" in text  # the op's own docstring
    assert "Parameters" not in text  # detail 0: signature and doc
    assert "```\nState.save(scope, key, value?)\n```" in reply["data"]["text/markdown"]
    text = inspect(lua, "State.save", 8, detail=1)["data"]["text/plain"]
    assert "scope  string, required" in text and "value  any, optional" in text


def test_a_function_in_javascript_is_camel_case_and_awaited(js: KernelSession) -> None:
    reply = inspect(js, "const keys = await State.listKeys(", 28)
    assert reply["found"] is True
    text = reply["data"]["text/plain"]
    assert text.startswith("await State.listKeys(scope)\n")
    # inside the call's parentheses: the function being called
    reply = inspect(js, 'await State.save("notes", ')
    assert reply["data"]["text/plain"].startswith("await State.save(scope, key, value?)")
    assert "State.save" in inspect(js, "State.save", 3)["data"]["text/plain"]


def test_a_global_lists_its_functions_and_objects(lua: KernelSession, js: KernelSession) -> None:
    text = inspect(lua, "Agent")["data"]["text/plain"]
    assert text.startswith("Agent\nLLM agents.")
    assert "Agent.get_info" in text and "Agent.builder()" in text
    assert "agent:execute" in text  # the methods of the objects Agent returns
    text = inspect(js, "Agent")["data"]["text/plain"]
    assert "Agent.getInfo" in text and "agent.execute" in text


def test_a_method_of_a_host_object(lua: KernelSession, js: KernelSession) -> None:
    reply = inspect(lua, "local answer = writer:execute", 25)
    assert reply["found"] is True
    text = reply["data"]["text/plain"]
    assert text.startswith("agent:execute(input)\n")  # Agent first: "writer" names none
    assert "keeps the conversation" in text
    text = inspect(js, "await writer.hasTool(")["data"]["text/plain"]
    assert text.startswith("await agent.hasTool(name)\n")


def test_a_tool_name_in_a_string_shows_its_tool_info(
    lua: KernelSession, js: KernelSession
) -> None:
    reply = inspect(lua, 'Tool.execute("calculator", {input = "1 + 2"})', 18)
    assert reply["found"] is True
    text = reply["data"]["text/plain"]
    assert text.startswith("calculator (utility, v")
    assert "parameters:" in text and "input (string" in text
    assert 'Tool.execute("calculator", {input = "1 + 2"})' in text  # its example call
    assert "calculator (utility" in inspect(js, "await Tool.execute('calculator'")[
        "data"
    ]["text/plain"]
    # an unknown tool: the function being called instead
    text = inspect(lua, 'Tool.execute("no_such_tool"')["data"]["text/plain"]
    assert text.startswith("Tool.execute(")


def test_a_config_agent_without_its_secret(lua: KernelSession) -> None:
    reply = inspect(lua, 'local w = Agent.get("writer")', 23)
    assert reply["found"] is True
    text = reply["data"]["text/plain"]
    assert "[agents.writer] in the configuration" in text
    assert "You write short poems." in text
    assert "sk-kernel-inspect-secret" not in text + reply["data"]["text/markdown"]
    # an agent nobody made or configured: the function being called
    text = inspect(lua, 'Agent.get("nobody"')["data"]["text/plain"]
    assert text.startswith("Agent.get(name)\nThe agent called `name`, or nil.")


def test_javascript_help_says_null(js: KernelSession) -> None:
    text = inspect(js, "Agent.get")["data"]["text/plain"]
    assert text.startswith("await Agent.get(name)\nThe agent called `name`, or null.")


@pytest.mark.parametrize(
    ("engine", "code"),
    [
        ("lua", "no_such_name"),
        ("lua", "State.no_such_function"),
        ("lua", "x:no_such_method"),
        ("lua", "local"),
        ("lua", ""),
        ("js", "JSON.parse"),  # JavaScript's own JSON, not the op table's
        ("js", "State.list_keys_nope"),
    ],
)
def test_what_has_no_help_is_not_found(
    lua: KernelSession, js: KernelSession, engine: str, code: str
) -> None:
    reply = inspect(lua if engine == "lua" else js, code)
    assert reply == {"status": "ok", "found": False, "data": {}, "metadata": {}}


def test_help_name_as_a_cell(lua: KernelSession) -> None:
    cell = lua.execute(".help State.get")
    assert cell.status == "ok"
    assert cell.stream("stdout").startswith("State.get(key)\n")
    cell = lua.execute(".help Nope")
    assert cell.reply["content"]["ename"] == "NotFoundError"
    assert "no help for 'Nope'" in cell.reply["content"]["evalue"]
    assert ".help NAME" in lua.execute(".help").stream("stdout")


def test_history_tail_range_and_search(jupyter_dir: Path) -> None:
    k = KernelSession("llmspell-inspect-js")  # a fresh kernel: the cells are known
    try:
        cells = ["let n = 6", "n * 7", "error_here(", "n + 1", "n * 7"]
        counts = [k.execute(c).reply["content"]["execution_count"] for c in cells]
        k.collect(k.kc.execute("n * 100", silent=True))  # silent: not history
        k.collect(k.kc.execute("n * 2", store_history=False))  # asked not to be kept
        tail = history(k, hist_access_type="tail", n=3, output=False, raw=True)
        assert [h[2] for h in tail] == ["error_here(", "n + 1", "n * 7"]
        session = tail[0][0]
        assert [h[1] for h in tail] == counts[2:]
        assert all(h[0] == session for h in tail)
        # with output: (input, text result); an error or a statement has none
        tail = history(k, hist_access_type="tail", n=5, output=True, raw=True)
        assert [h[2] for h in tail] == [
            ["let n = 6", None], ["n * 7", "42"], ["error_here(", None], ["n + 1", "7"],
            ["n * 7", "42"],
        ]  # fmt: skip
        got = history(
            k, hist_access_type="range", session=session, start=counts[1], stop=counts[3],
            output=False, raw=True,
        )  # fmt: skip
        assert [(h[1], h[2]) for h in got] == [(counts[1], "n * 7"), (counts[2], "error_here(")]
        got = history(k, hist_access_type="range", session=0, start=counts[3], output=False)
        assert [h[2] for h in got] == ["n + 1", "n * 7"]
        assert history(k, hist_access_type="range", session=7, start=1, output=False) == []
        got = history(k, hist_access_type="search", pattern="n ?*", output=False, raw=True)
        assert [h[2] for h in got] == ["n * 7", "n + 1", "n * 7"]
        got = history(k, hist_access_type="search", pattern="n ?*", unique=True, output=False)
        assert [h[2] for h in got] == ["n + 1", "n * 7"]
        got = history(k, hist_access_type="search", pattern="n*", n=1, output=False)
        assert [h[2] for h in got] == ["n * 7"]
        assert history(k, hist_access_type="search", pattern="N*", output=False) == []
    finally:
        k.close()
