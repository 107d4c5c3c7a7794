"""process-executor: run an allowlisted command (never through a shell).

The executable must pass the policy (``[security] allow_process`` and
``allowed_commands``). A path-qualified executable (``./x``, ``/usr/bin/x``) is accepted
only when that exact string is allowlisted or it is the same file the bare name finds on
PATH, so a binary named like an allowed command elsewhere cannot slip through. The child
gets a minimal environment (no inherited secrets) plus ``environment``; loader variables
(LD_*, DYLD_*) are refused. Output is capped; on timeout the whole process group is
killed and the result is ``success=false``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

from llmspell.errors import SecurityError
from llmspell.tools import Tool
from llmspell_tools._support import fail, output, resolve

DEFAULT_TIMEOUT_MS = 30_000
MAX_TIMEOUT_MS = 300_000
#: bytes of stdout / stderr kept (the rest is read and discarded)
MAX_OUTPUT_BYTES = 1024 * 1024
MAX_ARGUMENTS = 1_000
#: variables passed through from the host environment (nothing else is inherited)
BASE_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR", "TERM", "USER")
_FORBIDDEN_ENV = ("LD_", "DYLD_", "BASH_FUNC_")
_FORBIDDEN_ENV_NAMES = ("BASH_ENV", "ENV", "IFS", "PYTHONSTARTUP", "PERL5OPT", "NODE_OPTIONS")


def resolve_executable(ctx: Any, executable: str) -> str:
    """The full path of an allowlisted executable (SecurityError when denied)."""
    found: str = ctx.policy.resolve_command(executable)
    if os.sep in executable or (os.altsep and os.altsep in executable):
        allowed = list(ctx.policy.allowed_commands)
        by_name = shutil.which(Path(executable).name)
        same = by_name is not None and os.path.realpath(by_name) == os.path.realpath(found)
        if executable not in allowed and not same:
            raise SecurityError(
                f"command {executable!r} is not the allowlisted "
                f"{Path(executable).name!r} found on PATH",
                hint="allowlist the exact path in [security] allowed_commands",
            )
    return found


def _environment(extra: dict[str, Any]) -> dict[str, str]:
    env = {k: os.environ[k] for k in BASE_ENV if k in os.environ}
    for key, value in extra.items():
        if key.startswith(_FORBIDDEN_ENV) or key in _FORBIDDEN_ENV_NAMES or "=" in key or not key:
            raise SecurityError(f"environment variable {key!r} may not be set for a process")
        env[key] = str(value)
    return env


def _drain(stream: IO[bytes], keep: bytearray, flags: dict[str, bool], key: str) -> None:
    while chunk := stream.read(65536):
        room = MAX_OUTPUT_BYTES - len(keep)
        if room > 0:
            keep.extend(chunk[:room])
        if len(chunk) > room:
            flags[key] = True
    stream.close()


def _feed(stream: IO[bytes], data: bytes) -> None:
    try:
        stream.write(data)
    except (BrokenPipeError, OSError):
        pass
    finally:
        with contextlib.suppress(OSError):
            stream.close()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Run the command and return its exit code and (capped) output."""
    executable = params["executable"]
    arguments = [str(a) for a in params.get("arguments") or []]
    if len(arguments) > MAX_ARGUMENTS:
        fail(f"more than {MAX_ARGUMENTS} arguments", kind="ValidationError")
    if any("\x00" in a for a in arguments):
        fail("arguments may not contain NUL characters", kind="ValidationError")
    command = resolve_executable(ctx, executable)
    workdir = resolve(ctx, params.get("working_directory") or ctx.policy.cwd,
                      what="working_directory")  # fmt: skip
    if not workdir.is_dir():
        fail(f"working directory {str(workdir)!r} does not exist", kind="NotFoundError")
    env = _environment(params.get("environment") or {})
    stdin_text = params.get("stdin")
    stdin = stdin_text.encode("utf-8") if stdin_text is not None else None
    if stdin is not None:
        ctx.policy.check_size(len(stdin), what="stdin")
    timeout_ms = min(int(params.get("timeout_ms", DEFAULT_TIMEOUT_MS)), MAX_TIMEOUT_MS)

    start = time.monotonic()
    try:
        proc = subprocess.Popen(  # no shell; an allowlisted absolute path
            [command, *arguments],
            cwd=workdir,
            env=env,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            shell=False,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        fail(f"cannot start {executable!r}: {exc.strerror or exc}")
    out, err = bytearray(), bytearray()
    flags = {"stdout": False, "stderr": False}
    assert proc.stdout is not None and proc.stderr is not None
    threads = [
        threading.Thread(target=_drain, args=(proc.stdout, out, flags, "stdout"), daemon=True),
        threading.Thread(target=_drain, args=(proc.stderr, err, flags, "stderr"), daemon=True),
    ]
    if stdin is not None:
        assert proc.stdin is not None
        threads.append(threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True))
    for t in threads:
        t.start()
    try:
        code = proc.wait(timeout=timeout_ms / 1000)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.wait()
        for t in threads:
            t.join(timeout=1)
        fail(f"{executable!r} timed out after {timeout_ms} ms and was killed",
             kind="TimeoutError")  # fmt: skip
    except BaseException:
        _kill(proc)
        proc.wait()
        raise
    for t in threads:
        t.join(timeout=5)
    stdout = out.decode("utf-8", errors="replace")
    stderr = err.decode("utf-8", errors="replace")
    return output(
        {
            "exit_code": code,
            "stdout": stdout,
            "stderr": stderr,
            "stdout_truncated": flags["stdout"],
            "stderr_truncated": flags["stderr"],
            "command": command,
            # rs-llmspell's names: executable, arguments, success
            "executable": executable,
            "arguments": arguments,
            "success": code == 0,
            "duration_ms": round((time.monotonic() - start) * 1000, 3),
        },
        text=stdout,
    )


TOOL = Tool(
    name="process-executor",
    description="Run an allowlisted executable with arguments (no shell), with a timeout "
    "and capped output; returns exit_code, stdout and stderr.",
    category="system",
    handler=run,
    timeout_seconds=MAX_TIMEOUT_MS / 1000 + 10,
    security=("files", "process"),
    tags=("process", "command", "system"),
    parameters={
        "type": "object",
        "properties": {
            "executable": {"type": "string", "minLength": 1},
            "arguments": {"type": "array", "items": {"type": "string"}},
            "working_directory": {"type": "string"},
            "environment": {"type": "object", "additionalProperties": {"type": "string"}},
            "timeout_ms": {"type": "integer", "minimum": 1, "maximum": MAX_TIMEOUT_MS},
            "stdin": {"type": "string"},
        },
        "required": ["executable"],
        "additionalProperties": False,
    },
)
