"""Workflows, hooks: loops over a huge range with a function or a calculator step, the
attack inside a function step or a hook (issue 11). The wall-time limit holds between
steps and iterations; no error strategy or hook policy swallows a limit."""

from __future__ import annotations

import pytest
from hostile_support import ANY_LIMIT, HOST_MEMORY, WALL, Attack, check_attack

CASES = [
    Attack("loop_range_fn.lua", (WALL, HOST_MEMORY)),
    Attack("loop_range_fn.js", (WALL, HOST_MEMORY)),
    Attack("loop_range_calc.lua", (WALL, HOST_MEMORY)),
    Attack("loop_range_calc.js", (WALL, HOST_MEMORY)),
    Attack("while_fn_loop.lua", (WALL, HOST_MEMORY)),
    Attack("fn_step_loop.lua", (WALL,), where="fn_step_loop.lua:3"),
    Attack("fn_step_loop.js", (WALL,), where="fn_step_loop.js:3"),
    Attack("fn_step_c_call.lua", ANY_LIMIT),
    Attack("hook_loop.lua", (WALL,), where="hook_loop.lua:2"),
    Attack("hook_loop.js", (WALL,), where="hook_loop.js:2"),
]


@pytest.mark.parametrize("attack", [a.param() for a in CASES])
def test_workflow(hostile, bound, attack: Attack) -> None:
    check_attack(hostile, attack, bound)
