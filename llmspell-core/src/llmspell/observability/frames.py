"""From events to nested operations: the frames observers (traces, the run log) see.

The bus calls listeners synchronously in the publisher's task, so a ``*.started`` event
is handled in the context of the operation that starts: the frame is made current in a
context variable there, and everything the operation starts later — in the same task or
in tasks it creates, which copy the context — finds it as its parent. That gives
run > workflow > step > agent call > tool call nesting, and parallel agents (each in its
own task) get their own branches.

An end event finds its frame by key (the run id, a workflow's execution id, a step's
``(execution, step, iteration)``, an agent ``call_id``; a tool by name, nearest first),
also when it is published from another task (a parallel workflow records its steps in
the parent task). Frames whose end event never came (an operation cancelled by a limit)
end with their run (or their interactive entry), marked as not finished.

An interactive session (``llmspell repl``, the Jupyter kernel) is one ``run`` frame
(``interactive.started`` .. ``interactive.ended``, ``data["interactive"]`` true) whose
children are ``entry`` frames, one per entry; the work of an entry nests under it.

When the watchdog ends the process (a limit the run did not obey in time, a second
Ctrl-C), :meth:`Observer.abort_all` ends every open run with the error first, so the
sinks write the run log and export the spans before the process exits.
"""

from __future__ import annotations

import contextvars
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from llmspell.progress import current_call, current_tool_call

__all__ = ["Frame", "Observer", "Sink", "current_frame"]


@dataclass(eq=False)
class Frame:
    """One observed operation: a run, workflow, step, agent call or tool call."""

    kind: str
    key: Any
    name: str
    data: dict[str, Any]
    parent: Frame | None
    start_ns: int
    correlation_id: str | None = None
    end_ns: int = 0
    end_data: dict[str, Any] = field(default_factory=dict)
    #: "ok" or "error"
    status: str = "ok"
    error_kind: str | None = None
    error: str | None = None
    #: the agent call (llmspell.progress.AgentCall) of an agent frame: input, result
    call: Any = None
    #: the model's tool-call id and arguments of a tool frame the model asked for
    tool_call_id: str | None = None
    arguments: Any = None
    token: contextvars.Token[Frame | None] | None = field(default=None, repr=False)
    #: what each sink keeps about the frame (the tracer: the span)
    span: Any = None
    ended: bool = False

    @property
    def run(self) -> Frame | None:
        """The run frame this frame belongs to (itself for a run)."""
        frame: Frame | None = self
        while frame is not None and frame.kind != "run":
            frame = frame.parent
        return frame

    @property
    def agent(self) -> Frame | None:
        """The nearest enclosing agent frame (a tool the model asked for)."""
        frame = self.parent
        while frame is not None and frame.kind != "agent":
            frame = frame.parent
        return frame

    @property
    def duration_ms(self) -> float:
        """Milliseconds from start to end (0 while open)."""
        return round((self.end_ns - self.start_ns) / 1e6, 3) if self.end_ns else 0.0


class Sink(Protocol):
    """What an observer reports to (the tracer, the run log)."""

    def start(self, frame: Frame) -> None:
        """An operation started."""

    def end(self, frame: Frame) -> None:
        """An operation ended (``frame.status``, ``end_data``, ``error``...)."""

    def note(self, frame: Frame | None, name: str, data: dict[str, Any]) -> None:
        """Something happened inside ``frame`` (a provider retry)."""


_CURRENT: contextvars.ContextVar[Frame | None] = contextvars.ContextVar(
    "llmspell_observed_frame", default=None
)


def current_frame() -> Frame | None:
    """The innermost observed operation running in this task."""
    return _CURRENT.get()


#: event type -> (what it does, frame kind)
_STARTS = {
    "run.started": "run",
    "workflow.started": "workflow",
    "workflow.step.started": "step",
    "agent.started": "agent",
    "tool.started": "tool",
    "interactive.started": "run",
    "interactive.entry.started": "entry",
}
_ENDS = {
    "run.completed": ("run", True),
    "run.failed": ("run", False),
    "workflow.completed": ("workflow", True),
    "workflow.failed": ("workflow", False),
    "workflow.step.completed": ("step", True),
    "agent.completed": ("agent", True),
    "agent.failed": ("agent", False),
    "tool.completed": ("tool", True),
    "tool.failed": ("tool", False),
    "interactive.ended": ("run", True),
    "interactive.entry.completed": ("entry", True),
    "interactive.entry.failed": ("entry", False),
}
#: the event types the observer handles (its listener ignores the rest at once)
HANDLED = frozenset([*_STARTS, *_ENDS, "provider.retry"])


class Observer:
    """Turns the runtime's events into frames and hands them to the sinks."""

    def __init__(self, sinks: list[Sink] | None = None) -> None:
        self.sinks: list[Sink] = list(sinks or [])
        self._open: dict[tuple[str, Any], Frame] = {}
        #: open tool frames by name (tool events carry no id)
        self._tools: dict[str, list[Frame]] = {}
        self.listener_id: int | None = None
        #: errors sinks raised (a broken exporter must not break runs)
        self.sink_errors = 0
        self.last_sink_error: str | None = None
        #: events come from the event loop's thread; the watchdog's exit comes from its own
        self._lock = threading.RLock()
        self._exit_hook = False

    # -- the bus listener -------------------------------------------------------------

    def on_event(self, event: Any) -> None:
        """The bus listener: one event."""
        kind = event.event_type
        if kind not in HANDLED:
            return
        data = event.data if isinstance(event.data, dict) else {}
        with self._lock:
            start = _STARTS.get(kind)
            if start is not None:
                self._start(start, data, event.correlation_id, interactive=kind[0] == "i")
            elif kind == "provider.retry":
                frame = self._open.get(("agent", data.get("call_id")))
                self._each(lambda s: s.note(frame, "retry", data))
            else:
                frame_kind, ok = _ENDS[kind]
                if kind == "interactive.ended" and data.get("error"):
                    ok = False
                self._end(frame_kind, ok, data, event.correlation_id)

    def abort_all(self, error: BaseException) -> None:
        """End every open run with ``error`` (the watchdog is about to end the process):
        its open operations end as not finished, the sinks write and export what they
        hold. Called from the watchdog's thread, bounded in time by the caller."""
        message = f"{error} (the process was ended)"
        kind = getattr(error, "kind", None) or type(error).__name__
        failed = {"error": message, "error_kind": kind}
        # exporters first (quick, their flush bounded), then the run log (a database
        # write, which may be what is stuck)
        self.sinks.sort(key=lambda sink: not getattr(sink, "exit_first", False))
        for sink in self.sinks:
            if hasattr(sink, "exiting"):
                sink.exiting = True
        with self._lock:
            for frame in [f for f in self._open.values() if f.kind == "run"]:
                self._end_inside(frame, failed)  # an entry in flight: with the error too
                self._finish(frame, False, failed)

    # -- frames -----------------------------------------------------------------------

    def _key(self, kind: str, data: dict[str, Any], cid: str | None) -> Any:
        if kind == "run":
            return data.get("run_id") or cid
        if kind == "workflow":
            return cid
        if kind == "step":
            return (cid, data.get("step"), data.get("iteration"))
        if kind == "agent":
            return data.get("call_id")
        if kind == "entry":
            return (data.get("run_id"), data.get("index"))
        return None

    def _start(
        self, kind: str, data: dict[str, Any], cid: str | None, *, interactive: bool = False
    ) -> None:
        parent = _CURRENT.get()
        if parent is not None and parent.ended:
            parent = _open_ancestor(parent)
        if kind == "run":
            if interactive:  # a session is a root, whatever task its first entry runs in
                data = {**data, "interactive": True}
                parent = None
            self._hook_exit()
        elif kind == "entry":  # under its session, whatever task it runs in
            parent = self._open.get(("run", data.get("run_id")))
        name = str(data.get(_NAME_FIELD[kind]) or kind)
        frame = Frame(kind, self._key(kind, data, cid), name, data, parent, time.time_ns(), cid)
        if kind == "agent":
            frame.call = current_call()
        elif kind == "tool":
            asked = current_tool_call()
            # the id belongs to the tool the model asked for, not to tools that tool runs
            if asked is not None and parent is not None and parent.kind == "agent":
                frame.tool_call_id, frame.arguments = asked
            self._tools.setdefault(name, []).append(frame)
        if kind != "tool":
            self._open[(kind, frame.key)] = frame
        if not interactive or kind == "entry":
            # a session's frame is nobody's current frame: its entries find it by id
            frame.token = _CURRENT.set(frame)
        self._each(lambda s: s.start(frame))

    def _hook_exit(self) -> None:
        """Have the watchdog call :meth:`abort_all` before it ends the process (held
        weakly: a runtime that is gone is not kept alive by it)."""
        if self._exit_hook:
            return
        self._exit_hook = True
        from llmspell.watchdog import watchdog

        watchdog.add_exit_hook(weakref.WeakMethod(self.abort_all))

    def _find(self, kind: str, data: dict[str, Any], cid: str | None) -> Frame | None:
        if kind != "tool":
            return self._open.get((kind, self._key(kind, data, cid)))
        name = str(data.get("tool") or "tool")
        frame = _CURRENT.get()
        while frame is not None:  # this task's innermost open call of the tool
            if frame.kind == "tool" and frame.name == name and not frame.ended:
                return frame
            frame = frame.parent
        stack = self._tools.get(name)
        return stack[-1] if stack else None

    def _end(self, kind: str, ok: bool, data: dict[str, Any], cid: str | None) -> None:
        frame = self._find(kind, data, cid)
        if frame is None:
            return  # its start was not seen (a skipped step, a listener added mid-run)
        if kind == "step" and data.get("success") is False:
            ok = False
        if kind == "tool" and data.get("success") is False:
            ok = False
        # operations inside it whose end never came end with it (before it: a run's
        # sinks write the run when it ends)
        if kind in ("run", "entry"):
            self._end_inside(frame, {"error": "did not finish", "error_kind": None})
        current = _CURRENT.get()
        chain: list[Frame] = []
        node = current
        while node is not None and node is not frame:
            chain.append(node)
            node = node.parent
        if node is frame:
            for inner in chain:
                if not inner.ended:
                    self._finish(inner, False, {"error": "did not finish", "error_kind": None})
            self._finish(frame, ok, data)
            token = frame.token
            try:
                if token is not None and not chain:
                    _CURRENT.reset(token)
                else:
                    _CURRENT.set(frame.parent)
            except ValueError:  # the token was made in another context
                _CURRENT.set(frame.parent)
        else:
            self._finish(frame, ok, data)

    def _end_inside(self, frame: Frame, data: dict[str, Any]) -> None:
        """End the open operations inside ``frame`` (their end event never came)."""
        inside = [f for f in self._open.values() if f is not frame and _within(f, frame)]
        for stack in self._tools.values():
            inside.extend(f for f in stack if _within(f, frame))
        # innermost first, so a parent's sinks see its children ended
        inside.sort(key=_depth, reverse=True)
        for other in inside:
            self._finish(other, False, data)

    def _finish(self, frame: Frame, ok: bool, data: dict[str, Any]) -> None:
        if frame.ended:
            return
        frame.ended = True
        frame.end_ns = time.time_ns()
        frame.end_data = data
        if not ok:
            frame.status = "error"
            frame.error = _text(data.get("error")) or "failed"
            frame.error_kind = data.get("error_kind") or None
        if frame.kind == "tool":
            stack = self._tools.get(frame.name, [])
            if frame in stack:
                stack.remove(frame)
            if not stack:
                self._tools.pop(frame.name, None)
        else:
            self._open.pop((frame.kind, frame.key), None)
        self._each(lambda s: s.end(frame))

    def _each(self, fn: Callable[[Sink], Any]) -> None:
        for sink in self.sinks:
            try:
                fn(sink)
            except Exception as exc:  # an exporter's failure must not fail the run
                self.sink_errors += 1
                self.last_sink_error = f"{type(sink).__name__}: {type(exc).__name__}: {exc}"


_NAME_FIELD = {
    "run": "spell",
    "workflow": "workflow",
    "step": "step",
    "agent": "agent",
    "tool": "tool",
    "entry": "spell",
}


def _within(frame: Frame, outer: Frame) -> bool:
    node = frame.parent
    while node is not None:
        if node is outer:
            return True
        node = node.parent
    return False


def _depth(frame: Frame) -> int:
    depth, node = 0, frame.parent
    while node is not None:
        depth, node = depth + 1, node.parent
    return depth


def _open_ancestor(frame: Frame | None) -> Frame | None:
    while frame is not None and frame.ended:
        frame = frame.parent
    return frame


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)
