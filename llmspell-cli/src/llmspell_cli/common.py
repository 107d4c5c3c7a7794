"""Helpers shared by commands: the options every command spells the same way, plus
(re-exported from :mod:`llmspell_cli._support`) exit codes, building a runtime and
reporting errors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from llmspell_cli._support import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SCRIPT,
    EXIT_USAGE,
    USAGE_KINDS,
    OutputFormat,
    build_runtime,
    fail,
    report,
    wants_json,
)

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_SCRIPT",
    "EXIT_USAGE",
    "USAGE_KINDS",
    "ConfigOpt",
    "JsonFlagOpt",
    "OutputFormat",
    "OutputOpt",
    "build_runtime",
    "fail",
    "report",
    "wants_json",
]

#: the options every command spells the same way
OutputOpt = Annotated[OutputFormat, typer.Option("--output", "-o", help="text or json.")]
JsonFlagOpt = Annotated[
    bool, typer.Option("--json", hidden=True, help="The same as --output json (kept for scripts).")
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", "-c", help="Config file (default: discovered).")
]
