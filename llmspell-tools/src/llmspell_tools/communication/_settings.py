"""Settings of the communication tools: ``[tools.NAME]`` tables and environment variables.

A value comes from the tool's parameter, else the environment variable, else the
``[tools.NAME]`` table of llmspell.toml, else the default. Secrets (tokens, passwords,
API keys) come only from the environment or the table, never from parameters.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from llmspell.errors import ConfigurationError

__all__ = ["pick", "tool_config"]


def tool_config(ctx: Any, name: str, keys: Mapping[str, type | tuple[type, ...]]) -> dict[str, Any]:
    """``[tools.NAME]``, checked: ConfigurationError for an unknown key or a wrong type."""
    table = dict(ctx.settings.tools.get(name) or {})
    for key, value in table.items():
        kind = keys.get(key)
        if kind is None:
            raise ConfigurationError(
                f"[tools.{name}] has an unknown key {key!r} (known: {', '.join(sorted(keys))})"
            )
        wrong_bool = isinstance(value, bool) and bool not in (
            kind if isinstance(kind, tuple) else (kind,)
        )
        if not isinstance(value, kind) or wrong_bool:
            raise ConfigurationError(f"[tools.{name}] {key} has the wrong type ({value!r})")
    return table


def pick(
    params: Mapping[str, Any],
    config: Mapping[str, Any],
    key: str,
    env: str | None = None,
    default: Any = None,
    *,
    param: str | None = None,
) -> Any:
    """The first set value of: ``params[param or key]``, ``$env``, ``config[key]``,
    ``default``."""
    value = params.get(param or key)
    if value is not None and value != "":
        return value
    if env:
        from_env = os.environ.get(env)
        if from_env:
            return from_env
    value = config.get(key)
    if value is not None and value != "":
        return value
    return default
