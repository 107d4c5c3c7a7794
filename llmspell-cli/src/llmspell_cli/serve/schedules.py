"""Schedules: spells run on a ``cron`` expression or ``every`` interval, from
``[[schedules]]`` in the configuration or made through ``/v1/schedules``. They are DBOS
schedules in the system database, so every host sharing ``[storage] url`` sees them and
each tick fires once across the fleet (its workflow id is the schedule and the tick
time). Missed ticks (every host down) are skipped, never caught up (docs/serve.md).

A paused schedule (``POST /v1/schedules/{id}:pause``) is a row in the run store (the truth,
shared by the fleet) and a paused DBOS schedule (so no host's scheduler thread fires it);
a tick due at or after the pause that was fired anyway (a host's scheduler had not yet
seen it) is dropped by :func:`_create_run`. Resuming fires no missed tick."""

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from dbos import DBOS
from fastapi import Depends, FastAPI
from pydantic import BaseModel, ConfigDict, Field

from llmspell_cli.serve.execution import QUEUE, Service, current, execute_run, tick_run_id
from llmspell_cli.serve.http_errors import ApiError

__all__ = ["ScheduleRequest", "add_schedule_routes", "apply_config_schedules", "check_entry"]

#: DBOS schedule names of this service start with this
PREFIX = "llmspell/"
#: the owner of ``[[schedules]]`` runs: every token may see them
CONFIG_OWNER = "*"
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_EVERY = re.compile(r"^\s*(\d+)\s*(s|sec|second|seconds|m|min|minute|minutes|h|hour|hours)\s*$")
_KEYS = ("name", "spell", "cron", "every", "args", "timeout", "retries")


class ScheduleRequest(BaseModel):
    """``POST /v1/schedules``: a spell file and when to run it."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, description="the schedule's id (default: generated)")
    spell: str = Field(..., min_length=1, description="a spell file, inside the spells directory")
    cron: str | None = Field(
        None, max_length=200, description='"*/5 * * * *" (seconds first with 6 fields)'
    )
    every: str | None = Field(None, max_length=32, description='"30s", "5m", "1h"')
    args: list[str] | dict[str, str] = Field(default_factory=list, description="ARGS")
    timeout: float | None = Field(None, gt=0, description="seconds per run (capped by config)")
    retries: int | None = Field(
        None, strict=True, description="re-runs of a tick whose worker died (default: the "
        "spell's retry marker, else 0)"
    )


def every_to_cron(every: str) -> str:
    """``"30s"`` / ``"5m"`` / ``"2h"`` as a cron expression (seconds first); the interval
    must divide the minute, hour or day evenly so that every tick is equally far apart."""
    match = _EVERY.match(every)
    if not match:
        raise ValueError(f"bad interval {every!r}: use a number and s, m or h (\"30s\", \"5m\")")
    n, unit = int(match.group(1)), match.group(2)[0]
    whole = {"s": 60, "m": 60, "h": 24}[unit]
    if n < 1 or whole % n:
        divisors = ", ".join(str(d) for d in range(1, whole + 1) if whole % d == 0)
        span = {"s": "a minute", "m": "an hour", "h": "a day"}[unit]
        raise ValueError(
            f"interval {every!r} does not divide {span} evenly "
            f"(use {divisors} {unit}, or a cron expression)"
        )
    if unit == "s":
        return f"*/{n} * * * * *"
    if unit == "m":
        return f"0 */{n} * * * *"
    return f"0 0 */{n} * * *"


def check_entry(entry: dict[str, Any], settings: Any) -> dict[str, Any]:
    """A schedule checked and normalised (``{name, spell, cron, every, args, timeout,
    retries}``); raises :class:`ApiError` (422/403/404) naming what is wrong."""
    from croniter import croniter  # type: ignore[import-untyped]

    from llmspell_cli.serve.api import _read_spell, _spell_path, check_retries

    unknown = sorted(set(entry) - set(_KEYS))
    if unknown:
        raise ApiError(422, "ValidationError", f"unknown schedule key(s): {', '.join(unknown)}",
                       f"known: {', '.join(_KEYS)}")  # fmt: skip
    name = entry.get("name")
    if name is not None and (not isinstance(name, str) or not _ID.match(name)):
        raise ApiError(422, "ValidationError", f"bad schedule name {name!r}",
                       "letters, digits, '_', '-', '.' (at most 64)")  # fmt: skip
    spell = entry.get("spell")
    if not isinstance(spell, str) or not spell:
        raise ApiError(422, "ValidationError", "a schedule needs 'spell' (a spell file)")
    path = _spell_path(spell, settings)
    retries = entry.get("retries")
    if retries is not None:
        check_retries(retries, None, settings, "schedule ")
    else:  # the spell's marker, checked now (it is read again at every tick)
        check_retries(None, _read_spell(path), settings)
    cron, every = entry.get("cron"), entry.get("every")
    if (cron is None) == (every is None):
        raise ApiError(422, "ValidationError", "give exactly one of 'cron' or 'every'",
                       'e.g. cron = "0 9 * * 1-5" or every = "30s"')  # fmt: skip
    if every is not None:
        try:
            cron_expr = every_to_cron(str(every))
        except ValueError as exc:
            raise ApiError(422, "ValidationError", str(exc)) from None
    else:
        cron_expr = str(cron)
        if not croniter.is_valid(cron_expr, second_at_beginning=True):
            raise ApiError(
                422,
                "ValidationError",
                f"bad cron expression {cron_expr!r}",
                'five fields "minute hour day month weekday" ("*/5 * * * *"), or six with '
                'seconds first ("*/10 * * * * *")',
            )
    args = entry.get("args", [])
    if isinstance(args, dict):
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in args.items()):
            raise ApiError(422, "ValidationError", "schedule 'args' must map strings to strings")
        args = [part for k, v in args.items() for part in (f"--{k}", v)]
    elif not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise ApiError(422, "ValidationError", "schedule 'args' must be a list of strings")
    timeout = entry.get("timeout")
    cap = settings.serve.max_timeout_seconds
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= cap
    ):
        raise ApiError(422, "ValidationError", f"schedule 'timeout' must be a number of seconds "
                       f"up to {cap:g} (got {timeout!r})")  # fmt: skip
    return {"name": name, "spell": spell, "cron": cron_expr, "every": every, "args": args,
            "timeout": timeout, "retries": retries}  # fmt: skip


# -- DBOS ----------------------------------------------------------------------------------
@DBOS.workflow(name="llmspell_scheduled")
def scheduled_workflow(scheduled_at: datetime, context: Any) -> None:
    """One tick of a schedule: a run record (its id derived from the tick, so a tick
    recovered on another host is the same run), then the run, as any other."""
    run_id = tick_run_id(str(DBOS.workflow_id))
    if _create_run(run_id, dict(context), scheduled_at.isoformat()):
        execute_run(run_id)


@DBOS.step(name="llmspell_schedule_tick")
def _create_run(run_id: str, context: dict[str, Any], tick: str) -> bool:
    """Record the tick's run; False when it cannot run (its spell gone, too many runs
    in flight): then the record says why, and the run is final."""
    from llmspell_cli.serve.api import _read_spell, _spell_path, check_retries

    svc = current()
    if svc.store.status(run_id) is not None:
        return True  # recorded by an earlier attempt of this tick
    paused_at = svc.store.schedule_paused_at(str(context.get("id")))
    if paused_at is not None and datetime.fromisoformat(tick).timestamp() >= paused_at:
        return False  # paused: a host fired it before its scheduler saw the pause
    settings = svc.settings
    owner = str(context.get("owner") or CONFIG_OWNER)
    spec: dict[str, Any] = {
        "engine": None,
        "args": list(context.get("args") or []),
        "timeout": context.get("timeout")
        or min(settings.runtime.timeout_seconds, settings.serve.max_timeout_seconds),
        "memory_mb": None,
        "spell": context.get("spell"),
        "schedule": context.get("id"),
        "tick": tick,
    }
    error: dict[str, Any] | None = None
    try:
        path = _spell_path(str(context.get("spell")), settings)
        spec.update(source=_read_spell(path), path=str(path))
        spec["retries"] = check_retries(context.get("retries"), spec["source"], settings,
                                        "schedule ")  # fmt: skip
    except ApiError as exc:
        error = {"kind": exc.kind, "message": f"schedule {context.get('id')}: {exc.message}",
                 "hint": exc.hint}  # fmt: skip
    limit = settings.serve.max_runs_in_flight_per_token
    if error is None and svc.store.in_flight(owner) >= limit:
        error = {
            "kind": "LimitExceeded",
            "message": f"schedule {context.get('id')}: tick {tick} skipped, its owner already "
            f"has {limit} runs queued or running",
            "hint": "make the schedule less frequent, or raise "
            "[serve] max_runs_in_flight_per_token",
        }
    svc.store.create(run_id, token=owner, kind="schedule", spec=spec)
    if error is not None:
        svc.store.finish(run_id, "failed", error=error)
        return False
    return True


def _dbos_entry(sched_id: str, entry: dict[str, Any], *, owner: str, origin: str) -> Any:
    context = {"id": sched_id, "spell": entry["spell"], "args": entry["args"],
               "timeout": entry["timeout"], "every": entry["every"], "cron": entry["cron"],
               "retries": entry.get("retries"),
               "owner": owner, "origin": origin}  # fmt: skip
    return {
        "schedule_name": PREFIX + sched_id,
        "workflow_fn": scheduled_workflow,
        "schedule": entry["cron"],
        "context": context,
        "queue_name": QUEUE,
        "automatic_backfill": False,
    }


def config_entries(settings: Any) -> list[dict[str, Any]]:
    """``[[schedules]]`` checked, with their ids (``config-NAME`` or ``config-N``); raises
    :class:`ApiError` for the first bad one (the caller reports it as configuration)."""
    out = []
    for i, raw in enumerate(settings.schedules):
        try:
            entry = check_entry(raw, settings)
        except ApiError as exc:
            exc.message = f"[[schedules]] #{i + 1}: {exc.message}"
            raise
        entry["id"] = f"config-{entry['name'] or i + 1}"
        out.append(entry)
    ids = [e["id"] for e in out]
    if len(set(ids)) != len(ids):
        raise ApiError(500, "ConfigurationError", "[[schedules]]: two schedules have one name")
    return out


def apply_config_schedules(service: Service, entries: list[dict[str, Any]]) -> None:
    """Make the database's config schedules those of this configuration (every host
    does it at start; they should share one configuration)."""
    wanted = {e["id"] for e in entries}
    if entries:
        DBOS.apply_schedules(
            [_dbos_entry(e["id"], e, owner=CONFIG_OWNER, origin="config") for e in entries]
        )
    for sched in DBOS.list_schedules(schedule_name_prefix=PREFIX + "config-"):
        if sched["schedule_name"][len(PREFIX) :] not in wanted:
            DBOS.delete_schedule(sched["schedule_name"])
    # a config schedule's pause outlives restarts, not the removal of its entry; the
    # pauses are read before the schedules, so one paused meanwhile is seen paused
    pauses = service.store.schedule_pauses()
    for sched_id in pauses:
        if sched_id.startswith("config-") and sched_id not in wanted:
            service.store.resume_schedule(sched_id)
    for sched in DBOS.list_schedules(schedule_name_prefix=PREFIX):
        if sched["schedule_name"][len(PREFIX) :] in pauses and sched.get("status") != "PAUSED":
            DBOS.pause_schedule(sched["schedule_name"])


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def _public(sched: Any, pauses: dict[str, float]) -> dict[str, Any]:
    ctx = sched.get("context") or {}
    paused_at = pauses.get(sched["schedule_name"][len(PREFIX) :])
    return {
        "id": sched["schedule_name"][len(PREFIX) :],
        "spell": ctx.get("spell"),
        "cron": sched["schedule"],
        "every": ctx.get("every"),
        "args": ctx.get("args"),
        "timeout": ctx.get("timeout"),
        "retries": ctx.get("retries"),
        "origin": ctx.get("origin"),
        "status": "active" if paused_at is None else "paused",
        "paused": paused_at is not None,
        "paused_at": None if paused_at is None else _iso(paused_at),
        "last_fired_at": sched.get("last_fired_at"),
    }


def add_schedule_routes(app: FastAPI, service: Service, caller: Callable[..., str]) -> None:
    """``GET/POST /v1/schedules``, ``DELETE /v1/schedules/{id}`` and
    ``POST /v1/schedules/{id}:pause`` / ``:resume``."""
    Caller = Annotated[str, Depends(caller)]
    settings = service.settings

    def visible(who: str) -> list[Any]:
        return [
            s for s in DBOS.list_schedules(schedule_name_prefix=PREFIX)
            if (s.get("context") or {}).get("owner") in (who, CONFIG_OWNER)
        ]  # fmt: skip

    @app.get("/v1/schedules")
    def list_schedules(who: Caller) -> dict[str, Any]:
        """This token's schedules and those of the configuration."""
        pauses = service.store.schedule_pauses()
        return {"schedules": [_public(s, pauses) for s in visible(who)]}

    @app.post("/v1/schedules", status_code=201)
    def create(body: ScheduleRequest, who: Caller) -> dict[str, Any]:
        """Run a spell on a schedule (from the next tick on, on whichever host)."""
        entry = check_entry(body.model_dump(), settings)
        mine = [s for s in visible(who) if (s.get("context") or {}).get("owner") == who]
        cap = settings.serve.max_schedules_per_token
        if len(mine) >= cap:
            raise ApiError(429, "LimitExceeded", f"this token already has {cap} schedules",
                           "delete some, or raise [serve] max_schedules_per_token")  # fmt: skip
        sched_id = entry["name"] or f"s-{uuid.uuid4().hex[:10]}"
        if sched_id.startswith("config-") or DBOS.get_schedule(PREFIX + sched_id) is not None:
            raise ApiError(409, "StateError", f"a schedule {sched_id!r} already exists",
                           "choose another name, or delete it first")  # fmt: skip
        spec = _dbos_entry(sched_id, entry, owner=who, origin="api")
        service.store.resume_schedule(sched_id)  # a pause left by a deleted one of that name
        DBOS.create_schedule(
            schedule_name=spec["schedule_name"], workflow_fn=scheduled_workflow,
            schedule=spec["schedule"], context=spec["context"], queue_name=QUEUE,
        )  # fmt: skip
        created = DBOS.get_schedule(spec["schedule_name"])
        return _public(created, {}) if created else {"id": sched_id}

    def find(sched_id: str, who: str) -> tuple[Any, str]:
        """The schedule ``sched_id`` this token may see, and its owner (404 if none)."""
        sched = DBOS.get_schedule(PREFIX + sched_id) if _ID.match(sched_id) else None
        owner = (sched.get("context") or {}).get("owner") if sched else None
        if sched is None or owner not in (who, CONFIG_OWNER):
            raise ApiError(404, "NotFoundError", f"no schedule {sched_id!r}",
                           "list them: GET /v1/schedules")  # fmt: skip
        return sched, str(owner)

    @app.post("/v1/schedules/{sched_id}:pause")
    def pause(sched_id: str, who: Caller) -> dict[str, Any]:
        """Stop firing the schedule, on every host, until it is resumed (pausing a
        paused one keeps its first ``paused_at``)."""
        sched, _ = find(sched_id, who)
        paused_at = service.store.pause_schedule(sched_id)  # first: the fleet's truth
        DBOS.pause_schedule(PREFIX + sched_id)
        return _public(sched, {sched_id: paused_at})

    @app.post("/v1/schedules/{sched_id}:resume")
    def resume(sched_id: str, who: Caller) -> dict[str, Any]:
        """Fire the schedule again from its next tick (the ticks missed while it was
        paused are not made up); resuming one not paused changes nothing."""
        sched, _ = find(sched_id, who)
        DBOS.resume_schedule(PREFIX + sched_id)
        service.store.resume_schedule(sched_id)
        return _public(sched, {})

    @app.post("/v1/schedules/{target}", include_in_schema=False)
    def unknown_action(target: str, who: Caller) -> None:
        """``POST /v1/schedules/{id}:other`` (or without an action): a clear 404."""
        action = target.rpartition(":")[2] if ":" in target else ""
        raise ApiError(404, "NotFoundError", f"no schedule action {action!r}" if action else
                       "POST on a schedule needs an action",
                       "POST /v1/schedules/{id}:pause or /v1/schedules/{id}:resume")  # fmt: skip

    @app.delete("/v1/schedules/{sched_id}")
    def delete(sched_id: str, who: Caller) -> dict[str, Any]:
        """Stop a schedule (runs it already started go on)."""
        _, owner = find(sched_id, who)
        if owner == CONFIG_OWNER:
            raise ApiError(409, "StateError", f"schedule {sched_id!r} is declared in the "
                           "configuration", "remove it from [[schedules]] in llmspell.toml and "
                           "restart the service")  # fmt: skip
        DBOS.delete_schedule(PREFIX + sched_id)
        service.store.resume_schedule(sched_id)
        return {"id": sched_id, "deleted": True}
