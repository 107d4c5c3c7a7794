"""Agents with memory (``Agent.builder():memory(true)``, ``memory = {...}`` in the config).

Before each call the agent gets, as part of its system message, the context assembled
from its session's episodic memory and the semantic facts (``Context.assemble``, strategy
``hybrid`` unless configured), within ``[memory] agent_context_tokens`` (or the config's
``max_tokens``); after the call the user's text and the answer are stored as episodic
entries of that session. The session is the config's ``session_id``, else the runtime's
current session (``Session.set_current``), else ``agent:<name>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmspell.errors import ValidationError

if TYPE_CHECKING:
    from llmspell.agents import Agent

__all__ = ["memory_config", "recall", "remember"]

_KEYS = ("session_id", "max_tokens", "strategy")
_HEADER = "Relevant memory from earlier conversations (use it when it helps):\n"
#: the most bytes of the user's text used as the context query
_QUERY_BYTES = 8 * 1024


def memory_config(value: Any) -> dict[str, Any] | None:
    """``memory = true | false | {session_id, max_tokens, strategy}`` as a dict (None:
    no memory); a ValidationError names a bad key or value."""
    if value is None or value is False:
        return None
    if value is True:
        return {}
    if value == []:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(
            "Agent: memory must be true, false or {session_id, max_tokens, strategy}"
        )
    unknown = set(value) - set(_KEYS)
    if unknown:
        raise ValidationError(
            f"Agent: unknown memory field(s) {', '.join(sorted(unknown))} "
            f"(known: {', '.join(_KEYS)})"
        )
    sid = value.get("session_id")
    if sid is not None and (not isinstance(sid, str) or not sid or len(sid) > 256):
        raise ValidationError("Agent: memory.session_id must be a non-empty string")
    budget = value.get("max_tokens")
    if budget is not None and (
        isinstance(budget, bool) or not isinstance(budget, int) or not 0 <= budget <= 1_000_000
    ):
        raise ValidationError("Agent: memory.max_tokens must be an integer from 0 to 1000000")
    strategy = value.get("strategy")
    if strategy is not None and strategy not in ("episodic", "semantic", "hybrid", "rag"):
        raise ValidationError(
            f"Agent: memory.strategy {strategy!r} is not episodic, semantic, hybrid or rag"
        )
    return {k: v for k, v in value.items() if v is not None}


def session_of(agent: Agent) -> str:
    """The episodic session the agent remembers in."""
    cfg = agent.spec.memory or {}
    sid = cfg.get("session_id") or getattr(agent.runtime, "current_session_id", None)
    return str(sid or f"agent:{agent.name}")


def _cut(text: str, limit: int) -> str:
    return text.encode("utf-8", "ignore")[:limit].decode("utf-8", "ignore")


async def recall(agent: Agent, text: str) -> str | None:
    """The memory block for the system message before a call (None: nothing relevant,
    or a budget of 0)."""
    from llmspell.memory import memory_service

    cfg = agent.spec.memory or {}
    budget = cfg.get("max_tokens", agent.runtime.settings.memory.agent_context_tokens)
    query = _cut(text, _QUERY_BYTES)
    if budget <= 0 or not query.strip():
        return None
    mem = memory_service(agent.runtime)
    strategy = cfg.get("strategy", "hybrid")
    sid = session_of(agent)

    def assemble() -> str | None:
        room = budget - mem.count_tokens(_HEADER)
        if room <= 0:
            return None
        formatted: str = mem.assemble(query, strategy, room, sid)["formatted"]
        return _HEADER + formatted if formatted else None

    return await mem.index.run(assemble)


async def remember(agent: Agent, user: str, answer: str) -> None:
    """Store the turn (the user's text, the answer) in the agent's session."""
    from llmspell.memory import memory_service

    mem = memory_service(agent.runtime)
    limit = agent.runtime.settings.memory.max_entry_bytes
    sid = session_of(agent)

    def store() -> None:
        for role, content in (("user", user), ("assistant", answer)):
            content = _cut(content, limit)
            if content.strip():
                mem.add(sid, role, content)

    await mem.index.run(store)
