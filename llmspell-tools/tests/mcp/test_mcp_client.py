"""The MCP client against real stdio servers: PyPI ``mcp-server-time`` and a fake
Python server (tests/mcp/fake_server.py) that misbehaves on request."""

from __future__ import annotations

import time

import pytest


def test_time_server_tools_start_on_first_use_and_join_the_registry(mcp_runtime, kit) -> None:
    rt = mcp_runtime({"time": {"command": str(kit.TIME_SERVER)}})
    out = rt.run(
        """
        local before = Tool.exists("calculator") and #MCP.servers()
        local status = MCP.servers()[1].status
        local r = Tool.execute("time__get_current_time", {timezone = "UTC"})
        local names = {}
        for _, t in ipairs(Tool.list()) do
          if t.name:find("^time__") then names[#names + 1] = t.name end
        end
        table.sort(names)
        return {before = before, status = status, ok = r.success, tz = r.result.timezone,
                text = type(r.text), names = table.concat(names, ","),
                after = MCP.servers()[1].status, category = Tool.get("time__convert_time").category}
        """
    )
    assert out == {
        "before": 1, "status": "stopped", "ok": True, "tz": "UTC", "text": "string",
        "names": "time__convert_time,time__get_current_time", "after": "ready",
        "category": "mcp",
    }  # fmt: skip


def test_tool_error_and_schema_validation(mcp_runtime, kit) -> None:
    rt = mcp_runtime({"time": {"command": str(kit.TIME_SERVER)}})
    out = rt.run(
        """
        local bad = Tool.execute("time__get_current_time", {timezone = "Nope/Nope"})
        local ok, err = pcall(Tool.execute, "time__get_current_time", {})
        return {bad.success, bad.error_kind, bad.error, ok, tostring(err)}
        """
    )
    assert out[0:2] == [False, "ToolError"]
    assert "Nope/Nope" in out[2]
    assert out[3] is False and "timezone" in out[4] and "ValidationError" in out[4]


def test_mcp_global_connect_list_call(mcp_runtime, kit) -> None:
    rt = mcp_runtime({"time": {"command": str(kit.TIME_SERVER), "description": "clock"}})
    out = rt.run(
        """
        local info = MCP.connect("time")
        local tools = MCP.list_tools("time")
        local r = MCP.call_tool("time", "convert_time",
          {source_timezone = "UTC", time = "12:00", target_timezone = "Asia/Tokyo"})
        local r2 = MCP.call_tool("time", "time__get_current_time", {timezone = "UTC"})
        local ok, err = pcall(MCP.call_tool, "time", "get_curent_time", {})
        return {info.name, info.server, #info.tools, tools[1].name, tools[1].mcp_name,
                tools[1].schema.type, r.result.target.timezone, r2.success, tostring(err),
                MCP.servers()[1].description}
        """
    )
    assert out[:6] == ["time", "mcp-time", 2, "time__convert_time", "convert_time", "object"]
    assert out[6] == "Asia/Tokyo"
    assert out[7] is True
    assert "did you mean 'get_current_time'" in out[8]
    assert out[9] == "clock"


def test_server_is_reused_within_a_run_and_stopped_at_its_end(mcp_runtime, kit) -> None:
    rt = mcp_runtime({"fake": kit.fake()})
    pids = rt.run(
        """
        local a = Tool.execute("fake__pid", {}).result.result
        local b = Tool.execute("fake__pid", {}).result.result
        return {a, b}
        """
    )
    assert pids[0] == pids[1]
    deadline = time.monotonic() + 10
    while kit.alive(pids[0]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not kit.alive(pids[0]), "the server outlived the run"
    # the next run starts it again, lazily
    again = rt.run('return Tool.execute("fake__pid", {}).result.result')
    assert again != pids[0]


def test_a_crashed_server_is_restarted_once(mcp_runtime, kit) -> None:
    rt = mcp_runtime({"fake": kit.fake()})
    out = rt.run(
        """
        local first = Tool.execute("fake__pid", {}).result.result
        local died = Tool.execute("fake__die", {})
        local second = Tool.execute("fake__pid", {}).result.result
        local died2 = Tool.execute("fake__die", {})
        local third = Tool.execute("fake__pid", {})
        return {first ~= second, died.success, died.error, died2.success,
                third.success, third.error}
        """
    )
    assert out[0] is True
    assert out[1] is False and "closed the connection during tool 'die'" in out[2]
    assert "exited with status 7" in out[2] and "restarted on next use" in out[2]
    assert out[3] is False
    assert out[4] is False and "crashed again after a restart" in out[5]


@pytest.mark.parametrize(
    ("table", "kind", "needles"),
    [
        ({"command": "/nonexistent/mcp-server"}, "ConfigurationError", ["was not found"]),
        ("exit", "ToolError", ["exited with status 3", "missing FAKE_TOKEN"]),
        ("garbage", "TimeoutError", ["within 3 s", "non-JSON-RPC", "Hello! I am not JSON-RPC"]),
        ("hang", "TimeoutError", ["did not complete the MCP handshake within 3 s"]),
        ("flood", "ToolError", ["over the limit of 1000000 bytes"]),
        ({"url": "http://127.0.0.1:9/mcp"}, "ToolError", ["cannot connect to http://127.0.0.1:9/mcp"]),
    ],
)
def test_servers_that_cannot_start_are_clear_errors(mcp_runtime, kit, table, kind, needles) -> None:
    if isinstance(table, str):
        table = kit.fake(table)
    table = {**table, "startup_timeout_seconds": 3}
    if "command" in table:
        table["max_message_bytes"] = 1_000_000
    rt = mcp_runtime({"bad": table})
    start = time.monotonic()
    out = rt.run(
        """
        local ok, err = pcall(MCP.connect, "bad")
        local r = Tool.exists("calculator")
        return {ok, tostring(err):match("^(%w+):") or "", tostring(err), r}
        """
    )
    assert time.monotonic() - start < 20
    assert out[0] is False
    assert out[1] == kind, out[2]
    for needle in needles:
        assert needle in out[2], out[2]
    assert out[3] is True  # the run goes on


def test_a_noisy_server_still_works(mcp_runtime, kit) -> None:
    rt = mcp_runtime({"noisy": kit.fake("noisy")})
    assert rt.run('return Tool.execute("noisy__echo", {text = "hi"}).text') == "hi"


def test_huge_output_is_capped_and_a_hung_call_times_out(mcp_runtime, kit) -> None:
    rt = mcp_runtime({"fake": kit.fake(max_output_bytes=10_000, timeout_seconds=1)})
    out = rt.run(
        """
        local small = Tool.execute("fake__huge", {size = 100})
        local big = Tool.execute("fake__huge", {size = 50000})
        local slow = Tool.execute("fake__slow", {seconds = 5})
        local after = Tool.execute("fake__echo", {text = "still here"})
        return {#small.text, big.success, big.error_kind, big.error, slow.success,
                slow.error_kind, slow.error, after.text}
        """
    )
    assert out[0] == 100
    assert out[1:3] == [False, "LimitExceeded"] and "over the limit of 10000 bytes" in out[3]
    assert out[4:6] == [False, "TimeoutError"] and "timed out after 1 s" in out[6]
    assert out[7] == "still here"


def test_a_stdio_server_gets_a_minimal_environment(mcp_runtime, kit, monkeypatch) -> None:
    monkeypatch.setenv("H6_OPENAI_API_KEY", "sk-secret")
    monkeypatch.setenv("H6_FOR_SERVER", "from-operator")
    rt = mcp_runtime({"fake": kit.fake(env={"TOKEN": "${H6_FOR_SERVER}", "PLAIN": "x"})})
    out = rt.run(
        """
        local function env(n) return Tool.execute("fake__env", {name = n}).text end
        return {env("H6_OPENAI_API_KEY"), env("TOKEN"), env("PLAIN"), env("PATH") ~= ""}
        """
    )
    assert out == ["", "from-operator", "x", True]


def test_tool_name_clash_is_an_error(mcp_runtime, kit) -> None:
    from llmspell.tools import Tool

    rt = mcp_runtime({"fake": kit.fake()})
    rt.runtime.tools.register(Tool("fake__echo", "a plugin's", lambda p, c: "x", source="plugin"))
    out = rt.run('local ok, err = pcall(MCP.connect, "fake"); return {ok, tostring(err)}')
    assert out[0] is False
    assert "would be 'fake__echo', but a plugin tool already has that name" in out[1]
    assert "rename the MCP server" in out[1]


def test_connect_a_spells_own_server_needs_the_process_policy(mcp_runtime, kit, tmp_path) -> None:
    import sys

    rt = mcp_runtime({})
    spell = f"""
        local ok, err = pcall(MCP.connect, {{name = "mine", command = "{sys.executable}",
                                          args = {{"{kit.FAKE}", "ok"}}}})
        return {{ok, tostring(err)}}
    """
    out = rt.run(spell)
    assert out[0] is False and "running processes is not allowed" in out[1]

    allowed = mcp_runtime(
        {},
        f'[security]\nallow_process = true\nallowed_commands = ["{sys.executable}"]\n',
    )
    out = allowed.run(
        f"""
        local info = MCP.connect({{name = "mine", command = "{sys.executable}",
                                   args = {{"{kit.FAKE}", "ok"}}}})
        local r = Tool.execute("mine__echo", {{text = "own"}})
        local ok, err = pcall(MCP.connect, {{name = "x__y", command = "a"}})
        return {{info.name, r.text, tostring(err)}}
        """
    )
    assert out[:2] == ["mine", "own"]
    assert "MCP server name 'x__y'" in out[2]
    out = allowed.run(
        f"""
        local ok, err = pcall(MCP.connect, {{name = "evil", command = "{sys.executable}",
                                             env = {{LD_PRELOAD = "/tmp/x.so"}}}})
        return tostring(err)
        """
    )
    assert "SecurityError" in out and "'LD_PRELOAD' may not be set" in out
    # a spell's own server is forgotten when its run ends
    assert allowed.run('return Tool.exists("mine__echo")') is False


def test_unknown_server_and_bad_config_are_clear(mcp_runtime, kit) -> None:
    rt = mcp_runtime({"time": {"command": str(kit.TIME_SERVER)}})
    out = rt.run(
        'local ok, err = pcall(MCP.connect, "tme")\n'
        'return {tostring(err):match("^(%w+):"), tostring(err)}'
    )
    assert out[0] == "NotFoundError" and "did you mean 'time'" in out[1]
    bad = mcp_runtime({"broken": {"comand": "x"}})
    out = bad.run('local ok, err = pcall(MCP.connect, "broken"); return tostring(err)')
    assert "[mcp.servers.broken]: unknown key 'comand'; did you mean 'command'" in out


def test_workflow_steps_run_mcp_tools(mcp_runtime, kit) -> None:
    rt = mcp_runtime({"fake": kit.fake()})
    out = rt.run(
        """
        local wf = Workflow.parallel{
          name = "mcp-steps",
          steps = {
            { name = "a", tool = "fake__echo", input = { text = "one" } },
            { name = "b", tool = "fake__echo", input = { text = "two" } },
            { name = "c", tool = "calculator", input = { input = "6 * 7" } },
          },
        }
        local r = wf:execute()
        return {r.outputs.a.text, r.outputs.b.text, r.outputs.c.text}
        """
    )
    assert out == ["one", "two", "42"]


def test_an_http_server_sending_a_huge_response_is_cut(mcp_runtime) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Huge(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()  # no length: read until the connection closes
            try:
                for _ in range(64):
                    self.wfile.write(b"[" + b"1," * 32768)
            except OSError:
                pass

        def do_DELETE(self) -> None:
            self.send_response(200)
            self.end_headers()

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Huge)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/mcp"
        rt = mcp_runtime(
            {"huge": {"url": url, "max_message_bytes": 100_000, "startup_timeout_seconds": 10}}
        )
        start = time.monotonic()
        out = rt.run('local ok, err = pcall(MCP.connect, "huge"); return {ok, tostring(err)}')
        assert time.monotonic() - start < 10
    finally:
        httpd.shutdown()
    assert out[0] is False
    assert "over the limit of 100000 bytes (max_message_bytes)" in out[1], out[1]
