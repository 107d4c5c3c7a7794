"""calculator: evaluate arithmetic expressions safely (simpleeval; never ``eval``)."""

from __future__ import annotations

import math
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import dispatch, fail, output

#: functions and constants an expression may use
_FUNCTIONS = {
    "abs": abs, "round": round, "min": min, "max": max, "sqrt": math.sqrt, "pow": pow,
    "exp": math.exp, "log": math.log, "log10": math.log10, "log2": math.log2,
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin, "acos": math.acos,
    "atan": math.atan, "atan2": math.atan2, "floor": math.floor, "ceil": math.ceil,
    "factorial": math.factorial, "hypot": math.hypot,
}  # fmt: skip
_NAMES = {"pi": math.pi, "e": math.e, "tau": math.tau}
MAX_EXPRESSION = 10_000


def _evaluator(variables: dict[str, Any]) -> Any:
    from simpleeval import SimpleEval

    names = dict(_NAMES)
    for key, value in variables.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            fail(f"variable {key!r} must be a number", kind="ValidationError")
        names[key] = value
    return SimpleEval(functions=dict(_FUNCTIONS), names=names)


def _evaluate(params: dict[str, Any]) -> Any:
    expression = params["input"]
    if len(expression) > MAX_EXPRESSION:
        fail(f"expression is longer than {MAX_EXPRESSION} characters", kind="ValidationError")
    evaluator = _evaluator(params.get("variables") or {})
    try:
        value = evaluator.eval(expression)
    except ZeroDivisionError:
        fail("division by zero", operation="evaluate")
    except Exception as exc:  # simpleeval's errors: invalid syntax, unknown names, limits
        fail(f"cannot evaluate {expression!r}: {exc}", operation="evaluate")
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(f"{expression!r} does not evaluate to a number", operation="evaluate")
    if isinstance(value, float) and not math.isfinite(value):
        fail(f"{expression!r} evaluates to {value}", operation="evaluate")
    kind = "integer" if isinstance(value, int) else "float"
    return output({"result": value, "result_type": kind, "expression": expression}, text=str(value))


def _validate(params: dict[str, Any]) -> Any:
    try:
        _evaluator(params.get("variables") or {}).parse(params["input"])
    except Exception as exc:
        return output({"valid": False, "error": str(exc)}, text="invalid")
    return output({"valid": True}, text="valid")


def _functions(params: dict[str, Any]) -> Any:
    return output({"functions": sorted(_FUNCTIONS), "constants": sorted(_NAMES)})


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Evaluate, validate or list the available functions."""
    ops = {"evaluate": _evaluate, "validate": _validate, "functions": _functions}
    if params.get("operation", "evaluate") != "functions" and "input" not in params:
        fail("'input' (the expression) is required", kind="ValidationError")
    return dispatch(params, ops, params, default="evaluate")


TOOL = Tool(
    name="calculator",
    description="Evaluate an arithmetic expression (+ - * / // % **, parentheses, "
    "functions like sqrt/sin/log, constants pi/e) with optional variables.",
    category="utility",
    handler=run,
    inline=True,
    timeout_seconds=5,
    tags=("math", "expression"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["evaluate", "validate", "functions"],
                "default": "evaluate",
            },
            "input": {"type": "string", "description": "the expression, e.g. '2 * (3 + x)'"},
            "variables": {
                "type": "object",
                "additionalProperties": {"type": "number"},
                "description": "values for names used in the expression",
            },
        },
        "additionalProperties": False,
    },
)
