"""CPU attacks on the engines: VM loops, long C/native calls, finalizers, conversions
called from C, attacks behind pcall/try, in coroutines and generators (issue 11).

Each ends within 2 x its wall-time limit (+ start-up), exit 1, ``LimitExceeded`` naming
the limit (and the spell line where the engine knows it), no traceback, bounded RSS.
A single long C/native call ("contained") may instead be answered cheaply (an empty
``string.rep`` is "") or refused with a clear error, as long as it is in time; attacks
that repeat forever behind pcall/try must still end with the limit."""

from __future__ import annotations

import pytest
from hostile_support import ANY_LIMIT, INSTRUCTION, MEMORY, WALL, Attack, check_attack

#: a tiny instruction budget: charged primitives must be refused long before --timeout
BUDGET = (("LLMSPELL_INSTRUCTION_LIMIT", "100000"),)

LUA = [
    Attack("busy_loop.lua", (WALL,), where="busy_loop.lua:2"),
    Attack("gc_finalizer_loop.lua", (WALL, INSTRUCTION), mode="contained"),
    Attack(
        "gc_finalizer_work.lua",
        (INSTRUCTION,),
        timeout=5,
        bound_limit=1,
        env=BUDGET,
        mode="contained",
    ),
    Attack("gc_finalizer_at_close.lua", (WALL, INSTRUCTION), mode="contained", ok="done"),
    Attack("string_rep_huge.lua", mode="contained", ok="SURVIVED"),
    Attack("table_move_huge.lua", mode="contained", ok="SURVIVED"),
    Attack("string_find_backtrack.lua", mode="contained", ok="SURVIVED"),
    Attack("upper_800.lua", mode="contained", ok="SURVIVED"),
    Attack("string_format_width.lua", mode="contained"),
    Attack("tostring_loop.lua", (WALL,), where="tostring_loop.lua:2"),
    Attack("pcall_busy_loop.lua", (WALL,), where="pcall_busy_loop.lua:3"),
    Attack("pcall_c_call.lua"),
    Attack("xpcall_handler_loop.lua", (WALL,)),
    Attack("coroutine_loop.lua", (WALL,), where="coroutine_loop.lua:2"),
    Attack("coroutine_c_call.lua"),
    Attack("deep_recursion.lua", (MEMORY,), mode="contained"),
]

#: the instruction budget bounds stdlib work it cannot interrupt (charged up front)
LUA_CHARGED = [
    Attack(
        spell, (INSTRUCTION,), timeout=5, bound_limit=1, env=BUDGET, mode="contained", ok="SURVIVED"
    )
    for spell in (
        "upper_800.lua",
        "string_find_backtrack.lua",
        "string_rep_huge.lua",
        "table_move_huge.lua",
    )
]

#: QuickJS's interrupt knows the line where the running function starts, not the line it
#: is at: a loop at a spell's top level is reported with the file only
JS = [
    Attack("busy_loop.js", (WALL,), where="busy_loop.js: LimitExceeded"),
    Attack("array_join_huge.js", mode="contained", ok="SURVIVED"),
    Attack("sort_60.js", mode="contained", ok="SURVIVED"),
    Attack("bigint_tostring.js", mode="contained", ok="SURVIVED"),
    Attack("regex_backtrack.js", mode="contained", ok="SURVIVED"),
    Attack("try_busy_loop.js", (WALL,), where="try_busy_loop.js: LimitExceeded"),
    Attack("try_c_call.js", ANY_LIMIT),
    Attack("tojson_loop.js", (WALL,), where="tojson_loop.js:2"),
    Attack("tostring_loop.js", (WALL,), where="tostring_loop.js:2"),
    Attack("generator_loop.js", (WALL,), where="generator_loop.js:2"),
    Attack("promise_flood.js", (WALL,)),
    Attack("gc_finalizer_loop.js", (WALL,), mode="contained", ok="done"),
    Attack("deep_recursion.js", (MEMORY,), mode="contained"),
]


@pytest.mark.parametrize("attack", [a.param() for a in LUA])
def test_lua(hostile, bound, attack: Attack) -> None:
    check_attack(hostile, attack, bound)


@pytest.mark.parametrize("attack", [pytest.param(a, id=a.spell + "-budget") for a in LUA_CHARGED])
def test_lua_instruction_budget_charges_stdlib(hostile, bound, attack: Attack) -> None:
    check_attack(hostile, attack, bound)


@pytest.mark.parametrize("attack", [a.param() for a in JS])
def test_js(hostile, bound, attack: Attack) -> None:
    check_attack(hostile, attack, bound)
