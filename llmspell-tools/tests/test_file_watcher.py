"""file-watcher: events within the timeout, max_events, config."""

from __future__ import annotations

import threading
import time


def _later(fn, delay=0.3):
    t = threading.Timer(delay, fn)
    t.start()
    return t


def test_watch_sees_a_new_file(tools):
    (tools.root / "w").mkdir()
    t = _later(lambda: (tools.root / "w" / "new.txt").write_text("x"))
    r = tools.ok("file-watcher", input="w", timeout_ms=3000, max_events=1, debounce_ms=50)
    t.join()
    events = r["result"]["events"]
    assert len(events) == 1 and events[0]["path"].endswith("new.txt")
    assert events[0]["type"] in ("added", "modified")


def test_watch_times_out_quietly(tools):
    start = time.monotonic()
    r = tools.ok("file-watcher", input=["."], timeout_ms=200)
    assert r["result"]["events"] == [] and time.monotonic() - start < 3


def test_pattern_filters(tools):
    t = _later(lambda: [(tools.root / n).write_text("x") for n in ("a.log", "b.txt")])
    r = tools.ok("file-watcher", path=".", pattern="*.txt", timeout_ms=1500, debounce_ms=50)
    t.join()
    assert {e["path"].rsplit("/", 1)[-1] for e in r["result"]["events"]} == {"b.txt"}


def test_config_and_missing(tools):
    assert tools.ok("file-watcher", operation="config")["result"]["max_timeout_ms"] == 60_000
    assert tools.failed("file-watcher", input="nope", timeout_ms=10)["error_kind"] == (
        "NotFoundError"
    )
