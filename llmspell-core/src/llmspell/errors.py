"""The llmspell error hierarchy (DESIGN.md §8).

Every error a spell can see is an :class:`LLMSpellError`; its ``kind`` is the name a
script sees (``ToolError: ...`` in Lua, ``err.name`` in JavaScript).
"""

from __future__ import annotations

import re
from typing import ClassVar, Self

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "Interrupted",
    "LLMSpellError",
    "LimitExceeded",
    "NotFoundError",
    "PluginError",
    "ProviderError",
    "RateLimitError",
    "ScriptError",
    "SecurityError",
    "SpellExit",
    "StateError",
    "TimeoutError",
    "ToolError",
    "UnavailableError",
    "ValidationError",
    "WorkflowError",
    "error_class_for_kind",
    "split_kind",
]


class LLMSpellError(Exception):
    """Base of every llmspell error; ``kind`` is the script-visible name."""

    kind: ClassVar[str] = "LLMSpellError"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        #: where in the spell the error surfaced (set by engines for uncaught errors)
        self.file: str | None = None
        self.line: int | None = None
        super().__init__(message)

    def at(self, file: str | None, line: int | None) -> Self:
        """Attach the spell location (``file:line``); returns self."""
        self.file, self.line = file, line
        return self

    def location(self) -> str:
        """``file:line`` (or just ``file``) where the error surfaced, or ``""``."""
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or ""

    def display(self) -> str:
        """The CLI form: ``file:line: Kind: message``."""
        loc = self.location()
        body = f"{self.kind}: {self}"
        return f"{loc}: {body}" if loc else body

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message

    def script_message(self) -> str:
        """The text scripts see: ``<Kind>: message``."""
        return f"{self.kind}: {self}"


class ValidationError(LLMSpellError):
    """Bad arguments or values: wrong type, missing field, schema violation."""

    kind = "ValidationError"


class ConfigurationError(LLMSpellError):
    """Invalid or missing configuration (config file, env var, CLI flag)."""

    kind = "ConfigurationError"


class ProviderError(LLMSpellError):
    """An LLM provider failed."""

    kind = "ProviderError"


class AuthenticationError(ProviderError):
    """The provider rejected or lacks credentials; the message names the env var."""

    kind = "AuthenticationError"


class RateLimitError(ProviderError):
    """The provider rate-limited the request and retries were exhausted."""

    kind = "RateLimitError"


class TimeoutError(ProviderError):
    """An operation ran past its timeout."""

    kind = "TimeoutError"


class UnavailableError(ProviderError):
    """The provider could not be reached."""

    kind = "ProviderError"


class ToolError(LLMSpellError):
    """A tool was misused or failed in a way that cannot be a ``success=false`` result."""

    kind = "ToolError"


class SecurityError(LLMSpellError):
    """The security policy denied an action (path, network, process)."""

    kind = "SecurityError"


class LimitExceeded(LLMSpellError):
    """A per-run limit (wall time, instructions, memory) was hit; names the limit."""

    kind = "LimitExceeded"

    def __init__(self, message: str, *, limit: str = "", hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.limit = limit


class Interrupted(LimitExceeded):
    """The run was stopped from outside (Ctrl-C, a cancelled service run). It ends the
    run like a limit does (no ``pcall``/``catch`` can swallow it); the CLI exits 130."""

    kind = "Interrupted"

    def __init__(self, message: str = "interrupted", *, hint: str | None = None) -> None:
        super().__init__(message, limit="interrupt", hint=hint)


class SpellExit(LimitExceeded):
    """The spell ended itself with an exit code (Lua's ``os.exit(code)``). It ends the
    run like a limit does (no ``pcall``, error strategy or hook can swallow it, output
    written so far stays written); the CLI exits with :attr:`code` and prints nothing.
    Library callers see it as this error and read :attr:`code`."""

    kind = "SpellExit"

    def __init__(self, code: int) -> None:
        super().__init__(f"the spell called os.exit({code})", limit="exit")
        self.code = code


class WorkflowError(LLMSpellError):
    """A workflow step failed under the fail_fast strategy, or the workflow is invalid."""

    kind = "WorkflowError"


class NotFoundError(LLMSpellError):
    """A named thing (tool, agent, engine, workflow) does not exist."""

    kind = "NotFoundError"


class StateError(LLMSpellError):
    """The state store failed (I/O, corruption, locked database)."""

    kind = "StateError"


class ScriptError(LLMSpellError):
    """An error raised by the spell itself (``error("...")`` / ``throw``) or a syntax error."""

    kind = "ScriptError"


class PluginError(LLMSpellError):
    """A plugin failed to load or registered something invalid."""

    kind = "PluginError"


_KINDS: dict[str, type[LLMSpellError]] = {
    cls.kind: cls
    for cls in (
        ValidationError,
        ConfigurationError,
        ProviderError,
        AuthenticationError,
        RateLimitError,
        TimeoutError,
        ToolError,
        SecurityError,
        LimitExceeded,
        Interrupted,
        WorkflowError,
        NotFoundError,
        StateError,
        ScriptError,
        PluginError,
    )
}

_KIND_PREFIX = re.compile(r"^([A-Z][A-Za-z]*(?:Error|Exceeded)|Interrupted): (.*)$", re.S)


def error_class_for_kind(kind: str) -> type[LLMSpellError] | None:
    """The error class whose script-visible kind is ``kind``, or None."""
    return _KINDS.get(kind)


def split_kind(text: str) -> tuple[str | None, str]:
    """Split ``"ToolError: msg"`` into ``("ToolError", "msg")``; unknown → ``(None, text)``."""
    m = _KIND_PREFIX.match(text)
    if m and m.group(1) in _KINDS:
        return m.group(1), m.group(2)
    return None, text
