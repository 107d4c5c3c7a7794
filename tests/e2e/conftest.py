"""The ``cli`` fixture of the end-to-end tests: the real ``llmspell`` command in a
subprocess, in ``tmp_path``, with a private ``LLMSPELL_HOME`` and ``HOME``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

_SCRIPT = Path(sys.executable).parent / ("llmspell.exe" if os.name == "nt" else "llmspell")
COMMAND = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "llmspell_cli.main"]


class CLI:
    """Runs ``llmspell`` in ``cwd`` with an isolated environment."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.home = cwd / "llmspell-home"
        # the caller's LLMSPELL_* settings are dropped, except the plugin allowlist (the
        # test session loads only this workspace's plugins)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("LLMSPELL_") or k == "LLMSPELL_LOAD_PLUGINS"
        }
        env.update(
            LLMSPELL_HOME=str(self.home),
            HOME=str(cwd),
            COLUMNS="200",
            NO_COLOR="1",
            PYTHONIOENCODING="utf-8",
        )
        self.env = env

    def __call__(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        timeout: float = 60,
        stdin: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``llmspell *args``; ``env`` adds to (or overrides) the isolated environment;
        ``stdin`` is what the command reads on standard input (none by default)."""
        return subprocess.run(
            [*COMMAND, *args],
            cwd=self.cwd,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,
        )

    def write(self, name: str, text: str) -> Path:
        """Write a file under ``cwd`` (parents created); returns its path."""
        path = self.cwd / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    @staticmethod
    def explain(proc: subprocess.CompletedProcess[str]) -> str:
        """A failed run, for assertion messages: exit code, stdout and stderr."""
        return f"exit {proc.returncode}\n--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}"


@pytest.fixture
def cli(tmp_path: Path) -> CLI:
    """A :class:`CLI` working in ``tmp_path``."""
    return CLI(tmp_path)
