"""The tool model and the one place tools are executed.

A :class:`Tool` is a name, a description, a JSON schema for its parameters and a
handler. :func:`execute_tool` validates the parameters, runs the handler under the
tool's timeout and shapes the ToolResult of script-api.md#tool. A tool that fails doing
its job (missing file, bad expression) gives ``success=false``; misuse (invalid
parameters) and security denials raise.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from llmspell.errors import LLMSpellError, SecurityError, ValidationError
from llmspell.hooks import Points, around
from llmspell.lifecycle import bus_of, correlation_of, fire, hooks_of, report_of
from llmspell.schema import coerce_empty, first_error

__all__ = [
    "CallScope",
    "LazyTool",
    "Tool",
    "ToolFailure",
    "ToolInterrupted",
    "ToolOutput",
    "current_call",
    "execute_tool",
    "validate_params",
]

#: seconds a handler thread is given to notice a cancelled call (cooperatively, through
#: :meth:`CallScope.check`) before the executor interrupts it with :class:`ToolInterrupted`
INTERRUPT_GRACE_SECONDS = 0.5


class ToolFailure(Exception):
    """Raised by a handler when the tool failed doing its job (→ ``success=false``)."""

    def __init__(self, message: str, *, kind: str = "ToolError", operation: str | None = None):
        super().__init__(message)
        self.kind = kind
        self.operation = operation


class ToolInterrupted(BaseException):
    """Raised asynchronously inside a handler thread that went on running after its call
    was cancelled (timeout, the run's deadline, Ctrl-C). A BaseException, so a handler's
    ``except Exception`` does not swallow it; handlers should not catch it."""


class CallScope:
    """One running tool call as its handler sees it (:func:`current_call`): the tool's
    deadline, the run's deadline and stop request, and whether the call was cancelled.

    Long-running handlers call :meth:`check` inside their loops (``_support.check()`` in
    the tool library) so a timeout really stops them. A plain handler running in a worker
    thread that ignores the signal is interrupted :data:`INTERRUPT_GRACE_SECONDS` after
    the cancellation by an asynchronous :class:`ToolInterrupted` (between Python
    bytecodes: one long C call still runs to its end, so those must be bounded before
    they start).
    """

    __slots__ = ("_injected", "_lock", "_thread", "_timer", "cancelled", "ctx", "deadline", "tool")

    def __init__(self, tool: Tool, ctx: Any) -> None:
        self.tool = tool
        self.ctx = ctx
        self.deadline = time.monotonic() + tool.timeout_seconds
        #: why the call was cancelled ("timeout" or "cancelled"), None while it runs
        self.cancelled: str | None = None
        self._lock = threading.Lock()
        self._thread: int | None = None
        self._injected = False
        self._timer: threading.Timer | None = None

    def timeout_error(self) -> ToolFailure:
        """The failure of a call that ran past its tool timeout."""
        return ToolFailure(
            f"tool {self.tool.name!r} timed out after {self.tool.timeout_seconds:g} s",
            kind="TimeoutError",
        )

    def stop_error(self) -> Exception | None:
        """Why the handler must stop now (the tool timeout, the run's deadline or stop,
        a cancelled call), or None while it may go on."""
        stop = getattr(self.ctx, "stop_error", None)
        if stop is not None:
            err = stop()
            if err is not None:
                return err  # type: ignore[no-any-return]
        if self.cancelled == "cancelled":
            return ToolFailure(f"tool {self.tool.name!r}: the call was cancelled", kind="Cancelled")
        if self.cancelled is not None or time.monotonic() > self.deadline:
            return self.timeout_error()
        return None

    def check(self) -> None:
        """Raise :meth:`stop_error` when the handler must stop. Cheap (well under a µs)."""
        err = self.stop_error()
        if err is not None:
            raise err

    def remaining(self) -> float:
        """Seconds left before the tool timeout or the run's deadline (may be <= 0)."""
        end = self.deadline
        run_deadline = getattr(self.ctx, "deadline", None)
        if isinstance(run_deadline, int | float) and run_deadline < end:
            end = run_deadline
        if self.cancelled is not None or getattr(self.ctx, "stopping", False):
            return 0.0
        return end - time.monotonic()

    # -- the executor's side -----------------------------------------------------------

    def run_sync(self, handler: Callable[..., Any], params: Any, ctx: Any) -> Any:
        """Run a plain handler in this (worker) thread, interruptible after cancel()."""
        me = threading.get_ident()
        with self._lock:
            if self.cancelled is not None:
                raise self.stop_error() or self.timeout_error()
            self._thread = me
        try:
            return handler(params, ctx)
        except ToolInterrupted:
            raise self.stop_error() or self.timeout_error() from None
        finally:
            with self._lock:
                self._thread = None
                injected = self._injected
            if injected:  # a pending asynchronous exception must not leak into the pool
                _set_async_exc(me, None)

    def cancel(self, reason: str) -> None:
        """Mark the call cancelled; interrupt its handler thread if it does not stop."""
        if self.cancelled is None:
            self.cancelled = reason
        with self._lock:
            if self._thread is None or self._timer is not None:
                return
            self._timer = threading.Timer(INTERRUPT_GRACE_SECONDS, self._interrupt)
            self._timer.daemon = True
            self._timer.start()

    def _interrupt(self) -> None:
        with self._lock:
            if self._thread is None:
                return
            self._injected = True
            _set_async_exc(self._thread, ToolInterrupted)
            # a handler that swallowed it (``except BaseException``) is asked again
            self._timer = threading.Timer(INTERRUPT_GRACE_SECONDS, self._interrupt)
            self._timer.daemon = True
            self._timer.start()


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    """Raise ``exc`` in thread ``thread_id`` at its next bytecode (None: clear it).
    ctypes is imported here, when a handler must be interrupted, not at start-up."""
    import ctypes

    target = ctypes.py_object(exc) if exc is not None else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), target)


_CURRENT: contextvars.ContextVar[CallScope | None] = contextvars.ContextVar(
    "llmspell_tool_call", default=None
)


def current_call() -> CallScope | None:
    """The tool call running in this context (thread or task), or None outside one."""
    return _CURRENT.get()


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
    #: the keys of its ``[tools.NAME]`` table in llmspell.toml, each a JSON Schema (type,
    #: description, default); None: not declared, so any key is accepted (plugin tools)
    settings: dict[str, dict[str, Any]] | None = None
    #: what it may reach, each allowed by [security]: "files" (allowed_paths), "network"
    #: (allow_network, allowed_hosts, denied_hosts), "process" (allow_process, allowed_commands)
    security: tuple[str, ...] = ()

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
    ``tool.completed`` / ``tool.failed`` events are published (script-api.md#event-and-hook).
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
    scope = CallScope(tool, ctx)
    token = _CURRENT.set(scope)
    try:
        async with deadline:
            if inspect.iscoroutinefunction(tool.handler):
                out = await tool.handler(params, ctx)
            elif tool.inline:
                out = tool.handler(params, ctx)
            else:
                out = await asyncio.to_thread(scope.run_sync, tool.handler, params, ctx)
    except (SecurityError, ValidationError):
        raise
    except asyncio.CancelledError:
        scope.cancel("cancelled")
        raise
    except ToolFailure as exc:
        result = {"success": False, "error": str(exc), "error_kind": exc.kind}
        operation = exc.operation or operation
    except TimeoutError as exc:
        if deadline.expired():
            scope.cancel("timeout")
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
    finally:
        _CURRENT.reset(token)
    if not result["success"]:
        # a call that failed because the whole run must end (its deadline, Ctrl-C) ends
        # the run: it is not a tool failure a spell or a workflow carries on after
        stop_error = getattr(ctx, "stop_error", None)
        err = stop_error() if stop_error is not None else None
        if err is not None:
            raise err
    if operation:
        result["operation"] = operation
    meta = result.setdefault("metadata", {})
    meta["tool"] = tool.name
    meta["execution_time_ms"] = round((time.perf_counter() - start) * 1000, 3)
    return result
