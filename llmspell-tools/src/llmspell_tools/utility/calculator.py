"""calculator: evaluate arithmetic expressions safely (simpleeval; never ``eval``).

Python's big-integer operations hold the GIL and cannot be interrupted, so every
operation that can grow a number (``**``, ``pow``, ``*``, ``<<``, ``factorial``,
``round`` to negative digits) is sized *before* it runs: an integer operand or result
over ``max_int_bits`` bits (default 100,000, about 30,000 digits; ``[tools.calculator]
max_int_bits``) is refused as ``LimitExceeded``, as is a modular ``pow`` whose exponent
and modulus together are too large. A result over Python's int-to-text limit (4300
digits) is refused too, and an evaluation stops after :data:`EVAL_SECONDS`.
"""

from __future__ import annotations

import ast
import math
import operator
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import check, dispatch, fail, limit, output, over_limit

#: functions and constants an expression may use
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs, "round": round, "min": min, "max": max, "sqrt": math.sqrt, "pow": pow,
    "exp": math.exp, "log": math.log, "log10": math.log10, "log2": math.log2,
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin, "acos": math.acos,
    "atan": math.atan, "atan2": math.atan2, "floor": math.floor, "ceil": math.ceil,
    "factorial": math.factorial, "hypot": math.hypot,
}  # fmt: skip
_NAMES = {"pi": math.pi, "e": math.e, "tau": math.tau}
MAX_EXPRESSION = 10_000
NAME = "calculator"
#: the largest integer operand or intermediate result, in bits ([tools.calculator])
DEFAULT_MAX_INT_BITS = 100_000
#: modular pow: exponent bits x modulus bits (2048-bit operands fit)
MAX_MODPOW_WORK = 1 << 22
#: the most digits rounding may work with (round(x, -n) builds 10**n)
MAX_ROUND_DIGITS = 5_000
#: seconds one evaluation may take (the tool runs on the event loop)
EVAL_SECONDS = 1.0
_SETTING = f"[tools.{NAME}] max_int_bits"


class _TooBig(Exception):
    """An operation refused before it ran (→ LimitExceeded)."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _show(value: int) -> str:
    return str(value) if value.bit_length() < 64 else f"a {value.bit_length()}-bit number"


class _Bounds:
    """The operator and function wrappers of one evaluation: each sizes its result
    before computing it, and checks the time budget and the call's cancellation."""

    def __init__(self, max_bits: int) -> None:
        self.max_bits = max_bits
        self.deadline = time.monotonic() + EVAL_SECONDS

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise _TooBig(f"the evaluation takes longer than {EVAL_SECONDS:g} s")
        check()

    def bits(self, what: str, bits: float) -> None:
        if bits > self.max_bits:
            raise _TooBig(
                f"{what} would have about {int(bits):,} bits, over the limit of "
                f"{self.max_bits:,} bits (raise it with {_SETTING})"
            )

    def operand(self, value: Any) -> None:
        if _is_int(value):
            self.bits("an operand", value.bit_length())

    def power(self, base: Any, exponent: Any, modulus: Any = None) -> Any:
        self.tick()
        self.operand(base)
        self.operand(exponent)
        if modulus is not None:
            self.operand(modulus)
            if _is_int(exponent) and _is_int(modulus):
                work = max(exponent.bit_length(), 1) * max(modulus.bit_length(), 1)
                if work > MAX_MODPOW_WORK:
                    raise _TooBig(
                        f"pow(base, exponent, modulus) with a {exponent.bit_length()}-bit "
                        f"exponent and a {modulus.bit_length()}-bit modulus is over the "
                        f"work limit ({MAX_MODPOW_WORK:,} bits x bits)"
                    )
            return pow(base, exponent, modulus)
        if _is_int(base) and _is_int(exponent) and exponent > 1 and abs(base) > 1:
            self.bits(f"{_show(base)} ** {exponent}", math.log2(abs(base)) * exponent)
        return base**exponent

    def multiply(self, left: Any, right: Any) -> Any:
        self.tick()
        if _is_int(left) and _is_int(right):
            self.bits("the product", left.bit_length() + right.bit_length())
            return left * right
        if isinstance(left, int | float) and isinstance(right, int | float):
            return left * right
        from simpleeval import safe_mult

        return safe_mult(left, right)  # strings: simpleeval's length limit

    def lshift(self, left: Any, right: Any) -> Any:
        self.tick()
        if _is_int(left) and _is_int(right):
            if right > 0:
                self.bits(f"{_show(left)} << {right}", left.bit_length() + right)
            return left << right
        from simpleeval import safe_lshift

        return safe_lshift(left, right)

    def modulo(self, left: Any, right: Any) -> Any:
        if isinstance(left, str):
            raise _TooBig("string formatting with % is not supported")
        return left % right

    def factorial(self, n: Any) -> Any:
        self.tick()
        if _is_int(n) and n > 2:
            self.bits(f"factorial({n})", math.lgamma(n + 1) / math.log(2))
        return math.factorial(n)

    def round(self, value: Any, ndigits: Any = None) -> Any:
        if ndigits is None:
            return round(value)
        if _is_int(ndigits) and abs(ndigits) > MAX_ROUND_DIGITS:
            raise _TooBig(f"round() to {ndigits} digits (the limit is {MAX_ROUND_DIGITS})")
        return round(value, ndigits)

    def checked(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            self.tick()
            return fn(*args)

        return call


#: per thread: (max_bits, bounds, evaluator), reused by the next evaluation (building
#: the evaluator and its bounded operators costs more than evaluating "1+2")
_CACHE = threading.local()


def _evaluator(variables: dict[str, Any], max_bits: int = DEFAULT_MAX_INT_BITS) -> Any:
    names = dict(_NAMES)
    for key, value in variables.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            fail(f"variable {key!r} must be a number", kind="ValidationError")
        if isinstance(value, int) and value.bit_length() > max_bits:
            over_limit(f"variable {key!r} ({value.bit_length()} bits)", f"{max_bits} bits",
                       setting=_SETTING)  # fmt: skip
        names[key] = value
    cached = getattr(_CACHE, "entry", None)
    if cached is None or cached[0] != max_bits:
        cached = (max_bits, *_build_evaluator(max_bits))
        _CACHE.entry = cached
    _, bounds, evaluator = cached
    bounds.deadline = time.monotonic() + EVAL_SECONDS
    evaluator.names = names
    return evaluator


def _build_evaluator(max_bits: int) -> tuple[_Bounds, Any]:
    from simpleeval import DEFAULT_OPERATORS, SimpleEval

    bounds = _Bounds(max_bits)
    functions: dict[str, Any] = {k: bounds.checked(f) for k, f in _FUNCTIONS.items()}
    functions.update(pow=bounds.power, factorial=bounds.factorial, round=bounds.round)
    operators: dict[type, Any] = dict(DEFAULT_OPERATORS)
    operators.update({
        ast.Pow: bounds.power, ast.Mult: bounds.multiply, ast.LShift: bounds.lshift,
        ast.Mod: bounds.modulo, ast.Add: bounds.checked(operators[ast.Add]),
        ast.Sub: bounds.checked(operator.sub),
    })  # fmt: skip
    return bounds, SimpleEval(operators=operators, functions=functions, names={})


def _evaluate(params: dict[str, Any], ctx: Any) -> Any:
    expression = params["input"]
    if len(expression) > MAX_EXPRESSION:
        fail(f"expression is longer than {MAX_EXPRESSION} characters", kind="ValidationError")
    max_bits = limit(ctx, NAME, "max_int_bits", DEFAULT_MAX_INT_BITS)
    evaluator = _evaluator(params.get("variables") or {}, max_bits)
    try:
        value = evaluator.eval(expression)
    except ZeroDivisionError:
        fail("division by zero", operation="evaluate")
    except _TooBig as exc:
        fail(f"cannot evaluate {expression[:200]!r}: {exc}", kind="LimitExceeded",
             operation="evaluate")  # fmt: skip
    except Exception as exc:  # simpleeval's errors: invalid syntax, unknown names, limits
        fail(f"cannot evaluate {expression!r}: {exc}", operation="evaluate")
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(f"{expression!r} does not evaluate to a number", operation="evaluate")
    if isinstance(value, float) and not math.isfinite(value):
        fail(f"{expression!r} evaluates to {value}", operation="evaluate")
    try:
        text = str(value)
    except ValueError:  # over Python's int-to-text limit
        over_limit(
            f"the result ({int(value).bit_length()} bits)",
            f"{sys.get_int_max_str_digits()} digits",
            setting="PYTHONINTMAXSTRDIGITS (Python's int-to-text limit)",
            operation="evaluate",
        )
    kind = "integer" if isinstance(value, int) else "float"
    result = {
        "result": value,
        "result_type": kind,
        "expression": expression,
        "input": expression,  # rs-llmspell's names: input, variables
        "variables": dict(params.get("variables") or {}),
    }
    return output(result, text=text)


def _validate(params: dict[str, Any], ctx: Any) -> Any:
    try:
        _evaluator(params.get("variables") or {}).parse(params["input"])
    except Exception as exc:
        return output({"valid": False, "error": str(exc)}, text="invalid")
    return output({"valid": True}, text="valid")


def _functions(params: dict[str, Any], ctx: Any) -> Any:
    return output({"functions": sorted(_FUNCTIONS), "constants": sorted(_NAMES)})


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Evaluate, validate or list the available functions."""
    ops = {"evaluate": _evaluate, "validate": _validate, "functions": _functions}
    if params.get("operation", "evaluate") != "functions" and "input" not in params:
        fail("'input' (the expression) is required", kind="ValidationError")
    return dispatch(params, ops, params, ctx, default="evaluate")


TOOL = Tool(
    name="calculator",
    description="Evaluate an arithmetic expression (+ - * / // % **, parentheses, "
    "functions like sqrt/sin/log, constants pi/e) with optional variables.",
    category="utility",
    handler=run,
    inline=True,
    timeout_seconds=5,
    settings={
        "max_int_bits": {
            "type": "integer",
            "minimum": 1,
            "default": DEFAULT_MAX_INT_BITS,
            "description": "the largest integer operand or result, in bits",
        },
    },
    tags=("math", "expression"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["evaluate", "validate", "functions"],
                "default": "evaluate",
            },
            "input": {
                "type": "string",
                "description": "the expression, e.g. '2 * (3 + x)'",
                "examples": ["1 + 2"],
            },
            "variables": {
                "type": "object",
                "additionalProperties": {"type": "number"},
                "description": "values for names used in the expression",
            },
        },
        "additionalProperties": False,
    },
)
