"""The FastAPI app of ``llmspell serve``: runs, their live events, health and metrics."""

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from llmspell.observability.propagation import valid_traceparent
from llmspell_cli.serve.execution import Service
from llmspell_cli.serve.http_errors import ApiError, BodyLimit, check_token, install_handlers
from llmspell_cli.serve.store import FINAL

__all__ = ["RunRequest", "check_retries", "create_app", "spell_retries"]

_MAX_SPELL_BYTES = 10 * 1024 * 1024
#: the retry marker among a spell's first comment lines: ``-- llmspell: retries = 2``
_MARKER = re.compile(r"^(?:--|//)\s*llmspell\s*:\s*retries\b(.*)$")


class RunRequest(BaseModel):
    """``POST /v1/runs``: a spell file (``spell``) or code (``source``) and its limits."""

    model_config = ConfigDict(extra="forbid")
    spell: str | None = Field(None, description="a spell file, inside the spells directory")
    source: str | None = Field(None, description="spell code (if [serve] allow_source)")
    engine: str | None = Field(None, max_length=64, description="lua, javascript, ...")
    args: list[str] | dict[str, str] = Field(default_factory=list, description="ARGS")
    timeout: float | None = Field(None, gt=0, description="seconds (capped by config)")
    memory_mb: int | None = Field(None, ge=1, description="engine memory (capped)")
    retries: int | None = Field(
        None,
        strict=True,
        description="re-runs if the worker process or its host dies mid-run (0 to [serve] "
        "max_retries; default: the spell's '-- llmspell: retries = N' line, else 0)",
    )
    stream_agents: bool = Field(
        False,
        strict=True,
        description="agents' tokens as they arrive: output events of stream 'agent' in "
        "GET /v1/runs/{id}/events (as llmspell run --stream); not part of the run's output",
    )


def spell_retries(source: str) -> int | None:
    """The ``retries`` a spell asks for in its leading comment lines (``-- llmspell:
    retries = N`` in Lua, ``// llmspell: retries = N`` in JavaScript), or None; raises
    ValueError for a malformed marker line."""
    for number, raw in enumerate(source.splitlines()[:100], 1):
        line = raw.strip()
        if not line or (number == 1 and line.startswith("#!")):
            continue
        if not line.startswith(("--", "//")):
            return None  # the leading comments are over
        marker = _MARKER.match(line)
        if marker:
            value = re.fullmatch(r"\s*=\s*(\d{1,4})\s*", marker.group(1))
            if value is None:
                raise ValueError(f"line {number}: bad retry marker {line[:80]!r}")
            return int(value.group(1))
    return None


def check_retries(retries: Any, source: str | None, settings: Any, what: str = "") -> int:
    """The run's retry budget: ``retries`` when given, else the spell's marker, else 0;
    raises a 422 :class:`ApiError` when malformed or over ``[serve] max_retries``."""
    cap = settings.serve.max_retries
    origin = f"{what}'retries'"
    if retries is None and source is not None:
        try:
            retries = spell_retries(source)
        except ValueError as exc:
            raise ApiError(422, "ValidationError", f"the spell's {exc}",
                           'write it as "-- llmspell: retries = 2" (Lua) or '
                           '"// llmspell: retries = 2" (JavaScript)') from None  # fmt: skip
        origin = "the spell's retry marker"
    if retries is None:
        return 0
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ApiError(422, "ValidationError", f"{origin} must be a whole number from 0 "
                       f"(got {retries!r})", f"0 to [serve] max_retries ({cap})")  # fmt: skip
    if retries > cap:
        raise ApiError(422, "ValidationError", f"{origin} {retries} is over the service's cap "
                       f"({cap})", "ask for fewer, or raise [serve] max_retries")  # fmt: skip
    return int(retries)


def create_app(service: Service, tokens: list[str]) -> FastAPI:
    """The app for ``service``; every endpoint but ``/v1/health`` needs one of ``tokens``."""
    settings = service.settings
    app = FastAPI(title="llmspell service", version="1", docs_url=None, redoc_url=None)
    install_handlers(app)
    from llmspell.runtime import Runtime

    engines_rt = Runtime(settings)  # engine names and file extensions only

    def caller(request: Request) -> str:
        return check_token(request, tokens)

    Caller = Annotated[str, Depends(caller)]

    @app.get("/v1/health")
    def health() -> Any:
        """Liveness (no token): this host's executor id and its database; 503 with
        ``detail`` while the database is unreachable (the service retries meanwhile)."""
        from fastapi.responses import JSONResponse

        from llmspell_cli.serve.outage import reason

        try:
            service.store.counts()
        except Exception as exc:
            return JSONResponse(
                {
                    "status": "degraded",
                    "executor": service.executor,
                    "database": "down",
                    "detail": f"the database is unreachable ({reason(exc)}); runs and "
                    "schedules wait for it, requests that need it answer 503",
                },
                status_code=503,
            )
        return {"status": "ok", "executor": service.executor, "database": "ok"}

    @app.post("/v1/runs", status_code=202)
    def submit(body: RunRequest, who: Caller, request: Request) -> dict[str, Any]:
        """Queue a run; answers ``{id, status}`` at once. A W3C ``traceparent`` header
        makes the run's trace continue the caller's (when tracing is on)."""
        spec = _spec(body, settings, engines_rt)
        traceparent = request.headers.get("traceparent")
        if valid_traceparent(traceparent):
            spec["traceparent"] = str(traceparent).strip()
        limit = settings.serve.max_runs_in_flight_per_token
        if service.store.in_flight(who) >= limit:
            raise ApiError(
                429,
                "LimitExceeded",
                f"this token already has {limit} runs queued or running",
                "wait for some to finish, or raise [serve] max_runs_in_flight_per_token",
            )
        run_id = service.submit(spec, token=who, kind="spell" if body.spell else "source")
        return {"id": run_id, "status": "queued"}

    @app.get("/v1/runs")
    def list_runs(
        who: Caller,
        status: Literal["queued", "running", "succeeded", "failed", "cancelled"] | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    ) -> dict[str, Any]:
        """This token's latest runs (without output)."""
        return {"runs": service.store.list_runs(status=status, limit=limit, token=who)}

    def _own(run_id: str, who: str) -> None:
        # another token's run is not shown either ("*": a configured schedule's run)
        if service.store.owner(run_id) not in (who, "*"):
            raise ApiError(404, "NotFoundError", f"no run {run_id!r}", "list runs: GET /v1/runs")

    @app.get("/v1/runs/{run_id}")
    def get_run(run_id: str, who: Caller) -> dict[str, Any]:
        """The run's record: status, result, output, usage, error, timestamps."""
        _own(run_id, who)
        return service.store.get(run_id) or {}

    @app.post("/v1/runs/{run_id}/cancel")
    def cancel(run_id: str, who: Caller) -> dict[str, Any]:
        """Cancel a queued or running run (its worker process is killed)."""
        _own(run_id, who)
        if not service.cancel(run_id):
            status = service.store.status(run_id)
            raise ApiError(
                409,
                "StateError",
                f"run {run_id} has already finished ({status})",
                "only queued or running runs can be cancelled",
            )
        return {"id": run_id, "status": "cancelled"}

    @app.get("/v1/runs/{run_id}/events")
    async def events(run_id: str, who: Caller, request: Request) -> Any:
        """Server-Sent Events: ``output`` (``{stream, text}``, its ``id`` the line's
        number; stream ``agent``: agents' tokens of a run that asked ``stream_agents``)
        and ``status`` events, live, until the run finishes (then a last
        ``status`` event and the stream ends). A reconnecting client's ``Last-Event-ID``
        resumes after that line. An ``error`` event ends the stream when the service's
        database becomes unreachable."""
        from sse_starlette.sse import EventSourceResponse

        from llmspell_cli.serve.outage import guard_stream

        await asyncio.to_thread(_own, run_id, who)
        events = guard_stream(
            _event_stream(service, run_id, request),
            lambda error: {"event": "error", "data": json.dumps(error)},
        )
        return EventSourceResponse(events, ping=15)

    @app.get("/metrics", response_class=PlainTextResponse)
    def metrics(_who: Caller) -> str:
        """Prometheus text: runs by status, retries, the queue's oldest wait and the
        hosts alive (all hosts sharing the database), and this host's workers."""
        counts = service.store.counts()
        fleet = service.store.fleet(service.settings.serve.dead_after_seconds)
        lines = [
            "# HELP llmspell_runs Runs in the service's database, by status.",
            "# TYPE llmspell_runs gauge",
        ]
        for status in ("queued", "running", "succeeded", "failed", "cancelled"):
            lines.append(f'llmspell_runs{{status="{status}"}} {counts.get(status, 0)}')
        lines += [
            "# HELP llmspell_worker_processes Worker processes running on this host.",
            "# TYPE llmspell_worker_processes gauge",
            f"llmspell_worker_processes {len(service._procs)}",
            "# HELP llmspell_run_retries Attempts past the first, over the runs kept.",
            "# TYPE llmspell_run_retries gauge",
            f"llmspell_run_retries {fleet['retries']:g}",
            "# HELP llmspell_queue_oldest_seconds How long the oldest queued run has waited.",
            "# TYPE llmspell_queue_oldest_seconds gauge",
            f"llmspell_queue_oldest_seconds {fleet['oldest_queued_seconds']:.3f}",
            "# HELP llmspell_hosts Hosts (serve or worker) that sent a heartbeat recently.",
            "# TYPE llmspell_hosts gauge",
            f"llmspell_hosts {fleet['hosts']:g}",
        ]
        return "\n".join(lines) + "\n"

    from llmspell_cli.serve.agents_api import add_agent_routes

    add_agent_routes(app, service, caller)
    from llmspell_cli.serve.schedules import add_schedule_routes

    add_schedule_routes(app, service, caller)
    from llmspell_cli.serve.dashboard import add_dashboard_routes

    add_dashboard_routes(app)

    limited: Any = BodyLimit(app, settings.serve.max_body_bytes)
    limited.openapi = app.openapi
    app.state.limited = limited
    return app


async def _event_stream(
    service: Service, run_id: str, request: Request
) -> AsyncIterator[dict[str, Any]]:
    resume = request.headers.get("last-event-id", "")
    seq = int(resume) + 1 if resume.isascii() and resume.isdigit() else 0
    last: tuple[str | None, int] | None = None
    while True:
        status, attempts = await asyncio.to_thread(service.store.progress, run_id)
        chunks = await asyncio.to_thread(service.store.output_since, run_id, seq)
        for n, stream, text in chunks:
            seq = n + 1
            yield {
                "event": "output",
                "id": str(n),
                "data": json.dumps({"stream": stream, "text": text}),
            }
        if (status, attempts) != last:
            last = (status, attempts)
            yield {"event": "status", "data": json.dumps({"status": status, "attempts": attempts})}
        if status in FINAL and not chunks:
            return
        if await request.is_disconnected():
            return
        await asyncio.sleep(0.05)


def _spec(body: RunRequest, settings: Any, rt: Any) -> dict[str, Any]:
    """The run as the worker process gets it (limits capped, the spell file read)."""
    serve = settings.serve
    if (body.spell is None) == (body.source is None):
        raise ApiError(
            422,
            "ValidationError",
            "give exactly one of 'spell' (a file) or 'source' (code)",
            'e.g. {"spell": "hello.lua"} or {"source": "print(1)", "engine": "lua"}',
        )
    if body.timeout is not None and body.timeout > serve.max_timeout_seconds:
        raise ApiError(
            422,
            "ValidationError",
            f"timeout {body.timeout:g} is over the service's cap ({serve.max_timeout_seconds:g} s)",
            "ask for less, or raise [serve] max_timeout_seconds",
        )
    if body.memory_mb is not None and body.memory_mb > serve.max_memory_mb:
        raise ApiError(
            422,
            "ValidationError",
            f"memory_mb {body.memory_mb} is over the service's cap ({serve.max_memory_mb})",
            "ask for less, or raise [serve] max_memory_mb",
        )
    args = (
        body.args
        if isinstance(body.args, list)
        else [part for k, v in body.args.items() for part in (f"--{k}", v)]
    )
    spec: dict[str, Any] = {
        "engine": body.engine,
        "args": args,
        "timeout": body.timeout or min(settings.runtime.timeout_seconds, serve.max_timeout_seconds),
        "memory_mb": body.memory_mb,
    }
    if body.source is not None:
        if not serve.allow_source:
            raise ApiError(
                403,
                "SecurityError",
                "this service does not run spell code sent in requests",
                'submit a spell file ({"spell": PATH}) or set [serve] allow_source = true',
            )
        spec.update(source=body.source, chunk_name="<request>")
        where: str | None = None
    else:
        path = _spell_path(str(body.spell), settings)
        spec.update(source=_read_spell(path), path=str(path), spell=str(body.spell))
        where = str(path)
    from llmspell.errors import LLMSpellError

    try:
        rt.select_engine(where if where else "<request>", body.engine)
    except LLMSpellError as exc:
        raise ApiError(
            422,
            "ValidationError",
            str(exc),
            "engines: lua, javascript (or a plugin's); or name the file .lua/.js",
        ) from None
    spec["retries"] = check_retries(body.retries, spec["source"], settings)
    if body.stream_agents:
        spec["stream_agents"] = True
    return spec


def _spell_path(name: str, settings: Any) -> Path:
    """The spell file ``name`` names, refused when outside the spells directory (or,
    without one, outside ``[security] allowed_paths``)."""
    if "\x00" in name:
        raise ApiError(422, "ValidationError", "the spell path contains a NUL byte")
    base = settings.serve.spells_dir
    roots = (
        [Path(base).expanduser().resolve()]
        if base
        else [Path(p).expanduser().resolve() for p in settings.security.allowed_paths]
    )
    path = Path(name).expanduser()
    if not path.is_absolute():
        path = (roots[0] if base else Path.cwd()) / path
    path = path.resolve()
    if not any(path.is_relative_to(root) for root in roots):
        raise ApiError(
            403,
            "SecurityError",
            f"the spell {name!r} is outside the spells directory",
            "put it under [serve] spells_dir"
            if base
            else "set [serve] spells_dir, or put it under [security] allowed_paths",
        )
    if not path.is_file():
        raise ApiError(
            404,
            "NotFoundError",
            f"no spell file {name!r}",
            f"spell paths are relative to {roots[0]}",
        )
    return path


def _read_spell(path: Path) -> str:
    if os.path.getsize(path) > _MAX_SPELL_BYTES:
        raise ApiError(422, "ValidationError", f"the spell file is over {_MAX_SPELL_BYTES} bytes")
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(422, "ValidationError", "the spell file is not UTF-8 text") from None
