"""A small SQL lexer for database-connector: one statement only, and is it a write?

It does not parse SQL. It blanks out comments, string literals and quoted identifiers
(in the dialect's own quoting rules), then refuses a second statement and classifies
the statement by its leading keyword. The database-level read-only setting (a read-only
SQLite file with an authorizer, a READ ONLY transaction) is the real guard; this check
gives the clear SecurityError before anything is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SqlSyntaxError", "Statement", "classify"]

#: statements that only read (a WITH, EXPLAIN or SELECT is checked further below)
READ_KEYWORDS = frozenset(
    {"select", "with", "values", "show", "explain", "describe", "desc", "pragma", "table"}
)
#: words that make a WITH/EXPLAIN statement write (data-modifying CTEs, EXPLAIN ANALYZE)
WRITE_WORDS = frozenset({"insert", "update", "delete", "merge", "replace", "upsert"})
#: transaction control: each call runs in its own transaction
TRANSACTION_KEYWORDS = frozenset(
    {"begin", "commit", "rollback", "savepoint", "release", "start", "end", "abort"}
)

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


class SqlSyntaxError(ValueError):
    """The query text cannot be checked (an unterminated literal or comment)."""


@dataclass(frozen=True)
class Statement:
    """One checked statement: its text (a trailing ``;`` removed), the leading keyword
    in lower case, and whether it writes."""

    text: str
    keyword: str
    writes: bool
    transaction_control: bool


def _skip_quoted(sql: str, i: int, quote: str, backslash: bool) -> int:
    """The index after the literal starting at ``sql[i]`` (the opening quote)."""
    j = i + 1
    n = len(sql)
    while j < n:
        ch = sql[j]
        if backslash and ch == "\\":
            j += 2
            continue
        if ch == quote:
            if j + 1 < n and sql[j + 1] == quote:  # doubled quote: an escaped quote
                j += 2
                continue
            return j + 1
        j += 1
    raise SqlSyntaxError(f"unterminated {quote}-quoted literal starting at character {i + 1}")


def _escape_prefix(sql: str, i: int) -> bool:
    """Whether the quote at ``sql[i]`` opens a PostgreSQL E'...' string (an ``E`` that
    is a word of its own, not the end of an identifier such as ``LIKE``)."""
    if i < 1 or sql[i - 1] not in "eE":
        return False
    return i < 2 or not (sql[i - 2].isalnum() or sql[i - 2] in "_$")


def _blank(sql: str, dialect: str) -> str:
    """``sql`` with comments, literals and quoted identifiers replaced by spaces
    (lengths kept), so that keywords and semicolons can be found safely."""
    out: list[str] = []
    i, n = 0, len(sql)
    mysql = dialect == "mysql"
    postgres = dialect == "postgresql"
    while i < n:
        ch = sql[i]
        nxt = sql[i + 1] if i + 1 < n else ""
        if mysql and sql.startswith("/*!", i):
            # a MySQL executable comment: its content runs, so it is checked like code
            out.append("   ")
            i += 3
            continue
        if (
            ch == "-"
            and nxt == "-"
            and (not mysql or sql[i + 2 : i + 3] in ("", " ", "\t", "\n", "\r"))
        ) or (mysql and ch == "#"):
            end = sql.find("\n", i)
            end = n if end < 0 else end
        elif ch == "/" and nxt == "*":
            depth, j = 1, i + 2
            while depth:
                if j >= n:
                    raise SqlSyntaxError(f"unterminated /* comment starting at character {i + 1}")
                if postgres and sql.startswith("/*", j):  # PostgreSQL comments nest
                    depth, j = depth + 1, j + 2
                elif sql.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            end = j
        elif ch == "'":
            escaped = mysql or (postgres and _escape_prefix(sql, i))
            end = _skip_quoted(sql, i, "'", escaped)
        elif ch == '"':
            end = _skip_quoted(sql, i, '"', mysql)
        elif ch == "`" and dialect != "postgresql":
            end = _skip_quoted(sql, i, "`", False)
        elif ch == "[" and dialect == "sqlite":
            close = sql.find("]", i)
            if close < 0:
                raise SqlSyntaxError(f"unterminated [identifier starting at character {i + 1}")
            end = close + 1
        elif ch == "$" and postgres and (m := _DOLLAR_TAG.match(sql, i)):
            if i > 0 and (sql[i - 1].isalnum() or sql[i - 1] == "_"):
                out.append(ch)  # part of an identifier such as a$b$c
                i += 1
                continue
            tag = m.group(0)
            close = sql.find(tag, m.end())
            if close < 0:
                raise SqlSyntaxError(f"unterminated {tag} string starting at character {i + 1}")
            end = close + len(tag)
        else:
            out.append(ch)
            i += 1
            continue
        out.append(" " * (end - i))
        i = end
    return "".join(out)


def classify(sql: str, dialect: str) -> Statement:
    """Check that ``sql`` is exactly one statement and classify it.

    ``dialect`` is ``sqlite``, ``postgresql`` or ``mysql`` (their quoting rules).
    Raises :class:`SqlSyntaxError` for an empty query, an unterminated literal or
    comment, or more than one statement.
    """
    blanked = _blank(sql, dialect)
    first = blanked.find(";")
    if first >= 0:
        if blanked[first + 1 :].strip(" \t\r\n;"):
            raise SqlSyntaxError(
                "only one SQL statement per call (found text after the ';' at character "
                f"{first + 1}); run each statement in its own call"
            )
        sql, blanked = sql[:first], blanked[:first]
    words = [w.lower() for w in _WORD.findall(blanked)]
    if not words:
        raise SqlSyntaxError("the query is empty")
    keyword = words[0]
    writes = keyword not in READ_KEYWORDS
    if keyword in ("with", "explain") and WRITE_WORDS.intersection(words):
        writes = True  # a data-modifying CTE, or EXPLAIN ANALYZE of a write
    if keyword in ("select", "with", "values", "table") and "into" in words:
        writes = True  # SELECT ... INTO new_table / INTO OUTFILE
    if keyword == "pragma" and "=" in blanked:
        writes = True  # PRAGMA name = value changes a setting
    return Statement(
        text=sql.strip(),
        keyword=keyword,
        writes=writes,
        transaction_control=keyword in TRANSACTION_KEYWORDS,
    )
