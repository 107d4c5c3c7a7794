"""What a workflow is made of, read and checked from the script's table or builder.

Keys may be snake_case or camelCase (``error_strategy`` / ``errorStrategy``); an
unknown key, a wrong type or a missing part is a ValidationError naming the key and,
for steps, the step.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from llmspell.errors import ValidationError
from llmspell.ops import ScriptFunction, describe_value

__all__ = [
    "ERROR_STRATEGIES",
    "STEP_TYPES",
    "WORKFLOW_TYPES",
    "Step",
    "WorkflowSpec",
    "parse_step",
    "parse_workflow",
]

WORKFLOW_TYPES = ("sequential", "parallel", "conditional", "loop")
STEP_TYPES = ("tool", "agent", "workflow", "function")
ERROR_STRATEGIES = ("fail_fast", "continue", "retry")
CONDITION_TYPES = (
    "always",
    "never",
    "shared_data_equals",
    "shared_data_exists",
    "step_output_contains",
)

#: the largest number of loop iterations when a loop sets no max_iterations
DEFAULT_MAX_ITERATIONS = 1000


@dataclass
class Step:
    """One step: what runs (tool, agent, nested workflow or script function) and how."""

    name: str
    type: str
    tool: str | None = None
    agent: Any = None
    workflow: Any = None
    fn: ScriptFunction | None = None
    input: Any = None
    timeout_ms: float | None = None
    retry_count: int | None = None

    @property
    def target(self) -> str:
        """What the step runs, for messages (``tool 'calculator'``)."""
        if self.type == "tool":
            return f"tool {self.tool!r}"
        if self.type == "agent":
            name = self.agent if isinstance(self.agent, str) else getattr(self.agent, "name", "")
            return f"agent {name!r}"
        if self.type == "workflow":
            return f"workflow {getattr(self.workflow, 'name', '')!r}"
        return "function"


@dataclass
class WorkflowSpec:
    """A workflow definition (script-api.md#workflow)."""

    name: str
    type: str
    description: str = ""
    steps: list[Step] = field(default_factory=list)
    then_steps: list[Step] = field(default_factory=list)
    else_steps: list[Step] = field(default_factory=list)
    error_strategy: str = "fail_fast"
    max_retries: int = 3
    backoff_ms: float = 100.0
    timeout_ms: float | None = None
    max_concurrency: int = 4
    condition: Any = None
    range: tuple[float, float, float] | None = None
    collection: list[Any] | None = None
    while_fn: ScriptFunction | None = None
    break_when: ScriptFunction | None = None
    max_iterations: int | None = None

    def all_steps(self) -> list[Step]:
        """Every step, branch steps included."""
        return [*self.steps, *self.then_steps, *self.else_steps]


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


_WORKFLOW_KEYS = {
    "name", "description", "type", "steps", "then_steps", "else_steps", "error_strategy",
    "max_retries", "backoff_ms", "timeout_ms", "max_concurrency", "condition", "range",
    "collection", "while_fn", "break_when", "max_iterations",
}  # fmt: skip
_KEY_ALIASES = {"timeout": "timeout_ms", "then": "then_steps", "else": "else_steps"}
_STEP_KEYS = {
    "name", "type", "tool", "agent", "workflow", "fn", "input", "timeout_ms", "retry_count",
    "parameters", "params",
}  # fmt: skip
_STEP_ALIASES = {
    "function": "fn",
    "handler": "fn",
    "tool_name": "tool",
    "timeout": "timeout_ms",
    "retries": "retry_count",
}


def _keys(
    table: dict[str, Any], known: set[str], aliases: dict[str, str], where: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if not isinstance(key, str):
            raise ValidationError(f"{where}: keys must be names, got {key!r}")
        snake = _snake(key)
        snake = aliases.get(snake, snake)
        if snake not in known:
            close = difflib.get_close_matches(snake, sorted(known), n=1)
            tip = f"; did you mean {close[0]!r}?" if close else ""
            raise ValidationError(f"{where}: unknown key {key!r}{tip}")
        out[snake] = value
    return out


def _number(value: Any, what: str, *, minimum: float = 0, integer: bool = False) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or value < minimum or (integer and float(value) != int(value)):
        word = "an integer" if integer else "a number"
        raise ValidationError(f"{what} must be {word} >= {minimum:g}, got {value!r}")
    return float(value)


def parse_step(value: Any, index: int, where: str) -> Step:
    """A step from its table; ``index`` (1-based) names unnamed steps ``step_<index>``."""
    if not isinstance(value, dict):
        raise ValidationError(
            f"{where}: step {index} must be a table/object {{name=, type=, ...}}, "
            f"got {describe_value(value)}"
        )
    raw = _keys(value, _STEP_KEYS, _STEP_ALIASES, f"{where}: step {index}")
    name = raw.get("name", f"step_{index}")
    if not isinstance(name, str) or not name:
        raise ValidationError(f"{where}: step {index}: 'name' must be a non-empty string")
    here = f"{where}: step {name!r}"
    kind = raw.get("type")
    if kind is None:  # inferred from what the step names
        kind = next((k for k in ("tool", "agent", "workflow") if raw.get(k) is not None), None)
        kind = kind or ("function" if raw.get("fn") is not None else None)
    if kind not in STEP_TYPES:
        got = f"got {kind!r}" if kind is not None else "and it names no tool, agent, workflow or fn"
        raise ValidationError(f"{here}: 'type' must be one of {', '.join(STEP_TYPES)}, {got}")
    step = Step(name=name, type=kind)
    step.input = raw.get("input", raw.get("parameters", raw.get("params")))
    if kind == "tool":
        if not isinstance(raw.get("tool"), str) or not raw["tool"]:
            raise ValidationError(f"{here}: a tool step needs tool = <the tool's name>")
        step.tool = raw["tool"]
    elif kind == "agent":
        agent = raw.get("agent")
        if not (isinstance(agent, str) and agent) and not hasattr(agent, "execute"):
            raise ValidationError(f"{here}: an agent step needs agent = <an agent or its name>")
        step.agent = agent
    elif kind == "workflow":
        if not hasattr(raw.get("workflow"), "execute"):
            raise ValidationError(f"{here}: a workflow step needs workflow = <a workflow>")
        step.workflow = raw["workflow"]
    else:
        if not isinstance(raw.get("fn"), ScriptFunction):
            raise ValidationError(f"{here}: a function step needs fn = <a function(ctx)>")
        step.fn = raw["fn"]
    if raw.get("timeout_ms") is not None:
        step.timeout_ms = _number(raw["timeout_ms"], f"{here}: timeout_ms", minimum=1)
    if raw.get("retry_count") is not None:
        step.retry_count = int(_number(raw["retry_count"], f"{here}: retry_count", integer=True))
    return step


def _steps(value: Any, key: str, where: str) -> list[Step]:
    if value is None:
        return []
    if isinstance(value, dict) and not value:
        return []
    if not isinstance(value, list):
        raise ValidationError(
            f"{where}: '{key}' must be a list of steps, got {describe_value(value)}"
        )
    return [parse_step(v, i, where) for i, v in enumerate(value, start=1)]


def _condition(value: Any, where: str) -> Any:
    if isinstance(value, ScriptFunction):
        return value
    if not isinstance(value, dict):
        raise ValidationError(
            f"{where}: 'condition' must be a function(ctx) or {{type=...}}, "
            f"got {describe_value(value)}"
        )
    kind = value.get("type")
    if kind not in CONDITION_TYPES:
        raise ValidationError(
            f"{where}: condition type must be one of {', '.join(CONDITION_TYPES)}, got {kind!r}"
        )
    needs = {
        "shared_data_equals": ("key",),
        "shared_data_exists": ("key",),
        "step_output_contains": ("step", "text"),
    }.get(kind, ())
    for key in needs:
        if not isinstance(value.get(key), str):
            raise ValidationError(f"{where}: a {kind} condition needs {key} = <a string>")
    return dict(value)


def _range(value: Any, where: str) -> tuple[float, float, float]:
    if not isinstance(value, dict):
        raise ValidationError(f"{where}: 'range' must be {{start=, [\"end\"]=, step=?}}")
    start, end, step = value.get("start", 1), value.get("end"), value.get("step", 1)
    if end is None:
        raise ValidationError(f"{where}: range needs an 'end' (inclusive)")
    for label, v in (("start", start), ("end", end), ("step", step)):
        if not isinstance(v, int | float) or isinstance(v, bool):
            raise ValidationError(f"{where}: range {label} must be a number, got {v!r}")
    if step == 0:
        raise ValidationError(f"{where}: range step must not be 0")
    return float(start), float(end), float(step)


def parse_workflow(fields: dict[str, Any], *, kind: str | None, default_name: str) -> WorkflowSpec:
    """A workflow spec from a table form (``kind`` given) or the builder's fields."""
    given = fields.get("name")
    where = f"workflow {given!r}" if isinstance(given, str) and given else "Workflow"
    raw = _keys(fields, _WORKFLOW_KEYS, _KEY_ALIASES, where)
    name = raw.get("name") or default_name
    if not isinstance(name, str):
        raise ValidationError(f"{where}: 'name' must be a string, got {describe_value(name)}")
    where = f"workflow {name!r}"
    wtype = kind or raw.get("type")
    if wtype is None:
        raise ValidationError(
            f"{where}: no type; call sequential(), parallel(), conditional() or loop() on "
            "the builder"
        )
    if wtype not in WORKFLOW_TYPES:
        raise ValidationError(
            f"{where}: type must be one of {', '.join(WORKFLOW_TYPES)}, got {wtype!r}"
        )
    spec = WorkflowSpec(name=name, type=wtype, description=str(raw.get("description") or ""))
    spec.steps = _steps(raw.get("steps"), "steps", where)
    spec.then_steps = _steps(raw.get("then_steps"), "then_steps", where)
    spec.else_steps = _steps(raw.get("else_steps"), "else_steps", where)
    strategy = raw.get("error_strategy", "fail_fast")
    if strategy not in ERROR_STRATEGIES:
        raise ValidationError(
            f"{where}: error_strategy must be one of {', '.join(ERROR_STRATEGIES)}, "
            f"got {strategy!r}"
        )
    spec.error_strategy = strategy
    if raw.get("max_retries") is not None:
        spec.max_retries = int(_number(raw["max_retries"], f"{where}: max_retries", integer=True))
    if raw.get("backoff_ms") is not None:
        spec.backoff_ms = _number(raw["backoff_ms"], f"{where}: backoff_ms")
    if raw.get("timeout_ms") is not None:
        spec.timeout_ms = _number(raw["timeout_ms"], f"{where}: timeout_ms", minimum=1)
    if raw.get("max_concurrency") is not None:
        spec.max_concurrency = int(
            _number(raw["max_concurrency"], f"{where}: max_concurrency", minimum=1, integer=True)
        )
    if raw.get("max_iterations") is not None:
        spec.max_iterations = int(
            _number(raw["max_iterations"], f"{where}: max_iterations", minimum=1, integer=True)
        )
    for key in ("while_fn", "break_when"):
        fn = raw.get(key)
        if fn is not None and not isinstance(fn, ScriptFunction):
            raise ValidationError(f"{where}: '{key}' must be a function(ctx)")
    spec.while_fn, spec.break_when = raw.get("while_fn"), raw.get("break_when")
    if raw.get("condition") is not None:
        spec.condition = _condition(raw["condition"], where)
    if raw.get("range") is not None:
        spec.range = _range(raw["range"], where)
    if raw.get("collection") is not None:
        collection = raw["collection"]
        if isinstance(collection, dict) and not collection:
            collection = []
        if not isinstance(collection, list):
            raise ValidationError(f"{where}: 'collection' must be a list")
        spec.collection = collection
    _check_shape(spec, where)
    return spec


def _check_shape(spec: WorkflowSpec, where: str) -> None:
    if spec.type == "conditional":
        if spec.condition is None:
            raise ValidationError(f"{where}: a conditional workflow needs a condition")
        if not spec.then_steps and not spec.else_steps and spec.steps:
            spec.then_steps = spec.steps  # steps= of a conditional are its then-branch
            spec.steps = []
        if not spec.then_steps and not spec.else_steps:
            raise ValidationError(f"{where}: a conditional workflow needs then_steps or else_steps")
    elif spec.type == "loop":
        sources = [s for s in (spec.range, spec.collection, spec.while_fn) if s is not None]
        if len(sources) != 1:
            raise ValidationError(
                f"{where}: a loop needs exactly one of range, collection or while_fn"
            )
        if not spec.steps:
            raise ValidationError(f"{where}: a loop needs steps (its body)")
    elif not spec.steps:
        raise ValidationError(f"{where}: a {spec.type} workflow needs at least one step")
    seen: set[str] = set()
    for step in spec.all_steps():
        if step.name in seen:
            raise ValidationError(
                f"{where}: two steps are called {step.name!r}; step names must be unique"
            )
        seen.add(step.name)
