"""Database targets for database-connector: URL checks, policy checks and engines.

A URL becomes a :class:`Target` (dialect, driver URL, a display form with the password
masked, the secrets to scrub from messages). SQLite files go through the file policy
and are opened read-only (``mode=ro``, ``PRAGMA query_only`` and an authorizer) unless
writes are allowed; PostgreSQL and MySQL hosts go through the network policy and get a
read-only session. SQLAlchemy and the drivers are imported only when a call runs.
"""

from __future__ import annotations

import os
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmspell.errors import SecurityError
from llmspell_tools._hostcheck import check_host
from llmspell_tools._support import fail

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.engine import URL, Engine

__all__ = ["Target", "make_engine", "parse_target"]

#: URL schemes accepted, and the dialect (and SQLAlchemy driver) each maps to
SCHEMES = {
    "sqlite": ("sqlite", "sqlite+pysqlite"),
    "sqlite+pysqlite": ("sqlite", "sqlite+pysqlite"),
    "postgresql": ("postgresql", "postgresql+psycopg"),
    "postgres": ("postgresql", "postgresql+psycopg"),
    "postgresql+psycopg": ("postgresql", "postgresql+psycopg"),
    "mysql": ("mysql", "mysql+pymysql"),
    "mysql+pymysql": ("mysql", "mysql+pymysql"),
    "mariadb": ("mysql", "mysql+pymysql"),
    "mariadb+pymysql": ("mysql", "mysql+pymysql"),
}
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}
#: URL query options that may be passed on; anything else (``host=``, ``options=``,
#: ``init_command=``) could redirect the connection or undo the read-only session
ALLOWED_QUERY = {
    "postgresql": frozenset({"sslmode", "application_name", "connect_timeout"}),
    "mysql": frozenset({"charset", "connect_timeout"}),
    "sqlite": frozenset(),
}
#: SQLite PRAGMAs that take an argument but only read (a table or index name)
_READ_PRAGMAS = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_list",
        "index_info",
        "index_xinfo",
        "foreign_key_list",
        "foreign_key_check",
        "integrity_check",
        "quick_check",
    }
)


@dataclass
class Target:
    """A checked database URL."""

    dialect: str  # sqlite | postgresql | mysql
    url: URL  # with the driver to use
    display: str  # the URL with the password masked
    secrets: list[str] = field(default_factory=list)
    path: Path | None = None  # the SQLite file (None: in memory)
    address: str | None = None  # the server address the policy checked (connect there)

    def scrub(self, text: str) -> str:
        """``text`` with the password (plain and URL-encoded) masked."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def _scheme_of(raw: str) -> str:
    head, sep, _ = raw.partition("://")
    return head.lower() if sep and head.replace("+", "").isalnum() else ""


def parse_target(ctx: Any, raw: str) -> Target:
    """Check the database URL ``raw`` against the policy: a :class:`Target`.

    Raises ValidationError-kind failures for malformed or unsupported URLs (never
    echoing the URL, which may hold a password) and SecurityError for a file outside
    the allowed paths or a network database while network access is off.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    scheme = _scheme_of(raw)
    if scheme not in SCHEMES:
        shown = f"scheme {scheme!r}" if scheme else "a URL without a scheme"
        fail(
            f"unsupported database URL ({shown}): use sqlite:///path/to/file.db, "
            "postgresql://user:password@host:port/dbname or mysql://user:password@host/dbname",
            kind="ValidationError",
        )
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        fail(
            f"malformed {scheme} database URL: expected {scheme}://user:password@host:port/dbname"
            if scheme != "sqlite"
            else "malformed sqlite URL: expected sqlite:///relative/path.db or sqlite:////abs/path.db",
            kind="ValidationError",
        )
    dialect, driver = SCHEMES[scheme]
    secrets: list[str] = []
    if url.password:
        password = str(url.password)
        secrets = sorted(
            {password, urllib.parse.quote(password, safe=""), urllib.parse.quote_plus(password)},
            key=len,
            reverse=True,
        )
    display = url.render_as_string(hide_password=True)
    url = url.set(drivername=driver)
    for secret in secrets:  # a password may also sit in the user or query part
        display = display.replace(secret, "***")
    extra = sorted(set(url.query) - ALLOWED_QUERY[dialect])
    if extra:
        allowed = ", ".join(sorted(ALLOWED_QUERY[dialect])) or "none"
        fail(
            f"URL option(s) {', '.join(extra)} are not accepted for {dialect} "
            f"(accepted: {allowed})",
            kind="ValidationError",
        )
    target = Target(dialect=dialect, url=url, display=display, secrets=secrets)
    if dialect == "sqlite":
        database = url.database
        if database and database != ":memory:":
            if database.startswith("file:"):
                fail(
                    "sqlite URI filenames (file:...) are not accepted: give the path, "
                    "sqlite:///relative/path.db or sqlite:////absolute/path.db",
                    kind="ValidationError",
                )
            target.path = ctx.policy.resolve_path(database, what="database file")
        return target
    host = url.host
    if not host:
        fail(
            f"the {dialect} URL has no host: give one, e.g. {scheme}://user@localhost/dbname "
            "(Unix-socket connections are not supported)",
            kind="ValidationError",
        )
    if "," in host or "/" in host:
        fail(f"one host per URL ({host!r} is not a host name)", kind="ValidationError")
    port = url.port or DEFAULT_PORTS[dialect]
    addresses = check_host(ctx, host, port, what=f"database-connector: {dialect} server")
    target.address = addresses[0]
    return target


# -- engines -------------------------------------------------------------------------


def _sqlite_authorizer(read_only: bool, denied: list[str]) -> Callable[..., int]:
    """An authorizer refusing ATTACH/DETACH (and VACUUM INTO, which attaches) always,
    and every write when ``read_only``; it records what it denied in ``denied``."""
    import sqlite3

    always = {sqlite3.SQLITE_ATTACH: "ATTACH", sqlite3.SQLITE_DETACH: "DETACH"}
    reads = {
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_SELECT,
        sqlite3.SQLITE_FUNCTION,
        sqlite3.SQLITE_RECURSIVE,
        sqlite3.SQLITE_TRANSACTION,
        sqlite3.SQLITE_SAVEPOINT,
        sqlite3.SQLITE_PRAGMA,
    }

    def authorize(action: int, arg1: str | None, arg2: str | None, *_: Any) -> int:
        if action in always:
            denied.append(f"{always[action]} of another database file")
            return sqlite3.SQLITE_DENY
        if not read_only:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA:
            if arg2 is None or (arg1 or "").lower() in _READ_PRAGMAS:
                return sqlite3.SQLITE_OK
            denied.append(f"setting PRAGMA {arg1}")
            return sqlite3.SQLITE_DENY
        if action in reads:
            return sqlite3.SQLITE_OK
        denied.append("a write (the connection is read-only)")
        return sqlite3.SQLITE_DENY

    return authorize


def _sqlite_creator(
    target: Target, read_only: bool, deadline: float, denied: list[str]
) -> Callable[[], sqlite3.Connection]:
    import sqlite3

    def connect() -> sqlite3.Connection:
        if target.path is None:
            conn = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            mode = "ro" if read_only else "rwc"
            uri = f"file:{urllib.parse.quote(str(target.path))}?mode={mode}"
            conn = sqlite3.connect(uri, uri=True, timeout=5, check_same_thread=False)
        if read_only:
            conn.execute("PRAGMA query_only = 1")
        conn.set_authorizer(_sqlite_authorizer(read_only, denied))
        # stop a statement running past the deadline (sqlite3 raises "interrupted")
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
        return conn

    return connect


def make_engine(target: Target, *, read_only: bool, timeout_s: float, denied: list[str]) -> Engine:
    """An engine (no pool) for ``target``: read-only at the database level unless
    ``read_only`` is false, statements limited to ``timeout_s`` seconds."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    if target.dialect == "sqlite":
        if read_only and target.path is not None and not target.path.exists():
            fail(
                f"database file {os.fspath(target.path)!r} does not exist (writes are off, "
                "so it is not created; set [tools.database-connector] allow_write = true "
                "to create it)",
                kind="NotFoundError",
            )
        if target.path is not None and not target.path.parent.is_dir():
            fail(
                f"the directory of database file {os.fspath(target.path)!r} does not exist",
                kind="NotFoundError",
            )
        creator = _sqlite_creator(target, read_only, time.monotonic() + timeout_s, denied)
        return create_engine("sqlite+pysqlite://", creator=creator, poolclass=NullPool)
    connect_timeout = max(1, min(int(timeout_s), 30))
    if target.dialect == "postgresql":
        options = f"-c statement_timeout={int(timeout_s * 1000)}"
        if read_only:
            options += " -c default_transaction_read_only=on"
        # hostaddr: connect to the checked address; the host name stays for TLS checks
        args: dict[str, Any] = {
            "connect_timeout": connect_timeout,
            "options": options,
            "hostaddr": target.address,
        }
        return create_engine(target.url, poolclass=NullPool, connect_args=args)
    else:
        args = {
            "connect_timeout": connect_timeout,
            "read_timeout": max(1, int(timeout_s)),
            "write_timeout": max(1, int(timeout_s)),
            "local_infile": False,
        }
        if read_only:
            args["init_command"] = "SET SESSION TRANSACTION READ ONLY"
    # PyMySQL has no separate address: connect to the checked address itself
    return create_engine(target.url.set(host=target.address), poolclass=NullPool, connect_args=args)


def refused_write(target: Target, exc: BaseException, denied: list[str]) -> SecurityError | None:
    """A SecurityError when the database refused ``exc`` for being a write in the
    read-only session (or the SQLite authorizer denied something), else None."""
    orig = getattr(exc, "orig", exc)
    sqlstate = getattr(orig, "sqlstate", None)
    code = orig.args[0] if orig.args and isinstance(orig.args[0], int) else None
    message = str(orig)
    if denied:
        what = denied[0]
    elif sqlstate == "25006" or code == 1792 or "readonly database" in message:
        what = "a write (the session is read-only)"
    else:
        return None
    return SecurityError(
        f"database-connector: the database refused {what} on {target.display}",
        hint="writes need [tools.database-connector] allow_write = true in llmspell.toml "
        "(ATTACH/DETACH and VACUUM INTO are never allowed)",
    )


def timed_out(exc: BaseException) -> bool:
    """Whether ``exc`` is a statement stopped by the time limit."""
    orig = getattr(exc, "orig", exc)
    return getattr(orig, "sqlstate", None) == "57014" or str(orig) == "interrupted"
