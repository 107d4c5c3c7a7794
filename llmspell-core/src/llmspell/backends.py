"""A registry of named backend factories (embedders, vector stores, state backends).

Plugins add factories through the ``register_embedders``, ``register_vector_stores`` and
``register_state_backends`` hooks; the runtime keeps one :class:`BackendRegistry` per
kind and opens a backend by name on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from llmspell.errors import NotFoundError, PluginError

__all__ = ["BackendInfo", "BackendRegistry"]


@dataclass(frozen=True)
class BackendInfo:
    """One registered backend: its name, factory, description and the plugin it came from."""

    name: str
    factory: Callable[..., Any]
    description: str = ""
    origin: str = ""


class BackendRegistry:
    """Factories of one kind of backend by name (the first registration of a name wins)."""

    def __init__(self, kind: str, hint: str = "") -> None:
        #: what the backends are, for messages ("embedder", "vector store")
        self.kind = kind
        self._hint = hint
        self._items: dict[str, BackendInfo] = {}

    def register(
        self, factory: Callable[..., Any], *, name: str, description: str = "", origin: str = ""
    ) -> None:
        """Add ``factory`` under ``name``; a second plugin claiming the name is an error."""
        if not callable(factory):
            raise PluginError(f"register {self.kind} {name!r}: the factory is not callable")
        if not name or not isinstance(name, str):
            raise PluginError(f"register {self.kind}: a non-empty name is required")
        existing = self._items.get(name)
        if existing is not None:
            if existing.factory is factory:
                return
            raise PluginError(
                f"{self.kind} {name!r} from {origin or 'a plugin'} clashes with the one "
                f"from {existing.origin or 'a plugin'}; the first stays"
            )
        self._items[name] = BackendInfo(name, factory, description, origin)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def names(self) -> list[str]:
        """The registered names, sorted."""
        return sorted(self._items)

    def infos(self) -> list[BackendInfo]:
        """Every registered backend, by name."""
        return [self._items[n] for n in self.names()]

    def get(self, name: str) -> BackendInfo:
        """The backend named ``name``; a NotFoundError listing the known ones if none is."""
        info = self._items.get(name)
        if info is None:
            known = ", ".join(self.names()) or "none"
            raise NotFoundError(
                f"no {self.kind} named {name!r} (known: {known})", hint=self._hint or None
            )
        return info
