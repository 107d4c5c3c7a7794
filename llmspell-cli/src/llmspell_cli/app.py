"""The root typer app: every command, and the commands plugins add.

Register new commands here (``main.py`` is only the entry point). Commands import the
core lazily so ``llmspell --help`` stays cheap.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from llmspell_cli import (
    backup_cmd,
    completion_cmd,
    config_cmd,
    info_cmd,
    logs_cmd,
    mcp_cmd,
    memory_cmd,
    providers_cmd,
    rag_cmd,
    run_cmd,
    session_cmd,
    state_cmd,
    tool_cmd,
)
from llmspell_cli.kernel import cli as kernel_cli
from llmspell_cli.repl import cli as repl_cli
from llmspell_cli.serve import cli as serve_cli

app = typer.Typer(
    name="llmspell",
    help="Run Lua and JavaScript spells that orchestrate LLM agents, tools and workflows.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # help texts are plain: "[security] allow_network" must show as written
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _show_version(value: bool) -> None:
    if value:
        info_cmd.print_versions()
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_show_version,
            is_eager=True,
            help="Print the versions of llmspell and its distributions, and exit.",
        ),
    ] = False,
) -> None:
    """Run Lua and JavaScript spells that orchestrate LLM agents, tools and workflows."""


run_cmd.register(app)
info_cmd.register(app)
providers_cmd.register(app)
app.add_typer(config_cmd.app, name="config")
app.add_typer(tool_cmd.app, name="tool")
app.add_typer(state_cmd.app, name="state")
app.add_typer(logs_cmd.app, name="logs")
app.add_typer(session_cmd.app, name="session")
app.add_typer(backup_cmd.app, name="backup")
app.add_typer(rag_cmd.app, name="rag")
app.add_typer(memory_cmd.app, name="memory")
mcp_cmd.register(app)
completion_cmd.register(app)
repl_cli.register(app)
serve_cli.register(app)
kernel_cli.register(app)


def _add_plugin_commands() -> None:
    """Let plugins add commands (``register_commands(app)``); skipped for core commands."""
    core = {
        "run", "exec", "engines", "plugins", "config", "version", "tool", "state", "completion",
        "providers", "mcp", "rag", "memory", "session", "backup", "logs", "repl", "kernel",
        "serve", "worker",
    }  # fmt: skip
    if len(sys.argv) > 1 and sys.argv[1] in core:
        return
    from llmspell.plugins import PluginLoader

    try:
        loader = PluginLoader()
        loader.call("register_commands", app=app)
    except Exception as exc:  # strict mode: report, do not crash --help
        print(f"llmspell: {exc}", file=sys.stderr)


def run_app() -> None:
    """Run the whole command tree (plugin commands included)."""
    _add_plugin_commands()
    app()
