"""``llmspell run`` and ``llmspell exec`` without typer.

Importing typer and its click is about a third of a cold ``llmspell run hello.lua``. For
the common case — known options with valid values — this module parses the arguments
itself and runs the spell through the same :func:`llmspell_cli.run_exec.execute` the typer
commands call. Anything else (``--help``, an unknown option, a bad value, a missing
argument) is left to the typer app, so usage errors and help read the same as always.

:data:`OPTIONS` must describe exactly the options of the typer ``run`` and ``exec``
commands; ``tests/e2e/test_fast_dispatch.py`` compares the two, and parses many command
lines both ways.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["OPTIONS", "Option", "dispatch", "parse"]


@dataclass(frozen=True)
class Option:
    """One option of ``run``/``exec``: its spellings, the keyword it fills, how its value
    is read (None: a flag) and whether it may repeat."""

    names: tuple[str, ...]
    dest: str
    convert: Callable[[str], Any] | None = None
    multiple: bool = False


class _Unparsed(Exception):
    """The fast path does not handle this command line: typer will."""


def _number(kind: type, low: float, high: float) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise _Unparsed from None
        if not low <= value <= high:
            raise _Unparsed
        return value

    return convert


def _choice(enum: type) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            return enum(text)
        except ValueError:
            raise _Unparsed from None

    return convert


def _options() -> tuple[Option, ...]:
    from llmspell_cli._support import OutputFormat
    from llmspell_cli.run_exec import MAX_MEMORY_MB, MAX_TIMEOUT, LogLevel

    return (
        Option(("--engine", "-e"), "engine", str),
        Option(("--config", "-c"), "config", Path),
        Option(("--output", "-o"), "output", _choice(OutputFormat)),
        Option(("--timeout",), "timeout", _number(float, 0.001, MAX_TIMEOUT)),
        Option(("--memory-mb",), "memory_mb", _number(int, 1, MAX_MEMORY_MB)),
        Option(("--host-memory-mb",), "host_memory_mb", _number(int, 0, MAX_MEMORY_MB)),
        Option(("--log-level",), "log_level", _choice(LogLevel)),
        Option(("--usage",), "usage"),
        Option(("--stream",), "stream"),
        Option(("--quiet", "-q"), "quiet"),
        Option(("--allow-net",), "allow_net"),
        Option(("--allow-host",), "allow_hosts", str, multiple=True),
        Option(("--trace",), "trace", Path),
    )


OPTIONS = _options()
_BY_NAME = {name: option for option in OPTIONS for name in option.names}


def parse(argv: list[str]) -> tuple[str, dict[str, Any], list[str]] | None:
    """``(command, options, positionals)`` for a ``run``/``exec`` command line the fast
    path handles, else None. Options are keywords of ``execute``."""
    if not argv or argv[0] not in ("run", "exec"):
        return None
    try:
        options, positionals = _parse_options(argv[1:])
    except _Unparsed:
        return None
    command = argv[0]
    if not positionals or (command == "exec" and len(positionals) != 1):
        return None
    return command, options, positionals


def _parse_options(args: list[str]) -> tuple[dict[str, Any], list[str]]:
    options: dict[str, Any] = {}
    positionals: list[str] = []
    i = 0
    while i < len(args):
        token = args[i]
        i += 1
        if token == "--":
            positionals.extend(args[i:])
            break
        if not token.startswith("-") or token == "-":
            positionals.append(token)
            continue
        name, eq, inline = token.partition("=")
        if eq and not name.startswith("--"):
            raise _Unparsed  # -e=lua: click reads "=lua"; let it
        option = _BY_NAME.get(name)
        if option is None:
            raise _Unparsed  # --help, -h, an unknown option, -elua
        if option.convert is None:
            if eq:
                raise _Unparsed
            options[option.dest] = True
            continue
        if eq:
            text = inline
        elif i < len(args):
            text = args[i]
            i += 1
        else:
            raise _Unparsed  # a value is missing
        value = option.convert(text)
        if option.multiple:
            options.setdefault(option.dest, []).append(value)
        else:
            options[option.dest] = value
    return options, positionals


def dispatch(argv: list[str]) -> bool:
    """Run ``llmspell run``/``exec`` from ``argv`` (without the program name) if the fast
    path handles it; False to let the typer app take the command line."""
    parsed = parse(argv)
    if parsed is None:
        return False
    command, options, positionals = parsed
    from llmspell_cli.run_exec import execute, read_spell

    if command == "run":
        source, path, chunk_name = read_spell(Path(positionals[0]))
        execute(source=source, path=path, chunk_name=chunk_name, argv=positionals[1:], **options)
    else:
        execute(source=positionals[0], path=None, chunk_name="<exec>", **options)
    return True
