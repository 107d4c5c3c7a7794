"""rs-llmspell's agent fields, mapped onto ours (docs/coming-from-rs-llmspell.md).

rs-llmspell spells build agents with ``:type(...)``, ``:resource_limits{...}``,
``:custom_config{...}``, ``:max_memory_mb(n)``, ``:max_recursion_depth(n)`` and register
them with ``Agent.register{name, agent_type, model = {provider, model_id, ...}, ...}``.
:func:`split_compat` takes those fields out of a script table before
:func:`llmspell.agents.agent_spec` sees it and says what they mean here:

- ``resource_limits.max_execution_time_secs`` is the per-call timeout and
  ``max_tool_calls`` caps the tool rounds (an explicit ``timeout``/``max_tool_calls``
  wins); ``max_memory_mb`` and ``max_recursion_depth`` are recorded (the run's own
  limits bound memory; agents calling agents are bounded by the tool rounds);
- ``custom_config`` gives ``system_prompt`` and ``max_conversation_length`` (as in
  rs-llmspell) and is kept whole for ``agent:get_config()``;
- ``type`` / ``agent_type`` is recorded; every agent is an LLM agent.
"""

from __future__ import annotations

import math
from typing import Any

from llmspell.errors import ValidationError

__all__ = ["LIMIT_KEYS", "Compat", "register_fields", "split_compat"]

#: the keys of ``resource_limits``
LIMIT_KEYS = ("max_execution_time_secs", "max_memory_mb", "max_tool_calls", "max_recursion_depth")

_ALIASES = {
    "type": "type", "agent_type": "type", "agentType": "type",
    "resource_limits": "resource_limits", "resourceLimits": "resource_limits",
    "custom_config": "custom_config", "customConfig": "custom_config",
    "max_memory_mb": "max_memory_mb", "maxMemoryMb": "max_memory_mb",
    "max_recursion_depth": "max_recursion_depth", "maxRecursionDepth": "max_recursion_depth",
}  # fmt: skip

_LIMIT_ALIASES = {
    **{k: k for k in LIMIT_KEYS},
    "maxExecutionTimeSecs": "max_execution_time_secs",
    "maxMemoryMb": "max_memory_mb",
    "maxToolCalls": "max_tool_calls",
    "maxRecursionDepth": "max_recursion_depth",
}

#: the most tool rounds and the longest per-call timeout resource_limits may ask for
_MAX_TOOL_CALLS = 1000
_MAX_SECONDS = 31_536_000


class Compat:
    """The rs-llmspell fields of one agent, as recorded for ``get_config``."""

    def __init__(self) -> None:
        self.agent_type = "llm"
        self.resource_limits: dict[str, Any] = {}
        self.custom_config: dict[str, Any] = {}


def _number(key: str, value: Any, *, integer: bool, high: float) -> int | float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or value <= 0 or value > high:
        word = "a positive integer" if integer else "a positive number"
        raise ValidationError(
            f"Agent: resource_limits.{key} must be {word} up to {high:g} (got {value!r})"
        )
    if integer:
        if float(value) != int(value):
            raise ValidationError(f"Agent: resource_limits.{key} must be an integer")
        return int(value)
    number: int | float = value
    return number


def _limits(value: Any) -> dict[str, Any]:
    if value == [] or value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError("Agent: resource_limits must be a table/object")
    out: dict[str, Any] = {}
    for key, item in value.items():
        target = _LIMIT_ALIASES.get(key)
        if target is None:
            import difflib  # only for a did-you-mean

            close = difflib.get_close_matches(str(key), list(_LIMIT_ALIASES), n=1)
            tip = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(LIMIT_KEYS)})"
            raise ValidationError(f"Agent: unknown resource_limits field {key!r}{tip}")
        if item is None:
            continue
        high = _MAX_SECONDS if target == "max_execution_time_secs" else _MAX_TOOL_CALLS
        if target == "max_memory_mb":
            high = 1_048_576
        out[target] = _number(target, item, integer=target != "max_execution_time_secs", high=high)
    return out


def split_compat(table: dict[str, Any]) -> tuple[dict[str, Any], Compat]:
    """``table`` without the rs-llmspell fields (theirs applied to ours), and those
    fields as recorded. ValidationError names a bad value."""
    rest: dict[str, Any] = {}
    compat = Compat()
    limits: dict[str, Any] = {}
    for key, value in table.items():
        target = _ALIASES.get(key)
        if target is None:
            rest[key] = value
        elif value is None:
            continue
        elif target == "type":
            if not isinstance(value, str) or not value.strip():
                raise ValidationError(f"Agent: type must be a non-empty string (got {value!r})")
            compat.agent_type = value
        elif target == "resource_limits":
            limits.update(_limits(value))
        elif target == "custom_config":
            if value == []:
                value = {}
            if not isinstance(value, dict):
                raise ValidationError("Agent: custom_config must be a table/object")
            compat.custom_config = dict(value)
        else:  # max_memory_mb / max_recursion_depth setters
            limits.update(_limits({target: value}))
    for inner in ("system_prompt", "max_conversation_length"):
        value = compat.custom_config.get(inner)
        if value is not None and inner not in rest and _camel(inner) not in rest:
            rest[inner] = value
    seconds = limits.get("max_execution_time_secs")
    timeout_keys = ("timeout", "timeout_seconds", "max_execution_time", "maxExecutionTime")
    if seconds is not None and not any(rest.get(k) is not None for k in timeout_keys):
        rest["timeout"] = seconds
    calls = limits.get("max_tool_calls")
    if (
        calls is not None
        and rest.get("max_tool_calls") is None
        and rest.get("maxToolCalls") is None
    ):
        rest["max_tool_calls"] = calls
    compat.resource_limits = limits
    return rest, compat


def _camel(name: str) -> str:
    head, *parts = name.split("_")
    return head + "".join(p.title() for p in parts)


def register_fields(table: dict[str, Any]) -> dict[str, Any]:
    """The agent fields of an ``Agent.register{...}`` table (rs-llmspell's shape):
    ``model`` may be ``{provider, model_id, temperature, max_tokens, settings}``;
    ``settings.base_url`` / ``settings.api_key`` become the agent's own (checked like
    the builder's)."""
    fields = dict(table)
    model = fields.get("model")
    if isinstance(model, dict):
        fields.pop("model")
        inner = {_camel_to_snake(k): v for k, v in model.items()}
        unknown = set(inner) - {
            "provider", "model_id", "model", "temperature", "max_tokens", "settings"
        }  # fmt: skip
        if unknown:
            raise ValidationError(
                f"Agent.register: unknown model field(s) {', '.join(sorted(unknown))} "
                "(known: provider, model_id, temperature, max_tokens, settings)"
            )
        model_id = inner.get("model_id") or inner.get("model")
        if not isinstance(model_id, str) or not model_id:
            raise ValidationError("Agent.register: model.model_id must be a non-empty string")
        provider = inner.get("provider")
        if provider is not None and not isinstance(provider, str):
            raise ValidationError("Agent.register: model.provider must be a string")
        fields["model"] = f"{provider}/{model_id}" if provider else model_id
        for key in ("temperature", "max_tokens"):
            if inner.get(key) is not None and fields.get(key) is None:
                fields[key] = inner[key]
        settings = inner.get("settings")
        if isinstance(settings, dict):
            for key in ("base_url", "api_key"):
                if settings.get(key) is not None and fields.get(key) is None:
                    fields[key] = settings[key]
    if not isinstance(fields.get("name"), str) or not fields["name"]:
        raise ValidationError("Agent.register: name is required (a non-empty string)")
    return fields


def _camel_to_snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)
