"""What the prelude hands the host, checked before the host acts on it.

The prelude builds each batch itself from captured primordials, so a spell cannot shape
it; the host still reads it as untrusted input: anything that is not exactly the shape
below is a :class:`ScriptError` naming what is wrong, never a Python exception.

A batch is the JSON text ``{"events": [...], "main": [...]}`` (``main`` only once the
spell's own code has finished). Events, in the order they happened:

- ``["out", "stdout" | "stderr", text]``
- ``["req", request_id, op_id, args_json]``
- ``["ret", call_id, true, result_json]`` or ``["ret", call_id, false, name, message, stack]``
- ``["hint", text, stack]``: a likely mistake (a Promise printed or used as a string)

``main`` is ``["ok", result_json]`` or ``["error", name, message, stack, site]``;
``"lost": true`` says a return or the completion could not even be queued (QuickJS out
of memory), so nothing the host waits for will come.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from llmspell.errors import ScriptError

__all__ = ["Batch", "parse_batch"]

STREAMS = ("stdout", "stderr")


@dataclass
class Batch:
    """A checked batch: its events and, when the spell finished, its main status."""

    events: list[list[Any]]
    main: list[Any] | None
    #: a return or the spell's completion could not be queued (QuickJS out of memory)
    lost: bool = False


def _bad(what: str) -> ScriptError:
    return ScriptError(f"malformed message from the JavaScript bridge: {what}")


def _is_id(value: Any) -> bool:
    return type(value) is int and value >= 0


def _strings(values: list[Any]) -> bool:
    return all(type(v) is str for v in values)


def _check_event(event: Any, op_count: int) -> None:
    if type(event) is not list or not event or type(event[0]) is not str:
        raise _bad("an event is not a list with a tag")
    tag = event[0]
    if tag == "out":
        if len(event) != 3 or event[1] not in STREAMS or type(event[2]) is not str:
            raise _bad('an output event is not ["out", stream, text]')
    elif tag == "req":
        if len(event) != 4 or not _is_id(event[1]) or type(event[3]) is not str:
            raise _bad('a request is not ["req", id, op, arguments]')
        if type(event[2]) is not int or not 0 <= event[2] < op_count:
            raise _bad(f"a request names no operation ({event[2]!r})")
    elif tag == "ret":
        if len(event) < 3 or not _is_id(event[1]) or type(event[2]) is not bool:
            raise _bad('a return is not ["ret", id, ok, ...]')
        rest = event[3:]
        if not ((event[2] and len(rest) == 1) or (not event[2] and len(rest) == 3)):
            raise _bad("a return has the wrong number of fields")
        if not _strings(rest):
            raise _bad("a return carries a value that is not text")
    elif tag == "hint":
        if len(event) != 3 or not _strings(event[1:]):
            raise _bad('a hint is not ["hint", text, stack]')
    else:
        raise _bad(f"unknown event {tag[:40]!r}")


def _check_main(main: Any) -> list[Any]:
    if type(main) is not list or not main:
        raise _bad("the spell's status is not a list")
    if main[0] == "ok" and len(main) == 2 and type(main[1]) is str:
        return main
    if main[0] == "error" and len(main) == 5 and _strings(main[1:]):
        return main
    raise _bad('the spell\'s status is neither ["ok", value] nor ["error", ...]')


def parse_batch(text: Any, op_count: int) -> Batch:
    """The checked batch from the prelude's JSON ``text`` (``op_count``: ops bound)."""
    if type(text) is not str:
        raise _bad(f"a batch is {type(text).__name__}, not JSON text")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise _bad(f"a batch is not JSON ({exc})") from None
    if type(data) is not dict or type(data.get("events")) is not list:
        raise _bad("a batch has no list of events")
    if set(data) - {"events", "main", "lost"}:
        raise _bad("a batch has unknown fields")
    events: list[list[Any]] = data["events"]
    for event in events:
        _check_event(event, op_count)
    main = _check_main(data["main"]) if "main" in data else None
    return Batch(events, main, data.get("lost") is True)
