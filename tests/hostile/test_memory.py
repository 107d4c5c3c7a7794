"""Memory attacks: engine memory (huge strings, tables, arrays), host values larger than
the engine's limit (JSON.parse, a tool's result), host memory (serializing shared
references, tool inputs, event floods), deep nesting (issue 11).

Runs pass ``--memory-mb 64`` (20 where said) and ``LLMSPELL_HOST_MEMORY_MB=256``; the
child's peak RSS, measured from outside, stays under 700 MB."""

from __future__ import annotations

import pytest
from hostile_support import HOST_MEMORY, MEMORY, WALL, Attack, check_attack

MEM = (MEMORY,)
HOST = (HOST_MEMORY, MEMORY)

CASES = [
    # engine memory
    Attack("rep_1e9.lua", MEM),
    Attack("format_doubling.lua", MEM),
    Attack("table_fill.lua", MEM),
    Attack("new_array_fill.js", (MEMORY, WALL)),
    # a host value larger than the engine's limit: sized before it is built
    Attack("json_parse_4mb.lua", MEM, memory_mb=20),
    Attack("json_parse_4mb.js", MEM, memory_mb=20),
    Attack("file_read_40mb.lua", MEM, data=("data40.txt",), mode="contained", ok="read true"),
    Attack("file_read_40mb.js", MEM, data=("data40.txt",), mode="contained", ok="read true"),
    # host memory: the run's budget (LLMSPELL_HOST_MEMORY_MB=256)
    Attack("string_refs_stringify.lua", HOST, timeout=2),
    Attack("string_refs_stringify.js", HOST, timeout=2),
    Attack("string_refs_host_call.lua", HOST, timeout=2),
    Attack("string_refs_host_call.js", HOST, timeout=2),
    # event queues are bounded in bytes: dropping is fine, growing is not
    Attack("events_flood.lua", (*HOST, WALL), timeout=2, mode="contained", ok="published"),
    Attack("events_flood.js", (*HOST, WALL), timeout=2, mode="contained", ok="published"),
    # nesting: a clear error (or a limit), never a RecursionError traceback or a crash
    Attack("json_nested_depth.lua", (MEMORY, HOST_MEMORY), mode="contained"),
    Attack("json_nested_depth.js", (MEMORY, HOST_MEMORY), mode="contained"),
    Attack("json_stringify_deep.lua", (MEMORY, HOST_MEMORY), mode="contained"),
    Attack("json_stringify_deep.js", (MEMORY, HOST_MEMORY), mode="contained"),
]

#: the same 40 MB file cannot fit in 20 MB at all: that one must be the memory limit
TOO_BIG = [
    Attack("file_read_40mb.lua", MEM, data=("data40.txt",), memory_mb=20),
    Attack("file_read_40mb.js", MEM, data=("data40.txt",), memory_mb=20),
]


@pytest.mark.parametrize("attack", [a.param() for a in CASES])
def test_memory(hostile, bound, attack: Attack) -> None:
    check_attack(hostile, attack, bound)


@pytest.mark.parametrize("attack", [pytest.param(a, id=a.spell + "-20mb") for a in TOO_BIG])
def test_host_value_larger_than_the_engine(hostile, bound, attack: Attack) -> None:
    check_attack(hostile, attack, bound)
