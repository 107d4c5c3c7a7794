"""The error hierarchy (DESIGN.md §8): kinds, script messages, CLI display."""

from __future__ import annotations

import builtins

import pytest

import llmspell
from llmspell import errors
from llmspell.errors import (
    AuthenticationError,
    ConfigurationError,
    LimitExceeded,
    LLMSpellError,
    NotFoundError,
    PluginError,
    ProviderError,
    RateLimitError,
    ScriptError,
    SecurityError,
    StateError,
    TimeoutError,
    ToolError,
    UnavailableError,
    ValidationError,
    WorkflowError,
    error_class_for_kind,
    split_kind,
)

SCRIPT_KINDS = [
    "ValidationError",
    "ConfigurationError",
    "ProviderError",
    "AuthenticationError",
    "RateLimitError",
    "TimeoutError",
    "ToolError",
    "SecurityError",
    "LimitExceeded",
    "WorkflowError",
    "NotFoundError",
    "StateError",
]


@pytest.mark.parametrize(
    ("cls", "parent"),
    [
        (ValidationError, LLMSpellError),
        (ConfigurationError, LLMSpellError),
        (ProviderError, LLMSpellError),
        (AuthenticationError, ProviderError),
        (RateLimitError, ProviderError),
        (TimeoutError, ProviderError),
        (UnavailableError, ProviderError),
        (ToolError, LLMSpellError),
        (SecurityError, LLMSpellError),
        (LimitExceeded, LLMSpellError),
        (WorkflowError, LLMSpellError),
        (NotFoundError, LLMSpellError),
        (StateError, LLMSpellError),
        (ScriptError, LLMSpellError),
        (PluginError, LLMSpellError),
    ],
)
def test_hierarchy(cls: type[LLMSpellError], parent: type[LLMSpellError]) -> None:
    assert issubclass(cls, parent)
    assert issubclass(cls, Exception)
    err = cls("boom")
    assert isinstance(err, LLMSpellError)
    assert err.message == "boom"


def test_llmspell_timeout_error_is_not_the_builtin() -> None:
    # a provider timeout must not be swallowed by `except TimeoutError` meant for asyncio
    assert TimeoutError is not builtins.TimeoutError
    assert not issubclass(TimeoutError, builtins.TimeoutError)


@pytest.mark.parametrize("kind", [*SCRIPT_KINDS, "ScriptError", "PluginError"])
def test_error_class_for_kind_round_trips(kind: str) -> None:
    cls = error_class_for_kind(kind)
    assert cls is not None
    assert cls.kind == kind


@pytest.mark.parametrize("kind", ["", "Error", "KeyError", "LLMSpellError", "toolerror", "Tool"])
def test_error_class_for_kind_unknown(kind: str) -> None:
    assert error_class_for_kind(kind) is None


def test_unavailable_error_shows_as_provider_error() -> None:
    err = UnavailableError("host down")
    assert err.kind == "ProviderError"
    assert err.script_message() == "ProviderError: host down"
    # the kind table must keep mapping "ProviderError" to the base class
    assert error_class_for_kind("ProviderError") is ProviderError


@pytest.mark.parametrize("kind", SCRIPT_KINDS)
def test_split_kind_known(kind: str) -> None:
    assert split_kind(f"{kind}: something broke") == (kind, "something broke")


@pytest.mark.parametrize(
    "text",
    [
        "plain message",
        "KeyError: 'x'",  # a Python kind, not ours
        "Foo: bar",
        "ToolError:no space",
        " ToolError: leading space",
        "toolerror: lower case",
        "",
        "UnavailableError: not a script-visible kind",
    ],
)
def test_split_kind_unknown_returns_text_unchanged(text: str) -> None:
    assert split_kind(text) == (None, text)


def test_split_kind_keeps_multiline_message_and_inner_colons() -> None:
    kind, msg = split_kind("ValidationError: line one\nline two: ToolError: x")
    assert kind == "ValidationError"
    assert msg == "line one\nline two: ToolError: x"


def test_split_kind_round_trips_script_message() -> None:
    err = SecurityError("path '/etc/passwd' is outside the allowed paths", hint="see [security]")
    kind, msg = split_kind(err.script_message())
    assert kind == "SecurityError"
    assert msg == str(err)
    assert error_class_for_kind(kind) is SecurityError


def test_str_without_hint_is_the_message() -> None:
    err = ToolError("tool failed")
    assert str(err) == "tool failed"
    assert err.hint is None


def test_str_with_hint_appends_it_in_parentheses() -> None:
    err = NotFoundError("unknown tool 'calc'", hint="Tool.list() shows the available tools")
    assert str(err) == "unknown tool 'calc' (Tool.list() shows the available tools)"
    assert err.message == "unknown tool 'calc'"
    assert err.hint == "Tool.list() shows the available tools"
    assert err.script_message() == (
        "NotFoundError: unknown tool 'calc' (Tool.list() shows the available tools)"
    )


def test_display_without_location() -> None:
    err = ValidationError("bad value")
    assert err.location() == ""
    assert err.display() == "ValidationError: bad value"


def test_display_with_file_and_line() -> None:
    err = ScriptError("attempt to call a nil value").at("spell.lua", 12)
    assert err.file == "spell.lua"
    assert err.line == 12
    assert err.location() == "spell.lua:12"
    assert err.display() == "spell.lua:12: ScriptError: attempt to call a nil value"


def test_display_with_file_only() -> None:
    err = ToolError("x").at("spell.js", None)
    assert err.location() == "spell.js"
    assert err.display() == "spell.js: ToolError: x"


def test_display_includes_hint() -> None:
    err = LimitExceeded("wall-time limit of 1 s exceeded", limit="timeout", hint="use --timeout")
    err.at("s.lua", 3)
    assert (
        err.display() == "s.lua:3: LimitExceeded: wall-time limit of 1 s exceeded (use --timeout)"
    )
    assert err.limit == "timeout"


def test_at_returns_self_for_chaining() -> None:
    err = WorkflowError("step 'a' failed")
    assert err.at("w.lua", 1) is err


def test_limit_exceeded_default_limit() -> None:
    assert LimitExceeded("x").limit == ""


def test_errors_are_raisable_and_catchable_as_base() -> None:
    with pytest.raises(LLMSpellError) as info:
        raise RateLimitError("slow down")
    assert info.value.kind == "RateLimitError"
    assert isinstance(info.value, ProviderError)


def test_facade_exports_the_same_classes() -> None:
    for name in errors.__all__:
        if name[0].isupper():
            assert getattr(llmspell, name, None) in (None, getattr(errors, name))
    assert llmspell.ToolError is ToolError
    assert llmspell.TimeoutError is TimeoutError
