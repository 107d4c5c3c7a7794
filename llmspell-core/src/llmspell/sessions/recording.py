"""Agents that record their outputs as artifacts of the current session (opt-in:
``Agent.builder():record_artifacts(true)`` or ``record_artifacts = true``).

Each answer becomes an ``agent_output`` artifact named after the agent, and each tool
result of the call a ``tool_result`` artifact named after the tool, in the session that
is current (``Session.set_current``); with no current session nothing is recorded.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

__all__ = ["record_agent_call"]

#: the most characters of the input kept in an artifact's metadata
INPUT_PREVIEW = 500


def _store(
    runtime: Any, session_id: str, items: list[tuple[str, str, bytes, dict[str, Any]]]
) -> None:
    artifacts = runtime.sessions.artifacts
    for kind, name, content, meta in items:
        artifacts.store(session_id, kind, name, content, meta)


async def record_agent_call(
    ctx: Any, agent: str, model: str, input_text: Any, text: str, calls: list[dict[str, Any]]
) -> None:
    """Store the answer and the tool results of one agent call in the current session."""
    runtime = ctx.runtime
    session_id = runtime.current_session_id
    if session_id is None:
        return
    shown = input_text if isinstance(input_text, str) else json.dumps(input_text, default=str)
    meta: dict[str, Any] = {"agent": agent, "model": model, "input": shown[:INPUT_PREVIEW]}
    items: list[tuple[str, str, bytes, dict[str, Any]]] = [
        ("agent_output", agent, text.encode("utf-8", "replace"), meta)
    ]
    for call in calls:
        body = json.dumps(call.get("result"), default=str, ensure_ascii=False)
        tool_meta: dict[str, Any] = {
            "agent": agent,
            "tool": call.get("name"),
            "arguments": call.get("arguments"),
        }
        items.append(("tool_result", str(call.get("name")), body.encode(), tool_meta))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(runtime.executor, _store, runtime, session_id, items)
