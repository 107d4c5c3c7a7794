"""``llmspell session list|show|delete``: the sessions spells created (``Session``).

They open the sessions a run would use (beside State: ``[state]``, ``[storage] url``,
``$LLMSPELL_HOME``). Exit codes: 0 ok, 1 no such session, 2 usage or configuration
error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
    from llmspell.sessions import Sessions

app = typer.Typer(
    help="List, show and delete the sessions spells created.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

IdArg = Annotated[str, typer.Argument(help="The session id.", show_default=False)]


@contextmanager
def _sessions(config: Path | None) -> Iterator[Sessions | None]:
    """The configured sessions; None when their SQLite file does not exist yet."""
    from llmspell.config import load_settings
    from llmspell.errors import LLMSpellError
    from llmspell.sessions import open_sessions
    from llmspell.state.location import storage_location

    try:
        settings = load_settings(config)
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_USAGE)
    where = storage_location(settings)
    if where.backend == "memory":
        fail(
            '[state] backend is "memory": sessions do not outlive a run, so there is '
            "nothing to inspect",
            EXIT_USAGE,
        )
    if where.backend == "sqlite" and not Path(str(where.location)).exists():
        yield None
        return
    try:
        sessions = open_sessions(settings)
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_USAGE)
    try:
        yield sessions
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_SCRIPT)
    finally:
        sessions.close()


def _missing(session_id: str) -> None:
    fail(f"no session {session_id!r} (llmspell session list shows the sessions)", EXIT_SCRIPT)


@app.command("list")
def list_(
    tags: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Only sessions with this tag.")
    ] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="active, suspended or completed.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many.")] = 100,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """List sessions, newest first."""
    with _sessions(config) as sessions:
        rows = sessions.store.list(tags=tags, limit=limit, status=status) if sessions else []
    if wants_json(output):
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        print("no sessions", file=sys.stderr)
    for r in rows:
        tags_text = f"  [{', '.join(r['tags'])}]" if r["tags"] else ""
        print(
            f"{r['id']}  {r['status']:<9}  {r['created_at'][:19]}  "
            f"{r['artifact_count']} artifact(s)  {r['name'] or '(no name)'}{tags_text}"
        )


@app.command("show")
def show(
    session_id: IdArg, output: OutputOpt = OutputFormat.text, config: ConfigOpt = None
) -> None:
    """Show a session: its metadata, artifacts and the State keys written while current."""
    from llmspell.errors import NotFoundError

    with _sessions(config) as sessions:
        if sessions is None:
            _missing(session_id)
        assert sessions is not None
        try:
            info: dict[str, Any] = sessions.store.get(session_id)
        except NotFoundError:
            _missing(session_id)
        info["artifacts"] = sessions.artifacts.list(session_id)
        info["state_keys"] = sessions.store.state_keys(session_id)
    if wants_json(output):
        print(json.dumps(info, indent=2, ensure_ascii=False))
        return
    for key in ("id", "name", "description", "status", "created_at", "updated_at"):
        print(f"{key + ':':<13}{info[key]}")
    print(f"{'tags:':<13}{', '.join(info['tags'])}")
    if info["metadata"]:
        print(f"{'metadata:':<13}{json.dumps(info['metadata'], ensure_ascii=False)}")
    print(f"artifacts:   {info['artifact_count']} ({info['artifact_bytes']} bytes)")
    for a in info["artifacts"]:
        print(f"  {a['sequence']:>4}  {a['type']:<16} {a['size']:>9} B  {a['name']}")
    print(f"state keys:  {len(info['state_keys'])}")
    for k in info["state_keys"]:
        print(f"  {k['scope']}:{k['key']}")


@app.command("delete")
def delete(
    session_id: IdArg,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Delete a session and its artifacts (State values stay)."""
    with _sessions(config) as sessions:
        gone = sessions.store.delete(session_id) if sessions is not None else False
    if not gone:
        _missing(session_id)
    if wants_json(output):
        print(json.dumps({"id": session_id, "deleted": True}))
    else:
        print(f"deleted session {session_id}")


@app.command("replay")
def replay(session_id: IdArg, config: ConfigOpt = None) -> None:
    """Not available: sessions are not replayed yet (exits 1 naming what exists)."""
    fail(
        f"replaying session {session_id!r} is not available in llmspell: sessions are not "
        "replayed yet (llmspell session show ID lists its artifacts and State keys; "
        "Artifact.get / Artifact.query read them from a spell)",
        EXIT_SCRIPT,
    )
