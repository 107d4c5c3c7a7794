"""rs-llmspell's other ``Workflow`` functions and workflow methods (RS-LLMSPELL-API.md
§1.3), each doing the useful thing rather than rs-llmspell's stub:

- ``Workflow.types()``, ``remove(id)``, ``clear()``, ``register(type, params)``,
  ``set_default_error_handler(fn)``, ``enable_debug(b)``, ``is_debug_enabled()`` (Lua also
  has rs-llmspell's camelCase names ``setDefaultErrorHandler``, ``enableDebug``,
  ``isDebugEnabled``);
- ``wf:get_output(step)``, ``get_all_outputs()``, ``list_outputs()``, ``clear_outputs()``
  (the step outputs saved to State), ``get_execution_id()``, ``get_state(key)`` /
  ``set_state(key, value)``, ``on_before_execute(fn)`` / ``on_after_execute(fn)`` /
  ``on_error(fn)``, ``emit(name, data?)``, ``debug()``, ``validate()``, ``get_metrics()``.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from llmspell.api.event_api import publish as publish_event
from llmspell.api.workflow_api import WORKFLOW, WORKFLOW_OBJECT, _create
from llmspell.errors import ValidationError
from llmspell.ops import Param, ScriptFunction, method
from llmspell.values import check_json_value, dumps
from llmspell.workflows import Workflow
from llmspell.workflows.callbacks import RunOptions, options_of, reset_options
from llmspell.workflows.model import WORKFLOW_TYPES

if TYPE_CHECKING:
    from llmspell.runtime import CallContext


WORKFLOW.aliases.update(
    {
        "setDefaultErrorHandler": "set_default_error_handler",
        "enableDebug": "enable_debug",
        "isDebugEnabled": "is_debug_enabled",
    }
)

#: what an event a workflow emits may be called (as Event.publish's names)
_EVENT_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]{0,127}")


def _run_options(ctx: CallContext) -> RunOptions:
    """This run's workflow options, forgotten when the run ends."""
    runtime = ctx.runtime
    ctx.cleanups.append(lambda: reset_options(runtime))
    return options_of(runtime)


@WORKFLOW.function("types")
def types(ctx: CallContext) -> list[str]:
    """The workflow types: sequential, parallel, conditional, loop."""
    return list(WORKFLOW_TYPES)


@WORKFLOW.function("remove", Param("id", "string"))
def remove(ctx: CallContext, id: str) -> bool:
    """Forget the workflow ``id`` (it leaves ``Workflow.list()``); true if it was there."""
    return ctx.runtime.workflows.pop(id, None) is not None


@WORKFLOW.function("clear")
def clear(ctx: CallContext) -> int:
    """Forget every workflow built in this run; returns how many there were."""
    count = len(ctx.runtime.workflows)
    ctx.runtime.workflows.clear()
    return count


@WORKFLOW.function("register", Param("type", "string"), Param("params", "object"))
def register(ctx: CallContext, type: str, params: dict[str, Any]) -> str:
    """Build a workflow of ``type`` from a table (as ``Workflow.<type>{...}``); its id."""
    if type not in WORKFLOW_TYPES:
        raise ValidationError(
            f"Workflow.register: type must be one of {', '.join(WORKFLOW_TYPES)}, got {type!r}"
        )
    return _create(ctx, params, type).id


@WORKFLOW.function("set_default_error_handler", Param("handler", "function", optional=True))
def set_default_error_handler(ctx: CallContext, handler: ScriptFunction | None) -> bool:
    """Call ``handler({workflow, workflow_id, error, execution_id})`` whenever a workflow
    of this run fails (before ``execute`` raises); nil removes it."""
    _run_options(ctx).error_handler = handler
    return True


@WORKFLOW.function("enable_debug", Param("enabled", "boolean", optional=True, default=True))
def enable_debug(ctx: CallContext, enabled: bool) -> bool:
    """Write a ``[DEBUG]`` line to stderr for every workflow step of this run."""
    _run_options(ctx).debug = bool(enabled)
    return True


@WORKFLOW.function("is_debug_enabled")
def is_debug_enabled(ctx: CallContext) -> bool:
    """Whether ``enable_debug(true)`` is in force."""
    return options_of(ctx.runtime).debug


# -- workflow methods ----------------------------------------------------------------------


def _scope(workflow: Workflow) -> str:
    return f"workflow:{workflow.id}"


@method(WORKFLOW_OBJECT, "get_output", Param("step", "string"), mode="blocking")
def get_output(ctx: CallContext, workflow: Workflow, step: str) -> Any:
    """The saved output of ``step`` (its last successful run), or nil."""
    text = ctx.state.get(_scope(workflow), step)
    return None if text is None else json.loads(text)


@method(WORKFLOW_OBJECT, "get_all_outputs", mode="blocking")
def get_all_outputs(ctx: CallContext, workflow: Workflow) -> dict[str, Any]:
    """``{step = output}`` of every saved step output."""
    out: dict[str, Any] = {}
    for key in ctx.state.keys(_scope(workflow)):
        text = ctx.state.get(_scope(workflow), key)
        if text is not None:
            out[key] = json.loads(text)
    return out


@method(WORKFLOW_OBJECT, "list_outputs", mode="blocking")
def list_outputs(ctx: CallContext, workflow: Workflow) -> list[str]:
    """The names of the steps with a saved output, sorted."""
    return ctx.state.keys(_scope(workflow))


@method(WORKFLOW_OBJECT, "clear_outputs", mode="blocking")
def clear_outputs(ctx: CallContext, workflow: Workflow) -> int:
    """Delete the saved step outputs; returns how many there were."""
    keys = ctx.state.keys(_scope(workflow))
    for key in keys:
        ctx.state.delete(_scope(workflow), key)
    return len(keys)


@method(WORKFLOW_OBJECT, "get_execution_id")
def get_execution_id(ctx: CallContext, workflow: Workflow) -> str | None:
    """The id of the latest run (``metadata.extra.execution_id``), nil before the first."""
    return workflow.last_execution_id


@method(WORKFLOW_OBJECT, "get_state", Param("key", "string"), mode="blocking")
def get_state(ctx: CallContext, workflow: Workflow, key: str) -> Any:
    """A value the spell keeps for this workflow in State (scope ``workflow:<id>:state``)."""
    text = ctx.state.get(f"{_scope(workflow)}:state", key)
    return None if text is None else json.loads(text)


@method(
    WORKFLOW_OBJECT,
    "set_state",
    Param("key", "string"),
    Param("value", optional=True),
    mode="blocking",
)
def set_state(ctx: CallContext, workflow: Workflow, key: str, value: Any) -> bool:
    """Keep ``value`` for this workflow in State (nil deletes)."""
    if not key:
        raise ValidationError("set_state: key must not be empty")
    if value is None:
        ctx.state.delete(f"{_scope(workflow)}:state", key)
        return True
    check_json_value(value, "set_state")
    ctx.state.set(f"{_scope(workflow)}:state", key, dumps(value))
    return True


def _callback(kind: str, rs_name: str) -> None:
    @method(WORKFLOW_OBJECT, rs_name, Param("fn", "function"))
    def register_callback(
        ctx: CallContext, workflow: Workflow, fn: ScriptFunction
    ) -> dict[str, Any]:
        workflow.callbacks.of(kind).append(fn)
        return {"success": True, "workflow_id": workflow.id, "hook_type": kind}

    register_callback.__doc__ = (
        f"Call ``fn`` {'when a run fails' if kind == 'error' else kind.replace('_', ' ')} "
        "with a table about the run (it is told; it cannot change the run)."
    )


_callback("before_execute", "on_before_execute")
_callback("after_execute", "on_after_execute")
_callback("error", "on_error")


@method(
    WORKFLOW_OBJECT, "emit", Param("event", "string"), Param("data", optional=True), mode="async"
)
async def emit(ctx: CallContext, workflow: Workflow, event: str, data: Any) -> dict[str, Any]:
    """Publish event ``event`` with ``{workflow_id, workflow_name, workflow_type, data}``,
    as ``Event.publish`` does (the EventPublished hooks see it); ``success`` is false when
    a hook skipped or cancelled it."""
    if not _EVENT_NAME.fullmatch(event):
        raise ValidationError(
            f"emit: event name {event!r} must be 1-128 letters, digits, '_', '.', ':' or '-'"
        )
    if data is not None:
        check_json_value(data, "emit")
    payload = {
        "workflow_id": workflow.id,
        "workflow_name": workflow.name,
        "workflow_type": workflow.type,
        "data": data,
    }
    published = await publish_event(ctx, event, payload, None)
    return {"success": published, "workflow_id": workflow.id, "event_name": event}


@method(WORKFLOW_OBJECT, "debug")
def debug(ctx: CallContext, workflow: Workflow) -> dict[str, Any]:
    """``{workflow_id, name, type, steps, shared_keys, last_execution_id, metrics}``."""
    return {
        "workflow_id": workflow.id,
        "name": workflow.name,
        "type": workflow.type,
        "steps": [s.name for s in workflow.spec.all_steps()],
        "shared_keys": sorted(workflow.shared),
        "last_execution_id": workflow.last_execution_id,
        "metrics": get_metrics(ctx, workflow),
    }


@method(WORKFLOW_OBJECT, "validate")
def validate(ctx: CallContext, workflow: Workflow) -> dict[str, Any]:
    """``{valid, errors}``: a built workflow was checked when it was built, so it is valid
    unless a tool it names has been unregistered since."""
    errors = [
        f"step {s.name!r}: no tool {s.tool!r}"
        for s in workflow.spec.all_steps()
        if s.tool is not None and not ctx.runtime.tools.exists(s.tool)
    ]
    return {"valid": not errors, "errors": errors}


@method(WORKFLOW_OBJECT, "get_metrics")
def get_metrics(ctx: CallContext, workflow: Workflow) -> dict[str, Any]:
    """``{executions, successes, failures, total_duration_ms, average_duration_ms}``."""
    m = workflow.metrics
    runs = int(m["executions"])
    return {
        "executions": runs,
        "successes": int(m["successes"]),
        "failures": int(m["failures"]),
        "total_duration_ms": round(m["total_duration_ms"], 3),
        "average_duration_ms": round(m["total_duration_ms"] / runs, 3) if runs else 0.0,
    }
