"""Hooks: functions that run at the runtime's hook points (DESIGN.md §6).

Script hooks (``Hook.register``) and Python plugins' hooks (the ``register_hooks``
hookspec) share one :class:`HookRegistry`. At a point, hooks run highest priority
first (ties: in registration order). Each returns what should happen next:

- ``continue`` (or nothing): the next hook runs;
- ``modified`` with data: later hooks and the operation see the changed data;
- ``skip``: the operation does not run (a *before* point) / later hooks do not run;
- ``cancel``: the operation fails with an error naming the hook;
- ``replace`` with data: the data becomes the operation's result;
- ``retry``: the operation runs again (after/error points, at most ``[hooks] max_retries``).

A hook that raises is reported on stderr and treated as ``continue``, unless
``[hooks] on_error = "fail"``. :func:`around` applies one before/after/error triple of
points to an operation, so every component (tools, agents, workflow steps) reacts to
results the same way.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from llmspell.errors import LimitExceeded, LLMSpellError, ValidationError, error_class_for_kind
from llmspell.ops import ScriptFunction, describe_value

__all__ = [
    "ACTIONS",
    "POINTS",
    "PRIORITIES",
    "HookContext",
    "HookHandle",
    "HookOutcome",
    "HookRegistry",
    "Points",
    "around",
    "cancelled",
    "point_name",
]

#: every hook point, in lifecycle order
POINTS: tuple[str, ...] = (
    "SystemStartup", "SystemShutdown",
    "BeforeAgentInit", "AfterAgentInit",
    "BeforeAgentExecution", "AfterAgentExecution", "AgentError",
    "BeforeToolDiscovery", "AfterToolDiscovery",
    "BeforeToolExecution", "AfterToolExecution", "ToolValidation", "ToolError",
    "BeforeWorkflowStart", "BeforeWorkflowStage", "AfterWorkflowStage",
    "WorkflowStageTransition", "AfterWorkflowComplete", "WorkflowError",
    "BeforeProviderCall", "AfterProviderCall",
    "StateChanged", "EventPublished",
)  # fmt: skip

#: priority names, highest first (the value is the sort key)
PRIORITIES: dict[str, int] = {"highest": 0, "high": 1, "normal": 2, "low": 3, "lowest": 4}

ACTIONS = ("continue", "skip", "cancel", "modified", "replace", "retry")

_POINT_BY_LOWER = {p.lower(): p for p in POINTS}


def point_name(point: str) -> str:
    """The canonical name of a hook point (``before_tool_execution`` and
    ``beforetoolexecution`` name ``BeforeToolExecution``); ValidationError otherwise."""
    found = _POINT_BY_LOWER.get(point.replace("_", "").lower())
    if found is None:
        import difflib

        close = difflib.get_close_matches(point, POINTS, n=1)
        tip = f"; did you mean {close[0]!r}?" if close else ""
        raise ValidationError(f"unknown hook point {point!r}{tip} (points: {', '.join(POINTS)})")
    return found


@dataclass
class HookContext:
    """What a hook receives (scripts get it as a table: ``{point, component_id, data,
    metadata, correlation_id}``)."""

    point: str
    component_id: str
    data: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)
    correlation_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The context as plain data."""
        return {
            "point": self.point,
            "component_id": self.component_id,
            "data": self.data,
            "metadata": self.metadata,
            "correlation_id": self.correlation_id,
        }


@dataclass
class HookHandle:
    """A registered hook: ``id``, ``point``, ``priority`` and the function."""

    id: int
    point: str
    priority: str
    fn: Callable[..., Any]
    source: str = "python"
    name: str = ""

    def info(self) -> dict[str, Any]:
        """``{id, point, priority, source, name}`` (``Hook.list()``)."""
        return {
            "id": self.id,
            "point": self.point,
            "priority": self.priority,
            "source": self.source,
            "name": self.name,
        }


@dataclass
class HookOutcome:
    """What the hooks at a point decided: an action, its data, and the deciding hook."""

    action: str = "continue"
    data: Any = None
    hook: HookHandle | None = None

    def by(self) -> str:
        """``hook 3 (script)`` — who decided, for error messages."""
        if self.hook is None:
            return "a hook"
        who = self.hook.name or self.hook.source
        return f"hook {self.hook.id} ({who})"


CONTINUE = HookOutcome()

Reporter = Callable[[str], None]


class HookRegistry:
    """Hooks by point, kept sorted by priority then registration order."""

    def __init__(self, *, on_error: str = "report", max_retries: int = 3) -> None:
        self._by_point: dict[str, list[HookHandle]] = {}
        self._ids = itertools.count(1)
        self.on_error = on_error
        self.max_retries = max_retries

    def register(
        self,
        point: str,
        fn: Callable[..., Any],
        priority: str | None = "normal",
        *,
        source: str = "python",
        name: str = "",
    ) -> HookHandle:
        """Add ``fn`` at ``point``; returns its handle."""
        point = point_name(point)
        priority = (priority or "normal").lower()
        if priority not in PRIORITIES:
            raise ValidationError(
                f"unknown hook priority {priority!r} (one of: {', '.join(PRIORITIES)})"
            )
        if not callable(fn):
            raise ValidationError(f"a hook at {point} must be a function")
        handle = HookHandle(next(self._ids), point, priority, fn, source, name)
        hooks = self._by_point.setdefault(point, [])
        hooks.append(handle)
        hooks.sort(key=lambda h: (PRIORITIES[h.priority], h.id))
        return handle

    def unregister(self, handle: HookHandle | int) -> bool:
        """Remove a hook (by handle or id); True if it was registered."""
        hook_id = handle.id if isinstance(handle, HookHandle) else handle
        for point, hooks in self._by_point.items():
            for i, h in enumerate(hooks):
                if h.id == hook_id:
                    del hooks[i]
                    if not hooks:
                        del self._by_point[point]
                    return True
        return False

    def list(self, point: str | None = None) -> list[HookHandle]:
        """The hooks at ``point`` (or at every point), in the order they run."""
        if point is not None:
            return list(self._by_point.get(point_name(point), ()))
        return [h for p in POINTS for h in self._by_point.get(p, ())]

    def has(self, *points: str) -> bool:
        """True when any hook is registered at any of ``points`` (cheap)."""
        return any(p in self._by_point for p in points)

    async def run(
        self,
        point: str,
        data: dict[str, Any],
        *,
        component_id: str = "",
        correlation_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        report: Reporter | None = None,
    ) -> HookOutcome:
        """Run the hooks at ``point`` with ``data``; returns the deciding outcome
        (``modified`` when hooks changed the data and none decided otherwise)."""
        hooks = self._by_point.get(point)
        if not hooks:
            return CONTINUE
        changed: HookOutcome | None = None
        meta = dict(metadata) if metadata else {}
        ctx = HookContext(point, component_id, data, meta, correlation_id)
        plain: dict[str, Any] | None = None  # ctx as data for script hooks, built once
        for hook in list(hooks):
            if ctx.data is not data:
                ctx = HookContext(point, component_id, data, meta, correlation_id)
                plain = None
            try:
                fn = hook.fn
                if isinstance(fn, ScriptFunction):
                    if plain is None:
                        plain = ctx.as_dict()
                    value = await fn(plain)
                else:
                    value = fn(ctx)
                    if value is not None and hasattr(value, "__await__"):
                        value = await value
                if value is None:
                    continue
                outcome = _outcome(value, hook)
            except LLMSpellError as exc:
                where = exc.location()
                text = f"{where}: {exc.message}" if where else exc.message
                self._failed(hook, f"{exc.kind}: {text}", report, exc, detail=text)
                continue
            except Exception as exc:  # a Python plugin's bug: reported like any failure
                self._failed(hook, f"{type(exc).__name__}: {exc}", report, exc)
                continue
            if outcome.action == "continue":
                continue
            if outcome.action == "modified":
                if not isinstance(outcome.data, dict):
                    problem = "ValidationError: 'modified' needs data = a table/object"
                    self._failed(hook, problem, report, None)
                    continue
                data = {**data, **outcome.data}
                changed = HookOutcome("modified", data, hook)
                continue
            return outcome
        return changed or CONTINUE

    def _failed(
        self,
        hook: HookHandle,
        message: str,
        report: Reporter | None,
        exc: BaseException | None,
        *,
        detail: str | None = None,
    ) -> None:
        label = f"hook {hook.id}" + (f" {hook.name!r}" if hook.name else "")
        text = f"{label} at {hook.point} failed: {message}"
        if self.on_error == "fail":
            if isinstance(exc, LimitExceeded):
                raise exc
            if isinstance(exc, LLMSpellError):
                # the same kind (pcall and catch still match it), naming the hook and
                # where in it the error was; the location becomes the operation's
                named = copy.copy(exc)
                named.message = f"{label} at {hook.point} failed: {detail or exc.message}"
                named.file = named.line = None
                raise named from None
            raise ValidationError(text, hint='set [hooks] on_error = "report" to go on')
        if report is not None:
            report(text)


def _outcome(value: Any, hook: HookHandle) -> HookOutcome:
    """Read what a hook returned: nil/"continue", an action name, or ``{type, data}``."""
    if value is None:
        return CONTINUE
    if isinstance(value, HookOutcome):
        value.hook = hook
        return value
    if isinstance(value, str):
        action, data = value.lower(), None
    elif isinstance(value, Mapping) and isinstance(value.get("type"), str):
        action, data = value["type"].lower(), value.get("data")
    else:
        raise ValidationError(
            f"returned {describe_value(value)}; return nil, an action name "
            f"({', '.join(ACTIONS)}) or {{type=..., data=...}}"
        )
    if action not in ACTIONS:
        raise ValidationError(f"returned unknown action {action!r} (one of: {', '.join(ACTIONS)})")
    if action in ("modified", "replace") and data is None:
        raise ValidationError(f"'{action}' needs data")
    return HookOutcome(action, data, hook)


def cancelled(message: str, kind: str) -> LLMSpellError:
    """The error a ``cancel`` raises: of the cancelled component's kind."""
    cls = error_class_for_kind(kind) or LLMSpellError
    return cls(message)


@dataclass
class Points:
    """The before/after/error points of one kind of operation and how it fails."""

    before: str
    after: str
    error: str
    #: the error kind a ``cancel`` raises (ToolError for tools, ...)
    kind: str


async def around(
    hooks: HookRegistry,
    points: Points,
    data: dict[str, Any],
    run: Callable[[dict[str, Any]], Awaitable[Any]],
    *,
    component_id: str,
    skipped: Callable[[dict[str, Any]], Any],
    failure: Callable[[Any], str | None] = lambda result: None,
    correlation_id: str | None = None,
    report: Reporter | None = None,
) -> Any:
    """Run ``run(data)`` under the hooks at ``points``.

    ``skipped(data)`` makes the result of a skipped operation; ``failure(result)`` says
    whether a returned result is a failure (a tool's ``success=false``), which fires the
    error point as a raised error does.
    """
    if not hooks.has(points.before, points.after, points.error):
        return await run(data)
    kw: dict[str, Any] = {
        "component_id": component_id,
        "correlation_id": correlation_id,
        "report": report,
    }
    outcome = await hooks.run(points.before, data, **kw)
    if outcome.action == "cancel":
        raise cancelled(
            f"{component_id} was cancelled by {outcome.by()} at {points.before}", points.kind
        )
    if outcome.action == "skip":
        return skipped(data)
    if outcome.action == "replace":
        return outcome.data
    if outcome.action == "modified":
        data = outcome.data
    for attempt in range(hooks.max_retries + 1):
        can_retry = attempt < hooks.max_retries
        try:
            result = await run(data)
        except LLMSpellError as exc:
            if not hooks.has(points.error):
                raise
            info = {**data, "error": exc.message, "error_kind": exc.kind}
            outcome = await hooks.run(points.error, info, **kw)
            if outcome.action == "replace":
                return outcome.data
            if outcome.action == "retry" and can_retry:
                continue
            raise
        problem = failure(result)
        if problem is not None and hooks.has(points.error):
            info = {**data, "result": result, "error": problem}
            outcome = await hooks.run(points.error, info, **kw)
            if outcome.action == "replace":
                return outcome.data
            if outcome.action == "retry" and can_retry:
                continue
        outcome = await hooks.run(points.after, {**data, "result": result}, **kw)
        if outcome.action == "retry" and can_retry:
            continue
        if outcome.action == "replace":
            return outcome.data
        if outcome.action == "modified":
            return outcome.data.get("result", result)
        if outcome.action == "cancel":
            raise cancelled(
                f"{component_id} was cancelled by {outcome.by()} at {points.after}", points.kind
            )
        return result
    raise AssertionError("unreachable")  # pragma: no cover
