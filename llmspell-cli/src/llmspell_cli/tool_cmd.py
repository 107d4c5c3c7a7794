"""``llmspell tool list|info|invoke|search``."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

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

if TYPE_CHECKING:
    from llmspell.tools import Tool

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
    long: Annotated[
        bool, typer.Option("--long", "-l", help="A table with the whole descriptions.")
    ] = False,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
    as_json: JsonFlagOpt = False,
) -> None:
    """List the tools: one line each (name, category, summary) fitted to the terminal
    (80 columns when not a terminal); --long for whole descriptions, -o json for data."""
    runtime = build_runtime(config)
    tools = runtime.tools.all(category)
    if category and not tools:
        known = ", ".join(runtime.tools.categories()) or "none"
        fail(f"no tools in category {category!r} (categories: {known})", EXIT_USAGE)
    if wants_json(output, as_json):
        print(json.dumps([t.info() for t in tools], indent=2))
        return
    if long:
        _print_table(
            ["name", "category", "description"],
            [[t.name, t.category, t.description] for t in tools],
        )
        return
    from llmspell_cli.tool_format import ellipsis, first_sentence, list_lines, output_width

    rows = [(t.name, t.category, first_sentence(t.description)) for t in tools]
    print("\n".join(list_lines(rows, output_width(), ellipsis())))


#: what each Tool.security need means, in [security] terms
SECURITY_NEEDS = {
    "files": "files: only under [security] allowed_paths",
    "network": "network: needs [security] allow_network (or --allow-net); allowed_hosts "
    "and denied_hosts apply",
    "process": "processes: needs [security] allow_process and the command in allowed_commands",
}


def tool_details(tool: Tool) -> dict[str, Any]:
    """Everything ``tool info`` shows, as JSON-ready data."""
    from llmspell_cli.tool_format import example_calls, parameter_rows

    settings = None
    if tool.settings is not None:
        settings = {
            "table": f"[tools.{tool.name}]",
            "keys": parameter_rows({"properties": tool.settings}),
        }
    return {
        **tool.info(),
        "tags": list(tool.tags),
        "timeout_seconds": tool.timeout_seconds,
        "source": tool.source,
        "security": list(tool.security),
        "parameters": tool.parameters,
        "parameter_list": parameter_rows(tool.parameters),
        "settings": settings,
        "examples": example_calls(tool.name, tool.parameters),
    }


@app.command("info")
def info(
    name: Annotated[str, typer.Argument(help="Tool name.")],
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
    as_json: JsonFlagOpt = False,
) -> None:
    """Show a tool: description, timeout, security needs, parameters (type, default,
    required), its [tools.NAME] settings and an example call in Lua and JavaScript."""
    from llmspell.errors import NotFoundError

    runtime = build_runtime(config)
    try:
        tool = runtime.tools.get(name)
    except NotFoundError as exc:
        fail(f"{exc.message} (llmspell tool list shows the tools)", EXIT_USAGE)
    data = tool_details(tool)
    if wants_json(output, as_json):
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    print("\n".join(info_lines(data)))


def _rows_text(rows: list[dict[str, Any]], width: int) -> list[str]:
    import textwrap

    lines = []
    for row in rows:
        facts = [row["type"], "required" if row.get("required") else "optional"]
        if "default" in row:
            facts.append("default " + json.dumps(row["default"], ensure_ascii=False))
        lines += textwrap.wrap(f"{row['name']} ({', '.join(facts)})", max(width - 2, 20),
                               initial_indent="  ", subsequent_indent="      ")  # fmt: skip
        if row["description"]:
            lines += textwrap.wrap(row["description"], max(width - 6, 20),
                                   initial_indent="      ", subsequent_indent="      ")  # fmt: skip
    return lines


def info_lines(data: dict[str, Any]) -> list[str]:
    """The lines ``llmspell tool info`` prints for a tool's :func:`tool_details` (also
    the REPL's and the kernel's help for a tool name)."""
    import textwrap

    from llmspell_cli.tool_format import output_width

    width = output_width()
    needs = [SECURITY_NEEDS.get(n, n) for n in data["security"]] or ["none declared"]
    lines = [f"{data['name']} ({data['category']}, v{data['version']})"]
    lines += [*textwrap.wrap(data["description"], width), ""]
    lines.append(f"timeout: {data['timeout_seconds']:g} s per call")
    lines.append("security: " + needs[0])
    lines += [f"          {n}" for n in needs[1:]]
    if data["tags"]:
        lines.append("tags: " + ", ".join(data["tags"]))
    params = data["parameter_list"]
    lines += ["", "parameters:" if params else "parameters: none"]
    lines += _rows_text(params, width)
    settings = data["settings"]
    if settings is None:
        lines += ["", "settings: not declared (any key of its [tools.NAME] table is accepted)"]
    elif not settings["keys"]:
        lines += ["", "settings: none"]
    else:
        lines += ["", f"settings ({settings['table']} in llmspell.toml):"]
        lines += _rows_text(settings["keys"], width)
    lines += ["", "example (Lua):", "  " + data["examples"]["lua"]]
    lines += ["example (JavaScript):", "  " + data["examples"]["js"]]
    return lines


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
    if runtime.settings.tools:  # a typo in a [tools.NAME] table: as a run reports it
        from llmspell.tool_settings import check_tool_tables

        try:
            check_tool_tables(runtime.settings, runtime.tools)
        except LLMSpellError as exc:
            runtime.close()
            fail(f"{exc.kind}: {exc}", EXIT_USAGE)
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
