"""Optional extras: import a heavy library on first use, or say exactly what to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from llmspell.errors import ConfigurationError

__all__ = ["MissingExtraError", "require"]


class MissingExtraError(ConfigurationError):
    """A feature needs a library of an optional extra that is not installed."""

    kind = "ConfigurationError"


def require(module: str, *, dist: str, extra: str, what: str) -> ModuleType:
    """Import ``module``; if it is missing, a :class:`MissingExtraError` naming the
    ``pip install`` line of ``dist[extra]`` (``llmspell-core[rag]``) that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = exc.name or module
        raise MissingExtraError(
            f"{what} needs the Python package {missing!r}, which is not installed",
            hint=f"pip install '{dist}[{extra}]'",
        ) from None
