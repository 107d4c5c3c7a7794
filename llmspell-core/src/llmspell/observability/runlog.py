"""The run log sink: what a run did, kept in memory while it runs and written to the
store in one transaction when it ends (so a run pays one small write, not one per call).
While the run works, an ended call only joins a list; its rows (masked, cut, formatted)
are made when they are written.

A run that makes very many calls is written in parts (every :data:`FLUSH_ROWS` rows or
:data:`FLUSH_BYTES` bytes of text), so the log never makes the host hold more than that.
Agent and tool calls outside a run (``llmspell mcp serve``, ``llmspell tool invoke``)
are written in batches, under their correlation id.

An interactive session (``llmspell repl``, the Jupyter kernel) is one run (spell
``<repl>`` or ``<kernel>``) written at the end of each entry that made an agent or tool
call or failed — its row (status ``running`` until the session ends), the entry's calls
and error — so a crash loses at most the entry that was running. Quiet entries (no call,
no error: ``x = 1``) are written with the next write, at most :data:`QUIET_SECONDS`
later: piped input of many small entries does not pay a database write for each.

A run the watchdog ends with the process is ended by the observer first (see
:meth:`~llmspell.observability.frames.Observer.abort_all`): its row is written with the
error and the calls that had ended.

With ``[logs] content = false`` no prompt, answer or tool parameter is kept — in no
column and not in the search index; what is kept is names, models, tokens, cost,
timings and error messages (secrets masked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from llmspell.observability.frames import Frame
from llmspell.observability.scrub import Scrubber
from llmspell.observability.store import LogStore

__all__ = ["FLUSH_BYTES", "FLUSH_ROWS", "QUIET_SECONDS", "RunLog"]

FLUSH_ROWS = 2000
FLUSH_BYTES = 8 * 1024 * 1024
#: calls outside a run (``llmspell mcp serve``, ``llmspell tool invoke``) are written in
#: batches: when this many are waiting, when the oldest waited OUTSIDE_SECONDS, at exit
OUTSIDE_ROWS = 200
OUTSIDE_SECONDS = 2.0
#: the run id and spell name of calls made outside any run
OUTSIDE_RUN = "outside-runs"
#: how long what quiet interactive entries did may wait to be written
QUIET_SECONDS = 1.0


@dataclass
class _Pending:
    """What a run has done so far and not yet written."""

    run: dict[str, Any]
    #: ended agent and tool calls (and failed workflows) whose rows are not made yet
    frames: list[Frame] = field(default_factory=list)
    agent_calls: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    search: list[tuple[str, str, str]] = field(default_factory=list)
    bytes: int = 0
    agent_count: int = 0
    tool_count: int = 0
    #: tokens and cost of the agent calls that ended (a run ended without its totals)
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    start_ns: int = 0
    #: monotonic time of the last write (interactive sessions)
    written: float = float("-inf")

    @property
    def rows(self) -> int:
        return len(self.frames) + len(self.errors)


class RunLog:
    """A sink that records runs, agent calls, tool calls and errors."""

    def __init__(
        self,
        store: LogStore,
        *,
        content: bool = True,
        keep_days: int = 0,
        max_content_bytes: int = 64 * 1024,
        scrubber: Scrubber | None = None,
    ) -> None:
        self.store = store
        self.content = content
        self.keep_days = keep_days
        self.max_content_bytes = max_content_bytes
        self.scrub = scrubber or Scrubber()
        self._runs: dict[str, _Pending] = {}
        #: calls made outside a run, by correlation id, waiting to be written together
        self._outside: dict[str, _Pending] = {}
        self._outside_since = 0.0
        self._atexit = False
        #: failures to write (reported once by the caller; a run never fails for them)
        self.write_errors: list[str] = []

    # -- sink -------------------------------------------------------------------------

    def start(self, frame: Frame) -> None:
        """A run starts: its row is prepared (written when it ends)."""
        if frame.kind != "run":
            return
        run_id = str(frame.key)
        run: dict[str, Any] = {
            "id": run_id,
            "spell": frame.name,
            "script": frame.data.get("script"),
            "engine": frame.data.get("engine"),
            "started": _iso(frame.start_ns),
            "status": "running",
            "content": 1 if self.content else 0,
        }
        pending = _Pending(run, start_ns=frame.start_ns)
        pending.search.append((run_id, "spell", f"{frame.name} {run['script'] or ''}"))
        self._runs[run_id] = pending

    def end(self, frame: Frame) -> None:
        """An operation ended: it joins the run's pending calls (the run: all is written)."""
        kind = frame.kind
        if kind == "run":
            self._end_run(frame)
            return
        if kind == "entry":
            self._end_entry(frame)
            return
        if kind not in ("agent", "tool") and not (kind == "workflow" and frame.status == "error"):
            return
        pending, run_id = self._pending(frame)
        if pending is None:
            self._outside_call(run_id, frame=frame)
            return
        pending.frames.append(frame)
        if kind == "agent":
            pending.agent_count += 1
            usage = frame.end_data.get("usage") or {}
            pending.input_tokens += _int(usage.get("input_tokens"))
            pending.output_tokens += _int(usage.get("output_tokens"))
            cost = frame.end_data.get("cost_usd")
            pending.cost_usd += cost if isinstance(cost, int | float) else 0.0
            call = frame.call
            if self.content and call is not None:
                result = call.notes.get("result")
                text = result.get("text") if isinstance(result, dict) else None
                pending.bytes += len(call.input) if isinstance(call.input, str) else 256
                pending.bytes += len(text) if isinstance(text, str) else 0
        elif kind == "tool":
            pending.tool_count += 1
        if pending.rows >= FLUSH_ROWS or pending.bytes >= FLUSH_BYTES:
            self._write(pending, partial=True)

    def note(self, frame: Frame | None, name: str, data: dict[str, Any]) -> None:
        """A provider retry is kept as an error of the run (the call went on)."""
        if name != "retry":
            return
        pending, run_id = self._pending(frame)
        message = f"attempt {data.get('attempt')} of {data.get('max_retries')}: {data.get('error')}"
        row = {
            "run_id": run_id,
            "at": _iso(None),
            "source": f"provider {data.get('provider')} (agent {data.get('agent')}, retried)",
            "kind": "ProviderRetry",
            "message": self.scrub.text(message),
        }
        if pending is None:
            self._outside_call(run_id, error=row)
        else:
            pending.errors.append(row)

    # -- rows -------------------------------------------------------------------------

    def _end_run(self, frame: Frame) -> None:
        run_id = str(frame.key)
        pending = self._runs.pop(run_id, None)
        if pending is None:
            return
        usage = frame.end_data.get("usage")
        if not isinstance(usage, dict):  # ended by the watchdog: what its calls spent
            usage = self._spent(pending)
        pending.run.update(
            duration_ms=frame.duration_ms,
            status=frame.status,
            error_kind=frame.error_kind,
            error=self.scrub.text(frame.error),
            input_tokens=usage.get("input_tokens"),
            output_tokens=usage.get("output_tokens"),
            cost_usd=usage.get("cost_usd"),
            agent_call_count=pending.agent_count,
            tool_call_count=pending.tool_count,
        )
        if frame.status == "error":
            pending.errors.append(self._error_row(run_id, frame, f"run {frame.name}"))
            pending.search.append((run_id, "error", pending.run["error"] or ""))
        self._write(pending)

    def _end_entry(self, frame: Frame) -> None:
        """An interactive entry ended: its session's row (still running), its calls and
        its error are written now."""
        session = frame.run
        pending = self._runs.get(str(session.key)) if session is not None else None
        if pending is None:
            return
        run_id = str(pending.run["id"])
        usage = frame.end_data.get("session_usage")
        if not isinstance(usage, dict):
            usage = self._spent(pending)
        pending.run.update(
            duration_ms=round((frame.end_ns - pending.start_ns) / 1e6, 3),
            input_tokens=usage.get("input_tokens"),
            output_tokens=usage.get("output_tokens"),
            cost_usd=usage.get("cost_usd"),
            agent_call_count=pending.agent_count,
            tool_call_count=pending.tool_count,
        )
        source_text = frame.data.get("source")
        if self.content and isinstance(source_text, str):
            self._index(pending, run_id, [("entry", self._cut(source_text) or "")])
        if frame.status == "error":
            where = frame.data.get("chunk") or frame.name
            source = f"entry {frame.data.get('index')} ({where})"
            pending.errors.append(self._error_row(run_id, frame, source))
            self._index(pending, run_id, [("error", self.scrub.text(frame.error) or "")])
        import time

        now = time.monotonic()
        if pending.rows or now - pending.written >= QUIET_SECONDS:
            pending.written = now
            self._write(pending, partial=True)

    @staticmethod
    def _spent(pending: _Pending) -> dict[str, Any]:
        return {
            "input_tokens": pending.input_tokens,
            "output_tokens": pending.output_tokens,
            "cost_usd": round(pending.cost_usd, 6) if pending.cost_usd else None,
        }

    def _rows(self, pending: _Pending, frame: Frame) -> None:
        """Make the rows of an ended call (at write time)."""
        run_id = str(pending.run["id"])
        if frame.kind == "agent":
            self._end_agent(pending, run_id, frame)
        elif frame.kind == "tool":
            self._end_tool(pending, run_id, frame)
        elif frame.kind == "workflow":
            self._end_workflow(pending, run_id, frame)

    def _end_agent(self, pending: _Pending, run_id: str, frame: Frame) -> None:
        data, end = frame.data, frame.end_data
        provider = str(data.get("model") or "").partition("/")[0]
        usage = end.get("usage") or {}
        step = _enclosing(frame, "step")
        workflow = _enclosing(frame, "workflow")
        row: dict[str, Any] = {
            "run_id": run_id,
            "call_id": data.get("call_id"),
            "agent": frame.name,
            "provider": provider,
            "model": str(data.get("model") or ""),
            "response_model": end.get("response_model"),
            "started": _iso(frame.start_ns),
            "duration_ms": frame.duration_ms,
            "status": frame.status,
            "error_kind": frame.error_kind,
            "error": self.scrub.text(frame.error),
            "input_tokens": usage.get("input_tokens"),
            "output_tokens": usage.get("output_tokens"),
            "cost_usd": end.get("cost_usd"),
            "finish_reason": end.get("finish_reason"),
            "workflow": workflow.name if workflow else None,
            "step": step.name if step else None,
        }
        label = f"agent {frame.name} {row['model']} {row['response_model'] or ''}"
        text = label
        if self.content and frame.call is not None:
            prompt = self._cut(_input_text(frame.call.input))
            result = frame.call.notes.get("result")
            answer = self._cut(str(result.get("text") or "")) if isinstance(result, dict) else None
            row["prompt"], row["response"] = prompt, answer
            # one index entry per call (prompt and answer with the agent's name)
            text = "\n".join(t for t in (label, prompt, answer) if t)
        pending.agent_calls.append(row)
        self._index(pending, run_id, [("agent call", text)])
        if frame.status == "error":
            pending.errors.append(self._error_row(run_id, frame, label))
            self._index(pending, run_id, [("error", row["error"] or "")])

    def _end_tool(self, pending: _Pending, run_id: str, frame: Frame) -> None:
        agent = frame.agent
        row: dict[str, Any] = {
            "run_id": run_id,
            "agent_call_id": agent.key if agent is not None else None,
            "tool": frame.name,
            "tool_call_id": frame.tool_call_id,
            "started": _iso(frame.start_ns),
            "duration_ms": frame.duration_ms,
            "status": frame.status,
            "error_kind": frame.error_kind,
            "error": self.scrub.text(frame.error),
        }
        params = self._tool_params(frame)
        if params is not None:
            row["params"] = params
        label = f"tool {frame.name}"
        pending.tool_calls.append(row)
        self._index(pending, run_id, [("tool call", f"{label}\n{params}" if params else label)])
        if frame.status == "error":
            pending.errors.append(self._error_row(run_id, frame, label))
            self._index(pending, run_id, [("error", row["error"] or "")])

    def _end_workflow(self, pending: _Pending, run_id: str, frame: Frame) -> None:
        label = f"workflow {frame.name}"
        pending.errors.append(self._error_row(run_id, frame, label))
        self._index(pending, run_id, [("error", self.scrub.text(frame.error) or "")])

    def _tool_params(self, frame: Frame) -> str | None:
        """A tool call's parameters (content on): those the model gave in its tool call
        (a spell's own ``Tool.execute`` parameters are not seen by observers)."""
        if not self.content or frame.arguments is None:
            return None
        import json

        text = json.dumps(self.scrub.data(frame.arguments), ensure_ascii=False, default=str)
        return self._cut(text)

    def _error_row(self, run_id: str, frame: Frame, source: str) -> dict[str, Any]:
        return {
            "run_id": run_id,
            "at": _iso(frame.end_ns or None),
            "source": source,
            "kind": frame.error_kind,
            "message": self.scrub.text(frame.error),
        }

    # -- pending rows and writing -----------------------------------------------------

    def _outside_call(
        self, run_id: str, *, frame: Frame | None = None, error: dict[str, Any] | None = None
    ) -> None:
        """A call outside any run waits to be written with others (one write per batch:
        a server answering many tool calls must not pay a database write for each)."""
        import time

        pending = self._outside.get(run_id)
        if pending is None:
            pending = self._outside[run_id] = _Pending(
                {"id": run_id, "spell": "(outside a run)", "content": 1 if self.content else 0}
            )
        now = time.monotonic()
        if not any(p.rows for p in self._outside.values()):
            self._outside_since = now
        if frame is not None:
            pending.frames.append(frame)
            pending.run.setdefault("started", _iso(frame.start_ns))
            if frame.kind == "agent":
                pending.agent_count += 1
            elif frame.kind == "tool":
                pending.tool_count += 1
        if error is not None:
            pending.errors.append(error)
        if not self._atexit:
            import atexit

            atexit.register(self.flush_outside)
            self._atexit = True
        waiting = sum(p.rows for p in self._outside.values())
        if waiting >= OUTSIDE_ROWS or now - self._outside_since >= OUTSIDE_SECONDS:
            self.flush_outside()

    def flush_outside(self) -> None:
        """Write the calls made outside a run that are waiting (also at exit)."""
        for run_id, pending in list(self._outside.items()):
            if not pending.rows:
                continue
            counts = (pending.agent_count, pending.tool_count)
            pending.agent_count = pending.tool_count = 0
            self._write(pending, partial=True, with_run=False, add_counts=counts)
            del self._outside[run_id]

    def _pending(self, frame: Frame | None) -> tuple[_Pending | None, str]:
        run = frame.run if frame is not None else None
        if run is not None:
            run_id = str(run.key)
            return self._runs.get(run_id), run_id
        cid = frame.correlation_id if frame is not None else None
        return None, str(cid or OUTSIDE_RUN)

    def _index(self, pending: _Pending, run_id: str, parts: list[tuple[str, str]]) -> None:
        pending.search.extend((run_id, source, text) for source, text in parts if text)

    def _write(
        self,
        pending: _Pending,
        *,
        partial: bool = False,
        with_run: bool = True,
        add_counts: tuple[int, int] | None = None,
    ) -> None:
        frames, pending.frames = pending.frames, []
        try:
            for frame in frames:
                self._rows(pending, frame)
            self.store.write(
                pending.run if with_run else None,
                pending.agent_calls,
                pending.tool_calls,
                pending.errors,
                pending.search,
                keep_days=0 if partial else self.keep_days,
                outside=(pending.run, *add_counts) if add_counts is not None else None,
            )
        except Exception as exc:  # a full disk must not fail the run
            self.write_errors.append(f"{type(exc).__name__}: {exc}")
        pending.agent_calls, pending.tool_calls, pending.errors, pending.search = [], [], [], []
        pending.bytes = 0

    def _cut(self, text: str | None) -> str | None:
        if text is None:
            return None
        text = self.scrub.text(text) or ""
        data = text.encode("utf-8")
        if len(data) <= self.max_content_bytes:
            return text
        return data[: self.max_content_bytes].decode("utf-8", "ignore") + " […cut]"


def _enclosing(frame: Frame, kind: str) -> Frame | None:
    node = frame.parent
    while node is not None and node.kind != kind:
        node = node.parent
    return node


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _input_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        text = value.get("text")
        return text if isinstance(text, str) else None
    return str(value)


def _iso(ns: int | None) -> str:
    import time

    seconds = ns / 1e9 if ns else time.time()
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")
