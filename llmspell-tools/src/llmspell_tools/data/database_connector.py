"""database-connector: parameterised SQL on SQLite, PostgreSQL and MySQL (SQLAlchemy).

One statement per call, its values always bound parameters (``:name`` in the query,
``params`` a table; or ``:1``, ``:2`` with ``params`` an array), never formatted into the
text. Read-only unless ``[tools.database-connector] allow_write = true``: writes are
refused before anything is sent, and the session itself is read-only (a read-only SQLite
file with an authorizer; a PostgreSQL/MySQL READ ONLY session). SQLite files follow the
file policy, database servers the network policy; passwords never appear in results or
errors. Each call opens and disposes its own engine.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math
import os
import re
import uuid
from typing import Any, NoReturn

from llmspell.errors import ConfigurationError, SecurityError
from llmspell.tools import Tool
from llmspell_tools._support import fail, output
from llmspell_tools.data._db import Target, make_engine, parse_target, refused_write, timed_out
from llmspell_tools.data._sql import READ_KEYWORDS, SqlSyntaxError, Statement, classify

NAME = "database-connector"
DEFAULT_MAX_ROWS = 1000
MAX_ROWS = 100_000
DEFAULT_TIMEOUT_S = 30.0
MAX_TABLES = 1000
_CONFIG_KEYS: dict[str, type | tuple[type, ...]] = {
    "allow_write": bool,
    "url": str,
    "max_rows": int,
    "timeout_s": (int, float),
}


def _config(ctx: Any) -> dict[str, Any]:
    """``[tools.database-connector]``, type-checked."""
    table = dict(ctx.settings.tools.get(NAME) or {})
    for key, value in table.items():
        kind = _CONFIG_KEYS.get(key)
        if kind is None:
            raise ConfigurationError(
                f"[tools.{NAME}] has an unknown key {key!r} (known: {', '.join(_CONFIG_KEYS)})"
            )
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ConfigurationError(f"[tools.{NAME}] {key} has the wrong type: {value!r}")
    return table


def _url(params: dict[str, Any], config: dict[str, Any]) -> str:
    if params.get("url"):
        url: str = params["url"]
        return url
    name = params.get("url_env")
    if name:
        value = os.environ.get(name)
        if not value:
            fail(
                f"environment variable {name!r} (url_env) is not set or empty: set it to the "
                "database URL",
                kind="ConfigurationError",
            )
        return value
    if config.get("url"):
        return str(config["url"])
    fail(
        "no database: give 'url' (sqlite:///file.db, postgresql://..., mysql://...), "
        "'url_env' (an environment variable holding it) or [tools.database-connector] url",
        kind="ValidationError",
    )


def _jsonable(value: Any) -> Any:
    """A column value as JSON: dates as ISO 8601, decimals as numbers, bytes as base64."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return str(value)
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return str(value)


def _bind(params: dict[str, Any]) -> dict[str, Any]:
    """The bound parameters: a table as is, an array as ``:1``, ``:2``, ...; nested
    tables/arrays are passed as JSON text."""
    raw = params.get("params")
    if raw is None:
        return {}
    pairs = raw.items() if isinstance(raw, dict) else ((str(i + 1), v) for i, v in enumerate(raw))
    return {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in pairs}


def _statement(params: dict[str, Any], target: Target) -> Statement:
    query = params.get("query")
    if not query or not query.strip():
        fail("'query' (one SQL statement) is required", kind="ValidationError")
    try:
        stmt = classify(query, target.dialect)
    except SqlSyntaxError as exc:
        fail(str(exc), kind="ValidationError")
    if stmt.transaction_control:
        fail(
            f"{stmt.keyword.upper()} is not accepted: each call runs in its own transaction "
            "(committed when it writes and writes are allowed)",
            kind="ValidationError",
        )
    return stmt


def _limits(params: dict[str, Any], config: dict[str, Any]) -> tuple[int, float]:
    max_rows = int(params.get("max_rows") or config.get("max_rows") or DEFAULT_MAX_ROWS)
    timeout_s = float(params.get("timeout_s") or config.get("timeout_s") or DEFAULT_TIMEOUT_S)
    return max(1, min(max_rows, MAX_ROWS)), max(0.1, min(timeout_s, 110.0))


def _fail_db(target: Target, exc: BaseException, denied: list[str], doing: str) -> NoReturn:
    """Turn a database exception into the right failure (never echoing a password)."""
    from sqlalchemy.exc import DBAPIError, StatementError

    refusal = refused_write(target, exc, denied)
    if refusal is not None:
        raise refusal
    if timed_out(exc):
        fail(f"{doing} on {target.display} ran past the time limit", kind="TimeoutError")
    orig = getattr(exc, "orig", None)
    if isinstance(exc, StatementError) and not isinstance(exc, DBAPIError):
        # raised before the database saw it: a missing bound parameter, a bad value
        message = str(orig or exc).split("\n", 1)[0]
        message = re.sub(r"\s*\(Background on this error at: [^)]*\)", "", message)
        fail(target.scrub(f"{doing}: {message}"), kind="ValidationError")
    if isinstance(exc, DBAPIError):
        message = " ".join(str(orig).split()) if orig is not None else str(exc)
        fail(target.scrub(f"{doing} failed on {target.display}: {message}"))
    raise exc


def _connect(target: Target, engine: Any, denied: list[str]) -> Any:
    from sqlalchemy.exc import DBAPIError

    try:
        return engine.connect()
    except DBAPIError as exc:
        refusal = refused_write(target, exc, denied)
        if refusal is not None:
            raise refusal from None
        detail = " ".join(str(exc.orig).split())
        fail(
            target.scrub(f"could not connect to {target.display}: {detail}"),
            kind="ConnectionError",
        )


def _run_sql(params: dict[str, Any], ctx: Any, operation: str) -> Any:
    from sqlalchemy import text

    config = _config(ctx)
    target = parse_target(ctx, _url(params, config))
    stmt = _statement(params, target)
    allow_write = bool(config.get("allow_write", False))
    if (operation == "execute" or stmt.writes) and not allow_write:
        if operation == "execute":
            what = "operation 'execute'"
        else:
            reads = ", ".join(k.upper() for k in sorted(READ_KEYWORDS))
            what = f"{stmt.keyword.upper()} may write (only {reads} read), so it"
        raise SecurityError(
            f"database-connector is read-only: {what} is refused on {target.display}",
            hint="set allow_write = true under [tools.database-connector] in llmspell.toml",
        )
    max_rows, timeout_s = _limits(params, config)
    denied: list[str] = []
    engine = make_engine(target, read_only=not allow_write, timeout_s=timeout_s, denied=denied)
    try:
        conn = _connect(target, engine, denied)
        try:
            result = conn.execute(text(stmt.text), _bind(params))
            columns: list[str] = []
            rows: list[dict[str, Any]] = []
            truncated = False
            if result.returns_rows:
                columns = list(map(str, result.keys()))
                fetched = result.fetchmany(max_rows + 1)
                truncated = len(fetched) > max_rows
                rows = [
                    {c: _jsonable(v) for c, v in zip(columns, row, strict=True)}
                    for row in fetched[:max_rows]
                ]
            affected = result.rowcount if not result.returns_rows or stmt.writes else None
            result.close()
            if allow_write:
                conn.commit()
            else:
                conn.rollback()
        except Exception as exc:
            _fail_db(target, exc, denied, f"{operation} ({stmt.keyword.upper()})")
        finally:
            conn.close()
    finally:
        engine.dispose()
    body: dict[str, Any] = {
        "columns": columns,
        "rows": rows,
        "row_count": len(rows),
        "truncated": truncated,
    }
    if affected is not None and affected >= 0:
        body["rows_affected"] = affected
    if truncated:
        text_out = f"{len(rows)} rows (truncated at max_rows={max_rows})"
    elif result.returns_rows:
        text_out = f"{len(rows)} row" + ("" if len(rows) == 1 else "s")
    else:
        text_out = f"{stmt.keyword.upper()} done" + (
            f": {affected} row(s) affected" if affected is not None and affected >= 0 else ""
        )
    return output(body, text=text_out, dialect=target.dialect, database=target.display)


def _query(params: dict[str, Any], ctx: Any) -> Any:
    return _run_sql(params, ctx, "query")


def _execute(params: dict[str, Any], ctx: Any) -> Any:
    return _run_sql(params, ctx, "execute")


def _describe_table(inspector: Any, name: str, schema: str | None) -> dict[str, Any]:
    pk = inspector.get_pk_constraint(name, schema=schema) or {}
    pk_columns = list(pk.get("constrained_columns") or [])
    columns = [
        {
            "name": col["name"],
            "type": str(col["type"]),
            "nullable": bool(col.get("nullable", True)),
            "default": None if col.get("default") is None else str(col["default"]),
            "primary_key": col["name"] in pk_columns,
        }
        for col in inspector.get_columns(name, schema=schema)
    ]
    foreign = [
        {
            "columns": fk.get("constrained_columns") or [],
            "references": fk.get("referred_table"),
            "referred_columns": fk.get("referred_columns") or [],
        }
        for fk in inspector.get_foreign_keys(name, schema=schema)
    ]
    return {"name": name, "columns": columns, "primary_key": pk_columns, "foreign_keys": foreign}


def _schema(params: dict[str, Any], ctx: Any) -> Any:
    from sqlalchemy import inspect

    config = _config(ctx)
    target = parse_target(ctx, _url(params, config))
    _, timeout_s = _limits(params, config)
    denied: list[str] = []
    engine = make_engine(target, read_only=True, timeout_s=timeout_s, denied=denied)
    namespace = params.get("schema")
    only = params.get("table")
    try:
        conn = _connect(target, engine, denied)
        try:
            inspector = inspect(conn)
            names = inspector.get_table_names(schema=namespace)
            views = inspector.get_view_names(schema=namespace)
            if only is not None:
                if only not in names and only not in views:
                    fail(
                        f"no table or view {only!r} in {target.display} "
                        f"(tables: {', '.join(names[:50]) or 'none'})",
                        kind="NotFoundError",
                    )
                names = [only]
            truncated = len(names) > MAX_TABLES
            tables = [_describe_table(inspector, n, namespace) for n in names[:MAX_TABLES]]
            conn.rollback()
        except Exception as exc:
            from sqlalchemy.exc import SQLAlchemyError

            if not isinstance(exc, SQLAlchemyError):
                raise
            _fail_db(target, exc, denied, "schema")
        finally:
            conn.close()
    finally:
        engine.dispose()
    body = {"tables": tables, "views": sorted(views), "truncated": truncated}
    summary = f"{len(tables)} table(s), {len(views)} view(s)"
    return output(body, text=summary, dialect=target.dialect, database=target.display)


#: rs-llmspell's query_type values that change the database (run as operation execute)
_WRITE_TYPES = ("insert", "update", "delete", "create", "drop", "alter", "write", "execute")


def _rs_params(params: dict[str, Any]) -> dict[str, Any]:
    """rs-llmspell's ``database`` (a URL or an SQLite file) and ``query_type`` (select,
    insert, update, ...) as this tool's ``url`` and ``operation``."""
    params = dict(params)
    database = params.pop("database", None)
    if database is not None and params.get("url") is None and params.get("url_env") is None:
        params["url"] = database if "://" in database else f"sqlite:///{database}"
    query_type = str(params.pop("query_type", "") or "").lower()
    if params.get("operation", "query") == "query" and query_type in _WRITE_TYPES:
        params["operation"] = "execute"
    return params


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Run ``query``, ``execute`` or ``schema``."""
    params = _rs_params(params)
    operation = params.get("operation", "query")
    handler = {"query": _query, "execute": _execute, "schema": _schema}[operation]
    return handler(params, ctx)


TOOL = Tool(
    name=NAME,
    description="Run one parameterised SQL statement on SQLite, PostgreSQL or MySQL "
    "(operation query|execute|schema). Values go in 'params' as bound parameters "
    "(:name with a table, :1 :2 with an array), never into the query text. Read-only unless "
    "[tools.database-connector] allow_write = true. query → result.{columns, rows, "
    "row_count, truncated}; schema → result.tables with columns and types.",
    category="data",
    handler=run,
    timeout_seconds=120,
    security=("files", "network"),
    settings={
        "allow_write": {
            "type": "boolean",
            "default": False,
            "description": "let statements change the database",
        },
        "url": {
            "type": "string",
            "description": "the default database URL (sqlite:///file.db, postgresql://...)",
        },
        "max_rows": {
            "type": "integer",
            "minimum": 1,
            "default": DEFAULT_MAX_ROWS,
            "description": "the most rows a query returns",
        },
        "timeout_s": {
            "type": "number",
            "default": DEFAULT_TIMEOUT_S,
            "description": "the statement timeout, in seconds",
        },
    },
    tags=("database", "sql", "sqlite", "postgresql", "mysql"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["query", "execute", "schema"],
                "default": "query",
                "description": "query: read rows; execute: a write (needs allow_write); "
                "schema: tables, columns and types",
            },
            "url": {
                "type": "string",
                "description": "sqlite:///path.db, postgresql://user:pw@host:port/db or "
                "mysql://user:pw@host:port/db",
            },
            "url_env": {
                "type": "string",
                "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
                "description": "name of an environment variable holding the URL",
            },
            "query": {"type": "string", "description": "one SQL statement"},
            "params": {
                "type": ["object", "array"],
                "description": "bound values: a table for :name, an array for :1, :2, ...",
            },
            "max_rows": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_ROWS,
                "description": f"row cap (default {DEFAULT_MAX_ROWS}); result.truncated tells",
            },
            "timeout_s": {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": 110,
                "description": f"statement time limit in seconds (default {DEFAULT_TIMEOUT_S:g})",
            },
            "table": {"type": "string", "description": "schema: describe only this table"},
            "database": {
                "type": "string",
                "description": "rs-llmspell's name for the database: a URL as in url, or "
                "an SQLite file path",
            },
            "query_type": {
                "type": "string",
                "description": "rs-llmspell's statement kind: select (query) or insert, "
                "update, delete, ... (run as operation execute)",
            },
            "schema": {
                "type": "string",
                "description": "schema: the namespace (PostgreSQL schema, MySQL database)",
            },
        },
        "additionalProperties": False,
    },
)
