"""Per-run limits (wall time, instructions, memory): a clear LimitExceeded naming the
limit, nothing in the spell can swallow it, and the runtime stays usable afterwards."""

from __future__ import annotations

import pytest

from llmspell.errors import LimitExceeded
from llmspell.runtime import Limits

TIMEOUT = 0.5


def _timed_fail(spell, source, limits):
    return spell.timed_fail(source, limits)


@pytest.mark.parametrize(
    "source",
    [
        "while true do end",
        # pcall must not swallow the limit: the loop would go on forever
        "while true do pcall(function() while true do end end) end",
        "while true do xpcall(function() while true do end end, function(e) return e end) end",
        # nor a coroutine that catches errors of its body
        "while true do coroutine.resume(coroutine.create(function() while true do end end)) end",
        "local f = coroutine.wrap(function() while true do end end)\nwhile true do pcall(f) end",
        # nor a load()ed chunk
        'load("while true do end")()',
    ],
)
def test_wall_time_limit(spell, source):
    failed, elapsed = _timed_fail(spell, source, Limits(timeout_seconds=TIMEOUT))
    err = failed.error
    assert isinstance(err, LimitExceeded)
    assert err.limit == "timeout"
    assert err.kind == "LimitExceeded"
    assert "wall-time limit of 0.5 s exceeded" in err.message
    assert "--timeout" in str(err)
    assert TIMEOUT <= elapsed < TIMEOUT + 1.5
    assert err.file  # t.lua, or the load()ed chunk's name
    spell.check_usable()


def test_wall_time_limit_reports_the_line(spell):
    source = "local x = 1\nwhile true do x = x + 1 end"
    failed = spell.fail(source, limits=Limits(timeout_seconds=0.3))
    assert failed.error.display().startswith("t.lua:2: LimitExceeded: wall-time limit")


def test_output_before_the_limit_is_kept(spell):
    failed = spell.fail('print("before")\nwhile true do end', limits=Limits(timeout_seconds=0.3))
    assert failed.stdout == "before\n"


def test_instruction_budget(spell):
    limits = Limits(timeout_seconds=10, instruction_limit=200_000)
    failed, elapsed = _timed_fail(spell, "local n = 0\nwhile true do n = n + 1 end", limits)
    err = failed.error
    assert isinstance(err, LimitExceeded)
    assert err.limit == "instructions"
    assert "instruction limit of 200000 exceeded" in err.message
    assert elapsed < 2
    spell.check_usable()


def test_instruction_budget_not_swallowed_by_pcall(spell):
    limits = Limits(timeout_seconds=10, instruction_limit=200_000)
    failed = spell.fail(
        "while true do local ok = pcall(function() for i = 1, 1e9 do end end) end", limits=limits
    )
    assert isinstance(failed.error, LimitExceeded)
    assert failed.error.limit == "instructions"


def test_work_within_the_budget_runs(spell):
    limits = Limits(instruction_limit=1_000_000)
    assert spell.value("local n = 0 for i = 1, 10000 do n = n + i end return n", limits=limits) == (
        50005000
    )


MEMORY_BOMBS = {
    "table growth": "local t = {} for i = 1, 1e9 do t[i] = i end",
    "string doubling": 'local s = "x" while true do s = s .. s end',
    "string.rep": 'return #string.rep("x", 1e9)',
    "inside pcall": 'local ok = pcall(function() local s = "x" while true do s = s .. s end end)\n'
    'return "swallowed"',
    "inside xpcall": "local ok = xpcall(function() local t = {} for i = 1, 1e9 do t[i] = {} end"
    " end, function(e) return e end)\nreturn 'swallowed'",
    "inside a coroutine": "local co = coroutine.create(function() local t = {} "
    "for i = 1, 1e9 do t[i] = i end end)\nlocal ok = coroutine.resume(co)\nreturn 'swallowed'",
    "many small tables": "local t = {} for i = 1, 1e9 do t[i] = {i} end",
}


@pytest.mark.parametrize("source", MEMORY_BOMBS.values(), ids=MEMORY_BOMBS.keys())
def test_memory_limit(spell, source):
    failed, elapsed = _timed_fail(spell, source, Limits(timeout_seconds=10, memory_mb=16))
    err = failed.error
    assert isinstance(err, LimitExceeded)
    assert err.limit == "memory"
    assert "memory limit of 16 MB exceeded" in err.message
    assert "--memory-mb" in str(err)
    assert err.file == "t.lua"
    assert elapsed < 5
    spell.check_usable()


def test_memory_within_the_limit_is_fine(spell):
    limits = Limits(memory_mb=16)
    source = 'local t = {} for i = 1, 1000 do t[i] = string.rep("x", 1000) end return #t'
    assert spell.value(source, limits=limits) == 1000


def test_limit_hit_inside_a_tool_handler_ends_the_run(spell):
    # a Tool.register handler runs as its own task; its limit must not become an
    # ordinary success=false result the spell carries on after
    source = """
    Tool.register{name = "spin", description = "loops", handler = function()
      while true do end
    end}
    local r = Tool.execute("spin", {})
    print("carried on", r.success)
    return "finished"
    """
    failed = spell.fail(source, limits=Limits(timeout_seconds=TIMEOUT))
    assert isinstance(failed.error, LimitExceeded)
    assert failed.error.limit == "timeout"
    assert "carried on" not in failed.stdout
    spell.check_usable()


@pytest.mark.parametrize(
    ("body", "limits", "limit"),
    [
        ("local t = {} for i = 1, 1e9 do t[i] = i end", Limits(memory_mb=16), "memory"),
        ("for i = 1, 1e9 do end", Limits(instruction_limit=100_000), "instructions"),
    ],
)
def test_other_limits_inside_a_tool_handler(spell, body, limits, limit):
    source = f"""
    Tool.register{{name = "bomb", description = "d", handler = function() {body} end}}
    local ok, r = pcall(Tool.execute, "bomb", {{}})
    return "finished"
    """
    failed = spell.fail(source, limits=limits)
    assert isinstance(failed.error, LimitExceeded)
    assert failed.error.limit == limit
    spell.check_usable()


def test_several_limits_in_a_row(spell):
    bomb = MEMORY_BOMBS["table growth"]
    for _ in range(3):
        assert spell.fail("while true do end", limits=Limits(timeout_seconds=0.1)).error.limit == (
            "timeout"
        )
        assert spell.fail(bomb, limits=Limits(memory_mb=16)).error.limit == "memory"
    spell.check_usable()
