"""The llmspell Jupyter kernel through jupyter_client, as Jupyter drives it: installed
with ``llmspell kernel install``, started from its kernel spec, cells run with the
REPL's persistence; output streamed while a cell runs; values as ``execute_result``
(tables also as JSON); errors with the llmspell kind; completion and completeness from
the REPL; an interrupt stops a busy cell and the kernel goes on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.e2e.kernel_support import KernelSession, install_spec, jupyter_env
from tests.e2e.scripted_openai import Reply, ScriptedOpenAI


@pytest.fixture(scope="module")
def jupyter_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    prefix = tmp_path_factory.mktemp("jupyter-prefix")
    install_spec(prefix, "lua", "llmspell-test-lua")
    data = install_spec(prefix, "js", "llmspell-test-js")
    with jupyter_env(data):
        yield data


@pytest.fixture(scope="module")
def lua(jupyter_dir: Path) -> Iterator[KernelSession]:
    k = KernelSession("llmspell-test-lua")
    yield k
    k.close()


@pytest.fixture(scope="module")
def js(jupyter_dir: Path) -> Iterator[KernelSession]:
    k = KernelSession("llmspell-test-js")
    yield k
    k.close()


def test_kernel_info_names_the_language(lua: KernelSession, js: KernelSession) -> None:
    info = lua.request("kernel_info")
    assert info["implementation"] == "llmspell"
    assert info["language_info"]["name"] == "lua"
    assert info["language_info"]["file_extension"] == ".lua"
    assert info["language_info"]["codemirror_mode"] == "lua"
    assert "Lua 5.4" in info["banner"]
    info = js.request("kernel_info")
    assert info["language_info"]["name"] == "javascript"
    assert info["language_info"]["mimetype"] == "text/javascript"


def test_lua_cells_share_locals_globals_and_functions(lua: KernelSession) -> None:
    assert lua.execute("local base = 40").status == "ok"
    assert lua.execute("function add(n)\n  return base + n\nend").status == "ok"
    cell = lua.execute("add(2)")
    assert cell.status == "ok"
    assert cell.result == {"text/plain": "42"}
    assert cell.of("execute_result")[0]["execution_count"] == cell.reply["content"][
        "execution_count"
    ]
    cell = lua.execute('print("base is", base)')
    assert cell.stream("stdout") == "base is\t40\n"
    assert cell.result is None  # a statement echoes nothing


def test_js_cells_share_let_and_await_at_top_level(js: KernelSession) -> None:
    assert js.execute("let n = 6").status == "ok"
    assert js.execute("const v = await Promise.resolve(7)").status == "ok"
    assert js.execute("n * v").result == {"text/plain": "42"}
    cell = js.execute('console.log("n", n); console.error("warned")')
    assert cell.stream("stdout") == "n 6\n"
    assert cell.stream("stderr") == "warned\n"


def test_a_table_is_shown_as_json_and_text(lua: KernelSession, js: KernelSession) -> None:
    data = lua.execute("{name = 'x', items = {1, 2}}").result
    assert data is not None
    assert data["application/json"] == {"name": "x", "items": [1, 2]}
    assert '"items": [' in data["text/plain"]
    data = js.execute("[1, {a: true}]").result
    assert data is not None and data["application/json"] == [1, {"a": True}]
    # several values: text only, tab-separated as the REPL echoes them
    assert lua.execute("1, 'two', nil").result == {"text/plain": "1\ttwo\tnil"}


def test_errors_carry_the_llmspell_kind_and_one_line(lua: KernelSession) -> None:
    cell = lua.execute("local y = 1\nerror('boom')")
    assert cell.status == "error"
    content = cell.reply["content"]
    n = content["execution_count"]
    assert content["ename"] == "ScriptError"
    assert content["evalue"] == "boom"
    assert content["traceback"] == [f"In[{n}]:2: ScriptError: boom"]
    assert cell.of("error") == [
        {"ename": "ScriptError", "evalue": "boom", "traceback": [f"In[{n}]:2: ScriptError: boom"]}
    ]
    assert cell.stream("stderr") == ""  # the error is the error message, not stderr text
    cell = lua.execute("Tool.execute('no_such_tool', {})")
    assert cell.reply["content"]["ename"] == "NotFoundError"
    assert lua.execute("1 + 1").result == {"text/plain": "2"}  # the session goes on


def test_dot_commands(lua: KernelSession, tmp_path: Path) -> None:
    assert "Commands" in lua.execute(".help").stream("stdout")
    cell = lua.execute(".engine js")
    assert cell.reply["content"]["ename"] == "ValidationError"
    assert "llmspell kernel install --engine" in cell.reply["content"]["evalue"]
    lib = tmp_path / "lib.lua"
    lib.write_text("loaded_value = 99\n", encoding="utf-8")
    assert lua.execute(f".load {lib}").status == "ok"
    assert lua.execute("loaded_value").result == {"text/plain": "99"}
    cell = lua.execute(f".load {tmp_path / 'missing.lua'}")
    assert cell.reply["content"]["ename"] == "NotFoundError"


def test_save_writes_the_cells_as_a_spell(jupyter_dir: Path, tmp_path: Path) -> None:
    k = KernelSession("llmspell-test-lua")
    try:
        k.execute("local greeting = 'hi'")
        k.execute("print(greeting)")
        k.execute("error('left out')")
        k.execute("greeting .. '!'")
        cell = k.execute(f".save {tmp_path / 'saved.lua'}")
        assert "saved 3 entries" in cell.stream("stderr")
        saved = (tmp_path / "saved.lua").read_text(encoding="utf-8")
        assert saved == "local greeting = 'hi'\nprint(greeting)\ndo local _ = greeting .. '!' end\n"
        assert k.execute(".clear").status == "ok"
        assert k.execute("greeting").result == {"text/plain": "nil"}
    finally:
        k.close()


def test_completion_in_each_spelling(lua: KernelSession, js: KernelSession) -> None:
    reply = lua.request("complete", "x = State.ge", 12)
    assert reply["status"] == "ok"
    assert "get" in reply["matches"] and "get_migration_status" in reply["matches"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (10, 12)
    reply = js.request("complete", "State.getM", 10)
    assert reply["matches"] == ["getMigrationStatus"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (6, 10)
    # the cursor inside the code: only the text before it counts
    reply = lua.request("complete", "Sta + 1", 3)
    assert "State" in reply["matches"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (0, 3)
    reply = lua.request("complete", "Tool.execute('calc", 18)
    assert reply["matches"] == ["calculator"]
    assert reply["cursor_start"] == 14
    assert lua.request("complete", "", 0)["matches"] == []


@pytest.mark.parametrize(
    ("engine", "code", "status", "indent"),
    [
        ("lua", "x = 1", "complete", None),
        ("lua", "function f()", "incomplete", "  "),
        ("lua", "if x then\n  y = {", "incomplete", "    "),
        ("lua", "x = = 1", "invalid", None),
        ("lua", ".help", "complete", None),
        ("js", "let a = 1", "complete", None),
        ("js", "function f() {", "incomplete", "  "),
        ("js", "const s = `a", "incomplete", ""),
        ("js", "f(1))", "invalid", None),
        ("js", "'open string", "invalid", None),
    ],
)
def test_is_complete(
    lua: KernelSession, js: KernelSession, engine: str, code: str, status: str, indent: str | None
) -> None:
    reply = (lua if engine == "lua" else js).request("is_complete", code)
    assert reply["status"] == status
    assert reply.get("indent") == indent


def _date(msg: dict[str, object]) -> datetime:
    header = msg["header"]
    assert isinstance(header, dict)
    value = header["date"]
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def test_output_streams_while_the_cell_runs_and_an_interrupt_stops_it(
    lua: KernelSession,
) -> None:
    lua.execute("counter = 7")
    msg_id = lua.kc.execute('print("started")\nlocal n = 0\nwhile true do n = n + 1 end')
    # "started" arrives while the loop still runs: before any reply exists
    while True:
        msg = lua.kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
            break
    assert msg["content"] == {"name": "stdout", "text": "started\n"}
    time.sleep(0.3)
    assert lua.kc.shell_channel.msg_ready() is False  # still busy
    lua.km.interrupt_kernel()
    cell = lua.collect(msg_id)
    assert cell.status == "error"
    assert cell.reply["content"]["ename"] == "Interrupted"
    assert cell.reply["content"]["traceback"][0].endswith(":3: Interrupted: interrupted")
    # the kernel lives on, with its state
    assert lua.execute("counter + 1").result == {"text/plain": "8"}
    assert lua.km.is_alive()
    # an interrupt while nothing runs is forgotten: the next cell runs
    lua.km.interrupt_kernel()
    time.sleep(0.5)
    assert lua.execute("counter").result == {"text/plain": "7"}


@pytest.fixture
def scripted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ScriptedOpenAI, Path]]:
    monkeypatch.setenv("SCRIPTED_KEY", "sk-scripted-test")
    with ScriptedOpenAI() as server:
        config = tmp_path / "llmspell.toml"
        config.write_text(server.toml(), encoding="utf-8")
        yield server, config


def test_agent_tokens_stream_as_they_arrive(
    scripted: tuple[ScriptedOpenAI, Path], tmp_path: Path
) -> None:
    server, config = scripted
    data = install_spec(tmp_path / "p", "lua", "llmspell-test-agent", "--config", str(config))
    server.replies = [Reply(text="one two three", chunk_delay=0.4)]
    with jupyter_env(data):
        k = KernelSession("llmspell-test-agent")
        try:
            built = k.execute("a = Agent.builder():name('writer'):model('scripted/m'):build()")
            assert built.status == "ok", built.reply["content"]
            cell = k.execute("a:execute('count').text")
        finally:
            k.close()
    assert cell.status == "ok", cell.reply["content"]
    assert cell.result == {"text/plain": "one two three"}
    tokens = [m for m in cell.messages if m["msg_type"] == "stream"]
    assert "".join(m["content"]["text"] for m in tokens) == "[writer] one two three\n"
    assert all(m["content"]["name"] == "stderr" for m in tokens)
    # sent as they came, not collected until the end of the call
    assert len(tokens) >= 3
    assert (_date(tokens[-1]) - _date(tokens[0])).total_seconds() >= 0.6


def test_an_interrupt_cancels_an_agent_call_in_javascript(
    scripted: tuple[ScriptedOpenAI, Path], tmp_path: Path
) -> None:
    server, config = scripted
    data = install_spec(tmp_path / "p", "js", "llmspell-test-slow", "--config", str(config))
    server.replies = [Reply(text="too late", delay=30)]
    with jupyter_env(data):
        k = KernelSession("llmspell-test-slow")
        try:
            built = k.execute(
                "const a = await Agent.builder().name('slow').model('scripted/m').build()"
            )
            assert built.status == "ok", built.reply["content"]
            msg_id = k.kc.execute("const r = await a.execute('hi')")
            deadline = time.monotonic() + 30
            while not server.requests and time.monotonic() < deadline:
                time.sleep(0.05)
            assert server.requests, k.collect(msg_id).reply["content"]
            k.km.interrupt_kernel()
            cell = k.collect(msg_id)
            assert cell.reply["content"]["ename"] == "Interrupted"
            after = k.execute("6 * 7")
            assert after.result == {"text/plain": "42"}, (after.reply["content"], after.messages)
        finally:
            k.close()
