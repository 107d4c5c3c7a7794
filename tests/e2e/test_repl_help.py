"""The help the REPL's ``.help NAME`` and the kernel's Shift-Tab share
(``llmspell_cli.repl.inspect``): built from the op table in each engine's spelling; the
name at a cursor found in a string argument, around the cursor or as the call the
cursor is in; unknown names have none. Also the kernel's cell history
(``llmspell_cli.kernel.history``) on its own, and ``.help NAME`` in a piped REPL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from llmspell.config import load_settings
from llmspell.errors import NotFoundError
from llmspell.runtime import Runtime
from llmspell_cli.kernel.history import MAX_OUTPUT_CHARS, CellHistory, history_reply
from llmspell_cli.repl.inspect import help_at, help_for, help_text
from tests.e2e.conftest import CLI


@pytest.fixture(scope="module")
def runtime() -> Iterator[Runtime]:
    settings = load_settings(
        use_files=False,
        environ={},
        overrides={("state", "backend"): "memory"},
    )
    rt = Runtime(settings)
    yield rt
    rt.close()


def _text(runtime: Runtime, engine: str, code: str, pos: int | None = None) -> str | None:
    found = help_at(runtime, engine, code, len(code) if pos is None else pos)
    return None if found is None else found.text


def test_every_op_has_help_in_both_spellings(runtime: Runtime) -> None:
    """No function, builder or method of the op table is without a page, and each page
    starts with the call in the engine's spelling."""
    from llmspell.ops import camel

    for spec in runtime.globals.all():
        for engine in ("lua", "js"):
            if spec.languages is not None and engine not in spec.languages:
                assert help_for(runtime, engine, spec.name) is None
                continue
            assert help_for(runtime, engine, spec.name) is not None
            for key in spec.functions:
                name = f"{spec.name}.{key if engine == 'lua' else camel(key)}"
                found = help_for(runtime, engine, name)
                assert found is not None, name
                head = found.text.splitlines()[0]
                assert head.startswith(name if engine == "lua" else f"await {name}("), head
            for key in spec.builders:
                assert help_for(runtime, engine, f"{spec.name}.{key}") is not None
            for ot in spec.object_types:
                sep = ":" if engine == "lua" else "."
                for key in ot.methods:
                    found = help_for(runtime, engine, f"x{sep}{key}")
                    assert found is not None, (ot.name, key)


def test_the_docstring_and_parameters_come_from_the_op(runtime: Runtime) -> None:
    spec = next(g for g in runtime.globals.all() if g.name == "State")
    op = spec.functions["list_keys"]
    found = help_for(runtime, "lua", "State.list_keys")
    assert found is not None
    assert found.text == (
        "State.list_keys(scope)\nThe keys stored in `scope`, sorted.\n\n"
        "Parameters\n  scope  string, required\n"
    )
    assert op.doc.replace("``", "`") in found.text
    brief = help_for(runtime, "lua", "State.list_keys", detail=0)
    assert brief is not None and "Parameters" not in brief.text
    js = help_for(runtime, "js", "State.listKeys")
    assert js is not None
    assert js.text.startswith("await State.listKeys(scope)\n")
    assert js.text.endswith("Returns a Promise: `await` it.\n")
    assert "**Parameters**" in js.markdown and "- `scope` — string, required" in js.markdown


def test_javascript_pages_respell_names_in_docs(runtime: Runtime) -> None:
    found = help_for(runtime, "js", "State.get")
    assert found is not None
    assert "`State.load(\"global\", key)`" in found.text
    found = help_for(runtime, "js", "State.workflowList")
    assert found is not None and found.text.startswith("await State.workflowList(workflow_id)")


def test_aliases_lead_to_their_function(runtime: Runtime) -> None:
    found = help_for(runtime, "lua", "Config.isNetworkAccessAllowed")
    assert found is not None
    assert found.text.startswith("Config.is_network_access_allowed()\n")


def test_a_method_prefers_the_type_the_receiver_names(runtime: Runtime) -> None:
    found = help_for(runtime, "lua", "wf:execute")
    assert found is not None
    assert found.text.startswith("agent:execute(input)")  # "wf" names no type: A first
    found = help_for(runtime, "lua", "my_workflow:execute")
    assert found is not None and found.text.startswith("workflow:execute(")
    assert "agent:execute(input)" in found.text  # the other kinds that have it follow


def test_the_name_at_the_cursor(runtime: Runtime) -> None:
    code = 'local v = State.load("s", "k")'
    assert (_text(runtime, "lua", code, 18) or "").startswith("State.load(scope, key)")
    assert (_text(runtime, "lua", code, 12) or "").startswith("State\n")  # on "State"
    assert (_text(runtime, "lua", code, 22) or "").startswith("State.load(")  # in the call
    assert _text(runtime, "lua", code, 3) is None  # "local"
    assert _text(runtime, "lua", "x = 1 + y", 9) is None
    assert _text(runtime, "lua", "", 0) is None
    # the cursor past the end, or negative, is clamped
    assert (_text(runtime, "lua", "State", 99) or "").startswith("State\n")
    assert _text(runtime, "lua", "State", -4) is not None


def test_strings_are_not_calls(runtime: Runtime) -> None:
    code = 'print("State.save(") x = 1'
    assert _text(runtime, "lua", code, len(code)) is None


def test_a_tool_name_in_any_tool_function(runtime: Runtime) -> None:
    for code in ('Tool.execute("calculator"', "Tool.get('calculator'", 'Tool.execute("calcul'):
        text = _text(runtime, "lua", code, code.index("calc") + 2)
        if code.endswith("calcul"):
            assert text is not None and text.startswith("Tool.execute(")  # not a tool name
        else:
            assert text is not None and text.startswith("calculator (utility"), code


def test_help_text_for_dot_help(runtime: Runtime) -> None:
    assert help_text(runtime, "lua", "calculator").startswith("calculator (utility")
    assert help_text(runtime, "lua", " State ").startswith("State\n")
    with pytest.raises(NotFoundError) as info:
        help_text(runtime, "js", "JSON")
    assert "no help for 'JSON'" in str(info.value)
    assert "State" in (info.value.hint or "")


def test_repl_help_name_piped(cli: CLI) -> None:
    proc = cli("repl", "--engine", "js", stdin=".help State.save\n.help nothing\n.help\n")
    assert proc.stdout.startswith("await State.save(scope, key, value?)\n"), cli.explain(proc)
    assert "NotFoundError: no help for 'nothing'" in proc.stderr
    assert ".help [NAME]" in proc.stdout
    assert proc.returncode == 1


def _history(n: int = 5) -> CellHistory:
    h = CellHistory()
    for i in range(1, n + 1):
        h.record(i, f"x = {i}", str(i) if i % 2 else None)
    return h


def test_history_tail_and_range() -> None:
    h = _history()
    assert [e.line for e in h.tail(2)] == [4, 5]
    assert h.tail(0) == [] and h.tail(-3) == []
    assert len(h.tail(None)) == 5
    assert [e.line for e in h.range(0, 2, 4)] == [2, 3]
    assert [e.line for e in h.range(None, None, None)] == [1, 2, 3, 4, 5]
    assert h.range(2, 1, None) == []


def test_history_search_is_a_whole_glob() -> None:
    h = _history()
    h.record(6, "x = 1", "1")
    assert [e.line for e in h.search("x = 1", None, False)] == [1, 6]
    assert [e.line for e in h.search("x = 1", None, True)] == [6]
    assert [e.line for e in h.search("x = [23]", None, False)] == [2, 3]
    assert [e.line for e in h.search("x*", 2, False)] == [5, 6]
    assert h.search("X*", None, False) == []
    assert h.search("= 1", None, False) == []  # the whole code must match


def test_history_is_bounded() -> None:
    h = CellHistory(max_entries=3)
    for i in range(10):
        h.record(i, "c", "r" * (MAX_OUTPUT_CHARS + 10))
    assert [e.line for e in h.entries] == [7, 8, 9]
    out = h.entries[0].output
    assert out is not None and len(out) == MAX_OUTPUT_CHARS and out.endswith("…")
    # and by the characters kept over all cells: a cell of huge code pushes out the oldest
    h = CellHistory(max_total_chars=1000)
    for i in range(5):
        h.record(i, "x" * 300)
    assert [e.line for e in h.entries] == [2, 3, 4]
    h.record(5, "y" * 5000)  # alone over the cap: nothing is kept
    assert list(h.entries) == []


def test_history_reply_shapes() -> None:
    h = _history(3)
    reply = history_reply(h, {"hist_access_type": "tail", "n": 2, "output": True})
    assert reply == {"status": "ok", "history": [[1, 2, ["x = 2", None]], [1, 3, ["x = 3", "3"]]]}
    reply = history_reply(h, {"hist_access_type": "range", "session": 1, "start": "1"})
    assert len(reply["history"]) == 3  # a start that is not a number: from the first
    assert history_reply(h, {"hist_access_type": "other"}) == {"status": "ok", "history": []}


def test_a_long_cell_is_quick(runtime: Runtime) -> None:
    """The name at the cursor is looked for near it: a cell of a long run of name
    characters (a base64 blob) does not make the search quadratic (hours, not ms)."""
    code = 'local blob = "' + "A" * 2_000_000 + '"\nState.save'
    found = help_at(runtime, "lua", code, len(code))
    assert found is not None and found.title == "State.save"
    assert _text(runtime, "lua", code, len(code) - 12) is None  # at the closing quote
