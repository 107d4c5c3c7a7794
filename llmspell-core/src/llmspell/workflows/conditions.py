"""Conditions of conditional workflows and the script predicates of loops."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from llmspell.ops import ScriptFunction
from llmspell.workflows.placeholders import step_text

__all__ = ["evaluate", "truthy"]


def truthy(value: Any) -> bool:
    """A script value as a condition: everything but nil/null, false (Lua's rule, which
    JavaScript spells follow here too: 0 and "" count as true)."""
    return value is not None and value is not False


async def evaluate(condition: Any, scope: Mapping[str, Any]) -> bool:
    """Whether ``condition`` holds: a declarative ``{type=...}`` table (``and``/``or``/
    ``not`` combine others) or a script function called with ``{input, steps, shared,
    loop?}`` and each step's text under the step's name (unless that is one of those)."""
    if isinstance(condition, ScriptFunction):
        ctx = dict(scope)
        # rs-llmspell's examples read a step's text as ctx.<step name>
        for name, output in (scope.get("steps") or {}).items():
            ctx.setdefault(name, step_text(output))
        return truthy(await condition(ctx))
    kind = condition["type"]
    shared: Mapping[str, Any] = scope.get("shared") or {}
    if kind == "always":
        return True
    if kind == "never":
        return False
    if kind == "shared_data_exists":
        return shared.get(condition["key"]) is not None
    if kind == "shared_data_equals":
        return _same(shared.get(condition["key"]), condition.get("value"))
    if kind in ("step_output_contains", "step_output_equals"):
        outputs: Mapping[str, Any] = scope.get("steps") or {}
        if condition["step"] not in outputs:
            return False
        text = step_text(outputs[condition["step"]])
        if kind == "step_output_equals":
            return text.strip() == str(condition["expected"]).strip()
        return str(condition["text"]) in text
    if kind == "and":
        for part in condition["conditions"]:
            if not await evaluate(part, scope):
                return False
        return True
    if kind == "or":
        for part in condition["conditions"]:
            if await evaluate(part, scope):
                return True
        return False
    if kind == "not":
        return not await evaluate(condition["condition"], scope)
    raise AssertionError(kind)  # checked when the workflow was built


def _same(a: Any, b: Any) -> bool:
    # 1 and 1.0 are one number in Lua and JavaScript
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)
