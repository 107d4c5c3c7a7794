"""The security policy tools run under (DESIGN.md §5).

File access only inside allowed roots (symlinks and ``..`` resolved before the check),
process execution only for allowlisted commands, network only when allowed, and caps on
input sizes. Every denial is a :class:`~llmspell.errors.SecurityError` that names what
was denied and the setting that would allow it, and touches nothing.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from llmspell.config import SecuritySettings
from llmspell.errors import SecurityError

__all__ = ["SecurityPolicy"]

#: the largest input a tool reads into memory by default (files, text, archives members)
DEFAULT_MAX_INPUT_BYTES = 50 * 1024 * 1024


@dataclass
class SecurityPolicy:
    """What tools may touch; built from ``[security]`` and the working directory."""

    allowed_paths: list[Path] = field(default_factory=list)
    allow_network: bool = False
    allowed_hosts: list[str] = field(default_factory=list)
    denied_hosts: list[str] = field(default_factory=list)
    allow_private_addresses: bool = False
    allow_process: bool = False
    allowed_commands: list[str] = field(default_factory=list)
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES
    cwd: Path = field(default_factory=Path.cwd)

    @classmethod
    def from_settings(cls, settings: SecuritySettings, cwd: Path | None = None) -> SecurityPolicy:
        """The policy of ``[security]``; relative allowed paths are taken from ``cwd``."""
        base = (cwd or Path.cwd()).resolve()
        roots = [(base / Path(p).expanduser()).resolve() for p in settings.allowed_paths]
        return cls(
            allowed_paths=roots,
            allow_network=settings.allow_network,
            allowed_hosts=list(settings.allowed_hosts),
            denied_hosts=list(settings.denied_hosts),
            allow_private_addresses=settings.allow_private_addresses,
            allow_process=settings.allow_process,
            allowed_commands=list(settings.allowed_commands),
            max_input_bytes=settings.max_input_bytes,
            cwd=base,
        )

    # -- files -----------------------------------------------------------------------

    def resolve_path(self, path: str | os.PathLike[str], *, what: str = "path") -> Path:
        """The real absolute path of ``path`` (relative to the working directory), with
        symlinks and ``..`` resolved, when it lies inside an allowed root.

        Raises SecurityError otherwise (also for a path whose existing parent is a link
        leading outside). The path itself need not exist.
        """
        raw = os.fspath(path)
        if not raw or "\x00" in raw:
            raise SecurityError(f"invalid {what}: {raw!r}")
        candidate = Path(raw).expanduser()
        if not candidate.is_absolute():
            candidate = self.cwd / candidate
        real = candidate.resolve(strict=False)
        for root in self.allowed_paths:
            if real == root or real.is_relative_to(root):
                return real
        roots = ", ".join(str(r) for r in self.allowed_paths) or "none"
        raise SecurityError(
            f"access to {raw!r} is denied: it resolves to {str(real)!r}, outside the allowed "
            f"paths ({roots})",
            hint="add the directory to [security] allowed_paths in llmspell.toml",
        )

    def check_size(self, size: int, *, what: str) -> None:
        """Raise SecurityError when ``size`` bytes exceed the input cap."""
        if size > self.max_input_bytes:
            raise SecurityError(
                f"{what} is {size} bytes, over the limit of {self.max_input_bytes} bytes",
                hint="process it in parts, or raise [security] max_input_bytes",
            )

    # -- processes ---------------------------------------------------------------------

    def resolve_command(self, executable: str) -> str:
        """The full path of an allowlisted command; SecurityError when not allowed."""
        if not self.allow_process:
            raise SecurityError(
                f"running processes is not allowed (asked to run {executable!r})",
                hint="set [security] allow_process = true and list the command in "
                "allowed_commands (or LLMSPELL_ALLOW_PROCESS=1)",
            )
        name = Path(executable).name
        if executable not in self.allowed_commands and name not in self.allowed_commands:
            allowed = ", ".join(self.allowed_commands) or "none"
            raise SecurityError(
                f"command {executable!r} is not in the allowlist (allowed: {allowed})",
                hint="add it to [security] allowed_commands in llmspell.toml",
            )
        found = shutil.which(executable)
        if found is None:
            raise SecurityError(f"command {executable!r} was not found on PATH")
        has_dir = os.sep in executable or bool(os.altsep and os.altsep in executable)
        if has_dir and executable not in self.allowed_commands:
            # only the name is allowlisted: it must be that command as found on PATH, not
            # another file of the same name (./echo that is really /bin/sh)
            on_path = shutil.which(name)
            if on_path is None or os.path.realpath(on_path) != os.path.realpath(found):
                raise SecurityError(
                    f"command {executable!r} is not the allowlisted {name!r} found on PATH",
                    hint="allowlist the full path in [security] allowed_commands to run it",
                )
        return found

    # -- network -----------------------------------------------------------------------

    def check_network(self, what: str) -> None:
        """Raise SecurityError unless network access is allowed."""
        if not self.allow_network:
            raise SecurityError(
                f"network access is not allowed ({what})",
                hint="set [security] allow_network = true, LLMSPELL_ALLOW_NETWORK=1 "
                "or pass --allow-net",
            )
