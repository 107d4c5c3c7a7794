"""``Replay``: rs-llmspell's session replay, not available in llmspell yet.

Every function exists (so a spell gets a clear error, not "attempt to call a nil
value") and raises a ConfigurationError naming what exists instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmspell.errors import ConfigurationError
from llmspell.ops import GlobalSpec

if TYPE_CHECKING:
    from llmspell.runtime import CallContext

REPLAY = GlobalSpec("Replay", doc="Session replay: not available yet (clear errors).")

_INSTEAD = (
    "what exists: Session.load / Session.get (a session's metadata), Artifact.list / "
    "Artifact.get / Artifact.query (what its agents and tools produced), and State"
)

#: rs-llmspell's Replay functions (Replay.* and the session-level replay calls)
FUNCTIONS = (
    "can_replay",
    "replay",
    "get_replay_metadata",
    "list_replayable",
    "create_config",
    "create_modification",
    "create_comparator",
    "modes",
    "schedules",
)


def _unavailable(name: str) -> None:
    def impl(ctx: CallContext, *args: Any) -> Any:
        raise ConfigurationError(
            f"Replay.{name} is not available in llmspell: sessions are not replayed yet",
            hint=_INSTEAD,
        )

    impl.__doc__ = f"Not available: raises a ConfigurationError naming what exists ({name})."
    REPLAY.function(name, variadic=True)(impl)


for _name in FUNCTIONS:
    _unavailable(_name)
