"""file-watcher: wait for changes to files or directories (watchfiles) and report them.

Only allowed paths can be watched; events for paths that resolve outside the allowed
paths (through symlinks) are dropped. Watching stops after ``timeout_ms`` or
``max_events`` events, whichever comes first.
"""

from __future__ import annotations

import fnmatch
import os
import threading
import time
from typing import Any

from llmspell.errors import SecurityError
from llmspell.tools import Tool
from llmspell_tools._support import dispatch, fail, output, resolve

DEFAULT_TIMEOUT_MS = 5_000
MAX_TIMEOUT_MS = 60_000
DEFAULT_MAX_EVENTS = 100
MAX_EVENTS = 10_000
DEFAULT_DEBOUNCE_MS = 100
MAX_PATHS = 32


def _paths(params: dict[str, Any], ctx: Any) -> list[tuple[str, str]]:
    raw = params.get("input") or params.get("path") or "."
    items = [raw] if isinstance(raw, str) else list(raw)
    if not items or len(items) > MAX_PATHS:
        fail(f"give between 1 and {MAX_PATHS} paths to watch", kind="ValidationError")
    out = []
    for item in items:
        real = resolve(ctx, item)
        if not real.exists():
            fail(f"{item!r} does not exist", kind="NotFoundError", operation="watch")
        out.append((str(item), str(real)))
    return out


def _watch(params: dict[str, Any], ctx: Any) -> Any:
    from watchfiles import watch

    paths = _paths(params, ctx)
    default = DEFAULT_TIMEOUT_MS
    if params.get("timeout_seconds") is not None:  # rs-llmspell's unit
        default = int(params["timeout_seconds"] * 1000)
    timeout_ms = min(int(params.get("timeout_ms", default)), MAX_TIMEOUT_MS)
    max_events = min(int(params.get("max_events", DEFAULT_MAX_EVENTS)), MAX_EVENTS)
    debounce = int(params.get("debounce_ms", DEFAULT_DEBOUNCE_MS))
    pattern = params.get("pattern")
    events: list[dict[str, Any]] = []
    stop = threading.Event()
    deadline = time.monotonic() + timeout_ms / 1000
    timer = threading.Timer(timeout_ms / 1000, stop.set)
    timer.daemon = True
    timer.start()

    def allowed(path: str) -> bool:
        try:
            resolve(ctx, path)
        except SecurityError:
            return False
        return pattern is None or fnmatch.fnmatch(os.path.basename(path), pattern)

    try:
        for changes in watch(
            *(real for _, real in paths),
            stop_event=stop,
            debounce=debounce,
            step=min(50, max(debounce, 1)),
            rust_timeout=max(1, int((deadline - time.monotonic()) * 1000)),
            yield_on_timeout=True,
            recursive=bool(params.get("recursive", True)),
            raise_interrupt=False,
        ):
            for change, path in sorted(changes, key=lambda c: (c[1], c[0].value)):
                if allowed(path) and len(events) < max_events:
                    events.append({"type": change.name.lower(), "path": path})
            if len(events) >= max_events or time.monotonic() >= deadline:
                break
    finally:
        stop.set()
        timer.cancel()
    return output(
        {"events": events, "count": len(events), "paths": [shown for shown, _ in paths]},
        text="\n".join(f"{e['type']} {e['path']}" for e in events),
    )


def _config(params: dict[str, Any], ctx: Any) -> Any:
    return output(
        {
            "default_timeout_ms": DEFAULT_TIMEOUT_MS,
            "max_timeout_ms": MAX_TIMEOUT_MS,
            "default_max_events": DEFAULT_MAX_EVENTS,
            "max_events": MAX_EVENTS,
            "default_debounce_ms": DEFAULT_DEBOUNCE_MS,
            "event_types": ["added", "modified", "deleted"],
        }
    )


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Watch paths for changes, or describe the watcher's limits."""
    return dispatch(params, {"watch": _watch, "config": _config}, params, ctx, default="watch")


TOOL = Tool(
    name="file-watcher",
    description="Watch files or directories for changes for up to timeout_ms and return the "
    "events (added/modified/deleted).",
    category="filesystem",
    handler=run,
    timeout_seconds=MAX_TIMEOUT_MS / 1000 + 10,
    security=("files",),
    tags=("file", "watch", "events"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {"type": "string", "enum": ["watch", "config"], "default": "watch"},
            "input": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"type": "string"}, "minItems": 1},
                ],
                "description": "the path(s) to watch",
            },
            "path": {"type": "string", "description": "a single path (same as input)"},
            "recursive": {"type": "boolean", "default": True},
            "pattern": {"type": "string", "description": "glob on the changed file's name"},
            "debounce_ms": {"type": "integer", "minimum": 1, "maximum": 10_000},
            "timeout_ms": {"type": "integer", "minimum": 1, "maximum": MAX_TIMEOUT_MS},
            "timeout_seconds": {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": MAX_TIMEOUT_MS / 1000,
                "description": "rs-llmspell's timeout in seconds (timeout_ms wins)",
            },
            "max_events": {"type": "integer", "minimum": 1, "maximum": MAX_EVENTS},
        },
        "additionalProperties": False,
    },
)
