"""State from Lua (script-api.md#state), in memory and persisted by SQLite across runtimes."""

from __future__ import annotations

from llmspell.errors import ValidationError


def test_save_load_delete_list_keys(spell):
    ran = spell.run(
        """
        State.save("s", "b", {n = 1, list = {1, 2}})
        State.save("s", "a", "text")
        local loaded = State.load("s", "b")
        local keys = State.list_keys("s")
        local d1 = State.delete("s", "a")
        local d2 = State.delete("s", "a")
        return {loaded = loaded, keys = keys, d1 = d1, d2 = d2, after = State.list_keys("s"),
                gone = State.load("s", "a") == nil, missing = State.load("nope", "x") == nil}
        """
    )
    assert ran.value == {
        "loaded": {"n": 1, "list": [1, 2]},
        "keys": ["a", "b"],
        "d1": True,
        "d2": False,
        "after": ["b"],
        "gone": True,
        "missing": True,
    }


def test_global_shorthands_and_helpers(spell):
    ran = spell.run(
        """
        State.set("g", 5)
        State.agent_set("a1", "mood", "ok")
        State.tool_set("t1", "count", 3)
        State.save("workflow:w1", "step1", {text = "hi"})
        return {State.get("g"), State.load("global", "g"), State.agent_get("a1", "mood"),
                State.tool_get("t1", "count"), State.workflow_get("w1", "step1"),
                State.workflow_list("w1"), State.load("agent:a1", "mood")}
        """
    )
    assert ran.value == [5, 5, "ok", 3, {"text": "hi"}, ["step1"], "ok"]


def test_saving_nil_deletes(spell):
    ran = spell.run('State.set("k", 1)\nState.set("k", nil)\nreturn State.get("k") == nil')
    assert ran.value is True


def test_non_json_values_are_refused(spell):
    ran = spell.run(
        """
        local _, a = pcall(State.set, "f", function() end)
        local _, b = pcall(State.save, "s", "", 1)
        local _, c = pcall(State.set, "n", 0/0)
        return {a, b, c}
        """
    )
    a, b, c = ran.value
    assert a.startswith("ValidationError: State.set: value is a function")
    assert b == "ValidationError: State.save: key must not be empty"
    assert c.startswith("ValidationError: State.set: value is nan")


def test_uncaught_state_error_has_the_line(spell):
    failed = spell.fail('\nState.save("s", "k", print)\n')
    assert isinstance(failed.error, ValidationError)
    assert failed.error.line == 2


def test_integers_and_floats_survive_state(spell):
    ran = spell.run(
        'State.set("nums", {i = 3, f = 2.5, big = math.maxinteger})\n'
        'local v = State.get("nums")\n'
        "return {math.type(v.i), math.type(v.f), v.big == math.maxinteger}"
    )
    assert ran.value == ["integer", "float", True]


def test_sqlite_state_persists_across_runtimes(spell_factory, tmp_path):
    env = {
        "LLMSPELL_STATE_BACKEND": "sqlite",
        "LLMSPELL_STATE_PATH": str(tmp_path / "state.db"),
    }
    first = spell_factory(env)
    first.run(
        'State.save("notes", "today", {title = "x", tags = {"a", "b"}})\n'
        'State.set("counter", 1)\nState.agent_set("bot", "k", true)'
    )
    first.runtime.close()
    assert (tmp_path / "state.db").exists()

    second = spell_factory(env)
    ran = second.run(
        """
        local n = State.get("counter") + 1
        State.set("counter", n)
        return {State.load("notes", "today"), n, State.agent_get("bot", "k"),
                State.list_keys("notes")}
        """
    )
    assert ran.value == [{"title": "x", "tags": ["a", "b"]}, 2, True, ["today"]]
    second.runtime.close()

    third = spell_factory(env)
    assert third.value('return State.get("counter")') == 2


def test_memory_state_does_not_persist_across_runtimes(spell_factory):
    spell_factory().run('State.set("k", 1)')
    assert spell_factory().value('return State.get("k")') is None


def test_sqlite_state_under_llmspell_home(spell_factory, tmp_path, monkeypatch):
    # without a state path the database lives in $LLMSPELL_HOME
    monkeypatch.setenv("LLMSPELL_HOME", str(tmp_path / "home"))
    env = {"LLMSPELL_STATE_BACKEND": "sqlite"}
    first = spell_factory(env)
    first.run('State.set("where", "home")')
    first.runtime.close()
    assert (tmp_path / "home" / "state.db").exists()
    assert spell_factory(env).value('return State.get("where")') == "home"


def test_state_persists_across_runs_of_one_runtime(spell):
    spell.run('State.set("k", "v")')
    assert spell.value('return State.get("k")') == "v"
