"""Structured output by instruction, for models without a native JSON-schema mode."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["json_instruction", "with_instruction"]


def json_instruction(schema: dict[str, Any]) -> str:
    """The system-prompt paragraph asking for JSON that follows ``schema``."""
    return (
        "Answer with a single JSON value that follows this JSON schema, and nothing else "
        "(no prose, no code fences):\n" + json.dumps(schema, ensure_ascii=False, sort_keys=True)
    )


def with_instruction(system: str | None, schema: dict[str, Any] | None) -> str | None:
    """``system`` with the JSON instruction appended when ``schema`` is set."""
    if schema is None:
        return system
    parts = [p for p in (system, json_instruction(schema)) if p]
    return "\n\n".join(parts)
