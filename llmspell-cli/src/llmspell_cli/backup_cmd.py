"""``llmspell backup create|restore|list``: State, sessions and artifacts in one file.

A backup is a consistent snapshot (taken in one read transaction, so spells may keep
writing), written under a temporary name and renamed when complete. Backups live in
``$LLMSPELL_HOME/backups`` unless ``--dir`` says otherwise. ``restore`` replaces
everything in one transaction and refuses a backup of a newer schema.
Exit codes: 0 ok, 1 the backup or restore failed, 2 usage or configuration error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from llmspell_cli.common import (
    EXIT_SCRIPT,
    EXIT_USAGE,
    ConfigOpt,
    OutputFormat,
    OutputOpt,
    fail,
    wants_json,
)

if TYPE_CHECKING:
    from llmspell.state.location import StorageLocation

app = typer.Typer(
    help="Back up and restore State, sessions and artifacts.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

DirOpt = Annotated[
    Path | None,
    typer.Option("--dir", "-d", help="The backup directory (default: $LLMSPELL_HOME/backups)."),
]


def _directory(directory: Path | None) -> Path:
    from llmspell.config import llmspell_home

    return directory.expanduser() if directory is not None else llmspell_home() / "backups"


def _where(config: Path | None) -> StorageLocation:
    from llmspell.config import load_settings
    from llmspell.errors import LLMSpellError
    from llmspell.state.location import storage_location

    try:
        return storage_location(load_settings(config))
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_USAGE)


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)  # pragma: no cover


@app.command("create")
def create(
    directory: DirOpt = None,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Write a backup of State, sessions and artifacts; prints its path."""
    from llmspell.errors import LLMSpellError
    from llmspell.state.backup import create_backup

    where = _where(config)
    try:
        info = create_backup(where, _directory(directory))
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_SCRIPT)
    except OSError as exc:
        fail(f"cannot write the backup: {exc}", EXIT_SCRIPT)
    if wants_json(output):
        print(json.dumps(info.as_dict(), indent=2, ensure_ascii=False))
        return
    counts = info.counts
    print(
        f"backed up {counts['state']} State key(s), {counts['llmspell_sessions']} session(s), "
        f"{counts['llmspell_artifacts']} artifact(s) from {info.source}"
    )
    print(info.path)


@app.command("list")
def list_(
    directory: DirOpt = None,
    output: OutputOpt = OutputFormat.text,
) -> None:
    """List the backups, oldest first."""
    from llmspell.state.backup import list_backups

    infos = list_backups(_directory(directory))
    if wants_json(output):
        print(json.dumps([i.as_dict() for i in infos], indent=2, ensure_ascii=False))
        return
    if not infos:
        print(f"no backups in {_directory(directory)}", file=sys.stderr)
        return
    for i in infos:
        c = i.counts
        print(
            f"{i.path.name}  {i.created_at}  schema {i.schema}  {_size(i.size)}  "
            f"{c['state']} keys, {c['llmspell_sessions']} sessions, "
            f"{c['llmspell_artifacts']} artifacts"
        )


@app.command("restore")
def restore(
    backup: Annotated[str, typer.Argument(help="A backup's path, or its name in --dir.")],
    directory: DirOpt = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask (required when not on a terminal).")
    ] = False,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Replace State, sessions and artifacts with a backup (one transaction)."""
    from llmspell.errors import LLMSpellError
    from llmspell.state.backup import read_info, restore_backup

    path = Path(backup).expanduser()
    if not path.exists() and "/" not in backup:
        path = _directory(directory) / backup
    where = _where(config)
    try:
        info = read_info(path)
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_USAGE)
    if not yes:
        if not sys.stdin.isatty():
            fail(
                f"refusing to replace State, sessions and artifacts at {where.shown()} "
                "without --yes (standard input is not a terminal to confirm on)",
                EXIT_USAGE,
            )
        if not typer.confirm(
            f"Replace everything at {where.shown()} with {path.name} ({info.created_at})?",
            default=False,
        ):
            fail("nothing restored", EXIT_SCRIPT)
    try:
        restore_backup(where, path)
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc} (nothing was changed)", EXIT_SCRIPT)
    if wants_json(output):
        print(json.dumps({"restored": info.as_dict(), "into": where.shown()}, ensure_ascii=False))
        return
    c = info.counts
    print(
        f"restored {c['state']} State key(s), {c['llmspell_sessions']} session(s), "
        f"{c['llmspell_artifacts']} artifact(s) from {path.name} into {where.shown()}"
    )
