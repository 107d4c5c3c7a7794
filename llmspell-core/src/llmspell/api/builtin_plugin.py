"""The core's own plugin: registers the built-in globals through ``register_globals``."""

from __future__ import annotations

from collections.abc import Callable

from llmspell.api import args_api, config_api, debug_api, json_api, state_api, tool_api
from llmspell.hookspecs import hookimpl


@hookimpl
def register_globals(register: Callable[..., None]) -> None:
    """Register JSON, Debug, ARGS, Config, State and Tool."""
    for spec in (
        json_api.JSON,
        debug_api.DEBUG,
        args_api.ARGS,
        config_api.CONFIG,
        state_api.STATE,
        tool_api.TOOL,
    ):
        register(spec)
