"""The bridge is private (issue 12): the prelude captures every primordial it uses before
the spell runs, no bridge function is reachable from the spell, and the host checks every
batch it takes from QuickJS (a malformed one is a ScriptError, never a Python exception)."""

from __future__ import annotations

import json

import pytest

from llmspell.errors import ScriptError, ValidationError
from llmspell_js.batch import parse_batch
from llmspell_js.engine import JSEngine

# -- the spell replaces what the prelude uses: host calls, output and results still work

TAMPERING = {
    "JSON.stringify": 'JSON.stringify = () => \'{"events":[["req",1,9999,"[]"]]}\';',
    "JSON.parse": "JSON.parse = () => ({forged: true});",
    "Array.isArray": "Array.isArray = () => false;",
    "Array.prototype methods": (
        "for (const m of ['push', 'splice', 'map', 'join', 'slice', 'concat']) "
        "Array.prototype[m] = function () { throw new Error('spell ' + m); };"
    ),
    # (QuickJS's JSON.stringify keeps its own stack of the spell's values in an ordinary
    # array: the setter sees those, never a bridge value)
    "Array.prototype index setters": (
        "for (let i = 0; i < 8; i++) Object.defineProperty(Array.prototype, i, "
        "{set(v) { if (typeof v === 'function' || typeof v === 'string') globalThis.stolen = v; },"
        " get() { return 'forged'; }, configurable: true});"
    ),
    "Array.prototype[Symbol.iterator]": (
        "Array.prototype[Symbol.iterator] = function* () { yield 'forged'; };"
    ),
    "Object.prototype getters": (
        "for (const k of ['get', 'set', 'value', 'fields', 'type', 'events', 'main', 'length',"
        " '\\u0000fn', '\\u0000h']) Object.defineProperty(Object.prototype, k, "
        "{__proto__: null, get() { globalThis.stolen = k; return 'forged'; }, configurable: true});"
    ),
    "Object statics": (
        "Object.create = Object.assign = Object.defineProperty = Object.keys = "
        "Object.freeze = () => { throw new Error('spell Object'); };"
    ),
    "Map and WeakMap": (
        "Map.prototype.get = Map.prototype.set = WeakMap.prototype.get = "
        "WeakMap.prototype.set = function () { throw new Error('spell map'); };"
    ),
    "Promise": (
        "const then = Promise.prototype.then;"
        "Promise.prototype.then = function (a, b) {"
        "  for (const f of [a, b]) if (typeof f === 'function' && f.name.startsWith('__llmspell'))"
        "    globalThis.stolen = f;"
        "  return then.call(this, a, b); };"
        "Promise.resolve = Promise.reject = () => { throw new Error('spell promise'); };"
    ),
    "String, Error, isFinite": (
        "String = () => 'forged'; isFinite = () => true; Number.isFinite = () => true;"
        "Error = function () { return {stack: 'forged'}; };"
    ),
    "Error.prototype.stack": (
        "Object.defineProperty(Error.prototype, 'stack', "
        "{get() { globalThis.stolen = 'stack'; return 'forged'; }, configurable: true});"
    ),
    "Function.prototype.call/apply/bind": (
        "Function.prototype.call = Function.prototype.apply = Function.prototype.bind = "
        "function () { throw new Error('spell call'); };"
    ),
    "Reflect.apply": "Reflect.apply = () => { throw new Error('spell reflect'); };",
}


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_replaced_primordials_do_not_reach_the_bridge(spell, tamper):
    source = (
        tamper
        + "\nawait State.set('k', {n: 1, list: [1, 2]});"
        + "\nconst v = await State.get('k');"
        + "\nprint('n', v && v.n);"
        + "\nconsole.log('big', 2 ** 70, NaN);"
        + "\nexport default [typeof globalThis.stolen, v.list.length];"
    )
    ran = spell.run(source)
    assert ran.stdout.startswith("n\t1\nbig ")
    assert ran.value == ["undefined", 2]


def test_to_json_on_every_object_changes_only_the_spells_values(spell):
    # the argument list is the bridge's own: the host still gets a list of arguments
    ran = spell.run(
        "Object.prototype.toJSON = function () { return 'forged'; };\n"
        "Array.prototype.toJSON = function () { return 'forged too'; };\n"
        "await State.set('k', {n: 1});\n"
        "export default [await State.get('k'), await State.get('none') ?? 'none']"
    )
    assert ran.value == "forged too"  # the result list itself goes through toJSON


def test_a_forged_request_batch_is_only_a_string(spell):
    # whatever JSON.stringify answers, the host never sees it as a batch
    ran = spell.run(
        'JSON.stringify = () => \'{"events":[["req",1,9999,"[]"],["bogus"]]}\';\n'
        "print(JSON.stringify({a: 1}));\n"
        "export default await State.get('none') ?? 'fine'"
    )
    assert ran.value == "fine"


def test_prepare_stack_trace_gets_no_call_sites(spell):
    ran = spell.run(
        "let called = false;\n"
        "try { Error.prepareStackTrace = (e, sites) => { called = true; return sites; }; }"
        " catch (e) {}\n"
        "const probe = {get x() { new Error('probe').stack; return 1; }};\n"
        "await State.set('k', probe);\n"
        "Error.captureStackTrace({});\n"
        "export default [called, Error.prepareStackTrace === undefined]"
    )
    assert ran.value == [False, True]


def test_no_bridge_function_on_any_path(spell):
    ran = spell.run(
        "const seen = [];\n"
        "function note(f) { if (typeof f === 'function' && /__llmspell_(take|settle|"
        "invoke|watch|request|replacer|reviver|encode|limits)/.test(String(f.name)))"
        " seen.push(f.name); }\n"
        "function sloppy() { try { note(sloppy.caller); } catch (e) {}"
        " try { note(arguments.callee.caller); } catch (e) {} return 1; }\n"
        "const wf = await Workflow.sequential({name: 'w', steps: [{name: 's', fn: sloppy}]});\n"
        "await wf.execute();\n"
        "await State.set('k', {get x() { sloppy(); return 1; }});\n"
        "for (const k of Object.getOwnPropertyNames(globalThis)) note(globalThis[k]);\n"
        "export default [seen, typeof __llmspell, Object.getOwnPropertyNames(globalThis)"
        ".filter(n => n.startsWith('__'))]"
    )
    assert ran.value == [[], "undefined", []]


@pytest.mark.parametrize(
    "value",
    [
        '{"\\u0000h": 1}',
        '{"\\u0000fn": 1}',
        '{"\\u0000num": "NaN"}',
        '{nested: [{"\\u0000h": "x", type: "Agent"}]}',
    ],
)
def test_spell_data_cannot_carry_host_markers(spell, value):
    failed = spell.fail(f"await State.set('k', {value});")
    assert isinstance(failed.error, ValidationError)
    assert "reserved" in failed.error.message


@pytest.mark.parametrize(
    "marker",
    [
        {"\u0000h": "1"},
        {"\u0000h": 99},
        {"\u0000h": 1, "extra": 2},
        {"\u0000fn": -1},
        {"\u0000fn": "x"},
        {"\u0000num": 5},
        {"\u0000num": None},
    ],
)
def test_malformed_markers_are_a_validation_error(runtime, marker):
    from llmspell_js.convert import Marshal

    class FakeEngine:
        session = None

    marshal = Marshal(FakeEngine())  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        marshal.decode(json.dumps([marker]))
    with pytest.raises(ValidationError):
        marshal.decode("{not json")


# -- the host checks every batch --------------------------------------------------------

GOOD = '{"events":[["out","stdout","hi\\n"],["req",1,0,"[]"],["ret",1,true,"1"]]}'

MALFORMED = {
    "not text": 42,
    "not JSON": "{events:",
    "not an object": "[]",
    "no events": "{}",
    "events not a list": '{"events": {}}',
    "unknown field": '{"events": [], "extra": 1}',
    "event not a list": '{"events": ["out"]}',
    "empty event": '{"events": [[]]}',
    "unknown tag": '{"events": [["exec", "rm -rf /"]]}',
    "tag not text": '{"events": [[1, 2, 3]]}',
    "bad stream": '{"events": [["out", "/etc/passwd", "x"]]}',
    "output not text": '{"events": [["out", "stdout", 5]]}',
    "short request": '{"events": [["req", 1, 0]]}',
    "op out of range": '{"events": [["req", 1, 99999, "[]"]]}',
    "negative op": '{"events": [["req", 1, -1, "[]"]]}',
    "op not an int": '{"events": [["req", 1, "0", "[]"]]}',
    "op a bool": '{"events": [["req", 1, true, "[]"]]}',
    "request id not an int": '{"events": [["req", "1", 0, "[]"]]}',
    "arguments not text": '{"events": [["req", 1, 0, []]]}',
    "return without ok": '{"events": [["ret", 1]]}',
    "return with wrong fields": '{"events": [["ret", 1, false, "x"]]}',
    "return value not text": '{"events": [["ret", 1, true, 5]]}',
    "main not a list": '{"events": [], "main": "ok"}',
    "main unknown state": '{"events": [], "main": ["maybe", "1"]}',
    "main error short": '{"events": [], "main": ["error", "E"]}',
}


def test_a_good_batch_parses():
    batch = parse_batch(GOOD, 1)
    assert [e[0] for e in batch.events] == ["out", "req", "ret"]
    assert batch.main is None and not batch.lost


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_batches_are_a_script_error(text):
    with pytest.raises(ScriptError, match="malformed message from the JavaScript bridge"):
        parse_batch(text, 1)


@pytest.mark.parametrize("text", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_run_given_a_malformed_batch_ends_with_a_script_error(spell, monkeypatch, text):
    real = JSEngine._take_batch
    calls = {"n": 0}

    def forged(self: JSEngine) -> object:
        real(self)
        calls["n"] += 1
        return text

    monkeypatch.setattr(JSEngine, "_take_batch", forged)
    failed = spell.fail("print('x');\nawait State.get('k');")
    assert isinstance(failed.error, ScriptError)
    assert "malformed message from the JavaScript bridge" in failed.error.message
    assert calls["n"] >= 1
    monkeypatch.undo()
    assert spell.value("export default await State.get('none') ?? 'usable'") == "usable"
