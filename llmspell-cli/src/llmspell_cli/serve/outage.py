"""The service's database (the ``[storage] url`` PostgreSQL) going away: the check at
start, telling a lost connection from other errors, the DBOS log lines kept to one per
cause every 30 s, and the watchdog thread that reports the database down and back and
fails the runs whose outcome could not be recorded while it was down; live streams that
end with an error event instead of a cut connection."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = [
    "DatabaseDown",
    "Watchdog",
    "describe_url",
    "guard_stream",
    "is_connection_error",
    "probe",
    "quiet_dbos_logs",
    "reason",
    "stream_down_error",
]

#: the error of a run whose outcome was lost because the database was unreachable
LOST = {
    "kind": "StateError",
    "message": "the service's database was unreachable while the run was in flight, so "
    "its outcome could not be recorded; the run was stopped",
    "hint": "submit the run again",
}


class DatabaseDown(Exception):
    """The database cannot be reached (or refuses the connection): a one-line
    ``message`` and a ``hint``."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def is_postgres(url: str | None) -> bool:
    """Whether ``url`` is a PostgreSQL URL."""
    return bool(url) and str(url).startswith(("postgresql", "postgres://"))


def describe_url(url: str) -> str:
    """``HOST:PORT/DB`` of a PostgreSQL URL (a Unix socket's directory as HOST), with the
    user but never the password."""
    from sqlalchemy.engine import make_url

    try:
        u = make_url(url)
    except Exception:
        return "the configured PostgreSQL"
    host = u.host or u.query.get("host") or "the default socket"
    if isinstance(host, tuple):
        host = host[0]
    if ":" in host:
        host = f"[{host}]"
    port = u.port or u.query.get("port") or 5432
    if isinstance(port, tuple):
        port = port[0]
    user = f" as {u.username}" if u.username else ""
    return f"{host}:{port}/{u.database or u.username or 'postgres'}{user}"


def _driver_error(exc: BaseException) -> BaseException:
    return getattr(exc, "orig", None) or exc


def is_connection_error(exc: BaseException) -> bool:
    """Whether ``exc`` means the database is unreachable (down, restarting, network),
    as opposed to a bad query."""
    import sqlalchemy as sa

    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - the serve extra on PostgreSQL has it
        return False
    return isinstance(_driver_error(exc), (psycopg.OperationalError, psycopg.InterfaceError))


def reason(exc: BaseException) -> str:
    """The cause of a connection error in a few words, e.g. ``Connection refused``,
    ``password authentication failed for user "x"``, ``timeout expired``."""
    text = str(_driver_error(exc)).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    if "failed: " in line:
        line = line.rsplit("failed: ", 1)[1]
    line = line.replace("FATAL:", "").strip()
    if line == "No such file or directory":  # a Unix socket nobody listens on
        line = "no server is listening on its Unix socket"
    return line[:200] or type(exc).__name__


def _hint(cause: str, url: str) -> str:
    from sqlalchemy.engine import make_url

    if "password" in cause or "authentication" in cause or "role" in cause:
        return "check the user and password of [storage] url (or LLMSPELL_DATABASE_URL)"
    if "does not exist" in cause and "database" in cause:
        try:
            db = make_url(url).database
        except Exception:
            db = "DB"
        return f"create the database (createdb {db}), or fix [storage] url"
    return (
        "start PostgreSQL, or fix [storage] url (or LLMSPELL_DATABASE_URL); "
        "under systemd the service is restarted and tries again"
    )


def probe(url: str, timeout: float = 10.0) -> None:
    """Connect once to the PostgreSQL ``url``; :class:`DatabaseDown` when that fails."""
    import psycopg

    plain = "postgresql://" + url.split("://", 1)[1]
    try:
        with psycopg.connect(plain, connect_timeout=max(1, int(timeout))) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        raise DatabaseDown(
            f"cannot reach PostgreSQL at {describe_url(url)}: {reason(exc)}",
            _hint(reason(exc), url),
        ) from None


def down_error(url: str | None, exc: BaseException) -> DatabaseDown:
    """The :class:`DatabaseDown` of a connection error ``exc`` on ``url``."""
    where = f" at {describe_url(url)}" if url and is_postgres(url) else ""
    cause = reason(exc)
    return DatabaseDown(
        f"cannot reach PostgreSQL{where}: {cause}", _hint(cause, url or "")
    )


class _Quiet(logging.Filter):
    """DBOS's log lines about a lost database connection, in one line each (not a
    traceback); warnings once per call site every ``every`` seconds (DBOS's threads
    retry many times a second)."""

    def __init__(self, every: float) -> None:
        super().__init__()
        self.every = every
        self.last: dict[tuple[str, int], float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        about = record.exc_info[1] if record.exc_info else None
        lost = "OperationalError" in text or "connection" in text.lower()
        if about is not None:
            lost = lost or is_connection_error(about)
        if not lost:
            return True
        if record.levelno < logging.ERROR:
            key = (record.pathname, record.lineno)
            now = time.monotonic()
            if now - self.last.get(key, -1e9) < self.every:
                return False
            self.last[key] = now
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        first = lines[0].split("Traceback", 1)[0].strip() if lines else ""
        last = next(
            (ln for ln in reversed(lines) if "Error" in ln and not ln.startswith("(Background")),
            "",
        )
        if about is not None:
            last = f"{type(about).__name__}: {reason(about)}"
        one = first if not last or last in first else f"{first} {last}"
        suffix = f" (retrying; repeats hidden for {self.every:g} s)" if record.levelno < 40 else ""
        record.msg, record.args = f"{one[:400]}{suffix}", ()
        record.exc_info, record.exc_text = None, None
        return True


def quiet_dbos_logs(every: float = 30.0) -> None:
    """Keep DBOS's lost-connection warnings to one per cause every ``every`` seconds."""
    logger = logging.getLogger("dbos")
    if not any(isinstance(f, _Quiet) for f in logger.filters):
        logger.addFilter(_Quiet(every))


class Watchdog:
    """A thread that checks the database every ``interval`` seconds: logs one line when
    it becomes unreachable and one when it is back, and then fails the runs this host
    still holds as ``running`` but no longer executes (their step ended on a database
    error, so their outcome was lost), so no run stays ``running`` forever."""

    def __init__(self, service: Any, prog: str, url: str | None, interval: float = 2.0) -> None:
        self.service, self.prog, self.url, self.interval = service, prog, url, interval
        self.down: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="llmspell-db-watch", daemon=True)

    def start(self) -> None:
        """Start watching."""
        self._thread.start()

    def stop(self) -> None:
        """Stop watching."""
        self._stop.set()

    def _say(self, text: str) -> None:
        print(f"{self.prog}: {text}", file=sys.stderr, flush=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception as exc:
                if not is_connection_error(exc):
                    self._say(f"database watch: {type(exc).__name__}: {reason(exc)}")
                    continue
                cause = reason(exc)
                if self.down is None:
                    api = "; the API answers 503 meanwhile" if "serve" in self.prog else ""
                    self._say(
                        f"StateError: {down_error(self.url, exc).message}{api}; "
                        f"retrying every {self.interval:g} s"
                    )
                self.down = cause

    def check(self) -> None:
        """One round: touch the database, then fail this host's orphaned runs."""
        svc = self.service
        # raises while the database is down; rows are ids or (id, attempt)
        held = [r[0] if isinstance(r, tuple) else r for r in svc.store.running_on(svc.executor)]
        if self.down is not None:
            self.down = None
            self._say("the database is reachable again")
        with svc._active_lock:
            orphans = [run_id for run_id in held if run_id not in svc._active]
        for run_id in orphans:
            if run_id in svc._procs:
                continue
            if svc.store.finish(run_id, "failed", error=LOST):
                self._say(f"run {run_id} failed: its outcome was lost while the database was down")
            try:
                from dbos import DBOS

                DBOS.cancel_workflow(run_id)  # its DBOS workflow stays pending otherwise
            except Exception as exc:  # the run record is what the API shows
                self._say(f"run {run_id}: DBOS: {type(exc).__name__}: {reason(exc)}")


def stream_down_error(exc: BaseException) -> dict[str, str]:
    """The error a live stream ends with when the database becomes unreachable."""
    return {
        "kind": "StateError",
        "message": f"the service's database became unreachable ({reason(exc)}), so the "
        "stream ended; the run itself goes on",
        "hint": "GET the run (or open the stream again) once GET /v1/health answers 200",
    }


async def guard_stream(
    items: AsyncIterator[T], error_item: Callable[[dict[str, str]], T]
) -> AsyncIterator[T]:
    """Pass ``items`` on; when the database becomes unreachable mid-stream, end with one
    error item (``error_item`` of :func:`stream_down_error`) rather than a connection
    cut with a traceback in the log."""
    try:
        async for item in items:
            yield item
    except Exception as exc:
        if not is_connection_error(exc):
            raise
        yield error_item(stream_down_error(exc))
