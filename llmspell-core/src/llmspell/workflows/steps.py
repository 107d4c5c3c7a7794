"""Running one workflow step: its input, its kind of work, timeout, retries and hooks.

A step's outcome is a :class:`StepOutcome`; nothing here raises for a failed step (the
workflow's error strategy decides what a failure means), only for cancellation.
"""

from __future__ import annotations

import asyncio
import builtins
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llmspell.errors import (
    LimitExceeded,
    LLMSpellError,
    NotFoundError,
    SecurityError,
    TimeoutError,
    ToolError,
    ValidationError,
    WorkflowError,
    error_class_for_kind,
)
from llmspell.hooks import Points, around
from llmspell.lifecycle import hooks_of, publish, report_of
from llmspell.tools import execute_tool
from llmspell.workflows.model import Step
from llmspell.workflows.placeholders import substitute

if TYPE_CHECKING:
    from llmspell.workflows.runner import Execution

__all__ = ["SKIPPED", "STAGE_POINTS", "StepOutcome", "run_step"]

STAGE_POINTS = Points("BeforeWorkflowStage", "AfterWorkflowStage", "WorkflowError", "WorkflowError")

#: failures that another attempt cannot fix
_NOT_RETRIED = (ValidationError, NotFoundError, SecurityError, LimitExceeded)

#: what a step a hook skipped leaves as its output marker
SKIPPED: dict[str, Any] = {"__skipped": True}


@dataclass
class StepOutcome:
    """How a step ended."""

    name: str
    success: bool
    output: Any = None
    error: str | None = None
    error_kind: str | None = None
    duration_ms: float = 0.0
    skipped: bool = False
    #: how to fix the failure, when the error said (a SecurityError names the setting)
    hint: str | None = None

    def record(self) -> dict[str, Any]:
        """``{name, success, duration_ms, error?}`` for the result's ``steps``."""
        rec: dict[str, Any] = {
            "name": self.name,
            "success": self.success,
            "duration_ms": round(self.duration_ms, 3),
        }
        if self.error is not None:
            text = f"{self.error_kind}: {self.error}" if self.error_kind else self.error
            rec["error"] = f"{text} ({self.hint})" if self.hint else text
        if self.skipped:
            rec["skipped"] = True
        return rec


def default_input(step: Step, workflow_input: Any) -> Any:
    """What a step without ``input`` gets: the workflow's input."""
    if step.type == "tool":
        if isinstance(workflow_input, Mapping):
            return dict(workflow_input)
        return {} if workflow_input is None else {"input": workflow_input}
    return workflow_input


async def run_step(ex: Execution, step: Step, loop: dict[str, Any] | None = None) -> StepOutcome:
    """Run ``step`` of execution ``ex`` (inside a loop iteration when ``loop`` is set)."""
    started = time.perf_counter()
    ctx = ex.ctx
    data: dict[str, Any] = {"workflow": ex.workflow.name, "step": step.name, "input": step.input}
    begun: dict[str, Any] = {"workflow": ex.workflow.name, "step": step.name}
    if loop is not None:
        begun["iteration"] = loop["index"]
    publish(ctx, "workflow.step.started", begun, ex.execution_id)

    async def run(data: dict[str, Any]) -> Any:
        scope = ex.scope(loop)
        raw = data.get("input")
        given = raw is not None
        value = substitute(raw, scope) if given else default_input(step, ex.input)
        return await _attempts(ex, step, value, given, scope)

    hooks = hooks_of(ctx)
    try:
        if hooks is None:
            output = await run(data)
        else:
            output = await around(
                hooks,
                STAGE_POINTS,
                data,
                run,
                component_id=f"workflow {ex.workflow.name!r} step {step.name!r}",
                skipped=lambda d: SKIPPED,
                correlation_id=ex.execution_id,
                report=report_of(ctx),
            )
    except LimitExceeded:
        raise  # the run's own limits end the run, whatever the error strategy
    except LLMSpellError as exc:
        elapsed = (time.perf_counter() - started) * 1000
        where = exc.location()
        message = f"{exc.message} (at {where})" if where else exc.message
        return StepOutcome(step.name, False, None, message, exc.kind, elapsed, hint=exc.hint)
    elapsed = (time.perf_counter() - started) * 1000
    if output is SKIPPED:
        return StepOutcome(step.name, True, None, duration_ms=elapsed, skipped=True)
    return StepOutcome(step.name, True, output, duration_ms=elapsed)


async def _attempts(
    ex: Execution, step: Step, value: Any, given: bool, scope: Mapping[str, Any]
) -> Any:
    spec = ex.workflow.spec
    retries = step.retry_count
    if retries is None:
        retries = spec.max_retries if spec.error_strategy == "retry" else 0
    for attempt in range(retries + 1):
        try:
            return await _once(ex, step, value, given, scope)
        except _NOT_RETRIED:
            raise
        except LLMSpellError:
            if attempt >= retries:
                raise
        await asyncio.sleep(spec.backoff_ms * (2**attempt) / 1000)
    raise AssertionError("unreachable")  # pragma: no cover


async def _once(
    ex: Execution, step: Step, value: Any, given: bool, scope: Mapping[str, Any]
) -> Any:
    if step.timeout_ms is None:
        return await _work(ex, step, value, given, scope)
    try:
        async with asyncio.timeout(step.timeout_ms / 1000):
            return await _work(ex, step, value, given, scope)
    except builtins.TimeoutError:
        raise TimeoutError(
            f"step {step.name!r} timed out after {step.timeout_ms:g} ms",
            hint="raise the step's timeout_ms",
        ) from None


async def _work(
    ex: Execution, step: Step, value: Any, given: bool, scope: Mapping[str, Any]
) -> Any:
    ctx = ex.ctx
    runtime = ex.workflow.runtime
    if step.type == "tool":
        params = value if isinstance(value, Mapping) else {"input": value}
        result = await execute_tool(runtime.tools.get(step.tool), dict(params), ctx)
        if result.get("success") is False:
            cls = error_class_for_kind(str(result.get("error_kind") or "ToolError")) or ToolError
            raise cls(str(result.get("error") or f"tool {step.tool!r} failed"))
        return result
    if step.type == "agent":
        agent = step.agent
        if isinstance(agent, str):
            found = runtime.agents.get(agent)
            if found is None:
                known = ", ".join(runtime.agents) or "none"
                raise NotFoundError(f"no agent called {agent!r} (agents: {known})")
            agent = found
        if value is None:
            raise ValidationError(
                f"agent step {step.name!r} has no input: give the step input= or the workflow "
                "an input (wf:execute(input))"
            )
        result = await agent.execute(ctx, value)
        ex.agent_outputs[agent.name] = result.get("text", "")
        return result
    if step.type == "workflow":
        result = await step.workflow.execute(ctx, value, parent=ex)
        if not result.get("success"):
            raise WorkflowError(f"nested workflow {step.workflow.name!r} failed: {result['text']}")
        return result
    fn_ctx = {**scope, "input": value if given else ex.input, "workflow_input": ex.input}
    assert step.fn is not None
    return await step.fn(fn_ctx)
