"""process-executor: output, exit codes, stdin, env, cwd, caps."""

from __future__ import annotations

import pytest

from llmspell_tools.system import process_executor


@pytest.fixture
def proc(tools):
    tools.runtime.policy.allow_process = True
    tools.runtime.policy.allowed_commands = ["echo", "cat", "ls", "false", "pwd", "head", "env"]
    return tools


def test_echo_and_exit_codes(proc):
    r = proc.ok("process-executor", executable="echo", arguments=["hello", "world"])
    assert r["result"]["exit_code"] == 0 and r["result"]["stdout"] == "hello world\n"
    assert r["text"] == "hello world\n"
    r = proc.ok("process-executor", executable="false")
    assert r["result"]["exit_code"] == 1
    r = proc.ok("process-executor", executable="ls", arguments=["/definitely/missing"])
    assert r["result"]["exit_code"] != 0 and r["result"]["stderr"]


def test_stdin_cwd_env(proc):
    assert proc.ok("process-executor", executable="cat", stdin="piped")["result"]["stdout"] == (
        "piped"
    )
    (proc.root / "sub").mkdir()
    r = proc.ok("process-executor", executable="pwd", working_directory="sub")
    assert r["result"]["stdout"].strip() == str(proc.root / "sub")
    r = proc.ok("process-executor", executable="env", environment={"GREETING": "hi"})
    assert "GREETING=hi" in r["result"]["stdout"]


def test_output_cap(proc, monkeypatch):
    monkeypatch.setattr(process_executor, "MAX_OUTPUT_BYTES", 10)
    (proc.root / "big.txt").write_text("y" * 1000)
    r = proc.ok("process-executor", executable="cat", arguments=["big.txt"])
    assert r["result"]["stdout"] == "y" * 10 and r["result"]["stdout_truncated"] is True


def test_missing_working_directory(proc):
    assert (
        proc.failed("process-executor", executable="echo", working_directory="nope")["error_kind"]
        == "NotFoundError"
    )
