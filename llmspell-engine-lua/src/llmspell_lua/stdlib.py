"""The host side of the Lua standard library a spell gets inside the sandbox: ``arg``,
``os.exit``, ``os.getenv``, and the Lua source files ``dofile``, ``loadfile`` and
``require`` read (through the same file policy as the file tools; see
``docs/security.md``). The ``io`` library is :mod:`llmspell_lua.files`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmspell.errors import LLMSpellError, SecurityError, SpellExit, ValidationError

if TYPE_CHECKING:
    from llmspell_lua.engine import LuaEngine

__all__ = ["LuaStdlib"]

#: the most module search-path templates one ``require`` tries
MAX_TEMPLATES = 64


class LuaStdlib:
    """``os.exit``, ``os.getenv`` and Lua source files for one run."""

    def __init__(self, engine: LuaEngine) -> None:
        self.engine = engine

    # -- arg ---------------------------------------------------------------------------

    def arg_table(self) -> dict[int, str]:
        """Lua's ``arg``: ``[0]`` the script, ``[1..n]`` the positional arguments (the
        same values as ``ARGS``; ``--k v`` options are only in ``ARGS``)."""
        return {k: str(v) for k, v in self.engine.session.args.items() if type(k) is int}

    # -- os ----------------------------------------------------------------------------

    def exit(self, code: Any) -> str:
        """``os.exit(code)``: stop the run with :class:`SpellExit` (no ``pcall`` can
        swallow it) and return the message the prelude raises."""
        if code is None or code is True:
            value = 0
        elif code is False:
            value = 1
        elif isinstance(code, float) and code.is_integer():
            value = int(code)
        elif isinstance(code, int):
            value = code
        else:
            raise ValidationError(
                f"os.exit: the exit code must be true, false or an integer 0-255, got {code!r}"
            )
        if not 0 <= value <= 255:
            raise ValidationError(f"os.exit: the exit code must be 0-255, got {value}")
        err = SpellExit(value)
        self.engine.session.stop(err)
        self.engine.exiting(err)
        return err.script_message()

    def getenv(self, name: Any) -> str | None:
        """``os.getenv(name)``: the value of a variable ``[security] env_allowlist``
        lists, None for any other (and always for credentials)."""
        if not isinstance(name, str):
            raise ValidationError(
                f"os.getenv: the name must be a string, got {type(name).__name__}"
            )
        return self.engine.session.policy.getenv(name)

    # -- Lua source files ----------------------------------------------------------------

    def source(self, path: Any, what: str) -> tuple[str, str]:
        """``(chunk name, text)`` of the Lua source file ``path`` (``dofile``,
        ``loadfile``), read through the file policy. Raises SecurityError outside the
        allowed paths, NotFound-style ScriptErrors for missing or unreadable files."""
        if not isinstance(path, str):
            raise ValidationError(f"{what}: the file name must be a string")
        real = self.engine.session.policy.resolve_path(path, what="path")
        return path, self._read(real, path, what)

    def search(self, name: Any, path_spec: Any) -> tuple[Any, ...]:
        """``require``'s search: ``(True, chunk name, text)`` for the first file of
        ``package.path`` (``?`` replaced by ``name`` with dots as directory separators)
        that exists inside the allowed paths, else ``(False, message)`` listing what was
        tried, as Lua does."""
        if not isinstance(name, str) or not name:
            raise ValidationError("require: the module name must be a non-empty string")
        if not isinstance(path_spec, str):
            raise ValidationError("require: package.path must be a string")
        parts = name.split(".")
        if any(not p or p.startswith("/") or "\\" in p or "\x00" in p for p in parts):
            raise ValidationError(
                f"require: invalid module name {name!r} (dotted names such as 'lib.util' "
                "find lib/util.lua; a name has no empty parts or path separators at the start)"
            )
        stem = name.replace(".", "/")
        tried: list[str] = []
        policy = self.engine.session.policy
        templates = [t for t in path_spec.split(";") if t]
        for template in templates[:MAX_TEMPLATES]:
            candidate = template.replace("?", stem)
            try:
                real = policy.resolve_path(candidate, what="path")
            except SecurityError:
                tried.append(f"\n\tno file '{candidate}' (outside the allowed paths)")
                continue
            if _is_file(real):
                return True, candidate, self._read(real, candidate, "require")
            tried.append(f"\n\tno file '{candidate}'")
        return False, f"module '{name}' not found:" + "".join(tried)

    def default_path(self) -> str:
        """``package.path``: ``?.lua`` and ``?/init.lua`` in the spell's directory, the
        working directory and each allowed path that is not world-writable (anyone could
        plant a module in the temporary directory; a spell may add it itself)."""
        session = self.engine.session
        policy = session.policy
        bases: list[str] = []
        script = session.script_path
        if script is not None:
            folder = os.path.dirname(str(script))
            bases.append(folder + "/" if folder else "./")
        bases.append("./")
        for root in policy.allowed_paths:
            if _world_writable(root):
                continue
            shown = _shown(root, policy.cwd)
            bases.append(shown if shown.endswith("/") else shown + "/")
        seen: list[str] = []
        for base in bases:
            if base not in seen:
                seen.append(base)
        return ";".join(f"{b}?.lua;{b}?/init.lua" for b in seen)

    def _read(self, real: Path, shown: str, what: str) -> str:
        policy = self.engine.session.policy
        try:
            if not real.is_file():
                raise ValidationError(f"{what}: cannot open '{shown}' (no such file)")
            size = real.stat().st_size
            policy.check_size(size, what=f"{what}: '{shown}'")
            data = real.read_bytes()
        except LLMSpellError:
            raise
        except OSError as exc:
            raise ValidationError(f"{what}: cannot read '{shown}': {exc.strerror}") from None
        policy.check_size(len(data), what=f"{what}: '{shown}'")
        self.engine.session.check_host_bytes(len(data), f"{what}: '{shown}'")
        if data.startswith(b"\x1bLua"):
            raise SecurityError(
                f"{what}: '{shown}' is a precompiled (binary) chunk; only Lua source runs "
                "in a spell",
                hint="load the .lua source instead",
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"{what}: '{shown}' is not UTF-8 text (byte {exc.start}); save it as UTF-8"
            ) from None
        if text.startswith("#"):  # a shebang line, as lua's loadfile skips it
            text = "--" + text
        return text


def _world_writable(path: Path) -> bool:
    """Whether anyone may create files in directory ``path`` (``/tmp``)."""
    try:
        return bool(path.stat().st_mode & stat.S_IWOTH)
    except OSError:
        return True


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a regular file (False for a name the system refuses)."""
    try:
        return path.is_file()
    except OSError:
        return False


def _shown(root: Path, cwd: Path) -> str:
    """An allowed root as package.path shows it: relative to the working directory when
    inside it."""
    if root == cwd:
        return "./"
    if root.is_relative_to(cwd):
        return "./" + str(root.relative_to(cwd))
    return str(root)
