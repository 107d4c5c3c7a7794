"""What a workflow is made of, read and checked from the script's table or builder.

Keys may be snake_case or camelCase (``error_strategy`` / ``errorStrategy``); an
unknown key, a wrong type or a missing part is a ValidationError naming the key and,
for steps, the step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from llmspell.errors import NotFoundError, ValidationError
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
    "step_output_equals",
    "and",
    "or",
    "not",
)
#: rs-llmspell's other spellings of a condition type
CONDITION_ALIASES = {"step_result_equals": "step_output_equals"}
#: rs-llmspell's spellings of the error strategies (anything it does not know is fail-fast)
STRATEGY_ALIASES = {
    "fail_fast": "fail_fast", "failfast": "fail_fast", "fail": "fail_fast", "stop": "fail_fast",
    "abort": "fail_fast", "stop_on_error": "fail_fast", "continue": "continue",
    "continue_on_error": "continue", "retry": "retry",
}  # fmt: skip
#: what a spell that asks for a template step is told
TEMPLATES_UNAVAILABLE = (
    "templates are not available in llmspell (rs-llmspell's Template global and its "
    "template steps have no counterpart yet)"
)
TEMPLATES_HINT = (
    "build the steps yourself: agent steps (Agent.builder()) and tool steps; to fill a text "
    'template use a tool step with tool = "template-creator"'
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
    #: the range's end is excluded (rs-llmspell's ``with_range``, as Rust ranges)
    range_exclusive: bool = False
    collection: list[Any] | None = None
    while_fn: ScriptFunction | None = None
    break_when: ScriptFunction | None = None
    max_iterations: int | None = None
    #: a while condition given as a string (rs-llmspell ignores it too): the loop runs
    #: until max_iterations
    while_text: str | None = None

    def all_steps(self) -> list[Step]:
        """Every step, branch steps included."""
        return [*self.steps, *self.then_steps, *self.else_steps]


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


_WORKFLOW_KEYS = {
    "name", "description", "type", "steps", "then_steps", "else_steps", "error_strategy",
    "max_retries", "backoff_ms", "timeout_ms", "max_concurrency", "condition", "range",
    "rs_range",
    "collection", "while_fn", "break_when", "max_iterations", "template_steps", "iterator",
    "branches", "default_branch",
}  # fmt: skip
_KEY_ALIASES = {
    "timeout": "timeout_ms",
    "then": "then_steps",
    "else": "else_steps",
    "body": "steps",
    "loop_condition": "while_fn",
    "while_condition": "while_fn",
}
_STEP_KEYS = {
    "name", "type", "tool", "agent", "workflow", "fn", "input", "timeout_ms", "retry_count",
    "parameters", "params", "template_id", "template",
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
            import difflib  # only for a did-you-mean

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
    if kind == "template" or raw.get("template_id") is not None:
        raise NotFoundError(f"{here}: {TEMPLATES_UNAVAILABLE}", hint=TEMPLATES_HINT)
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
    if isinstance(value, str):  # rs-llmspell: "always", "never", "step:NAME:EXPECTED"
        if value in ("always", "never"):
            return {"type": value}
        parts = value.split(":", 2)
        if len(parts) == 3 and parts[0] == "step":
            return {"type": "step_output_equals", "step": parts[1], "expected": parts[2]}
        raise ValidationError(
            f'{where}: condition {value!r} is not one of "always", "never" or '
            '"step:<step>:<expected text>"; give a function(ctx) or {type=...}'
        )
    if not isinstance(value, dict):
        raise ValidationError(
            f"{where}: 'condition' must be a function(ctx) or {{type=...}}, "
            f"got {describe_value(value)}"
        )
    given = value.get("type")
    kind = CONDITION_ALIASES.get(given, given) if isinstance(given, str) else given
    if kind == "custom":
        raise ValidationError(
            f"{where}: a custom condition's expression is not evaluated here; give "
            "condition = function(ctx) ... end (ctx = {input, steps, shared}) instead"
        )
    if kind not in CONDITION_TYPES:
        raise ValidationError(
            f"{where}: condition type must be one of {', '.join(CONDITION_TYPES)}, got {given!r}"
        )
    out = dict(value, type=kind)
    if kind in ("and", "or"):
        combined = value.get("conditions")
        if not isinstance(combined, list) or not combined:
            raise ValidationError(f"{where}: an {kind} condition needs conditions = {{...}}")
        out["conditions"] = [_condition(c, where) for c in combined]
        return out
    if kind == "not":
        if value.get("condition") is None:
            raise ValidationError(f"{where}: a not condition needs condition = <a condition>")
        out["condition"] = _condition(value["condition"], where)
        return out
    if kind == "shared_data_equals" and "value" not in value:
        out["value"] = value.get("expected")  # rs-llmspell: the builder value, tables expected
    if kind == "step_output_contains" and "text" not in value:
        out["text"] = value.get("expected", value.get("value"))
    if kind == "step_output_equals" and "expected" not in value:
        out["expected"] = value.get("value", value.get("text"))
    needs = {
        "shared_data_equals": ("key",),
        "shared_data_exists": ("key",),
        "step_output_contains": ("step", "text"),
        "step_output_equals": ("step", "expected"),
    }.get(kind, ())
    for key in needs:
        if not isinstance(out.get(key), str):
            raise ValidationError(f"{where}: a {kind} condition needs {key} = <a string>")
    return out


def _range(value: Any, where: str, *, exclusive: bool = False) -> tuple[float, float, float]:
    if not isinstance(value, dict):
        raise ValidationError(f"{where}: 'range' must be {{start=, [\"end\"]=, step=?}}")
    start, end, step = (
        value.get("start", 0 if exclusive else 1),
        value.get("end"),
        value.get("step", 1),
    )
    if end is None:
        shown = "excluded, as in rs-llmspell" if exclusive else "inclusive"
        raise ValidationError(f"{where}: range needs an 'end' ({shown})")
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
    if raw.get("template_steps"):
        raise NotFoundError(
            f"{where}: add_template_step: {TEMPLATES_UNAVAILABLE}", hint=TEMPLATES_HINT
        )
    if raw.get("iterator") is not None:
        _iterator(raw, where)
    if raw.get("branches") is not None or raw.get("default_branch") is not None:
        _branches(raw, wtype, where)
    spec = WorkflowSpec(name=name, type=wtype, description=str(raw.get("description") or ""))
    spec.steps = _steps(raw.get("steps"), "steps", where)
    spec.then_steps = _steps(raw.get("then_steps"), "then_steps", where)
    spec.else_steps = _steps(raw.get("else_steps"), "else_steps", where)
    spec.error_strategy = _strategy(raw.get("error_strategy", "fail_fast"), where)
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
    if isinstance(raw.get("while_fn"), str):  # rs-llmspell's with_while("...") never tests it
        spec.while_text = raw.pop("while_fn")
        if spec.max_iterations is None:
            raise ValidationError(
                f"{where}: a while condition given as a string ({spec.while_text!r}) is not "
                "evaluated; give with_while(function(ctx) ... end), or max_iterations(n) to "
                "run n times"
            )
        spec.range = (1.0, float(spec.max_iterations), 1.0)
    for key in ("while_fn", "break_when"):
        fn = raw.get(key)
        if fn is not None and not isinstance(fn, ScriptFunction):
            raise ValidationError(f"{where}: '{key}' must be a function(ctx)")
    spec.while_fn, spec.break_when = raw.get("while_fn"), raw.get("break_when")
    if raw.get("condition") is not None:
        spec.condition = _condition(raw["condition"], where)
    if raw.get("range") is not None:
        spec.range = _range(raw["range"], where)
    if raw.get("rs_range") is not None:  # with_range / iterator.range: rs-llmspell's ranges
        if spec.range is not None:
            raise ValidationError(f"{where}: give one range (with_range or range), not both")
        spec.range = _range(raw["rs_range"], where, exclusive=True)
        spec.range_exclusive = True
    if raw.get("collection") is not None:
        collection = raw["collection"]
        if isinstance(collection, dict) and not collection:
            collection = []
        if not isinstance(collection, list):
            raise ValidationError(f"{where}: 'collection' must be a list")
        spec.collection = collection
    _check_shape(spec, where)
    return spec


def _strategy(value: Any, where: str) -> str:
    key = value.strip().lower().replace("-", "_") if isinstance(value, str) else value
    strategy = STRATEGY_ALIASES.get(key) if isinstance(key, str) else None
    if strategy is None:
        raise ValidationError(
            f"{where}: error_strategy must be one of {', '.join(ERROR_STRATEGIES)}, got {value!r}"
        )
    return strategy


def _iterator(raw: dict[str, Any], where: str) -> None:
    """rs-llmspell's ``Workflow.loop{iterator = {range|collection|while_condition,
    max_iterations}}`` as this module's keys."""
    iterator = raw.pop("iterator")
    if not isinstance(iterator, dict):
        raise ValidationError(f"{where}: 'iterator' must be a table {{range=...|collection=...}}")
    if iterator.get("range") is not None:
        raw.setdefault("rs_range", iterator["range"])
    for key in ("collection", "max_iterations"):
        if iterator.get(key) is not None:
            raw.setdefault(key, iterator[key])
    for key in ("while_condition", "while_fn"):
        if iterator.get(key) is not None:
            raw.setdefault("while_fn", iterator[key])


def _branches(raw: dict[str, Any], wtype: str, where: str) -> None:
    """rs-llmspell's ``branches = {{name, condition, steps}}`` (conditional) or
    ``branches = {step, ...}`` (parallel) as this module's keys."""
    branches = raw.pop("branches", None) or []
    default = raw.pop("default_branch", None)
    if isinstance(branches, dict) and not branches:
        branches = []
    if not isinstance(branches, list):
        raise ValidationError(f"{where}: 'branches' must be a list")
    if wtype != "conditional":
        raw.setdefault("steps", branches)
        return
    conditioned = [b for b in branches if isinstance(b, dict) and b.get("condition") is not None]
    others = [b for b in branches if not (isinstance(b, dict) and b.get("condition") is not None)]
    if len(conditioned) > 1:
        raise ValidationError(
            f"{where}: a conditional workflow here takes one condition and two branches; "
            "nest a conditional workflow as a step of the else branch for more"
        )
    if conditioned:
        raw.setdefault("condition", conditioned[0]["condition"])
        raw.setdefault("then_steps", conditioned[0].get("steps"))
    rest = [*others, *([default] if isinstance(default, dict) else [])]
    if rest:
        raw.setdefault("else_steps", [s for b in rest for s in (b.get("steps") or [])])


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
