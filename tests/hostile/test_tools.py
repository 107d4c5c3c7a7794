"""CPU- and memory-heavy tool calls (issue 11): calculator, jq, Jinja, regex search,
hashing a sparse 100 GB file; and attacks inside a spell-registered tool's handler.

A tool may refuse the input (a bounded algorithm: ``success = false`` or a ToolError),
or the run ends with ``LimitExceeded``; either way within 2 x ``--timeout 2`` (+ start-up),
no traceback, peak RSS under 700 MB, the process not frozen."""

from __future__ import annotations

import pytest
from hostile_support import ANY_LIMIT, HOST_MEMORY, MEMORY, WALL, Attack, check_attack

#: the tool answered (a bounded algorithm) or refused, in time
REFUSED = "tool-result success="
CPU = (WALL,)
MEM = (HOST_MEMORY, MEMORY, WALL)

TOOLS = [
    ("calc_factorial", CPU, ()),
    ("calc_pow", CPU, ()),
    ("jq_last_range", CPU, ()),
    ("jq_range_array", MEM, ()),
    ("jinja_pow", CPU, ()),
    ("jinja_str_mul", MEM, ()),
    ("regex_search", CPU, ("line200k.txt",)),
    ("hash_sparse", CPU, ("sparse100g.bin",)),
]

CASES = [
    Attack(f"{name}.{ext}", names, timeout=2, data=data, mode="contained", ok=REFUSED)
    for name, names, data in TOOLS
    for ext in ("lua", "js")
]

HANDLERS = [
    Attack("tool_handler_loop.lua", (WALL,), where="tool_handler_loop.lua:3"),
    # the handler function's first line (QuickJS's interrupt knows no finer position)
    Attack("tool_handler_loop.js", (WALL,), where="tool_handler_loop.js:2"),
    Attack("tool_handler_c_call.lua", ANY_LIMIT),
    Attack("tool_handler_c_call.js", ANY_LIMIT),
]


@pytest.mark.parametrize("attack", [a.param() for a in CASES])
def test_heavy_tool(hostile, bound, attack: Attack) -> None:
    check_attack(hostile, attack, bound)


@pytest.mark.parametrize("attack", [a.param() for a in HANDLERS])
def test_attack_in_a_tool_handler(hostile, bound, attack: Attack) -> None:
    check_attack(hostile, attack, bound)
