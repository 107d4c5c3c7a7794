"""Every hook a plugin can implement (DESIGN.md §2).

Registration hooks take a ``register`` callback so a spec can gain arguments later
without breaking plugins. ``docs/plugins.md`` lists each spec with its exact signature
(a test keeps the two in sync).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

PROJECT_NAME = "llmspell"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_engines(register: Callable[..., None]) -> None:
    """Register script engines: ``register(EngineClass)``.

    ``EngineClass`` subclasses :class:`llmspell.engine.ScriptEngine` and sets ``name``
    and ``extensions`` (e.g. ``"lua"``, ``(".lua",)``).
    """


@hookspec
def register_providers(register: Callable[..., None]) -> None:
    """Register LLM providers: ``register(provider_factory, name=..., **info)``."""


@hookspec
def register_tools(register: Callable[..., None]) -> None:
    """Register tools: ``register(tool)`` where ``tool`` is a :class:`llmspell.tools.Tool`."""


@hookspec
def register_globals(register: Callable[..., None]) -> None:
    """Register script globals: ``register(global_spec)`` with a
    :class:`llmspell.ops.GlobalSpec` (its ops become functions in every engine)."""


@hookspec
def register_commands(app: Any) -> None:
    """Add commands to the ``llmspell`` CLI; ``app`` is the root ``typer.Typer``."""


@hookspec
def llmspell_startup(runtime: Any) -> None:
    """Called once per :class:`llmspell.runtime.Runtime`, before its first spell runs
    (SystemStartup)."""


@hookspec
def llmspell_shutdown(runtime: Any) -> None:
    """Called when a runtime shuts down (SystemShutdown)."""


@hookspec
def register_hooks(register: Callable[..., None]) -> None:
    """Register lifecycle hooks: ``register(point, fn, priority="normal", name="")``.

    ``fn(ctx)`` gets a :class:`llmspell.hooks.HookContext` (sync or async) and returns
    what a script hook returns (None/"continue", "skip", "cancel", "retry", or a
    :class:`llmspell.hooks.HookOutcome` / ``{"type": "modified", "data": {...}}``).
    Script hooks and these share one registry and one priority order.
    """


@hookspec
def register_embedders(register: Callable[..., None]) -> None:
    """Register embedding models: ``register(factory, name=..., description="")``.

    ``factory(model, settings=..., transport=...)`` returns a
    :class:`llmspell.embedders.Embedder`; ``model`` is what follows ``name/`` in
    ``[rag] embedder`` (None when the setting is just the name).
    """


@hookspec
def register_vector_stores(register: Callable[..., None]) -> None:
    """Register vector stores: ``register(factory, name=..., description="")``.

    ``factory(location, settings=...)`` returns a
    :class:`llmspell.vectorstore.VectorStore`; ``location`` is a path or URL (None: the
    store's default under ``LLMSPELL_HOME`` or ``[storage] url``).
    """


@hookspec
def register_state_backends(register: Callable[..., None]) -> None:
    """Register State backends: ``register(factory, name=..., description="")``.

    ``factory(location, settings=...)`` returns a
    :class:`llmspell.state.StateBackend`; ``name`` is what ``[state] backend`` or the
    scheme of ``[storage] url`` selects.
    """


@hookspec
def register_state_migrations(register: Callable[..., None]) -> None:
    """Register State migrations: ``register(scope, version, fn)``.

    ``fn(value, key)`` returns the value of ``key`` in ``scope`` at schema ``version``
    (None deletes the key); ``State.migrate`` and ``llmspell state migrate`` apply the
    pending ones with those a spell registers, in one transaction.
    """
