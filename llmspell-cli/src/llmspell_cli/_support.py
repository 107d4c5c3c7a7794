"""What commands share without typer: exit codes, output formats, building a runtime,
reporting errors. (The fast path of ``run``/``exec`` uses only this; the typer options
are in :mod:`llmspell_cli.common`.)"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from llmspell.errors import LLMSpellError
    from llmspell.runtime import Runtime

#: exit codes: 0 ok, 1 script error (a limit too), 2 usage/configuration error,
#: 130 interrupted (Ctrl-C)
EXIT_OK, EXIT_SCRIPT, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

USAGE_KINDS = {"ConfigurationError", "PluginError"}


class OutputFormat(StrEnum):
    """What a command prints: ``text`` for people, ``json`` for programs."""

    text = "text"
    json = "json"


def wants_json(output: OutputFormat, json_flag: bool = False) -> bool:
    """True when ``--output json`` (or the older ``--json``) was given."""
    return json_flag or output is OutputFormat.json


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``llmspell: message`` on stderr and exit with ``code``."""
    print(f"llmspell: {message}", file=sys.stderr)
    raise SystemExit(code)


def report(err: LLMSpellError) -> NoReturn:
    """Print an error as ``file:line: Kind: message`` and exit 1; 2 for a configuration
    or plugin error raised before the spell ran (one the spell raised has a location)."""
    print(err.display(), file=sys.stderr)
    if err.kind == "Interrupted":
        raise SystemExit(EXIT_INTERRUPTED)
    usage = err.kind in USAGE_KINDS and err.file is None
    raise SystemExit(EXIT_USAGE if usage else EXIT_SCRIPT)


def build_runtime(
    config: Path | None = None,
    overrides: dict[tuple[str, ...], Any] | None = None,
    *,
    allow_hosts: list[str] | None = None,
) -> Runtime:
    """Load settings (file, env, flags) and plugins; usage errors exit 2.

    ``allow_hosts`` (``--allow-host``) are appended to ``[security] allowed_hosts``.
    """
    from llmspell.config import load_settings
    from llmspell.errors import LLMSpellError
    from llmspell.runtime import Runtime

    try:
        settings = load_settings(config, overrides=overrides)
        if allow_hosts:
            hosts = [*settings.security.allowed_hosts, *allow_hosts]
            extended = {**(overrides or {}), ("security", "allowed_hosts"): hosts}
            settings = load_settings(config, overrides=extended)
        runtime = Runtime(settings)
    except LLMSpellError as exc:
        print(f"llmspell: {exc.kind}: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    for info in runtime.loader.errors:
        print(
            f"llmspell: warning: plugin {info.name!r} was skipped: {info.error} "
            "(see: llmspell plugins)",
            file=sys.stderr,
        )
    return runtime


#: control characters (C0 except tab and newline, DEL, C1) mapped away
_CONTROLS = {c: None for c in [*range(0, 9), *range(11, 32), *range(127, 160)]}


def printable(text: str) -> str:
    """``text`` without terminal control characters (keeps tab and newline): what a
    model or a server wrote cannot move the cursor or retitle the operator's terminal."""
    return text.translate(_CONTROLS)
