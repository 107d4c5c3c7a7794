"""The op table: Param/Op argument binding and validation messages."""

from __future__ import annotations

import math
from typing import Any

import pytest

from llmspell.errors import ValidationError
from llmspell.ops import (
    GlobalSpec,
    ObjectType,
    Op,
    Param,
    ScriptFunction,
    describe_value,
    method,
)


def _impl(ctx: Any, *args: Any) -> Any:
    return args


def make_op(*params: Param, variadic: bool = False, display: str = "State.save") -> Op:
    return Op(name="state.save", params=params, impl=_impl, variadic=variadic, display=display)


SAVE = make_op(Param("scope", "string"), Param("key", "string"), Param("value", optional=True))


class FakeFunction(ScriptFunction):
    async def __call__(self, *args: Any) -> Any:
        return args


# -- binding -----------------------------------------------------------------------


def test_bind_args_passes_valid_args_through() -> None:
    assert SAVE.bind_args(["global", "k", {"a": 1}]) == ["global", "k", {"a": 1}]


def test_bind_args_fills_missing_optional_with_default() -> None:
    op = make_op(Param("name", "string"), Param("pretty", "boolean", optional=True, default=False))
    assert op.bind_args(["x"]) == ["x", False]
    assert op.bind_args(["x", None]) == ["x", False]
    assert op.bind_args(["x", True]) == ["x", True]


def test_bind_args_accepts_a_tuple() -> None:
    assert SAVE.bind_args(("s", "k")) == ["s", "k", None]


def test_missing_required_argument_names_function_position_and_name() -> None:
    with pytest.raises(ValidationError) as info:
        SAVE.bind_args(["global"])
    assert str(info.value) == "State.save: argument 2 'key' is required, got nil"


def test_no_arguments_at_all() -> None:
    with pytest.raises(ValidationError, match=r"State\.save: argument 1 'scope' is required"):
        SAVE.bind_args([])


def test_explicit_nil_for_required_argument() -> None:
    with pytest.raises(ValidationError, match="argument 1 'scope' is required, got nil"):
        SAVE.bind_args([None, "k", 1])


@pytest.mark.parametrize(
    ("value", "got"),
    [
        (1, "number"),
        (1.5, "number"),
        (True, "boolean"),
        ({"a": 1}, "table/object"),
        ([1], "array"),
        (FakeFunction(), "function"),
    ],
)
def test_wrong_type_message(value: Any, got: str) -> None:
    with pytest.raises(ValidationError) as info:
        SAVE.bind_args([value, "k", 1])
    assert str(info.value) == f"State.save: argument 1 'scope' must be a string, got {got}"
    assert info.value.kind == "ValidationError"


def test_wrong_type_message_for_later_argument() -> None:
    with pytest.raises(ValidationError) as info:
        SAVE.bind_args(["global", 42])
    assert str(info.value) == "State.save: argument 2 'key' must be a string, got number"


def test_op_title_falls_back_to_name() -> None:
    op = Op(name="state.save", params=(Param("scope", "string"),), impl=_impl)
    assert op.title == "state.save"
    with pytest.raises(ValidationError, match=r"^state\.save: argument 1"):
        op.bind_args([1])


# -- numbers -------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 3, -7, 3.0, -2.0, 1e15])
def test_integer_accepts_integral_numbers(value: float) -> None:
    op = make_op(Param("n", "integer"))
    (bound,) = op.bind_args([value])
    assert bound == value
    assert type(bound) is int


@pytest.mark.parametrize(
    ("value", "got"),
    [
        (3.5, "number"),
        (math.inf, "number"),
        (math.nan, "number"),
        (True, "boolean"),
        ("3", "string"),
    ],
)
def test_integer_rejects_non_integers(value: Any, got: str) -> None:
    op = make_op(Param("n", "integer"), display="Agent.max_tokens")
    with pytest.raises(ValidationError) as info:
        op.bind_args([value])
    assert str(info.value) == f"Agent.max_tokens: argument 1 'n' must be an integer, got {got}"


@pytest.mark.parametrize("value", [0, 1, -1.5, 2.25])
def test_number_accepts_int_and_float(value: float) -> None:
    assert make_op(Param("x", "number")).bind_args([value]) == [value]


@pytest.mark.parametrize(("value", "got"), [(False, "boolean"), ("1", "string"), ([], "array")])
def test_number_rejects_non_numbers(value: Any, got: str) -> None:
    with pytest.raises(ValidationError, match=f"must be a number, got {got}$"):
        make_op(Param("x", "number")).bind_args([value])


def test_boolean_rejects_number() -> None:
    with pytest.raises(ValidationError, match="argument 1 'flag' must be a boolean, got number"):
        make_op(Param("flag", "boolean")).bind_args([1])


def test_function_param() -> None:
    fn = FakeFunction()
    op = make_op(Param("fn", "function"))
    assert op.bind_args([fn]) == [fn]
    with pytest.raises(ValidationError, match="argument 1 'fn' must be a function, got string"):
        op.bind_args(["print"])


@pytest.mark.parametrize("value", [None, 1, "x", object()])
def test_any_and_handle_accept_anything_but_nil(value: Any) -> None:
    for kind in ("any", "handle"):
        op = make_op(Param("v", kind, optional=True))  # type: ignore[arg-type]
        assert op.bind_args([value]) == [value]


def test_required_any_still_rejects_nil() -> None:
    with pytest.raises(ValidationError, match="argument 1 'v' is required"):
        make_op(Param("v")).bind_args([None])


# -- arity ----------------------------------------------------------------------------


def test_too_many_arguments() -> None:
    with pytest.raises(ValidationError) as info:
        SAVE.bind_args(["s", "k", 1, 2])
    msg = str(info.value)
    assert msg.startswith("State.save takes at most 3 argument(s)")
    assert "scope, key, value" in msg
    assert msg.endswith("got 4")


def test_too_many_arguments_for_a_no_arg_op() -> None:
    op = make_op(display="Tool.categories")
    assert op.bind_args([]) == []
    with pytest.raises(
        ValidationError, match=r"takes at most 0 argument\(s\) \(no arguments\), got 1"
    ):
        op.bind_args(["x"])


def test_trailing_nils_are_trimmed() -> None:
    # engines pass nil for absent trailing arguments (Lua varargs, JS undefined)
    assert SAVE.bind_args(["s", "k", 1, None, None]) == ["s", "k", 1]
    assert make_op(display="Tool.categories").bind_args([None, None]) == []


def test_a_nil_before_a_value_is_not_trimmed() -> None:
    with pytest.raises(ValidationError, match="got 5"):
        SAVE.bind_args(["s", "k", 1, None, 2])


def test_variadic_keeps_extra_args() -> None:
    op = make_op(Param("fmt", "string"), variadic=True, display="Debug.printf")
    assert op.bind_args(["%s %s", 1, "x"]) == ["%s %s", 1, "x"]
    with pytest.raises(ValidationError, match="argument 1 'fmt' must be a string"):
        op.bind_args([1, 2])


# -- empty table ambiguity --------------------------------------------------------------


def test_empty_list_becomes_empty_object_for_object_param() -> None:
    op = make_op(Param("params", "object"), display="Tool.execute")
    (bound,) = op.bind_args([[]])
    assert bound == {}
    assert isinstance(bound, dict)


def test_empty_dict_becomes_empty_array_for_array_param() -> None:
    op = make_op(Param("items", "array"), display="Agent.execute_all")
    (bound,) = op.bind_args([{}])
    assert bound == []
    assert isinstance(bound, list)


def test_non_empty_list_is_not_an_object() -> None:
    op = make_op(Param("params", "object"), display="Tool.execute")
    with pytest.raises(ValidationError) as info:
        op.bind_args([[1, 2]])
    assert str(info.value) == "Tool.execute: argument 1 'params' must be a table/object, got array"


def test_non_empty_dict_is_not_an_array() -> None:
    op = make_op(Param("items", "array"), display="Agent.execute_all")
    with pytest.raises(ValidationError) as info:
        op.bind_args([{"a": 1}])
    assert str(info.value) == (
        "Agent.execute_all: argument 1 'items' must be an array, got table/object"
    )


def test_object_and_array_keep_their_own_kind() -> None:
    obj = make_op(Param("o", "object"))
    arr = make_op(Param("a", "array"))
    assert obj.bind_args([{"a": 1}]) == [{"a": 1}]
    assert arr.bind_args([[1, 2]]) == [[1, 2]]
    assert obj.bind_args([{}]) == [{}]
    assert arr.bind_args([[]]) == [[]]


# -- describe_value ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "word"),
    [
        (None, "nil"),
        (True, "boolean"),
        (3, "number"),
        (2.5, "number"),
        ("s", "string"),
        ({}, "table/object"),
        ([], "array"),
        ((1,), "array"),
        (FakeFunction(), "function"),
        (object(), "object"),
    ],
)
def test_describe_value(value: Any, word: str) -> None:
    assert describe_value(value) == word


# -- GlobalSpec / method decorators --------------------------------------------------------


def test_global_spec_function_decorator_builds_an_op() -> None:
    spec = GlobalSpec("Demo")

    @spec.function("greet", Param("name", "string"), mode="blocking")
    def greet(ctx: Any, name: str) -> str:
        """Say hello."""
        return f"hi {name}"

    op = spec.functions["greet"]
    assert op.name == "demo.greet"
    assert op.title == "Demo.greet"
    assert op.mode == "blocking"
    assert op.doc == "Say hello."
    assert op.impl is greet
    assert greet(None, "x") == "hi x"  # the decorator returns the function unchanged
    with pytest.raises(ValidationError, match=r"Demo\.greet: argument 1 'name'"):
        op.bind_args([None])


def test_method_decorator_adds_self_parameter() -> None:
    class Thing:
        pass

    ot = ObjectType("Thing", Thing)

    @method(ot, "poke", Param("times", "integer"))
    def poke(ctx: Any, thing: Thing, times: int) -> int:
        return times

    op = ot.methods["poke"]
    assert op.title == "Thing:poke"
    assert [p.name for p in op.params] == ["self", "times"]
    thing = Thing()
    assert op.bind_args([thing, 2.0]) == [thing, 2]
    with pytest.raises(ValidationError, match="Thing:poke: argument 2 'times' must be an integer"):
        op.bind_args([thing, "x"])


# -- per-language names in messages --------------------------------------------------------


def test_title_in_each_naming() -> None:
    from llmspell.ops import Op

    op = Op(
        "state.list_keys", (Param("scope", "string"),), lambda ctx, s: s, display="State.list_keys"
    )
    method = Op("timer.stop", (Param("self", "handle"),), lambda ctx, t: t, display="Timer:stop")
    assert op.title_in("snake") == "State.list_keys"
    assert op.title_in("camel") == "State.listKeys"
    assert method.title_in("camel") == "Timer.stop"
    with pytest.raises(
        ValidationError, match=r"^State\.listKeys: argument 1 'scope' is required, got null$"
    ):
        op.bind_args([], "camel")
    with pytest.raises(ValidationError, match=r"^State\.list_keys: .* got nil$"):
        op.bind_args([], "snake")
    with pytest.raises(
        ValidationError, match=r"Timer\.stop takes at most 0 argument\(s\) \(no arguments\), got 2"
    ):
        method.bind_args([object(), 1, 2], "camel")
