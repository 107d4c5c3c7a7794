"""The tool model and the one place tools are executed.

A :class:`Tool` is a name, a description, a JSON schema for its parameters and a
handler. :func:`execute_tool` validates the parameters, runs the handler under the
tool's timeout and shapes the ToolResult of SCRIPT-API.md §2. A tool that fails doing
its job (missing file, bad expression) gives ``success=false``; misuse (invalid
parameters) and security denials raise.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from llmspell.errors import LLMSpellError, SecurityError, ValidationError
from llmspell.hooks import Points, around
from llmspell.lifecycle import bus_of, correlation_of, fire, hooks_of, report_of
from llmspell.schema import coerce_empty, first_error

__all__ = ["LazyTool", "Tool", "ToolFailure", "ToolOutput", "execute_tool", "validate_params"]


class ToolFailure(Exception):
    """Raised by a handler when the tool failed doing its job (→ ``success=false``)."""

    def __init__(self, message: str, *, kind: str = "ToolError", operation: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.operation = operation


@dataclass
class ToolOutput:
    """What a handler may return to control the ToolResult fields directly."""

    result: Any = None
    text: str | None = None
    operation: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class Tool:
    """A tool: ``handler(params, ctx)`` (sync or async) does the work.

    The handler returns a :class:`ToolOutput`, or any JSON value (it becomes
    ``result``; a string also becomes ``text``), or raises :class:`ToolFailure`.
    Plain (non-async) handlers run in a worker thread unless ``inline`` is set.
    """

    name: str
    description: str
    handler: Callable[..., Any]
    parameters: dict[str, Any] = field(default_factory=lambda: {"type": "object", "properties": {}})
    category: str = "utility"
    version: str = "1.0.0"
    tags: tuple[str, ...] = ()
    timeout_seconds: float = 30.0
    source: str = "builtin"
    inline: bool = False

    def info(self) -> dict[str, Any]:
        """The summary ``Tool.list()`` shows."""
        return {
            "name": self.name,
            "description": self.description,
            "category": self.category,
            "version": self.version,
        }


@dataclass
class LazyTool:
    """A tool known by name whose :class:`Tool` is built on first use by ``load()``
    (typically importing its module), so registering many tools stays cheap."""

    name: str
    load: Callable[[], Tool]


def validate_params(tool: Tool, params: Mapping[str, Any]) -> None:
    """Raise ValidationError naming the parameter when ``params`` break the schema."""
    problem = first_error(tool.parameters, dict(params))
    if problem is not None:
        path, message = problem
        raise ValidationError(
            f"tool {tool.name!r}: parameter '{path or '(params)'}': {message}",
            hint=f"Tool.schema({tool.name!r}) shows the parameters",
        )


TOOL_POINTS = Points("BeforeToolExecution", "AfterToolExecution", "ToolError", "ToolError")
_TOOL_HOOK_POINTS = ("ToolValidation", "BeforeToolExecution", "AfterToolExecution", "ToolError")


async def execute_tool(
    tool: Tool, params: Mapping[str, Any] | None, ctx: Any = None
) -> dict[str, Any]:
    """Run ``tool`` with ``params``; returns the ToolResult dict.

    In a runtime, the tool hook points fire around the call and ``tool.started`` /
    ``tool.completed`` / ``tool.failed`` events are published (SCRIPT-API.md §5).
    """
    hooks = hooks_of(ctx)
    bus = bus_of(ctx)
    if hooks is None or bus is None or not (bus.active or hooks.has(*_TOOL_HOOK_POINTS)):
        return await _execute(tool, params, ctx)  # nobody watches: the plain call
    cid = correlation_of(ctx)
    if bus.active:
        bus.publish("tool.started", {"tool": tool.name}, cid)
    try:
        params = dict(params or {})
        if hooks.has("ToolValidation"):
            params = await _validation_hooks(tool, params, ctx)
        result: Any = await around(
            hooks,
            TOOL_POINTS,
            {"tool": tool.name, "params": params},
            lambda data: _execute(tool, data.get("params"), ctx),
            component_id=f"tool {tool.name!r}",
            skipped=lambda data: _hook_result(tool, None, skipped=True),
            failure=_failure,
            correlation_id=cid,
            report=report_of(ctx),
        )
    except LLMSpellError as exc:
        if bus.active:
            bus.publish(
                "tool.failed", {"tool": tool.name, "error": str(exc), "error_kind": exc.kind}, cid
            )
        raise
    if not (isinstance(result, dict) and "success" in result):
        result = _hook_result(tool, result)
    if bus.active:
        if result.get("success") is False:
            info = {
                "tool": tool.name,
                "error": result.get("error"),
                "error_kind": result.get("error_kind"),
            }
            bus.publish("tool.failed", info, cid)
        else:
            duration = result.get("metadata", {}).get("execution_time_ms")
            bus.publish(
                "tool.completed", {"tool": tool.name, "success": True, "duration_ms": duration}, cid
            )
    final: dict[str, Any] = result
    return final


def _failure(result: Any) -> str | None:
    if isinstance(result, dict) and result.get("success") is False:
        return str(result.get("error") or "the tool failed")
    return None


def _hook_result(tool: Tool, value: Any, *, skipped: bool = False) -> dict[str, Any]:
    """The ToolResult of a call a hook skipped or answered (``replace``)."""
    meta: dict[str, Any] = {"tool": tool.name, "execution_time_ms": 0.0}
    meta["skipped_by_hook" if skipped else "replaced_by_hook"] = True
    result: dict[str, Any] = {"success": True, "result": value, "metadata": meta}
    if skipped:
        result["skipped"] = True
    if isinstance(value, str):
        result["text"] = value
    return result


async def _validation_hooks(tool: Tool, params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    outcome = await fire(
        ctx,
        "ToolValidation",
        {"tool": tool.name, "params": params},
        component_id=f"tool {tool.name!r}",
    )
    if outcome.action == "cancel":
        raise ValidationError(
            f"tool {tool.name!r}: parameters rejected by {outcome.by()} at ToolValidation"
        )
    if outcome.action == "modified" and isinstance(outcome.data.get("params"), dict):
        return dict(outcome.data["params"])
    return params


async def _execute(tool: Tool, params: Mapping[str, Any] | None, ctx: Any) -> dict[str, Any]:
    params = coerce_empty(tool.parameters, dict(params or {}))
    validate_params(tool, params)
    start = time.perf_counter()
    operation = params.get("operation") if isinstance(params.get("operation"), str) else None
    result: dict[str, Any] = {"success": True}
    deadline = asyncio.timeout(tool.timeout_seconds)
    try:
        async with deadline:
            if inspect.iscoroutinefunction(tool.handler):
                out = await tool.handler(params, ctx)
            elif tool.inline:
                out = tool.handler(params, ctx)
            else:
                out = await asyncio.to_thread(tool.handler, params, ctx)
    except (SecurityError, ValidationError):
        raise
    except ToolFailure as exc:
        result = {"success": False, "error": str(exc), "error_kind": exc.kind}
        operation = exc.operation or operation
    except TimeoutError as exc:
        message = (
            f"tool {tool.name!r} timed out after {tool.timeout_seconds:g} s"
            if deadline.expired()
            else f"TimeoutError: {exc}"
        )
        result = {"success": False, "error": message, "error_kind": "TimeoutError"}
    except LLMSpellError as exc:
        result = {"success": False, "error": str(exc), "error_kind": exc.kind}
    except Exception as exc:
        result = {
            "success": False,
            "error": f"{type(exc).__name__}: {exc}",
            "error_kind": "ToolError",
        }
    else:
        metadata: dict[str, Any] = {}
        if isinstance(out, ToolOutput):
            operation = out.operation or operation
            metadata = out.metadata
            result["result"] = out.result
            if out.text is not None:
                result["text"] = out.text
        else:
            result["result"] = out
            if isinstance(out, str):
                result["text"] = out
        result["metadata"] = metadata
    if operation:
        result["operation"] = operation
    meta = result.setdefault("metadata", {})
    meta["tool"] = tool.name
    meta["execution_time_ms"] = round((time.perf_counter() - start) * 1000, 3)
    return result
