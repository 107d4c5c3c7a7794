"""``llmspell state list|get|delete|clear``: the values spells keep with ``State``.

The commands open the state store a run would use (``[state]`` of the configuration:
``--config``, ``LLMSPELL_STATE_BACKEND``, ``LLMSPELL_STATE_PATH``, ``$LLMSPELL_HOME``).
Values are shown as JSON. Exit codes: 0 ok, 1 no such key, 2 usage or configuration error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

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
    from llmspell.state import StateBackend

app = typer.Typer(
    help="Inspect and remove the values spells keep with State (by scope and key).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

#: the scope ``State.set``/``State.get`` use
DEFAULT_SCOPE = "global"

ScopeOpt = Annotated[
    str,
    typer.Option(
        "--scope",
        "-s",
        help="The scope: global (State.set/get), or e.g. agent:NAME, workflow:ID.",
    ),
]
KeyArg = Annotated[str, typer.Argument(help="The key.", show_default=False)]


@contextmanager
def _store(config: Path | None, scope: str) -> Iterator[StateBackend | None]:
    """The configured state backend; None when its SQLite file does not exist yet (nothing
    is stored, and these commands, which only read and remove, do not create it)."""
    from llmspell.config import llmspell_home, load_settings
    from llmspell.errors import LLMSpellError
    from llmspell.state import open_backend

    if not scope:
        fail("--scope must not be empty", EXIT_USAGE)
    try:
        settings = load_settings(config)
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_USAGE)
    cfg = settings.state
    if cfg.backend == "memory":
        fail(
            '[state] backend is "memory": nothing outlives a run, so there is nothing to '
            'inspect (use backend = "sqlite" to keep state between runs)',
            EXIT_USAGE,
        )
    # the same file a run opens (llmspell.runtime.Runtime.state)
    path = Path(cfg.path).expanduser() if cfg.path else llmspell_home() / "state.db"
    if cfg.backend == "sqlite" and not path.exists():
        yield None
        return
    try:
        backend = open_backend(cfg.backend, path)
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_USAGE)
    try:
        yield backend
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_SCRIPT)
    finally:
        backend.close()


def _decode(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text  # not written by State: shown as the string it is


def _missing(key: str, scope: str) -> NoReturn:
    import shlex

    shown = "" if scope == DEFAULT_SCOPE else f" --scope {shlex.quote(scope)}"
    fail(
        f"no key {key!r} in scope {scope!r} (llmspell state list{shown} shows the keys)",
        EXIT_SCRIPT,
    )


@app.command("list")
def list_(
    scope: ScopeOpt = DEFAULT_SCOPE,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """List the keys of a scope, one per line (sorted)."""
    with _store(config, scope) as store:
        keys = store.keys(scope) if store is not None else []
    if wants_json(output):
        print(json.dumps({"scope": scope, "keys": keys}, indent=2, ensure_ascii=False))
        return
    if not keys:
        print(f"no keys in scope {scope!r}", file=sys.stderr)
    for key in keys:
        print(key)


@app.command("get")
def get(
    key: KeyArg,
    scope: ScopeOpt = DEFAULT_SCOPE,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Print the value of a key as JSON; exit 1 when there is no such key."""
    with _store(config, scope) as store:
        text = store.get(scope, key) if store is not None else None
    if text is None:
        _missing(key, scope)
    value = _decode(text)
    if wants_json(output):
        value = {"scope": scope, "key": key, "value": value}
    print(json.dumps(value, indent=2, ensure_ascii=False))


@app.command("delete")
def delete(
    key: KeyArg,
    scope: ScopeOpt = DEFAULT_SCOPE,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Remove a key; exit 1 when there is no such key."""
    with _store(config, scope) as store:
        deleted = store.delete(scope, key) if store is not None else False
    if not deleted:
        _missing(key, scope)
    if wants_json(output):
        print(json.dumps({"scope": scope, "key": key, "deleted": True}, ensure_ascii=False))
    else:
        print(f"deleted {key!r} from scope {scope!r}")


def _confirm(scope: str, count: int, yes: bool) -> None:
    """Ask before clearing; without a terminal on stdin, --yes is required."""
    if yes:
        return
    if not sys.stdin.isatty():
        fail(
            f"refusing to clear {count} key(s) of scope {scope!r} without --yes "
            "(standard input is not a terminal to confirm on)",
            EXIT_USAGE,
        )
    if not typer.confirm(f"Delete all {count} key(s) of scope {scope!r}?", default=False):
        fail("nothing deleted", EXIT_SCRIPT)


@app.command("clear")
def clear(
    scope: ScopeOpt = DEFAULT_SCOPE,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask (required when not on a terminal).")
    ] = False,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Remove every key of a scope (asks first on a terminal unless --yes)."""
    with _store(config, scope) as store:
        keys = store.keys(scope) if store is not None else []
        _confirm(scope, len(keys), yes)
        deleted = sum(1 for key in keys if store is not None and store.delete(scope, key))
    if wants_json(output):
        print(json.dumps({"scope": scope, "deleted": deleted}, ensure_ascii=False))
    else:
        print(f"deleted {deleted} key(s) from scope {scope!r}")
