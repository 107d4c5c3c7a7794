"""``llmspell providers``: the provider presets and configured providers, their base
URL and default model, and whether their key was found (never the key itself).

The rows come from :func:`llmspell.provider_resolution.list_providers`, the same
listing ``Provider.list()`` gives spells.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from llmspell_cli.common import ConfigOpt, JsonFlagOpt, OutputFormat, OutputOpt, wants_json


def _key_text(row: dict[str, Any]) -> str:
    env = row.get("key_env")
    if not env:
        return "not needed"
    return f"{env} ({'found' if row.get('key_found') else 'not set'})"


def render_text(rows: list[dict[str, Any]]) -> str:
    """The rows as aligned columns, then the reason of each provider not usable."""
    if not rows:
        return "No providers (install llmspell-providers or add [providers.NAME] tables)."
    header = ("NAME", "TYPE", "USABLE", "BASE URL", "DEFAULT MODEL", "KEY", "FROM")
    table = [header] + [
        (
            r["name"],
            r["provider_type"],
            "yes" if r["available"] else "no",
            r.get("base_url") or "-",
            r.get("default_model") or "-",
            _key_text(r),
            r.get("source") or "-",
        )
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in table) for i in range(len(header))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]
    reasons = [f"  {r['name']}: {r['reason']}" for r in rows if r.get("reason")]
    if reasons:
        lines += ["", "Not usable:", *reasons]
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add ``llmspell providers`` to ``app``."""

    @app.command("providers")
    def providers(
        output: OutputOpt = OutputFormat.text,
        config: ConfigOpt = None,
        usable: Annotated[
            bool,
            typer.Option(
                "--usable",
                help="Only the providers a spell can use now (what Provider.list() returns).",
            ),
        ] = False,
        as_json: JsonFlagOpt = False,
    ) -> None:
        """List provider presets and configured providers: type, base URL, default
        model, and whether the key was found (and in which environment variable).
        Keys are never shown."""
        from llmspell.provider_resolution import list_providers
        from llmspell_cli.common import build_runtime

        runtime = build_runtime(config)
        try:
            rows = list_providers(runtime, all=not usable)
        finally:
            runtime.close()
        if wants_json(output, as_json):
            print(json.dumps(rows, indent=2))
            return
        print(render_text(rows))
