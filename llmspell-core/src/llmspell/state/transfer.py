"""``llmspell state export|import``: State as JSON lines, secrets left out.

The first line is a header ``{"format": "llmspell-state", "version": 1, ...}``; each
further line is one entry ``{"scope", "key", "value"}`` (``"raw"`` instead of
``"value"`` for text that is not JSON). Entries whose key looks like a credential are
never exported (the header counts them; their names are reported, never their values),
and values nested under such keys are replaced by ``"[REDACTED]"``. An import reads and
checks the whole file before it writes anything, then writes it in one transaction.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from llmspell.errors import ValidationError
from llmspell.security import SECRET_MARKERS
from llmspell.state.base import StateBackend

__all__ = [
    "FORMAT",
    "VERSION",
    "ExportReport",
    "ImportPlan",
    "export_state",
    "import_state",
    "plan_import",
    "secret_looking",
]

FORMAT = "llmspell-state"
VERSION = 1
REDACTED = "[REDACTED]"
#: the largest value one entry may hold (as State.save)
MAX_VALUE_BYTES = 16 * 1024 * 1024
#: the largest import file line
MAX_LINE_BYTES = MAX_VALUE_BYTES + 64 * 1024

# markers matched as whole words of a key ("api_key", "authToken", "PASSWORD"); the
# long ones also inside a word ("apikey", "dbpassword"). SESSION is left out: a session
# id is not a credential, and sessions are exported by backups.
_WORD_MARKERS = frozenset(m for m in SECRET_MARKERS if m != "SESSION")
_INNER_MARKERS = (*(m for m in _WORD_MARKERS if len(m) >= 5), "APIKEY")
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def secret_looking(name: str) -> bool:
    """Whether a State key (or a key inside a value) looks like it holds a credential."""
    for word in _WORDS.findall(name):
        upper = word.upper()
        if upper in _WORD_MARKERS or any(m in upper for m in _INNER_MARKERS):
            return True
    return False


def _redact(value: Any) -> tuple[Any, int]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        count = 0
        for k, v in value.items():
            if secret_looking(str(k)) and not isinstance(v, dict | list):
                out[k] = REDACTED
                count += 1
            else:
                out[k], n = _redact(v)
                count += n
        return out, count
    if isinstance(value, list):
        items = [_redact(v) for v in value]
        return [v for v, _ in items], sum(n for _, n in items)
    return value, 0


@dataclass
class ExportReport:
    """What an export wrote and what it left out."""

    entries: int = 0
    scopes: int = 0
    skipped: list[str] = field(default_factory=list)
    redacted: int = 0


def export_state(
    backend: StateBackend, out: IO[str], *, scopes: Iterable[str] | None = None
) -> ExportReport:
    """Write State (every scope, or ``scopes``) to ``out`` as JSON lines."""
    from llmspell.values import dumps

    report = ExportReport()
    lines: list[str] = []
    wanted = sorted(set(scopes)) if scopes is not None else backend.scopes()
    for scope in wanted:
        items = backend.items(scope)
        if items:
            report.scopes += 1
        for key, text in items:
            if secret_looking(key):
                report.skipped.append(f"{scope}:{key}")
                continue
            entry: dict[str, Any] = {"scope": scope, "key": key}
            try:
                value = json.loads(text)
            except ValueError:
                entry["raw"] = text
            else:
                entry["value"], n = _redact(value)
                report.redacted += n
            lines.append(dumps(entry))
            report.entries += 1
    header = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "entries": report.entries,
        "skipped_secrets": len(report.skipped),
        "redacted_values": report.redacted,
    }
    out.write(dumps(header) + "\n")
    for line in lines:
        out.write(line + "\n")
    return report


@dataclass
class ImportPlan:
    """A checked import: the writes to make, in one transaction."""

    writes: list[tuple[str, str, str | None]]
    entries: int
    scopes: list[str]


def _lines(source: IO[str]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(source, 1):
        if len(line) > MAX_LINE_BYTES:
            raise ValidationError(f"line {number} is longer than {MAX_LINE_BYTES} bytes")
        if line.strip():
            yield number, line


def plan_import(
    backend: StateBackend, source: IO[str], *, replace: bool = False, what: str = "the file"
) -> ImportPlan:
    """Read and check every line of ``source`` (nothing is written): a ValidationError
    names the first bad line. ``replace``: also delete the keys of the imported scopes
    that the file does not hold."""
    from llmspell.values import dumps

    lines = _lines(source)
    first = next(lines, None)
    if first is None:
        raise ValidationError(f"{what} is empty", hint="export with: llmspell state export")
    number, text = first
    try:
        header = json.loads(text)
    except ValueError:
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValidationError(
            f"{what} is not an llmspell State export (line 1 is not its header)",
            hint="export with: llmspell state export > FILE",
        )
    version = header.get("version")
    if version != VERSION:
        newer = isinstance(version, int) and version > VERSION
        raise ValidationError(
            f"{what} is a State export of format version {version!r}; this llmspell "
            f"reads version {VERSION}",
            hint="upgrade llmspell to import it" if newer else "export it again with this llmspell",
        )
    seen: dict[tuple[str, str], str] = {}
    for number, text in lines:
        where = f"{what}, line {number}"
        try:
            entry = json.loads(text)
        except ValueError as exc:
            raise ValidationError(f"{where}: not JSON ({exc})") from None
        if not isinstance(entry, dict):
            raise ValidationError(f"{where}: an entry must be an object")
        keys = set(entry)
        if keys not in ({"scope", "key", "value"}, {"scope", "key", "raw"}):
            raise ValidationError(
                f"{where}: an entry has scope, key and value (or raw); got "
                f"{', '.join(sorted(map(str, keys)))}"
            )
        scope, key = entry["scope"], entry["key"]
        for label, name in (("scope", scope), ("key", key)):
            if not isinstance(name, str) or not name:
                raise ValidationError(f"{where}: {label} must be a non-empty string")
        if "raw" in entry:
            if not isinstance(entry["raw"], str):
                raise ValidationError(f"{where}: raw must be a string")
            stored = entry["raw"]
        else:
            if entry["value"] is None:
                raise ValidationError(f"{where}: value must not be null")
            stored = dumps(entry["value"])
        if len(stored.encode()) > MAX_VALUE_BYTES:
            raise ValidationError(f"{where}: the value is over {MAX_VALUE_BYTES} bytes")
        if (scope, key) in seen:
            raise ValidationError(f"{where}: {scope}:{key} appears twice")
        seen[(scope, key)] = stored
    declared = header.get("entries")
    if isinstance(declared, int) and declared != len(seen):
        raise ValidationError(
            f"{what} declares {declared} entries but holds {len(seen)} (is it truncated?)"
        )
    writes: list[tuple[str, str, str | None]] = [(s, k, v) for (s, k), v in seen.items()]
    scopes = sorted({s for s, _ in seen})
    if replace:
        for scope in scopes:
            for key in backend.keys(scope):
                if (scope, key) not in seen:
                    writes.append((scope, key, None))
    return ImportPlan(writes, len(seen), scopes)


def import_state(
    backend: StateBackend, source: IO[str], *, replace: bool = False, what: str = "the file"
) -> ImportPlan:
    """Check all of ``source``, then write it in one transaction; the plan it wrote."""
    plan = plan_import(backend, source, replace=replace, what=what)
    if plan.writes:
        backend.write_batch(plan.writes)
    return plan
