"""Starting the llmspell Jupyter kernel in tests: its kernel spec installed by the real
``llmspell kernel install --prefix`` into a temporary Jupyter path, then started by
``jupyter_client`` as Jupyter starts it, with a blocking client to talk to it."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.e2e.conftest import COMMAND

#: seconds to wait for a kernel to start, and for one reply
START_TIMEOUT, REPLY_TIMEOUT = 60.0, 30.0


def install_spec(prefix: Path, engine: str, name: str, *extra: str) -> Path:
    """``llmspell kernel install --prefix PREFIX --engine ENGINE --name NAME ...``;
    returns the Jupyter data directory to put on ``JUPYTER_PATH``."""
    proc = subprocess.run(
        [*COMMAND, "kernel", "install", "--prefix", str(prefix), "--engine", engine,
         "--name", name, *extra],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return prefix / "share" / "jupyter"


@contextmanager
def jupyter_env(data_dir: Path) -> Iterator[None]:
    """``JUPYTER_PATH`` pointing at ``data_dir`` and a private runtime directory (for
    connection files) while the block runs."""
    names = ("JUPYTER_PATH", "JUPYTER_RUNTIME_DIR")
    saved = {k: os.environ.get(k) for k in names}
    with tempfile.TemporaryDirectory(prefix="llmspell-jupyter-rt-") as runtime_dir:
        os.environ["JUPYTER_PATH"] = str(data_dir)
        os.environ["JUPYTER_RUNTIME_DIR"] = runtime_dir
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


@dataclass
class Cell:
    """What one execute request gave: the reply and the IOPub messages it caused."""

    reply: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``ok`` or ``error``."""
        return str(self.reply["content"]["status"])

    def of(self, msg_type: str) -> list[dict[str, Any]]:
        """The contents of the IOPub messages of ``msg_type``."""
        return [m["content"] for m in self.messages if m["msg_type"] == msg_type]

    def stream(self, name: str) -> str:
        """Everything sent on the ``stdout`` or ``stderr`` stream."""
        return "".join(c["text"] for c in self.of("stream") if c["name"] == name)

    @property
    def result(self) -> dict[str, Any] | None:
        """The ``execute_result`` data, if any."""
        results = self.of("execute_result")
        return results[0]["data"] if results else None


class KernelSession:
    """A running kernel and a blocking client."""

    def __init__(self, kernel_name: str, cwd: Path | None = None) -> None:
        from jupyter_client.manager import start_new_kernel

        kwargs: dict[str, Any] = {"cwd": str(cwd)} if cwd else {}
        self.km, self.kc = start_new_kernel(
            kernel_name=kernel_name, startup_timeout=START_TIMEOUT, **kwargs
        )

    def execute(self, code: str, timeout: float = REPLY_TIMEOUT) -> Cell:
        """Run ``code``; the reply and every IOPub message up to the kernel's idle."""
        msg_id = self.kc.execute(code)
        return self.collect(msg_id, timeout)

    def collect(self, msg_id: str, timeout: float = REPLY_TIMEOUT) -> Cell:
        """The reply to ``msg_id`` and the IOPub messages it caused."""
        messages: list[dict[str, Any]] = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
            if msg["msg_type"] not in ("status", "execute_input"):
                messages.append(msg)
        reply = self.reply(msg_id, timeout)
        return Cell(reply, messages)

    def reply(self, msg_id: str, timeout: float = REPLY_TIMEOUT) -> dict[str, Any]:
        """The shell reply to ``msg_id``."""
        while True:
            msg = self.kc.get_shell_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") == msg_id:
                return dict(msg)

    def request(self, method: str, *args: Any) -> dict[str, Any]:
        """Send a shell request (``complete``, ``is_complete``, ``kernel_info``) and
        return its reply's content."""
        msg_id = getattr(self.kc, method)(*args)
        return dict(self.reply(msg_id)["content"])

    def close(self) -> None:
        """Stop the client and shut the kernel down."""
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)
