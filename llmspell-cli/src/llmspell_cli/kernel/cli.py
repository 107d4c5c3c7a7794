"""``llmspell kernel install|list``: register the Jupyter kernel with Jupyter."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import Annotated

import typer

from llmspell_cli.common import EXIT_USAGE, ConfigOpt, OutputFormat, OutputOpt, fail, wants_json

__all__ = ["app", "register"]

app = typer.Typer(
    help="A Jupyter kernel for spells: install its kernel spec, list the installed ones.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


class Engine(StrEnum):
    """The languages the kernel runs."""

    lua = "lua"
    js = "js"


@app.command("install")
def install_(
    engine: Annotated[Engine, typer.Option("--engine", "-e", help="lua or js.")] = Engine.lua,
    user: Annotated[
        bool, typer.Option("--user", help="Install for the current user (~/.local/share/jupyter).")
    ] = False,
    sys_prefix: Annotated[
        bool,
        typer.Option("--sys-prefix", help="Install into this Python environment (sys.prefix)."),
    ] = False,
    prefix: Annotated[
        str | None, typer.Option("--prefix", help="Install under PREFIX/share/jupyter/kernels.")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Kernel spec name (default: llmspell-ENGINE).")
    ] = None,
    display_name: Annotated[
        str | None, typer.Option("--display-name", help="The name notebooks show.")
    ] = None,
    config: ConfigOpt = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0.001, help="Wall-time limit of each cell (seconds)."),
    ] = None,
    allow_net: Annotated[bool, typer.Option("--allow-net", help="Let network tools run.")] = False,
) -> None:
    """Install a kernel spec that runs cells in llmspell with this Python. Without
    --user, --sys-prefix or --prefix it goes to the system-wide Jupyter directory."""
    from llmspell.errors import LLMSpellError
    from llmspell_cli.kernel.spec import install

    if sys_prefix:
        if prefix:
            fail("ValidationError: --sys-prefix and --prefix exclude each other", EXIT_USAGE)
        prefix = sys.prefix
    try:
        installed_name, dest = install(
            engine.value,
            name=name,
            user=user,
            prefix=prefix,
            display_name=display_name,
            config=config,
            timeout=timeout,
            allow_net=allow_net,
        )
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_USAGE)
    print(f"installed kernel spec {installed_name!r} in {dest}")


@app.command("list")
def list_(output: OutputOpt = OutputFormat.text) -> None:
    """The llmspell kernel specs Jupyter finds (name, engine, directory)."""
    from llmspell.errors import LLMSpellError
    from llmspell_cli.kernel.spec import installed

    try:
        rows = installed()
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_USAGE)
    if wants_json(output):
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        print("no llmspell kernel spec installed (llmspell kernel install --user)")
        return
    for row in rows:
        print(f"{row['name']}\t{row['engine']}\t{row['resource_dir']}")


def register(root: typer.Typer) -> None:
    """Add ``llmspell kernel`` to the root app."""
    root.add_typer(app, name="kernel")
