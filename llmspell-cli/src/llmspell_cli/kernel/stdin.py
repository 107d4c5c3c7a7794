"""Standard input in the kernel: Lua's ``io.read`` asks the front end.

In ``llmspell run`` and the REPL, ``io.read`` reads the process's standard input. A
kernel's standard input is a pipe nothing writes to, so the kernel process gets a
:class:`KernelStdin` instead: each time ``io.read`` needs more input, the front end is
sent an ``input_request`` (the notebook shows an input box) and the answer, with a
newline, is what is read. A front end that does not allow input (``allow_stdin``
false), and an answer of ``\\x04`` (Ctrl-D), are the end of input: ``io.read`` returns
nil. What a cell leaves unread of its answers is dropped when the next cell starts.
While it waits for the answer the cell's wall-time limit and the notebook's
Interrupt still end the cell (the same ``stop_error`` check as
``llmspell_lua.stdin``). JavaScript spells have no way to read standard input.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llmspell_cli.kernel.kernel import LLMSpellKernel

__all__ = ["KernelStdin", "request_input"]

#: how long one wait for the answer lasts before the limits are checked again (seconds)
POLL_SECONDS = 0.05


class KernelStdin:
    """The kernel process's ``sys.stdin``: no descriptor; ``buffer`` asks the front end."""

    encoding = "utf-8"

    def __init__(self, kernel: LLMSpellKernel) -> None:
        self.buffer = InputReader(kernel)

    def reset(self) -> None:
        """A new cell: forget the unread rest of earlier answers."""
        self.buffer.reset()

    def fileno(self) -> int:
        """No descriptor: readers take :attr:`buffer`."""
        raise io.UnsupportedOperation("the kernel's standard input has no descriptor")

    def isatty(self) -> bool:
        """Not a terminal."""
        return False

    def readline(self, limit: int = -1) -> str:
        """A line of text (Python code in the kernel process reading ``sys.stdin``)."""
        size = limit if limit is not None and limit >= 0 else 1 << 30
        return self.buffer.readline(size).decode("utf-8", "replace")


class InputReader:
    """Bytes from the front end's answers: ``read``, ``readline`` and ``peek``, each
    asking for one more answer when what was answered before is used up."""

    def __init__(self, kernel: LLMSpellKernel) -> None:
        self.kernel = kernel
        self.buf = bytearray()

    def reset(self) -> None:
        """Forget what an earlier cell's answers left unread (each cell starts afresh)."""
        self.buf.clear()

    def _ask(self) -> bool:
        """One more answer into the buffer; False at the end of input."""
        value = self.kernel.ask_input()
        if value is None:
            return False
        self.buf += value.encode("utf-8") + b"\n"
        return True

    def read(self, n: int) -> bytes:
        """Up to ``n`` bytes: what is buffered, else one answer (``io.read("a")`` and a
        count read what one answer gives)."""
        if not self.buf and n > 0:
            self._ask()
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def readline(self, limit: int) -> bytes:
        """One line with its newline, at most ``limit`` bytes (b"" at the end)."""
        if b"\n" not in self.buf and len(self.buf) < limit:
            self._ask()
        i = self.buf.find(b"\n")
        end = min(i + 1 if i >= 0 else len(self.buf), limit)
        out = bytes(self.buf[:end])
        del self.buf[:end]
        return out

    def peek(self, n: int = 1) -> bytes:
        """The next bytes without consuming them (b"" at the end)."""
        if not self.buf:
            self._ask()
        return bytes(self.buf[:n])


def request_input(kernel: LLMSpellKernel, prompt: str, stop_error: Any) -> str | None:
    """Send an ``input_request`` for the cell being run and wait for the answer, as
    ipykernel's ``raw_input`` does, but checking ``stop_error()`` (the cell's wall-time
    limit, an interrupt) between waits and raising what it returns. None for Ctrl-D."""
    import zmq

    sock = kernel.stdin_socket
    while True:  # answers to an earlier, abandoned request
        try:
            sock.recv_multipart(zmq.NOBLOCK)
        except zmq.ZMQError as exc:
            if exc.errno == zmq.EAGAIN:
                break
            raise
    ident = kernel._get_shell_context_var(kernel._shell_parent_ident)
    parent = kernel.get_parent("shell")  # type: ignore[no-untyped-call]
    session = kernel.session
    if session is None:  # pragma: no cover - a kernel always has one once started
        return None
    content = {"prompt": prompt, "password": False}
    session.send(sock, "input_request", content, parent, ident=ident)
    while True:
        err = stop_error()
        if err is not None:
            raise err
        readable, _, broken = zmq.select([sock], [], [sock], POLL_SECONDS)
        if readable or broken:
            _, reply = session.recv(sock)
            if reply is not None:
                break
    value = reply.get("content", {}).get("value", "")
    if not isinstance(value, str) or value == "\x04":
        return None
    return value
