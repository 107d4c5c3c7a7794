"""system-monitor: each operation returns sane numbers."""

from __future__ import annotations

import pytest

from llmspell.errors import SecurityError


def test_operations(tools):
    cpu = tools.ok("system-monitor", operation="cpu")["result"]
    assert cpu["count_logical"] >= 1 and 0 <= cpu["percent"] <= 100
    mem = tools.ok("system-monitor", operation="memory")["result"]
    assert mem["total"] > 0 and 0 <= mem["percent"] <= 100
    disk = tools.ok("system-monitor", operation="disk")["result"]["disks"]
    assert disk[0]["path"] == str(tools.root) and disk[0]["total"] > 0
    procs = tools.ok("system-monitor", operation="processes", limit=3, sort_by="memory")
    assert 1 <= len(procs["result"]["processes"]) <= 3
    assert "cmdline" not in procs["result"]["processes"][0]
    stats = tools.ok("system-monitor")["result"]
    assert {"cpu", "memory", "disk", "uptime_seconds"} <= set(stats)


def test_disk_path_checked(tools):
    with pytest.raises(SecurityError):
        tools("system-monitor", operation="disk", path="/")
