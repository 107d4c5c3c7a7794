"""Limits that hold against long native calls and oversized values (issue 11): the
prelude bounds natives the interrupt handler cannot see into, the wrappers check the
deadline, host values are sized before QuickJS builds them, and every such run ends
with LimitExceeded naming the limit (the runtime stays usable)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from llmspell.errors import LimitExceeded, ScriptError
from llmspell.runtime import Limits

from .test_limits import _check_usable

SMALL = Limits(timeout_seconds=10, memory_mb=64)

REFUSED = {
    "join of a huge sparse array": 'Array(2 ** 32 - 1).join("")',
    "toString of a huge sparse array": "String(Array(2 ** 32 - 1))",
    "join of a huge array-like": 'Array.prototype.join.call({length: 2 ** 53 - 1}, "")',
    "indexOf of a huge array-like": "Array.prototype.indexOf.call({length: 2 ** 40}, 1)",
    "reverse": "Array(2 ** 30).reverse()",
    "copyWithin": "Array(2 ** 30).copyWithin(0, 1)",
    "fill": "Array(2 ** 32 - 1).fill(0)",
    "sort": "Array(2 ** 32 - 1).sort()",
    "includes": "Array(2 ** 32 - 1).includes(1)",
    "concat of a huge array": "[].concat(Array(2 ** 32 - 1))",
    "concat of a spreadable": "[].concat({[Symbol.isConcatSpreadable]: true, length: 2 ** 40})",
    "flat of a nested huge array": "[Array(2 ** 32 - 1)].flat()",
    "Array.from of an array-like": "Array.from({length: 2 ** 32 - 1})",
    "repeat": '"ab".repeat(2 ** 28)',
    "padStart": '"a".padStart(2 ** 29, "xy")',
    "padEnd": '"a".padEnd(2 ** 29)',
}


@pytest.mark.parametrize("source", REFUSED.values(), ids=REFUSED.keys())
def test_bounded_natives_are_refused_at_once(spell, source):
    start = time.monotonic()
    failed = spell.fail(source, limits=SMALL)
    err = failed.error
    assert isinstance(err, LimitExceeded), err
    assert err.limit == "memory"
    assert err.message.startswith("memory limit of 64 MB exceeded: ")
    assert "(the memory limit allows " in err.message
    assert "--memory-mb" in str(err)
    assert err.display().startswith("t.js:1: LimitExceeded: ")
    assert time.monotonic() - start < 2
    _check_usable(spell)


def test_a_refusal_is_catchable_like_quickjs_out_of_memory(spell):
    ran = spell.run(
        "let m;\ntry { Array(2 ** 32 - 1).join(''); }\n"
        "catch (e) { m = e.name + ': ' + e.message; }\n"
        "m",
        limits=SMALL,
    )
    assert ran.value.startswith("InternalError: out of memory: Array.prototype.join on 4294967295")


def test_methods_that_write_need_an_own_data_length(spell):
    # a getter could answer small to the check and huge to the native
    failed = spell.fail(
        "let n = 0;\nArray.prototype.reverse.call({get length() { return n++ ? 2 ** 32 - 1 : 1; }})"
    )
    assert isinstance(failed.error, ScriptError)
    assert "TypeError: Array.prototype.reverse needs an object with its own length" in str(
        failed.error
    )
    assert failed.error.line == 2


def test_a_getter_length_is_read_once_for_methods_that_only_read(spell):
    ran = spell.run(
        "let n = 0;\nconst o = {get length() { return n++ ? 2 ** 32 - 1 : 2; }, 0: 'a', 1: 'b'};\n"
        "[Array.prototype.join.call(o, '-'), n]"
    )
    assert ran.value == ["a-b", 1]


def test_ordinary_array_and_string_work_is_unchanged(spell):
    ran = spell.run(
        "const a = [3, 1, 10, 2];\n"
        "const big = Array.from({length: 70000}, (_, i) => (i * 7919) % 70000);\n"
        "const sorted = big.slice().sort();\n"
        "const nums = new Float64Array([3, -0, 0, NaN, -1]).sort();\n"
        "const many = new Int32Array(70000).map((_, i) => 70000 - i).sort();\n"
        "[a.slice().sort().join(), a.toSorted((x, y) => x - y).join(), sorted[0], sorted[1],"
        " sorted[69999], Array.from(nums).map(String).join(), 1 / nums[1], many[0], many[69999],"
        " 'ab'.repeat(3), 'x'.padStart(4, '-'), [1, [2, [3]]].flat(Infinity).join(),"
        " [].concat([1], 2, [3]).join(), Array.prototype.join.call('abc', '.'),"
        " [1, 2, 3].reverse().join(), [1, 2, 3].fill(0, 1).join(),"
        " [1, 2, 3, 4].copyWithin(0, 2).join(),"
        " [].join.name.includes('join'), [].join.length, 'a-b'.split('-').length]"
    )
    assert ran.value == [
        "1,10,2,3",
        "1,2,3,10",
        0,
        1,
        9999,
        "-1,0,0,3,NaN",
        float("-inf"),
        1,
        70000,
        "ababab",
        "---x",
        "1,2,3",
        "1,2,3",
        "a.b.c",
        "3,2,1",
        "1,0,0",
        "3,4,3,4",
        True,
        1,
        2,
    ]


def test_decimal_bigint_text_has_a_size_cap(spell):
    ran = spell.run(
        "const b = 2n ** 830000n + 5n;\nlet m;\n"
        "try { b.toString(); } catch (e) { m = e.name + ': ' + e.message; }\n"
        "[m, b.toString(16).length, (2n ** 1000n).toString().length,"
        " (-(2n ** 99999n)).toString(10).length]"
    )
    message, hex_len, small, edge = ran.value
    assert message.startswith("RangeError: BigInt.prototype.toString: a BigInt over 100000 bits")
    assert hex_len == 207501
    assert small == 302
    assert edge == 30104


def test_a_huge_bigint_is_printed_and_sent_in_hexadecimal(spell):
    ran = spell.run("const b = 2n ** 200000n;\nprint(b);\n[b, -b, 2n ** 70n, -5n]")
    assert ran.stdout.startswith("0x1000")
    assert ran.value == [2**200000, -(2**200000), 2**70, -5]


LOOPS = {
    "sorts of 400k strings": (
        "const a = [];\nfor (let i = 0; i < 400000; i++) a.push('s' + (i * 7919 % 400000));\n"
        "for (let k = 0; k < 60; k++) { try { a.slice().sort(); } catch (e) {} }"
    ),
    "reversing a large sparse array, catching": (
        "const a = Array(2 ** 21);\nwhile (true) { try { a.reverse(); } catch (e) {} }"
    ),
    "JSON round trips of a large value": (
        "const v = Array.from({length: 200000}, (_, i) => ({i}));\n"
        "for (let k = 0; k < 1000; k++) { try { JSON.parse(JSON.stringify(v)); } catch (e) {} }"
    ),
    "upper-casing a long string": (
        "const s = 'ab'.repeat(4e6);\nfor (let k = 0; k < 800; k++) { try { s.toUpperCase(); }"
        " catch (e) {} }"
    ),
    "a large typed array sort": (
        "const t = new Float64Array(4e6).map(Math.random);\n"
        "for (let k = 0; k < 100; k++) { try { t.sort(); } catch (e) {} }"
    ),
}


@pytest.mark.parametrize("source", LOOPS.values(), ids=LOOPS.keys())
def test_loops_of_heavy_natives_stop_near_the_deadline(spell, source):
    limit = 1.0
    start = time.monotonic()
    failed = spell.fail(source, limits=Limits(timeout_seconds=limit, memory_mb=256))
    elapsed = time.monotonic() - start
    err = failed.error
    assert isinstance(err, LimitExceeded), err
    assert err.limit == "timeout"
    # CPU time drives QuickJS's interrupt: on a busy machine it lags the wall clock
    assert elapsed < 2 * limit + 2.5
    _check_usable(spell)


def test_a_host_value_larger_than_the_memory_limit(spell, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data40.txt").write_text(("x" * 99 + "\n") * 400_000)
    start = time.monotonic()
    failed = spell.fail(
        "let caught = false;\n"
        "try { await Tool.execute('file-operations', {operation: 'read', path: 'data40.txt'}); }"
        " catch (e) { caught = true; }\nprint('after', caught);",
        limits=Limits(timeout_seconds=10, memory_mb=32),
    )
    err = failed.error
    assert isinstance(err, LimitExceeded), err
    assert err.limit == "memory"
    assert "a value from the host" in err.message
    assert "memory limit of 32 MB" in err.message
    assert "after" not in failed.stdout  # the limit ends the run; catching it changes nothing
    assert time.monotonic() - start < 5
    _check_usable(spell)


def test_a_host_value_that_fits_is_delivered(spell, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.txt").write_text("y" * 3_000_000)
    ran = spell.run(
        "const r = await Tool.execute('file-operations', {operation: 'read', path: 'data.txt'});\n"
        "export default JSON.stringify(r).length > 3000000",
        limits=Limits(timeout_seconds=10, memory_mb=64),
    )
    assert ran.value is True


def test_what_the_spell_sends_is_counted_against_the_host_budget(spell):
    failed = spell.fail(
        "await State.set('k', 'x'.repeat(2 ** 20 * 2));",
        limits=Limits(timeout_seconds=10, memory_mb=128, host_memory_mb=4),
    )
    err = failed.error
    assert isinstance(err, LimitExceeded), err
    assert err.limit == "host_memory"
    assert "what the spell sent the host" in err.message
    _check_usable(spell)


def test_a_stopped_session_ends_the_run_as_interrupted(spell, monkeypatch):
    from llmspell.errors import Interrupted
    from llmspell_js.engine import JSEngine

    real = JSEngine._pump
    count = {"n": 0}

    def pump(self: JSEngine) -> None:
        count["n"] += 1
        if count["n"] == 20:
            self.session.stop(Interrupted())
        real(self)

    monkeypatch.setattr(JSEngine, "_pump", pump)
    failed = spell.fail("while (true) { await State.get('k'); }")
    assert isinstance(failed.error, Interrupted), failed.error
    monkeypatch.undo()
    _check_usable(spell)


def test_error_prepare_stack_trace_cannot_be_set(spell):
    ran = spell.run(
        "'use strict';\nlet r;\ntry { Error.prepareStackTrace = () => 'x'; r = 'set'; }"
        " catch (e) { r = e.name; }\nr"
    )
    assert ran.value == "TypeError"


def test_a_script_error_is_not_a_limit(spell):
    failed = spell.fail("null.x")
    assert isinstance(failed.error, ScriptError)


def test_a_limit_while_the_spell_waits_names_the_line_it_waits_at(spell):
    failed = spell.fail(
        "let x = 1;\nawait State.get('k');\nawait Tool.execute('slow', {i: 1});\nx",
        limits=Limits(timeout_seconds=0.1, memory_mb=64),
    )
    err = failed.error
    assert isinstance(err, LimitExceeded), err
    assert err.limit == "timeout"
    assert (err.file, err.line) == ("t.js", 3)


def test_replaced_promise_statics_do_not_reach_the_bridge(spell):
    ran = spell.run(
        "let seen = null;\n"
        "Promise.reject = Promise.resolve = (v) => { seen = v; return 0; };\n"
        "let m;\ntry { await State.set('k', {'\\u0000h': 1}); } catch (e) { m = e.name; }\n"
        "export default [m, seen]"
    )
    assert ran.value == ["ValidationError", None]


MEMORY_ATTACKS = {
    # 200 references to one 30 MB string: encoding the arguments runs out of memory
    "arguments too large to encode": (
        "const s = 'x'.repeat(30 * 2 ** 20);\nconst t = [];\n"
        "for (let i = 0; i < 200; i++) t.push(s);\n"
        "await Tool.execute('json-processor', {operation: 'query', input: t, query: 'length'});"
    ),
    # a 1e6-deep array: the module's first part fills the context
    "a very deep value": (
        "let root = [];\nfor (let i = 0; i < 1e6; i++) root = [root];\n"
        "await State.set('deep', root);"
    ),
}


@pytest.mark.parametrize("source", MEMORY_ATTACKS.values(), ids=MEMORY_ATTACKS.keys())
def test_memory_attacks_end_with_the_memory_limit(spell, source):
    failed = spell.fail(source, limits=Limits(timeout_seconds=10, memory_mb=64))
    err = failed.error
    assert isinstance(err, LimitExceeded), err
    assert err.limit == "memory"
    _check_usable(spell)


def test_current_line_from_another_thread_is_none(spell):
    import threading

    from llmspell_js.engine import JSEngine

    seen: list[object] = []
    real = JSEngine._pump

    def pump(self: JSEngine) -> None:
        t = threading.Thread(target=lambda: seen.append(self.current_line()))
        t.start()
        t.join()
        real(self)

    JSEngine._pump = pump  # type: ignore[method-assign]
    try:
        spell.run("await State.get('k');\n1")
    finally:
        JSEngine._pump = real  # type: ignore[method-assign]
    assert seen and all(line is None for line in seen)
