"""The script-engine contract (the ScriptEngineBridge of DESIGN.md §3).

An engine plugin subclasses :class:`ScriptEngine` and registers the class through the
``register_engines`` hook. The runtime creates one engine per run, hands it the run's
:class:`~llmspell.runtime.RunSession` (the host that answers script requests), and awaits
:meth:`ScriptEngine.run`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from llmspell.ops import Naming
    from llmspell.runtime import RunSession

__all__ = ["ScriptEngine"]


class ScriptEngine(ABC):
    """Base class of script engines.

    Class attributes a subclass sets:

    - ``name``: registry name (``"lua"``); ``--engine NAME`` selects it.
    - ``extensions``: file extensions it runs (``(".lua",)``).
    - ``language``: human name of the language (``"Lua 5.4"``).
    - ``capabilities``: flags such as ``{"async": True, "streaming": True}``.
    - ``naming``: ``"snake"`` or ``"camel"``; the names error messages use.

    The engine must: create a sandboxed context; bind every global of
    ``session.globals()`` from the op table (``Op.mode`` says how to call each op);
    convert values (tables/objects ↔ dict, arrays ↔ list, nil ↔ None); turn host errors
    into script errors (``<Kind>: message``) and uncaught script errors into
    :class:`~llmspell.errors.ScriptError` with file and line; enforce
    ``session.limits`` (wall time via ``session.deadline``, instructions, memory) by
    raising :class:`~llmspell.errors.LimitExceeded`; and return the script's result
    as Python values.
    """

    name: ClassVar[str] = ""
    extensions: ClassVar[tuple[str, ...]] = ()
    language: ClassVar[str] = ""
    capabilities: ClassVar[dict[str, bool]] = {}
    #: how the language spells API names: "snake" (``list_keys``) or "camel" (``listKeys``)
    naming: ClassVar[Naming] = "snake"

    def __init__(self, session: RunSession) -> None:
        self.session = session

    @abstractmethod
    async def run(self, source: str, chunk_name: str) -> Any:
        """Run ``source`` (named ``chunk_name`` in error locations); return its result."""

    async def run_entry(self, source: str, chunk_name: str) -> tuple[Any, ...]:
        """Run one entry of an interactive session (``llmspell repl``, a Jupyter cell) in
        this engine's state, which lives on between entries: globals, and the names an
        entry declares at its top level (Lua ``local``, JavaScript ``let``/``const``),
        stay for the next one. Returns the values to echo: those of an expression entry
        (``6 * 7`` gives ``(42,)``), ``()`` for a statement. Errors are raised as from
        :meth:`run`. Optional: an engine without it has ``capabilities["interactive"]``
        unset, and :class:`~llmspell.interactive.InteractiveSession` refuses it."""
        from llmspell.errors import ConfigurationError

        raise ConfigurationError(
            f"the {self.name} engine has no interactive mode",
            hint="use an engine whose capabilities include 'interactive' (lua, js)",
        )

    def current_line(self) -> int | None:
        """The spell line the run is at (or waits at, during a host call), if the engine
        can tell; the runtime puts it on a limit error that stopped the run from outside
        (a timeout or Ctrl-C while the spell waited for an agent). Optional."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook with a no-op default
        """Release the engine's resources; the runtime calls it after every run."""
