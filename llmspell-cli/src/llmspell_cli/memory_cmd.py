"""``llmspell memory add|search|stats|consolidate``: the episodic and semantic memory
spells keep with ``Memory`` (the store and embedder of ``[rag]``).

Exit codes: 0 ok, 1 the operation failed (no provider to consolidate with, a bad
entry), 2 usage or configuration error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from llmspell_cli._support import printable
from llmspell_cli.common import (
    EXIT_INTERRUPTED,
    EXIT_SCRIPT,
    EXIT_USAGE,
    ConfigOpt,
    OutputFormat,
    OutputOpt,
    build_runtime,
    fail,
    wants_json,
)

if TYPE_CHECKING:
    from llmspell.memory import MemoryService

app = typer.Typer(
    help="Add to, search and consolidate the memory spells keep with Memory.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

SessionArg = Annotated[str, typer.Argument(help="The session id.", show_default=False)]
_USAGE_KINDS = {"ConfigurationError", "PluginError"}


@contextmanager
def _service(config: Path | None) -> Iterator[MemoryService]:
    """The runtime's Memory service (the runtime closed after); errors become exit codes."""
    from llmspell.errors import LLMSpellError
    from llmspell.memory import memory_service

    runtime = build_runtime(config)
    try:
        yield memory_service(runtime)
    except LLMSpellError as err:
        fail(f"{err.kind}: {err}", EXIT_USAGE if err.kind in _USAGE_KINDS else EXIT_SCRIPT)
    except KeyboardInterrupt:
        fail("interrupted", EXIT_INTERRUPTED)
    finally:
        runtime.close()


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def _one_line(text: Any, width: int = 300) -> str:
    shown = " ".join(printable(str(text)).split())
    return shown if len(shown) <= width else shown[: width - 1] + "…"


@app.command("add")
def add(
    session: SessionArg,
    role: Annotated[str, typer.Argument(help="user, assistant, system, ...", show_default=False)],
    content: Annotated[str, typer.Argument(help="The entry's text.", show_default=False)],
    metadata: Annotated[
        str | None, typer.Option("--metadata", "-m", help="A JSON object kept with the entry.")
    ] = None,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Add an episodic entry (Memory.episodic.add); prints its id."""
    meta = None
    if metadata is not None:
        try:
            meta = json.loads(metadata)
        except json.JSONDecodeError as exc:
            fail(f"--metadata is not valid JSON: {exc}", EXIT_USAGE)
        if not isinstance(meta, dict):
            fail('--metadata must be a JSON object, e.g. \'{"topic": "billing"}\'', EXIT_USAGE)
    with _service(config) as mem:
        entry_id = mem.add(session, role, content, meta)
    if wants_json(output):
        print(json.dumps({"id": entry_id, "session_id": session, "role": role}))
    else:
        print(entry_id)


@app.command("search")
def search(
    session: SessionArg,
    query: Annotated[str, typer.Argument(help="What to look for.", show_default=False)],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many entries.")] = 10,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Search one session's episodic memory by meaning (Memory.episodic.search)."""
    with _service(config) as mem:
        found = mem.search(session, query, limit)
    if wants_json(output):
        _print_json(found)
        return
    if not found:
        print(f"no entries in session {session!r} match", file=sys.stderr)
    for entry in found:
        when = entry.get("created_at")
        stamp = ""
        if isinstance(when, int | float):
            stamp = datetime.fromtimestamp(when).strftime("%Y-%m-%d %H:%M:%S") + "  "
        score = entry.get("score")
        scored = f"{float(score):.3f}  " if isinstance(score, int | float) else ""
        print(f"{scored}{stamp}[{_one_line(entry.get('role'), 40)}] "
              f"{_one_line(entry.get('content'))}")  # fmt: skip


@app.command("stats")
def stats(output: OutputOpt = OutputFormat.text, config: ConfigOpt = None) -> None:
    """Entries and facts stored, sessions with entries not yet consolidated."""
    with _service(config) as mem:
        result = mem.stats()
    if wants_json(output):
        _print_json(result)
        return
    for key, value in result.items():
        print(f"{key}: {json.dumps(value) if isinstance(value, bool) else value}")


@app.command("consolidate")
def consolidate(
    session: Annotated[
        str | None, typer.Argument(help="Only this session (default: all).", show_default=False)
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Also entries consolidated before.")
    ] = False,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Extract facts from episodic entries into semantic memory with the configured LLM
    ([memory] consolidation_model, else the default provider). Without a provider it
    fails and says so."""
    import asyncio

    with _service(config) as mem:
        result = asyncio.run(mem.consolidate(session, force))
    if wants_json(output):
        _print_json(result)
        return
    for key, value in result.items():
        print(f"{key}: {value}")
