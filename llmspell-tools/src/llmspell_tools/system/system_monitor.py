"""system-monitor: CPU, memory, disk and process statistics (psutil).

Process listings show pid, name, user and resource use only — never command lines or
environments, which can hold secrets. Disk usage is reported for the allowed paths (or
a given, policy-checked ``path``).
"""

from __future__ import annotations

import os
import platform
import time
from typing import Any

from llmspell.tools import Tool
from llmspell_tools._support import dispatch, output, resolve

MAX_PROCESSES = 200


def _cpu(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    import psutil

    freq = None
    try:
        f = psutil.cpu_freq()
        freq = round(f.current, 1) if f else None
    except (OSError, NotImplementedError, AttributeError):
        pass
    load = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    percent = psutil.cpu_percent(interval=0.1)
    logical = psutil.cpu_count(logical=True)
    return {
        "percent": percent,
        "count_logical": logical,
        "count_physical": psutil.cpu_count(logical=False),
        "frequency_mhz": freq,
        "load_average": load,
        # rs-llmspell's names
        "cpu_usage_percent": percent,
        "cpu_count": logical,
    }


def _memory(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    import psutil

    vm, sm = psutil.virtual_memory(), psutil.swap_memory()
    return {
        "total": vm.total,
        "available": vm.available,
        "used": vm.used,
        "percent": vm.percent,
        "swap_total": sm.total,
        "swap_used": sm.used,
        "swap_percent": sm.percent,
    }


def _disk(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    import psutil

    paths = [resolve(ctx, params["path"])] if params.get("path") else ctx.policy.allowed_paths
    disks = []
    for path in paths:
        real = path
        while not real.exists() and real != real.parent:
            real = real.parent
        usage = psutil.disk_usage(str(real))
        disks.append({"path": str(path), "total": usage.total, "used": usage.used,
                      "free": usage.free, "percent": usage.percent})  # fmt: skip
    return {"disks": disks}


def _processes(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    import psutil

    limit = min(int(params.get("limit", 20)), MAX_PROCESSES)
    key = "memory_percent" if params.get("sort_by") == "memory" else "cpu_percent"
    procs = []
    for p in psutil.process_iter(["pid", "name", "username", "cpu_percent", "memory_percent",
                                  "status"]):  # fmt: skip
        info = dict(p.info)
        info["cpu_percent"] = info.get("cpu_percent") or 0.0
        info["memory_percent"] = round(info.get("memory_percent") or 0.0, 3)
        procs.append(info)
    procs.sort(key=lambda i: (-i[key], i["pid"]))
    return {"processes": procs[:limit], "total": len(procs), "sort_by": key}


def _stats(params: dict[str, Any], ctx: Any) -> dict[str, Any]:
    import psutil

    return {
        "platform": platform.system(),
        "release": platform.release(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "hostname": platform.node(),
        "boot_time": psutil.boot_time(),
        "uptime_seconds": round(time.time() - psutil.boot_time(), 1),
        "process_count": len(psutil.pids()),
        "cpu": _cpu(params, ctx),
        "memory": _memory(params, ctx),
        "disk": _disk(params, ctx)["disks"],
    }


def run(params: dict[str, Any], ctx: Any) -> Any:
    """Report system statistics for the operation."""
    ops = {"stats": _stats, "cpu": _cpu, "memory": _memory, "disk": _disk,
           "processes": _processes}  # fmt: skip
    result = dispatch(params, ops, params, ctx, default="stats")
    return output(result)


TOOL = Tool(
    name="system-monitor",
    description="System statistics: CPU, memory, disk usage of the allowed paths, and the "
    "top processes (psutil).",
    category="system",
    handler=run,
    timeout_seconds=15,
    security=("files",),
    tags=("system", "monitoring", "cpu", "memory"),
    parameters={
        "type": "object",
        "properties": {
            "operation": {
                "type": "string",
                "enum": ["stats", "cpu", "memory", "disk", "processes"],
                "default": "stats",
            },
            "path": {"type": "string", "description": "disk: the path to report on"},
            "limit": {"type": "integer", "minimum": 1, "maximum": MAX_PROCESSES},
            "sort_by": {"type": "string", "enum": ["cpu", "memory"], "default": "cpu"},
        },
        "additionalProperties": False,
    },
)
