"""``llmspell state list|get|delete|clear|show|export|import|migrate``: the values
spells keep with ``State``.

The commands open the state store a run would use (``[state]`` and ``[storage] url`` of
the configuration: ``--config``, ``LLMSPELL_STATE_BACKEND``, ``LLMSPELL_STATE_PATH``,
``LLMSPELL_DATABASE_URL``, ``$LLMSPELL_HOME``). Values are shown as JSON. Exit codes: 0
ok, 1 no such key (or a failed import or migration), 2 usage or configuration error.
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
    from llmspell.state.location import StorageLocation

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


def _where(config: Path | None) -> StorageLocation:
    """Where the configuration keeps State; exits 2 for memory (nothing to inspect)."""
    from llmspell.config import load_settings
    from llmspell.errors import LLMSpellError
    from llmspell.state.location import storage_location

    try:
        settings = load_settings(config)
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_USAGE)
    where = storage_location(settings)
    if where.backend == "memory":
        fail(
            '[state] backend is "memory": nothing outlives a run, so there is nothing to '
            'inspect (use backend = "sqlite" to keep state between runs)',
            EXIT_USAGE,
        )
    return where


@contextmanager
def _store(
    config: Path | None, scope: str = DEFAULT_SCOPE, *, create: bool = False
) -> Iterator[StateBackend | None]:
    """The configured state backend; None when its SQLite file does not exist yet (nothing
    is stored, and these commands, which only read and remove, do not create it)."""
    from llmspell.errors import LLMSpellError
    from llmspell.state import open_backend

    if not scope:
        fail("--scope must not be empty", EXIT_USAGE)
    where = _where(config)
    # the same store a run opens (llmspell.runtime.Runtime.state)
    if where.backend == "sqlite" and not create and not Path(str(where.location)).exists():
        yield None
        return
    try:
        backend = open_backend(where.backend, where.location)
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


@app.command("show")
def show(
    scope: Annotated[
        str | None, typer.Option("--scope", "-s", help="Show this scope's keys and values.")
    ] = None,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Show where State lives and its scopes with their key counts (with --scope: that
    scope's keys and values)."""
    where = _where(config)
    with _store(config) as store:
        if scope is not None:
            from llmspell.state.transfer import secret_looking

            items = [
                (k, "***" if secret_looking(k) else _decode(v))
                for k, v in (store.items(scope) if store else [])
            ]
            scopes = {scope: len(items)}
        else:
            items = []
            scopes = {s: len(store.keys(s)) for s in store.scopes()} if store else {}
    if wants_json(output):
        data: dict[str, Any] = {"location": where.shown(), "scopes": scopes}
        if scope is not None:
            data["values"] = dict(items)
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    print(f"State: {where.shown()}")
    if not scopes or not any(scopes.values()):
        print("no keys" if scope is None else f"no keys in scope {scope!r}")
        return
    if scope is not None:
        for key, value in items:
            print(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        return
    width = max(len(s) for s in scopes)
    for name, count in scopes.items():
        print(f"{name.ljust(width)}  {count} key(s)")


@app.command("export")
def export(
    file: Annotated[
        str, typer.Option("--file", "-f", help="Write here instead of standard output.")
    ] = "-",
    scopes: Annotated[
        list[str] | None, typer.Option("--scope", "-s", help="Only this scope (repeatable).")
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Write State as JSON lines (a header, then one {scope, key, value} per line).
    Keys that look like credentials are left out and named on standard error."""
    from llmspell.errors import LLMSpellError
    from llmspell.state import MemoryStateBackend
    from llmspell.state.transfer import export_state

    with _store(config) as store:
        source = store if store is not None else MemoryStateBackend()
        try:
            if file == "-":
                report_ = export_state(source, sys.stdout, scopes=scopes)
            else:
                target = Path(file).expanduser()
                tmp = target.with_name(target.name + ".tmp")
                try:
                    with open(tmp, "w", encoding="utf-8") as fh:
                        report_ = export_state(source, fh, scopes=scopes)
                    tmp.replace(target)
                except OSError as exc:
                    tmp.unlink(missing_ok=True)
                    fail(f"cannot write {file}: {exc.strerror}", EXIT_USAGE)
        except LLMSpellError as exc:
            fail(f"{exc.kind}: {exc}", EXIT_SCRIPT)
    note = f"exported {report_.entries} key(s) from {report_.scopes} scope(s)"
    if report_.skipped:
        note += (
            f"; left out {len(report_.skipped)} key(s) that look like credentials: "
            + ", ".join(report_.skipped[:20])
            + (" ..." if len(report_.skipped) > 20 else "")
        )
    if report_.redacted:
        note += f"; {report_.redacted} nested credential-looking value(s) replaced by [REDACTED]"
    print(note, file=sys.stderr)


@app.command("import")
def import_(
    file: Annotated[str, typer.Argument(help="A file from llmspell state export, or - (stdin).")],
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Also delete keys of the imported scopes the file lacks."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the file and say what would change.")
    ] = False,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Import a State export: the whole file is checked first, then written in one
    transaction (nothing is written when any line is wrong)."""
    from llmspell.errors import LLMSpellError
    from llmspell.state.transfer import import_state, plan_import

    try:
        # (closed in the finally below; stdin stays open)
        fh = sys.stdin if file == "-" else open(Path(file).expanduser(), encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}", EXIT_USAGE)
    try:
        with _store(config, create=True) as store:
            assert store is not None
            what = "standard input" if file == "-" else file
            try:
                run = plan_import if dry_run else import_state
                plan = run(store, fh, replace=replace, what=what)
            except UnicodeDecodeError:
                fail(f"ValidationError: {what} is not UTF-8 text", EXIT_SCRIPT)
            except LLMSpellError as exc:
                fail(f"{exc.kind}: {exc} (nothing was written)", EXIT_SCRIPT)
    finally:
        if fh is not sys.stdin:
            fh.close()
    deleted = sum(1 for w in plan.writes if w[2] is None)
    if wants_json(output):
        data = {
            "entries": plan.entries,
            "scopes": plan.scopes,
            "deleted": deleted,
            "dry_run": dry_run,
        }
        print(json.dumps(data, ensure_ascii=False))
        return
    verb = "would import" if dry_run else "imported"
    extra = f", {'would delete' if dry_run else 'deleted'} {deleted}" if replace else ""
    print(f"{verb} {plan.entries} key(s) into {len(plan.scopes)} scope(s){extra}")


def _lua_string(text: str) -> str:
    level = "=" * 1
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def _migrate_wrapper(spell: Path | None, scope: str | None, dry_run: bool) -> str:
    """A spell in ``spell``'s language that runs it (so it registers its migrations),
    then applies them (with the plugins') and returns the report."""
    if spell is None or spell.suffix == ".lua":
        opts = f"dry_run = {'true' if dry_run else 'false'}"
        if scope is not None:
            opts += f", scope = {_lua_string(scope)}"
        load = "" if spell is None else f"dofile({_lua_string(str(spell))})\n"
        return f"{load}return State.migrate({{{opts}}})\n"
    options: dict[str, Any] = {"dry_run": dry_run}
    if scope is not None:
        options["scope"] = scope
    return (
        f"import {json.dumps('./' + spell.name)};\n"
        f"export default await State.migrate({json.dumps(options)});\n"
    )


@app.command("migrate")
def migrate(
    spell: Annotated[
        Path | None,
        typer.Argument(
            help="A Lua or JavaScript file that registers migrations with "
            "State.register_migration (and may do nothing else); without it, only the "
            "plugins' migrations (register_state_migrations) apply.",
        ),
    ] = None,
    scope: Annotated[
        str | None, typer.Option("--scope", "-s", help="Only this scope's migrations.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Run the migrations but write nothing.")
    ] = False,
    output: OutputOpt = OutputFormat.text,
    config: ConfigOpt = None,
) -> None:
    """Apply the pending migrations SPELL and the plugins register, in one transaction,
    and report what changed per scope (nothing is written when one fails)."""
    from llmspell.errors import LLMSpellError
    from llmspell_cli.common import build_runtime

    if spell is not None:
        if spell.suffix not in (".lua", ".js", ".mjs"):
            fail(f"{spell}: a migrations spell is a .lua or .js file", EXIT_USAGE)
        if not spell.is_file():
            fail(f"no file {str(spell)!r}", EXIT_USAGE)
    _where(config)
    real = spell.resolve() if spell is not None else None
    wrapper = _migrate_wrapper(real, scope, dry_run)
    runtime = build_runtime(config)
    try:
        if real is None:
            result = runtime.run_sync(source=wrapper, chunk_name="migrate.lua", engine="lua")
        else:
            where = real.with_name(f".llmspell-migrate{real.suffix}")
            result = runtime.run_sync(source=wrapper, path=where)
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_SCRIPT)
    finally:
        runtime.close()
    report: list[dict[str, Any]] = list(result.value or [])
    for r in report:  # (an empty Lua table comes back as an object)
        r["applied"] = list(r.get("applied") or [])
    if wants_json(output):
        print(json.dumps({"dry_run": dry_run, "scopes": report}, indent=2, ensure_ascii=False))
        return
    if not report:
        print("no migrations registered")
    for r in report:
        if not r["applied"]:
            print(f"{r['scope']}: up to date (version {r['from']})")
            continue
        verb = "would migrate" if dry_run else "migrated"
        steps = ", ".join(str(v) for v in r["applied"])
        print(
            f"{r['scope']}: {verb} version {r['from']} -> {r['to']} (steps {steps}): "
            f"{r['keys']} key(s), {r['changed']} changed, {r['deleted']} deleted"
        )
