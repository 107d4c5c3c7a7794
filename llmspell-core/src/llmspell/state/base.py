"""The state backend interface: JSON values by (scope, key)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

__all__ = ["MISSING", "StateBackend"]

MISSING: Any = object()


class StateBackend(ABC):
    """A store of JSON values by (scope, key); a write that returned is durable.

    Values arrive already encoded as JSON text, so a backend stores strings only.
    Implementations must be safe to call from one worker thread at a time.
    """

    @abstractmethod
    def get(self, scope: str, key: str) -> str | None:
        """The JSON text stored at (scope, key), or None."""

    @abstractmethod
    def set(self, scope: str, key: str, value: str) -> None:
        """Store JSON text at (scope, key), replacing any previous value."""

    @abstractmethod
    def delete(self, scope: str, key: str) -> bool:
        """Remove (scope, key); True if it existed."""

    @abstractmethod
    def keys(self, scope: str, prefix: str = "") -> list[str]:
        """The keys in ``scope`` (starting with ``prefix``), sorted."""

    def set_many(self, scope: str, items: dict[str, str]) -> None:
        """Store several keys of ``scope`` at once (one transaction where the backend
        has them: a workflow's step outputs cost one disk sync, not one per step)."""
        for key, value in items.items():
            self.set(scope, key, value)

    def write_batch(self, writes: list[tuple[str, str, str | None]]) -> None:
        """Apply ``(scope, key, value)`` writes (None deletes) together: one transaction
        where the backend has them (migrations, imports), so a failure writes nothing."""
        for scope, key, value in writes:
            if value is None:
                self.delete(scope, key)
            else:
                self.set(scope, key, value)

    def scopes(self) -> list[str]:
        """Every scope that holds a key, sorted (for export and ``llmspell state show``)."""
        from llmspell.errors import StateError

        raise StateError(
            f"the state backend {type(self).__name__} cannot list its scopes",
            hint="its plugin must implement StateBackend.scopes() for export and show",
        )

    def items(self, scope: str) -> list[tuple[str, str]]:
        """The ``(key, JSON text)`` pairs of ``scope``, sorted by key."""
        return [(k, v) for k in self.keys(scope) if (v := self.get(scope, k)) is not None]

    def close(self) -> None:  # noqa: B027 - optional
        """Release resources."""
