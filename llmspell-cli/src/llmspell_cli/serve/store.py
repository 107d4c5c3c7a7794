"""Run records, their output and the hosts' heartbeats, in the database DBOS uses
(SQLite under LLMSPELL_HOME, or the ``[storage] url`` PostgreSQL shared by every host)."""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa

__all__ = ["ACTIVE", "AGENT_STREAM", "FINAL", "RunStore", "database_urls"]

#: the output stream of agents' tokens (runs that stream them): in the live events only,
#: not in the run's ``output`` (what the spell printed)
AGENT_STREAM = "agent"
#: run statuses that may still change, and those that never do
ACTIVE = ("queued", "running")
FINAL = ("succeeded", "failed", "cancelled")

_meta = sa.MetaData()
runs = sa.Table(
    "llmspell_serve_runs",
    _meta,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("token", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("spell", sa.Text),
    sa.Column("engine", sa.String(32)),
    sa.Column("spec", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False, index=True),
    sa.Column("started_at", sa.Float),
    sa.Column("finished_at", sa.Float),
    sa.Column("result", sa.Text),
    sa.Column("usage", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("output_bytes", sa.Integer, nullable=False, default=0),
    sa.Column("executor", sa.String(128)),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    # JSON list of the errors of the attempts that failed and were retried
    sa.Column("previous_errors", sa.Text),
)
output = sa.Table(
    "llmspell_serve_output",
    _meta,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("stream", sa.String(8), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)
executors = sa.Table(
    "llmspell_serve_executors",
    _meta,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("last_seen", sa.Float, nullable=False),
)

#: paused schedules (``/v1/schedules/{id}:pause``), by schedule id, until resumed
schedule_pauses = sa.Table(
    "llmspell_serve_schedule_pauses",
    _meta,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("paused_at", sa.Float, nullable=False),
)


def database_urls(storage_url: str | None, home: Any) -> tuple[str, str]:
    """``(DBOS system database URL, SQLAlchemy URL of the run records)``: SQLite files
    under LLMSPELL_HOME, or the ``[storage] url`` PostgreSQL for both."""
    if storage_url and storage_url.startswith(("postgresql://", "postgres://")):
        rest = storage_url.split("://", 1)[1]
        return storage_url, "postgresql+psycopg://" + rest
    path = f"{home}/serve.sqlite"
    return f"sqlite:///{path}", f"sqlite:///{path}"


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class RunStore:
    """The run records of the service (one per run, plus its output lines)."""

    def __init__(self, url: str) -> None:
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        self.engine = sa.create_engine(url, **kwargs)
        if url.startswith("sqlite"):

            @sa.event.listens_for(self.engine, "connect")
            def _wal(conn: Any, _record: Any) -> None:
                from llmspell.state.sqlite import setup

                # switching to WAL does not wait for the busy timeout (hosts starting at once)
                setup(conn, ("PRAGMA busy_timeout=30000", "PRAGMA journal_mode=WAL"), wait=30.0)

        _meta.create_all(self.engine, checkfirst=True)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Columns added after a database was made (an older version's run records)."""
        have = {c["name"] for c in sa.inspect(self.engine).get_columns(runs.name)}
        if "previous_errors" not in have:
            try:
                with self.engine.begin() as conn:
                    conn.execute(
                        sa.text(f"ALTER TABLE {runs.name} ADD COLUMN previous_errors TEXT")
                    )
            except sa.exc.DBAPIError:  # another host starting at the same time added it
                have = {c["name"] for c in sa.inspect(self.engine).get_columns(runs.name)}
                if "previous_errors" not in have:
                    raise

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    # -- runs --------------------------------------------------------------------------
    def create(self, run_id: str, *, token: str, kind: str, spec: dict[str, Any]) -> None:
        """Record a new queued run."""
        with self.engine.begin() as conn:
            conn.execute(
                runs.insert().values(
                    id=run_id,
                    status="queued",
                    token=token,
                    kind=kind,
                    spell=spec.get("spell"),
                    engine=spec.get("engine"),
                    spec=json.dumps(spec),
                    created_at=time.time(),
                    output_bytes=0,
                    attempts=0,
                )
            )

    def start(self, run_id: str, executor: str) -> int:
        """Mark the queued run running on ``executor``; returns its attempt number
        (1 = first), or 0 when it is not queued any more (cancelled, or taken)."""
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(runs.c.attempts).where(runs.c.id == run_id)).first()
            attempts = (row[0] if row else 0) + 1
            done = conn.execute(
                runs.update()
                .where(runs.c.id == run_id, runs.c.status == "queued")
                .where(runs.c.attempts == attempts - 1)
                .values(
                    status="running", started_at=time.time(), executor=executor, attempts=attempts
                )
            )
        return attempts if done.rowcount else 0

    def retry(
        self, run_id: str, error: dict[str, Any], *, executor: str, attempt: int, note: str = ""
    ) -> tuple[str, int] | None:
        """Attempt ``attempt`` of the run, running on ``executor``, died with ``error``
        (a ``WorkerDied``). With retries left (the run's ``retries`` counts them) the run
        goes back to ``queued``, the error is kept in ``previous_errors`` and a separator
        line marks the place in its output: ``("queued", attempt)``. Without, the run
        fails with ``error``: ``("failed", attempt)``. None when the run is not that
        attempt on that host any more (another host or thread decided first)."""
        now = time.time()
        with self.engine.begin() as conn:
            row = conn.execute(
                sa.select(runs.c.spec, runs.c.previous_errors).where(
                    runs.c.id == run_id,
                    runs.c.status == "running",
                    runs.c.executor == executor,
                    runs.c.attempts == attempt,
                )
            ).first()
            if row is None:
                return None
            budget = int(json.loads(row[0]).get("retries") or 0)
            cond = (runs.c.id == run_id, runs.c.status == "running", runs.c.attempts == attempt)
            if attempt > budget:
                if attempt > 1:
                    error = {**error, "hint": f"{error.get('hint', '')} (attempt {attempt}: its "
                             f"{budget} retries are used up)".strip()}  # fmt: skip
                conn.execute(
                    runs.update().where(*cond).values(
                        status="failed", finished_at=now, error=_dumps(error)
                    )
                )
                return "failed", attempt
            previous = _loads(row[1]) or []
            previous.append({**error, "attempt": attempt, "executor": executor, "at": now})
            conn.execute(
                runs.update().where(*cond).values(
                    status="queued", previous_errors=_dumps(previous)
                )
            )
            top = conn.execute(
                sa.select(sa.func.max(output.c.seq)).where(output.c.run_id == run_id)
            ).scalar()
            line = (f"--- llmspell: attempt {attempt} failed ({error.get('kind')}: "
                    f"{error.get('message')}); retrying{note} ---\n")  # fmt: skip
            conn.execute(
                output.insert().values(
                    run_id=run_id, seq=0 if top is None else int(top) + 1, stream="stderr",
                    text=line,
                )
            )
        return "queued", attempt

    def progress(self, run_id: str) -> tuple[str | None, int]:
        """``(status, attempts)`` of the run (``(None, 0)``: no such run)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(runs.c.status, runs.c.attempts).where(runs.c.id == run_id)
            ).first()
        return (None, 0) if row is None else (str(row[0]), int(row[1] or 0))

    def finish(
        self,
        run_id: str,
        status: str,
        *,
        result: Any = None,
        usage: Any = None,
        error: dict[str, Any] | None = None,
    ) -> bool:
        """Give the run its final status (only once: a run already final is left as is)."""
        with self.engine.begin() as conn:
            done = conn.execute(
                runs.update()
                .where(runs.c.id == run_id, runs.c.status.in_(ACTIVE))
                .values(
                    status=status,
                    finished_at=time.time(),
                    result=_dumps(result),
                    usage=_dumps(usage),
                    error=_dumps(error),
                )
            )
            return bool(done.rowcount)

    def status(self, run_id: str) -> str | None:
        """The run's status (None: no such run)."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(runs.c.status).where(runs.c.id == run_id)).first()
        return None if row is None else str(row[0])

    def get(self, run_id: str, *, with_output: bool = True) -> dict[str, Any] | None:
        """The run's record as the API shows it (None: no such run)."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(runs).where(runs.c.id == run_id)).mappings().first()
            if row is None:
                return None
            if not with_output:
                return self._public(row)
            printed = (output.c.run_id == run_id) & (output.c.stream != AGENT_STREAM)
            texts = conn.execute(
                sa.select(output.c.text).where(printed).order_by(output.c.seq)
            ).scalars()
            return {**self._public(row), "output": "".join(texts)}

    def list_runs(
        self, *, status: str | None, limit: int, token: str | None
    ) -> list[dict[str, Any]]:
        """The latest runs first (without their output)."""
        query = sa.select(runs).order_by(runs.c.created_at.desc()).limit(limit)
        if status:
            query = query.where(runs.c.status == status)
        if token is not None:  # "*": runs of the configuration's schedules, seen by all
            query = query.where(runs.c.token.in_([token, "*"]))
        with self.engine.connect() as conn:
            return [self._public(row) for row in conn.execute(query).mappings()]

    def in_flight(self, token: str) -> int:
        """How many queued or running runs ``token`` has."""
        query = sa.select(sa.func.count()).where(runs.c.token == token, runs.c.status.in_(ACTIVE))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def has_queued(self) -> bool:
        """Whether any run waits on the queue."""
        query = sa.select(runs.c.id).where(runs.c.status == "queued").limit(1)
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def counts(self) -> dict[str, int]:
        """Runs by status (for /metrics)."""
        query = sa.select(runs.c.status, sa.func.count()).group_by(runs.c.status)
        with self.engine.connect() as conn:
            return {str(s): int(n) for s, n in conn.execute(query)}

    def fleet(self, alive_within: float) -> dict[str, float]:
        """For /metrics: ``retries`` (attempts past the first, over all runs),
        ``oldest_queued_seconds`` (0 when none waits) and ``hosts`` (executors heard
        from within ``alive_within`` seconds)."""
        now = time.time()
        extra = sa.func.coalesce(sa.func.sum(sa.case((runs.c.attempts > 1, runs.c.attempts - 1),
                                                     else_=0)), 0)  # fmt: skip
        oldest = sa.select(sa.func.min(runs.c.created_at)).where(runs.c.status == "queued")
        alive = sa.select(sa.func.count()).where(executors.c.last_seen >= now - alive_within)
        with self.engine.connect() as conn:
            retries = conn.execute(sa.select(extra)).scalar() or 0
            first = conn.execute(oldest).scalar()
            hosts = conn.execute(alive).scalar() or 0
        return {
            "retries": float(retries),
            "oldest_queued_seconds": max(0.0, now - float(first)) if first is not None else 0.0,
            "hosts": float(hosts),
        }

    def owner(self, run_id: str) -> str | None:
        """The (hashed) token that submitted the run."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(runs.c.token).where(runs.c.id == run_id)).first()
        return None if row is None else str(row[0])

    @staticmethod
    def _public(row: Any) -> dict[str, Any]:
        try:
            retries = int(json.loads(row["spec"]).get("retries") or 0)
        except (ValueError, TypeError, AttributeError):
            retries = 0
        return {
            "id": row["id"],
            "status": row["status"],
            "kind": row["kind"],
            "spell": row["spell"],
            "engine": row["engine"],
            "created_at": row["created_at"],
            "started_at": row["started_at"],
            "finished_at": row["finished_at"],
            "result": _loads(row["result"]),
            "usage": _loads(row["usage"]),
            "error": _loads(row["error"]),
            "attempts": row["attempts"],
            "retries": retries,
            "previous_errors": _loads(row["previous_errors"]) or [],
            "executor": row["executor"],
        }

    # -- paused schedules ----------------------------------------------------------------
    def pause_schedule(self, sched_id: str) -> float:
        """Mark the schedule paused (kept until :meth:`resume_schedule`); returns when it
        was paused (the first time, when it already was)."""
        now = time.time()
        where = schedule_pauses.c.id == sched_id
        try:
            with self.engine.begin() as conn:
                row = conn.execute(sa.select(schedule_pauses.c.paused_at).where(where)).first()
                if row is not None:
                    return float(row[0])
                conn.execute(schedule_pauses.insert().values(id=sched_id, paused_at=now))
        except sa.exc.IntegrityError:  # another host paused it at the same moment
            return self.schedule_paused_at(sched_id) or now
        return now

    def resume_schedule(self, sched_id: str) -> bool:
        """Forget the schedule's pause; False when it was not paused."""
        with self.engine.begin() as conn:
            done = conn.execute(schedule_pauses.delete().where(schedule_pauses.c.id == sched_id))
        return bool(done.rowcount)

    def schedule_paused_at(self, sched_id: str) -> float | None:
        """When the schedule was paused (None: it is not)."""
        query = sa.select(schedule_pauses.c.paused_at).where(schedule_pauses.c.id == sched_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else float(row[0])

    def schedule_pauses(self) -> dict[str, float]:
        """Every paused schedule: ``{id: paused_at}``."""
        with self.engine.connect() as conn:
            return {str(i): float(t) for i, t in conn.execute(sa.select(schedule_pauses))}

    # -- output ------------------------------------------------------------------------
    def append_output(
        self, run_id: str, first_seq: int, items: list[tuple[str, str]], size: int
    ) -> None:
        """Add output chunks ``[(stream, text)]`` numbered from ``first_seq``."""
        if not items:
            return
        rows = [
            {"run_id": run_id, "seq": first_seq + i, "stream": s, "text": t}
            for i, (s, t) in enumerate(items)
        ]
        with self.engine.begin() as conn:
            conn.execute(output.insert(), rows)
            conn.execute(runs.update().where(runs.c.id == run_id).values(output_bytes=size))

    def next_seq(self, run_id: str) -> int:
        """The number the run's next output chunk gets (after a retry: after the last)."""
        with self.engine.connect() as conn:
            top = conn.execute(
                sa.select(sa.func.max(output.c.seq)).where(output.c.run_id == run_id)
            ).scalar()
        return 0 if top is None else int(top) + 1

    def output_since(self, run_id: str, seq: int) -> list[tuple[int, str, str]]:
        """Output chunks ``[(seq, stream, text)]`` from ``seq`` on."""
        query = (
            sa.select(output.c.seq, output.c.stream, output.c.text)
            .where(output.c.run_id == run_id, output.c.seq >= seq)
            .order_by(output.c.seq)
            .limit(1000)
        )
        with self.engine.connect() as conn:
            return [(int(a), str(b), str(c)) for a, b, c in conn.execute(query)]

    # -- hosts -------------------------------------------------------------------------
    def heartbeat(self, executor: str, host: str, pid: int) -> None:
        """Say this host is alive."""
        now = time.time()
        with self.engine.begin() as conn:
            done = conn.execute(
                executors.update().where(executors.c.id == executor).values(last_seen=now)
            )
            if not done.rowcount:
                conn.execute(
                    executors.insert().values(id=executor, host=host, pid=pid, last_seen=now)
                )

    def dead_executors(self, older_than: float) -> list[str]:
        """Hosts silent for ``older_than`` seconds that still hold runs (running, or
        queued between two attempts)."""
        cutoff = time.time() - older_than
        query = (
            sa.select(executors.c.id)
            .where(executors.c.last_seen < cutoff)
            .where(
                executors.c.id.in_(sa.select(runs.c.executor).where(runs.c.status.in_(ACTIVE)))
            )
        )
        with self.engine.connect() as conn:
            return [str(r[0]) for r in conn.execute(query)]

    def forget_executor(self, executor: str) -> None:
        """Drop a dead host's heartbeat row."""
        with self.engine.begin() as conn:
            conn.execute(executors.delete().where(executors.c.id == executor))

    def running_on(self, executor: str) -> list[tuple[str, int]]:
        """Runs ``executor`` holds as running: ``[(id, attempt)]``."""
        query = sa.select(runs.c.id, runs.c.attempts).where(
            runs.c.executor == executor, runs.c.status == "running"
        )
        with self.engine.connect() as conn:
            return [(str(r[0]), int(r[1] or 0)) for r in conn.execute(query)]
