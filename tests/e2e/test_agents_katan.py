"""Agents end to end: the real ``llmspell`` command against a real ``llm-katan`` server
(echo backend, both wire formats) started on 127.0.0.1 by the test and stopped after.

The echo backend answers with the conversation it received and, when tools are offered,
asks for the first tool — enough to drive the whole tool-call loop over HTTP.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.katan_server import start_katan

BIN = Path(sys.executable).parent
LLMSPELL = str(BIN / "llmspell")


@pytest.fixture(scope="module")
def katan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    proc, port = start_katan(tmp_path_factory.mktemp("katan"))
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def _config(port: int, **extra: str) -> str:
    lines = [
        "[providers.katan]", 'provider_type = "openai"',
        f'base_url = "http://127.0.0.1:{port}/v1"', 'api_key_env = "KATAN_KEY"', "max_retries = 1",
        "[providers.katan_anthropic]", 'provider_type = "anthropic"',
        f'base_url = "http://127.0.0.1:{port}"', 'api_key_env = "KATAN_KEY"', "max_retries = 1",
    ]  # fmt: skip
    lines += [f"{k} = {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def _run(
    tmp: Path,
    port: int,
    name: str,
    source: str,
    *,
    key: str | None = "dummy-key",
    flags: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    (tmp / "llmspell.toml").write_text(_config(port), encoding="utf-8")
    (tmp / name).write_text(source, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LLMSPELL_", "KATAN_"))}
    env.update(LLMSPELL_HOME=str(tmp / "home"), HOME=str(tmp))
    env["LLMSPELL_LOAD_PLUGINS"] = os.environ.get("LLMSPELL_LOAD_PLUGINS", "")
    if key is not None:
        env["KATAN_KEY"] = key
    return subprocess.run(
        [LLMSPELL, "run", name, *flags],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_lua_agent_over_openai_and_anthropic_wire_formats(katan: int, tmp_path: Path) -> None:
    proc = _run(
        tmp_path,
        katan,
        "a.lua",
        """
        for _, model in ipairs({"katan/echo-model", "katan_anthropic/echo-model"}) do
          local a = Agent.builder():name(model):model(model):system_prompt("be brief"):build()
          local r = a:execute("hello there")
          print(model, r.text:find("User: hello there", 1, true) ~= nil, r.usage.total_tokens > 0)
        end
    """,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "katan/echo-model\ttrue\ttrue",
        "katan_anthropic/echo-model\ttrue\ttrue",
    ]


def test_tool_call_loop_over_http_in_lua_and_js(katan: int, tmp_path: Path) -> None:
    lua = _run(
        tmp_path,
        katan,
        "t.lua",
        """
        local a = Agent.create{model = "katan/echo-model", tools = {"calculator"}, max_tool_calls = 1}
        local r = a:execute("compute 2+2")
        print(#r.tool_calls, r.tool_calls[1].name, r.tool_calls[1].result.success)
    """,
    )
    assert lua.returncode == 0, lua.stderr
    js = _run(
        tmp_path,
        katan,
        "t.js",
        """
        const a = await Agent.create({model: "katan/echo-model", tools: ["calculator"], maxToolCalls: 1})
        const r = await a.execute("compute 2+2")
        print(r.toolCalls === undefined, r.tool_calls.length, r.tool_calls[0].name, r.tool_calls[0].result.success)
    """,
    )
    assert js.returncode == 0, js.stderr
    # the echo model asks calculator with input "test_input", which is no expression
    assert lua.stdout == "1\tcalculator\tfalse\n"
    assert js.stdout == "true\t1\tcalculator\tfalse\n"


def test_missing_key_names_the_variable(katan: int, tmp_path: Path) -> None:
    proc = _run(tmp_path, katan, "k.lua", 'Agent.create{model = "katan/echo-model"}', key=None)
    assert proc.returncode == 1
    assert "ConfigurationError" in proc.stderr and "KATAN_KEY" in proc.stderr


def test_rate_limited_server_gives_a_rate_limit_error(tmp_path: Path) -> None:
    proc_server, port = start_katan(tmp_path, "--rate-limit-after", "1")
    try:
        proc = _run(
            tmp_path,
            port,
            "r.lua",
            """
            local a = Agent.create{model = "katan/echo-model"}
            print((a:execute("first").text:find("User: first", 1, true)) ~= nil)
            local ok, err = pcall(function() return a:execute("second") end)
            print(ok, (err:match("RateLimitError")))
        """,
            key="dummy-key",
        )
    finally:
        proc_server.terminate()
        proc_server.wait(timeout=10)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "true\nfalse\tRateLimitError\n"
    assert "dummy-key" not in proc.stdout + proc.stderr


def test_usage_table_and_streamed_tokens(katan: int, tmp_path: Path) -> None:
    spell = """
        local a = Agent.create{model = "katan/echo-model"}
        local r = a:execute("stream me please")
        print(#r.text > 0)
    """
    proc = _run(tmp_path, katan, "u.lua", spell, flags=("--usage", "--stream"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "true\n"  # tokens go to stderr, the spell's output stays clean
    assert "User: stream me please" in proc.stderr  # the streamed echo
    assert "katan/echo-model" in proc.stderr and "total" in proc.stderr  # the usage table
    quiet = _run(tmp_path, katan, "u.lua", spell)
    assert quiet.stdout == "true\n" and "total" not in quiet.stderr
