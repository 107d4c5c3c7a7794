"""``llmspell engines``, ``llmspell plugins`` and ``llmspell version``."""

from __future__ import annotations

import json
from typing import Any

import typer

from llmspell_cli.common import (
    ConfigOpt,
    JsonFlagOpt,
    OutputFormat,
    OutputOpt,
    build_runtime,
    wants_json,
)


def register(app: typer.Typer) -> None:
    """Add the information commands to ``app``."""

    @app.command("engines")
    def engines(
        output: OutputOpt = OutputFormat.text,
        config: ConfigOpt = None,
        as_json: JsonFlagOpt = False,
    ) -> None:
        """List the installed script engines."""
        runtime = build_runtime(config)
        rows: list[dict[str, Any]] = [
            {
                "name": cls.name,
                "language": cls.language,
                "extensions": list(cls.extensions),
                "plugin": runtime.engines.origins.get(cls.name, ""),
            }
            for cls in runtime.engines.all()
        ]
        if wants_json(output, as_json):
            print(json.dumps(rows, indent=2))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table("name", "language", "extensions", "plugin")
        for r in rows:
            table.add_row(r["name"], r["language"], ", ".join(r["extensions"]), r["plugin"])
        Console().print(table)
        if not rows:
            print("No engines installed: pip install llmspell-engine-lua")

    @app.command("plugins")
    def plugins(
        output: OutputOpt = OutputFormat.text,
        config: ConfigOpt = None,
        as_json: JsonFlagOpt = False,
    ) -> None:
        """List plugins: name, distribution, version, hooks and load errors."""
        runtime = build_runtime(config)
        rows: list[dict[str, Any]] = [
            {
                "name": p.name,
                "distribution": p.distribution or ("llmspell-core" if p.builtin else ""),
                "version": p.version or "",
                "hooks": p.hooks,
                "error": p.error,
            }
            for p in runtime.loader.plugins
        ]
        if wants_json(output, as_json):
            print(json.dumps(rows, indent=2))
            return
        from rich.console import Console
        from rich.table import Table

        table = Table("name", "distribution", "version", "hooks", "status")
        for r in rows:
            status = f"[red]error: {r['error']}[/red]" if r["error"] else "[green]loaded[/green]"
            table.add_row(r["name"], r["distribution"], r["version"], ", ".join(r["hooks"]), status)
        Console().print(table)

    @app.command("version")
    def version() -> None:
        """Print the versions of llmspell and its installed distributions."""
        print_versions()


def print_versions() -> None:
    """``llmspell version`` and ``llmspell --version``: llmspell's version and each
    distribution's (or "not installed")."""
    from importlib import metadata

    print(f"llmspell {_version('llmspell-cli')}")
    for dist in (
        "llmspell-core",
        "llmspell-engine-lua",
        "llmspell-engine-js",
        "llmspell-providers",
        "llmspell-tools",
        "llmspell-cli",
    ):
        try:
            print(f"  {dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            print(f"  {dist} (not installed)")


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"
