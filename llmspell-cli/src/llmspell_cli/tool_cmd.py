"""``llmspell tool list|info|invoke|search``."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Annotated, Any

import typer

from llmspell_cli.common import (
    EXIT_SCRIPT,
    EXIT_USAGE,
    ConfigOpt,
    JsonFlagOpt,
    OutputFormat,
    OutputOpt,
    build_runtime,
    fail,
    wants_json,
)
from llmspell_cli.run_cmd import AllowHostOpt, AllowNetOpt, network_overrides

app = typer.Typer(
    help="List, inspect, search and invoke tools.", no_args_is_help=True, rich_markup_mode=None
)


def _print_table(columns: list[str], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(*columns)
    for row in rows:
        # tool texts are plain: "[tools.x] key" must show, not be read as rich markup
        table.add_row(*(escape(cell) for cell in row))
    Console().print(table)


@app.command("list")
def list_(
    category: Annotated[str | None, typer.Option("--category", help="Only this category.")] = None,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
    as_json: JsonFlagOpt = False,
) -> None:
    """List the tools (name, category, description)."""
    runtime = build_runtime(config)
    tools = runtime.tools.all(category)
    if category and not tools:
        known = ", ".join(runtime.tools.categories()) or "none"
        fail(f"no tools in category {category!r} (categories: {known})", EXIT_USAGE)
    if wants_json(output, as_json):
        print(json.dumps([t.info() for t in tools], indent=2))
        return
    _print_table(
        ["name", "category", "description"], [[t.name, t.category, t.description] for t in tools]
    )


@app.command("info")
def info(
    name: Annotated[str, typer.Argument(help="Tool name.")],
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
    as_json: JsonFlagOpt = False,
) -> None:
    """Show a tool's description and parameter schema."""
    from llmspell.errors import NotFoundError

    runtime = build_runtime(config)
    try:
        tool = runtime.tools.get(name)
    except NotFoundError as exc:
        fail(f"{exc.message} (llmspell tool list shows the tools)", EXIT_USAGE)
    data = {**tool.info(), "tags": list(tool.tags), "timeout_seconds": tool.timeout_seconds,
            "parameters": tool.parameters}  # fmt: skip
    if wants_json(output, as_json):
        print(json.dumps(data, indent=2))
        return
    print(f"{tool.name} ({tool.category}, v{tool.version}): {tool.description}")
    props: dict[str, Any] = tool.parameters.get("properties", {})
    required = set(tool.parameters.get("required", []))
    rows = []
    for pname, schema in props.items():
        kind = schema.get("type", "any")
        if "enum" in schema:
            kind = f"{kind}: " + " | ".join(str(v) for v in schema["enum"])
        rows.append(
            [pname + ("*" if pname in required else ""), str(kind), schema.get("description", "")]
        )
    _print_table(["parameter (* required)", "type", "description"], rows)


@app.command("invoke")
def invoke(
    name: Annotated[str, typer.Argument(help="Tool name.")],
    params: Annotated[str, typer.Option("--params", "-p", help="Parameters as JSON.")] = "{}",
    config: ConfigOpt = None,
    allow_net: AllowNetOpt = False,
    allow_host: AllowHostOpt = None,
) -> None:
    """Run a tool once with JSON parameters; prints its ToolResult as JSON.

    Exit 0 when the tool succeeded, 1 when it returned success=false or was refused.
    """
    from llmspell.errors import LLMSpellError
    from llmspell.tools import execute_tool

    try:
        parsed = json.loads(params)
    except json.JSONDecodeError as exc:
        fail(f"--params is not valid JSON: {exc}", EXIT_USAGE)
    if not isinstance(parsed, dict):
        fail('--params must be a JSON object, e.g. \'{"input": "1+2"}\'', EXIT_USAGE)
    runtime = build_runtime(
        config, network_overrides(allow_net, allow_host), allow_hosts=allow_host
    )
    try:
        tool = runtime.tools.get(name)
    except LLMSpellError as exc:
        fail(f"{exc.message} (llmspell tool list shows the tools)", EXIT_USAGE)
    try:
        result = asyncio.run(execute_tool(tool, parsed, runtime.tool_context()))
    except LLMSpellError as exc:
        print(f"{exc.kind}: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_SCRIPT) from None
    finally:
        runtime.close()
    print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    if not result.get("success"):
        raise SystemExit(EXIT_SCRIPT)


@app.command("search")
def search(
    words: Annotated[list[str], typer.Argument(help="Words to look for.")],
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
    as_json: JsonFlagOpt = False,
) -> None:
    """Find tools whose name, description, category or tags mention all the words."""
    runtime = build_runtime(config)
    wanted = [w.lower() for w in words]
    found = []
    for tool in runtime.tools.all():
        haystack = " ".join([tool.name, tool.description, tool.category, *tool.tags]).lower()
        if all(w in haystack for w in wanted):
            found.append(tool)
    if wants_json(output, as_json):
        print(json.dumps([t.info() for t in found], indent=2))
        return
    if not found:
        print(f"no tool matches {' '.join(words)!r} (llmspell tool list shows them all)")
        return
    _print_table(
        ["name", "category", "description"], [[t.name, t.category, t.description] for t in found]
    )
