"""``llmspell logs list|show|search|status|prune|off|on``: the local run log.

Every run (``llmspell run``/``exec`` and runtimes of the Python API) is recorded in
``LLMSPELL_HOME/logs.db`` (``[logs] path``), or in the ``[storage] url`` database when it
is PostgreSQL: its agent calls with model, prompt, answer, tokens, cost and duration, its
tool calls and its errors (docs/observability.md).
Exit codes: 0 ok, 1 no such run, 2 usage or configuration error (or a database that
cannot be read).
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from llmspell_cli._support import printable
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
    from llmspell.observability.store import LogStore

app = typer.Typer(
    help="Browse the run log: runs, agent calls (prompts, answers, tokens, cost), tool "
    "calls and errors.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="Only runs started since: a duration (30m, 2h, 7d, 2w) or a UTC date/time "
        "(2026-12-01, 2026-12-01T09:30).",
        show_default=False,
    ),
]
SpellOpt = Annotated[
    str | None,
    typer.Option("--spell", help="Only runs of spells whose name or path contains this."),
]
ModelOpt = Annotated[
    str | None,
    typer.Option("--model", "-m", help="Only runs with an agent call to a model containing this."),
]
LimitOpt = Annotated[int, typer.Option("--limit", "-n", min=1, max=10_000, help="At most N runs.")]

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)$")
_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str, now: datetime | None = None) -> str:
    """The ISO 8601 UTC time ``--since`` names: ``now`` minus a duration, or a date."""
    now = now or datetime.now(UTC)
    raw = text.strip()
    match = _DURATION.match(raw.lower())
    if match:
        seconds = float(match[1]) * _UNITS[match[2]]
        return (now - timedelta(seconds=seconds)).isoformat(timespec="milliseconds")
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        fail(
            f"--since {text!r}: not a duration (30m, 2h, 7d, 2w) or a date "
            "(2026-12-01, 2026-12-01T09:30)",
            EXIT_USAGE,
        )
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


def _store(config: Path | None) -> tuple[LogStore, Any]:
    from llmspell.config import load_settings
    from llmspell.errors import LLMSpellError
    from llmspell.observability.store import open_log_store

    try:
        settings = load_settings(config)
    except LLMSpellError as exc:
        fail(f"{exc.kind}: {exc}", EXIT_USAGE)
    return open_log_store(settings), settings


def _fail_db(exc: Exception) -> NoReturn:
    kind = getattr(exc, "kind", None)
    fail(f"cannot read the run log: {kind + ': ' if kind else ''}{exc}", EXIT_USAGE)


@app.command("list")
def list_(
    since: SinceOpt = None,
    spell: SpellOpt = None,
    model: ModelOpt = None,
    limit: LimitOpt = 20,
    config: ConfigOpt = None,
    output: OutputOpt = OutputFormat.text,
) -> None:
    """List runs, newest first."""
    store, _ = _store(config)
    after = parse_since(since) if since else None
    try:
        runs = store.list_runs(since=after, spell=spell, model=model, limit=limit)
    except Exception as exc:
        _fail_db(exc)
    if wants_json(output):
        print(json.dumps(runs, ensure_ascii=False, sort_keys=True))
        return
    if not runs:
        print("no runs logged" + (" that match" if since or spell or model else ""))
        return
    for run in runs:
        print(_run_line(run))


@app.command("show")
def show(
    run_id: Annotated[str, typer.Argument(help="A run id (or the start of one: run-3f2a).")],
    config: ConfigOpt = None,
    output: OutputOpt = OutputFormat.text,
) -> None:
    """Show one run: its agent calls (prompts and answers), tool calls and errors."""
    store, _ = _store(config)
    try:
        run = store.get_run(run_id)
    except ValueError as exc:
        fail(f"{run_id!r} matches several runs ({exc}); give more of the id", EXIT_USAGE)
    except Exception as exc:
        _fail_db(exc)
    if run is None:
        fail(f"no run {run_id!r} in the run log (llmspell logs list shows them)", EXIT_SCRIPT)
    if wants_json(output):
        print(json.dumps(run, ensure_ascii=False, sort_keys=True))
        return
    _print_run(run)


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help='Words that must all appear; "a phrase" in quotes.')],
    since: SinceOpt = None,
    spell: SpellOpt = None,
    model: ModelOpt = None,
    limit: LimitOpt = 20,
    config: ConfigOpt = None,
    output: OutputOpt = OutputFormat.text,
) -> None:
    """Full-text search of prompts, answers, tool parameters, spell names and errors."""
    store, _ = _store(config)
    after = parse_since(since) if since else None
    try:
        runs = store.search(text, since=after, spell=spell, model=model, limit=limit)
    except ValueError as exc:
        fail(f"search: {exc}", EXIT_USAGE)
    except Exception as exc:
        _fail_db(exc)
    if wants_json(output):
        print(json.dumps(runs, ensure_ascii=False, sort_keys=True))
        return
    if not runs:
        print("no logged run matches")
        return
    for run in runs:
        print(_run_line(run))
        for match in run["matches"]:
            print(f"    {match['source']}: {printable(_one_line(match['snippet']))}")


@app.command("status")
def status(config: ConfigOpt = None, output: OutputOpt = OutputFormat.text) -> None:
    """Whether runs are logged, where, and how much is kept."""
    from llmspell.observability import logs_switched_off

    store, settings = _store(config)
    off = logs_switched_off()
    try:
        stats = store.stats()
    except Exception as exc:
        _fail_db(exc)
    info = {
        "logging": not off and settings.logs.enabled,
        "switched_off": off,
        "enabled_in_config": settings.logs.enabled,
        "content": settings.logs.content,
        "keep_days": settings.logs.keep_days,
        "database": store.kind,
        "path": store.where,
        **stats,
    }
    if wants_json(output):
        print(json.dumps(info, sort_keys=True))
        return
    state = "on" if info["logging"] else (
        "off (llmspell logs off)" if off else "off ([logs] enabled = false)"
    )
    print(f"run log: {state}")
    print(f"{'file' if store.kind == 'sqlite' else 'database'}: {info['path']} "
          f"({info['bytes']} bytes)")  # fmt: skip
    print(f"runs: {info['runs']}, agent calls: {info['agent_calls']}, tool calls: "
          f"{info['tool_calls']}")  # fmt: skip
    print(f"content: {'kept' if info['content'] else 'not kept'}; retention: "
          + (f"{info['keep_days']} days" if info["keep_days"] else "forever"))


@app.command("prune")
def prune(
    keep_days: Annotated[
        int | None,
        typer.Option(
            "--keep-days",
            min=1,
            max=36_500,
            help="Delete runs older than this many days (default: [logs] keep_days).",
            show_default=False,
        ),
    ] = None,
    config: ConfigOpt = None,
    output: OutputOpt = OutputFormat.text,
) -> None:
    """Delete old runs now (retention also runs by itself when runs are logged)."""
    store, settings = _store(config)
    days = keep_days if keep_days is not None else settings.logs.keep_days
    if days <= 0:
        fail("[logs] keep_days is 0 (keep forever): give --keep-days N", EXIT_USAGE)
    try:
        deleted = store.prune(days)
    except Exception as exc:
        _fail_db(exc)
    if wants_json(output):
        print(json.dumps({"deleted": deleted, "keep_days": days}))
        return
    print(f"deleted {deleted} run(s) older than {days} days")


@app.command("off")
def off() -> None:
    """Stop logging runs (until llmspell logs on); what is logged stays."""
    from llmspell.observability import set_logs_switch

    set_logs_switch(False)
    print("run log off: runs are not recorded (llmspell logs on turns it back on)")


@app.command("on")
def on() -> None:
    """Log runs again (the default)."""
    from llmspell.observability import set_logs_switch

    set_logs_switch(True)
    print("run log on")


def _run_line(run: dict[str, Any]) -> str:
    started = (run.get("started") or "")[:19].replace("T", " ")
    tokens = f"{run.get('input_tokens') or 0}/{run.get('output_tokens') or 0}"
    cost = run.get("cost_usd")
    money = f" ${cost:.6f}" if isinstance(cost, int | float) else ""
    models = ",".join(run.get("models") or [])
    status = run.get("status") or "?"
    if run.get("error_kind"):
        status += f" ({run['error_kind']})"
    duration = run.get("duration_ms")
    took = f"{duration:.0f} ms" if isinstance(duration, int | float) else "-"
    line = (
        f"{run['id']}  {started}  {run.get('spell')}  {status}  {took}  "
        f"agents {run.get('agent_call_count') or 0}  tools {run.get('tool_call_count') or 0}  "
        f"tokens {tokens}{money}"
    )
    if models:
        line += f"  {models}"
    return printable(line)


def _print_run(run: dict[str, Any]) -> None:
    out = sys.stdout
    print(_run_line(run), file=out)
    if run.get("script"):
        print(f"script: {printable(run['script'])}", file=out)
    if run.get("error"):
        print(f"error: {run.get('error_kind')}: {printable(run['error'])}", file=out)
    if not run.get("content"):
        print("(content logging was off for this run: no prompts, answers or parameters)")
    for call in run.get("agent_calls", []):
        where = f" [{call['workflow']} / {call['step']}]" if call.get("step") else ""
        tokens = f"{call.get('input_tokens') or 0}/{call.get('output_tokens') or 0}"
        took = call.get("duration_ms") or 0
        answered = f" -> {call['response_model']}" if call.get("response_model") else ""
        head = (
            f"\nagent {call['agent']} ({call['model']}{answered}){where}: {call['status']}, "
            f"{took:.0f} ms, tokens {tokens}"
        )
        if call.get("cost_usd") is not None:
            head += f", ${call['cost_usd']:.6f}"
        if call.get("finish_reason"):
            head += f", finish {call['finish_reason']}"
        print(printable(head), file=out)
        if call.get("error"):
            print(printable(f"  error: {call.get('error_kind')}: {call['error']}"), file=out)
        for label in ("prompt", "response"):
            if call.get(label) is not None:
                print(f"  {label}:", file=out)
                print(_indented(call[label]), file=out)
    tools = run.get("tool_calls", [])
    if tools:
        print("\ntool calls:", file=out)
    for tool in tools:
        took = tool.get("duration_ms") or 0
        by = f" (model call {tool['tool_call_id']})" if tool.get("tool_call_id") else ""
        line = f"  {tool['tool']}{by}: {tool['status']}, {took:.0f} ms"
        if tool.get("error"):
            line += f": {tool.get('error_kind') or 'error'}: {tool['error']}"
        print(printable(line), file=out)
        if tool.get("params") is not None:
            text = json.dumps(tool["params"], ensure_ascii=False, sort_keys=True)
            print(printable(f"    params: {text}"), file=out)
    errors = run.get("errors", [])
    if errors:
        print("\nerrors:", file=out)
    for error in errors:
        print(printable(f"  {error['source']}: {error['kind']}: {error['message']}"), file=out)


def _indented(text: str) -> str:
    return "\n".join("    " + printable(line) for line in str(text).splitlines() or [""])


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
