"""What an MCP server is: a ``[mcp.servers.NAME]`` table or an ``MCP.connect`` spec,
validated (no ``mcp`` import here), and how its tools are named in the tool registry.

A server's tool ``TOOL`` is the llmspell tool ``NAME__TOOL`` (two underscores): a name
every provider accepts in an agent's tool list (``[a-zA-Z0-9_-]{1,64}``). Characters an
MCP tool name may have beyond those (``.``, ``/``) become ``_``; a name that would be
longer than 64 characters, or that clashes after that change, ends in a short hash of
the original.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from llmspell.errors import ConfigurationError, ValidationError

__all__ = [
    "SEPARATOR",
    "ServerSpec",
    "parse_spec",
    "server_table_problems",
    "split_tool_name",
    "tool_names",
]

SEPARATOR = "__"
#: a server name: letters and digits, single ``-`` or ``_`` between them (so the first
#: ``__`` of a tool name always ends the server name)
_NAME = re.compile(r"^[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*$")
_MAX_NAME = 32
_MAX_TOOL = 64
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_KEYS = (
    "command", "args", "env", "cwd", "url", "headers", "timeout_seconds",
    "startup_timeout_seconds", "max_output_bytes", "max_message_bytes", "description",
    "sampling", "sampling_max_tokens",
)  # fmt: skip
#: the largest ``sampling_max_tokens`` accepted
_MAX_SAMPLING_TOKENS = 1_000_000


@dataclass(frozen=True)
class ServerSpec:
    """One MCP server: a command (stdio) or a URL (streamable HTTP), and its limits."""

    name: str
    command: str | None = None
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: seconds one call (tools/call, resources/read, ...) may take
    timeout_seconds: float = 60.0
    #: seconds the server has to start and answer the handshake
    startup_timeout_seconds: float = 30.0
    #: the largest tool result (its JSON encoding) handed to a spell or an agent
    max_output_bytes: int = 1_048_576
    #: the largest single message read from a stdio server's stdout
    max_message_bytes: int = 16_777_216
    description: str = ""
    #: answer the server's ``sampling/createMessage``: None (off, the default), "" (the
    #: default provider's default model) or a ``provider/model`` spec
    sampling: str | None = None
    #: the most tokens one sampling answer may have (the server's maxTokens is capped)
    sampling_max_tokens: int = 1024
    #: "config" (the operator's [mcp.servers.NAME]) or "spell" (MCP.connect with a spec)
    origin: str = "config"

    @property
    def transport(self) -> str:
        """``stdio`` or ``http``."""
        return "stdio" if self.command else "http"

    def describe(self) -> str:
        """Where the server is, for messages (never header or env values)."""
        if self.command:
            return " ".join([self.command, *self.args])
        return str(self.url)


def _fail(where: str, message: str, *, origin: str) -> Exception:
    if origin == "config":
        return ConfigurationError(
            f"{where}: {message}", hint="fix the table in llmspell.toml (see docs/mcp.md)"
        )
    return ValidationError(f"{where}: {message}", hint="see docs/mcp.md for the server spec")


def _expand(value: str, where: str, origin: str) -> str:
    """``${VAR}`` in an operator's config value is the environment variable VAR (so a
    token need not be written into the file); a spell's spec is taken literally."""
    if origin != "config":
        return value

    def sub(match: re.Match[str]) -> str:
        found = os.environ.get(match.group(1))
        if found is None:
            raise _fail(where, f"environment variable {match.group(1)} is not set", origin=origin)
        return found

    return _ENV_REF.sub(sub, value)


def _str_map(raw: Any, where: str, origin: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(where, "must be a table of strings", origin=origin)
    out: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str) or not key or not isinstance(value, str | int | float):
            raise _fail(where, f"entry {key!r} must be a string value", origin=origin)
        out[key] = _expand(str(value), f"{where}.{key}", origin)
    return out


def _number(raw: Any, where: str, origin: str, *, integer: bool = False) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw <= 0:
        kind = "a positive integer" if integer else "a positive number"
        raise _fail(where, f"must be {kind}, got {raw!r}", origin=origin)
    if integer and not float(raw).is_integer():
        raise _fail(where, f"must be a positive integer, got {raw!r}", origin=origin)
    return float(raw)


def _sampling(raw: Any, where: str, origin: str) -> str | None:
    """``sampling``: false (off), true (the default provider's default model) or a
    ``"provider/model"`` string -> None, "" or the spec."""
    if raw is False:
        return None
    if raw is True:
        return ""
    if isinstance(raw, str) and raw.strip() and not any(c.isspace() for c in raw.strip()):
        return raw.strip()
    raise _fail(
        where,
        f"must be false, true (the default model) or a \"provider/model\" string, got {raw!r}",
        origin=origin,
    )


def check_name(name: Any, *, origin: str = "config") -> str:
    """``name`` when it is a valid server name, else a clear error."""
    if not isinstance(name, str) or not _NAME.match(name) or len(name) > _MAX_NAME:
        raise _fail(
            f"MCP server name {name!r}",
            f"use 1-{_MAX_NAME} letters and digits, with single '-' or '_' between them "
            "(tools are named NAME__TOOL)",
            origin=origin,
        )
    return name


def parse_spec(name: str, raw: Any, *, origin: str = "config") -> ServerSpec:
    """A :class:`ServerSpec` from a config table or an ``MCP.connect`` spec; unknown
    keys, both or neither of command/url, and wrong types are clear errors."""
    check_name(name, origin=origin)
    where = f"[mcp.servers.{name}]" if origin == "config" else f"MCP.connect {name!r}"
    if not isinstance(raw, dict):
        raise _fail(where, "must be a table with 'command' or 'url'", origin=origin)
    for key in raw:
        if key not in _KEYS and key != "name":
            import difflib

            close = difflib.get_close_matches(str(key), _KEYS, n=1)
            tip = f"; did you mean {close[0]!r}?" if close else ""
            raise _fail(
                where, f"unknown key {key!r}{tip} (known: {', '.join(_KEYS)})", origin=origin
            )
    command, url = raw.get("command"), raw.get("url")
    if (command is None) == (url is None):
        raise _fail(
            where, "set exactly one of 'command' (stdio) or 'url' (streamable HTTP)", origin=origin
        )
    if command is not None and (not isinstance(command, str) or not command.strip()):
        raise _fail(where, "'command' must be a non-empty string", origin=origin)
    if url is not None:
        if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
            raise _fail(where, f"'url' must be an http(s) URL, got {url!r}", origin=origin)
        url = _expand(url, f"{where}.url", origin)
    args = raw.get("args", [])
    if not isinstance(args, list) or not all(isinstance(a, str | int | float) for a in args):
        raise _fail(where, "'args' must be a list of strings", origin=origin)
    cwd = raw.get("cwd")
    if cwd is not None and (not isinstance(cwd, str) or not cwd):
        raise _fail(where, "'cwd' must be a directory path", origin=origin)
    if url is not None and any(k in raw for k in ("args", "env", "cwd")):
        raise _fail(where, "'args', 'env' and 'cwd' apply to 'command' servers only", origin=origin)
    if command is not None and "headers" in raw:
        raise _fail(where, "'headers' applies to 'url' servers only", origin=origin)
    limits: dict[str, Any] = {}
    for key in ("timeout_seconds", "startup_timeout_seconds"):
        if key in raw:
            limits[key] = _number(raw[key], f"{where}.{key}", origin)
    for key in ("max_output_bytes", "max_message_bytes", "sampling_max_tokens"):
        if key in raw:
            limits[key] = int(_number(raw[key], f"{where}.{key}", origin, integer=True))
    if limits.get("sampling_max_tokens", 0) > _MAX_SAMPLING_TOKENS:
        raise _fail(
            f"{where}.sampling_max_tokens",
            f"must be at most {_MAX_SAMPLING_TOKENS}, got {limits['sampling_max_tokens']}",
            origin=origin,
        )
    sampling = _sampling(raw.get("sampling", False), f"{where}.sampling", origin)
    return ServerSpec(
        name=name,
        command=command,
        args=tuple(str(a) for a in args),
        env=_str_map(raw.get("env"), f"{where}.env", origin),
        cwd=cwd,
        url=url,
        headers=_str_map(raw.get("headers"), f"{where}.headers", origin),
        description=str(raw.get("description") or ""),
        sampling=sampling,
        origin=origin,
        **limits,
    )


def server_table_problems(servers: dict[str, Any]) -> list[str]:
    """One message per ``[mcp.servers.NAME]`` table that :func:`parse_spec` refuses (for
    ``llmspell config validate``; nothing is started)."""
    problems = []
    for name, table in servers.items():
        try:
            parse_spec(name, table)
        except ConfigurationError as exc:
            problems.append(exc.message + (f" ({exc.hint})" if exc.hint else ""))
    return problems


def _short_hash(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:8]


def tool_names(server: str, mcp_names: list[str]) -> dict[str, str]:
    """The llmspell name of each of a server's tools: ``{llmspell_name: mcp_name}``."""
    out: dict[str, str] = {}
    for original in mcp_names:
        safe = _UNSAFE.sub("_", original) or "tool"
        name = f"{server}{SEPARATOR}{safe}"
        if len(name) > _MAX_TOOL or name in out:
            name = f"{name[: _MAX_TOOL - 9]}_{_short_hash(original)}"
        out[name] = original
    return out


def split_tool_name(name: str) -> tuple[str, str] | None:
    """``(server, rest)`` of a ``SERVER__TOOL`` name, or None when it is not one."""
    server, sep, rest = name.partition(SEPARATOR)
    if not sep or not rest or not _NAME.match(server):
        return None
    return server, rest
