"""Running workflows: sequential, parallel, conditional and loop (script-api.md#workflow).

:meth:`Workflow.execute` fires the workflow hook points and events, applies the
workflow's timeout and error strategy, shapes the rs-llmspell-compatible result and
saves step outputs to State (scope ``workflow:<id>``, one transaction per run).
"""

from __future__ import annotations

import asyncio
import builtins
import contextvars
import os
import re
import time
from typing import Any

from llmspell.errors import LimitExceeded, LLMSpellError, ValidationError, WorkflowError
from llmspell.lifecycle import fire, publish
from llmspell.sizing import approx_bytes
from llmspell.values import check_json_value, dumps
from llmspell.workflows.callbacks import WorkflowCallbacks, notify, options_of
from llmspell.workflows.conditions import evaluate, truthy
from llmspell.workflows.model import DEFAULT_MAX_ITERATIONS, Step, WorkflowSpec
from llmspell.workflows.steps import StepOutcome, run_step

__all__ = ["MAX_NESTING", "Execution", "Workflow"]

#: how deep workflows may run inside each other (steps, or function steps calling
#: ``execute``) before it is taken for runaway recursion
MAX_NESTING = 32
_DEPTH: contextvars.ContextVar[int] = contextvars.ContextVar("llmspell_workflow_depth", default=0)
#: the longest step error carried into a workflow's own failure message
_MAX_ERROR_CHARS = 2000
#: the same parenthesised note repeated (each nesting level adds its hint again)
_REPEATED_NOTE = re.compile(r"( \([^()]{1,200}\))(?:\1)+")
#: what follows a failure prefix that already counted its recursion
_AGAIN = r"(?: \(the step ran this workflow again, (\d+) levels? deep\))?: "


async def _checkpoint(ctx: Any) -> None:
    """Between steps: end the run if it must end, and let the event loop run (a step
    that never suspends, such as a quick script function, would otherwise keep a
    timeout's cancellation from ever landing)."""
    check = getattr(ctx, "check_deadline", None)
    if check is not None:
        check()
    await asyncio.sleep(0)


class StepFailed(Exception):
    """A step failed under fail_fast (or retry, once its retries were spent)."""

    def __init__(self, outcome: StepOutcome) -> None:
        super().__init__(outcome.error)
        self.outcome = outcome


class Execution:
    """One run of a workflow: its input, outputs so far, step records."""

    def __init__(self, workflow: Workflow, ctx: Any, input: Any, parent: Execution | None) -> None:
        self.workflow = workflow
        self.ctx = ctx
        self.input = input
        self.parent = parent
        self.execution_id = f"exec-{os.urandom(6).hex()}"
        self.outputs: dict[str, Any] = {}
        self.outcomes: list[StepOutcome] = []
        self.agent_outputs: dict[str, str] = {}
        self.iterations: list[dict[str, Any]] = []
        self.extra: dict[str, Any] = {}

    def visible_outputs(self) -> dict[str, Any]:
        """Outputs placeholders and conditions can name: the enclosing workflow's, then
        this one's."""
        if self.parent is None:
            return self.outputs
        return {**self.parent.visible_outputs(), **self.outputs}

    def scope(self, loop: dict[str, Any] | None = None) -> dict[str, Any]:
        """``{input, steps, shared, loop?}``: what placeholders and script functions see."""
        scope = {
            "input": self.input,
            "steps": self.visible_outputs(),
            "shared": dict(self.workflow.shared),
        }
        if loop is not None:
            scope["loop"] = loop
        return scope

    def record(self, outcome: StepOutcome, loop: dict[str, Any] | None = None) -> None:
        """Keep a step's outcome (its output when it succeeded) and announce it."""
        self.outcomes.append(outcome)
        if outcome.success and not outcome.skipped:
            self.outputs[outcome.name] = outcome.output
        info = {
            "workflow": self.workflow.name,
            "step": outcome.name,
            "success": outcome.success,
            "duration_ms": round(outcome.duration_ms, 3),
        }
        if loop is not None:
            info["iteration"] = loop["index"]
        publish(self.ctx, "workflow.step.completed", info, self.execution_id)
        if options_of(self.workflow.runtime).debug:
            self._debug_line(outcome, loop)

    def _debug_line(self, outcome: StepOutcome, loop: dict[str, Any] | None) -> None:
        output = getattr(self.ctx, "output", None)
        if output is None:
            return
        state = "skipped" if outcome.skipped else "ok" if outcome.success else "failed"
        where = f" (iteration {loop['index']})" if loop is not None else ""
        error = f": {outcome.error}" if outcome.error else ""
        output.write(
            f"[DEBUG] workflow {self.workflow.name!r} step {outcome.name!r}{where}: {state} "
            f"in {outcome.duration_ms:.1f} ms{error}\n",
            "stderr",
        )


class Workflow:
    """A built workflow; ``execute`` may run it any number of times."""

    def __init__(self, runtime: Any, spec: WorkflowSpec, workflow_id: str) -> None:
        self.runtime = runtime
        self.spec = spec
        self.id = workflow_id
        #: data steps and conditions share (``wf:set_shared_data``)
        self.shared: dict[str, Any] = {}
        #: script functions called around runs (``wf:on_before_execute(fn)``, ...)
        self.callbacks = WorkflowCallbacks()
        #: the id of the latest run (``wf:get_execution_id()``), None before the first
        self.last_execution_id: str | None = None
        #: runs of this workflow in progress now (runaway recursion shows here too)
        self._running = 0
        #: runs so far: executions, successes, failures, total_duration_ms
        self.metrics: dict[str, float] = {
            "executions": 0,
            "successes": 0,
            "failures": 0,
            "total_duration_ms": 0.0,
        }

    @property
    def name(self) -> str:
        """The workflow's name."""
        return self.spec.name

    @property
    def type(self) -> str:
        """sequential, parallel, conditional or loop."""
        return self.spec.type

    def info(self) -> dict[str, Any]:
        """``{id, name, type, description, steps}`` (``Workflow.list()``)."""
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "description": self.spec.description,
            "steps": len(self.spec.all_steps()),
        }

    # -- running ----------------------------------------------------------------------

    async def execute(
        self, ctx: Any, input: Any = None, parent: Execution | None = None
    ) -> dict[str, Any]:
        """Run the workflow with ``input``; returns the result table (raises WorkflowError
        for a failure under fail_fast, a timeout, or a hook's cancel)."""
        depth = _DEPTH.get()
        if depth >= MAX_NESTING:
            raise WorkflowError(
                f"workflow {self.name!r}: workflows are nested more than {MAX_NESTING} deep "
                "(does a step run its own workflow?)"
            )
        if self._running >= MAX_NESTING:
            # the depth above is carried by the task's context, which a JavaScript step's
            # own host calls do not inherit: a workflow running inside itself also shows
            # as too many runs of it at once
            raise WorkflowError(
                f"workflow {self.name!r}: workflows are nested more than {MAX_NESTING} deep "
                f"({self._running} runs of it at once; does a step run its own workflow?)"
            )
        token = _DEPTH.set(depth + 1)
        self._running += 1
        started = time.perf_counter()
        ids = {"workflow": self.name, "workflow_id": self.id}
        try:
            await notify(ctx, self.callbacks.before_execute, {**ids, "input": input})
            result = await self._execute(ctx, input, parent)
        except WorkflowError as exc:
            self._count(started, ok=False)
            failure = {**ids, "error": str(exc), "execution_id": self.last_execution_id}
            await notify(ctx, self.callbacks.error, failure)
            handler = options_of(self.runtime).error_handler
            if handler is not None:
                await notify(ctx, [handler], failure)
            raise
        finally:
            _DEPTH.reset(token)
            self._running -= 1
        self._count(started, ok=result.get("success") is not False)
        await notify(ctx, self.callbacks.after_execute, {**ids, "result": result})
        return result

    def _count(self, started: float, *, ok: bool) -> None:
        self.metrics["executions"] += 1
        self.metrics["successes" if ok else "failures"] += 1
        self.metrics["total_duration_ms"] += (time.perf_counter() - started) * 1000

    async def _execute(self, ctx: Any, input: Any, parent: Execution | None) -> dict[str, Any]:
        ex = Execution(self, ctx, input, parent)
        self.last_execution_id = ex.execution_id
        data = {
            "workflow": self.name,
            "type": self.type,
            "input": input,
            "execution_id": ex.execution_id,
        }
        outcome = await fire(ctx, "BeforeWorkflowStart", data, component_id=self.name)
        if outcome.action == "cancel":
            raise WorkflowError(
                f"workflow {self.name!r} was cancelled by {outcome.by()} at BeforeWorkflowStart"
            )
        if outcome.action == "replace":
            return (
                outcome.data
                if isinstance(outcome.data, dict)
                else {"success": True, "text": str(outcome.data)}
            )
        if outcome.action == "skip":
            return self._result(ex, 0.0, skipped=True)
        if outcome.action == "modified":
            ex.input = outcome.data.get("input", input)
        started = time.perf_counter()
        publish(
            ctx, "workflow.started", {"workflow": self.name, "type": self.type}, ex.execution_id
        )
        try:
            await self._run_timed(ex)
        except StepFailed as failed:
            error = self._failure_text(failed.outcome)
            await self._save(ex)
            publish(
                ctx,
                "workflow.failed",
                {"workflow": self.name, "step": failed.outcome.name, "error": error},
                ex.execution_id,
            )
            raise WorkflowError(error, hint=failed.outcome.hint) from None
        except LimitExceeded:
            raise
        except LLMSpellError as exc:
            await self._save(ex)
            failure = {"workflow": self.name, "step": None, "error": exc.message}
            await fire(ctx, "WorkflowError", failure, component_id=self.name)
            publish(ctx, "workflow.failed", failure, ex.execution_id)
            if isinstance(exc, WorkflowError):
                raise
            raise WorkflowError(
                f"workflow {self.name!r} failed: {exc.kind}: {exc.message}"
            ) from None
        elapsed = (time.perf_counter() - started) * 1000
        result = self._result(ex, elapsed)
        await self._save(ex)
        done = await fire(
            ctx,
            "AfterWorkflowComplete",
            {"workflow": self.name, "result": result},
            component_id=self.name,
        )
        if done.action == "replace" and isinstance(done.data, dict):
            result = done.data
        elif done.action == "modified" and isinstance(done.data.get("result"), dict):
            result = done.data["result"]
        info = {
            "workflow": self.name,
            "success": result.get("success"),
            "duration_ms": round(elapsed, 3),
        }
        publish(ctx, "workflow.completed", info, ex.execution_id)
        return result

    def _failure_text(self, outcome: StepOutcome) -> str:
        kind = f"{outcome.error_kind}: " if outcome.error_kind else ""
        prefix = f"{self.type.capitalize()} workflow '{self.name}' failed at step '{outcome.name}'"
        text = f"{kind}{outcome.error}"
        # a step that ran this same workflow again (runaway recursion) repeats the chain:
        # say it once, with how deep it went
        again = re.compile(re.escape(f"WorkflowError: {prefix}") + _AGAIN)
        depth = 0
        while (m := again.match(text)) is not None:
            text = text[m.end() :]
            depth += 1 + int(m.group(1) or 0)
        text = _REPEATED_NOTE.sub(r"\1", text)
        if len(text) > _MAX_ERROR_CHARS:  # nested failures repeat their chain
            text = text[: _MAX_ERROR_CHARS // 2] + " ... " + text[-_MAX_ERROR_CHARS // 2 :]
        if depth:
            levels = "level" if depth == 1 else "levels"
            prefix += f" (the step ran this workflow again, {depth} {levels} deep)"
        return f"{prefix}: {text}"

    async def _run_timed(self, ex: Execution) -> None:
        timeout = self.spec.timeout_ms
        if timeout is None:
            await self._run(ex)
            return
        try:
            async with asyncio.timeout(timeout / 1000):
                await self._run(ex)
        except builtins.TimeoutError:
            raise WorkflowError(
                f"workflow {self.name!r} timed out after {timeout:g} ms (its running steps "
                "were cancelled)",
                hint="raise timeout_ms",
            ) from None

    async def _run(self, ex: Execution) -> None:
        kind = self.spec.type
        if kind == "sequential":
            await self._sequence(ex, self.spec.steps)
        elif kind == "parallel":
            await self._parallel(ex)
        elif kind == "conditional":
            # steps added with add_step run first (rs-llmspell's spells analyse, then
            # branch); the condition sees their outputs
            await self._sequence(ex, self.spec.steps)
            holds = await evaluate(self.spec.condition, ex.scope())
            ex.extra["branch"] = "then" if holds else "else"
            await self._sequence(ex, self.spec.then_steps if holds else self.spec.else_steps)
        else:
            await self._loop(ex)

    def _fails_fast(self) -> bool:
        return self.spec.error_strategy != "continue"

    async def _sequence(
        self, ex: Execution, steps: list[Step], loop: dict[str, Any] | None = None
    ) -> None:
        previous: str | None = None
        for step in steps:
            await _checkpoint(ex.ctx)
            if previous is not None and self.runtime.hooks.has("WorkflowStageTransition"):
                info = {"workflow": self.name, "from": previous, "to": step.name}
                outcome = await fire(
                    ex.ctx, "WorkflowStageTransition", info, component_id=self.name
                )
                if outcome.action == "cancel":
                    raise WorkflowError(
                        f"workflow {self.name!r} was cancelled by {outcome.by()} before step "
                        f"{step.name!r} (WorkflowStageTransition)"
                    )
                if outcome.action == "skip":
                    ex.record(StepOutcome(step.name, True, skipped=True), loop)
                    previous = step.name
                    continue
            result = await run_step(ex, step, loop)
            ex.record(result, loop)
            if not result.success and self._fails_fast():
                raise StepFailed(result)
            previous = step.name

    async def _parallel(self, ex: Execution) -> None:
        limit = asyncio.Semaphore(self.spec.max_concurrency)
        steps = self.spec.steps
        outcomes: list[StepOutcome | None] = [None] * len(steps)

        async def one(i: int, step: Step) -> None:
            async with limit:
                outcomes[i] = result = await run_step(ex, step)
            if not result.success and self._fails_fast():
                raise StepFailed(result)

        try:
            async with asyncio.TaskGroup() as group:  # a failure cancels the steps still running
                for i, step in enumerate(steps):
                    group.create_task(one(i, step))
        except* StepFailed as failures:
            self._record_in_order(ex, outcomes)
            first = failures.exceptions[0]
            assert isinstance(first, StepFailed)
            raise first from None
        self._record_in_order(ex, outcomes)

    @staticmethod
    def _record_in_order(ex: Execution, outcomes: list[StepOutcome | None]) -> None:
        for outcome in outcomes:
            if outcome is not None:
                ex.record(outcome)

    async def _loop(self, ex: Execution) -> None:
        spec = self.spec
        items: list[Any] | None = None
        if spec.collection is not None:
            items = spec.collection
        limit = spec.max_iterations
        if limit is None and spec.while_fn is not None:
            limit = DEFAULT_MAX_ITERATIONS
        index = 0
        stopped = "completed"
        kept = 0  # bytes the iteration records hold (the host memory budget bounds them)
        limits = getattr(ex.ctx, "limits", None)
        budget = limits.host_memory_bytes if limits is not None else None
        while True:
            item: Any = None
            if spec.range is not None:
                start, end, step = spec.range
                value = start + index * step
                if spec.range_exclusive and value == end:
                    break
                if (step > 0 and value > end) or (step < 0 and value < end):
                    break
                item = int(value) if float(value).is_integer() else value
            elif items is not None:
                if index >= len(items):
                    break
                item = items[index]
            # the bound stops only iterations that would otherwise run
            if limit is not None and index >= limit:
                stopped = "max_iterations"
                break
            index += 1
            loop = {"index": index, "item": item}
            if spec.while_fn is not None:
                scope = {**ex.scope(loop), "steps": dict(ex.outputs)}
                if not truthy(await spec.while_fn(scope)):
                    stopped = "while_fn"
                    break
            ex.outputs = {}
            await self._sequence(ex, spec.steps, loop)
            record = {"index": index, "item": item, "outputs": dict(ex.outputs)}
            ex.iterations.append(record)
            kept += approx_bytes(record, budget)
            if budget is not None and kept > budget:
                ex.ctx.check_host_bytes(kept, f"workflow {self.name!r}'s iteration records")
            if spec.break_when is not None and truthy(await spec.break_when(ex.scope(loop))):
                stopped = "break_when"
                break
        ex.extra["iterations"] = len(ex.iterations)
        ex.extra["stopped_by"] = stopped

    # -- results ------------------------------------------------------------------------

    def _result(self, ex: Execution, elapsed_ms: float, *, skipped: bool = False) -> dict[str, Any]:
        ran = [o for o in ex.outcomes if not o.skipped]
        failed = [o for o in ran if not o.success]
        ok = not failed
        title = f"{self.type.capitalize()} workflow '{self.name}'"
        if skipped:
            text = f"{title} was skipped by a hook"
        elif ok:
            text = f"{title} completed successfully ({len(ran)} of {len(ran)} steps)"
        else:
            text = (
                f"{title} completed with {len(failed)} failed step(s) "
                f"({len(ran) - len(failed)} of {len(ran)} succeeded)"
            )
        extra: dict[str, Any] = {
            "workflow_type": self.type,
            "workflow_name": self.name,
            "workflow_id": self.id,
            "execution_id": ex.execution_id,
            "total_steps": len(ran),
            "successful_steps": len(ran) - len(failed),
            "failed_steps": len(failed),
            "agent_outputs": dict(ex.agent_outputs),
            **ex.extra,
        }
        result: dict[str, Any] = {
            "success": ok,
            "text": text,
            "execution_id": ex.execution_id,
            "outputs": dict(ex.outputs),
            "steps": [o.record() for o in ex.outcomes],
            "metadata": {"execution_time_ms": round(elapsed_ms, 3), "extra": extra},
        }
        if failed:
            result["error"] = self._failure_text(failed[0])
        if skipped:
            result["skipped"] = True
        if self.type == "loop":
            result["iterations"] = ex.iterations
        return result

    async def _save(self, ex: Execution) -> None:
        """Step outputs to State (``State.workflow_get(id, step)``), one transaction."""
        items: dict[str, str] = {}
        for name, output in ex.outputs.items():
            try:
                check_json_value(output, "workflow output")
            except ValidationError:
                continue  # a step returned something State cannot hold (a host object)
            items[name] = dumps(output)
        if not items:
            return
        runtime = self.runtime
        loop = asyncio.get_running_loop()
        scope = f"workflow:{self.id}"
        try:
            await loop.run_in_executor(runtime.executor, runtime.state.set_many, scope, items)
        except LLMSpellError as exc:
            report = getattr(ex.ctx, "report", None)
            if report is not None:
                report(f"workflow {self.name!r}: step outputs not saved to State: {exc.message}")
        info = {"scope": scope, "keys": sorted(items), "action": "set"}
        await fire(ex.ctx, "StateChanged", info, component_id=f"state:{scope}")
        publish(ex.ctx, "state.changed", info)
