"""State migrations: a schema version per scope and functions that move its values on.

A scope's version lives in State itself (scope ``llmspell:schema``, key = the scope),
so exports and backups carry it; a scope never marked is at version 0. A migration to
version N is a function ``(value, key) -> new value`` (nil/None deletes the key).
:func:`migrate` runs every pending migration of the scopes asked for, in version order,
over every key, and writes the result together with the new versions in one
transaction: a migration that fails writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from llmspell.errors import LLMSpellError, StateError, ValidationError
from llmspell.state.base import StateBackend

__all__ = ["SCHEMA_SCOPE", "MigrationSet", "migrate", "schema_versions"]

#: where scopes' schema versions are kept
SCHEMA_SCOPE = "llmspell:schema"
#: the highest version a scope may have
MAX_VERSION = 1_000_000

Migration = Callable[[Any, str], Awaitable[Any]]


@dataclass
class MigrationSet:
    """Migrations registered for a run (by scope, then target version)."""

    by_scope: dict[str, dict[int, Migration]] = field(default_factory=dict)

    def register(self, scope: str, version: int, fn: Migration) -> None:
        """Add the migration of ``scope`` to ``version``; a second one for the same
        version is a ValidationError."""
        if not scope:
            raise ValidationError("State.register_migration: scope must not be empty")
        if scope == SCHEMA_SCOPE:
            raise ValidationError(f"State.register_migration: scope {SCHEMA_SCOPE!r} is reserved")
        if not 1 <= version <= MAX_VERSION:
            raise ValidationError(
                f"State.register_migration: version must be 1..{MAX_VERSION}, got {version}"
            )
        versions = self.by_scope.setdefault(scope, {})
        if version in versions:
            raise ValidationError(
                f"State.register_migration: {scope!r} already has a migration to version {version}"
            )
        versions[version] = fn


def schema_versions(backend: StateBackend) -> dict[str, int]:
    """Every scope's recorded schema version."""
    out: dict[str, int] = {}
    for key, text in backend.items(SCHEMA_SCOPE):
        try:
            out[key] = int(json.loads(text))
        except (ValueError, TypeError):
            raise StateError(
                f"the schema version of scope {key!r} is not a number ({text[:40]!r})",
                hint=f"fix it with State.set_schema_version({key!r}, N)",
            ) from None
    return out


def status(backend: StateBackend, migrations: MigrationSet) -> list[dict[str, Any]]:
    """For each scope with migrations: current version, target and pending versions."""
    current = schema_versions(backend)
    out = []
    for scope in sorted(migrations.by_scope):
        versions = sorted(migrations.by_scope[scope])
        now = current.get(scope, 0)
        pending = [v for v in versions if v > now]
        out.append(
            {"scope": scope, "current": now, "target": max([now, *versions]), "pending": pending}
        )
    return out


async def migrate(
    backend: StateBackend,
    migrations: MigrationSet,
    scope: str | None = None,
    *,
    dry_run: bool = False,
    check: Callable[[], None] | None = None,
    offload: Callable[..., Awaitable[Any]] | None = None,
) -> list[dict[str, Any]]:
    """Apply pending migrations (of ``scope``, or of every registered scope); returns
    what changed per scope: ``{scope, from, to, applied, keys, changed, deleted}``.
    Nothing is written when one fails, nor with ``dry_run``. ``offload(fn, *args)``
    runs the backend's (blocking) calls off the event loop."""
    from llmspell.values import check_json_value, dumps

    if scope is not None and scope not in migrations.by_scope:
        raise ValidationError(
            f"State.migrate: no migrations are registered for scope {scope!r}",
            hint="register them first with State.register_migration(scope, version, fn)",
        )
    scopes = [scope] if scope is not None else sorted(migrations.by_scope)

    async def call(fn: Callable[..., Any], *args: Any) -> Any:
        return await offload(fn, *args) if offload is not None else fn(*args)

    current = await call(schema_versions, backend)
    writes: list[tuple[str, str, str | None]] = []
    report = []
    for name in scopes:
        now = current.get(name, 0)
        steps = sorted(v for v in migrations.by_scope[name] if v > now)
        entry: dict[str, Any] = {
            "scope": name, "from": now, "to": steps[-1] if steps else now, "applied": steps,
            "keys": 0, "changed": 0, "deleted": 0,
        }  # fmt: skip
        if not steps:
            report.append(entry)
            continue
        items = await call(backend.items, name)
        entry["keys"] = len(items)
        for key, text in items:
            original = value = json.loads(text)
            for version in steps:
                if check is not None:
                    check()
                try:
                    value = await migrations.by_scope[name][version](value, key)
                except LLMSpellError as exc:
                    raise type(exc)(
                        f"State.migrate: scope {name!r}, key {key!r}, to version {version}: "
                        f"{exc.message} (nothing was written)",
                        hint=exc.hint,
                    ) from None
                if value is None:
                    break
            if value is None:
                writes.append((name, key, None))
                entry["deleted"] += 1
                continue
            check_json_value(value, f"State.migrate: the value of {name}:{key}")
            if value != original:
                writes.append((name, key, dumps(value)))
                entry["changed"] += 1
        writes.append((SCHEMA_SCOPE, name, str(steps[-1])))
        report.append(entry)
    if writes and not dry_run:
        await call(backend.write_batch, writes)
    return report
