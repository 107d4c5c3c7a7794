"""Per-run limits (DESIGN.md §5): a clear LimitExceeded naming the limit, nothing in the
spell can swallow the wall-time limit, and the runtime stays usable afterwards."""

from __future__ import annotations

import time

import pytest

from llmspell.errors import LimitExceeded, ScriptError, WorkflowError
from llmspell.runtime import Limits

TIMEOUT = 0.4


def _check_usable(spell):
    """After a limit, the same Runtime runs another JavaScript and a Lua spell normally."""
    ran = spell.run('console.log("still alive");\nexport default await State.get("none") ?? "ok"')
    assert ran.stdout == "still alive\n"
    assert ran.value == "ok"
    lua = spell.lua('print("lua too") return JSON.stringify({ok = true})')
    assert lua.stdout == "lua too\n"
    assert lua.value == '{"ok":true}'


def _timed_fail(spell, source, limits):
    start = time.monotonic()
    failed = spell.fail(source, limits=limits)
    return failed, time.monotonic() - start


LOOPS = {
    "script": "let x = 0;\nwhile (true) { x++; }",
    "module after an await": "await State.set('k', 1);\nlet x = 0;\nwhile (true) { x++; }",
    "for(;;) in a function": "function spin() {\n  for (;;) {}\n}\nspin();",
    "try/catch loops": "while (true) { try { while (true) {} } catch (e) {} }",
    "try/catch/finally in a module": (
        "await 0;\nfor (;;) { try { for (;;) {} } catch (e) { print('caught', e) }"
        " finally { continue; } }"
    ),
    "in a then callback": "Promise.resolve().then(function spin() { while (true) {} })",
    "in an async function": "async function f() { await 0; while (true) {} }\nf();",
    "catching and looping again": (
        "let n = 0;\nwhile (true) {\n  try { while (true) {} } catch (e) { n++; }\n}"
    ),
    "recursion through promises": (
        "function again() { return Promise.resolve().then(again); }\nawait again();"
    ),
    "between host calls": "while (true) { await State.get('k'); }",
    "catch after a host call": (
        "while (true) {\n  try { await Tool.execute('nope', {}); } catch (e) {}\n}"
    ),
}


@pytest.mark.parametrize("source", LOOPS.values(), ids=LOOPS.keys())
def test_wall_time_limit(spell, source):
    failed, elapsed = _timed_fail(spell, source, Limits(timeout_seconds=TIMEOUT))
    err = failed.error
    assert isinstance(err, LimitExceeded)
    assert err.limit == "timeout"
    assert err.kind == "LimitExceeded"
    assert "wall-time limit of 0.4 s exceeded" in err.message
    assert "--timeout" in str(err)
    assert TIMEOUT <= elapsed < TIMEOUT + 1.5
    assert "caught" not in failed.stdout
    _check_usable(spell)


def test_wall_time_limit_names_the_file_and_line(spell):
    failed = spell.fail(
        "let x = 1;\nfunction f() {\n  while (true) { x++; }\n}\nf();",
        limits=Limits(timeout_seconds=0.3),
    )
    assert failed.error.display().startswith("t.js:3: LimitExceeded: wall-time limit")


def test_output_before_the_limit_is_kept(spell):
    failed = spell.fail(
        'print("before");\nconsole.error("err before");\nwhile (true) {}',
        limits=Limits(timeout_seconds=0.3),
    )
    assert failed.stdout == "before\n"
    assert failed.stderr == "err before\n"


def test_limit_while_waiting_for_the_host(spell):
    # the spell does not spin: it awaits a host call that takes longer than the limit
    failed, elapsed = _timed_fail(
        spell,
        'print("waiting");\nawait Promise.all([1, 2].map(i => Tool.execute("slow", {i})));\n'
        'print("never");',
        Limits(timeout_seconds=0.1),
    )
    assert isinstance(failed.error, LimitExceeded)
    assert failed.error.limit == "timeout"
    assert failed.stdout == "waiting\n"
    assert elapsed < 1.0
    _check_usable(spell)


def test_limit_hit_inside_a_tool_handler_ends_the_run(spell):
    # the handler runs when the host calls it; its limit must not become an ordinary
    # success=false result the spell carries on after, nor something a catch swallows
    source = """
    await Tool.register({name: "spin", description: "loops", handler: () => {
      while (true) {}
    }});
    let r;
    try { r = await Tool.execute("spin", {}); } catch (e) { print("caught", e.name); }
    print("carried on", r && r.success);
    export default "finished";
    """
    failed, elapsed = _timed_fail(spell, source, Limits(timeout_seconds=TIMEOUT))
    assert isinstance(failed.error, LimitExceeded)
    assert failed.error.limit == "timeout"
    assert failed.stdout == ""
    assert elapsed < TIMEOUT + 1.5
    _check_usable(spell)


def test_limit_hit_in_an_async_handler_after_host_calls(spell):
    source = """
    await Tool.register({name: "spin", description: "d", handler: async () => {
      await State.set("in-handler", 1);
      for (;;) {}
    }});
    await Tool.execute("spin", {});
    """
    failed = spell.fail(source, limits=Limits(timeout_seconds=TIMEOUT))
    assert isinstance(failed.error, LimitExceeded)
    assert failed.error.limit == "timeout"
    _check_usable(spell)


def test_work_within_the_time_limit_runs(spell):
    source = "let n = 0;\nfor (let i = 0; i < 100000; i++) n += i;\nn"
    assert spell.value(source, limits=Limits(timeout_seconds=5)) == 4999950000


MEMORY_BOMBS = {
    "array growth": "const a = [];\nwhile (true) a.push({x: 1});",
    "array growth in a function": (
        "function f() {\n  const a = [];\n  for (;;) a.push([1, 2, 3]);\n}\nf();"
    ),
    "string doubling": 'let s = "x";\nwhile (true) s = s + s;',
    "string repeat": '"x".repeat(1e9).length',
    "big array": "new Array(1e9).fill(0)",
    "array of strings": "const a = [];\nfor (;;) a.push('y'.repeat(100) + a.length);",
    "object keys": "const o = {};\nfor (let i = 0; ; i++) o['k' + i] = i;",
    "array buffers": "const a = [];\nfor (;;) a.push(new ArrayBuffer(1e6));",
    "array growth in a module": (
        "await State.set('k', 1);\nconst a = [];\nwhile (true) a.push({x: 1});"
    ),
    "string doubling in a module": "await 0;\nlet s = 'x';\nwhile (true) s += s;",
}


@pytest.mark.parametrize("source", MEMORY_BOMBS.values(), ids=MEMORY_BOMBS.keys())
def test_memory_limit(spell, source):
    failed, elapsed = _timed_fail(spell, source, Limits(timeout_seconds=10, memory_mb=16))
    err = failed.error
    assert isinstance(err, LimitExceeded), err
    assert err.limit == "memory"
    assert "memory limit of 16 MB exceeded" in err.message or "string too long" in err.message
    assert err.file == "t.js"
    assert elapsed < 5
    _check_usable(spell)


def test_memory_limit_names_the_flag(spell):
    failed = spell.fail(MEMORY_BOMBS["array growth"], limits=Limits(memory_mb=16))
    assert "--memory-mb" in str(failed.error)
    assert failed.error.display().startswith("t.js")


def test_memory_within_the_limit_is_fine(spell):
    source = "const a = [];\nfor (let i = 0; i < 1000; i++) a.push('x'.repeat(1000));\na.length"
    assert spell.value(source, limits=Limits(memory_mb=16)) == 1000


def test_memory_limit_inside_a_tool_handler_ends_the_run(spell):
    source = """
    await Tool.register({name: "bomb", description: "d", handler: () => {
      const a = [];
      for (;;) a.push({x: 1});
    }});
    const r = await Tool.execute("bomb", {});
    print("carried on", r.success, r.error);
    """
    failed = spell.fail(source, limits=Limits(timeout_seconds=5, memory_mb=16))
    assert isinstance(failed.error, LimitExceeded)
    assert failed.error.limit == "memory"
    assert "carried on" not in failed.stdout
    _check_usable(spell)


def test_memory_limit_while_handing_over_requests(spell):
    # requests with large arguments pile up un-awaited until the context cannot even hand
    # its queue over; that is the memory limit, reported as such (it once escaped as a
    # raw QuickJS exception). (A workflow running itself no longer gets that far: it
    # stops at the nesting limit.)
    source = """
    const big = "x".repeat(1 << 20);
    const pending = [];
    for (let i = 0; i < 64; i++) pending.push(State.set("k" + i, big + i));
    await Promise.all(pending);
    """
    failed = spell.fail(source, limits=Limits(timeout_seconds=10, memory_mb=16))
    assert isinstance(failed.error, LimitExceeded), failed.error
    assert failed.error.limit == "memory"
    _check_usable(spell)


def test_a_workflow_running_itself_stops_at_the_nesting_limit(spell):
    # a JavaScript step's host calls do not inherit the nesting depth; the workflow's
    # count of its runs at once stops it (it once ran for 45 s into the memory limit)
    source = """
    let wf;
    wf = await Workflow.sequential({name: "again",
      steps: [{name: "self", fn: async () => await wf.execute()}]});
    await wf.execute();
    """
    failed = spell.fail(source, limits=Limits(timeout_seconds=10, memory_mb=64))
    assert isinstance(failed.error, WorkflowError), failed.error
    assert "nested more than 32 deep" in str(failed.error)
    _check_usable(spell)


def test_several_limits_in_a_row(spell):
    for _ in range(3):
        assert spell.fail("while (true) {}", limits=Limits(timeout_seconds=0.1)).error.limit == (
            "timeout"
        )
        assert spell.fail(
            MEMORY_BOMBS["array growth"], limits=Limits(memory_mb=16)
        ).error.limit == ("memory")
    _check_usable(spell)


@pytest.mark.parametrize(
    "source",
    [
        'print("start");\nawait new Promise(() => {});\nprint("never");',
        'print("start");\nnew Promise(() => {})',
        'print("start");\nasync function f() { await State.get("k"); await new Promise(() => {}); }'
        "\nawait f();",
    ],
    ids=["module", "script", "after a host call"],
)
def test_a_promise_that_never_settles_is_reported_at_once(spell, source):
    # nothing can ever settle it: waiting for the wall-time limit would only hide the bug
    failed, elapsed = _timed_fail(spell, source, Limits(timeout_seconds=5))
    assert failed.stdout == "start\n"
    assert elapsed < 1
    assert type(failed.error) is ScriptError
    assert failed.error.display() == (
        "t.js: ScriptError: the spell awaits a Promise that nothing will ever settle"
    )
    _check_usable(spell)


def test_waiting_for_the_host_is_not_a_stall(spell):
    # the host is still working on a request (or will call a handler): not a stall
    ran = spell.run(
        """
        let resolve;
        const p = new Promise(r => { resolve = r; });
        Tool.execute("slow", {i: 1}).then(r => resolve(r.result.i));
        export default await p
        """
    )
    assert ran.value == 1
