"""The stdio transport for MCP servers, with the limits an untrusted server needs.

The SDK's ``stdio_client`` buffers a stdout line without bound and hands the server's
stderr to ours. This one (same message framing and shutdown order: close stdin, wait,
kill the process group) caps one message at ``max_message_bytes`` (a longer one ends
the connection with an error saying so), remembers the first non-JSON-RPC line a server
printed on stdout, and keeps only the last few KiB of its stderr for error messages.
Imported when a stdio server starts (it imports anyio and the SDK).
"""

from __future__ import annotations

import asyncio
import collections
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import anyio
import anyio.lowlevel
import mcp_types as types
from anyio.abc import Process
from mcp.client.stdio import get_default_environment
from mcp.os.posix.utilities import terminate_posix_process_tree
from mcp.shared.message import SessionMessage

__all__ = ["ProcessState", "stdio_transport"]

_STDERR_TAIL = 4096
_EXIT_GRACE = 2.0
_KILL_GRACE = 2.0


class ProcessState:
    """What the connection knows about its server process: alive or not, why the
    transport failed, stderr's tail, the first garbage line on stdout."""

    def __init__(self) -> None:
        self.process: Process | None = None
        self.failure: str | None = None
        self.garbage: str | None = None
        self._tail: collections.deque[bytes] = collections.deque()
        self._tail_size = 0
        self._lock = threading.Lock()
        #: set when the server's stdout ends or the connection is being stopped
        self.closed = asyncio.Event()

    @property
    def returncode(self) -> int | None:
        """The exit status once the process ended, else None."""
        return None if self.process is None else self.process.returncode

    def add_stderr(self, chunk: bytes) -> None:
        """Keep the last :data:`_STDERR_TAIL` bytes of stderr."""
        with self._lock:
            self._tail.append(chunk)
            self._tail_size += len(chunk)
            while self._tail_size - len(self._tail[0]) >= _STDERR_TAIL:
                self._tail_size -= len(self._tail.popleft())

    def stderr_tail(self, limit: int = 600) -> str:
        """The end of what the server wrote on stderr (control characters removed)."""
        with self._lock:
            text = b"".join(self._tail).decode("utf-8", "replace")
        text = "".join(c if c.isprintable() or c == "\n" else " " for c in text).strip()
        return text[-limit:]

    def explain(self) -> str:
        """A sentence or two on why the server is gone, for error messages."""
        parts = []
        if self.failure:
            parts.append(self.failure)
        code = self.returncode
        if code is not None:
            parts.append(f"it exited with status {code}")
        if self.garbage:
            parts.append(f"it printed non-JSON-RPC output on stdout: {self.garbage!r}")
        tail = self.stderr_tail()
        if tail:
            parts.append(f"its stderr ends with: {tail}")
        return "; ".join(parts)


def _pump_stderr(fd: int, state: ProcessState) -> None:
    with open(fd, "rb", buffering=0) as stream:
        while chunk := stream.read(4096):
            state.add_stderr(chunk)


def _printable(line: bytes) -> str:
    text = line[:120].decode("utf-8", "replace")
    return "".join(c if c.isprintable() else "?" for c in text)


@asynccontextmanager
async def stdio_transport(
    command: str,
    args: list[str],
    env: dict[str, str],
    cwd: str | None,
    max_message_bytes: int,
    state: ProcessState,
) -> AsyncIterator[tuple[Any, Any]]:
    """Start ``command`` with a minimal environment (PATH, HOME, USER, LOGNAME, SHELL,
    TERM) plus ``env`` and yield the (read, write) message streams of its stdio."""
    read_fd, write_fd = os.pipe()
    try:
        process = await anyio.open_process(
            [command, *args],
            env=get_default_environment() | env,
            stderr=write_fd,
            cwd=cwd,
            start_new_session=True,
        )
    except BaseException:
        os.close(read_fd)
        os.close(write_fd)
        raise
    os.close(write_fd)
    state.process = process
    threading.Thread(
        target=_pump_stderr, args=(read_fd, state), daemon=True, name="llmspell-mcp-stderr"
    ).start()

    read_writer, read_stream = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_stream, write_reader = anyio.create_memory_object_stream[SessionMessage](0)

    async def stdout_reader() -> None:
        assert process.stdout is not None
        buffer = b""
        try:
            async with read_writer:
                async for chunk in process.stdout:
                    buffer += chunk
                    *lines, buffer = buffer.split(b"\n")
                    if len(buffer) > max_message_bytes:
                        state.failure = (
                            f"it sent a message over the limit of {max_message_bytes} bytes "
                            "(max_message_bytes)"
                        )
                        return
                    for line in lines:
                        if len(line) > max_message_bytes:
                            state.failure = (
                                f"it sent a message over the limit of {max_message_bytes} "
                                "bytes (max_message_bytes)"
                            )
                            return
                        if not line.strip():
                            continue
                        try:
                            message = types.jsonrpc_message_adapter.validate_json(
                                line, by_name=False
                            )
                        except ValueError:
                            if state.garbage is None:
                                state.garbage = _printable(line)
                            continue
                        await read_writer.send(SessionMessage(message))
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
            pass
        finally:
            state.closed.set()

    async def stdin_writer() -> None:
        assert process.stdin is not None
        try:
            async with write_reader:
                async for message in write_reader:
                    data = message.message.model_dump_json(by_alias=True, exclude_unset=True)
                    await process.stdin.send((data + "\n").encode())
        except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
            await read_writer.aclose()

    async with anyio.create_task_group() as tg:
        tg.start_soon(stdout_reader)
        tg.start_soon(stdin_writer)
        try:
            yield read_stream, write_stream
        finally:
            with anyio.CancelScope(shield=True):
                await _stop(process)
                for stream in (read_stream, write_stream, read_writer, write_reader):
                    await stream.aclose()
            tg.cancel_scope.cancel()


async def _stop(process: Process) -> None:
    """Close stdin; after a grace period kill the server's process group."""
    assert process.stdin is not None
    with suppress(OSError, anyio.BrokenResourceError, anyio.ClosedResourceError):
        await process.stdin.aclose()
    if not await _exited(process, _EXIT_GRACE):
        with suppress(ProcessLookupError, OSError):
            await terminate_posix_process_tree(process, _KILL_GRACE)
        await _exited(process, _KILL_GRACE)
    if process.stdout is not None:
        with suppress(OSError, anyio.BrokenResourceError, anyio.ClosedResourceError):
            await process.stdout.aclose()
    transport = getattr(getattr(process, "_process", None), "_transport", None)
    close = getattr(transport, "close", None)
    if callable(close):
        with suppress(PermissionError):
            close()


async def _exited(process: Process, timeout: float) -> bool:
    with anyio.move_on_after(timeout):
        while process.returncode is None:
            await anyio.sleep(0.01)
        return True
    return False
