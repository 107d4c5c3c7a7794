"""``llmspell mcp serve`` against real MCP clients: the official Python ``Client`` over
stdio and streamable HTTP, ``@modelcontextprotocol/inspector --cli`` and the conformance
suite ``@modelcontextprotocol/conformance`` (npm, installed by .ci/install-mcp-deps;
those tests skip without it unless LLMSPELL_REQUIRE_MCP_DEPS=1)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import CLI, COMMAND
from tests.e2e.scripted_openai import Reply, ScriptedOpenAI

pytest.importorskip("mcp")

# read at import: the root conftest removes LLMSPELL_* variables for the test session
NPM_DIR = os.environ.get("LLMSPELL_TEST_NPM_DIR", "")
NODE22 = os.environ.get("LLMSPELL_TEST_NODE22", "")
REQUIRE_DEPS = os.environ.get("LLMSPELL_REQUIRE_MCP_DEPS") == "1"
BASELINE = Path(__file__).with_name("mcp_conformance_baseline.yml")


def _npm_package(name: str) -> Path:
    path = Path(NPM_DIR) / name if NPM_DIR else None
    if path is None or not path.is_dir():
        reason = (
            f"npm {name} is not installed: run `eval \"$(.ci/install-mcp-deps)\"` "
            "(sets LLMSPELL_TEST_NPM_DIR and LLMSPELL_TEST_NODE22)"
        )
        if REQUIRE_DEPS:
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def _stdio_params(cli: CLI, *args: str) -> Any:
    from mcp import StdioServerParameters

    env = {**cli.env}
    return StdioServerParameters(
        command=COMMAND[0], args=[*COMMAND[1:], "mcp", "serve", *args], env=env, cwd=cli.cwd
    )


@contextmanager
def serve_http(cli: CLI, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """``llmspell mcp serve --transport http --port 0 ARGS`` in the background; yields
    the URL it prints."""
    proc = subprocess.Popen(
        [*COMMAND, "mcp", "serve", "--transport", "http", "--port", "0", *args],
        cwd=cli.cwd,
        env={**cli.env, **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        seen = []
        deadline = time.monotonic() + 60
        url = None
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            seen.append(line)
            if " tools at http://" in line:
                url = line.split(" tools at ", 1)[1].split(" ", 1)[0]
                break
        assert url, "the server did not start:\n" + "".join(seen)
        yield url
        assert proc.poll() is None, "the server died"
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _http_client(url: str, headers: dict[str, str] | None = None) -> Any:
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    http = create_mcp_http_client(headers=headers)
    return Client(streamable_http_client(url, http_client=http)), http


async def _exercise(client: Any) -> dict[str, Any]:
    """What every transport must answer the same way."""
    tools = (await client.list_tools()).tools
    calc = await client.call_tool("calculator", {"input": "6*7"})
    bad = await client.call_tool("calculator", {"nope": 1})
    denied = await client.call_tool("file-operations", {"operation": "read", "path": "/etc/passwd"})
    unknown = await client.call_tool("calculater", {})
    proc = await client.call_tool("process-executor", {"executable": "ls"})
    return {
        "names": {t.name for t in tools},
        "calc": (calc.is_error, calc.content[0].text,
                 (calc.structured_content or {}).get("result")),
        "bad": (bad.is_error, bad.content[0].text, (bad.meta or {}).get("llmspell/error_kind")),
        "denied": (denied.is_error, denied.content[0].text),
        "unknown": (unknown.is_error, unknown.content[0].text),
        "proc": (proc.is_error, proc.content[0].text),
    }


def _check(out: dict[str, Any]) -> None:
    assert {"calculator", "file-operations", "hash-calculator"} <= out["names"]
    assert not any(n.startswith("time__") for n in out["names"])
    assert out["calc"] == (False, "42", 42)
    assert out["bad"][0] is True and out["bad"][2] == "ValidationError"
    assert out["bad"][1].startswith("ValidationError: tool 'calculator': parameter 'nope'")
    assert out["denied"][0] is True and out["denied"][1].startswith("SecurityError: ")
    assert "outside the allowed paths" in out["denied"][1]
    assert out["unknown"] == (
        True, "NotFoundError: unknown tool 'calculater'; did you mean 'calculator'?"
    )
    assert out["proc"][0] is True and "running processes is not allowed" in out["proc"][1]
    for text in (out["bad"][1], out["denied"][1], out["unknown"][1], out["proc"][1]):
        assert "Traceback" not in text


def test_stdio_with_the_official_client(cli: CLI) -> None:
    from mcp import Client

    async def main() -> dict[str, Any]:
        async with Client(_stdio_params(cli), read_timeout_seconds=60) as client:
            return await _exercise(client)

    _check(asyncio.run(main()))


def test_http_with_the_official_client_and_many_clients(cli: CLI) -> None:
    with serve_http(cli) as url:

        async def one() -> dict[str, Any]:
            client, http = _http_client(url)
            async with http, client:
                return await _exercise(client)

        async def calls(n: int) -> list[bool]:
            client, http = _http_client(url)
            async with http, client:
                out = []
                for i in range(n):
                    r = await client.call_tool("calculator", {"input": f"{i}+1"})
                    out.append(not r.is_error and r.structured_content["result"] == i + 1)
                return out

        async def many() -> list[list[bool]]:
            return await asyncio.gather(*(calls(5) for _ in range(20)))

        _check(asyncio.run(one()))
        results = asyncio.run(many())
        assert all(all(r) and len(r) == 5 for r in results)


def test_http_bearer_token(cli: CLI) -> None:
    import httpx

    with serve_http(cli, "--token-env", "H6_MCP_TOKEN", env={"H6_MCP_TOKEN": "tok-123"}) as url:
        init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"}}}  # fmt: skip
        headers = {"Accept": "application/json, text/event-stream"}
        for auth in (None, "Bearer wrong", "Basic tok-123", "Bearer tok-1234"):
            h = {**headers, **({"Authorization": auth} if auth else {})}
            r = httpx.post(url, json=init, headers=h, timeout=10)
            assert r.status_code == 401, auth
            assert "tok-123" not in r.text
            assert r.headers["www-authenticate"].startswith("Bearer")

        async def main() -> str:
            client, http = _http_client(url, {"Authorization": "Bearer tok-123"})
            async with http, client:
                r = await client.call_tool("calculator", {"input": "2+2"})
                return str(r.content[0].text)

        assert asyncio.run(main()) == "4"


def test_token_env_must_be_set(cli: CLI) -> None:
    proc = cli("mcp", "serve", "--transport", "http", "--token-env", "H6_UNSET_TOKEN")
    assert proc.returncode == 2
    assert "--token-env H6_UNSET_TOKEN: the environment variable is not set" in proc.stderr


def test_malformed_requests_leave_the_server_healthy(cli: CLI) -> None:
    import httpx

    with serve_http(cli) as url:
        headers = {"Accept": "application/json, text/event-stream",
                   "Content-Type": "application/json"}  # fmt: skip
        bodies = [
            b"{not json", b"[]", b'{"jsonrpc": "2.0"}', b'{"jsonrpc":"2.0","id":1,"method":7}',
            json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                        "params": {"name": "calculator", "arguments": "x"}}).encode(),
            b"x" * (5 * 1024 * 1024),
        ]  # fmt: skip
        for body in bodies:
            r = httpx.post(url, content=body, headers=headers, timeout=20)
            assert 400 <= r.status_code < 500 or "error" in r.text, (body[:40], r.status_code)
            assert "Traceback" not in r.text
        r = httpx.get(url.replace("/mcp", "/nope"), timeout=10)
        assert r.status_code == 404

        async def main() -> str:
            client, http = _http_client(url)
            async with http, client:
                return str((await client.call_tool("calculator", {"input": "1+1"})).content[0].text)

        assert asyncio.run(main()) == "2"


SPELL_TOOLS = """
Tool.register({
  name = "greet",
  description = "Greets someone.",
  parameters = {type = "object", properties = {who = {type = "string"}}, required = {"who"}},
  handler = function(p) return "hello, " .. p.who end,
})
"""

AREA_JS = """
const w = Number(ARGS.w), h = Number(ARGS.h);
export default {area: w * h, label: ARGS.label || "none"};
"""

AREA_DECL = {
    "description": "The area of a rectangle.",
    "input_schema": {
        "type": "object",
        "properties": {"w": {"type": "number"}, "h": {"type": "number"},
                       "label": {"type": "string"}},
        "required": ["w", "h"],
    },
    "output_schema": {
        "type": "object",
        "properties": {"area": {"type": "number"}, "label": {"type": "string"}},
        "required": ["area"],
    },
}  # fmt: skip


def _spells_dir(cli: CLI) -> None:
    cli.write("spells/tools.lua", SPELL_TOOLS)
    cli.write("spells/area.js", AREA_JS)
    cli.write("spells/area.mcp.json", json.dumps(AREA_DECL))
    cli.write("spells/wrong.lua", 'return "not an object"')
    cli.write("spells/wrong.mcp.json", json.dumps({**AREA_DECL, "description": "broken"}))
    cli.write("spells/fails.lua", 'error("ToolError: no luck")')
    cli.write("spells/fails.mcp.json", json.dumps({"input_schema": {"type": "object"}}))
    cli.write("spells/spin.lua", "while true do end")
    cli.write("spells/spin.mcp.json",
              json.dumps({"input_schema": {"type": "object"}, "timeout_seconds": 0.5}))  # fmt: skip


def test_spells_as_tools_and_spell_registered_tools(cli: CLI) -> None:
    from mcp import Client

    _spells_dir(cli)

    async def main() -> dict[str, Any]:
        params = _stdio_params(cli, "--spells", "spells", "--no-builtin")
        async with Client(params, read_timeout_seconds=60) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            greet = await client.call_tool("greet", {"who": "mcp"})
            greets = await asyncio.gather(*(client.call_tool("greet", {"who": str(i)})
                                            for i in range(10)))  # fmt: skip
            area = await client.call_tool("area", {"w": 3, "h": 4.5})
            bad_args = await client.call_tool("area", {"w": "x"})
            wrong = await client.call_tool("wrong", {"w": 1, "h": 1})
            fails = await client.call_tool("fails", {})
            spin = await client.call_tool("spin", {})
            after = await client.call_tool("greet", {"who": "again"})
            return {
                "names": sorted(tools),
                "area_schema": tools["area"].output_schema,
                "greet": greet.content[0].text,
                "greets": [g.content[0].text for g in greets],
                "area": (area.is_error, area.structured_content),
                "bad_args": (bad_args.is_error, bad_args.content[0].text),
                "wrong": (wrong.is_error, wrong.content[0].text),
                "fails": (fails.is_error, fails.content[0].text),
                "spin": (spin.is_error, spin.content[0].text),
                "after": after.content[0].text,
            }

    out = asyncio.run(main())
    assert out["names"] == ["area", "fails", "greet", "spin", "wrong"]
    assert out["area_schema"]["required"] == ["area"]
    assert out["greet"] == "hello, mcp"
    assert out["greets"] == [f"hello, {i}" for i in range(10)]
    assert out["area"] == (False, {"area": 13.5, "label": "none"})
    assert out["bad_args"][0] is True and out["bad_args"][1].startswith("ValidationError:")
    assert out["wrong"][0] is True and "does not match its output_schema" in out["wrong"][1]
    assert out["fails"][0] is True and out["fails"][1].startswith("ToolError:")
    assert "no luck" in out["fails"][1] and "Traceback" not in out["fails"][1]
    assert out["spin"][0] is True and out["spin"][1].startswith("LimitExceeded:")
    assert out["after"] == "hello, again"


def test_bad_declarations_and_options_are_usage_errors(cli: CLI) -> None:
    cli.write("spells/x.lua", "return 1")
    cli.write("spells/x.mcp.json", '{"input_schema": {"type": "object"}, "inputs": 1}')
    proc = cli("mcp", "serve", "--spells", "spells")
    assert proc.returncode == 2
    assert "unknown key(s) inputs" in proc.stderr and "Traceback" not in proc.stderr
    proc = cli("mcp", "serve", "--spells", "nope")
    assert proc.returncode == 2 and "is not a directory" in proc.stderr
    proc = cli("mcp", "serve", "--tool", "calculater")
    assert proc.returncode == 2 and "did you mean 'calculator'" in proc.stderr
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = str(busy.getsockname()[1])
        proc = cli("mcp", "serve", "--transport", "http", "--port", port)
    assert proc.returncode == 2, cli.explain(proc)
    assert f"cannot listen on 127.0.0.1:{port}" in proc.stderr and "Traceback" not in proc.stderr


def test_config_agents_are_tools_taking_a_prompt(cli: CLI) -> None:
    from mcp import Client

    with ScriptedOpenAI() as model:
        model.replies = [Reply(text="Paris is the capital.")]
        cli.write(
            "llmspell.toml",
            model.toml()
            + '\n[agents.geo]\nmodel = "scripted/m"\ndescription = "Answers geography."\n'
            'system_prompt = "You know places."\n',
        )
        cli.env["SCRIPTED_KEY"] = "sk-scripted-test"

        async def main() -> tuple[Any, Any, Any]:
            async with Client(_stdio_params(cli, "--tool", "geo"), read_timeout_seconds=60) as c:
                tools = (await c.list_tools()).tools
                ok = await c.call_tool("geo", {"prompt": "capital of France?"})
                empty = await c.call_tool("geo", {"prompt": ""})
                return tools, ok, empty

        tools, ok, empty = asyncio.run(main())
    assert [t.name for t in tools] == ["geo"]
    assert tools[0].description == "Answers geography."
    assert tools[0].input_schema["required"] == ["prompt"]
    assert (ok.is_error, ok.content[0].text) == (False, "Paris is the capital.")
    sent = model.requests[0]["messages"]
    assert sent[0]["content"] == "You know places."
    assert sent[-1]["content"] == "capital of France?"
    assert empty.is_error and empty.content[0].text.startswith("ValidationError:")


def test_inspector_cli_over_stdio_and_http(cli: CLI) -> None:
    inspector = _npm_package("@modelcontextprotocol/inspector") / "cli/build/cli.js"
    base = ["node", str(inspector), "--cli"]
    listed = subprocess.run(
        [*base, *COMMAND, "mcp", "serve", "--method", "tools/list"],
        cwd=cli.cwd, env=cli.env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    names = {t["name"] for t in json.loads(listed.stdout)["tools"]}
    assert "calculator" in names
    with serve_http(cli) as url:
        called = subprocess.run(
            [*base, url, "--transport", "http", "--method", "tools/call",
             "--tool-name", "hash-calculator", "--tool-arg", "operation=hash",
             "--tool-arg", "input=abc", "--tool-arg", "algorithm=sha256"],
            cwd=cli.cwd, env=cli.env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert called.returncode == 0, called.stderr
    result = json.loads(called.stdout)
    assert result["isError"] is False
    assert "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" in json.dumps(result)


def test_conformance_suite(cli: CLI, tmp_path: Path) -> None:
    """The active server suite of @modelcontextprotocol/conformance (Node >= 22). The
    baseline lists the scenarios that test the suite's own fixture tools, resources and
    prompts (test_image_content, test://static-text, ...), which llmspell does not
    serve; any other failure, or a baseline entry that starts passing, fails."""
    package = _npm_package("@modelcontextprotocol/conformance")
    if not NODE22 or not Path(NODE22).exists():
        reason = "LLMSPELL_TEST_NODE22 (Node >= 22) is not set: run .ci/install-mcp-deps"
        if REQUIRE_DEPS:
            pytest.fail(reason)
        pytest.skip(reason)
    with serve_http(cli) as url:
        proc = subprocess.run(
            [NODE22, str(package / "dist/index.js"), "server", "--url", url,
             "--expected-failures", str(BASELINE), "-o", str(tmp_path / "results")],
            cwd=tmp_path, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "Baseline check passed" in proc.stdout


def test_mcp_list(cli: CLI) -> None:
    time_server = Path(sys.executable).parent / "mcp-server-time"
    cli.write(
        "llmspell.toml",
        f'[mcp.servers.time]\ncommand = "{time_server}"\n\n'
        '[mcp.servers.broken]\ncommand = "/nonexistent/server"\n',
    )
    proc = cli("mcp", "list")
    assert proc.returncode == 1, cli.explain(proc)
    assert "time (stdio: " in proc.stdout and "mcp-time" in proc.stdout
    assert "time__get_current_time" in proc.stdout and "time__convert_time" in proc.stdout
    assert "broken (stdio: /nonexistent/server): failed to start" in proc.stdout
    assert "was not found" in proc.stdout
    proc = cli("mcp", "list", "time", "-o", "json")
    assert proc.returncode == 0, cli.explain(proc)
    rows = json.loads(proc.stdout)
    assert [t["name"] for t in rows[0]["tools"]] == ["time__convert_time", "time__get_current_time"]
    proc = cli("mcp", "list", "tme")
    assert proc.returncode == 2 and "no MCP server 'tme'" in proc.stderr


def test_mcp_list_without_servers(cli: CLI) -> None:
    proc = cli("mcp", "list")
    assert proc.returncode == 0 and "no MCP servers are configured" in proc.stdout
