"""The in-memory state backend, for throwaway runs and tests."""

from __future__ import annotations

from llmspell.state.base import StateBackend

__all__ = ["MemoryStateBackend"]


class MemoryStateBackend(StateBackend):
    """Keeps values in a dict; gone when the process ends."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, str], str] = {}

    def get(self, scope: str, key: str) -> str | None:
        """See :meth:`StateBackend.get`."""
        return self._data.get((scope, key))

    def set(self, scope: str, key: str, value: str) -> None:
        """See :meth:`StateBackend.set`."""
        self._data[(scope, key)] = value

    def delete(self, scope: str, key: str) -> bool:
        """See :meth:`StateBackend.delete`."""
        return self._data.pop((scope, key), None) is not None

    def keys(self, scope: str, prefix: str = "") -> list[str]:
        """See :meth:`StateBackend.keys`."""
        return sorted(k for s, k in self._data if s == scope and k.startswith(prefix))

    def scopes(self) -> list[str]:
        """See :meth:`StateBackend.scopes`."""
        return sorted({s for s, _ in self._data})
