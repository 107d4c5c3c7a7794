"""Helpers shared by the tools: failures, operations, policy-checked files, atomic writes,
cooperative cancellation (:func:`check`) and limits (:func:`limit`, :func:`over_limit`)."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn

from llmspell.errors import ConfigurationError
from llmspell.tools import ToolFailure, ToolOutput, current_call

__all__ = [
    "UserRegex",
    "atomic_write",
    "check",
    "dispatch",
    "fail",
    "limit",
    "output",
    "over_limit",
    "read_bytes",
    "read_text",
    "remaining",
    "resolve",
    "user_search",
]

#: the longest a user-supplied regular expression may spend matching, per tool call
REGEX_SECONDS = 3.0


def check() -> None:
    """Stop the tool now if its call must end: the tool timeout passed, the run's deadline
    passed or the run was stopped, or the call was cancelled. Call it inside every loop
    that may run long (per chunk, per line, per file, per item); it costs well under a
    microsecond. Outside a tool call (a handler called directly) it does nothing."""
    scope = current_call()
    if scope is not None:
        scope.check()


def remaining(default: float = float("inf")) -> float:
    """Seconds left before the current call must end (its tool timeout or the run's
    deadline); ``default`` outside a tool call."""
    scope = current_call()
    return default if scope is None else scope.remaining()


def limit(ctx: Any, tool: str, key: str, default: int) -> int:
    """The positive integer setting ``[tools.TOOL] KEY`` of llmspell.toml, else ``default``."""
    settings = getattr(ctx, "settings", None)
    table = getattr(settings, "tools", None) or {}
    value = (table.get(tool) or {}).get(key, default) if isinstance(table, Mapping) else default
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"[tools.{tool}] {key} must be a positive integer, not {value!r}")
    return value


def over_limit(
    what: str, cap: int | str, *, setting: str, operation: str | None = None
) -> NoReturn:
    """End the tool with ``success=false``, ``error_kind = "LimitExceeded"``: ``what``
    exceeds ``cap``; ``setting`` says how to raise it (``[tools.NAME] key`` or
    ``[security] max_input_bytes``)."""
    fail(
        f"{what} exceeds the limit of {cap} (raise it with {setting})",
        kind="LimitExceeded",
        operation=operation,
    )


def fail(message: str, *, kind: str = "ToolError", operation: str | None = None) -> NoReturn:
    """End the tool with ``success=false`` and ``message`` (the tool failed doing its job)."""
    raise ToolFailure(message, kind=kind, operation=operation)


def output(result: Any = None, text: str | None = None, **metadata: Any) -> ToolOutput:
    """A ToolOutput with ``result``, optional ``text`` and metadata."""
    return ToolOutput(result=result, text=text, metadata=dict(metadata))


def dispatch(
    params: Mapping[str, Any],
    operations: Mapping[str, Callable[..., Any]],
    *args: Any,
    default: str | None = None,
    aliases: Mapping[str, str] | None = None,
) -> Any:
    """Call the handler of ``params["operation"]`` (or ``default``) with ``*args``.

    The schema already restricts ``operation`` to known names; aliases map extra names
    (``ls`` → ``list_dir``) onto them.
    """
    name = params.get("operation") or default
    if name is None:
        fail("no operation given", kind="ValidationError")
    name = (aliases or {}).get(name, name)
    handler = operations.get(name)
    if handler is None:
        fail(f"unknown operation {name!r} (known: {', '.join(operations)})", kind="ValidationError")
    return handler(*args)


def resolve(ctx: Any, path: str | os.PathLike[str], *, what: str = "path") -> Path:
    """``path`` resolved under the security policy (SecurityError when outside)."""
    real: Path = ctx.policy.resolve_path(path, what=what)
    return real


def read_bytes(ctx: Any, path: str | os.PathLike[str], *, what: str = "file") -> bytes:
    """The bytes of a policy-checked file, refusing files over the input-size cap."""
    real = resolve(ctx, path, what=what)
    if not real.exists():
        fail(f"{what} {os.fspath(path)!r} does not exist", kind="NotFoundError")
    if not real.is_file():
        fail(f"{what} {os.fspath(path)!r} is not a regular file")
    ctx.policy.check_size(real.stat().st_size, what=f"{what} {os.fspath(path)!r}")
    return real.read_bytes()


def read_text(
    ctx: Any, path: str | os.PathLike[str], *, encoding: str = "utf-8", what: str = "file"
) -> str:
    """The text of a policy-checked file (decoding errors are a clear failure)."""
    data = read_bytes(ctx, path, what=what)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        fail(f"{what} {os.fspath(path)!r} is not valid {encoding} text (byte {exc.start})")
    except LookupError:
        fail(f"unknown encoding {encoding!r}", kind="ValidationError")


def atomic_write(
    ctx: Any, path: str | os.PathLike[str], data: bytes | str, *, append: bool = False
) -> Path:
    """Write ``data`` to a policy-checked path atomically: a temporary file in the same
    directory, flushed and fsynced, then renamed over the target. A failure leaves the
    old file (or no file) — never a half-written one. Returns the real path."""
    real = resolve(ctx, path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if append and real.exists():
        data = real.read_bytes() + data
    real.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if real.exists():
            os.chmod(tmp, real.stat().st_mode & 0o7777)
        os.replace(tmp, real)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return real


class UserRegex:
    """A user- or model-supplied regular expression, matched by the ``regex`` engine with
    a timeout (and the GIL released): a catastrophically backtracking pattern such as
    ``a*a*a*a*a*a*c`` on a long line ends as ``LimitExceeded`` after at most ``seconds``
    of matching in all (less when the call's deadline is nearer), instead of holding the
    interpreter for minutes. Same syntax as :mod:`re`."""

    def __init__(
        self, pattern: str, *, ignore_case: bool = False, multiline: bool = False,
        seconds: float = REGEX_SECONDS,
    ) -> None:  # fmt: skip
        import regex  # type: ignore[import-untyped]  # (no stubs; root mypy config not ours)

        flags = (regex.IGNORECASE if ignore_case else 0) | (regex.MULTILINE if multiline else 0)
        try:
            self.compiled = regex.compile(pattern, flags)
        except (regex.error, ValueError, TypeError) as exc:
            fail(
                f"invalid regular expression {pattern!r} (regex syntax): {exc}",
                kind="ValidationError",
            )
        self.pattern = pattern
        self.seconds = min(seconds, max(remaining(seconds), 0.0))
        self.deadline = time.monotonic() + self.seconds

    def _left(self) -> float:
        left = min(self.deadline - time.monotonic(), remaining(self.seconds))
        if left <= 0:
            self._timed_out()
        return left

    def _timed_out(self) -> NoReturn:
        check()  # the call's own deadline first
        fail(
            f"matching the regular expression {self.pattern[:100]!r} took longer than "
            f"{self.seconds:g} s (a backtracking pattern? simplify it, e.g. a*a*c → a*c)",
            kind="LimitExceeded",
        )

    def search(self, text: str, pos: int = 0) -> Any:
        """``regex.search`` within the time budget."""
        try:
            return self.compiled.search(text, pos, concurrent=True, timeout=self._left())
        except TimeoutError:
            self._timed_out()

    def sub(self, repl: str, text: str, count: int = 0) -> str:
        """``regex.sub`` within the time budget."""
        try:
            result: str = self.compiled.sub(
                repl, text, count=count, concurrent=True, timeout=self._left()
            )
        except TimeoutError:
            self._timed_out()
        return result


def user_search(pattern: str, text: str) -> bool:
    """Whether the user-supplied ``pattern`` matches somewhere in ``text`` (through
    :class:`UserRegex`: bounded in time, ``LimitExceeded`` past it). The ``search``
    of :func:`llmspell.schema.bounded_validator` for schemas given to tools."""
    return UserRegex(pattern).search(text) is not None
