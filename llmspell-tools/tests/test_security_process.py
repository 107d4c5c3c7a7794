"""process-executor under the policy: disabled, non-allowlisted and disguised commands
are SecurityErrors and nothing runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from llmspell.errors import SecurityError


@pytest.fixture
def proc_tools(tools):
    """The sandbox runtime with process execution allowed for ``echo`` and ``cat``."""
    policy = tools.runtime.policy
    policy.allow_process = True
    policy.allowed_commands = ["echo", "cat", "sleep"]
    return tools


def test_process_disabled_by_default(tools):
    with pytest.raises(SecurityError, match="not allowed"):
        tools("process-executor", executable="echo", arguments=["hi"])


def test_not_allowlisted_command(proc_tools):
    marker = proc_tools.root / "ran"
    with pytest.raises(SecurityError, match="allowlist"):
        proc_tools("process-executor", executable="touch", arguments=[str(marker)])
    with pytest.raises(SecurityError):
        proc_tools("process-executor", executable="sh", arguments=["-c", f"touch {marker}"])
    assert not marker.exists()


@pytest.mark.parametrize("how", ["symlink", "copy"])
def test_allowed_name_in_another_directory_refused(proc_tools, how):
    """`./echo` that is really /bin/sh must not run just because `echo` is allowed."""
    sh = shutil.which("sh")
    assert sh
    fake = proc_tools.root / "echo"
    if how == "symlink":
        fake.symlink_to(sh)
    else:
        shutil.copy(sh, fake)
    marker = proc_tools.root / "ran"
    for exe in ("./echo", str(fake), str(Path("..") / proc_tools.root.name / "echo")):
        with pytest.raises(SecurityError):
            proc_tools("process-executor", executable=exe, arguments=["-c", f"touch {marker}"])
    assert not marker.exists()


def test_real_path_of_allowed_command_accepted(proc_tools):
    echo = shutil.which("echo")
    assert echo
    r = proc_tools.ok("process-executor", executable=echo, arguments=["ok"])
    assert r["result"]["stdout"] == "ok\n"


def test_working_directory_outside_refused(proc_tools, tmp_path):
    with pytest.raises(SecurityError):
        proc_tools("process-executor", executable="echo", working_directory=str(tmp_path))
    with pytest.raises(SecurityError):
        proc_tools("process-executor", executable="echo", working_directory="/")


@pytest.mark.parametrize("name", ["LD_PRELOAD", "LD_LIBRARY_PATH", "DYLD_INSERT_LIBRARIES",
                                  "BASH_ENV"])  # fmt: skip
def test_loader_environment_refused(proc_tools, name):
    with pytest.raises(SecurityError):
        proc_tools("process-executor", executable="echo", environment={name: "/tmp/x.so"})


def test_no_shell_interpretation(proc_tools):
    marker = proc_tools.root / "ran"
    r = proc_tools.ok("process-executor", executable="echo",
                      arguments=[f"; touch {marker}", "$(touch x)", "`id`"])  # fmt: skip
    assert r["result"]["stdout"] == f"; touch {marker} $(touch x) `id`\n"
    assert not marker.exists()
    assert not (proc_tools.root / "x").exists()


def test_secrets_not_inherited(proc_tools, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret")
    cat_env = shutil.which("env")
    assert cat_env
    proc_tools.runtime.policy.allowed_commands.append("env")
    r = proc_tools.ok("process-executor", executable="env", environment={"MINE": "1"})
    assert "sk-very-secret" not in r["result"]["stdout"]
    assert "MINE=1" in r["result"]["stdout"]


def test_timeout_kills_and_fails(proc_tools):
    import time

    start = time.monotonic()
    r = proc_tools.failed("process-executor", executable="sleep", arguments=["10"], timeout_ms=300)
    assert r["error_kind"] == "TimeoutError"
    assert "killed" in r["error"]
    assert time.monotonic() - start < 5
