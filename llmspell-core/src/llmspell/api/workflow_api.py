"""``Workflow``: build and run workflows (script-api.md#workflow)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmspell.errors import NotFoundError
from llmspell.ops import BuilderSpec, GlobalSpec, ObjectType, Op, Param, method
from llmspell.values import check_json_value
from llmspell.workflows import Workflow, parse_workflow

WORKFLOW_OBJECT = ObjectType(
    "Workflow",
    Workflow,
    fields=lambda w: {
        "id": w.id,
        "name": w.name,
        "type": w.type,
        "description": w.spec.description,
    },
)
WORKFLOW = GlobalSpec("Workflow", object_types=[WORKFLOW_OBJECT], doc="Workflows of steps.")


def _create(ctx: CallContext, fields: dict[str, Any], kind: str | None) -> Workflow:
    fields = dict(fields.get("__fields", fields))
    runtime = ctx.runtime
    spec = parse_workflow(fields, kind=kind, default_name=f"workflow-{len(runtime.workflows) + 1}")
    for step in spec.all_steps():
        if step.tool is not None and not runtime.tools.exists(step.tool):
            try:
                runtime.tools.get(step.tool)  # the NotFoundError with its did-you-mean
            except NotFoundError as exc:
                where = f"workflow {spec.name!r}: step {step.name!r}: "
                raise NotFoundError(where + exc.message, hint=exc.hint) from None
    # the id is the name: State.workflow_get(id, step) finds outputs in later runs too
    workflow = Workflow(runtime, spec, spec.name)
    runtime.workflows[workflow.id] = workflow
    ctx.cleanups.append(lambda: runtime.workflows.pop(workflow.id, None))
    return workflow


_FIELDS = Param("fields", "object")


def _table_form(kind: str) -> None:
    def create(ctx: CallContext, fields: dict[str, Any]) -> Workflow:
        return _create(ctx, fields, kind)

    WORKFLOW.functions[kind] = Op(
        f"workflow.{kind}",
        (_FIELDS,),
        create,
        doc=f"A {kind} workflow from a table.",
        display=f"Workflow.{kind}",
    )


for _kind in ("sequential", "parallel", "conditional", "loop"):
    _table_form(_kind)


def _build(ctx: CallContext, fields: dict[str, Any]) -> Workflow:
    return _create(ctx, fields, None)


WORKFLOW.builders["builder"] = BuilderSpec(
    setters={
        "name": "name",
        "description": "description",
        "type": "type",
        "error_strategy": "error_strategy",
        "max_retries": "max_retries",
        "backoff_ms": "backoff_ms",
        "timeout_ms": "timeout_ms",
        "timeout": "timeout_ms",
        "max_concurrency": "max_concurrency",
        "condition": "condition",
        "with_range": "rs_range",  # rs-llmspell's: the end is excluded
        "with_collection": "collection",
        "with_while": "while_fn",
        "while_fn": "while_fn",
        "loop_condition": "while_fn",
        "max_iterations": "max_iterations",
        "break_when": "break_when",
    },
    build=Op("workflow.build", (_FIELDS,), _build, display="Workflow.builder():build"),
    appenders={
        "add_step": "steps",
        "add_then_step": "then_steps",
        "add_else_step": "else_steps",
        # rs-llmspell's add_template_step(name, id, params): build() says templates are
        # not available (a builder setter keeps only its first argument)
        "add_template_step": "template_steps",
    },
    presets={
        "sequential": ("type", "sequential"),
        "parallel": ("type", "parallel"),
        "conditional": ("type", "conditional"),
        "loop": ("type", "loop"),
        "loop_workflow": ("type", "loop"),
    },
)


@WORKFLOW.function("list")
def list_(ctx: CallContext) -> list[dict[str, Any]]:
    """``{{id, name, type, description, steps}}`` of the workflows built in this run."""
    return [w.info() for w in ctx.runtime.workflows.values()]


@WORKFLOW.function("get", Param("id", "string"))
def get(ctx: CallContext, id: str) -> Workflow | None:
    """The workflow with ``id`` (its name), or nil."""
    workflow: Workflow | None = ctx.runtime.workflows.get(id)
    return workflow


@method(WORKFLOW_OBJECT, "execute", Param("input", optional=True), mode="async")
async def execute(ctx: CallContext, workflow: Workflow, input: Any) -> dict[str, Any]:
    """Run the workflow with ``input``; returns its result table."""
    return await workflow.execute(ctx, input)


@method(WORKFLOW_OBJECT, "set_shared_data", Param("key", "string"), Param("value", optional=True))
def set_shared_data(ctx: CallContext, workflow: Workflow, key: str, value: Any) -> bool:
    """Set ``key`` in the data the workflow's steps and conditions share (nil removes)."""
    if value is None:
        workflow.shared.pop(key, None)
    else:
        check_json_value(value, "set_shared_data")
        workflow.shared[key] = value
    return True


@method(WORKFLOW_OBJECT, "get_shared_data", Param("key", "string", optional=True))
def get_shared_data(ctx: CallContext, workflow: Workflow, key: str | None) -> Any:
    """The shared value at ``key`` (all of it without a key)."""
    if key is None:
        return dict(workflow.shared)
    return workflow.shared.get(key)


@method(WORKFLOW_OBJECT, "get_info")
def get_info(ctx: CallContext, workflow: Workflow) -> dict[str, Any]:
    """``{id, name, type, description, steps}``."""
    return workflow.info()


# rs-llmspell's other Workflow functions and workflow methods (registered on import)
from llmspell.api import workflow_more  # noqa: E402, F401

if TYPE_CHECKING:
    from llmspell.runtime import CallContext
